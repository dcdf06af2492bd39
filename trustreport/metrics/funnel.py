"""The stage funnel: the OJJDP Relative Rate Index adapted to policing (docs/methods.md §1.3).

Stages residents → stops → searches → hits → arrests → force, each measured against the stage that feeds it
("the denominator at each decision point is the count at the stage that feeds it"): stops per resident,
searches | stops, hits | searches, arrests | stops (per resident where no stops are held), force | arrests
(per resident where no arrests are held). Force counts people (`force_subjects`) where the data hold them,
incidents otherwise, since one arrest can carry several incidents (docs/methods.md §1.3, footnote).

Statistics (ids `measure.statistic.group.period`):

- `stage_rate`: the stage count over its feeder (per resident per year for a first stage; a proportion
  otherwise), for every group including the reference.
- `stage_ratio`: that rate vs the reference group's (the RRI of the stage): Poisson rate ratio for a first
  stage, binomial risk ratio for a conditional one — the same estimates `metrics.disparity` makes.
- `cumulative_ratio`: the stage count per resident vs the reference (Poisson rate ratio).
- `expected_count`: "if treated like the reference group": N_{k-1}(g) × rate_k(reference), its interval the
  reference rate's interval times N_{k-1}(g) (the group's feeder count held fixed).
- `excess_difference`: observed − expected, with the interval of the expected count turned round. Named a
  difference so that `Estimate.significant` tests it against 0.
- `stage_ratio_product`: the product of the stage ratios down the chain to this stage, checked against the
  cumulative ratio (the decomposition identity, exact when each stage is a subset of the one before); value is
  the product, numerator the product, denominator the cumulative ratio.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.metrics.disparity import _proportion, _rate, _rate_ratio, _risk_ratio
from trustreport.metrics.inputs import (
    FlowCounts,
    Residents,
    binomial_problem,
    estimate_id,
    flow_counts,
    merge_sources,
    new_estimate,
    refuse,
    residents_for,
)
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.vocab import (
    DENOMINATOR_KIND,
    FUNNEL_FEEDERS,
    GROUP_LABELS,
    MEASURE_LABELS,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
    stage_label,
)

log = logging.getLogger("trustreport")

# The identity is algebraically exact; anything beyond rounding means the stages were not cut alike.
IDENTITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Stage:
    """One decision point: its events, its feeder (None: residents) and the chain of measures from the first
    per-resident stage down to it."""

    events: FlowCounts
    feeder: FlowCounts | None
    chain: tuple[Measure, ...]

    @property
    def measure(self) -> Measure:
        return self.events.measure

    @property
    def per_resident(self) -> bool:
        return self.feeder is None

    @property
    def label(self) -> str:
        return stage_label(self.measure, _denominator_kind(self))


def funnel(
    counts: pd.DataFrame,
    window: tuple[date, date],
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 1000,
) -> list[Estimate]:
    """Stage rates, stage ratios (the RRI), cumulative per-resident ratios, expected counts if treated like
    the reference group and the excess, and the decomposition identity, for every stage the counts hold in
    `window` (docs/methods.md §1.2, §1.3). All stages use the same window and resident snapshot, so the identity can
    hold. The small-number rules of docs/methods.md §5.3 apply: no ratio under 5 events, `unstable` under 20."""
    stages = funnel_stages(counts, window)
    residents = residents_for(counts, window)
    shown = [g for g in dict.fromkeys([*groups, reference]) if g != Group.ALL]
    ratios: dict[tuple[Group, Measure], Estimate] = {}
    out: list[Estimate] = []
    for stage in stages:
        out += [_stage_rate(stage, residents, g, period, level, rate_per) for g in shown]
        for group in (g for g in shown if g != reference):
            ratio = _stage_ratio(stage, residents, group, reference, period, level)
            ratios[group, stage.measure] = ratio
            cumulative = _renamed(
                _rate_ratio(stage.events, residents, group, reference, period, level), Statistic.CUMULATIVE_RATIO
            )
            expected = _expected_count(stage, residents, group, reference, period, level)
            out += [ratio, cumulative, expected, _excess(stage, expected, group, reference)]
            if len(stage.chain) > 1:
                out.append(_identity(stage, [ratios[group, m] for m in stage.chain], cumulative))
    return out


def funnel_stages(counts: pd.DataFrame, window: tuple[date, date]) -> list[Stage]:
    """The stages `counts` hold in `window` (at least one row, so a published zero is a stage), in funnel
    order, each fed by the stage before it where that is held and by residents otherwise."""
    flows = {m: flow_counts(counts, m, window) for m in FUNNEL_FEEDERS}
    held = {m: f for m, f in flows.items() if f.has_data}
    if Measure.FORCE_SUBJECTS in held:
        held.pop(Measure.FORCE_INCIDENTS, None)
    stages: dict[Measure, Stage] = {}
    for measure, events in held.items():
        feeder = FUNNEL_FEEDERS[measure]
        if feeder in stages:
            stages[measure] = Stage(events, held[feeder], (*stages[feeder].chain, measure))
        else:
            stages[measure] = Stage(events, None, (measure,))
    return list(stages.values())


def _renamed(est: Estimate, statistic: Statistic) -> Estimate:
    return replace(est, statistic=statistic, id=estimate_id(est.measure, statistic, est.group, est.period))


def _stage_rate(
    stage: Stage, residents: Residents, group: Group, period: Period, level: float, rate_per: int
) -> Estimate:
    """The group's rate at this stage: per resident per year (Garwood exact interval) or a proportion of the
    feeder (Wilson interval) — `metrics.disparity`'s rate and proportion."""
    if stage.feeder is None:
        est = _rate(stage.events, residents, group, period, level, rate_per)
    else:
        est = _proportion(stage.events, stage.feeder, group, period, level)
    return _renamed(est.with_flags(note=stage.label), Statistic.STAGE_RATE)


