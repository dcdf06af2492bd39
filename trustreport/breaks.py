"""Comparability breaks: changes in how a measure is recorded, declared in params or detected in the data.

A then/now comparison whose windows lie on different sides of a break compares two recording regimes, not two
periods of policing: it gets no test and no change sentence, only the flag `not comparable` and the reason
(DESIGN, second release). A window that itself contains a break keeps its estimates, with a note.

Which estimates a break reaches: an estimate of measure M is affected by a break on M or on any measure M is
a subset of (hits ⊂ searches ⊂ stops), because a share built on a re-defined denominator changes meaning too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from trustreport import fmt
from trustreport.counts import Break, BreakOrigin, Coverage
from trustreport.estimate import Estimate
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    MEASURE_LABELS,
    MEASURE_SINGULAR,
    DateSpan,
    Flag,
    Group,
    Measure,
    Period,
)

if TYPE_CHECKING:
    from trustreport.params import DeclaredBreak


# The shares the detector watches: numerator measure -> the measure it is a subset of.
DETECTED_STAGES: dict[Measure, Measure] = {
    Measure.SEARCHES: Measure.STOPS,
    Measure.HITS: Measure.SEARCHES,
    Measure.CITATIONS: Measure.STOPS,
    Measure.ARRESTS: Measure.STOPS,
    Measure.HOMICIDES_CLEARED: Measure.HOMICIDE_VICTIMS,
}
_FEEDERS: dict[Measure, Measure] = {**DETECTED_STAGES, **CONDITIONAL_STAGES}

# Detector thresholds (see `detect_breaks`). A recording change moves a share by an order of magnitude in one
# step; enforcement campaigns (Connecticut's April distracted-driving month lifts Hartford's citations per stop
# from about 60 % to 91 %) and ordinary policy shifts move it by far less on the odds scale.
MONTHS_EACH_SIDE = 3
MIN_DENOMINATOR = 100
MIN_Z = 10.0
MIN_ODDS_RATIO = 10.0
MIN_JUMP = 0.05


def declared(breaks: Iterable[DeclaredBreak]) -> list[Break]:
    """The breaks a params file declares (`breaks:` entries with measure, date and reason), as `Break`s."""
    return [Break(b.measure, b.date, b.reason, BreakOrigin.DECLARED) for b in breaks]


def combined(declared: Sequence[Break], detected: Sequence[Break]) -> list[Break]:
    """Declared breaks, each with the detected break that confirms it (same measure, dated within
    `MONTHS_EACH_SIDE` months) folded into its reason, then the detected breaks nobody declared."""
    out, used = [], set()
    for brk in declared:
        match = [
            d for d in detected if d.measure == brk.measure and _months_apart(d.date, brk.date) <= MONTHS_EACH_SIDE
        ]
        used.update(match)
        text = brk.reason + "".join(f" The monthly series confirms it: {d.reason}." for d in match)
        out.append(replace(brk, reason=text, source_id=brk.source_id or ", ".join(d.source_id for d in match)))
    return [*out, *(d for d in detected if d not in used)]


def _months_apart(a: date, b: date) -> int:
    return abs((a.year - b.year) * 12 + a.month - b.month)


def affects(brk: Break, measure: Measure) -> bool:
    """Whether a break reaches estimates of `measure`: the break's measure is `measure` or one it is a subset of."""
    seen: set[Measure] = set()
    current: Measure | None = measure
    while current is not None and current not in seen:
        if current == brk.measure:
            return True
        seen.add(current)
        current = _FEEDERS.get(current)
    return False


def straddling(breaks: Sequence[Break], measure: Measure, then: DateSpan, now: DateSpan) -> list[Break]:
    """Breaks reaching `measure` in force after the then window starts and by the end of the now window: some of
    the then data were recorded under an earlier regime than some of the now data."""
    return [b for b in breaks if affects(b, measure) and then[0] < b.date <= now[1]]


def inside(breaks: Sequence[Break], measure: Measure, window: DateSpan) -> list[Break]:
    """Breaks reaching `measure` that take effect strictly inside `window` (it mixes two recording regimes)."""
    return [b for b in breaks if affects(b, measure) and window[0] < b.date <= window[1]]


def reason(breaks: Sequence[Break]) -> str:
    """One line naming each break: 'recording break in searches from 2015-04-01 (declared): <reason>'."""
    return "; ".join(
        f"recording break in {MEASURE_LABELS[b.measure]} from {b.date.isoformat()} ({b.origin}): {b.reason}"
        for b in breaks
    )


