"""The canonical counts table (docs/design.md §1): the one contract between source adapters and metrics.

Every source is reduced to long-form rows of (jurisdiction, period_start, period_end, measure, group, value, n,
source_id). Flow measures (stops, force incidents, …) are summed over the rows that lie inside a window; stock
measures (residents, officers) are snapshots and are taken from one vintage, never summed across a window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import pandas as pd

from trustreport.errors import SchemaError
from trustreport.vocab import STOCK_MEASURES, Group, Measure

COLUMNS: tuple[str, ...] = (
    "jurisdiction",
    "period_start",
    "period_end",
    "measure",
    "group",
    "value",
    "n",
    "source_id",
)
_MEASURES = frozenset(str(m) for m in Measure)
_GROUPS = frozenset(str(g) for g in Group)
# Means (survey scores) may be negative-free but are not counts; every other measure must be a non-negative count.
_NON_COUNT_MEASURES = frozenset(
    {str(Measure.SURVEY_TRUST_MEAN), str(Measure.SURVEY_SAFETY_MEAN), str(Measure.SETTLEMENT_USD)}
)


@dataclass(frozen=True)
class Coverage:
    """The dates for which a source holds a measure (a day with no row inside it is a true zero)."""

    source_id: str
    measure: Measure
    start: date
    end: date
    note: str = ""


class BreakOrigin(StrEnum):
    """How a comparability break became known: written into the params file, or found in the monthly series."""

    DECLARED = "declared"
    DETECTED = "detected"


@dataclass(frozen=True)
class Break:
    """A change in how a measure is recorded, in force from `date` on (the first day of the new regime).

    Counts on either side of it measure different things, so a then/now comparison across it is not comparable
    (DESIGN, second release: comparability is data, like coverage).
    """

    measure: Measure
    date: date
    reason: str
    origin: BreakOrigin
    source_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "measure": str(self.measure),
            "date": self.date.isoformat(),
            "reason": self.reason,
            "origin": str(self.origin),
            "source_id": self.source_id,
        }


def empty_counts() -> pd.DataFrame:
    """A counts table with no rows and the canonical columns and dtypes."""
    return validate_counts(pd.DataFrame({c: [] for c in COLUMNS}), path=None)


def validate_counts(frame: pd.DataFrame, *, path: str | Path | None) -> pd.DataFrame:
    """Check a counts table against the contract and return it with canonical dtypes.

    Raises `SchemaError` naming the file, the first offending row (0-based, as in the table) and column.
    """
    missing = [c for c in COLUMNS if c not in frame.columns and c != "n"]
    if missing:
        raise SchemaError(path, f"counts table lacks columns {missing}", column=missing[0])
    out = frame.copy()
    if "n" not in out.columns:
        out["n"] = float("nan")
    out = out.loc[:, list(COLUMNS)].reset_index(drop=True)

    for col in ("period_start", "period_end"):
        parsed = pd.to_datetime(out[col], errors="coerce")
        bad = parsed.isna() & out[col].notna() | out[col].isna()
        if bad.any():
            row = int(bad.idxmax())
            raise SchemaError(path, f"expected a date, got {out.at[row, col]!r}", column=col, row=row)
        out[col] = parsed.dt.normalize()
    reversed_rows = out["period_end"] < out["period_start"]
    if reversed_rows.any():
        row = int(reversed_rows.idxmax())
        raise SchemaError(
            path,
            f"period_end {out.at[row, 'period_end'].date()} is before period_start "
            f"{out.at[row, 'period_start'].date()}",
            column="period_end",
            row=row,
        )
    for col, known in (("measure", _MEASURES), ("group", _GROUPS)):
        out[col] = out[col].astype(str)
        unknown = ~out[col].isin(known)
        if unknown.any():
            row = int(unknown.idxmax())
            raise SchemaError(
                path, f"unknown {col} {out.at[row, col]!r}; expected one of {sorted(known)}", column=col, row=row
            )
    value = pd.to_numeric(out["value"], errors="coerce")
    if value.isna().any():
        row = int(value.isna().idxmax())
        raise SchemaError(path, f"expected a number, got {out.at[row, 'value']!r}", column="value", row=row)
    infinite = value.abs() == float("inf")
    if infinite.any():
        row = int(infinite.idxmax())
        raise SchemaError(path, f"expected a finite number, got {out.at[row, 'value']!r}", column="value", row=row)
    negative = (value < 0) & ~out["measure"].isin(_NON_COUNT_MEASURES)
    if negative.any():
        row = int(negative.idxmax())
        raise SchemaError(path, f"counts cannot be negative, got {value[row]}", column="value", row=row)
    out["value"] = value.astype(float)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").astype(float)
    out["jurisdiction"] = out["jurisdiction"].astype(str)
    out["source_id"] = out["source_id"].astype(str)
    return out


def concat_counts(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack validated counts tables in a stable order (so the same inputs give the same output)."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return empty_counts()
    out = pd.concat(tables, ignore_index=True)
    return out.sort_values(["measure", "period_start", "period_end", "group", "source_id"], kind="stable").reset_index(
        drop=True
    )


def window_totals(
    counts: pd.DataFrame,
    measure: Measure,
    window: tuple[date, date],
    *,
    source_id: str | None = None,
) -> pd.DataFrame:
    """Sum a flow measure over the rows lying wholly inside `window`, by group.

    Returns columns group, value, sources (a tuple of source ids). Rows that straddle a window edge are not
    counted; adapters of incident files emit daily rows so that any window can be cut exactly.
    """
    if measure in STOCK_MEASURES:
        raise ValueError(f"{measure} is a stock measure: use stock_snapshot()")
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    rows = counts[
        (counts["measure"] == str(measure)) & (counts["period_start"] >= start) & (counts["period_end"] <= end)
    ]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    _refuse_overlaps(rows, measure)
    return _by_group(rows)


def _refuse_overlaps(rows: pd.DataFrame, measure: Measure) -> None:
    """Two rows of one source, measure and group whose periods overlap would be double counted: refuse them."""
    for (source, group), sub in rows.groupby(["source_id", "group"], sort=True):
        sub = sub.sort_values(["period_start", "period_end"], kind="stable")
        previous_end = sub["period_end"].cummax().shift()
        clash = sub["period_start"] <= previous_end
        if clash.any():
            row = sub[clash].iloc[0]
            raise SchemaError(
                source,
                f"{measure} rows for group {group!r} overlap in time (one starts {row['period_start'].date()}, "
                f"before an earlier one ends {previous_end[clash].iloc[0].date()}); they would be counted twice",
                column="period_start",
            )


def stock_snapshot(
    counts: pd.DataFrame,
    measure: Measure,
    window: tuple[date, date],
    *,
    source_id: str | None = None,
) -> tuple[pd.DataFrame, tuple[date, date] | None]:
    """The snapshot of a stock measure (residents, officers) that best matches `window`.

    Picks the vintage overlapping the window the most; if none overlaps, the one nearest in time. Returns the
    by-group table (as `window_totals`) and the vintage chosen, or an empty table and None.
    """
    rows = counts[counts["measure"] == str(measure)]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        return _by_group(rows), None
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    vintages = rows[["period_start", "period_end", "source_id"]].drop_duplicates()
    overlap = (vintages["period_end"].clip(upper=end) - vintages["period_start"].clip(lower=start)).dt.days
    distance = pd.concat(
        [(vintages["period_start"] - end).dt.days.abs(), (vintages["period_end"] - start).dt.days.abs()], axis=1
    ).min(axis=1)
    vintages = vintages.assign(overlap=overlap.clip(lower=-1), distance=distance)
    best = vintages.sort_values(["overlap", "distance", "source_id"], ascending=[False, True, True]).iloc[0]
    chosen = rows[
        (rows["period_start"] == best["period_start"])
        & (rows["period_end"] == best["period_end"])
        & (rows["source_id"] == best["source_id"])
    ]
    return _by_group(chosen), (best["period_start"].date(), best["period_end"].date())


def _by_group(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame({"group": pd.Series([], dtype=str), "value": pd.Series([], dtype=float), "sources": []})
    grouped = rows.groupby("group", sort=True)
    return pd.DataFrame(
        {
            "value": grouped["value"].sum(),
            "sources": grouped["source_id"].agg(lambda s: tuple(sorted(set(s)))),
        }
    ).reset_index()


def coverage_of(coverages: Iterable[Coverage], measure: Measure, window: tuple[date, date]) -> float:
    """Share of the days of `window` covered by any source holding `measure` (0.0 … 1.0)."""
    start, end = window
    total = (end - start).days + 1
    covered: set[int] = set()
    for cov in coverages:
        if cov.measure != measure:
            continue
        lo, hi = max(start, cov.start), min(end, cov.end)
        if lo <= hi:
            covered.update(range((lo - start).days, (hi - start).days + 1))
    return len(covered) / total if total > 0 else 0.0


def covered_runs(coverages: Iterable[Coverage], measure: Measure, window: tuple[date, date]) -> list[tuple[date, date]]:
    """The maximal runs of consecutive days of `window` that some source holding `measure` covers, in order."""
    start, end = window
    covered: set[int] = set()
    for cov in coverages:
        lo, hi = max(start, cov.start), min(end, cov.end)
        if cov.measure == measure and lo <= hi:
            covered.update(range((lo - start).days, (hi - start).days + 1))
    runs: list[tuple[date, date]] = []
    for offset in sorted(covered):
        day = start + timedelta(days=offset)
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def covered_window(
    coverages: Sequence[Coverage], measure: Measure, window: tuple[date, date]
) -> tuple[tuple[date, date], float]:
    """The part of `window` the sources of `measure` cover (first to last covered day) and the share of days.

    Rates must use the exposure the counts really cover: a 2013 count inside a 2009–2013 window is one year of
    events, not five. Where nothing records coverage the window is returned unchanged.
    """
    spans = [
        (max(c.start, window[0]), min(c.end, window[1]))
        for c in coverages
        if c.measure == measure and c.start <= window[1] and c.end >= window[0]
    ]
    if not spans:
        return window, 0.0
    span = (min(s for s, _ in spans), max(e for _, e in spans))
    return span, coverage_of(coverages, measure, window)
