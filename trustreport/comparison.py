"""What the index compares across cities, read back from each city's `metrics.json`.

For each city: its then and now windows; one headline disparity, the per-resident rate ratio of Black residents
to the city's reference group (docs/methods.md §1) for the first measure in `HEADLINE_MEASURES` that the city
has in both windows, with the change between them as the ratio of the two rate ratios and its interval
(docs/methods.md §5.2, G15); how the claim ledger graded the city's published claims; and how much of the
data-availability
grid is covered. Nothing is recomputed: every number is one the report itself printed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustreport.claims.verdict import Verdict
from trustreport.vocab import MEASURE_LABELS, Group, Measure, Period

# Most comparable across cities first: stops and arrests are counted the same way everywhere; force and deaths
# are rarer and defined by each source.
HEADLINE_MEASURES: tuple[Measure, ...] = (
    Measure.STOPS,
    Measure.ARRESTS,
    Measure.FORCE_SUBJECTS,
    Measure.FORCE_INCIDENTS,
    Measure.POLICE_KILLINGS,
    Measure.HOMICIDE_VICTIMS,
)
HEADLINE_GROUP = Group.BLACK
RATE_RATIO = "rate_ratio"
RATIO_OF_RATIOS = "ratio_of_rate_ratios"
AVAILABLE, PARTIAL = "available", "partial"


@dataclass(frozen=True)
class Ratio:
    """One printed ratio with its interval (bounds may be None) and, for a change, its p-value."""

    value: float
    low: float | None
    high: float | None
    p_value: float | None = None

    @property
    def excludes_one(self) -> bool:
        """Whether the interval lies wholly above or wholly below 1 (no difference)."""
        return (self.low is not None and self.low > 1) or (self.high is not None and self.high < 1)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "ci": [self.low, self.high], "p_value": self.p_value}


@dataclass(frozen=True)
class Headline:
    """The headline disparity of one city: a measure's Black ÷ reference rate ratio in each window."""

    measure: Measure
    reference_group: str
    then: Ratio | None
    now: Ratio | None
    change: Ratio | None

    @property
    def label(self) -> str:
        """'stops per resident, Black vs white'."""
        return f"{MEASURE_LABELS[self.measure]} per resident, Black vs {self.reference_group}"

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": str(self.measure),
            "group": str(HEADLINE_GROUP),
            "reference_group": self.reference_group,
            "then": self.then.to_json() if self.then else None,
            "now": self.now.to_json() if self.now else None,
            "change": self.change.to_json() if self.change else None,
        }


@dataclass(frozen=True)
class CityComparison:
    """One row of the index's comparison table."""

    then_label: str
    then_window: tuple[str, str]
    now_label: str
    now_window: tuple[str, str]
    headline: Headline | None
    verdicts: dict[str, int]
    cells_available: int
    cells_partial: int
    cells_total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "then": {"label": self.then_label, "start": self.then_window[0], "end": self.then_window[1]},
            "now": {"label": self.now_label, "start": self.now_window[0], "end": self.now_window[1]},
            "headline": self.headline.to_json() if self.headline else None,
            "claims": dict(self.verdicts),
            "coverage": {"available": self.cells_available, "partial": self.cells_partial, "of": self.cells_total},
        }


def read_comparison(metrics_path: Path) -> CityComparison | None:
    """The comparison row from a city's `metrics.json`; None when the file is missing or not the expected shape
    (the index then lists the city without figures rather than failing the batch)."""
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        return comparison(metrics)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def comparison(metrics: dict[str, Any]) -> CityComparison:
    """The comparison row from a `metrics.json` dict."""
    then, now = metrics["then"], metrics["now"]
    tally = Counter(str(c["verdict"]) for c in metrics.get("claims", []))
    verdicts = {str(v): tally[str(v)] for v in Verdict if tally[str(v)]}
    grid = metrics.get("availability", [])
    return CityComparison(
        then_label=str(then["label"]),
        then_window=(str(then["start"]), str(then["end"])),
        now_label=str(now["label"]),
        now_window=(str(now["start"]), str(now["end"])),
        headline=headline(metrics.get("estimates", []), str(metrics.get("reference_group", Group.WHITE))),
        verdicts=verdicts,
        cells_available=sum(c.get("status") == AVAILABLE for c in grid),
        cells_partial=sum(c.get("status") == PARTIAL for c in grid),
        cells_total=len(grid),
    )


def headline(estimates: list[dict[str, Any]], reference_group: str) -> Headline | None:
    """The first measure of `HEADLINE_MEASURES` with a Black rate ratio in both windows; failing that, the first
    with one in either window (the other then shows as missing, and there is no change)."""
    found: dict[tuple[str, str, str], Ratio] = {}
    for e in estimates:
        if e.get("group") != HEADLINE_GROUP or e.get("statistic") not in (RATE_RATIO, RATIO_OF_RATIOS):
            continue
        if e.get("value") is None:
            continue
        low, high = (e.get("ci") or [None, None])[:2]
        found[(e["measure"], e["statistic"], e["period"])] = Ratio(e["value"], low, high, e.get("p_value"))

    def pick(measure: Measure) -> Headline:
        return Headline(
            measure=measure,
            reference_group=reference_group,
            then=found.get((measure, RATE_RATIO, Period.THEN)),
            now=found.get((measure, RATE_RATIO, Period.NOW)),
            change=found.get((measure, RATIO_OF_RATIOS, Period.CHANGE)),
        )

    for measure in HEADLINE_MEASURES:
        if (measure, RATE_RATIO, Period.THEN) in found and (measure, RATE_RATIO, Period.NOW) in found:
            return pick(measure)
    for measure in HEADLINE_MEASURES:
        if (measure, RATE_RATIO, Period.THEN) in found or (measure, RATE_RATIO, Period.NOW) in found:
            return pick(measure)
    return None
