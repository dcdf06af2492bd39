"""Then-and-now pairs of published figures from different sources, graded for comparability.

A `then_figure` claim names the later claim it pairs with (`pair_with`), and, when that claim leaves its
denominator unstated, the reading compared (`pair_reading`); when we could recompute that reading, the "now"
side is our recomputation. Differences that change what is measured make a pair **not comparable**: the
statistic, the measure, the group, the reference group, a stated denominator, or a population benchmark that
counts Hispanic people apart on one side and inside the race groups on the other. Differences that leave the
quantity the same but its estimate uncertain make it **partly comparable**: different publishers, windows of
different length or not stated, definitions that differ or are not given, a benchmark not stated. With none of
these a pair is **comparable**.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from trustreport import fmt
from trustreport.claim_schema import ALL_OTHER, Claim, ClaimWindow, Statistic
from trustreport.claims.grade import OVERLAP_CAVEAT, ClaimResult
from trustreport.claims.ratios import READING_LABELS
from trustreport.metrics.inputs import years_in
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS

_STAGES = frozenset({"stops", "searches", "arrests"})
# Windows whose lengths differ by more than this share are called different.
_LENGTH_SLACK = 0.10


class Comparability(StrEnum):
    COMPARABLE = "comparable"
    PARTLY = "partly comparable"
    NOT = "not comparable"


@dataclass(frozen=True)
class Side:
    """One side of a pair, as compared: the published figure, or our recomputation of a reading."""

    claim: Claim
    statistic: str
    value: float | None
    window: ClaimWindow | None
    denominator: str
    source: str
    definition: str | None
    hispanic: str | None
    ci: tuple[float | None, float | None] | None = None
    recomputed: bool = False


@dataclass(frozen=True)
class PublishedPair:
    """A published 'then' figure against a later claim (or our recomputation of it), with the grade."""

    then: Side
    now: Side
    grade: Comparability
    reasons: tuple[str, ...]


def then_and_now_pairs(results: Sequence[ClaimResult]) -> list[PublishedPair]:
    """Every `then_figure` with a `pair_with`, in params order, graded."""
    by_id = {r.claim.id: r for r in results}
    pairs = []
    for result in results:
        claim = result.claim
        if claim.role != "then_figure" or not claim.pair_with or claim.pair_with not in by_id:
            continue
        then = published_side(claim)
        now, notes = now_side(by_id[claim.pair_with], claim.pair_reading)
        grade, reasons = compare_sides(then, now)
        pairs.append(PublishedPair(then, now, grade, (*reasons, *notes)))
    return pairs


def published_side(claim: Claim, reading: str | None = None) -> Side:
    """A claim's published figure (the 'now' part of a change), read per `reading` if given."""
    value, window = claim.published_value, claim.period
    statistic = str(claim.statistic)
    if claim.statistic in (Statistic.PROPORTION_CHANGE, Statistic.COUNT_CHANGE):
        value, window = claim.published_now, claim.now
        statistic = "proportion" if claim.statistic == Statistic.PROPORTION_CHANGE else "count"
    denominator = reading or claim.denominator
    return Side(
        claim=claim,
        statistic=_ratio_kind(statistic, denominator),
        value=value,
        window=window,
        denominator=denominator,
        source=fmt.publisher(claim.citation),
        definition=claim.definition,
        hispanic=claim.hispanic,
    )


def now_side(result: ClaimResult, reading: str | None) -> tuple[Side, tuple[str, ...]]:
    """The later claim as compared: our recomputation of the paired reading if we have one, else its
    published figure under that reading."""
    claim = result.claim
    notes: tuple[str, ...] = ()
    if reading and claim.denominator == "unstated":
        notes = (f"the later figure does not state its denominator; it is read {READING_LABELS[reading]}",)
    check = next((c for c in result.checks if reading and c.label == READING_LABELS[reading]), None)
    if check is None or check.value is None or check.estimate is None:
        return published_side(claim, reading), notes
    est = check.estimate
    side = Side(
        claim=claim,
        statistic=_ratio_kind(str(claim.statistic), reading),
        value=check.value,
        window=ClaimWindow(start=est.window[0], end=est.window[1]),
        denominator=reading,
        source="recomputed here from " + ", ".join(est.sources),
        definition=MEASURE_LABELS[est.measure],
        hispanic="overlapping" if OVERLAP_CAVEAT in result.caveats else None,
        ci=check.ci,
        recomputed=True,
    )
    return side, (*notes, f"the 'now' side is our recomputation ({side.source}), not the published figure")