def _stage_ratio(
    stage: Stage, residents: Residents, group: Group, reference: Group, period: Period, level: float
) -> Estimate:
    """The RRI of the stage: Poisson rate ratio per resident, or binomial risk ratio of the feeder."""
    if stage.feeder is None:
        est = _rate_ratio(stage.events, residents, group, reference, period, level)
    else:
        est = _risk_ratio(stage.events, stage.feeder, group, reference, period, level)
    return _renamed(est.with_flags(note=stage.label), Statistic.STAGE_RATIO)


def _feeder_count(stage: Stage, residents: Residents, group: Group) -> float | None:
    """N_{k-1}(g): the feeder stage's count, or person-years (residents × years) for a first stage."""
    if stage.feeder is None:
        return residents.person_years(group)
    return stage.feeder.count(group)


def _comparison_problem(
    stage: Stage, residents: Residents, group: Group, reference: Group, period: Period
) -> tuple[str, tuple[Flag, ...]] | None:
    """Why the expected count cannot be formed (a missing count or feeder, or a stage that is not a subset
    of its feeder, flagged `not comparable`), or None."""
    for g in (group, reference):
        if stage.feeder is not None:
            problem = binomial_problem(stage.events, stage.feeder, g, period)
            if problem:
                return problem
            continue
        missing = stage.events.why_missing(g, period)
        if missing:
            return missing, ()
        if residents.person_years(g) is None:
            return residents.missing_note(g, period), ()
    return None


def _reference_rate(stage: Stage, residents: Residents, reference: Group, level: float) -> tuple[float, iv.Interval]:
    """rate_k(reference) with its interval: Garwood exact per person-year, or Wilson for a proportion."""
    x, n = stage.events.count(reference), _feeder_count(stage, residents, reference)
    interval = iv.poisson_rate_ci(x, n, level=level) if stage.feeder is None else iv.proportion_ci(x, n, level=level)
    return x / n, interval


def _expected_count(
    stage: Stage, residents: Residents, group: Group, reference: Group, period: Period, level: float
) -> Estimate:
    """N_{k-1}(g) × rate_k(reference): the stage count the group would have if treated like the reference
    group at this stage (docs/methods.md §1.3; Campaign Zero's "if the victims had been white")."""
    est = new_estimate(
        stage.measure,
        Statistic.EXPECTED_COUNT,
        group,
        period,
        stage.events.window,
        value=None,
        denominator_kind=_denominator_kind(stage),
        reference_group=reference,
        sources=_sources(stage, residents, group, reference),
    )
    problem = _comparison_problem(stage, residents, group, reference, period)
    if problem:
        return refuse(est, problem)
    base = _feeder_count(stage, residents, group)
    rate, interval = _reference_rate(stage, residents, reference, level)
    bounds = (
        None if interval.low is None else base * interval.low,
        None if interval.high is None else base * interval.high,
    )
    feeder = "person-years" if stage.feeder is None else MEASURE_LABELS[stage.feeder.measure]
    est = replace(
        est,
        value=base * rate,
        numerator=base,
        ci=bounds,
        ci_method=f"{interval.method} interval of the {GROUP_LABELS[reference]} rate",
        notes=(
            f"if treated like {GROUP_LABELS[reference]} people at this stage: {fmt.count(base)} {GROUP_LABELS[group]} "
            f"{feeder} × the {GROUP_LABELS[reference]} rate {_rate_text(rate, stage)} ({stage.label}); the interval "
            "is the "
            f"{GROUP_LABELS[reference]} rate's, with the {GROUP_LABELS[group]} {feeder} held fixed",
        ),
    )
    if stage.feeder is None and residents.vintage_note:
        est = est.with_flags(Flag.DENOMINATOR_VINTAGE, note=residents.vintage_note)
    return apply_stability(est, stage.events.count(reference))


