"""The report's analyses, one function per section: which metrics run on which measures and windows.

Every section has one signature, `section(ctx: SectionContext) -> list[Estimate]`; `report.build()` applies its
tuple of sections to one context in order. The sections hold the loops over measures and periods so that
`build()` reads like a table of contents (docs/style.md habit 6).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from trustreport import fmt
from trustreport.caveat import CaveatKind, of_kind
from trustreport.counts import Coverage, covered_runs, covered_window, window_totals
from trustreport.estimate import Estimate
from trustreport.metrics import police_killings as killings
from trustreport.metrics.disparity import BENCHMARK_CAVEAT, conditional_disparity, per_resident_disparity
from trustreport.metrics.force import force_estimates
from trustreport.metrics.funnel import funnel
from trustreport.metrics.homicides import homicide_disparities, homicides_year_to_date
from trustreport.metrics.lawsuits import lawsuits as lawsuit_estimates
from trustreport.metrics.multiplicity import adjust_estimates
from trustreport.metrics.outcome_test import HIT_RATE_CAVEAT, outcome_test
from trustreport.metrics.then_now import disparity_change, rate_change
from trustreport.metrics.trust import trust_and_contacts
from trustreport.metrics.veil_of_darkness import veil_of_darkness
from trustreport.metrics.workforce import officer_residency, representation, representation_change
from trustreport.params import Params, Window
from trustreport.sources.base import SourceData
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    FUNNEL_ORDER,
    PER_RESIDENT_MEASURES,
    STOPPED_NOUNS,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
    StopMode,
)

log = logging.getLogger("trustreport")


@dataclass(frozen=True, eq=False)
class SectionContext:
    """What every section reads: the city's params, the validated counts, the sources and their coverage."""

    params: Params
    counts: pd.DataFrame
    sources: tuple[SourceData, ...] = ()
    coverages: tuple[Coverage, ...] = ()


Section = Callable[[SectionContext], list[Estimate]]


def measures_with_data(counts: pd.DataFrame, measures: Iterable[Measure], window) -> list[Measure]:
    """The measures among `measures` that have at least one event inside `window`."""
    return [m for m in measures if window_totals(counts, m, window)["value"].sum() > 0]


def _periods(params: Params) -> tuple[tuple[Period, Window], tuple[Period, Window]]:
    """The two report windows, then and now, each with its period."""
    return (Period.THEN, params.then), (Period.NOW, params.now)


def _windows(coverages, measure, period, win) -> tuple[tuple[date, date], str | None]:
    """The window a measure's estimates use, and a partial-coverage note when it is narrower than asked.

    A conditional stage recorded in separate runs of the window (a field blank in some months) uses its longest
    run: its feeding stage is counted over the same span, so no share divides by stops whose outcome is unknown."""
    span, share = covered_window(coverages, measure, win.dates)
    runs = covered_runs(coverages, measure, win.dates) if measure in CONDITIONAL_STAGES else []
    if len(runs) > 1:
        span = max(runs, key=lambda r: ((r[1] - r[0]).days, r[0]))
        return span, (
            f"{measure} data are recorded on {fmt.pct(share, digits=0)} of the {period} window "
            f"{fmt.window(*win.dates)}, not in one run; rates use the longest recorded run, {fmt.window(*span)}"
        )
    if span == win.dates:
        return span, None
    return span, (
        f"{measure} data cover {fmt.window(*span)} only ({fmt.pct(share, digits=0)} of the {period} window "
        f"{fmt.window(*win.dates)}); rates use the covered span"
    )


def _partial(estimates: list[Estimate], note: str | None) -> list[Estimate]:
    return [e.with_flags(Flag.PARTIAL_COVERAGE, note=note) for e in estimates] if note else estimates


def disparities(ctx: SectionContext) -> list[Estimate]:
    """Section 4–5: per-resident and stage-by-stage disparities, for the then and the now window."""
    counts, params, coverages = ctx.counts, ctx.params, ctx.coverages
    out: list[Estimate] = []
    common = dict(groups=params.groups, reference=params.reference_group, level=params.options.level)
    for period, win in _periods(params):
        for measure in measures_with_data(counts, PER_RESIDENT_MEASURES, win.dates):
            span, note = _windows(coverages, measure, period, win)
            found = per_resident_disparity(
                counts, measure, span, period=period, rate_per=params.options.rate_per, **common
            )
            out += _partial(found, note)
        for measure in measures_with_data(counts, CONDITIONAL_STAGES, win.dates):
            span, note = _windows(coverages, measure, period, win)
            out += _partial(conditional_disparity(counts, measure, span, period=period, **common), note)
    return out


