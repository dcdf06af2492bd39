"""Overview and appendix tables: data availability, published aggregates, caveats, sources and dropped rows."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.report import Report
from trustreport.tables._common import to_html
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, Group, Measure
from trustreport.window_names import period_heading


def availability(report: Report) -> HTML:
    """Section 3: what data exist for which period, as a compact grid of status words (available, partial, not
    available, not comparable), then each status's reason and sources in a collapsed block."""
    table = report.availability
    p = report.params.params
    wide = table.pivot(index="label", columns="period", values="status").reindex(table["label"].drop_duplicates())
    detail = table.pivot(index="label", columns="period", values="detail").reindex(wide.index)
    frame = pd.DataFrame({"measure": wide.index})
    for period, win in p.windows:
        frame[period_heading(str(period), win.label, *win.dates)] = list(wide[str(period)])
    reasons = "".join(
        f"<li><b>{html.escape(str(label))}</b>, {period}: {html.escape(_publishers(d, report))}</li>"
        for label in wide.index
        for period, _ in p.windows
        if isinstance(d := detail.loc[label, str(period)], str) and d
    )
    more = (
        f"<details><summary>Why each status, and which source holds each measure</summary><ul>{reasons}</ul></details>"
        if reasons
        else ""
    )
    return HTML(to_html(frame) + more)


def _publishers(text: str, report: Report) -> str:
    """Source ids in a detail replaced by their publisher (the citation's first clause): readers see 'The
    Washington Post', not 'wapo-fatal-force-hartford'; the Sources table holds both."""
    for s in sorted(report.sources, key=lambda s: len(s.info.id), reverse=True):
        text = text.replace(s.info.id, s.info.citation.split(",")[0].strip() or s.info.id)
    return text


def published(report: Report) -> HTML:
    """Published aggregates the report uses, each with its citation (figures that exist only in publications)."""
    frame = published_frame(report)
    if frame.empty:
        return HTML("<p>No published aggregates are used in this report.</p>")
    return HTML(to_html(frame))


def published_frame(report: Report) -> pd.DataFrame:
    """The published figures in words: what, whose, the window, the figure with its qualifier ('about
    $1.4 million') and its citation, link and note (`sources.published` documents the columns read)."""
    frames = [s.extras["citations"] for s in report.sources if "citations" in s.extras]
    if not frames:
        return pd.DataFrame()
    rows = []
    for r in pd.concat(frames, ignore_index=True).itertuples(index=False):
        figure = fmt.published_figure(r.value, r.measure, r.statistic)
        rows.append(
            {
                "what": MEASURE_LABELS[Measure(r.measure)],
                "group": GROUP_LABELS[Group(r.group)],
                "from": r.period_start,
                "to": r.period_end,
                "figure": f"{r.qualifier} {figure}" if r.qualifier and r.qualifier != "derived" else figure,
                "derived": "yes" if r.qualifier == "derived" else "",
                "source": r.citation,
                "link": r.url,
                "note": r.note,
            }
        )
    return pd.DataFrame(rows)


def caveats(report: Report) -> HTML:
    """Every caveat from the sources and the params file, as a list."""
    items = "".join(f"<li>{html.escape(c)}</li>" for c in report.caveats)
    return HTML(f"<ul>{items}</ul>" if items else "<p>No caveats recorded.</p>")


def sources(report: Report) -> HTML:
    """The sources: id, citation, licence and the file's SHA-256 (first 12 hex digits)."""
    frame = pd.DataFrame(
        [
            {
                "id": s.info.id,
                "file": s.info.path,
                "citation": s.info.citation,
                "licence": s.info.licence,
                "sha256": s.info.sha256[:12],
            }
            for s in report.sources
        ]
    )
    return HTML(to_html(frame))


def dropped(report: Report) -> HTML:
    """Every cleaning step: rows in, rows out and why (docs/style.md habit 5)."""
    frame = pd.DataFrame(
        [
            {"source": d.source_id, "step": d.step, "rows in": d.rows_in, "rows out": d.rows_out, "why": d.reason}
            for s in report.sources
            for d in s.dropped
        ]
    )
    if frame.empty:
        return HTML("<p>No rows were dropped or recoded.</p>")
    frame["rows in"] = frame["rows in"].map(fmt.count)
    frame["rows out"] = frame["rows out"].map(fmt.count)
    return HTML(to_html(frame))
