"""Render one city: params → papermill run of the template → report.ipynb, .html, .pdf and metrics.json.

Every report is built in a staging folder inside `out_root` and swapped into `out_root/<jurisdiction>/` only
when all four files exist and are valid (`trustreport.publish`, DESIGN §4), so a failure never leaves half a
report and never touches the previous good one. The run's status goes to `out_root/index.json` and
`index.html` (`trustreport.index_page`), not into the report folder, because a failed run must not write there.
Tools: `reference/toolchain.md`.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from trustreport.errors import ParamsError, TrustReportError
from trustreport.params import LoadedParams, load_params
from trustreport.publish import (
    REPORT_FILES,
    check_report,
    recover_stale,
    relative_path,
    staging_folder,
    swap_into_place,
)
from trustreport.reproducible import machine_free, project_relative

log = logging.getLogger(__name__)

METRICS_MIMETYPE = "application/vnd.trustreport.metrics+json"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1] / "notebooks" / "trust_report.ipynb"
KERNEL_NAME = "python3"
MAX_REASON = 600

# Print rules for the report: A4, and the fix for JupyterLab's flexbox layout that otherwise clips charts at
# the right edge in WeasyPrint (toolchain.md, appendix D). Embedded in the HTML for browsers' print and passed
# to WeasyPrint, so one stylesheet serves both.
PRINT_CSS = """\
@page { size: A4; margin: 14mm 12mm; }
@media print {
  .jp-OutputArea-child, .jp-Cell-outputWrapper, .jp-Cell-inputWrapper, .jp-InputArea {
    display: block !important;
  }
  .jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
  img { max-width: 100% !important; max-height: 250mm !important; width: auto; height: auto !important; }
  /* Wide tables: fit the page width (JupyterLab's fixed layout lets them run off the right edge). */
  table { table-layout: auto !important; width: 100% !important; font-size: 7.5pt !important; }
  th, td { padding: .25em .35em !important; overflow-wrap: break-word; }
  pre { white-space: pre-wrap !important; }
  /* JupyterLab keeps each output whole (avoid-page), which pushes a long list or table to the next page and
     leaves half a page blank; let text and tables flow, keep charts and table rows whole. */
  .jp-OutputArea-child { break-inside: auto !important; }
  img, svg, tr { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
}
"""

# The `lab` template without anything fetched from the network (require.js, MathJax, mermaid, widgets), so the
# page is one self-contained file that works offline; plus the print rules above.
_HTML_TEMPLATE_NAME = "trustreport_report.html.j2"
_HTML_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    '{%- block html_head_css -%}\n<style type="text/css">\n' + PRINT_CSS + "</style>\n"
    "{%- endblock html_head_css -%}\n"
)


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


# ------------------------------------------------------------------------------------------------------------
# One city


def render_city(
    params_path: str | Path,
    out_root: str | Path,
    *,
    template: str | Path | None = None,
    data_root: str | Path | None = None,
) -> CityResult:
    """Validate the params, run the template, and swap the finished report into `out_root/<jurisdiction>/`.

    `data_root` is a folder outside the project that sources may be read from (`--data-root`,
    trustreport.source_paths); the kernel is given it too.

    Never raises for a city's own problems: a bad params file (nothing executed, nothing written), an error in
    the notebook, or a failed export all come back as a failed `CityResult` with a one-line reason, and the
    previous good report, if any, stays as it was.
    """
    started = time.perf_counter()
    params_path = Path(params_path)
    # papermill changes the working directory while it runs: hold every path absolute from here on.
    out_root = Path(out_root).absolute()
    template = Path(template).absolute() if template else DEFAULT_TEMPLATE
    data_root = Path(data_root).absolute() if data_root else None

    def finish(city: City, reason: str | None) -> CityResult:
        final = out_root / city.jurisdiction
        kept = reason is not None and _SLUG.match(city.jurisdiction) is not None and final.is_dir()
        result = CityResult(
            jurisdiction=city.jurisdiction,
            name=city.name,
            params_path=params_path,
            status="ok" if reason is None else "failed",
            reason=reason,
            duration=time.perf_counter() - started,
            report_dir=final if (reason is None or kept) else None,
            previous_kept=kept,
        )
        if result.ok:
            log.info("%s: ok in %.1f s → %s", city.jurisdiction, result.duration, final)
        else:
            kept_note = "previous report kept" if kept else "no previous report"
            log.warning("%s: failed (%s): %s", city.jurisdiction, kept_note, reason)
        return result

    try:
        loaded = load_params(params_path, data_root=data_root)
    except ParamsError as err:
        return finish(identify_city(params_path, data_root=data_root), _one_line(str(err)))
    city = City(loaded.params.jurisdiction, loaded.params.name, loaded)
    try:
        if not template.is_file():
            raise TrustReportError(template, "template notebook not found")
        _build_and_swap(loaded, template, out_root, data_root)
    except TrustReportError as err:
        return finish(city, _one_line(str(err)))
    except OSError as err:
        log.debug("%s: rendering failed", city.jurisdiction, exc_info=True)
        return finish(city, output_fault(err, out_root) or _one_line(f"{type(err).__name__}: {err}"))
    except Exception as err:
        if type(err).__name__ == "PapermillExecutionError":
            reason = kernel_error_reason(err, template)
            log.debug("%s: traceback from the notebook:\n%s", city.jurisdiction, _strip_ansi(err.traceback))
        else:
            reason = _one_line(f"{type(err).__name__}: {err}")
            log.debug("%s: rendering failed", city.jurisdiction, exc_info=True)
        return finish(city, reason)
    return finish(city, None)


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

        raw = yaml.safe_load(path.read_bytes())
    except Exception:
        raw = None
    if isinstance(raw, dict) and isinstance(raw.get("jurisdiction"), str) and _SLUG.match(raw["jurisdiction"]):
        name = raw.get("name")
        return City(raw["jurisdiction"], name if isinstance(name, str) and name else raw["jurisdiction"])
    return City(path.stem, path.stem)


def _build_and_swap(loaded: LoadedParams, template: Path, out_root: Path, data_root: Path | None = None) -> None:
    jurisdiction = loaded.params.jurisdiction
    out_root.mkdir(parents=True, exist_ok=True)
    recover_stale(out_root, jurisdiction)
    with staging_folder(out_root, jurisdiction) as staging:
        t0 = time.perf_counter()
        nb = _execute(template, loaded.path.absolute(), staging / REPORT_FILES["notebook"], data_root)
        nb = machine_free(nb, template=template, params_path=loaded.path.absolute(), data_root=data_root)
        _write_notebook(nb, staging / REPORT_FILES["notebook"])
        t1 = time.perf_counter()
        metrics = read_metrics(nb, template)
        claimed = metrics.get("jurisdiction")
        if claimed is not None and claimed != jurisdiction:
            raise TrustReportError(
                template, f"metrics `jurisdiction` is {claimed!r} but {loaded.path} says {jurisdiction!r}"
            )
        (staging / REPORT_FILES["metrics"]).write_text(metrics_json(metrics, template), encoding="utf-8")
        title = metrics.get("title") if isinstance(metrics.get("title"), str) else loaded.params.name
        page = export_html(nb, title=title)
        (staging / REPORT_FILES["html"]).write_text(page, encoding="utf-8")
        t2 = time.perf_counter()
        write_pdf(page, staging / REPORT_FILES["pdf"], base_url=staging)
        t3 = time.perf_counter()
        check_report(staging)
        swap_into_place(staging, out_root / jurisdiction)
        log.debug("%s: execute %.2f s, html %.2f s, pdf %.2f s", jurisdiction, t1 - t0, t2 - t1, t3 - t2)


def _execute(template: Path, params_path: Path, output: Path, data_root: Path | None = None):
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


def _write_notebook(nb: Any, target: Path) -> None:
    import nbformat

    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


_OUTPUT_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def output_fault(err: OSError, out_root: Path) -> str | None:
    """'<out_root>: cannot write the report (No space left on device)' when `err` is the output folder being
    full, read-only or not writable; None for any other OS error."""
    if err.errno not in _OUTPUT_FAULTS:
        return None
    where = Path(err.filename).absolute() if isinstance(err.filename, str) else None
    if where is not None and where != out_root and out_root not in where.parents:
        return None
    return f"{out_root}: cannot write the report ({err.strerror or err})"


def kernel_error_reason(err: Any, template: Path | None = None) -> str:
    """One line from a `PapermillExecutionError`.

    A trustreport error already names the file and the key, row or column, so its message is used as it is;
    anything else is "Name: message (template cell N)" so the author can find the cell.
    """
    ename, evalue = str(err.ename), str(err.evalue)
    if ename in _trustreport_error_names():
        return _one_line(evalue)
    where = _template_cell(template, err.source) if template else None
    if where is None:
        where = f"cell In [{err.exec_count}]" if err.exec_count is not None else f"cell {err.cell_index + 1}"
    return _one_line(f"{ename}: {evalue}", suffix=f" ({where})")


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


def export_html(nb: Any, *, title: str) -> str:
    """One self-contained HTML page: no input code, no prompts, `remove-cell` cells dropped, images inline."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        extra_loaders=[DictLoader({_HTML_TEMPLATE_NAME: _HTML_TEMPLATE})],
        template_file=_HTML_TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return page


def write_pdf(page: str, target: Path, *, base_url: Path) -> None:
    """A4 PDF of the HTML page with WeasyPrint, in-process; nothing is fetched from the network."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    document = HTML(string=page, base_url=str(base_url), url_fetcher=fetcher)
    document.write_pdf(str(target), stylesheets=[CSS(string=PRINT_CSS)])


# ------------------------------------------------------------------------------------------------------------
# Small helpers

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ANSI = re.compile("\x1b\\[(K|.*?m)")


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


def _one_line(text: str, *, suffix: str = "") -> str:
    line = " ".join(part.strip() for part in _strip_ansi(text).splitlines() if part.strip())
    if len(line) + len(suffix) > MAX_REASON:
        line = line[: MAX_REASON - len(suffix) - 1].rstrip() + "…"
    return line + suffix


def _strip_ansi(text: str | list[str]) -> str:
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