def changes(ctx: SectionContext) -> list[Estimate]:
    """Section 1 and 4: then-vs-now change of each measure both windows hold, and of its disparity."""
    counts, params, coverages = ctx.counts, ctx.params, ctx.coverages
    out: list[Estimate] = []
    for measure in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES):
        if not (
            measures_with_data(counts, [measure], params.then.dates)
            and measures_with_data(counts, [measure], params.now.dates)
        ):
            continue
        then, then_note = _windows(coverages, measure, Period.THEN, params.then)
        now, now_note = _windows(coverages, measure, Period.NOW, params.now)
        found = rate_change(counts, measure, then, now, groups=params.groups, level=params.options.level)
        found += disparity_change(
            counts,
            measure,
            then,
            now,
            groups=params.groups,
            reference=params.reference_group,
            level=params.options.level,
        )
        out += _partial(_partial(found, then_note), now_note)
    return out


def funnels(ctx: SectionContext) -> list[Estimate]:
    """Section 4: the stage funnel (docs/methods.md §1.3), then and now; one span per window (the first stage's
    coverage) so the per-resident ratio is exactly the product of the stage ratios."""
    counts, params = ctx.counts, ctx.params
    out: list[Estimate] = []
    common = dict(
        groups=params.groups,
        reference=params.reference_group,
        level=params.options.level,
        rate_per=params.options.rate_per,
    )
    for period, win in _periods(params):
        held = measures_with_data(counts, FUNNEL_ORDER, win.dates)
        if held:
            span, note = _windows(ctx.coverages, held[0], period, win)
            # A stage recorded over less of the window (a blank field) narrows every stage to its span.
            for measure in held[1:]:
                narrower, stage_note = _windows(ctx.coverages, measure, period, win)
                if narrower[0] > span[0] or narrower[1] < span[1]:
                    span, note = (max(span[0], narrower[0]), min(span[1], narrower[1])), stage_note
            out += _partial(funnel(counts, span, period=period, **common), note)
    return out


def outcome_tests(ctx: SectionContext) -> list[Estimate]:
    """Section 5: the outcome (hit-rate) test, pooled and within districts, then and now (docs/methods.md §3)."""
    params = ctx.params
    out: list[Estimate] = []
    for period, win in _periods(params):
        out += outcome_test(
            ctx.sources,
            win.dates,
            period=period,
            groups=params.groups,
            reference=params.reference_group,
            level=params.options.level,
        )
    return out


def veils_of_darkness(ctx: SectionContext) -> list[Estimate]:
    """Section 5: the veil-of-darkness test, Black vs reference drivers, where stop times of vehicle stops and a
    location exist (docs/methods.md §4)."""
    params = ctx.params
    if params.location is None:
        return []
    out: list[Estimate] = []
    for period, win in _periods(params):
        out += veil_of_darkness(
            ctx.sources,
            win.dates,
            location=params.location,
            reference=params.reference_group,
            period=period,
            level=params.options.level,
        )
    return out


def workforce(ctx: SectionContext) -> list[Estimate]:
    """Section 8: officers vs residents, then and now, each officer snapshot reported once, under the window it
    falls in (or, outside both, the nearer one); the change between the then and the now officer snapshots; and
    where officers live (each residency snapshot reported once, likewise)."""
    counts, params, sources = ctx.counts, ctx.params, ctx.sources
    common = dict(groups=params.groups, level=params.options.level)
    windows = _periods(params)
    found = {period: representation(counts, win.dates, period=period, **common) for period, win in windows}
    living = {period: officer_residency(sources, win.dates, period=period, **common) for period, win in windows}
    return [
        *_once_per_snapshot(found, params),
        *representation_change(counts, params.then.dates, params.now.dates, **common),
        *_once_per_snapshot(living, params),
    ]


def force(ctx: SectionContext) -> list[Estimate]:
    """Section 4 (force): per arrest, severity mix and injuries by race, then and now, and the Force Report vs
    OAG subject shares (metrics.force)."""
    params = ctx.params
    return force_estimates(
        ctx.counts,
        ctx.sources,
        then=params.then.dates,
        now=params.now.dates,
        groups=params.groups,
        reference=params.reference_group,
        level=params.options.level,
        rate_per=params.options.rate_per,
    )


def police_killings(ctx: SectionContext) -> list[Estimate]:
    """Section 7: people killed by police — counts per year for the chart, the disparity pooled over the data
    span (a window's count is usually too small), and the 2015 Guardian-vs-Post coverage check."""
    counts, params, sources, coverages = ctx.counts, ctx.params, ctx.sources, ctx.coverages
    common = dict(groups=params.groups, level=params.options.level)
    return [
        *killings.annual_counts(counts, coverages, now=params.now.dates, **common),
        *killings.pooled_disparity(counts, coverages, reference=params.reference_group, **common),
        *killings.source_comparison(sources, **common),
    ]


def trust(ctx: SectionContext) -> list[Estimate]:
    """Section 9: trust and safety surveys by group then and now, the gap vs the reference group and their
    changes, and community contacts per resident (metrics.trust)."""
    params = ctx.params
    return trust_and_contacts(
        ctx.counts,
        ctx.sources,
        then=params.then.dates,
        now=params.now.dates,
        groups=params.groups,
        reference=params.reference_group,
        level=params.options.level,
        rate_per=params.options.rate_per,
        coverages=ctx.coverages,
    )


