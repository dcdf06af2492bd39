"""Single-window claims: a ratio between groups, a proportion of a feeding stage, a group's share, a count.

Ratios against a single group use the report's own metrics (`per_resident_disparity`, `conditional_disparity`),
so a ledger number equals the table's. Ratios against 'all other' people (everyone not in the group: the
group's complement of the `all` count) and conditional stages the vocabulary does not chain (force per
arrest) are assembled here from the same statistics: exact conditional or score intervals for Poisson rate
ratios (docs/methods.md §1.2B), Koopman score or Katz intervals for binomial risk ratios (§1.2A), the small-number
rules of §5.3.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from trustreport import fmt
from trustreport.claim_schema import ALL_OTHER, Claim, Statistic
from trustreport.claims.context import Context, data_window, period_of, span
from trustreport.claims.evidence import LOWER_BOUND_NOTE, ROUNDING_METHOD, count_rows, is_lower_bound, rounding_interval
from trustreport.claims.verdict import Check, ClaimFlag, Verdict, judge, not_checkable
from trustreport.estimate import Estimate
from trustreport.metrics.disparity import conditional_disparity, per_resident_disparity
from trustreport.metrics.inputs import (
    FlowCounts,
    flow_counts,
    merge_sources,
    new_estimate,
    residents_for,
    years_in,
)
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.statistic import Statistic as EstimateStatistic
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import CONDITIONAL_STAGES, GROUP_LABELS, MEASURE_LABELS, DenominatorKind, Group, Measure, Period

READING_LABELS = {
    "residents": "per resident",
    "stops": "per stop",
    "searches": "per search",
    "arrests": "per arrest",
}
_STAGE = {"stops": Measure.STOPS, "searches": Measure.SEARCHES, "arrests": Measure.ARRESTS}
_KIND = {
    "residents": DenominatorKind.RESIDENTS,
    "stops": DenominatorKind.STOPS,
    "searches": DenominatorKind.SEARCHES,
    "arrests": DenominatorKind.ARRESTS,
}
# (focal count, focal denominator, reference count, reference denominator)
Cells = tuple[float, float, float, float]


def ratio_checks(claim: Claim, ctx: Context) -> list[Check]:
    """One check per reading of the denominator (one when it is stated), each against the published ratio."""
    return [_ratio_check(claim, ctx, reading) for reading in claim.denominator_readings()]


def _ratio_check(claim: Claim, ctx: Context, reading: str) -> Check:
    label = READING_LABELS.get(reading, reading)
    estimate, cells = ratio_estimate(claim, ctx, reading)
    if estimate.numerator and estimate.denominator == 0:
        return _not_finite(claim, estimate, cells, label, ctx)
    missing = estimate.notes[0] if not estimate.estimable and estimate.notes else None
    return judge(
        claim,
        claim.published_value,
        estimate.value,
        estimate.ci,
        label=label,
        method=estimate.ci_method,
        estimate=estimate,
        missing=missing,
        bound=claim.bound,
    )


def _not_finite(claim: Claim, est: Estimate, cells: Cells | None, label: str, ctx: Context) -> Check:
    """A published ratio where the reference group had no events: no finite point estimate, but a one-sided
    interval (lower bound, no upper), and the published ratio is graded by the rule: inside it is consistent,
    below it contradicted. When the claim's own text rules out a finite ratio (`context`, e.g. "every victim
    was Black"), that is flagged `internally inconsistent`, a finding about the text, not a verdict by data."""
    who, ref = GROUP_LABELS[claim.group], _reference_label(claim)
    what = MEASURE_LABELS[est.measure]
    flags = (ClaimFlag.INTERNALLY_INCONSISTENT,) if claim.context else ()
    words = f"; internally inconsistent: the same text says “{claim.context}”, so no finite ratio" if flags else ""
    if cells is None:
        reason = f"no finite ratio and no interval: {ref} had no {what} in {span(est.window)}{words}"
        return Check(label, Verdict.NOT_CHECKABLE, reason, None, None, est.ci_method, est, flags)
    a, n1, c, n2 = cells
    bound = (iv.rate_ratio_exact_ci if est.statistic == EstimateStatistic.RATE_RATIO else iv.risk_ratio_score_ci)(
        a, n1, c, n2, level=ctx.level
    )
    ci = (bound.low, None)
    found = f"no finite ratio on these counts ({fmt.count(a)} {who} {what}, none of {ref} in {span(est.window)})"
    published, span_text = fmt.claim_published(claim.published_value, claim), fmt.claim_interval(ci, claim)
    if bound.low is None or claim.published_value >= bound.low:
        verdict, where = Verdict.CONSISTENT, f"the published {published} lies inside our interval ({span_text})"
    else:
        verdict, where = Verdict.CONTRADICTED, f"the published {published} lies below our interval ({span_text})"
    return Check(label, verdict, f"{found}; {where}{words}", None, ci, bound.method, est, flags)


