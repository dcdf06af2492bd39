"""The index of all cities: `out_root/index.html` for people and `out_root/index.json` for machines.

A run's status is recorded here, not in the city's report folder, because a failed run must not write there.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from trustreport.errors import TrustReportError
from trustreport.publish import relative_path, write_together
from trustreport.render import CityResult

INDEX_HTML = "index.html"
INDEX_JSON = "index.json"


def write_index(results: Iterable[CityResult], out_root: str | Path, *, merge: bool = False) -> Path:
    """Write `out_root/index.html` (a self-contained page) and `out_root/index.json` (the same, for machines).

    With `merge`, cities already in `index.json` that are not in `results` are kept (a single-city run).
    Both files are written to temp files and renamed into place together: both change or neither does; a
    folder that cannot be written (read-only, full) is a `TrustReportError` naming it.
    """
    out_root = Path(out_root).absolute()
    by_city: dict[str, CityResult] = {}
    if merge:
        for old in read_index(out_root):
            by_city[old.jurisdiction] = old
    rows = list(results)
    for result in rows:
        by_city.pop(result.jurisdiction, None)
    rows = sorted([*by_city.values(), *rows], key=lambda r: (r.jurisdiction, str(r.params_path)))
    summary = {
        "cities": len(rows),
        "ok": sum(r.ok for r in rows),
        "failed": sum(not r.ok for r in rows),
        "retried": sum(r.retried for r in rows),
    }
    data = {"summary": summary, "cities": [r.to_json(out_root) for r in rows]}
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        write_together(
            {
                out_root / INDEX_JSON: json.dumps(data, sort_keys=True, indent=2) + "\n",
                out_root / INDEX_HTML: _index_page(rows, out_root, summary),
            }
        )
    except OSError as err:
        raise TrustReportError(
            out_root, f"cannot write {INDEX_JSON} and {INDEX_HTML} ({err.strerror or err}); neither was changed"
        ) from err
    return out_root / INDEX_HTML


def read_index(out_root: str | Path) -> list[CityResult]:
    """The cities listed in `out_root/index.json`; empty if there is none or it cannot be read."""
    out_root = Path(out_root).absolute()
    try:
        data = json.loads((out_root / INDEX_JSON).read_text(encoding="utf-8"))
        return [CityResult.from_json(entry, out_root) for entry in data["cities"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


_INDEX_CSS = """\
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
p.summary { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid #ddd; }
th { font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { font-weight: 600; white-space: nowrap; }
.ok .status { color: #1a7f37; }
.failed .status { color: #b42318; }
.reason { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem;
          overflow-wrap: anywhere; }
.kept { font-size: .9rem; color: #555; }
.jur { color: #666; font-size: .85rem; }
a { color: #0b5cad; }
"""


def _index_page(rows: list[CityResult], out_root: Path, summary: dict[str, int]) -> str:
    body = []
    for r in rows:
        links = _links(r, out_root)
        if r.ok:
            detail = links
        else:
            kept = (
                f'<div class="kept">Previous report kept: {links}</div>'
                if r.previous_kept and links
                else '<div class="kept">No previous report.</div>'
            )
            detail = f'<div class="reason">{_esc(r.reason or "unknown error")}</div>{kept}'
        body.append(
            f'<tr class="{"ok" if r.ok else "failed"}">'
            f'<td>{_esc(r.name)}<br><span class="jur">{_esc(r.jurisdiction)}</span></td>'
            f'<td class="status">{"ok" if r.ok else "failed"}{" (retried)" if r.retried else ""}</td>'
            f'<td class="num">{r.duration:.1f} s</td>'
            f"<td>{detail}</td></tr>"
        )
    failed = f", {summary['failed']} failed" if summary["failed"] else ""
    failed += f", {summary['retried']} retried after a worker died" if summary["retried"] else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>trustreport: {summary['cities']} cities</title>\n"
        f"<style>\n{_INDEX_CSS}</style>\n</head>\n<body>\n"
        "<h1>Then-and-now reports</h1>\n"
        f'<p class="summary">{summary["cities"]} cities: {summary["ok"]} ok{failed}.</p>\n'
        "<table>\n<thead><tr><th>City</th><th>Status</th><th>Time</th><th>Report</th></tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def _links(result: CityResult, out_root: Path) -> str:
    labels = {"html": "HTML", "pdf": "PDF", "metrics": "metrics.json"}
    links = []
    for kind, label in labels.items():
        path = result.outputs.get(kind)
        if path is not None:
            links.append(f'<a href="{_esc(quote(relative_path(path, out_root)))}">{label}</a>')
    return " · ".join(links)


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)
