"""The report's analyses, one function per section: which metrics run on which measures and windows.

`report.build()` calls these in order; they hold the loops over measures and periods so that `build()` reads
like a table of contents (STYLE habit 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import pandas as pd

from trustreport.counts import window_totals
from trustreport.estimate import Estimate
from trustreport.metrics.disparity import conditional_disparity, per_resident_disparity
from trustreport.metrics.then_now import disparity_change, rate_change
from trustreport.metrics.workforce import representation
from trustreport.params import Params
from trustreport.sources.base import SourceData
from trustreport.stats.multiplicity import adjust_estimates
from trustreport.vocab import CONDITIONAL_STAGES, PER_RESIDENT_MEASURES, DenominatorKind, Flag, Measure, Period

OVERLAP_PREFIX = "Overlapping categories"


def measures_with_data(counts: pd.DataFrame, measures: Iterable[Measure], window) -> list[Measure]:
    """The measures among `measures` that have at least one event inside `window`."""
    return [m for m in measures if window_totals(counts, m, window)["value"].sum() > 0]


def disparities(counts: pd.DataFrame, params: Params) -> list[Estimate]:
    """Section 4–5: per-resident and stage-by-stage disparities, for the then and the now window."""
    out: list[Estimate] = []
    common = dict(groups=params.groups, reference=params.reference_group, level=params.options.level)
    for period, win in ((Period.THEN, params.then), (Period.NOW, params.now)):
        for measure in measures_with_data(counts, PER_RESIDENT_MEASURES, win.dates):
            out += per_resident_disparity(
                counts, measure, win.dates, period=period, rate_per=params.options.rate_per, **common
            )
        for measure in measures_with_data(counts, CONDITIONAL_STAGES, win.dates):
            out += conditional_disparity(counts, measure, win.dates, period=period, **common)
    return out


def changes(counts: pd.DataFrame, params: Params) -> list[Estimate]:
    """Section 1 and 4: then-vs-now change of each measure both windows hold, and of its disparity."""
    then, now = params.then.dates, params.now.dates
    out: list[Estimate] = []
    for measure in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES):
        if measure in measures_with_data(counts, [measure], then) and measure in measures_with_data(
            counts, [measure], now
        ):
            out += rate_change(counts, measure, then, now, groups=params.groups, level=params.options.level)
            out += disparity_change(
                counts,
                measure,
                then,
                now,
                groups=params.groups,
                reference=params.reference_group,
                level=params.options.level,
            )
    return out


def workforce(counts: pd.DataFrame, params: Params) -> list[Estimate]:
    """Section 8: officers vs residents, then and now (where a snapshot exists)."""
    out: list[Estimate] = []
    seen: set[tuple] = set()
    for period, win in ((Period.THEN, params.then), (Period.NOW, params.now)):
        found = representation(counts, win.dates, period=period, groups=params.groups, level=params.options.level)
        # A single snapshot would otherwise be reported twice, once per window: keep it where it belongs.
        if found and found[0].window in seen:
            continue
        if found:
            seen.add(found[0].window)
        out += found
    return out


def with_source_caveats(estimates: Sequence[Estimate], sources: Sequence[SourceData]) -> list[Estimate]:
    """Flag every per-resident estimate whose residents come from a source with overlapping race categories."""
    overlapping = {
        s.info.id: next(c for c in s.caveats if c.startswith(OVERLAP_PREFIX))
        for s in sources
        if any(c.startswith(OVERLAP_PREFIX) for c in s.caveats)
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
    """Guarantee unique ids (a second estimate with the same id gets a numeric suffix)."""
    seen: dict[str, int] = {}
    out = []
    for est in estimates:
        n = seen.get(est.id, 0)
        seen[est.id] = n + 1
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
