"""Section 7 tables: homicide victims per resident by race, with ratios vs the reference group and vs all other
people; homicides cleared by arrest by victim race, with gaps; the year-to-date comparison."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, share_cell, to_html
from trustreport.vocab import GROUP_LABELS, Group, Measure, Period
from trustreport.window_names import period_heading

VICTIMS, CLEARED = Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED
_PERIODS = ((Period.THEN, "then"), (Period.NOW, "now"))


@not_available_for(Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED)
def homicides(report: Report) -> HTML:
    """Section 7: victims per 100,000 residents by race then and now (ratios vs the reference group and vs all
    other people), clearance by arrest by victim race (gaps in percentage points), and the year to date."""
    found = report.estimates.where(measure=VICTIMS) + report.estimates.where(measure=CLEARED)
    if not any(e.statistic == Statistic.COUNT for e in found):
        return HTML("<p>No homicide counts are available for either window.</p>")
    p = report.params.params
    blocks = [
        f"<h3>{html.escape(f'Homicide victims {fmt.per_residents(VICTIMS)}')}</h3>",
        to_html(victims_frame(report)),
        f"<h3>{html.escape('Homicides cleared by arrest, by victim race')}</h3>",
        to_html(clearance_frame(report)),
        _reference_note(p.reference_group),
        year_to_date_html(report),
        methods_line(found) + flags_legend(found),
    ]
    return HTML("\n".join(b for b in blocks if b))


def _window(report: Report, period: Period) -> str:
    p = report.params.params
    win = dict(p.windows)[period]
    return period_heading(str(period), win.label, *win.dates)


def _one(report: Report, measure: Measure, statistic: Statistic, group: Group, period: Period) -> Estimate | None:
    return report.estimates.one(measure=measure, statistic=statistic, group=group, period=period)


def _pp(est: Estimate | None) -> Estimate | None:
    """A clearance gap is a difference of proportions: shown with the percentage-point formatter."""
    return None if est is None else replace(est, statistic=Statistic.PERCENTAGE_POINT_GAP)


def victims_frame(report: Report) -> pd.DataFrame:
    """Rows are groups; per window: victims, rate per 100,000 a year, ratio vs the reference, ratio vs all others."""
    p = report.params.params
    ref = GROUP_LABELS[p.reference_group]
    rows = []
    for group in [*p.groups, Group.ALL]:
        row = {"victim race": GROUP_LABELS[group]}
        for period, _ in _PERIODS:
            head = _window(report, period)
            count = _one(report, VICTIMS, Statistic.COUNT, group, period)
            row[f"{head}: victims"] = fmt.count(count.value) if count and count.estimable else fmt.DASH
            # The value is per resident per year; `fmt` shows it in the measure's one unit (per 100,000).
            row[f"{head}: per {fmt.count(fmt.rate_unit(VICTIMS))}"] = cell(
                _one(report, VICTIMS, Statistic.RATE, group, period)
            )
            ratio = _one(report, VICTIMS, Statistic.RATE_RATIO, group, period)
            row[f"{head}: ratio vs {ref}"] = "reference" if group == p.reference_group else cell(ratio)
            others = _one(report, VICTIMS, Statistic.VS_ALL_OTHERS_RATE_RATIO, group, period)
            row[f"{head}: ratio vs all others"] = cell(others) if group != Group.ALL else fmt.DASH
        rows.append(row)
    return pd.DataFrame(rows)


def clearance_frame(report: Report) -> pd.DataFrame:
    """Rows are victim groups; per window: cleared of victims, clearance (Wilson), gap vs the reference and vs
    all other victims (percentage points, Newcombe); then the change now − then."""
    p = report.params.params
    ref = GROUP_LABELS[p.reference_group]
    rows = []
    for group in [*p.groups, Group.ALL]:
        row = {"victim race": GROUP_LABELS[group]}
        for period, _ in _PERIODS:
            head = _window(report, period)
            share = _one(report, CLEARED, Statistic.PROPORTION, group, period)
            row[f"{head}: cleared / victims"] = _of(share)
            row[f"{head}: clearance"] = share_cell(share)
            gap = _one(report, CLEARED, Statistic.CLEARANCE_GAP, group, period)
            row[f"{head}: gap vs {ref}"] = "reference" if group == p.reference_group else cell(_pp(gap))
            others = _one(report, CLEARED, Statistic.VS_ALL_OTHERS_CLEARANCE_GAP, group, period)
            row[f"{head}: gap vs all others"] = cell(_pp(others)) if group != Group.ALL else fmt.DASH
        change = _one(report, CLEARED, Statistic.PROPORTION_DIFFERENCE, group, Period.CHANGE)
        row["change (now − then)"] = cell(change, with_p=True) if change else fmt.DASH
        rows.append(row)
    return pd.DataFrame(rows)


def _of(share: Estimate | None) -> str:
    if share is None or share.numerator is None or share.denominator is None:
        return fmt.DASH
    return f"{fmt.count(share.numerator)} / {fmt.count(share.denominator)}"


def _reference_note(reference: Group) -> str:
    text = (
        f"Two references, as docs/methods.md §1.1 asks: 'vs {GROUP_LABELS[reference]}' compares a group with "
        f"{GROUP_LABELS[reference]} people; 'vs all others' compares it with everyone not in the group (all victims "
        "minus the group's, over all residents minus the group's). Cleared means closed by arrest; cases closed "
        "without arrest count as not cleared."
    )
    return f'<p class="tr-methods">{html.escape(text)}</p>'


def year_to_date_html(report: Report) -> str:
    """The year-to-date comparison on the latest date in the homicide data (empty when there is none)."""
    rows = []
    for e in report.estimates.where(measure=VICTIMS, statistic=Statistic.YTD_RATE_RATIO):
        now = report.estimates.one(measure=VICTIMS, statistic=Statistic.YTD_COUNT, group=e.group, period=Period.NOW)
        then = report.estimates.one(measure=VICTIMS, statistic=Statistic.YTD_COUNT, group=e.group, period=Period.THEN)
        change = report.estimates.one(
            measure=VICTIMS, statistic=Statistic.YTD_RELATIVE_DIFFERENCE, group=e.group, period=Period.CHANGE
        )
        rows.append(
            {
                "victim race": GROUP_LABELS[e.group],
                "window": fmt.window(*e.window),
                "victims": cell(now),
                "same window a year earlier": cell(then),
                "change": cell(change, with_p=True),
            }
        )
    if not rows:
        return ""
    heading = html.escape("Homicide victims, year to date")
    caveat = html.escape(report.prepared.notes.year_to_date)
    return f'<h3>{heading}</h3>\n{to_html(pd.DataFrame(rows))}\n<p class="tr-methods">{caveat}</p>'
