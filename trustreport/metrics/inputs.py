"""What the disparity and then-vs-now metrics read from the counts table: flow totals and resident snapshots
by group for one window, the window's length in years, and the estimate id scheme. Public within the package:
the claim ledger recomputes published claims from the same inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from trustreport import fmt
from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import stock_snapshot, window_totals
from trustreport.estimate import Estimate
from trustreport.metrics.small_numbers import not_estimable
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, DateSpan, Flag, Group, Measure, Period


def new_estimate(
    measure: Measure, statistic: Statistic, group: Group, period: Period, window: DateSpan, **fields: Any
) -> Estimate:
    """An `Estimate` with its id made by `estimate_id`."""
    return Estimate(
        id=estimate_id(measure, statistic, group, period),
        measure=measure,
        statistic=statistic,
        group=group,
        period=period,
        window=window,
        **fields,
    )


def estimate_id(measure: Measure, statistic: Statistic, group: Group, period: Period) -> str:
    """The id every metric uses: `measure.statistic.group.period`, e.g. `stops.rate_ratio.black.now`."""
    return f"{measure}.{statistic}.{group}.{period}"


def span(window: DateSpan) -> str:
    return f"{window[0].isoformat()} to {window[1].isoformat()}"


def years_in(window: DateSpan) -> float:
    """Length of an inclusive window in years, counted per calendar year (days covered / days in that year),
    so that a whole calendar year, leap or not, is exactly 1."""
    start, end = window
    total = 0.0
    for year in range(start.year, end.year + 1):
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        total += ((last - first).days + 1) / (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return total


def merge_sources(*groups_of_ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({s for ids in groups_of_ids for s in ids}))


@dataclass(frozen=True)
class FlowCounts:
    """A flow measure's totals by group inside one window (counts.window_totals), and the groups its sources
    record at all (in any window)."""

    measure: Measure
    window: DateSpan
    values: dict[Group, float]
    sources: dict[Group, tuple[str, ...]]
    recorded: frozenset[Group] = frozenset()

    @property
    def has_data(self) -> bool:
        return bool(self.values)

    def count(self, group: Group) -> float | None:
        """The group's total in the window, or None when it is missing.

        Incident files are aggregated into rows only where something happened, so a group the sources record
        but that has no row in this window had no events here: 0. A group the sources never record (a
        published table with only Black and white rows) is missing, not zero (DESIGN: never filled in); so is
        every group of a window whose sources give only an all-group total there (a published city-wide count)."""
        if group in self.values:
            return self.values[group]
        return 0.0 if self.has_data and group in self.recorded and not self.total_only else None

    @property
    def total_only(self) -> bool:
        """Whether the window holds a positive all-group total and no row for any group: no breakdown exists."""
        return self.values.get(Group.ALL, 0.0) > 0 and all(g == Group.ALL for g in self.values)

    def counted_as_zero(self, group: Group) -> bool:
        return group not in self.values and self.count(group) == 0.0

    def why_missing(self, group: Group, side: str = "analysis") -> str | None:
        """Why the group's count is missing (no data in the window, or a group the sources do not record)."""
        if self.count(group) is not None:
            return None
        if not self.has_data:
            return f"no {MEASURE_LABELS[self.measure]} data in the {side} window ({span(self.window)})"
        ids = ", ".join(merge_sources(*self.sources.values()))
        if self.total_only and group in self.recorded:
            return (
                f"the {MEASURE_LABELS[self.measure]} source ({ids}) gives only an all-group total in the {side} "
                f"window ({span(self.window)}): {GROUP_LABELS[group]} counts not available, not zero"
            )
        return (
            f"the {MEASURE_LABELS[self.measure]} source ({ids}) records no {GROUP_LABELS[group]} counts: "
            f"missing, not zero ({side} window, {span(self.window)})"
        )

    def sources_of(self, *groups: Group) -> tuple[str, ...]:
        return merge_sources(*(self.sources.get(g, ()) for g in groups))

    def hispanic_folded_note(self, reference: Group, residents: Residents) -> str | None:
        """A note when a ratio against White sets sources that record no Hispanic group against residents that
        count Hispanic people apart: the sources' White count then likely includes Hispanic White people, whom
        the residents count as Hispanic (docs/methods.md §1), so race and Hispanic origin overlap on the numerator
        side."""
        if reference != Group.WHITE or not self.has_data or Group.HISPANIC in self.recorded:
            return None
        if Group.HISPANIC not in residents.values:
            return None
        ids = ", ".join(merge_sources(*self.sources.values()))
        return (
            f"Overlapping categories: the {MEASURE_LABELS[self.measure]} source ({ids}) records no Hispanic group, "
            f"so its white count likely includes Hispanic white people ({span(self.window)})"
        )

    def label(self, group: Group) -> str:
        return f"{GROUP_LABELS[group]} {MEASURE_LABELS[self.measure]} ({span(self.window)})"


