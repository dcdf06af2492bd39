"""Execute the report template for one params file with papermill, and turn a failed cell into one line.

Tools: `docs/toolchain.md`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustreport.errors import TrustReportError
from trustreport.result import one_line

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1] / "notebooks" / "trust_report.ipynb"
KERNEL_NAME = "python3"


def execute_template(template: Path, params_path: Path, output: Path, data_root: Path | None = None) -> Any:
    """Run `template` with `params_path` injected into its `parameters` cell; the executed notebook is written
    to `output` and returned. A failing cell raises papermill's `PapermillExecutionError`."""
    import papermill

    return papermill.execute_notebook(
        str(template),
        str(output),
        parameters={"params_path": str(params_path), "data_root": str(data_root) if data_root else None},
        cwd=str(template.parent),
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        log_output=False,
        # The kernel's own log goes to our stderr: ipykernel ≥ 7.4 warns about TCP transport on every start,
        # and logs "KeyboardInterrupt caught in kernel" at ERROR when jupyter_client interrupts it before
        # shutdown. Neither says anything about the report, and both would break the one-line error.
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )


def is_kernel_error(err: BaseException) -> bool:
    """Whether `err` is papermill's report of an exception raised inside the notebook."""
    from papermill.exceptions import PapermillExecutionError

    return isinstance(err, PapermillExecutionError)


def kernel_error_reason(err: Any, template: Path | None = None) -> str:
    """One line from a `PapermillExecutionError`.

    A trustreport error already names the file and the key, row or column, so its message is used as it is;
    anything else is "Name: message (template cell N)" so the author can find the cell.
    """
    ename, evalue = str(err.ename), str(err.evalue)
    # The exception was raised in the kernel's process: only its class name crosses over.
    if ename in _trustreport_error_names():
        return one_line(evalue)
    where = _template_cell(template, err.source) if template else None
    if where is None:
        where = f"cell In [{err.exec_count}]" if err.exec_count is not None else f"cell {err.cell_index + 1}"
    return one_line(f"{ename}: {evalue}", suffix=f" ({where})")


def _trustreport_error_names() -> set[str]:
    names, todo = set(), [TrustReportError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _template_cell(template: Path, source: str) -> str | None:
    """'trust_report.ipynb cell 7' for the template cell whose source matches; None if it cannot be found."""
    try:
        cells = json.loads(template.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    wanted = (source or "").strip()
    for number, cell in enumerate(cells, start=1):
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else text
        if cell.get("cell_type") == "code" and text.strip() == wanted:
            return f"{template.name} cell {number}"
    return None
