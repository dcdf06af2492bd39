"""Render one city: params → papermill run of the template → report.ipynb, .html, .pdf and metrics.json.

Every report is built in a staging folder inside `out_root` and swapped into `out_root/<jurisdiction>/` only
when all four files exist and are valid (`trustreport.publish`, docs/design.md §4), so a failure never leaves half a
report and never touches the previous good one. The run's status goes to `out_root/index.json` and
`index.html` (`trustreport.index_page`), not into the report folder, because a failed run must not write there.

The steps live in their own modules: `execute` (papermill), `export` (HTML and PDF), `result` (metrics read
back, the city's result). Their public names are re-exported here for callers of the one-module API.
"""

from __future__ import annotations

import errno
import logging
import time
from pathlib import Path
from typing import Any

from trustreport.errors import ParamsError, TrustReportError
from trustreport.execute import DEFAULT_TEMPLATE, execute_template, is_kernel_error, kernel_error_reason
from trustreport.export import PRINT_CSS, export_html, write_pdf
from trustreport.params import SLUG, LoadedParams
from trustreport.publish import REPORT_FILES, check_report, recover_stale, staging_folder, swap_into_place
from trustreport.reproducible import machine_free
from trustreport.result import (
    METRICS_MIMETYPE,
    City,
    CityResult,
    identify_city,
    metrics_json,
    one_line,
    read_metrics,
    strip_ansi,
)
from trustreport.validation import validate

__all__ = [
    "DEFAULT_TEMPLATE",
    "METRICS_MIMETYPE",
    "PRINT_CSS",
    "City",
    "CityResult",
    "export_html",
    "identify_city",
    "kernel_error_reason",
    "metrics_json",
    "output_fault",
    "read_metrics",
    "render_city",
    "write_pdf",
]

log = logging.getLogger(__name__)


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
        kept = reason is not None and SLUG.match(city.jurisdiction) is not None and final.is_dir()
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
        loaded = validate(params_path, data_root=data_root)
    except ParamsError as err:
        return finish(identify_city(params_path, data_root=data_root), one_line(str(err)))
    city = City(loaded.params.jurisdiction, loaded.params.name, loaded)
    try:
        if not template.is_file():
            raise TrustReportError(template, "template notebook not found")
        _build_and_swap(loaded, template, out_root, data_root)
    except TrustReportError as err:
        return finish(city, one_line(str(err)))
    except OSError as err:
        log.debug("%s: rendering failed", city.jurisdiction, exc_info=True)
        return finish(city, output_fault(err, out_root) or one_line(f"{type(err).__name__}: {err}"))
    except Exception as err:
        if is_kernel_error(err):
            reason = kernel_error_reason(err, template)
            log.debug("%s: traceback from the notebook:\n%s", city.jurisdiction, strip_ansi(err.traceback))
        else:
            reason = one_line(f"{type(err).__name__}: {err}")
            log.debug("%s: rendering failed", city.jurisdiction, exc_info=True)
        return finish(city, reason)
    return finish(city, None)


def _build_and_swap(loaded: LoadedParams, template: Path, out_root: Path, data_root: Path | None = None) -> None:
    jurisdiction = loaded.params.jurisdiction
    out_root.mkdir(parents=True, exist_ok=True)
    recover_stale(out_root, jurisdiction)
    with staging_folder(out_root, jurisdiction) as staging:
        t0 = time.perf_counter()
        nb = execute_template(template, loaded.path.absolute(), staging / REPORT_FILES["notebook"], data_root)
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
        page = export_html(nb, city=loaded.params.name, page_size=loaded.params.options.page_size)
        (staging / REPORT_FILES["html"]).write_text(page, encoding="utf-8")
        t2 = time.perf_counter()
        write_pdf(page, staging / REPORT_FILES["pdf"], base_url=staging)
        t3 = time.perf_counter()
        check_report(staging)
        swap_into_place(staging, out_root / jurisdiction)
        log.debug("%s: execute %.2f s, html %.2f s, pdf %.2f s", jurisdiction, t1 - t0, t2 - t1, t3 - t2)


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