def across_breaks(
    estimates: Sequence[Estimate], breaks: Sequence[Break], *, then: DateSpan, now: DateSpan
) -> list[Estimate]:
    """Mark what a break makes incomparable, before multiple-testing adjustment (a comparison that is not made is
    not a test).

    A then-vs-now estimate (period `change`) across a break keeps its numerator and denominator (the now and
    the then quantity, for the record) but loses value, interval and p-value: it gets `Flag.NOT_COMPARABLE` and
    the breaks' reasons as a note, and nothing downstream words it. A then or now estimate whose window contains
    a break keeps its value and gets a note.
    """
    if not breaks:
        return list(estimates)
    out = []
    for est in estimates:
        if est.period == Period.CHANGE:
            found = straddling(breaks, est.measure, est.then_window or then, est.window)
            if found:
                est = replace(
                    est.with_flags(Flag.NOT_COMPARABLE, note=f"not comparable: {reason(found)}"),
                    value=None,
                    ci=None,
                    ci_method=None,
                    p_value=None,
                    p_adjusted=None,
                    test_method=None,
                )
        else:
            found = inside(breaks, est.measure, est.window)
            if found:
                est = est.with_flags(note=f"this window mixes two recording regimes: {reason(found)}")
        out.append(est)
    return out


def detect_breaks(
    counts: pd.DataFrame,
    *,
    months_each_side: int = MONTHS_EACH_SIDE,
    min_denominator: int = MIN_DENOMINATOR,
    min_z: float = MIN_Z,
    min_odds_ratio: float = MIN_ODDS_RATIO,
    min_jump: float = MIN_JUMP,
    coverages: Sequence[Coverage] = (),
) -> list[Break]:
    """Recording changes found in the monthly shares of each stage in `DETECTED_STAGES`, per source.

    Rule: for each boundary between two adjacent calendar months, pool up to `months_each_side` months before
    and after it (share p₁ = x₁/n₁ before, p₂ = x₂/n₂ after; both n at least `min_denominator`). The boundary
    is a break when all three hold: the two-proportion z statistic with pooled variance,
    z = (p₂ − p₁) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)), is at least `min_z` (10) in size, far beyond binomial noise
    (|z| > 10 has probability below 1e-22 under no change); the odds of the share change at least
    `min_odds_ratio`-fold (10; 0.5 added to each cell); and the share moves by at least `min_jump` (5
    percentage points). Adjacent flagged boundaries (within `months_each_side` months) are one change; the
    boundary where the odds change most dates it (the break takes effect on the first day of the month after it).
    Ordinary month-to-month variation, campaigns and seasonal swings stay below the odds bound; a flag whose
    meaning changes (Hartford's search flag: 26 % of stops searched in January–March 2015, 0.2 % in April–June)
    does not. Only the shares of the canonical counts table are watched: a field's blank rate is not in it, but
    a month the source does not record the stage in (its `coverages`: a field left blank all month) is left out
    rather than read as a share of zero.
    """
    out: list[Break] = []
    for measure, feeder in DETECTED_STAGES.items():
        for source_id, series in monthly_shares(counts, measure, feeder, coverages).items():
            found = _boundaries(series, months_each_side, min_denominator, min_z, min_odds_ratio, min_jump)
            for best in _clusters(found, months_each_side):
                out.append(_detected(best, measure, feeder, source_id))
    return sorted(out, key=lambda b: (b.date, str(b.measure), b.source_id))