def ratio_estimate(claim: Claim, ctx: Context, reading: str) -> tuple[Estimate, Cells | None]:
    """The group-vs-reference ratio of the claim's measure under one reading of its denominator."""
    measure, window = claim.measures[0], data_window(claim).dates
    ref = claim.reference_group
    common = dict(period=period_of(claim), level=ctx.level)
    found: Estimate | None = None
    if reading == "residents" and ref != ALL_OTHER:
        found = _pick(
            per_resident_disparity(ctx.counts, measure, window, groups=[claim.group], reference=ref, **common),
            EstimateStatistic.RATE_RATIO,
            claim.group,
        )
    elif ref != ALL_OTHER and CONDITIONAL_STAGES.get(measure) == _STAGE[reading]:
        found = _pick(
            conditional_disparity(ctx.counts, measure, window, groups=[claim.group], reference=ref, **common),
            EstimateStatistic.RISK_RATIO,
            claim.group,
        )
    # Without residents the metric returns counts only; the assembled ratio then says what is missing.
    return (found, None) if found is not None else _assembled_ratio(claim, ctx, reading)


def _pick(estimates: list[Estimate], statistic: EstimateStatistic, group: Group) -> Estimate | None:
    return next((e for e in estimates if e.statistic == statistic and e.group == group), None)


def _assembled_ratio(claim: Claim, ctx: Context, reading: str) -> tuple[Estimate, Cells | None]:
    """A rate or risk ratio against 'all other' people, or for a stage pair the vocabulary does not chain."""
    measure, window = claim.measures[0], data_window(claim).dates
    per_resident = reading == "residents"
    events = flow_counts(ctx.counts, measure, window)
    est = new_estimate(
        measure,
        EstimateStatistic.RATE_RATIO if per_resident else EstimateStatistic.RISK_RATIO,
        claim.group,
        period_of(claim),
        window,
        value=None,
        denominator_kind=_KIND[reading],
        reference_group=None if claim.reference_group == ALL_OTHER else claim.reference_group,
        sources=events.sources_of(Group.ALL, claim.group),
        notes=(f"reference: {_reference_label(claim)}",),
    )
    side = str(period_of(claim))
    if per_resident:
        cells = _residents_cells(claim, ctx, events, side)
    else:
        cells = _stage_cells(claim, ctx, events, reading, side)
    if isinstance(cells, str):
        return not_estimable(est, cells), None
    (a, n1, c, n2), sources = cells
    est = replace(est, sources=merge_sources(est.sources, sources), numerator=a / n1, denominator=c / n2)
    if per_resident:
        ci, test = iv.rate_ratio_ci(a, n1, c, n2, level=ctx.level), st.poisson_ratio_test(a, n1, c, n2)
    else:
        ci, test = iv.risk_ratio_ci(a, n1, c, n2, level=ctx.level), st.proportion_test(a, n1, c, n2)
    est = replace(
        est,
        value=(a / n1) / (c / n2) if c > 0 else None,
        ci=ci.bounds,
        ci_method=ci.method,
        p_value=test.p_value,
        test_method=test.method,
    )
    labels = {events.label(claim.group): a, f"{_reference_label(claim)}, {MEASURE_LABELS[measure]}": c}
    return apply_ratio_rules(est, labels), (a, n1, c, n2)


def _reference_label(claim: Claim) -> str:
    if claim.reference_group == ALL_OTHER:
        return f"all other people (not {GROUP_LABELS[claim.group]})"
    return f"{GROUP_LABELS[claim.reference_group]} people"


