"""Workforce vs residents (docs/methods.md §7): who polices, who lives there, and where officers live.

- `representation`: officer share, resident share, representation ratio, percentage-point gap per group, and the
  dissimilarity index, for the officer snapshot nearest one window.
- `representation_change`: the officer snapshot of the then window against the one of the now window: the change
  in each group's officer share (Newcombe interval, two-proportion test, docs/methods.md §2.1) and the ratio of its
  representation ratios now ÷ then.
- `officer_residency`: the share of officers living in the city, by group (FiveThirtyEight police-locals), with a
  Wilson interval where the source gives a count and none where it gives a share only.
- `dissimilarity_index` / `duncan_dissimilarity`: D = ½ Σ |p_k − q_k| (Duncan & Duncan 1955).

Representation ratios, gaps, the dissimilarity index and their changes need resident shares that add up to 100 %
(Hispanic residents counted once, as police data count them); a resident table whose groups add up to more (race
and Hispanic origin overlapping) makes them not estimable, with the reason as their first note.

Officer counts are a census of the force, so an interval on an officer share is only meaningful if the force is
read as a draw from a hiring process; it is labelled so. Resident shares come from the census and are taken as
fixed. Residents are all ages (the census sources' total population): the benchmark is stated on every estimate
that uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import concat_counts, stock_snapshot
from trustreport.estimate import Estimate
from trustreport.metrics.inputs import merge_sources, new_estimate
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import GROUP_LABELS, DateSpan, DenominatorKind, Flag, Group, Measure, Period

_HIRING = "officers read as a draw from a hiring process"
_WILSON = f"Wilson score ({_HIRING})"
BENCHMARK_NOTE = (
    "benchmark: residents of all ages (the census total population); an 18+ or labour-force benchmark changes "
    "representation little (Wilson & Grammich 2022; docs/methods.md §7)"
)
PARITY_NOTE = "1 = parity; below 0.8 flags under-representation (four-fifths rule of thumb)"
DISSIMILARITY_NOTE = "share of officers who would need to be of a different group for the force to mirror residents"
RESIDENCY_KEY = "officer_residency"
# Resident groups must add up to the total within this share (rounding in published tables) to be a benchmark.
SHARE_TOLERANCE = 0.005
_RESIDENCY_WILSON = "Wilson score (census survey estimates read as counts: understates their error)"
_RESIDENCY_NOTE = (
    "officers working in the city (census occupation, including other agencies) who live inside city limits; "
    "not the department's roster"
)


def dissimilarity_index(p: Sequence[float], q: Sequence[float]) -> float:
    """D = ½ Σ_k |p_k − q_k| for two distributions given as shares over the same categories (docs/methods.md §7)."""
    if len(p) != len(q):
        raise ValueError(f"the two distributions have {len(p)} and {len(q)} categories")
    return sum(abs(a - b) for a, b in zip(p, q, strict=True)) / 2


def duncan_dissimilarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Duncan & Duncan (1955) D = ½ Σ_i |a_i/A − b_i/B| over units i for two groups' counts (docs/methods.md §7; R
    `segregation::dissimilarity`)."""
    total_a, total_b = sum(a), sum(b)
    if total_a <= 0 or total_b <= 0:
        raise ValueError("each group needs a positive total")
    return dissimilarity_index([x / total_a for x in a], [x / total_b for x in b])


@dataclass(frozen=True)
class _Snapshot:
    """Officers (unknown race excluded) and residents by group for one window, with vintages and sources."""

    officers: dict[str, float]
    residents: dict[str, float]
    officer_total: float
    resident_total: float
    officer_vintage: DateSpan
    resident_vintage: DateSpan
    officer_sources: tuple[str, ...]
    resident_sources: tuple[str, ...]

    def officer_share(self, group: Group) -> float:
        return self.officers.get(str(group), 0.0) / self.officer_total

    def resident_share(self, group: Group) -> float:
        return self.residents.get(str(group), 0.0) / self.resident_total

    @property
    def share_refusal(self) -> str | None:
        """Why resident shares cannot serve as a benchmark: the table's groups do not add up to its total (census
        tables whose race groups overlap with Hispanic origin add up to more than 100 %). None when they do."""
        parts = sum(v for g, v in self.residents.items() if g not in (Group.ALL, Group.UNKNOWN))
        total = parts / self.resident_total
        if abs(total - 1) <= SHARE_TOLERANCE:
            return None
        return (
            f"not estimable: the resident groups add up to {total:.0%} of the total population, not 100% "
            "(race groups that overlap with Hispanic origin), so resident shares are not a valid benchmark"
        )

    @property
    def vintage_note(self) -> str | None:
        if self.officer_vintage == self.resident_vintage:
            return None
        years = f"officers counted {self.officer_vintage[0].year}, residents {self.resident_vintage[0].year}"
        return Caveat(CaveatKind.DENOMINATOR_VINTAGE, years)


