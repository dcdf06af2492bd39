"""An executed report notebook made free of machine paths and run-to-run noise, so that the same inputs give the
same `report.ipynb` and `report.html`, byte for byte (docs/design.md §4; issue 11).

papermill records where the template, the staging folder and the params file were (absolute paths), a random id
for the cell it injects, and the start, end and duration of the run and of every cell; the kernel adds its own
timestamps. None of that is about the report: the paths become relative (or a bare file name), the injected
cell gets a fixed id, and the timings are dropped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

INJECTED_CELL_ID = "injected-parameters"
REPORT_NOTEBOOK = "report.ipynb"
_RUN_TIMINGS = ("start_time", "end_time", "duration")


def portable(path: Path, start: Path) -> str:
    """`path` relative to `start` when it lies inside `start`'s parent (the template's project, so a notebook
    opened from `notebooks/` finds `../params/x.yaml`), else relative to its own project (`params/x.yaml`)."""
    path, start = Path(os.path.abspath(path)), Path(os.path.abspath(start))
    if path.is_relative_to(start.parent):
        return Path(os.path.relpath(path, start)).as_posix()
    return project_relative(path)


def project_relative(path: Path) -> str:
    """A params file as its project names it, `params/x.yaml` (the project is the params folder's parent); a
    relative path is already free of the machine and is kept as given."""
    if not Path(path).is_absolute():
        return Path(path).as_posix()
    path = Path(os.path.abspath(path))
    return path.relative_to(path.parent.parent).as_posix() if path.parent != path.parent.parent else path.name


def machine_free(
    nb: Any, *, template: Path, params_path: Path, data_root: Path | None = None, output_name: str = REPORT_NOTEBOOK
) -> Any:
    """The executed notebook `nb` (changed in place and returned) with the paths papermill and the kernel
    recorded made relative to the template's folder, a fixed id for the injected parameters cell, and no
    timestamps or durations."""
    home = template.parent
    replacements = {str(params_path): portable(params_path, home)}
    if data_root is not None:
        replacements[str(data_root)] = portable(data_root, home)
    record = nb.metadata.get("papermill")
    if record is not None:
        record["input_path"] = template.name
        record["output_path"] = output_name
        record["parameters"] = {k: _replaced(v, replacements) for k, v in record.get("parameters", {}).items()}
        for key in _RUN_TIMINGS:
            record.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _RUN_TIMINGS:
            cell.metadata.get("papermill", {}).pop(key, None)
        if INJECTED_CELL_ID in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_CELL_ID
            cell["source"] = _replaced(cell["source"], replacements)
    return nb


def _replaced(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
    return value
