"""Disparities within one window (docs/methods.md §1): per-resident rates and rate ratios (Poisson, §1.2B), and
stage-by-stage proportions and risk ratios whose denominator is the stage that feeds them (binomial, §1.2A,
§1.3).

Statistics: `count`, `rate` (events per resident per year, shown per `rate_per`), `rate_ratio`,
`proportion`, `risk_ratio`. Ids follow `measure.statistic.group.period`. The small-number rules of methods
§5.3 apply to every estimate: no ratio when a count is under 5, `unstable` under 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import rate_ratio_comparison, risk_ratio_comparison
from trustreport.metrics.inputs import (
    FlowCounts,
    Residents,
    binomial_problem,
    flow_counts,
    groups_shown,
    merge_sources,
    new_estimate,
    refuse,
    residents_for,
    span,
    with_vintage,
    years_in,
)
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    DENOMINATOR_KIND,
    GROUP_LABELS,
    STOCK_MEASURES,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
)

# The report-level caveat (Report.caveats) shown once whenever stops are set against residents.
# `{stopped}` names the people stopped ("drivers", "pedestrians", "the people stopped": trustreport.stop_mode).
BENCHMARK_CAVEAT = (
    "Residents are not {stopped}: per-resident stop rates set stops against the people who live in the city, "
    "not the people who drive or walk there. Commuters and visitors are stopped too, so a ratio can reflect who "
    "travels in the city as much as how police treat each group."
)


def per_resident_disparity(
    counts: pd.DataFrame,
    measure: Measure,
    window: tuple[date, date],
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 1000,
) -> list[Estimate]:
    """Per group: the count (Garwood exact interval), the rate per resident per year (value = count /
    (residents × years), interval from the exact Poisson interval on the count) and, for each group other
    than the reference, the rate ratio vs the reference (exact conditional interval when a count is under
    100, score otherwise; p from the exact conditional test) (docs/methods.md §1.2B).

    Residents come from the snapshot `counts.stock_snapshot` picks; one that does not overlap the window
    flags rates and ratios `denominator vintage differs`. Without residents only the counts are returned,
    with a note.
    """
    if measure in STOCK_MEASURES:
        raise ValueError(f"{measure} is a stock measure; a per-resident disparity needs a flow measure")
    events = flow_counts(counts, measure, window)
    residents = residents_for(counts, window)
    out: list[Estimate] = []
    for group in groups_shown(groups, events, reference=reference):
        out.append(_count(events, group, period, level))
        if not residents.has_data:
            out[-1] = out[-1].with_flags(
                note=f"{residents.missing_note(group, period)}: rates and ratios are not computed"
            )
            continue
        out.append(_rate(events, residents, group, period, level, rate_per))
        if group not in (reference, Group.ALL):
            out.append(_rate_ratio(events, residents, group, reference, period, level))
    return out


def conditional_disparity(
    counts: pd.DataFrame,
    measure: Measure,
    window: tuple[date, date],
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per group: the count, the proportion of the feeding stage (searches | stops, hits | searches,
    citations | stops; Wilson interval) and, for each group other than the reference, the risk ratio vs the
    reference (Koopman score interval when a count is under 100, Katz log otherwise; p from the
    two-proportion score test, or Fisher's exact test when an expected cell is under 5) (docs/methods.md §1.2A,
    §1.3)."""
    if measure not in CONDITIONAL_STAGES:
        raise ValueError(f"{measure} is not a conditional stage; expected one of {sorted(CONDITIONAL_STAGES)}")
    events = flow_counts(counts, measure, window)
    base = flow_counts(counts, CONDITIONAL_STAGES[measure], window)
    out: list[Estimate] = []
    for group in groups_shown(groups, events, reference=reference):
        out.append(_count(events, group, period, level))
        out.append(_proportion(events, base, group, period, level))
        if group not in (reference, Group.ALL):
            out.append(_risk_ratio(events, base, group, reference, period, level))
    return out


def _count(events: FlowCounts, group: Group, period: Period, level: float) -> Estimate:
    """The number of events, with the Garwood exact interval (docs/methods.md §1.2B, G6)."""
    x = events.count(group)
    est = new_estimate(events.measure, Statistic.COUNT, group, period, events.window, value=x, numerator=x)
    if x is None:
        return not_estimable(est, events.why_missing(group, period))
    ci = iv.poisson_rate_ci(x, level=level)
    est = replace(est, ci=ci.bounds, ci_method=ci.method, sources=events.sources_of(group))
    if events.counted_as_zero(group):
        est = est.with_flags(note=f"no {GROUP_LABELS[group]} rows in {span(events.window)}: counted as zero")
    return apply_stability(est, x)