def _split(flow: FlowCounts, claim: Claim, side: str) -> tuple[float, float] | str:
    """(group count, reference count) of a flow, the reference being a group or the complement of `all`."""
    why = flow.why_missing(claim.group, side)
    if why:
        return why
    a = flow.count(claim.group)
    if claim.reference_group != ALL_OTHER:
        why = flow.why_missing(claim.reference_group, side)
        return why if why else (a, flow.count(claim.reference_group))
    total = flow.count(Group.ALL)
    if total is None:
        return f"no total {MEASURE_LABELS[flow.measure]} count in {span(flow.window)} to subtract the group from"
    return a, total - a


def _residents_cells(claim: Claim, ctx: Context, events: FlowCounts, side: str) -> tuple[Cells, tuple[str, ...]] | str:
    split = _split(events, claim, side)
    if isinstance(split, str):
        return split
    residents = residents_for(ctx.counts, events.window)
    py_group, py_all = residents.person_years(claim.group), residents.person_years(Group.ALL)
    if claim.reference_group == ALL_OTHER:
        py_ref = None if py_group is None or py_all is None else py_all - py_group
    else:
        py_ref = residents.person_years(claim.reference_group)
    if py_group is None or not py_ref:
        return residents.missing_note(claim.group if py_group is None else claim.reference_group, side)
    return (split[0], py_group, split[1], py_ref), residents.sources_of(claim.group, Group.ALL)


def _stage_cells(
    claim: Claim, ctx: Context, events: FlowCounts, reading: str, side: str
) -> tuple[Cells, tuple[str, ...]] | str:
    base = flow_counts(ctx.counts, _STAGE[reading], events.window)
    split_events, split_base = _split(events, claim, side), _split(base, claim, side)
    for split in (split_events, split_base):
        if isinstance(split, str):
            return split
    (a, c), (n1, n2) = split_events, split_base
    if n1 <= 0 or n2 <= 0 or a > n1 or c > n2:
        return f"{MEASURE_LABELS[events.measure]} and {reading} counts do not nest in {span(events.window)}"
    return (a, n1, c, n2), base.sources_of(claim.group, Group.ALL)


def proportion_checks(claim: Claim, ctx: Context) -> list[Check]:
    """The group's proportion of the feeding stage (and the reference group's, when published), Wilson
    intervals (docs/methods.md §2.1)."""
    targets = [(claim.group, claim.published_value)]
    if claim.published_reference is not None and claim.reference_group not in (None, ALL_OTHER):
        targets.append((claim.reference_group, claim.published_reference))
    checks = []
    for group, published in targets:
        est = proportion_estimate(claim, ctx, group, data_window(claim).dates, period_of(claim))
        missing = None if est.estimable else est.notes[0]
        label = f"{GROUP_LABELS[group]} people"
        bound = claim.bound if group == claim.group else None
        checks.append(
            judge(
                claim,
                published,
                est.value,
                est.ci,
                label=label,
                method=est.ci_method,
                estimate=est,
                missing=missing,
                bound=bound,
            )
        )
    return checks


def proportion_estimate(
    claim: Claim, ctx: Context, group: Group, window: tuple[date, date], period: Period
) -> Estimate:
    """x / n for one group, where n is the stage named by `denominator` (default: the stage that feeds it)."""
    measure = claim.measures[0]
    stage = _STAGE.get(claim.denominator) or CONDITIONAL_STAGES.get(measure)
    if stage is None:
        raise ValueError(f"claim {claim.id}: a proportion of {measure} needs `denominator` (stops, searches, arrests)")
    events, base = flow_counts(ctx.counts, measure, window), flow_counts(ctx.counts, stage, window)
    est = new_estimate(
        measure,
        EstimateStatistic.PROPORTION,
        group,
        period,
        window,
        value=None,
        denominator_kind=_KIND.get(str(stage), DenominatorKind.NONE),
        sources=merge_sources(events.sources_of(group), base.sources_of(group)),
    )
    why = events.why_missing(group, str(period)) or base.why_missing(group, str(period))
    if why:
        return not_estimable(est, why)
    x, n = events.count(group), base.count(group)
    if n <= 0 or x > n:
        return not_estimable(
            est, f"{events.label(group)} = {fmt.count(x)} is not a part of {base.label(group)} = {fmt.count(n)}"
        )
    ci = iv.proportion_ci(x, n, level=ctx.level)
    est = replace(est, value=x / n, numerator=x, denominator=n, ci=ci.bounds, ci_method=ci.method)
    return apply_stability(est, x)


