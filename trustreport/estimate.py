"""The `Estimate`: one number with everything needed to defend it (docs/design.md §2).

Tables, charts, sentences and `metrics.json` are all made from these objects, so a number is computed once and
printed the same everywhere. Nothing downstream recomputes from raw rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from trustreport.statistic import Statistic
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period


@dataclass(frozen=True)
class Estimate:
    """A count, rate, ratio or change, with its interval, method, flags and sources.

    `value`, `ci` and `p_value` are None where the number is not estimable (never NaN, 0 or infinity).
    `scale` is the multiplier used for display (e.g. 1000 for "per 1,000 residents"); `value` is unscaled.
    `years` is set on per-resident rates: value = numerator / (denominator × years), events per person-year.
    """

    id: str
    measure: Measure
    statistic: Statistic
    group: Group
    period: Period
    window: tuple[date, date]
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    denominator_kind: DenominatorKind = DenominatorKind.NONE
    reference_group: Group | None = None
    ci: tuple[float | None, float | None] | None = None
    ci_method: str | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    test_method: str | None = None
    flags: tuple[Flag, ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    scale: float = 1.0
    years: float | None = None
    then_window: tuple[date, date] | None = None

    def __post_init__(self) -> None:
        # A name that is not a `Statistic` raises here, so no estimate reaches a formatter without a kind.
        object.__setattr__(self, "statistic", Statistic(self.statistic))

    @property
    def estimable(self) -> bool:
        return self.value is not None and Flag.NOT_ESTIMABLE not in self.flags

    @property
    def significant(self) -> bool | None:
        """Whether the interval excludes the null of the statistic's kind: 1 for ratios, 0 for differences and
        gaps; None for levels (counts, rates, shares), which have no null, and for estimates without an interval."""
        null = self.statistic.kind.null
        if null is None or self.ci is None or self.ci[0] is None or self.ci[1] is None:
            return None
        return not (self.ci[0] <= null <= self.ci[1])

    def with_flags(self, *flags: Flag, note: str | None = None) -> Estimate:
        """A copy with extra flags (and a note), keeping flag order stable and unique."""
        merged = tuple(dict.fromkeys((*self.flags, *flags)))
        notes = (*self.notes, note) if note else self.notes
        return replace(self, flags=merged, notes=notes)

    def to_json(self) -> dict[str, Any]:
        """The `metrics.json` form: numbers are numbers, missing is null, never NaN."""
        return {
            "id": self.id,
            "measure": str(self.measure),
            "statistic": str(self.statistic),
            "group": str(self.group),
            "reference_group": str(self.reference_group) if self.reference_group else None,
            "period": str(self.period),
            "window": [self.window[0].isoformat(), self.window[1].isoformat()],
            "then_window": (
                [self.then_window[0].isoformat(), self.then_window[1].isoformat()] if self.then_window else None
            ),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "denominator_kind": str(self.denominator_kind),
            "value": _num(self.value),
            "scale": self.scale,
            "years": _num(self.years),
            "ci": [_num(self.ci[0]), _num(self.ci[1])] if self.ci else [None, None],
            "ci_method": self.ci_method,
            "p_value": _num(self.p_value),
            "p_adjusted": _num(self.p_adjusted),
            "test_method": self.test_method,
            "flags": [str(f) for f in self.flags],
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


def _num(x: float | None) -> float | int | None:
    """JSON-safe number: None for missing, NaN or infinite; ints stay ints; floats rounded to 10 significant digits."""
    if x is None:
        return None
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    x = float(x)
    if not math.isfinite(x):
        return None
    if x.is_integer() and abs(x) < 2**53:
        return int(x)
    return float(f"{x:.10g}")


@dataclass(frozen=True)
class EstimateSet:
    """An ordered collection of estimates with lookups by what they describe."""

    items: tuple[Estimate, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def where(self, **match: Any) -> list[Estimate]:
        """Estimates whose attributes equal every keyword given (e.g. `statistic=Statistic.RATE_RATIO`)."""
        return [e for e in self.items if all(getattr(e, k) == v for k, v in match.items())]

    def one(self, **match: Any) -> Estimate | None:
        found = self.where(**match)
        return found[0] if found else None