def _snapshot(counts: pd.DataFrame, window: DateSpan) -> _Snapshot | None:
    """The officer and resident snapshots nearest `window`, or None when either is missing or empty."""
    officers, off_vintage = stock_snapshot(counts, Measure.OFFICERS, window)
    residents, res_vintage = stock_snapshot(counts, Measure.RESIDENTS, window)
    if off_vintage is None or res_vintage is None:
        return None
    off = dict(zip(officers["group"], officers["value"], strict=True))
    res = dict(zip(residents["group"], residents["value"], strict=True))
    off_total = sum(v for g, v in off.items() if g not in (Group.ALL, Group.UNKNOWN))
    res_total = res.get(Group.ALL) or sum(v for g, v in res.items() if g not in (Group.ALL, Group.UNKNOWN))
    if off_total <= 0 or res_total <= 0:
        return None
    return _Snapshot(
        officers=off,
        residents=res,
        officer_total=off_total,
        resident_total=res_total,
        officer_vintage=off_vintage,
        resident_vintage=res_vintage,
        officer_sources=merge_sources(*officers["sources"]),
        resident_sources=merge_sources(*residents["sources"]),
    )


def representation(
    counts: pd.DataFrame,
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    level: float = 0.95,
) -> list[Estimate]:
    """Officer share, resident share, representation ratio and percentage-point gap per group, and the
    dissimilarity index D = ½ Σ |p_officers − p_residents| over the groups shown (docs/methods.md §7).

    Officers of unknown race are excluded from the officer total (as Governing 2015 did). The officer share has
    a Wilson interval; the ratio's and the gap's are that interval divided by, or less, the resident share.
    Every estimate built on residents carries the resident source's id (so its caveats, e.g. overlapping census
    categories, apply) and the benchmark note. Returns [] when either snapshot is missing.
    """
    snap = _snapshot(counts, window)
    if snap is None:
        return []
    both = (*snap.officer_sources, *snap.resident_sources)
    out = [e for group in groups for e in _group_representation(snap, group, period, both, level)]
    out.append(_dissimilarity(snap, groups, period, both))
    if refusal := snap.share_refusal:
        out = [not_estimable(e, refusal) if e.denominator_kind == DenominatorKind.RESIDENTS else e for e in out]
    note = snap.vintage_note
    return [e.with_flags(Flag.DENOMINATOR_VINTAGE, note=note) for e in out] if note else out


def _group_representation(
    snap: _Snapshot, group: Group, period: Period, sources: tuple[str, ...], level: float
) -> list[Estimate]:
    """One group's officer share (Wilson), resident share, representation ratio (none without residents) and
    percentage-point gap; the ratio's and the gap's intervals are the officer share's, ÷ or − the resident share
    (docs/methods.md §7)."""
    p_off, p_res = snap.officer_share(group), snap.resident_share(group)
    k = snap.officers.get(str(group), 0.0)
    wilson = iv.proportion_ci(k, snap.officer_total, level=level)
    lo, hi = wilson.low, wilson.high
    officers = new_estimate(
        Measure.OFFICERS, Statistic.SHARE, group, period, snap.officer_vintage, value=p_off, numerator=k,
        denominator=snap.officer_total, denominator_kind=DenominatorKind.OFFICERS, ci=(lo, hi), ci_method=_WILSON,
        sources=sources,
    )  # fmt: skip
    residents = new_estimate(
        Measure.RESIDENTS, Statistic.SHARE, group, period, snap.resident_vintage, value=p_res,
        numerator=snap.residents.get(str(group), 0.0), denominator=snap.resident_total,
        denominator_kind=DenominatorKind.RESIDENTS, sources=snap.resident_sources, notes=(BENCHMARK_NOTE,),
    )  # fmt: skip
    vs_residents = dict(
        numerator=p_off, denominator=p_res, denominator_kind=DenominatorKind.RESIDENTS, ci_method=_WILSON,
        sources=sources,
    )  # fmt: skip
    gap = new_estimate(
        Measure.OFFICERS, Statistic.PERCENTAGE_POINT_GAP, group, period, snap.officer_vintage, value=p_off - p_res,
        ci=(lo - p_res, hi - p_res), notes=(BENCHMARK_NOTE,), **vs_residents,
    )  # fmt: skip
    if p_res <= 0:
        return [officers, residents, gap]
    ratio = new_estimate(
        Measure.OFFICERS, Statistic.REPRESENTATION_RATIO, group, period, snap.officer_vintage, value=p_off / p_res,
        ci=(lo / p_res, hi / p_res), notes=(PARITY_NOTE, BENCHMARK_NOTE), **vs_residents,
    )  # fmt: skip
    return [officers, residents, ratio, gap]


