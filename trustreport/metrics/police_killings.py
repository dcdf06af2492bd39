"""Police killings (report section 7): what the generic per-resident disparities cannot show when a city's
yearly counts are a handful.

The per-resident rate, the rate ratio vs the reference group (exact conditional interval) and the then-vs-now
change of `police_killings` come from `metrics.disparity` and `metrics.then_now` like any other per-resident
measure. This module adds (ids `measure.statistic.group.period`):

- `annual_count`: people killed per calendar year and group over the span the sources cover, with the Garwood
  exact interval (docs/methods.md §1.2B, G6); the series the chart draws. A year the data cover only in part is flagged
  `partial coverage`. The id's last part is the year (`police_killings.annual_count.black.2016`); `period` is
  `then` for years before the now window starts, `now` from then on.
- `pooled_count`, `pooled_rate`, `pooled_rate_ratio` (period `now`, window = every day the sources cover): the
  per-resident disparity of docs/methods.md §1.2B over the whole data span, per `rate_per` residents per year, because
  a city's count in a then or now window is usually under 20 (unstable) or under 5 (no ratio; docs/methods.md §5.3).
- `guardian_killings`, `guardian_gunshot_deaths`, `wapo_fatal_shootings` (counts, Garwood interval) and
  `wapo_share_of_guardian_gunshots` (no interval) for the days both the Guardian's 2015 count and the Post's
  Fatal Force cover: a labelled coverage check of the two sources, not an estimate of anything.

Two sources whose coverage overlaps would count the same deaths twice in the counts table; every estimate
made over such days is flagged `not comparable` with a note saying how to avoid it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from trustreport.caveat import CaveatKind, of_kind
from trustreport.counts import Coverage
from trustreport.estimate import Estimate
from trustreport.metrics.disparity import per_resident_disparity
from trustreport.metrics.inputs import estimate_id, flow_counts, groups_shown, merge_sources, new_estimate, span
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.sources.base import SourceData
from trustreport.statistic import POOLED, Statistic
from trustreport.stats import intervals as iv
from trustreport.vocab import DateSpan, Flag, Group, Measure, Period

MEASURE = Measure.POLICE_KILLINGS
WAPO_KIND = "wapo_police_shootings"
GUARDIAN_KIND = "police_killings_2015"
GUNSHOT = "Gunshot"

COMPARISON_NOTE = (
    "Coverage check, not an estimate: the Guardian counted every death caused by police (any means), the "
    "Washington Post only fatal shootings; the two lists were compiled independently, so no interval is given "
    "for their ratio."
)


def annual_counts(
    counts: pd.DataFrame,
    coverages: Sequence[Coverage],
    *,
    groups: Sequence[Group],
    now: DateSpan,
    level: float = 0.95,
) -> list[Estimate]:
    """Per calendar year the sources cover and per group (and `all`): the count of people killed by police,
    Garwood exact interval (docs/methods.md §1.2B), flagged `partial coverage` where the year is covered in part and
    `unstable` under 20 (docs/methods.md §5.3)."""
    out: list[Estimate] = []
    for year_window, covered in _covered_years(coverages):
        events = flow_counts(counts, MEASURE, covered)
        period = Period.NOW if year_window[0] >= now[0] else Period.THEN
        overlap = _double_counted(coverages, covered)
        for group in groups_shown(groups, events):
            x = events.count(group)
            if x is None:
                continue
            ci = iv.poisson_rate_ci(x, level=level)
            est = Estimate(
                id=f"{MEASURE}.annual_count.{group}.{year_window[0].year}",
                measure=MEASURE,
                statistic=Statistic.ANNUAL_COUNT,
                group=group,
                period=period,
                window=covered,
                value=x,
                numerator=x,
                ci=ci.bounds,
                ci_method=ci.method,
                sources=events.sources_of(group),
            )
            if covered != year_window:
                est = est.with_flags(Flag.PARTIAL_COVERAGE, note=f"the data cover {span(covered)} only")
            out.append(_flag_overlap(apply_stability(est, x), overlap))
    return out


def pooled_disparity(
    counts: pd.DataFrame,
    coverages: Sequence[Coverage],
    *,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 100_000,
) -> list[Estimate]:
    """Count, rate per resident per year and rate ratio vs `reference` over every day the sources cover
    (docs/methods.md §1.2B: exact conditional interval and test for the ratio; Garwood for counts and rates), as
    `metrics.disparity.per_resident_disparity` computes them, renamed `pooled_*`. [] without coverage."""
    window = _data_span(coverages)
    if window is None:
        return []
    found = per_resident_disparity(
        counts, MEASURE, window, period=Period.NOW, groups=groups, reference=reference, level=level, rate_per=rate_per
    )
    note = (
        f"pooled over every day the data cover ({span(window)}), because a single window's count is too small "
        "for a stable rate"
    )
    overlap = _double_counted(coverages, window)
    return [_flag_overlap(_pooled(est).with_flags(note=note), overlap) for est in found]


def source_comparison(
    sources: Sequence[SourceData],
    *,
    groups: Sequence[Group],
    period: Period = Period.THEN,
    level: float = 0.95,
) -> list[Estimate]:
    """For the days both the Guardian's 2015 count and the Post's Fatal Force cover, per group: the Guardian's
    killings (all causes), its gunshot deaths, the Post's fatal shootings (Garwood exact intervals), and the
    Post's count as a share of the Guardian's gunshot deaths (a coverage check; no interval). [] unless the
    report reads both sources."""
    wapo = [s for s in sources if s.info.kind == WAPO_KIND]
    guardian = [s for s in sources if s.info.kind == GUARDIAN_KIND]
    if not wapo or not guardian:
        return []
    window = _comparison_window(wapo, guardian)
    if window is None:
        return []
    by_cause = _guardian_rows(guardian, window)
    shootings = _wapo_rows(wapo, window)
    notes = (COMPARISON_NOTE, *_selections([*wapo, *guardian]))
    out: list[Estimate] = []
    for group in dict.fromkeys([*groups, Group.ALL]):
        g_all = _total(by_cause, group)
        g_gun = _total(by_cause[by_cause["cause"] == GUNSHOT], group)
        w_shot = _total(shootings, group)
        ids = (merge_sources(*(s.info.id for s in guardian)), merge_sources(*(s.info.id for s in wapo)))
        common = dict(group=group, period=period, window=window, level=level, notes=notes)
        out += [
            _count(Statistic.GUARDIAN_KILLINGS, g_all, ids[0], **common),
            _count(Statistic.GUARDIAN_GUNSHOT_DEATHS, g_gun, ids[0], **common),
            _count(Statistic.WAPO_FATAL_SHOOTINGS, w_shot, ids[1], **common),
            _share(w_shot, g_gun, merge_sources(*ids), group=group, period=period, window=window, notes=notes),
        ]
    return out


def _pooled(est: Estimate) -> Estimate:
    statistic = POOLED[est.statistic]
    return replace(est, statistic=statistic, id=estimate_id(est.measure, statistic, est.group, est.period))


def _data_span(coverages: Sequence[Coverage]) -> DateSpan | None:
    held = [c for c in coverages if c.measure == MEASURE]
    if not held:
        return None
    return min(c.start for c in held), max(c.end for c in held)


def _covered_years(coverages: Sequence[Coverage]) -> list[tuple[DateSpan, DateSpan]]:
    """(calendar year, the part of it the sources cover) for each year they touch; gaps inside a year are
    ignored because every source here covers one unbroken span."""
    window = _data_span(coverages)
    if window is None:
        return []
    out = []
    for year in range(window[0].year, window[1].year + 1):
        whole = (date(year, 1, 1), date(year, 12, 31))
        parts = [(max(c.start, whole[0]), min(c.end, whole[1])) for c in coverages if c.measure == MEASURE]
        parts = [p for p in parts if p[0] <= p[1]]
        out.append((whole, (min(p[0] for p in parts), max(p[1] for p in parts))))
    return out


def _double_counted(coverages: Sequence[Coverage], window: DateSpan) -> str | None:
    """A note when two sources of police killings cover overlapping days inside `window`."""
    held = [c for c in coverages if c.measure == MEASURE and c.start <= window[1] and c.end >= window[0]]
    for i, a in enumerate(held):
        for b in held[i + 1 :]:
            if a.source_id != b.source_id and a.start <= b.end and b.start <= a.end:
                both = (max(a.start, b.start), min(a.end, b.end))
                return (
                    f"sources {a.source_id} and {b.source_id} both count {span(both)}, so those deaths are counted "
                    "twice; set `emit_counts: false` on the Guardian 2015 source to keep it for the coverage check "
                    "only"
                )
    return None


def _flag_overlap(est: Estimate, overlap: str | None) -> Estimate:
    return est.with_flags(Flag.NOT_COMPARABLE, note=overlap) if overlap else est


def _comparison_window(wapo: Sequence[SourceData], guardian: Sequence[SourceData]) -> DateSpan | None:
    """The days every one of the sources covers (the Guardian's from its `coverage` extras, which it keeps even
    when it emits no counts), or None."""
    spans = [(c.start, c.end) for s in wapo for c in s.coverage if c.measure == MEASURE]
    for source in guardian:
        table = source.extras.get("coverage")
        if table is None or table.empty:
            return None
        spans.append((pd.Timestamp(table["start"].iloc[0]).date(), pd.Timestamp(table["end"].iloc[0]).date()))
    if len(spans) <= len(guardian):
        return None
    start, end = max(s for s, _ in spans), min(e for _, e in spans)
    return (start, end) if start <= end else None


def _guardian_rows(guardian: Sequence[SourceData], window: DateSpan) -> pd.DataFrame:
    frames = [s.extras["by_cause"] for s in guardian if "by_cause" in s.extras]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["date", "group", "cause"])
    inside = (rows["date"] >= pd.Timestamp(window[0])) & (rows["date"] <= pd.Timestamp(window[1]))
    return rows.loc[inside].rename(columns={str(MEASURE): "value"})


def _wapo_rows(wapo: Sequence[SourceData], window: DateSpan) -> pd.DataFrame:
    rows = pd.concat([s.counts for s in wapo], ignore_index=True)
    inside = (
        (rows["measure"] == str(MEASURE))
        & (rows["period_start"] >= pd.Timestamp(window[0]))
        & (rows["period_end"] <= pd.Timestamp(window[1]))
    )
    return rows.loc[inside & (rows["group"] != str(Group.ALL))]


def _total(rows: pd.DataFrame, group: Group) -> float:
    """A group's total; `all` sums every group (both tables hold exclusive groups)."""
    if group == Group.ALL:
        return float(rows["value"].sum())
    return float(rows.loc[rows["group"] == str(group), "value"].sum())