def compare_sides(then: Side, now: Side) -> tuple[Comparability, tuple[str, ...]]:
    """The grade and its reasons (see the module docstring for the rules)."""
    major, minor = _major(then, now), _minor(then, now)
    if major:
        return Comparability.NOT, (*major, *minor)
    if minor:
        return Comparability.PARTLY, tuple(minor)
    return Comparability.COMPARABLE, ("same statistic, groups, definitions, benchmark and window length",)


def _major(then: Side, now: Side) -> list[str]:
    a, b = then.claim, now.claim
    out = []
    if then.statistic != now.statistic:
        # Statistic names are code ('rate_ratio'); a reader gets words ('rate ratio').
        out.append(f"different statistics: {_words(then.statistic)} vs {_words(now.statistic)}")
    if set(a.measures) != set(b.measures):
        out.append(f"different measures: {_measures(a)} vs {_measures(b)}")
    if a.group != b.group:
        out.append(f"different groups: {GROUP_LABELS[a.group]} vs {GROUP_LABELS[b.group]} people")
    if a.reference_group != b.reference_group:
        out.append(f"different reference groups: {_reference(a)} vs {_reference(b)}")
    stated = {"unstated", "none"}
    if then.denominator != now.denominator and not {then.denominator, now.denominator} & stated:
        out.append(f"different denominators: per {then.denominator} vs per {now.denominator}")
    if then.hispanic and now.hispanic and then.hispanic != now.hispanic:
        out.append(
            f"population benchmarks differ: Hispanic people counted {_hispanic(then)} (then) vs "
            f"{_hispanic(now)} (now), which moves a ratio against white residents"
        )
    return out


def _minor(then: Side, now: Side) -> list[str]:
    out = []
    if then.source != now.source:
        out.append(f"different sources: {then.source} vs {now.source}")
    for name, side in (("then", then), ("now", now)):
        if side.window is None or not side.window.stated:
            out.append(f"the {name} figure's window is not stated")
        if side.denominator == "unstated":
            out.append(f"the {name} figure does not state its denominator")
    if then.window and now.window and then.window.stated and now.window.stated:
        lengths = years_in(then.window.dates), years_in(now.window.dates)
        if abs(lengths[0] - lengths[1]) > _LENGTH_SLACK * max(lengths):
            out.append(f"windows of different length: {fmt.years(lengths[0])} vs {fmt.years(lengths[1])}")
    if then.definition and now.definition and then.definition != now.definition:
        out.append(f"different definitions: {then.definition} vs {now.definition}")
    elif bool(then.definition) != bool(now.definition):
        missing = "then" if not then.definition else "now"
        out.append(f"the {missing} figure does not say what it counts")
    if then.statistic.endswith("ratio") and bool(then.hispanic) != bool(now.hispanic):
        missing = "then" if not then.hispanic else "now"
        out.append(f"the {missing} figure does not say how its population benchmark counts Hispanic people")
    return out


def _ratio_kind(statistic: str, denominator: str) -> str:
    """A ratio read per resident is a rate ratio, per stop, search or arrest a risk ratio (docs/methods.md §1.3)."""
    if statistic in (Statistic.RATE_RATIO, Statistic.RISK_RATIO):
        if denominator == "residents":
            return str(Statistic.RATE_RATIO)
        if denominator in _STAGES:
            return str(Statistic.RISK_RATIO)
    return statistic


def _measures(claim: Claim) -> str:
    return ", ".join(MEASURE_LABELS[m] for m in claim.measures) or (claim.quantity or "unstated")


def _reference(claim: Claim) -> str:
    if claim.reference_group is None:
        return "none (a share of all)"
    if claim.reference_group == ALL_OTHER:
        return "all other people"
    return f"{GROUP_LABELS[claim.reference_group]} people"


def _hispanic(side: Side) -> str:
    return "apart" if side.hispanic == "separate" else "inside the race groups"


def _words(name: str) -> str:
    """A claim statistic's name in words: 'rate_ratio' → 'rate ratio'."""
    return str(name).replace("_", " ")
