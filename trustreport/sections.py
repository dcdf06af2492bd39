"""The report's analyses, one function per section: which metrics run on which measures and windows.

`report.build()` calls these in order; they hold the loops over measures and periods so that `build()` reads
like a table of contents (STYLE habit 6).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from trustreport import fmt
from trustreport.caveat import CaveatKind, of_kind
from trustreport.counts import Coverage, covered_window, window_totals
from trustreport.estimate import Estimate
from trustreport.metrics import police_killings as killings
from trustreport.metrics.disparity import conditional_disparity, per_resident_disparity
from trustreport.metrics.force import force_estimates
from trustreport.metrics.funnel import FUNNEL_ORDER, funnel
from trustreport.metrics.homicides import homicide_disparities, homicides_year_to_date
from trustreport.metrics.lawsuits import lawsuits as lawsuit_estimates
from trustreport.metrics.outcome_test import outcome_test
from trustreport.metrics.then_now import disparity_change, rate_change
from trustreport.metrics.trust import trust_and_contacts
from trustreport.metrics.veil_of_darkness import veil_of_darkness
from trustreport.metrics.workforce import officer_residency, representation, representation_change
from trustreport.params import Params, Window
from trustreport.sources.base import SourceData
from trustreport.stats.multiplicity import adjust_estimates
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    PER_RESIDENT_MEASURES,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
)

log = logging.getLogger("trustreport")


def measures_with_data(counts: pd.DataFrame, measures: Iterable[Measure], window) -> list[Measure]:
    """The measures among `measures` that have at least one event inside `window`."""
    return [m for m in measures if window_totals(counts, m, window)["value"].sum() > 0]


def _periods(params: Params) -> tuple[tuple[Period, Window], tuple[Period, Window]]:
    """The two report windows, then and now, each with its period."""
    return (Period.THEN, params.then), (Period.NOW, params.now)


def _windows(coverages, measure, period, win) -> tuple[tuple[date, date], str | None]:
    """The window a measure's estimates use, and a partial-coverage note when it is narrower than asked."""
    span, share = covered_window(coverages, measure, win.dates)
    if span == win.dates:
        return span, None
    return span, (
        f"{measure} data cover {fmt.window(*span)} only ({fmt.pct(share, digits=0)} of the {period} window "
        f"{fmt.window(*win.dates)}); rates use the covered span"
    )


def _partial(estimates: list[Estimate], note: str | None) -> list[Estimate]:
    return [e.with_flags(Flag.PARTIAL_COVERAGE, note=note) for e in estimates] if note else estimates


def disparities(counts: pd.DataFrame, params: Params, coverages: Sequence[Coverage] = ()) -> list[Estimate]:
    """Section 4–5: per-resident and stage-by-stage disparities, for the then and the now window."""
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


def changes(counts: pd.DataFrame, params: Params, coverages: Sequence[Coverage] = ()) -> list[Estimate]:
    """Section 1 and 4: then-vs-now change of each measure both windows hold, and of its disparity."""
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


def funnels(counts: pd.DataFrame, params: Params, coverages: Sequence[Coverage] = ()) -> list[Estimate]:
    """Section 4: the stage funnel (methods §1.3), then and now; one span per window (the first stage's
    coverage) so the per-resident ratio is exactly the product of the stage ratios."""
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
            span, note = _windows(coverages, held[0], period, win)
            out += _partial(funnel(counts, span, period=period, **common), note)
    return out


def outcome_tests(sources: Sequence[SourceData], params: Params) -> list[Estimate]:
    """Section 5: the outcome (hit-rate) test, pooled and within districts, then and now (methods §3)."""
    out: list[Estimate] = []
    for period, win in _periods(params):
        out += outcome_test(
            sources,
            win.dates,
            period=period,
            groups=params.groups,
            reference=params.reference_group,
            level=params.options.level,
        )
    return out


def veils_of_darkness(sources: Sequence[SourceData], params: Params) -> list[Estimate]:
    """Section 5: the veil-of-darkness test, Black vs reference drivers, where stop times and a location exist
    (methods §4)."""
    if params.location is None:
        return []
    out: list[Estimate] = []
    for period, win in _periods(params):
        out += veil_of_darkness(
            sources,
            win.dates,
            location=params.location,
            reference=params.reference_group,
            period=period,
            level=params.options.level,
        )
    return out


