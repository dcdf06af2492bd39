"""Homicide victimisation and clearance by race (report section 7): what the generic disparity and then-vs-now
metrics do not already give.

The generic metrics already hold, for `homicide_victims` (a per-resident measure) and `homicides_cleared` (a
conditional stage of `homicide_victims`): counts, rates per resident, rate ratios vs the reference group,
clearance proportions, clearance risk ratios vs the reference group, and their then-vs-now changes. This module
adds, with ids `measure.statistic.group.period`:

- `homicide_victims.vs_all_others_rate_ratio`: a group's victims per resident ÷ everyone else's, the reference
  being all other people (not the group): (events(all) − events(g)) / (residents(all) − residents(g)) (methods
  §1.1: "vs all other races" and "vs white" give different numbers, so both are shown, each labelled). Exact
  conditional interval when a count is under 100, score otherwise; exact conditional or score test (§1.2B).
- `homicides_cleared.clearance_gap`: a group's clearance minus the reference group's, in percentage points,
  Newcombe hybrid score interval (§2.1), two-proportion score test (Fisher exact when a cell is small).
- `homicides_cleared.vs_all_others_clearance_gap` and `homicides_cleared.vs_all_others_risk_ratio`: the same
  against homicides of all other victims (Newcombe; Koopman score or Katz interval, §1.2A).
- Year to date on the latest date the data cover (`homicides_year_to_date`, docs/methods.md §2.3, via
  `metrics.year_to_date`), and annual counts for charts (`annual_counts`).

Numerator and denominator of every ratio or gap hold the group's quantity and the reference's. The
small-number rules of §5.3 apply: no ratio when a count is under 5, `unstable` under 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from trustreport.caveat import CaveatKind, of_kind
from trustreport.counts import Coverage, coverage_of
from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import (
    proportion_difference_comparison,
    rate_ratio_comparison,
    risk_ratio_comparison,
)
from trustreport.metrics.inputs import (
    FlowCounts,
    Residents,
    flow_counts,
    merge_sources,
    new_estimate,
    residents_for,
    span,
    with_vintage,
)
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.metrics.year_to_date import YTD_CAVEAT, year_to_date, ytd_window
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, DateSpan, DenominatorKind, Group, Measure, Period

VICTIMS, CLEARED = Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED
# Groups that have a meaningful complement; `unknown` victims are in `all` but describe no residents.
_NOT_COMPARED = (Group.ALL, Group.UNKNOWN)


def all_others_label(group: Group) -> str:
    """'all other people (not Black)': how the complement reference is named in notes, tables and sentences."""
    return f"all other people (not {GROUP_LABELS[group]})"


def homicide_disparities(
    counts: pd.DataFrame,
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """For one window: victims per resident vs all other people, and clearance gaps vs the reference group and
    vs all other victims (statistics and methods: module doc)."""
    victims, cleared = flow_counts(counts, VICTIMS, window), flow_counts(counts, CLEARED, window)
    residents = residents_for(counts, window)
    out: list[Estimate] = []
    for group in (g for g in groups if g not in _NOT_COMPARED):
        out.append(victims_vs_all_others(victims, residents, group, period, level=level))
        if group != reference:
            out.append(_clearance_gap(cleared, victims, group, reference, period, level))
        out.append(_clearance_gap(cleared, victims, group, None, period, level))
        out.append(_clearance_ratio_vs_all_others(cleared, victims, group, period, level))
    return out


def _split(flow: FlowCounts, group: Group, reference: Group | None, side: str) -> tuple[float, float] | str:
    """(group count, reference count): the reference is a group, or (None) everyone not in the group."""
    why = flow.why_missing(group, side)
    if why:
        return why
    if reference is not None:
        return flow.why_missing(reference, side) or (flow.count(group), flow.count(reference))
    total = flow.count(Group.ALL)
    if total is None:
        return f"no total {MEASURE_LABELS[flow.measure]} count in {span(flow.window)} to subtract the group from"
    return flow.count(group), total - flow.count(group)


def _reference_note(group: Group, reference: Group | None) -> str:
    if reference is None:
        return f"reference: {all_others_label(group)}, i.e. the total minus the group"
    return f"reference: {GROUP_LABELS[reference]} people"


def victims_vs_all_others(
    victims: FlowCounts, residents: Residents, group: Group, period: Period, *, level: float = 0.95
) -> Estimate:
    """Victims per resident of `group` ÷ victims per resident of everyone else (docs/methods.md §1.1, §1.2B)."""
    est = new_estimate(
        VICTIMS,
        Statistic.VS_ALL_OTHERS_RATE_RATIO,
        group,
        period,
        victims.window,
        value=None,
        denominator_kind=DenominatorKind.RESIDENTS,
        sources=merge_sources(victims.sources_of(group, Group.ALL), residents.sources_of(group, Group.ALL)),
        notes=(_reference_note(group, None),),
    )
    est = with_vintage(est, residents)
    split = _split(victims, group, None, str(period))
    if isinstance(split, str):
        return not_estimable(est, split)
    a, c = split
    n1, n_all = residents.person_years(group), residents.person_years(Group.ALL)
    if n1 is None or n_all is None or n_all <= n1:
        return not_estimable(est, residents.missing_note(group if n1 is None else Group.ALL, str(period)))
    n2 = n_all - n1
    est = rate_ratio_comparison(est, a, n1, c, n2, level=level, test_method=None)
    return apply_ratio_rules(est, {victims.label(group): a, f"{all_others_label(group)} victims": c})


def _binomial_cells(
    cleared: FlowCounts, victims: FlowCounts, group: Group, reference: Group | None, side: str
) -> tuple[float, float, float, float] | str:
    """(x1, n1, x2, n2) cleared and victims of the group and of the reference, or why they cannot be formed."""
    xs, ns = _split(cleared, group, reference, side), _split(victims, group, reference, side)
    for split in (xs, ns):
        if isinstance(split, str):
            return split
    (x1, x2), (n1, n2) = xs, ns
    if n1 <= 0 or n2 <= 0:
        who = GROUP_LABELS[group] if n1 <= 0 else (all_others_label(group) if reference is None else reference)
        return f"no homicide victims ({who}) in {span(victims.window)}"
    if x1 > n1 or x2 > n2:
        return f"more homicides cleared than victims in {span(victims.window)}: the two counts do not nest"
    return x1, n1, x2, n2


def _clearance_estimate(statistic: Statistic, group: Group, reference: Group | None, period: Period, ev) -> Estimate:
    cleared, victims = ev
    return new_estimate(
        CLEARED,
        statistic,
        group,
        period,
        victims.window,
        value=None,
        denominator_kind=DenominatorKind.NONE,
        reference_group=reference,
        sources=merge_sources(cleared.sources_of(group, reference or Group.ALL), victims.sources_of(group)),
        notes=(_reference_note(group, reference),),
    )


def _clearance_gap(
    cleared: FlowCounts, victims: FlowCounts, group: Group, reference: Group | None, period: Period, level: float
) -> Estimate:
    """Clearance of the group minus clearance of the reference (a group, or None for all other victims), in
    proportion units shown as percentage points; Newcombe hybrid score interval (docs/methods.md §2.1)."""
    statistic = Statistic.CLEARANCE_GAP if reference is not None else Statistic.VS_ALL_OTHERS_CLEARANCE_GAP
    est = _clearance_estimate(statistic, group, reference, period, (cleared, victims))
    cells = _binomial_cells(cleared, victims, group, reference, str(period))
    if isinstance(cells, str):
        return not_estimable(est, cells)
    x1, n1, x2, n2 = cells
    est = proportion_difference_comparison(est, x1, n1, x2, n2, level=level)
    return apply_stability(est, x1, x2)


def _clearance_ratio_vs_all_others(
    cleared: FlowCounts, victims: FlowCounts, group: Group, period: Period, level: float
) -> Estimate:
    """Clearance of the group ÷ clearance of all other victims: binomial risk ratio, Koopman score interval
    when a count is under 100, Katz log otherwise (docs/methods.md §1.2A)."""
    est = _clearance_estimate(Statistic.VS_ALL_OTHERS_RISK_RATIO, group, None, period, (cleared, victims))
    cells = _binomial_cells(cleared, victims, group, None, str(period))
    if isinstance(cells, str):
        return not_estimable(est, cells)
    x1, n1, x2, n2 = cells
    est = risk_ratio_comparison(est, x1, n1, x2, n2, level=level)
    labels = {cleared.label(group): x1, f"{all_others_label(group)}, homicides cleared": x2}
    return apply_ratio_rules(est, labels)


def latest_date(counts: pd.DataFrame, coverages: Sequence[Coverage] = ()) -> date | None:
    """The last day the homicide data cover: the latest coverage end of `homicide_victims`, or without
    coverage records the latest day holding a victim; None when there are no homicide data."""
    ends = [c.end for c in coverages if c.measure == VICTIMS]
    if ends:
        return max(ends)
    rows = counts[counts["measure"] == str(VICTIMS)]
    return None if rows.empty else rows["period_end"].max().date()


def homicides_year_to_date(
    counts: pd.DataFrame,
    coverages: Sequence[Coverage] = (),
    *,
    as_of: date | None = None,
    groups: Sequence[Group] = (Group.ALL,),
    baseline_years: int = 1,
    level: float = 0.95,
) -> list[Estimate]:
    """Homicide victims from January 1 to `as_of` (default: `latest_date`) against the same calendar window of
    the previous year (or the mean of `baseline_years` years), per group: `metrics.year_to_date` (methods
    §2.3; exact conditional interval and test, §2.2). Every estimate carries the seasonality caveat; a window
    the coverage records do not fully cover makes the estimates that need it `not estimable`."""
    as_of = as_of or latest_date(counts, coverages)
    if as_of is None:
        return []
    out = []
    for group in dict.fromkeys(groups):
        for est in year_to_date(counts, VICTIMS, as_of, group=group, baseline_years=baseline_years, level=level):
            est = est.with_flags(note=f"as of {as_of.isoformat()}, the latest date in the homicide data")
            if not of_kind(est.notes, CaveatKind.YTD_SEASONALITY):
                est = est.with_flags(note=YTD_CAVEAT)
            why = _uncovered_reason(coverages, as_of, est.period, baseline_years)
            out.append(not_estimable(est, why) if why and est.estimable else est)
    return out


def _uncovered_reason(coverages: Sequence[Coverage], as_of: date, period: Period, baseline_years: int) -> str | None:
    """Why an estimate of `period` (now: this year's window; then: the baseline's; change: both) rests on a
    year-to-date window the homicide coverage records do not fully hold, or None. Without records, None."""
    if not any(c.measure == VICTIMS for c in coverages):
        return None
    now, baseline = [as_of.year], [as_of.year - k for k in range(1, baseline_years + 1)]
    years = {Period.NOW: now, Period.THEN: baseline}.get(period, now + baseline)
    short = [ytd_window(y, as_of) for y in years if coverage_of(coverages, VICTIMS, ytd_window(y, as_of)) < 1.0]
    if not short:
        return None
    return f"the homicide data do not cover the whole year-to-date window ({', '.join(span(w) for w in short)})"


def annual_counts(counts: pd.DataFrame, coverages: Sequence[Coverage] = ()) -> pd.DataFrame:
    """Homicide victims and homicides cleared by calendar year and group (columns year, group, victims,
    cleared, covered: the share of the year's days the coverage records hold, 1.0 without records), over the
    years the homicide data span. For charts of the whole span."""
    rows = counts[
        counts["measure"].isin([str(VICTIMS), str(CLEARED)]) & (counts["period_start"] == counts["period_end"])
    ]
    if rows.empty:
        return pd.DataFrame(columns=["year", "group", "victims", "cleared", "covered"])
    table = (
        rows.assign(year=rows["period_start"].dt.year)
        .pivot_table(index=["year", "group"], columns="measure", values="value", aggfunc="sum", fill_value=0.0)
        .reindex(columns=[str(VICTIMS), str(CLEARED)], fill_value=0.0)
        .rename(columns={str(VICTIMS): "victims", str(CLEARED): "cleared"})
        .reset_index()
    )
    table.columns.name = None
    has_records = any(c.measure == VICTIMS for c in coverages)
    table["covered"] = [
        coverage_of(coverages, VICTIMS, (date(y, 1, 1), date(y, 12, 31))) if has_records else 1.0 for y in table["year"]
    ]
    return table.sort_values(["year", "group"], kind="stable").reset_index(drop=True)
