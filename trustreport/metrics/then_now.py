"""Then vs now (docs/methods.md §1.3, §2): the change of each group's rate or proportion between two windows, and the
change of its disparity vs the reference group (ratio of rate ratios, a difference-in-differences on the log
scale).

Statistics: `rate_change_ratio` (per-resident measures: rate now ÷ rate then, exact conditional interval and
test), `proportion_difference` (conditional stages: proportion now − then, Newcombe interval, score or
Fisher exact test), `ratio_of_rate_ratios` (disparity now ÷ disparity then; for conditional stages a ratio
of risk ratios, as in the OJJDP relative rate index). Every estimate has period `change`, `window` = the now
window and `then_window` = the then window; numerator and denominator hold the now and the then quantity.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import proportion_difference_comparison, rate_ratio_comparison
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
    with_vintage,
    years_in,
)
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.stats.small_numbers import ratio_refusal
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    DENOMINATOR_KIND,
    STOCK_MEASURES,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
)

log = logging.getLogger("trustreport")

# Closed form and GLM are the same model; beyond this relative gap one of them did not converge.
_AGREEMENT = 1e-6


def rate_change(
    counts: pd.DataFrame,
    measure: Measure,
    then: tuple[date, date],
    now: tuple[date, date],
    *,
    groups: Sequence[Group],
    level: float = 0.95,
    exposure: DenominatorKind = DenominatorKind.RESIDENTS,
) -> list[Estimate]:
    """Per group (and `all` where the data hold it), now vs then.

    Per-resident measures: the rate ratio now ÷ then with exposure residents × years in each window (or
    years only, with `exposure=DenominatorKind.YEARS`, for counts such as lawsuits), exact conditional
    interval and test (docs/methods.md §2.2, G13, G14). Conditional stages: the difference of proportions now −
    then, Newcombe interval and score test (Fisher exact when an expected cell is under 5) (docs/methods.md §2.1). A
    window without data gives a `not estimable` estimate whose note names that window.
    """
    if measure in STOCK_MEASURES:
        raise ValueError(f"{measure} is a stock measure; a change of rate needs a flow measure")
    if exposure not in (DenominatorKind.RESIDENTS, DenominatorKind.YEARS):
        raise ValueError(f"exposure must be residents or years, got {exposure}")
    ev = (flow_counts(counts, measure, then), flow_counts(counts, measure, now))
    shown = groups_shown(groups, *ev)
    if measure in CONDITIONAL_STAGES:
        feeder = CONDITIONAL_STAGES[measure]
        base = (flow_counts(counts, feeder, then), flow_counts(counts, feeder, now))
        return [_proportion_difference(ev, base, g, level) for g in shown]
    residents = (residents_for(counts, then), residents_for(counts, now))
    return [_rate_change_ratio(ev, residents, g, level, exposure) for g in shown]


def disparity_change(
    counts: pd.DataFrame,
    measure: Measure,
    then: tuple[date, date],
    now: tuple[date, date],
    *,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per group other than the reference: the ratio of its ratio vs the reference now to the same ratio then.

    Per-resident measures: Poisson rate ratios with exposure residents × years, SE(ln RRR) = sqrt(1/a0 +
    1/a1 + 1/c0 + 1/c1) (docs/methods.md §1.3, G15). Conditional stages: binomial risk ratios of the feeding stage,
    SE = sqrt(Σ 1/x − 1/n). The interval is the closed form's; the p-value is the Wald test of the
    interaction in the equivalent GLM (Poisson with offset log exposure, or binomial with log link), checked
    to agree.
    """
    if measure in STOCK_MEASURES:
        raise ValueError(f"{measure} is a stock measure; a change of disparity needs a flow measure")
    windows = (then, now)
    ev = tuple(flow_counts(counts, measure, w) for w in windows)
    if measure in CONDITIONAL_STAGES:
        denominators = tuple(flow_counts(counts, CONDITIONAL_STAGES[measure], w) for w in windows)
    else:
        denominators = tuple(residents_for(counts, w) for w in windows)
    return [_ratio_of_ratios(ev, denominators, g, reference, level) for g in groups if g not in (reference, Group.ALL)]


def _change_estimate(measure: Measure, statistic: Statistic, group: Group, ev: tuple[FlowCounts, FlowCounts], **kw):
    then, now = ev
    return new_estimate(measure, statistic, group, Period.CHANGE, now.window, then_window=then.window, **kw)


def _missing_events(ev: tuple[FlowCounts, FlowCounts], group: Group) -> str | None:
    then, now = ev
    return then.why_missing(group, "then") or now.why_missing(group, "now")


def _rate_change_ratio(
    ev: tuple[FlowCounts, FlowCounts],
    residents: tuple[Residents, Residents],
    group: Group,
    level: float,
    exposure: DenominatorKind,
) -> Estimate:
    """(a/e_now)/(c/e_then) with the exact conditional interval and test (docs/methods.md §2.2)."""
    (ev_then, ev_now), per_resident = ev, exposure == DenominatorKind.RESIDENTS
    est = _change_estimate(
        ev_now.measure,
        Statistic.RATE_CHANGE_RATIO,
        group,
        ev,
        value=None,
        denominator_kind=exposure,
        sources=merge_sources(
            ev_then.sources_of(group),
            ev_now.sources_of(group),
            *((r.sources_of(group) for r in residents) if per_resident else ()),
        ),
    )
    if per_resident:
        est = with_vintage(est, *residents)
    missing = _missing_events(ev, group)
    if missing:
        return not_estimable(est, missing)
    if per_resident:
        e_then, e_now = (r.person_years(group) for r in residents)
        for side, res, e in (("then", residents[0], e_then), ("now", residents[1], e_now)):
            if e is None:
                return not_estimable(est, res.missing_note(group, side))
    else:
        e_then, e_now = years_in(ev_then.window), years_in(ev_now.window)
    a, c = ev_now.count(group), ev_then.count(group)
    est = rate_ratio_comparison(est, a, e_now, c, e_then, level=level, exact_ci=True)
    refusal = ratio_refusal({ev_now.label(group): a, ev_then.label(group): c})
    return not_estimable(est, refusal) if refusal else apply_stability(est, a, c)


