"""What a run leaves behind: the metrics the notebook displays and the runner reads back, and one city's result.

The template's last cell displays `Report.metrics()` under `METRICS_MIMETYPE` (`emit_metrics`); the runner finds
that output in the executed notebook (`read_metrics`) and writes it as `metrics.json` (`metrics_json`). A
`CityResult` records how one city's run ended, with a one-line reason a user can act on; it is the `index.json`
entry (`trustreport.index_page`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trustreport.errors import ParamsError, TrustReportError
from trustreport.params import SLUG, LoadedParams, load_params
from trustreport.publish import REPORT_FILES, relative_path
from trustreport.reproducible import project_relative

if TYPE_CHECKING:
    from trustreport.report import Report

METRICS_MIMETYPE = "application/vnd.trustreport.metrics+json"
MAX_REASON = 600

_ANSI = re.compile("\x1b\\[(K|.*?m)")


def emit_metrics(report: Report) -> None:
    """Display the metrics under trustreport's mimetype; the runner reads it back from the executed notebook."""
    from IPython.display import display

    display({METRICS_MIMETYPE: report.metrics()}, raw=True)


def read_metrics(nb: Any, template: Path | str = "notebook") -> dict[str, Any]:
    """The metrics dict the notebook displayed under `METRICS_MIMETYPE`; exactly one is expected."""
    found: list[tuple[int, Any]] = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if METRICS_MIMETYPE in data:
                found.append((index, data[METRICS_MIMETYPE]))
    if not found:
        raise TrustReportError(
            template, f"no output with mimetype {METRICS_MIMETYPE}; the cell tagged `metrics` must display it"
        )
    if len(found) > 1:
        cells = ", ".join(str(i + 1) for i, _ in found)
        raise TrustReportError(template, f"metrics displayed {len(found)} times (cells {cells}); expected once")
    metrics = found[0][1]
    if isinstance(metrics, str):
        metrics = json.loads(metrics)
    if not isinstance(metrics, dict):
        raise TrustReportError(template, f"metrics must be a dict, got {type(metrics).__name__}")
    return _plain(metrics)


def metrics_json(metrics: dict[str, Any], template: Path | str = "notebook") -> str:
    """`metrics.json` text: sorted keys, no NaN, trailing newline, so the same inputs give the same bytes."""
    try:
        return json.dumps(metrics, sort_keys=True, indent=2, allow_nan=False) + "\n"
    except ValueError as err:
        raise TrustReportError(template, f"metrics are not valid JSON: {err}") from None


@dataclass(frozen=True)
class CityResult:
    """How one city's run ended.

    `report_dir` is the report that is in place now: the new one when `status == "ok"`, the previous good one
    when the run failed and `previous_kept` is true, else None. `reason` is one line a user can act on.
    `retried` says the city was run a second time, on its own, after a worker process died under it.
    """

    jurisdiction: str
    name: str
    params_path: Path
    status: Literal["ok", "failed"]
    reason: str | None = None
    duration: float = 0.0
    report_dir: Path | None = None
    previous_kept: bool = False
    retried: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def outputs(self) -> dict[str, Path]:
        """The report's files by kind (html, pdf, metrics, notebook) that exist in `report_dir`."""
        if self.report_dir is None:
            return {}
        found = {kind: self.report_dir / name for kind, name in REPORT_FILES.items()}
        return {kind: path for kind, path in found.items() if path.is_file()}

    def to_json(self, out_root: Path) -> dict[str, Any]:
        """The `index.json` entry; paths inside `out_root` are relative to it."""
        return {
            "jurisdiction": self.jurisdiction,
            "name": self.name,
            "params_path": project_relative(self.params_path),
            "status": self.status,
            "reason": self.reason,
            "duration_s": round(self.duration, 2),
            "previous_kept": self.previous_kept,
            "retried": self.retried,
            "report_dir": relative_path(self.report_dir, out_root) if self.report_dir else None,
            "outputs": {kind: relative_path(path, out_root) for kind, path in self.outputs.items()},
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any], out_root: Path) -> CityResult:
        report_dir = entry.get("report_dir")
        return cls(
            jurisdiction=str(entry["jurisdiction"]),
            name=str(entry.get("name") or entry["jurisdiction"]),
            params_path=Path(entry.get("params_path") or ""),
            status="ok" if entry.get("status") == "ok" else "failed",
            reason=entry.get("reason"),
            duration=float(entry.get("duration_s") or 0.0),
            report_dir=(out_root / report_dir) if report_dir else None,
            previous_kept=bool(entry.get("previous_kept")),
            retried=bool(entry.get("retried")),
        )


@dataclass(frozen=True)
class City:
    """Who a params file is about, known even when the file does not validate (then `loaded` is None)."""

    jurisdiction: str
    name: str
    loaded: LoadedParams | None = field(default=None, compare=False)


def identify_city(params_path: str | Path, *, data_root: str | Path | None = None) -> City:
    """Jurisdiction and name of a params file: validated if possible, else read leniently, else the file stem.

    The lenient read lets a failed run still point at the city's previous report.
    """
    path = Path(params_path)
    try:
        loaded = load_params(path, check_files=False, data_root=data_root)
        return City(loaded.params.jurisdiction, loaded.params.name, loaded)
    except ParamsError:
        pass
    try:
        import yaml

        from trustreport.params_yaml import MAX_BYTES

        # Only a regular file of a sane size: `/dev/zero` as a params file must not be read to the end.
        raw = yaml.safe_load(path.read_bytes()) if path.is_file() and path.stat().st_size <= MAX_BYTES else None
    except Exception:
        raw = None
    if isinstance(raw, dict) and isinstance(raw.get("jurisdiction"), str) and SLUG.match(raw["jurisdiction"]):
        name = raw.get("name")
        return City(raw["jurisdiction"], name if isinstance(name, str) and name else raw["jurisdiction"])
    return City(path.stem, path.stem)


def one_line(text: str, *, suffix: str = "") -> str:
    """A result's reason: one line without terminal colours, cut to `MAX_REASON` characters with its suffix."""
    line = " ".join(part.strip() for part in strip_ansi(text).splitlines() if part.strip())
    if len(line) + len(suffix) > MAX_REASON:
        line = line[: MAX_REASON - len(suffix) - 1].rstrip() + "…"
    return line + suffix


def strip_ansi(text: str | list[str]) -> str:
    """Text without ANSI colour codes (a kernel's traceback carries them)."""
    if isinstance(text, list):
        text = "\n".join(text)
    return _ANSI.sub("", text)


def _plain(value: Any) -> Any:
    """NotebookNode → plain dicts and lists, so equality and JSON do not depend on nbformat's types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
