"""The index of all cities: `out_root/index.html` for people and `out_root/index.json` for machines; both
compare the cities on the figures of `trustreport.comparison`, read from each report's `metrics.json`.

A run's status is recorded here, not in the city's report folder, because a failed run must not write there.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import quote

from trustreport import fmt
from trustreport.comparison import CityComparison, Ratio, read_comparison
from trustreport.errors import TrustReportError
from trustreport.publish import relative_path, write_together
from trustreport.result import CityResult

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
    data = {"summary": summary, "cities": [_entry(r, out_root) for r in rows]}
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


def _entry(result: CityResult, out_root: Path) -> dict:
    """The city's `index.json` entry: its run, and the comparison figures when its report is in place."""
    entry = result.to_json(out_root)
    metrics = result.outputs.get("metrics")
    found = read_comparison(metrics) if metrics is not None else None
    entry["comparison"] = found.to_json() if found else None
    return entry


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
       margin: 0 auto; max-width: 78rem; padding: 0 1rem; line-height: 1.45; }
header, main, footer { display: block; }
h1 { font-size: 1.6rem; margin: 1.5rem 0 .2rem; }
p.summary, footer { color: #555; }
footer { font-size: .85rem; border-top: 1px solid #ddd; margin: 2rem 0 1rem; padding-top: .5rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid #ddd; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: #555; }
th button { font: inherit; color: inherit; text-transform: inherit; letter-spacing: inherit; background: none;
            border: 0; padding: 0; cursor: pointer; text-align: left; }
th button::after { content: " ↕"; color: #999; }
th[aria-sort="ascending"] button::after { content: " ↑"; color: #1b1b1b; }
th[aria-sort="descending"] button::after { content: " ↓"; color: #1b1b1b; }
td.num { font-variant-numeric: tabular-nums; }
.ci, .sub { color: #555; font-size: .85rem; }
.status { font-weight: 600; white-space: nowrap; }
.ok .status { color: #1a7f37; }
.failed .status { color: #b42318; }
.reason { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem;
          overflow-wrap: anywhere; }
.kept { font-size: .9rem; color: #555; }
.jur { color: #555; font-size: .85rem; }
a { color: #0b5cad; }
/* On a phone each city is a card: one line per column, labelled. */
@media (max-width: 720px) {
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table, tbody, tr, td { display: block; width: 100%; box-sizing: border-box; }
  tr { border: 1px solid #ddd; border-radius: 6px; margin: 0 0 .8rem; padding: .3rem .2rem; }
  td { border: 0; padding: .25rem .5rem; }
  caption { display: block; }
  td[data-label]::before { content: attr(data-label); display: block; font-size: .75rem; color: #555;
                           text-transform: uppercase; letter-spacing: .03em; }
}
"""

# Sorting by a column heading: a few lines, no library. Without script the table stays sorted by city.
_SORT_SCRIPT = """\
(function () {
  var table = document.getElementById('cities');
  if (!table) return;
  var heads = table.tHead.rows[0].cells;
  function key(row, i) {
    var cell = row.cells[i];
    var v = cell.getAttribute('data-sort');
    if (v === null) v = cell.textContent.trim();
    var n = parseFloat(v);
    return v !== '' && !isNaN(n) && /^-?[0-9.]+$/.test(v) ? n : v.toLowerCase();
  }
  function sortBy(i) {
    var th = heads[i];
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    for (var j = 0; j < heads.length; j++) heads[j].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i);
      if (x === '' && y !== '') return 1;
      if (y === '' && x !== '') return -1;
      var c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1);
      return dir === 'ascending' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  for (var i = 0; i < heads.length; i++) {
    (function (i) {
      var th = heads[i];
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      button.addEventListener('click', function () { sortBy(i); });
      th.textContent = '';
      th.appendChild(button);
    })(i);
  }
})();
"""

_INTRO = (
    "Each report sets a <em>then</em> window against a <em>now</em> window for one city, from the data the city "
    "and others publish. The table puts the cities side by side on one headline disparity: how many times as "
    "often, per resident, Black residents were stopped (or, where stops are not published, arrested, subjected "
    "to force, killed by police or killed) as residents of the city&#x27;s reference group, with its confidence "
    "interval; 1 means no difference. <em>Change</em> is the now ratio divided by the then ratio: below 1 the "
    "gap narrowed, above 1 it widened; an interval that includes 1 means the data cannot tell. Cities measure "
    "different things over different years, so read each row with its report. Select a column heading to sort."
)

_COLUMNS = (
    "City",
    "Then / now",
    "Headline disparity",
    "Then",
    "Now",
    "Change",
    "Claim ledger",
    "Data coverage",
    "Report",
)


def _index_page(rows: list[CityResult], out_root: Path, summary: dict[str, int]) -> str:
    body = [_row(r, out_root) for r in rows]
    failed = f", {summary['failed']} failed" if summary["failed"] else ""
    failed += f", {summary['retried']} retried after a worker died" if summary["retried"] else ""
    head = "".join(f'<th scope="col">{name}</th>' for name in _COLUMNS)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Policing then and now: {summary['cities']} cities compared | trustreport</title>\n"
        f"<style>\n{_INDEX_CSS}</style>\n</head>\n<body>\n"
        "<header>\n<h1>Policing then and now: the cities compared</h1>\n"
        f'<p class="summary">{summary["cities"]} cities: {summary["ok"]} ok{failed}.</p>\n</header>\n'
        f"<main>\n<p>{_INTRO}</p>\n"
        '<table id="cities">\n<caption>Headline disparity, claim ledger and data coverage by city</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n</main>\n"
        "<footer><p>Made by trustreport. The same table, for machines, is in index.json; every number comes from "
        "the city&#x27;s metrics.json.</p></footer>\n"
        f"<script>\n{_SORT_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _row(r: CityResult, out_root: Path) -> str:
    """One city: its figures when the report is in place (new, or kept from a good earlier run), and for a
    failed run the reason and whether the previous report was kept."""
    links = _links(r, out_root)
    metrics = r.outputs.get("metrics")
    found = read_comparison(metrics) if metrics is not None else None
    if r.ok:
        retried = " (retried)" if r.retried else ""
        status = f'<span class="status">ok{retried}</span> <span class="sub">{r.duration:.1f} s</span><br>{links}'
    else:
        kept = (
            f'<div class="kept">Previous report kept: {links}</div>'
            if r.previous_kept and links
            else '<div class="kept">No previous report.</div>'
        )
        status = (
            f'<span class="status">failed</span><div class="reason">{_esc(r.reason or "unknown error")}</div>{kept}'
        )
    cells = [
        _td("City", f'{_esc(r.name)}<br><span class="jur">{_esc(r.jurisdiction)}</span>', sort=r.name),
        *(_figures(found) if found else [_td(name, "–", sort="") for name in _COLUMNS[1:-1]]),
        _td("Report", status, sort="1" if r.ok else "0"),
    ]
    return f'<tr class="{"ok" if r.ok else "failed"}">{"".join(cells)}</tr>'


def _figures(c: CityComparison) -> list[str]:
    windows = f"{_window(c.then_label, c.then_window)}<br>{_window(c.now_label, c.now_window)}"
    h = c.headline
    label = _esc(h.label) if h else "no per-resident disparity in the data"
    tally = " · ".join(f"{n} {_esc(v)}" for v, n in c.verdicts.items()) or "no claims listed"
    claims_sort = str(sum(c.verdicts.values()))
    coverage = f"{c.cells_available} of {c.cells_total} available"
    if c.cells_partial:
        coverage += f", {c.cells_partial} partial"
    share = c.cells_available / c.cells_total if c.cells_total else 0.0
    return [
        _td("Then / now", windows, sort=c.then_window[0]),
        _td("Headline disparity", label, sort=str(h.measure) if h else ""),
        _ratio_td("Then", h.then if h else None),
        _ratio_td("Now", h.now if h else None),
        _ratio_td("Change", h.change if h else None, change=True),
        _td("Claim ledger", tally, sort=claims_sort),
        _td("Data coverage", coverage, sort=f"{share:.4f}"),
    ]


def _window(label: str, window: tuple[str, str]) -> str:
    """'2014' or '2016 (Jan–Sep) (2016-01-01 to 2016-09-29)': the dates only when the label does not say them."""
    dates = fmt.window(date.fromisoformat(window[0]), date.fromisoformat(window[1]))
    return _esc(label) if dates in label else f'{_esc(label)} <span class="sub">({_esc(dates)})</span>'


def _ratio_td(label: str, ratio: Ratio | None, *, change: bool = False) -> str:
    if ratio is None:
        return _td(label, "–", sort="", num=True)
    text = f"{fmt.ratio(ratio.value)}"
    if ratio.low is not None or ratio.high is not None:
        text += f' <span class="ci">({fmt.interval(ratio.low, ratio.high)})</span>'
    if change:
        verdict = ("widened" if ratio.value > 1 else "narrowed") if ratio.excludes_one else "no clear change"
        text += f'<br><span class="sub">{verdict}</span>'
    return _td(label, text, sort=f"{ratio.value:.6f}", num=True)


def _td(label: str, content: str, *, sort: str, num: bool = False) -> str:
    css = ' class="num"' if num else ""
    return f'<td{css} data-label="{_esc(label)}" data-sort="{_esc(sort)}">{content}</td>'


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