def accountability(ctx: SectionContext) -> list[Estimate]:
    """Section 6: lawsuits and settlements by year and then vs now, in constant dollars (docs/methods.md §6, §2.2)."""
    params = ctx.params
    return lawsuit_estimates(ctx.counts, ctx.sources, params.then.dates, params.now.dates, level=params.options.level)


def homicides(ctx: SectionContext) -> list[Estimate]:
    """Section 7: homicide victims vs all other people and clearance gaps by victim race, then and now (beyond the
    generic disparities and changes), and the year to date on the latest day the homicide data cover."""
    counts, params, coverages = ctx.counts, ctx.params, ctx.coverages
    out: list[Estimate] = []
    common = dict(groups=params.groups, reference=params.reference_group, level=params.options.level)
    for period, win in _periods(params):
        if measures_with_data(counts, [Measure.HOMICIDE_VICTIMS], win.dates):
            span, note = _windows(coverages, Measure.HOMICIDE_VICTIMS, period, win)
            out += _partial(homicide_disparities(counts, span, period=period, **common), note)
    out += homicides_year_to_date(
        counts,
        coverages,
        as_of=params.options.ytd_as_of,
        groups=[Group.ALL, *params.groups],
        level=params.options.level,
    )
    return out


def _once_per_snapshot(found: dict[Period, list[Estimate]], params: Params) -> list[Estimate]:
    """A snapshot both windows picked is reported once, under the window it falls in (or the nearer one)."""
    then, now = found[Period.THEN], found[Period.NOW]
    if then and now and then[0].window == now[0].window:
        vintage = then[0].window
        nearer_now = _distance(vintage, params.now.dates) <= _distance(vintage, params.then.dates)
        return now if nearer_now else then
    return [*then, *now]


def _distance(a: tuple[date, date], b: tuple[date, date]) -> int:
    """Days between two windows (0 when they overlap)."""
    return max(0, (b[0] - a[1]).days, (a[0] - b[1]).days)


def with_source_caveats(estimates: Sequence[Estimate], sources: Sequence[SourceData]) -> list[Estimate]:
    """Flag every per-resident estimate whose residents come from a source with overlapping race categories, and
    note the ACS margins of error of its residents where the source gives them."""
    overlapping = {
        s.info.id: found[0] for s in sources if (found := of_kind(s.caveats, CaveatKind.OVERLAPPING_CATEGORIES))
    }
    margins = {s.info.id: found[0] for s in sources if (found := of_kind(s.caveats, CaveatKind.RESIDENT_MARGINS))}
    out = []
    for est in estimates:
        on_residents = est.denominator_kind == DenominatorKind.RESIDENTS or est.measure == Measure.RESIDENTS
        hit = [overlapping[s] for s in est.sources if s in overlapping]
        if hit and on_residents:
            est = est.with_flags(Flag.OVERLAPPING_CATEGORIES, note=hit[0])
        moe = [margins[s] for s in est.sources if s in margins]
        if moe and on_residents:
            est = est.with_flags(note=moe[0])
        out.append(est)
    return out


def with_adjusted_p_values(estimates: Sequence[Estimate]) -> list[Estimate]:
    """Benjamini–Hochberg across every test in the report (docs/methods.md §5.4), beside the raw p-values."""
    return adjust_estimates(list(estimates), method="fdr_bh")


def unique_ids(estimates: Sequence[Estimate]) -> list[Estimate]:
    """Guarantee unique ids (a second estimate with the same id gets a numeric suffix, and a warning: two
    sections describing the same thing is a wiring mistake to fix, but not a reason to lose the report)."""
    seen: dict[str, int] = {}
    out = []
    for est in estimates:
        n = seen.get(est.id, 0)
        seen[est.id] = n + 1
        if n:
            log.warning("estimate id %s produced %d times; renamed %s.%d", est.id, n + 1, est.id, n + 1)
        out.append(est if n == 0 else replace(est, id=f"{est.id}.{n + 1}"))
    return out


def method_caveats(estimates: Sequence[Estimate], stopped: str = STOPPED_NOUNS[StopMode.VEHICULAR]) -> list[str]:
    """The standard caveats of the methods the estimates used (benchmark problem, infra-marginality); `stopped`
    names the people stopped (`trustreport.stop_mode`)."""
    measures = {(e.measure, e.denominator_kind) for e in estimates}
    found = []
    if (Measure.STOPS, DenominatorKind.RESIDENTS) in measures:
        who = f"the {stopped}" if stopped == STOPPED_NOUNS[StopMode.MIXED] else stopped
        found.append(BENCHMARK_CAVEAT.format(stopped=who))
    if any(m == Measure.HITS for m, _ in measures):
        found.append(HIT_RATE_CAVEAT)
    return found