def _selections(sources: Sequence[SourceData]) -> tuple[str, ...]:
    """Each source's "Counted here: …" caveat, so a reader sees whether the two select the same deaths."""
    return tuple(f"{s.info.id}: {c}" for s in sources for c in of_kind(s.caveats, CaveatKind.COUNTED_HERE))


def _count(
    statistic: Statistic,
    x: float,
    sources: tuple[str, ...],
    *,
    group: Group,
    period: Period,
    window: DateSpan,
    level: float,
    notes: tuple[str, ...],
) -> Estimate:
    ci = iv.poisson_rate_ci(x, level=level)
    est = new_estimate(
        MEASURE,
        statistic,
        group,
        period,
        window,
        value=x,
        numerator=x,
        ci=ci.bounds,
        ci_method=ci.method,
        sources=sources,
        notes=notes,
    )
    return apply_stability(est, x)


def _share(
    shootings: float,
    gunshots: float,
    sources: tuple[str, ...],
    *,
    group: Group,
    period: Period,
    window: DateSpan,
    notes: tuple[str, ...],
) -> Estimate:
    est = new_estimate(
        MEASURE,
        Statistic.WAPO_SHARE_OF_GUARDIAN_GUNSHOTS,
        group,
        period,
        window,
        value=shootings / gunshots if gunshots else None,
        numerator=shootings,
        denominator=gunshots,
        sources=sources,
        notes=notes,
    )
    if not gunshots:
        return not_estimable(est, "no gunshot deaths in the Guardian's count: no share")
    return apply_stability(est, shootings, gunshots)
