"""The structure of a published claim, as entered in `params/<city>.yaml` under `claims:` (DESIGN: claims are
structured data; numbers are never parsed out of prose).

A claim names the statistic it states, what it measures, for whom against whom, over which window, the value
published and how precisely it was published. Unknown keys are refused, so a typo is an error naming
`claims[i].key`. Keys, in YAML:

- `id` (slug), `role` (`claim`, default, or `then_figure`: a published "then" figure paired with a later claim),
  `label` (a short name for sentences), `wording` (the published words, quoted briefly), `citation`, `url`.
- `statistic`: see `Statistic`. `measure`: a canonical measure (a list for `availability`), or omitted with
  `quantity` saying in words what is counted when no measure of the vocabulary fits (e.g. "reported crime").
- `group` (default `all`), `reference_group`: a group, or `all other` (everyone not in `group`; docs/methods.md §1.1:
  vs white, vs all other and vs total give different numbers, so a ratio claim must name it).
- `denominator`: `residents`, `stops`, `searches`, `arrests`, `years`, `none`, or `unstated`; `readings`: the
  denominators to try when it is unstated (default: residents and the stages that feed the measure).
- `period` (one window) or `then` and `now` (a change), each `{start, end, stated, note}`: `stated: false` marks
  a window the text does not give and `note` says how it was assumed. `check_window`: the data window used
  instead when the claim's own has no data (e.g. the first full years of a later source), with its `note`.
- `published_value`; `published_then` and `published_now` for a change; `published_reference` for the
  reference group's value of a proportion. Proportions and shares are fractions (0.36); percent changes are
  percents (-32); ratios as printed (1.6). `bound`: `at least` or `at most` when `published_value` was
  published as a bound ("over 8,700 stops"); it is then graded one-sided.
- `tolerance`: `{decimals: d}`, `{significant: s}`, `{relative: r}` or `{absolute: a}`. Rounding rule: a value
  reproduces when ours lies within half a unit of the last published digit (`1.6` ⇒ 1.55 … 1.65; the default
  `decimals` is the number of decimals the value was written with, and a fraction is read at least to whole
  percents: 0.2 was published as "20%"), or within `relative`/`absolute`.
- `parity_band` (`representation`): the band of representation ratios that counts as "reflects the community"
  (default 0.8–1.25, the four-fifths rule of thumb both ways; docs/methods.md §7).
- `definition` (what the figure counts, e.g. "pedestrian stops"), `benchmark` (the population it is set
  against), `hispanic` (`separate` or `overlapping`: whether that benchmark counts Hispanic people apart or
  inside the race groups), `context` (words in the same text that bear on the claim), `about` (a jurisdiction
  slug when the claim is about another place), `date` (an `event`), `note`.
- `pair_with` (a `then_figure`'s later claim) and `pair_reading` (which reading of that claim's unstated
  denominator the pair compares).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trustreport.vocab import Group, Measure

_SLUG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
ALL_OTHER = "all other"

Denominator = Literal["residents", "stops", "searches", "arrests", "years", "none", "unstated"]
Reading = Literal["residents", "stops", "searches", "arrests"]
# A one-sided published figure: "over 8,700 stops" is `at least` 8,700 (as `qualifier` in data/published).
Bound = Literal["at least", "at most"]


class Statistic(StrEnum):
    """What a claim states, and so how it is recomputed."""

    RATE_RATIO = "rate_ratio"  # per resident (Poisson), group vs reference (docs/methods.md §1.2B)
    RISK_RATIO = "risk_ratio"  # conditional on a stage (binomial), group vs reference (docs/methods.md §1.2A)
    PROPORTION = "proportion"  # x / n of a feeding stage, e.g. a hit rate (docs/methods.md §2.1)
    SHARE = "share"  # the group's share of all events of the measure
    COUNT = "count"  # a count (or dollars) in a window
    COUNT_PER_YEAR = "count_per_year"  # a count over a window, per year
    COUNT_CHANGE = "count_change"  # two counts, then and now, per year of window (docs/methods.md §2.2)
    PERCENT_CHANGE = "percent_change"  # 100·(now − then)/then over two windows
    PERCENT_CHANGE_YTD = "percent_change_ytd"  # the same, January 1 to the same day in two years (docs/methods.md §2.3)
    PROPORTION_CHANGE = "proportion_change"  # a proportion then vs now (docs/methods.md §2.1)
    REPRESENTATION = "representation"  # officers vs residents (docs/methods.md §7)
    AVAILABILITY = "availability"  # whether data exist for a window
    EVENT = "event"  # a dated event: drawn on the timeline, nothing to recompute


RATIO_STATISTICS = frozenset({Statistic.RATE_RATIO, Statistic.RISK_RATIO})
CHANGE_STATISTICS = frozenset(
    {
        Statistic.COUNT_CHANGE,
        Statistic.PERCENT_CHANGE,
        Statistic.PERCENT_CHANGE_YTD,
        Statistic.PROPORTION_CHANGE,
    }
)
# Statistics whose published value is a fraction between 0 and 1.
FRACTION_STATISTICS = frozenset({Statistic.PROPORTION, Statistic.SHARE, Statistic.PROPORTION_CHANGE})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimWindow(_Strict):
    """An inclusive window; `stated: false` when the claim does not give it and `note` says how it was set."""

    start: dt.date
    end: dt.date
    stated: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ClaimWindow:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if not self.stated and not self.note:
            raise ValueError("a window the claim does not state (`stated: false`) needs a `note` saying why")
        return self

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        return (self.start, self.end)


class Tolerance(_Strict):
    """How closely our value must match the published one to count as reproduced (at most one key)."""

    decimals: int | None = Field(None, ge=0, le=6)
    significant: int | None = Field(None, ge=1, le=12)
    relative: float | None = Field(None, gt=0, lt=1)
    absolute: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> Tolerance:
        given = [k for k in ("decimals", "significant", "relative", "absolute") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of decimals, significant, relative, absolute; got {given or 'none'}")
        return self

    def half_width(self, published: float) -> float:
        """The largest |ours − published| that still reproduces `published`."""
        if self.decimals is not None:
            return 0.5 * 10.0**-self.decimals
        if self.significant is not None:
            magnitude = math.floor(math.log10(abs(published))) if published else 0
            return 0.5 * 10.0 ** (magnitude - self.significant + 1)
        if self.relative is not None:
            return self.relative * abs(published)
        return float(self.absolute)

    def rule(self, *, percent: bool = False) -> str:
        """The rule in words, for the ledger and metrics.json (`percent`: a fraction published as a percent)."""
        if self.decimals is not None and percent:
            places = self.decimals - 2
            return "rounded to a whole percent" if places <= 0 else f"rounded to {places} decimal(s) of a percent"
        if self.decimals is not None:
            return f"rounded to {self.decimals} decimal{'s' if self.decimals != 1 else ''}"
        if self.significant is not None:
            return f"rounded to {self.significant} significant figure{'s' if self.significant != 1 else ''}"
        if self.relative is not None:
            return f"within {100 * self.relative:g}%"
        return f"within ±{self.absolute:g}"


def written_decimals(value: float) -> int:
    """Decimals a value was written with, as YAML read it (1.6 → 1, 0.36 → 2, 48 → 0)."""
    text = repr(float(value))
    if "e" in text or text.endswith(".0"):
        return 0
    return len(text.split(".")[1])


class Claim(_Strict):
    """One published claim, structured (see the module docstring for every key)."""

    # Required, but checked after the fields: a misspelt key is then reported as the unknown key it is, not
    # as the required key it was meant to be.
    id: str | None = None
    role: Literal["claim", "then_figure"] = "claim"
    label: str | None = None
    wording: str | None = Field(None, min_length=1)
    citation: str | None = Field(None, min_length=1)
    url: str | None = None
    statistic: Statistic | None = None
    measure: Measure | list[Measure] | None = None
    quantity: str | None = None
    group: Group = Group.ALL
    reference_group: Group | Literal["all other"] | None = None
    denominator: Denominator = "none"
    readings: list[Reading] | None = None
    period: ClaimWindow | None = None
    then: ClaimWindow | None = None
    now: ClaimWindow | None = None
    check_window: ClaimWindow | None = None
    published_value: float | None = None
    published_then: float | None = None
    published_now: float | None = None
    published_reference: float | None = None
    bound: Bound | None = None
    tolerance: Tolerance | None = None
    parity_band: tuple[float, float] = (0.8, 1.25)
    definition: str | None = None
    benchmark: str | None = None
    hispanic: Literal["separate", "overlapping"] | None = None
    context: str | None = None
    about: str | None = None
    date: dt.date | None = None
    note: str | None = None
    pair_with: str | None = None
    pair_reading: Reading | None = None

    @model_validator(mode="after")
    def _complete(self) -> Claim:
        absent = [k for k in ("id", "wording", "citation", "statistic") if getattr(self, k) is None]
        if absent:
            raise ValueError(f"required key `{absent[0]}` is missing")
        if not _SLUG.match(self.id):
            raise ValueError(f"`id` {self.id!r} is not a lower-case slug such as 'c08-homicides-ytd'")
        problem = _missing_for_statistic(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def measures(self) -> tuple[Measure, ...]:
        if self.measure is None:
            return ()
        return tuple(self.measure) if isinstance(self.measure, list) else (self.measure,)

    @property
    def short(self) -> str:
        return self.label or self.id

    @property
    def windows(self) -> tuple[ClaimWindow, ...]:
        return tuple(w for w in (self.period, self.then, self.now) if w is not None)

    def tolerance_for(self, published: float) -> Tolerance:
        """The tolerance given, or rounding at the decimals the value was written with; a fraction at least
        to whole percents (0.2 was published as "20%")."""
        if self.tolerance:
            return self.tolerance
        least = 2 if self.statistic in FRACTION_STATISTICS else 0
        return Tolerance(decimals=max(written_decimals(published), least))

    def denominator_readings(self) -> tuple[str, ...]:
        """The denominators to compute: the stated one, or every reading of an unstated one."""
        if self.denominator != "unstated":
            return (self.denominator,)
        if self.readings:
            return tuple(self.readings)
        feeders = DEFAULT_READINGS.get(self.measures[0], ()) if self.measures else ()
        return ("residents", *feeders)


# The stages that feed each measure (docs/methods.md §1.3): the readings of an unstated denominator besides residents.
DEFAULT_READINGS: dict[Measure, tuple[str, ...]] = {
    Measure.SEARCHES: ("stops",),
    Measure.HITS: ("searches",),
    Measure.ARRESTS: ("stops",),
    Measure.FORCE_INCIDENTS: ("arrests", "stops"),
    Measure.FORCE_SUBJECTS: ("arrests", "stops"),
}


def _missing_for_statistic(c: Claim) -> str | None:
    """What the statistic needs that the claim lacks, as a message naming the key, or None."""
    s = c.statistic
    if s == Statistic.EVENT:
        return None if c.date or c.period else "an `event` needs a `date` (or a `period`)"
    if not c.measures and not c.quantity:
        return f"statistic {s} needs a `measure` (or a `quantity` saying in words what is counted)"
    if isinstance(c.measure, list) and s != Statistic.AVAILABILITY:
        return f"only `availability` takes a list of measures; statistic {s} needs one `measure`"
    if s in CHANGE_STATISTICS:
        if c.then is None or c.now is None:
            return f"statistic {s} needs both `then` and `now` windows"
        if c.then.end >= c.now.start:
            return f"`then` ends {c.then.end}, not before `now` starts {c.now.start}"
        two_values = s in (Statistic.COUNT_CHANGE, Statistic.PROPORTION_CHANGE)
        needs = ("published_then", "published_now") if two_values else ("published_value",)
    elif c.period is None:
        return f"statistic {s} needs a `period`"
    else:
        needs = () if s in (Statistic.AVAILABILITY, Statistic.REPRESENTATION) else ("published_value",)
    absent = [k for k in needs if getattr(c, k) is None]
    if absent:
        return f"statistic {s} needs `{absent[0]}`"
    if s in RATIO_STATISTICS and c.reference_group is None:
        return f"statistic {s} needs an explicit `reference_group` (a group, or 'all other'; docs/methods.md §1.1)"
    if s in RATIO_STATISTICS and c.group == Group.ALL:
        return f"statistic {s} compares a `group` with its reference: `group` cannot be `all`"
    if c.parity_band[0] >= c.parity_band[1]:
        return f"`parity_band` must run from low to high, got {list(c.parity_band)}"
    if s == Statistic.RISK_RATIO and c.denominator in ("residents", "none", "years"):
        return "a `risk_ratio` is conditional on a stage: `denominator` must be stops, searches, arrests or unstated"
    if s == Statistic.PERCENT_CHANGE_YTD and not _same_calendar_window(c.then, c.now):
        return "`percent_change_ytd` needs `then` and `now` to run from January 1 to the same day, one year apart"
    if c.bound and c.published_value is None:
        return "`bound` qualifies `published_value`, which this claim does not have"
    if c.pair_reading and not c.pair_with:
        return "`pair_reading` needs `pair_with`"
    return None


def _same_calendar_window(then: ClaimWindow, now: ClaimWindow) -> bool:
    return (
        then.start.month == now.start.month == 1
        and then.start.day == now.start.day == 1
        and now.start.year == then.start.year + 1
        and (then.end.month, then.end.day) == (now.end.month, now.end.day)
        and then.end.year == then.start.year
        and now.end.year == now.start.year
    )