def share_check(claim: Claim, ctx: Context) -> Check:
    """The group's share of all events of the measure in the window, Wilson interval."""
    measure, window = claim.measures[0], data_window(claim).dates
    events = flow_counts(ctx.counts, measure, window)
    est = new_estimate(
        measure,
        EstimateStatistic.SHARE,
        claim.group,
        period_of(claim),
        window,
        value=None,
        sources=events.sources_of(Group.ALL),
    )
    side = str(period_of(claim))
    why = events.why_missing(claim.group, side) or events.why_missing(Group.ALL, side)
    if why:
        return not_checkable("share", why, not_estimable(est, why))
    x, n = events.count(claim.group), events.count(Group.ALL)
    ci = iv.proportion_ci(x, n, level=ctx.level)
    est = replace(est, value=x / n if n else None, numerator=x, denominator=n, ci=ci.bounds, ci_method=ci.method)
    return judge(
        claim,
        claim.published_value,
        est.value,
        est.ci,
        label="share",
        method=ci.method,
        estimate=est,
        bound=claim.bound,
    )


def count_check(claim: Claim, ctx: Context) -> Check:
    """A count in the window (per year for `count_per_year`), against the published value. A count that is
    itself a published lower bound reproduces only a claim of "at least" as much: otherwise the published
    value inside its one-sided interval is consistent."""
    est = count_estimate(claim, ctx, data_window(claim).dates, period_of(claim))
    missing = None if est.estimable else est.notes[0]
    check = judge(
        claim,
        claim.published_value,
        est.value,
        est.ci,
        label="count",
        method=est.ci_method,
        estimate=est,
        missing=missing,
        bound=claim.bound,
    )
    return only_at_least_reproduces(check, est, claim.bound if claim.published_value is not None else None)


def only_at_least_reproduces(check: Check, est: Estimate, bound: str | None) -> Check:
    """A count that is itself a published lower bound reproduces only an "at least" figure; an exact figure
    that matches it is consistent with it."""
    if LOWER_BOUND_NOTE in est.notes and check.verdict == Verdict.REPRODUCED and bound != "at least":
        reason = f"{check.reason}, but ours is only a lower bound, so the published figure is consistent with it"
        return replace(check, verdict=Verdict.CONSISTENT, reason=reason)
    return check


def count_estimate(claim: Claim, ctx: Context, window: tuple[date, date], period: Period) -> Estimate:
    """The group's count in `window` (per year for `count_per_year`), Garwood exact interval (methods
    §1.2B); dollars are a total with no interval. A count read from published rows carries their precision:
    a lower bound ("over …") has no upper limit, and a count derived from a rounded share has the counts the
    rounding allows as its interval (`claims.evidence.rounding_interval`)."""
    measure = claim.measures[0]
    events = flow_counts(ctx.counts, measure, window)
    years = years_in(window) if claim.statistic == Statistic.COUNT_PER_YEAR else 1.0
    est = new_estimate(
        measure,
        EstimateStatistic.COUNT,
        claim.group,
        period,
        window,
        value=None,
        sources=events.sources_of(claim.group),
    )
    why = events.why_missing(claim.group, str(period))
    if why:
        return not_estimable(est, why)
    x = events.count(claim.group)
    est = replace(est, value=x / years, numerator=x, denominator=years if years != 1.0 else None)
    if measure == Measure.SETTLEMENT_USD:
        return est
    rows = count_rows(ctx, est)
    rounding = rounding_interval(ctx, rows)
    if rounding is not None and years == 1.0:
        return replace(est, ci=rounding, ci_method=ROUNDING_METHOD)
    ci = iv.poisson_rate_ci(x, years, level=ctx.level)
    est = replace(est, ci=ci.bounds, ci_method=ci.method)
    if is_lower_bound(rows):
        est = replace(est, ci=(ci.low, None), notes=(*est.notes, LOWER_BOUND_NOTE))
    return apply_stability(est, x)