def workforce(counts: pd.DataFrame, params: Params, sources: Sequence[SourceData] = ()) -> list[Estimate]:
    """Section 8: officers vs residents, then and now, each officer snapshot reported once, under the window it
    falls in (or, outside both, the nearer one); the change between the then and the now officer snapshots; and
    where officers live (each residency snapshot reported once, likewise)."""
    common = dict(groups=params.groups, level=params.options.level)
    windows = _periods(params)
    found = {period: representation(counts, win.dates, period=period, **common) for period, win in windows}
    living = {period: officer_residency(sources, win.dates, period=period, **common) for period, win in windows}
    return [
        *_once_per_snapshot(found, params),
        *representation_change(counts, params.then.dates, params.now.dates, **common),
        *_once_per_snapshot(living, params),
    ]


def force(counts: pd.DataFrame, sources: Sequence[SourceData], params: Params) -> list[Estimate]:
    """Section 4 (force): per arrest, severity mix and injuries by race, then and now, and the Force Report vs
    OAG subject shares (metrics.force)."""
    return force_estimates(
        counts,
        sources,
        then=params.then.dates,
        now=params.now.dates,
        groups=params.groups,
        reference=params.reference_group,
        level=params.options.level,
        rate_per=params.options.rate_per,
    )


def police_killings(
    counts: pd.DataFrame, sources: Sequence[SourceData], params: Params, coverages: Sequence[Coverage] = ()
) -> list[Estimate]:
    """Section 7: people killed by police — counts per year for the chart, the disparity pooled over the data
    span (a window's count is usually too small), and the 2015 Guardian-vs-Post coverage check."""
    common = dict(groups=params.groups, level=params.options.level)
    return [
        *killings.annual_counts(counts, coverages, now=params.now.dates, **common),
        *killings.pooled_disparity(counts, coverages, reference=params.reference_group, **common),
        *killings.source_comparison(sources, **common),
    ]


def trust(
    counts: pd.DataFrame, sources: Sequence[SourceData], params: Params, coverages: Sequence[Coverage] = ()
) -> list[Estimate]:
    """Section 9: trust and safety surveys by group then and now, the gap vs the reference group and their
    changes, and community contacts per resident (metrics.trust)."""
    return trust_and_contacts(
        counts,
        sources,
        then=params.then.dates,
        now=params.now.dates,
        groups=params.groups,
        reference=params.reference_group,
        level=params.options.level,
        rate_per=params.options.rate_per,
        coverages=coverages,
    )


def accountability(counts: pd.DataFrame, sources: Sequence[SourceData], params: Params) -> list[Estimate]:
    """Section 6: lawsuits and settlements by year and then vs now, in constant dollars (methods §6, §2.2)."""
    return lawsuit_estimates(counts, sources, params.then.dates, params.now.dates, level=params.options.level)


def homicides(counts: pd.DataFrame, params: Params, coverages: Sequence[Coverage] = ()) -> list[Estimate]:
    """Section 7: homicide victims vs all other people and clearance gaps by victim race, then and now (beyond the
    generic disparities and changes), and the year to date on the latest day the homicide data cover."""
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
    """Flag every per-resident estimate whose residents come from a source with overlapping race categories."""
    overlapping = {
        s.info.id: found[0] for s in sources if (found := of_kind(s.caveats, CaveatKind.OVERLAPPING_CATEGORIES))
    }
    out = []
    for est in estimates:
        hit = [overlapping[s] for s in est.sources if s in overlapping]
        if hit and (est.denominator_kind == DenominatorKind.RESIDENTS or est.measure == Measure.RESIDENTS):
            est = est.with_flags(Flag.OVERLAPPING_CATEGORIES, note=hit[0])
        out.append(est)
    return out


def with_adjusted_p_values(estimates: Sequence[Estimate]) -> list[Estimate]:
    """Benjamini–Hochberg across every test in the report (methods §5.4), beside the raw p-values."""
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


_BENCHMARK_CAVEAT = (
    "Residents are not drivers: per-resident stop rates set stops against the people who live in the city, "
    "not the people who drive or walk there. Commuters and visitors are stopped too, so a ratio can reflect who "
    "travels in the city as much as how police treat each group."
)
_HIT_RATE_CAVEAT = (
    "Hit rates (the share of searches that found contraband) are an outcome test: lower hit rates for a group "
    "suggest a lower bar for searching it, but hit rates also depend on how risk is distributed within each group "
    "(infra-marginality), so equal hit rates do not prove equal treatment."
)


def method_caveats(estimates: Sequence[Estimate]) -> list[str]:
    """The standard caveats of the methods the estimates used (benchmark problem, infra-marginality)."""
    measures = {(e.measure, e.denominator_kind) for e in estimates}
    found = []
    if (Measure.STOPS, DenominatorKind.RESIDENTS) in measures:
        found.append(_BENCHMARK_CAVEAT)
    if any(m == Measure.HITS for m, _ in measures):
        found.append(_HIT_RATE_CAVEAT)
    return found
