"""Section 8 tables: who polices and who lives there; the change between officer snapshots; where officers live."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate, EstimateSet
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, share_cell, to_html
from trustreport.vocab import GROUP_LABELS, Measure, Period


@not_available_for(Measure.OFFICERS, Measure.OFFICERS_LIVING_IN_CITY)
def workforce(report: Report) -> HTML:
    """Section 8: officer shares vs resident shares, with representation ratios and the dissimilarity index;
    then, where two officer snapshots exist, the change between them; then the share of officers living in
    the city."""
    est = report.estimates
    parts = [_composition(est, report.prepared.notes.workforce_benchmark), _change(est), _residency(est)]
    found = [e for e in est if e.measure in (Measure.OFFICERS, Measure.OFFICERS_LIVING_IN_CITY)]
    return HTML("".join(parts) + methods_line(found) + flags_legend(found))


def _composition(est: EstimateSet, benchmark_note: str) -> str:
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic=Statistic.SHARE):
        res = est.one(measure=Measure.RESIDENTS, statistic=Statistic.SHARE, group=e.group, period=e.period)
        ratio = est.one(statistic=Statistic.REPRESENTATION_RATIO, group=e.group, period=e.period)
        gap = est.one(statistic=Statistic.PERCENTAGE_POINT_GAP, group=e.group, period=e.period)
        rows.append(
            {
                "snapshot": fmt.window(*e.window),
                "group": GROUP_LABELS[e.group],
                "officers": f"{fmt.count(e.numerator)} ({fmt.pct(e.value)})",
                "residents": f"{fmt.count(res.numerator)} ({fmt.pct(res.value)})" if res else fmt.DASH,
                "representation ratio": cell(ratio),
                "gap": cell(gap),
            }
        )
    if not rows:
        return "<p>No officer demographics are available for either window.</p>"
    extra = [
        f"<p>Dissimilarity index ({fmt.window(*d.window)}): {fmt.value(d)} of officers would need to be of a "
        "different group for the force to mirror residents.</p>"
        if d.estimable
        else f"<p>Dissimilarity index ({fmt.window(*d.window)}): {fmt.NOT_ESTIMABLE}.</p>"
        for d in est.where(statistic=Statistic.DISSIMILARITY_INDEX)
    ]
    note = benchmark_note[0].upper() + benchmark_note[1:]
    benchmark = f'<p class="tr-methods">{html.escape(note)}.</p>'
    return to_html(pd.DataFrame(rows)) + "".join(extra) + benchmark


def change_frame(est: EstimateSet) -> pd.DataFrame:
    """One row per group: officer share then and now, its change (pp, interval, p) and the representation ratio
    then, now and now ÷ then."""
    rows = []
    for diff in est.where(measure=Measure.OFFICERS, statistic=Statistic.PROPORTION_DIFFERENCE, period=Period.CHANGE):
        ratio = est.one(statistic=Statistic.REPRESENTATION_RATIO_CHANGE, group=diff.group, period=Period.CHANGE)
        then, now = fmt.window(*diff.then_window), fmt.window(*diff.window)
        rows.append(
            {
                "group": GROUP_LABELS[diff.group],
                f"officer share {then}": fmt.pct(diff.denominator),
                f"officer share {now}": fmt.pct(diff.numerator),
                "change": cell(diff, with_p=True),
                "representation ratio then → now": (
                    f"{fmt.ratio(ratio.denominator)} → {fmt.ratio(ratio.numerator)}" if ratio else fmt.DASH
                ),
                "now ÷ then": cell(ratio, with_p=True),
            }
        )
    return pd.DataFrame(rows)


def _change(est: EstimateSet) -> str:
    if not est.where(measure=Measure.OFFICERS, statistic=Statistic.SHARE):
        return ""
    frame = change_frame(est)
    if frame.empty:
        return "<p>Only one officer snapshot is available, so the force cannot be compared then and now.</p>"
    return "<h3>The force then and now</h3>" + to_html(frame)


def residency_frame(est: EstimateSet) -> pd.DataFrame:
    """One row per group: share of officers living in the city (with interval where a count exists), the
    counts behind it, and the snapshot."""
    rows = []
    for e in est.where(measure=Measure.OFFICERS_LIVING_IN_CITY, statistic=Statistic.SHARE):
        rows.append(
            {
                "snapshot": fmt.window(*e.window),
                "group": GROUP_LABELS[e.group],
                "living in the city": share_cell(e),
                "officers living / working in the city": _residency_counts(e),
            }
        )
    return pd.DataFrame(rows)


def _residency_counts(e: Estimate) -> str:
    if not e.estimable:
        return e.notes[0]
    if e.numerator is None:
        return "share only (no count in the source)"
    return f"{fmt.count(e.numerator)} of {fmt.count(e.denominator)}"


def _residency(est: EstimateSet) -> str:
    frame = residency_frame(est)
    if frame.empty:
        return ""
    note = (
        "Officers working in the city (census occupation, which includes other agencies) who live inside city "
        "limits; survey estimates, so intervals understate the uncertainty."
    )
    return "<h3>Where officers live</h3>" + to_html(frame) + f'<p class="tr-methods">{html.escape(note)}</p>'
