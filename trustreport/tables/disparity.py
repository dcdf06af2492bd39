"""Sections 4–5 tables: counts, rates and ratios by group for each measure, then and now."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import (
    cell,
    comparability_line,
    flags_legend,
    measure_heading,
    methods_line,
    not_available_for,
    to_html,
)
from trustreport.vocab import CONDITIONAL_STAGES, GROUP_LABELS, PER_RESIDENT_MEASURES, Group, Measure, Period

# Measures with a section of their own (safety) are not repeated among the enforcement tables.
_OWN_SECTION = frozenset({Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED})


@not_available_for(*(m for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES) if m not in _OWN_SECTION))
def disparities(report: Report) -> HTML:
    """Sections 4–5: for each enforcement measure the data hold, counts, rates and ratios by group, then and now."""
    blocks = []
    for measure in (m for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES) if m not in _OWN_SECTION):
        found = report.estimates.where(measure=measure)
        if not any(e.statistic in (Statistic.RATE, Statistic.PROPORTION) for e in found):
            continue
        blocks.append(f"<h3>{html.escape(measure_heading(measure))}</h3>")
        blocks.append(to_html(disparity_frame(report, measure)))
        blocks.append(methods_line(found) + flags_legend(found) + comparability_line(found))
    if not blocks:
        return HTML("<p>No stop, search, arrest or use-of-force counts are available for either window.</p>")
    return HTML("\n".join(blocks))


def disparity_frame(report: Report, measure: Measure) -> pd.DataFrame:
    """One measure's table: rows are groups; columns then, now and the change in the disparity."""
    p = report.params.params
    est = report.estimates
    rate_stat = Statistic.RATE if measure in PER_RESIDENT_MEASURES else Statistic.PROPORTION
    ratio_stat = Statistic.RATE_RATIO if measure in PER_RESIDENT_MEASURES else Statistic.RISK_RATIO
    rate_head = fmt.per_residents(measure, p.options.rate_per) if rate_stat == Statistic.RATE else "share"
    rows = []
    for group in [*p.groups, Group.ALL]:
        row = {"group": GROUP_LABELS[group]}
        for period, _ in p.windows:
            label = str(period)
            count = est.one(measure=measure, statistic=Statistic.COUNT, group=group, period=period)
            share = est.one(measure=measure, statistic=rate_stat, group=group, period=period)
            ratio = est.one(measure=measure, statistic=ratio_stat, group=group, period=period)
            row[f"{label}: count"] = _count_cell(count, share)
            row[f"{label}: {rate_head}"] = cell(share)
            row[f"{label}: ratio vs {GROUP_LABELS[p.reference_group]}"] = (
                "reference" if group == p.reference_group else cell(ratio)
            )
        change = est.one(measure=measure, statistic=Statistic.RATIO_OF_RATE_RATIOS, group=group, period=Period.CHANGE)
        if not p.one_window:
            row["change in ratio (now ÷ then)"] = cell(change, with_p=True) if change else fmt.DASH
        rows.append(row)
    return pd.DataFrame(rows)


def _count_cell(count: Estimate | None, share: Estimate | None) -> str:
    if count is None:
        return fmt.DASH
    text = fmt.count(count.value)
    if share is not None and share.statistic == Statistic.PROPORTION and share.denominator is not None:
        text += f" / {fmt.count(share.denominator)}"
    return text