def _dissimilarity(snap: _Snapshot, groups: Sequence[Group], period: Period, sources: tuple[str, ...]) -> Estimate:
    """D over the groups shown; its denominator kind is residents so that resident-source caveats apply."""
    value = dissimilarity_index([snap.officer_share(g) for g in groups], [snap.resident_share(g) for g in groups])
    return new_estimate(
        Measure.OFFICERS, Statistic.DISSIMILARITY_INDEX, Group.ALL, period, snap.officer_vintage, value=value,
        denominator_kind=DenominatorKind.RESIDENTS, sources=sources, notes=(DISSIMILARITY_NOTE, BENCHMARK_NOTE),
    )  # fmt: skip


def representation_change(
    counts: pd.DataFrame,
    then: DateSpan,
    now: DateSpan,
    *,
    groups: Sequence[Group],
    level: float = 0.95,
) -> list[Estimate]:
    """Per group, the officer snapshot of the then window against the one of the now window (docs/methods.md §2.1, §7).

    - `proportion_difference`: officer share now − then, Newcombe hybrid score interval, two-proportion score
      test (Fisher exact when an expected cell is under 5).
    - `representation_ratio_change`: representation ratio now ÷ then = (p_now / p_then)·(r_then / r_now), with
      the resident shares r taken as fixed (census counts): the officer-share risk ratio's interval (Koopman
      score, or Katz when both counts reach 100) times r_then / r_now, and the score test of p_now / p_then =
      r_now / r_then. No ratio when an officer count is under 5 (docs/methods.md §5.3).

    Returns [] unless the two windows pick different officer snapshots.
    """
    before, after = _snapshot(counts, then), _snapshot(counts, now)
    if before is None or after is None or before.officer_vintage == after.officer_vintage:
        return []
    out: list[Estimate] = []
    for group in (g for g in groups if g not in (Group.ALL, Group.UNKNOWN)):
        out.append(_share_change(before, after, group, level))
        if before.resident_share(group) > 0 and after.resident_share(group) > 0:
            est = _ratio_change(before, after, group, level)
            refusal = before.share_refusal or after.share_refusal
            out.append(not_estimable(est, refusal) if refusal else est)
    return out


def _change_fields(before: _Snapshot, after: _Snapshot, group: Group) -> dict:
    notes = [f"officers {before.officer_vintage[0].year} vs {after.officer_vintage[0].year}"]
    notes += [n for n in (before.vintage_note, after.vintage_note) if n]
    return dict(
        then_window=before.officer_vintage,
        notes=tuple(dict.fromkeys(notes)),
        sources=merge_sources(
            before.officer_sources, after.officer_sources, before.resident_sources, after.resident_sources
        ),
    )


def _share_change(before: _Snapshot, after: _Snapshot, group: Group, level: float) -> Estimate:
    x0, n0 = before.officers.get(str(group), 0.0), before.officer_total
    x1, n1 = after.officers.get(str(group), 0.0), after.officer_total
    interval = iv.proportion_difference_ci(x1, n1, x0, n0, level=level)
    test = st.proportion_test(x1, n1, x0, n0, compare="diff")
    fields = _change_fields(before, after, group)
    fields["sources"] = merge_sources(before.officer_sources, after.officer_sources)
    est = new_estimate(
        Measure.OFFICERS,
        Statistic.PROPORTION_DIFFERENCE,
        group,
        Period.CHANGE,
        after.officer_vintage,
        value=x1 / n1 - x0 / n0,
        numerator=x1 / n1,
        denominator=x0 / n0,
        denominator_kind=DenominatorKind.OFFICERS,
        ci=interval.bounds,
        ci_method=f"{interval.method} ({_HIRING})",
        p_value=test.p_value,
        test_method=test.method,
        **fields,
    )
    return apply_stability(est, x0, x1)