def _excess(stage: Stage, expected: Estimate, group: Group, reference: Group) -> Estimate:
    """Observed − expected; the interval is observed minus the expected count's interval."""
    est = new_estimate(
        stage.measure,
        Statistic.EXCESS_DIFFERENCE,
        group,
        expected.period,
        expected.window,
        value=None,
        denominator_kind=expected.denominator_kind,
        reference_group=reference,
        sources=expected.sources,
    )
    if not expected.estimable:
        return not_estimable(est.with_flags(*expected.flags), expected.notes[0])
    observed = stage.events.count(group)
    low, high = expected.ci if expected.ci else (None, None)
    est = replace(
        est,
        value=observed - expected.value,
        numerator=observed,
        denominator=expected.value,
        ci=(None if high is None else observed - high, None if low is None else observed - low),
        ci_method=expected.ci_method,
        notes=(
            f"{GROUP_LABELS[group]} {stage.label}: observed minus expected if treated like "
            f"{GROUP_LABELS[reference]} people; the interval is observed minus the expected count's interval",
        ),
    )
    est = est.with_flags(*(f for f in expected.flags if f == Flag.DENOMINATOR_VINTAGE))
    return apply_stability(est, observed, stage.events.count(reference))


def _identity(stage: Stage, ratios: Sequence[Estimate], cumulative: Estimate) -> Estimate:
    """Per-resident ratio = product of the stage ratios down the chain (docs/methods.md §1.3), both sides carried."""
    est = new_estimate(
        stage.measure,
        Statistic.STAGE_RATIO_PRODUCT,
        cumulative.group,
        cumulative.period,
        stage.events.window,
        value=None,
        reference_group=cumulative.reference_group,
        denominator_kind=DenominatorKind.RESIDENTS,
        sources=merge_sources(*(r.sources for r in ratios), cumulative.sources),
    )
    chain = " × ".join(r.measure for r in ratios)
    missing = next((r for r in ratios if not r.estimable), None)
    if missing is not None:
        return not_estimable(est, f"the {missing.measure} stage ratio is not estimable: {missing.notes[0]}")
    if not cumulative.estimable:
        return not_estimable(est, f"the cumulative ratio is not estimable: {cumulative.notes[0]}")
    product = math.prod(r.value for r in ratios)
    est = replace(
        est,
        value=product,
        numerator=product,
        denominator=cumulative.value,
        notes=(f"stage ratios {chain} = {product:.10g}; per-resident ratio = {cumulative.value:.10g}",),
    )
    if abs(product - cumulative.value) > IDENTITY_TOLERANCE * abs(cumulative.value):
        log.warning("%s: product of stage ratios %s ≠ per-resident ratio %s", est.id, product, cumulative.value)
        return est.with_flags(Flag.NOT_COMPARABLE, note="the identity does not hold: the stages are not cut alike")
    return est


def _denominator_kind(stage: Stage) -> DenominatorKind:
    if stage.feeder is None:
        return DenominatorKind.RESIDENTS
    return DENOMINATOR_KIND.get(stage.feeder.measure, DenominatorKind.NONE)


def _sources(stage: Stage, residents: Residents, group: Group, reference: Group) -> tuple[str, ...]:
    feeder = residents if stage.feeder is None else stage.feeder
    return merge_sources(stage.events.sources_of(group, reference), feeder.sources_of(group, reference))


def _rate_text(rate: float, stage: Stage) -> str:
    """A stage rate in a note: per 1,000 person-years for residents, else a share of the stage before."""
    return f"{fmt.rate(rate)} per 1,000" if stage.feeder is None else fmt.pct(rate)
