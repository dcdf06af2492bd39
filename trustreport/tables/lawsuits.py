"""Section 6 tables: lawsuits and settlements by year, then vs now with tests, and the settlement lag.

Every number comes from `metrics.lawsuits` estimates. Per-year estimates are those whose id ends in a year
(`lawsuits.count_per_year.all.2016`); window estimates end in `then` / `now`.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate, EstimateSet
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flag_marks, flags_legend, methods_line, not_available_for, to_html
from trustreport.vocab import Measure, Period

MEASURES = (Measure.LAWSUITS, Measure.SETTLEMENT_USD)


def _slot(e: Estimate) -> str:
    return e.id.rsplit(".", 1)[1]


def constant_dollars(est: EstimateSet) -> str:
    """The constant dollars' name in words, from the deflated totals' note: '2019 dollars' ('constant dollars'
    when the note names no year)."""
    note = next((str(e.notes[0]) for e in est.where(statistic=Statistic.TOTAL_CONSTANT_USD) if e.notes), "")
    year = re.search(r"\b(\d{4}) dollars\b", note)
    return f"{year.group(1)} dollars" if year else "constant dollars"


def yearly_frame(est: EstimateSet) -> pd.DataFrame:
    """One row per (fiscal) year: cases, total paid nominal and in constant dollars, median per case."""
    dollars = constant_dollars(est)
    rows = []
    for count in est.where(measure=Measure.LAWSUITS, statistic=Statistic.COUNT_PER_YEAR):
        year = _slot(count)
        if not year.isdigit():
            continue
        one = {
            s: next((e for e in est.where(statistic=s) if _slot(e) == year), None)
            for s in (Statistic.TOTAL_NOMINAL_USD, Statistic.TOTAL_CONSTANT_USD, Statistic.MEDIAN_CONSTANT_USD)
        }
        rows.append(
            {
                "year": fmt.window(*count.window),
                "cases": f"{fmt.count(count.value)}{flag_marks(count)}",
                "total paid, as paid": cell(one[Statistic.TOTAL_NOMINAL_USD]),
                f"total paid, {dollars}": cell(one[Statistic.TOTAL_CONSTANT_USD]),
                f"median per case, {dollars}": cell(one[Statistic.MEDIAN_CONSTANT_USD]),
            }
        )
    return pd.DataFrame(rows)


def _count_cell(e: Estimate | None) -> str:
    """A whole count without interval (payments of one case are not independent events)."""
    return cell(e) if e is None or not e.estimable else fmt.count(e.value)


def then_now_frame(est: EstimateSet) -> pd.DataFrame:
    """Rows: cases, payments, cases per year, totals, median and mean per case; columns then, now and the change."""

    def one(measure: Measure, statistic: Statistic, period: Period) -> Estimate | None:
        return est.one(measure=measure, statistic=statistic, period=period, id=f"{measure}.{statistic}.all.{period}")

    then = one(Measure.LAWSUITS, Statistic.COUNT, Period.THEN)
    now = one(Measure.LAWSUITS, Statistic.COUNT, Period.NOW)
    if then is None or now is None:
        return pd.DataFrame()
    label = {p: f"{p} ({fmt.window(*e.window)})" for p, e in ((Period.THEN, then), (Period.NOW, now))}
    count_change = est.one(measure=Measure.LAWSUITS, statistic=Statistic.RATE_CHANGE_RATIO, period=Period.CHANGE)
    payout_change = est.one(statistic=Statistic.PAYOUT_CHANGE_RATIO, period=Period.CHANGE)
    dollars = constant_dollars(est)
    spec = [
        ("cases", Measure.LAWSUITS, Statistic.COUNT, cell, None),
        ("payments (a case can have several)", Measure.LAWSUITS, Statistic.PAYMENT_COUNT, _count_cell, None),
        ("cases (yearly average)", Measure.LAWSUITS, Statistic.COUNT_PER_YEAR, cell, count_change),
        (f"total paid, {dollars}", Measure.SETTLEMENT_USD, Statistic.TOTAL_CONSTANT_USD, cell, None),
        (f"paid per year, {dollars}", Measure.SETTLEMENT_USD, Statistic.TOTAL_CONSTANT_USD_PER_YEAR, cell, None),
        (f"median per case, {dollars}", Measure.SETTLEMENT_USD, Statistic.MEDIAN_CONSTANT_USD, cell, payout_change),
        (f"mean per case, {dollars}", Measure.SETTLEMENT_USD, Statistic.MEAN_CONSTANT_USD, cell, None),
    ]
    rows = []
    for name, measure, statistic, show, change in spec:
        rows.append(
            {
                "what": name,
                label[Period.THEN]: show(one(measure, statistic, Period.THEN)),
                label[Period.NOW]: show(one(measure, statistic, Period.NOW)),
                "now ÷ then": cell(change, with_p=True) if change else "",
            }
        )
    return pd.DataFrame(rows)


def _lag_text(est: EstimateSet, censoring: str) -> str:
    lag = est.one(measure=Measure.LAWSUITS, statistic=Statistic.LAG_MEDIAN_YEARS)
    if lag is None:
        return f"<p>{html.escape(censoring)} These data have no incident dates, so the lag cannot be measured.</p>"
    text = f"Median time from incident to settlement: {fmt.years(lag.value)} ({lag.notes[0]})."
    start = est.one(measure=Measure.LAWSUITS, statistic=Statistic.INCOMPLETE_FROM_YEAR)
    if start is not None:
        note = start.notes[0]
        text += f" Likely incomplete: {note}."
    return f"<p>{html.escape(censoring)} {html.escape(text)}</p>"


@not_available_for(Measure.LAWSUITS, Measure.SETTLEMENT_USD)
def lawsuits(report: Report) -> HTML:
    """Section 6: cases and payouts by year (nominal and constant dollars), then vs now with the exact
    conditional test of cases per year and the bootstrap ratio of median payouts, and the settlement lag."""
    est = report.estimates
    found = [e for e in est if e.measure in MEASURES]
    if not found:
        return HTML("<p>No lawsuit or settlement data are available for this city.</p>")
    base = next((e.notes[0] for e in found if e.statistic == Statistic.TOTAL_CONSTANT_USD and e.notes), "")
    parts = [
        f"<p>Constant dollars: {html.escape(base)}.</p>" if base else "",
        to_html(yearly_frame(est)),
    ]
    then_now = then_now_frame(est)
    if not then_now.empty:
        parts.append(to_html(then_now))
    parts.append(_lag_text(est, report.prepared.notes.settlement_censoring))
    return HTML("".join(parts) + methods_line(found) + flags_legend(found))