def flow_counts(counts: pd.DataFrame, measure: Measure, window: DateSpan) -> FlowCounts:
    totals = window_totals(counts, measure, window)
    groups = [Group(g) for g in totals["group"]]
    window_sources = {s for ids in totals["sources"] for s in ids}
    same_sources = counts[(counts["measure"] == str(measure)) & counts["source_id"].isin(window_sources)]
    return FlowCounts(
        measure=measure,
        window=window,
        values=dict(zip(groups, totals["value"].astype(float), strict=True)),
        sources=dict(zip(groups, totals["sources"], strict=True)),
        recorded=frozenset(Group(g) for g in same_sources["group"].unique()),
    )


@dataclass(frozen=True)
class Residents:
    """The resident snapshot chosen for a window (counts.stock_snapshot) and the window's length in years."""

    window: DateSpan
    values: dict[Group, float]
    sources: dict[Group, tuple[str, ...]]
    vintage: DateSpan | None

    @property
    def has_data(self) -> bool:
        return self.vintage is not None and bool(self.values)

    @property
    def vintage_note(self) -> str | None:
        """A note when the snapshot does not overlap the window (the population may have changed since)."""
        if self.vintage is None:
            return None
        if self.vintage[0] <= self.window[1] and self.vintage[1] >= self.window[0]:
            return None
        return Caveat(
            CaveatKind.DENOMINATOR_VINTAGE,
            f"residents are from the {span(self.vintage)} snapshot, which does not overlap {span(self.window)}",
        )

    def person_years(self, group: Group) -> float | None:
        """Residents × years in the window: the Poisson exposure (docs/methods.md §1.3, §2.2); None without
        residents."""
        residents = self.values.get(group)
        if residents is None or residents <= 0:
            return None
        return residents * years_in(self.window)

    def sources_of(self, *groups: Group) -> tuple[str, ...]:
        return merge_sources(*(self.sources.get(g, ()) for g in groups))

    def missing_note(self, group: Group, side: str = "analysis") -> str:
        if not self.has_data:
            return Caveat(CaveatKind.NO_RESIDENTS, f"no residents counts for the {side} window ({span(self.window)})")
        return Caveat(
            CaveatKind.NO_RESIDENTS,
            f"no residents count for {GROUP_LABELS[group]} people in the {span(self.vintage)} snapshot "
            f"used for the {side} window",
        )


def residents_for(counts: pd.DataFrame, window: DateSpan) -> Residents:
    table, vintage = stock_snapshot(counts, Measure.RESIDENTS, window)
    groups = [Group(g) for g in table["group"]]
    return Residents(
        window=window,
        values=dict(zip(groups, table["value"].astype(float), strict=True)),
        sources=dict(zip(groups, table["sources"], strict=True)),
        vintage=vintage,
    )


def groups_shown(groups: Sequence[Group], *present: FlowCounts, reference: Group | None = None) -> list[Group]:
    """The groups asked for, the reference if it was not, and `all` when the data hold it."""
    shown = list(dict.fromkeys([*groups, *([reference] if reference else [])]))
    if Group.ALL not in shown and any(Group.ALL in f.values for f in present):
        shown.append(Group.ALL)
    return shown


def binomial_problem(
    events: FlowCounts, base: FlowCounts, group: Group, side: str = "analysis"
) -> tuple[str, tuple[Flag, ...]] | None:
    """Why x/n cannot be formed for `group` (and any flag beyond `not estimable`), or None if it can."""
    x, n = events.count(group), base.count(group)
    missing = events.why_missing(group, side) or base.why_missing(group, side)
    if missing:
        return missing, ()
    if n == 0:
        return f"no {base.label(group)}", ()
    if x > n:
        why = (
            f"{events.label(group)} = {fmt.count(x)} exceeds {base.label(group)} = {fmt.count(n)}: the two counts "
            f"do not describe the same {MEASURE_LABELS[base.measure]}"
        )
        return why, (Flag.NOT_COMPARABLE,)
    return None


def refuse(est: Estimate, problem: tuple[str, tuple[Flag, ...]]) -> Estimate:
    why, flags = problem
    return not_estimable(est.with_flags(*flags), why)


def with_vintage(est: Estimate, *residents: Residents) -> Estimate:
    """Flag `denominator vintage differs`, with the note, for each snapshot that does not overlap its window."""
    for res in residents:
        if res.vintage_note:
            est = est.with_flags(Flag.DENOMINATOR_VINTAGE, note=res.vintage_note)
    return est