def _ratio_change(before: _Snapshot, after: _Snapshot, group: Group, level: float) -> Estimate:
    x0, n0 = before.officers.get(str(group), 0.0), before.officer_total
    x1, n1 = after.officers.get(str(group), 0.0), after.officer_total
    r0, r1 = before.resident_share(group), after.resident_share(group)
    ri0, ri1 = (x0 / n0) / r0, (x1 / n1) / r1
    fields = _change_fields(before, after, group)
    fields["notes"] = (*fields["notes"], "resident shares taken as fixed (census counts)", BENCHMARK_NOTE)
    est = new_estimate(
        Measure.OFFICERS,
        Statistic.REPRESENTATION_RATIO_CHANGE,
        group,
        Period.CHANGE,
        after.officer_vintage,
        value=ri1 / ri0 if ri0 > 0 else None,
        numerator=ri1,
        denominator=ri0,
        denominator_kind=DenominatorKind.RESIDENTS,
        **fields,
    )
    label = GROUP_LABELS[group]
    year0, year1 = before.officer_vintage[0].year, after.officer_vintage[0].year
    est = apply_ratio_rules(est, {f"{label} officers, {year0}": x0, f"{label} officers, {year1}": x1})
    if not est.estimable:
        return est
    interval = iv.risk_ratio_ci(x1, n1, x0, n0, level=level)
    scale = r0 / r1
    bounds = tuple(None if b is None else b * scale for b in (interval.low, interval.high))
    test = st.proportion_test(x1, n1, x0, n0, compare="ratio", value=r1 / r0)
    return replace(
        est,
        ci=bounds,
        ci_method=f"{interval.method} on the officer shares × r_then/r_now ({_HIRING})",
        p_value=test.p_value,
        test_method=f"{test.method} of p_now/p_then = r_now/r_then",
    )


def officer_residency(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    level: float = 0.95,
) -> list[Estimate]:
    """Share of officers living in the city, for `all` and each group the residency snapshot nearest `window`
    gives (sources with `extras["officer_residency"]`, e.g. the `police_locals` adapter).

    Where the source gives a count (living / working officers) the share has a Wilson score interval (methods
    §2.1) and the unstable flag under 20; where it gives a share only, no interval and a note saying so; a share
    the source withheld is not estimable. Returns [] when no source holds a residency table.
    """
    held = [s for s in sources if RESIDENCY_KEY in s.extras]
    if not held:
        return []
    totals, vintage = stock_snapshot(concat_counts(s.counts for s in held), Measure.OFFICERS_LIVING_IN_CITY, window)
    if vintage is None:
        return []
    chosen = merge_sources(*totals["sources"])
    table = pd.concat([s.extras[RESIDENCY_KEY] for s in held if s.info.id in chosen], ignore_index=True)
    rows = {r["group"]: r for r in table.to_dict("records") if r["group"]}
    shown = [g for g in dict.fromkeys([Group.ALL, *groups]) if str(g) in rows]
    return [_residency_estimate(rows[str(g)], g, period, vintage, chosen, level) for g in shown]


def _residency_estimate(
    row: dict, group: Group, period: Period, vintage: DateSpan, sources: tuple[str, ...], level: float
) -> Estimate:
    est = new_estimate(
        Measure.OFFICERS_LIVING_IN_CITY,
        Statistic.SHARE,
        group,
        period,
        vintage,
        value=None if pd.isna(row["share"]) else float(row["share"]),
        denominator_kind=DenominatorKind.OFFICERS,
        sources=sources,
        notes=(_RESIDENCY_NOTE,),
    )
    label = GROUP_LABELS[group]
    if row["status"] == "withheld":
        return not_estimable(est, f"withheld by the source: fewer than 100 {label} officers")
    if row["status"] != "count":
        return est.with_flags(note=f"share only: the source gives no number of {label} officers, so no interval")
    living, officers = float(row["living"]), float(row["officers"])
    interval = iv.proportion_ci(living, officers, level=level)
    est = replace(est, numerator=living, denominator=officers, ci=interval.bounds, ci_method=_RESIDENCY_WILSON)
    return apply_stability(est, living)