def monthly_shares(
    counts: pd.DataFrame, measure: Measure, feeder: Measure, coverages: Sequence[Coverage] = ()
) -> dict[str, pd.DataFrame]:
    """Per source holding both measures: columns month (a monthly `Period`), numerator, denominator, one row per
    calendar month from the first to the last month with any `feeder` event (a month without a `measure` row is
    a true zero), less the months that the source's coverage of `measure` does not touch (not recorded). Rows
    spanning more than one month are left out; the `all` group is used where a source has it, otherwise the sum
    of its groups."""
    rows = counts[
        counts["measure"].isin([str(measure), str(feeder)])
        & (counts["period_start"].dt.to_period("M") == counts["period_end"].dt.to_period("M"))
    ]
    out: dict[str, pd.DataFrame] = {}
    for source_id, sub in rows.groupby("source_id", sort=True):
        num, den = _monthly(sub, measure), _monthly(sub, feeder)
        if num.empty or den.empty or den.sum() <= 0:
            continue
        held = den[den > 0].index
        months = pd.period_range(held.min(), held.max(), freq="M")
        frame = pd.DataFrame(
            {
                "month": months,
                "numerator": num.reindex(months, fill_value=0.0).to_numpy(),
                "denominator": den.reindex(months, fill_value=0.0).to_numpy(),
            }
        )
        recorded = [c for c in coverages if c.source_id == source_id and c.measure == measure]
        if recorded:
            touched = [_recorded_in(month, recorded) for month in frame["month"]]
            frame = frame[touched].reset_index(drop=True)
        out[str(source_id)] = frame
    return out


def _recorded_in(month: pd.Period, coverages: Sequence[Coverage]) -> bool:
    """Whether any of `coverages` covers a day of `month`."""
    return any(c.start <= month.end_time.date() and c.end >= month.start_time.date() for c in coverages)


def _monthly(rows: pd.DataFrame, measure: Measure) -> pd.Series:
    rows = rows[rows["measure"] == str(measure)]
    if (rows["group"] == str(Group.ALL)).any():
        rows = rows[rows["group"] == str(Group.ALL)]
    return rows.groupby(rows["period_start"].dt.to_period("M"))["value"].sum()


def _boundaries(
    series: pd.DataFrame, width: int, min_n: int, min_z: float, min_or: float, min_jump: float
) -> list[dict]:
    """Every month boundary that passes the three thresholds, with its statistics."""
    x, n, months = series["numerator"].to_numpy(), series["denominator"].to_numpy(), list(series["month"])
    found = []
    for i in range(1, len(series)):
        lo, hi = max(0, i - width), min(len(series), i + width)
        x1, n1, x2, n2 = x[lo:i].sum(), n[lo:i].sum(), x[i:hi].sum(), n[i:hi].sum()
        if n1 < min_n or n2 < min_n:
            continue
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        if pooled <= 0 or pooled >= 1:
            continue
        z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        odds = ((x2 + 0.5) / (n2 - x2 + 0.5)) / ((x1 + 0.5) / (n1 - x1 + 0.5))
        if abs(z) >= min_z and max(odds, 1 / odds) >= min_or and abs(p2 - p1) >= min_jump:
            found.append(
                dict(index=i, before=(months[lo], months[i - 1]), after=(months[i], months[hi - 1]),
                     x1=x1, n1=n1, x2=x2, n2=n2, p1=p1, p2=p2, z=z, odds=odds)
            )  # fmt: skip
    return found


def _clusters(found: list[dict], width: int) -> list[dict]:
    """One boundary per run of flagged boundaries at most `width` months apart: the one where the odds change most
    (a ramp over several months is one change, dated by its steepest step)."""
    runs: list[list[dict]] = []
    for item in found:
        if runs and item["index"] - runs[-1][-1]["index"] <= width:
            runs[-1].append(item)
        else:
            runs.append([item])
    return [max(run, key=lambda f: abs(math.log(f["odds"]))) for run in runs]


def _detected(found: dict, measure: Measure, feeder: Measure, source_id: str) -> Break:
    what = f"{MEASURE_LABELS[measure]} per {MEASURE_SINGULAR.get(feeder, MEASURE_LABELS[feeder])}"
    text = (
        f"{what} went from {fmt.pct(found['p1'])} ({fmt.count(found['x1'])} of {fmt.count(found['n1'])}, "
        f"{_months(found['before'])}) to {fmt.pct(found['p2'])} ({fmt.count(found['x2'])} of "
        f"{fmt.count(found['n2'])}, {_months(found['after'])}): z = {found['z']:.0f}, odds ×{_fold(found['odds'])}, "
        f"far beyond month-to-month noise in {source_id}"
    )
    return Break(measure, found["after"][0].start_time.date(), text, BreakOrigin.DETECTED, source_id)


def _months(span: tuple[pd.Period, pd.Period]) -> str:
    first, last = span
    if first == last:
        return first.strftime("%b %Y")
    return f"{first.strftime('%b %Y')}–{last.strftime('%b %Y')}"


def _fold(odds: float) -> str:
    return f"{odds:.0f}" if odds >= 1 else f"1/{1 / odds:.0f}"