def _rate(
    events: FlowCounts, residents: Residents, group: Group, period: Period, level: float, rate_per: int
) -> Estimate:
    """Events per resident per year, with the exact Poisson interval on the count over person-years."""
    x, exposure = events.count(group), residents.person_years(group)
    est = new_estimate(
        events.measure,
        Statistic.RATE,
        group,
        period,
        events.window,
        value=None,
        numerator=x,
        denominator=residents.values.get(group),
        denominator_kind=DenominatorKind.RESIDENTS,
        scale=rate_per,
        sources=merge_sources(events.sources_of(group), residents.sources_of(group)),
    )
    est = replace(with_vintage(est, residents), years=years_in(residents.window))
    if x is None:
        return not_estimable(est, events.why_missing(group, period))
    if exposure is None:
        return not_estimable(est, residents.missing_note(group, period))
    ci = iv.poisson_rate_ci(x, exposure, level=level)
    return apply_stability(replace(est, value=x / exposure, ci=ci.bounds, ci_method=ci.method), x)


def _rate_ratio(
    events: FlowCounts, residents: Residents, group: Group, reference: Group, period: Period, level: float
) -> Estimate:
    """(a/n1)/(c/n2) vs the reference; numerator and denominator are the two rates (per resident per year)."""
    a, c = events.count(group), events.count(reference)
    n1, n2 = residents.person_years(group), residents.person_years(reference)
    est = new_estimate(
        events.measure,
        Statistic.RATE_RATIO,
        group,
        period,
        events.window,
        value=None,
        denominator_kind=DenominatorKind.RESIDENTS,
        reference_group=reference,
        sources=merge_sources(events.sources_of(group, reference), residents.sources_of(group, reference)),
    )
    est = with_vintage(est, residents)
    missing = events.why_missing(group, period) or events.why_missing(reference, period)
    if missing:
        return not_estimable(est, missing)
    if n1 is None or n2 is None:
        return not_estimable(est, residents.missing_note(group if n1 is None else reference, period))
    est = rate_ratio_comparison(est, a, n1, c, n2, level=level)
    est = apply_ratio_rules(est, {events.label(group): a, events.label(reference): c})
    if est.estimable and (folded := events.hispanic_folded_note(reference, residents)):
        est = est.with_flags(Flag.OVERLAPPING_CATEGORIES, note=folded)
    return est


def _proportion(events: FlowCounts, base: FlowCounts, group: Group, period: Period, level: float) -> Estimate:
    """x/n of the feeding stage, with the Wilson interval (docs/methods.md §2.1)."""
    x, n = events.count(group), base.count(group)
    est = new_estimate(
        events.measure,
        Statistic.PROPORTION,
        group,
        period,
        events.window,
        value=None,
        numerator=x,
        denominator=n,
        denominator_kind=DENOMINATOR_KIND.get(base.measure, DenominatorKind.NONE),
        sources=merge_sources(events.sources_of(group), base.sources_of(group)),
    )
    problem = binomial_problem(events, base, group, period)
    if problem:
        return refuse(est, problem)
    ci = iv.proportion_ci(x, n, level=level)
    return apply_stability(replace(est, value=x / n, ci=ci.bounds, ci_method=ci.method), x)


def _risk_ratio(
    events: FlowCounts, base: FlowCounts, group: Group, reference: Group, period: Period, level: float
) -> Estimate:
    """(a/n1)/(c/n2) of the feeding stage vs the reference; numerator and denominator are the two
    proportions."""
    est = new_estimate(
        events.measure,
        Statistic.RISK_RATIO,
        group,
        period,
        events.window,
        value=None,
        denominator_kind=DENOMINATOR_KIND.get(base.measure, DenominatorKind.NONE),
        reference_group=reference,
        sources=merge_sources(events.sources_of(group, reference), base.sources_of(group, reference)),
    )
    for g in (group, reference):
        problem = binomial_problem(events, base, g, period)
        if problem:
            return refuse(est, problem)
    a, n1, c, n2 = events.count(group), base.count(group), events.count(reference), base.count(reference)
    est = risk_ratio_comparison(est, a, n1, c, n2, level=level)
    return apply_ratio_rules(est, {events.label(group): a, events.label(reference): c})
