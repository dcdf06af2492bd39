"""What data exist for which period (report section 3): measure × then/now, said plainly.

A window a source does not cover is "not available", never filled in (DESIGN rules of thumb). Flow measures are
judged by the share of the window's days some source covers; stock measures by the vintage of their snapshot.
A measure whose then and now lie on different sides of a recording break is "not comparable", with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from trustreport import breaks as comparability
from trustreport import fmt
from trustreport.counts import Break, Coverage, coverage_of, stock_snapshot
from trustreport.params import Window
from trustreport.sources.base import SourceData
from trustreport.vocab import MEASURE_LABELS, STOCK_MEASURES, Measure, Period

# Rows every report shows, even when no source holds them, so that a missing "then" is visible.
CORE_MEASURES: tuple[Measure, ...] = (
    Measure.RESIDENTS,
    Measure.STOPS,
    Measure.SEARCHES,
    Measure.HITS,
    Measure.ARRESTS,
    Measure.FORCE_INCIDENTS,
    Measure.OFFICERS,
)

AVAILABLE, PARTIAL, NOT_AVAILABLE = "available", "partial", "not available"
NOT_COMPARABLE = "not comparable"


def data_availability(
    counts: pd.DataFrame,
    sources: Sequence[SourceData],
    *,
    then: Window,
    now: Window,
    breaks: Sequence[Break] = (),
) -> pd.DataFrame:
    """One row per measure and period: status, share of the window covered, detail and source ids. A measure
    with data in both windows and a break between them is "not comparable" in both, the reason leading the
    detail (the coverage status follows it)."""
    coverages = [c for s in sources for c in s.coverage]
    present = [Measure(m) for m in sorted(set(counts["measure"]))]
    measures = list(CORE_MEASURES) + [m for m in present if m not in CORE_MEASURES]
    rows = []
    for measure in measures:
        for period, win in ((Period.THEN, then), (Period.NOW, now)):
            if measure in STOCK_MEASURES:
                rows.append(_stock_row(counts, measure, period, win))
            else:
                rows.append(_flow_row(coverages, measure, period, win))
    return pd.DataFrame([_comparability(row, rows, breaks, then, now) for row in rows])


def _comparability(row: dict, rows: list[dict], breaks: Sequence[Break], then: Window, now: Window) -> dict:
    """The row marked not comparable when its measure is held in both windows and a break lies between them."""
    measure = Measure(row["measure"])
    held = [r for r in rows if r["measure"] == row["measure"] and r["status"] != NOT_AVAILABLE]
    found = comparability.straddling(breaks, measure, then.dates, now.dates)
    if len(held) < 2 or not found or row["status"] == NOT_AVAILABLE:
        return row
    detail = f"then vs now: {comparability.reason(found)} (coverage: {row['status']}"
    detail += f"; {row['detail']})" if row["detail"] else ")"
    return {**row, "status": NOT_COMPARABLE, "detail": detail}


def _flow_row(coverages: list[Coverage], measure: Measure, period: Period, win: Window) -> dict:
    share = coverage_of(coverages, measure, win.dates)
    holding = [c for c in coverages if c.measure == measure and c.start <= win.end and c.end >= win.start]
    if share >= 0.999:
        status = AVAILABLE
    elif share > 0:
        status = PARTIAL
    else:
        status = NOT_AVAILABLE
    detail = "; ".join(
        f"{c.source_id}: {fmt.window(max(c.start, win.start), min(c.end, win.end))}"
        + (f" ({c.note})" if c.note else "")
        for c in holding
    )
    if status == PARTIAL:
        detail = f"{fmt.coverage(share)} of the window covered. {detail}"
    return _row(measure, period, win, status, share, detail, sorted({c.source_id for c in holding}))


def _stock_row(counts: pd.DataFrame, measure: Measure, period: Period, win: Window) -> dict:
    table, vintage = stock_snapshot(counts, measure, win.dates)
    if vintage is None:
        return _row(measure, period, win, NOT_AVAILABLE, 0.0, "", [])
    sources = sorted({s for ids in table["sources"] for s in ids})
    if _overlaps(vintage, win.dates):
        return _row(measure, period, win, AVAILABLE, 1.0, f"snapshot {fmt.window(*vintage)}", sources)
    detail = f"no snapshot in the window; nearest is {fmt.window(*vintage)}"
    if measure == Measure.RESIDENTS:
        detail += ", used as the denominator"
    return _row(measure, period, win, PARTIAL, 0.0, detail, sources)


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _row(measure, period, win, status, share, detail, sources) -> dict:
    return {
        "measure": str(measure),
        "label": MEASURE_LABELS[measure],
        "period": str(period),
        "window": f"{win.start.isoformat()}/{win.end.isoformat()}",
        "status": status,
        "coverage": round(share, 4),
        "detail": detail,
        "sources": sources,
    }