def _proportion_difference(
    ev: tuple[FlowCounts, FlowCounts], base: tuple[FlowCounts, FlowCounts], group: Group, level: float
) -> Estimate:
    """x_now/n_now − x_then/n_then, Newcombe interval, score or Fisher exact test (docs/methods.md §2.1)."""
    est = _change_estimate(
        ev[1].measure,
        Statistic.PROPORTION_DIFFERENCE,
        group,
        ev,
        value=None,
        denominator_kind=DENOMINATOR_KIND.get(base[0].measure, DenominatorKind.NONE),
        sources=merge_sources(*(f.sources_of(group) for f in (*ev, *base))),
    )
    for side, events, feeder in zip(("then", "now"), ev, base, strict=True):
        problem = binomial_problem(events, feeder, group, side)
        if problem:
            return refuse(est, problem)
    (x0, n0), (x1, n1) = ((e.count(group), b.count(group)) for e, b in zip(ev, base, strict=True))
    est = proportion_difference_comparison(est, x1, n1, x0, n0, level=level)
    return apply_stability(est, x0, x1)


def _ratio_of_ratios(
    ev: tuple[FlowCounts, FlowCounts],
    denominators: tuple[FlowCounts, FlowCounts] | tuple[Residents, Residents],
    group: Group,
    reference: Group,
    level: float,
) -> Estimate:
    """RR_now / RR_then vs the reference: closed-form interval, GLM interaction test (docs/methods.md §1.3, §5.2)."""
    conditional = isinstance(denominators[0], FlowCounts)
    measure = ev[1].measure
    est = _change_estimate(
        measure,
        Statistic.RATIO_OF_RATE_RATIOS,
        group,
        ev,
        value=None,
        reference_group=reference,
        denominator_kind=(
            DENOMINATOR_KIND.get(denominators[0].measure, DenominatorKind.NONE)
            if conditional
            else DenominatorKind.RESIDENTS
        ),
        sources=merge_sources(*(d.sources_of(group, reference) for d in (*ev, *denominators))),
    )
    if not conditional:
        est = with_vintage(est, *denominators)
    cells = _cells(ev, denominators, group, reference)
    if isinstance(cells, str):
        return not_estimable(est, cells)
    counts = {label: x for label, (x, _) in cells.items()}
    refusal = ratio_refusal(counts)
    if refusal:
        return not_estimable(est, refusal)
    focal_then, ref_then, focal_now, ref_now = cells.values()
    kw = dict(focal_then=focal_then, reference_then=ref_then, focal_now=focal_now, reference_now=ref_now)
    if conditional:
        closed, glm = (
            st.ratio_of_risk_ratios(**kw, level=level),
            st.ratio_of_risk_ratios_glm(**kw, level=level),
        )
    else:
        closed, glm = (
            st.ratio_of_rate_ratios(**kw, level=level),
            st.ratio_of_rate_ratios_glm(**kw, level=level),
        )
    test = glm if _agree(closed, glm) else closed
    if test is closed and glm.value is not None:
        log.warning("%s: GLM interaction %s disagrees with closed form %s", est.id, glm.value, closed.value)
    est = replace(
        est,
        value=closed.value,
        numerator=_ratio(focal_now, ref_now),
        denominator=_ratio(focal_then, ref_then),
        ci=closed.interval.bounds,
        ci_method=closed.method,
        p_value=test.p_value,
        test_method=test.method,
    )
    est = apply_stability(est, *counts.values())
    if not conditional:
        for folded in filter(
            None, (e.hispanic_folded_note(reference, r) for e, r in zip(ev, denominators, strict=True))
        ):
            est = est.with_flags(Flag.OVERLAPPING_CATEGORIES, note=folded)
    return est


def _cells(
    ev: tuple[FlowCounts, FlowCounts],
    denominators: tuple[FlowCounts, FlowCounts] | tuple[Residents, Residents],
    group: Group,
    reference: Group,
) -> dict[str, tuple[float, float]] | str:
    """(events, exposure or trials) for focal then, reference then, focal now, reference now, keyed by a
    readable label; or the reason one is missing."""
    cells: dict[str, tuple[float, float]] = {}
    for side, events, denom in zip(("then", "now"), ev, denominators, strict=True):
        for g in (group, reference):
            if isinstance(denom, FlowCounts):
                problem = binomial_problem(events, denom, g, side)
                if problem:
                    return problem[0]
                size = denom.count(g)
            else:
                missing = events.why_missing(g, side)
                if missing:
                    return missing
                size = denom.person_years(g)
                if size is None:
                    return denom.missing_note(g, side)
            cells[events.label(g)] = (events.count(g), size)
    return cells


def _ratio(focal: tuple[float, float], ref: tuple[float, float]) -> float | None:
    return iv.rate_ratio(focal[0], focal[1], ref[0], ref[1])


def _agree(closed: st.RatioOfRatios, glm: st.RatioOfRatios) -> bool:
    """Whether the GLM reproduced the closed form (they are the same saturated model)."""
    if closed.value is None or glm.value is None or closed.se_log is None or glm.se_log is None:
        return False
    same_value = abs(math.log(glm.value) - math.log(closed.value)) <= _AGREEMENT
    return same_value and abs(glm.se_log - closed.se_log) <= _AGREEMENT * closed.se_log
