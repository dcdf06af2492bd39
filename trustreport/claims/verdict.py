"""Verdicts: how one recomputed number is judged against a published one, and how several are combined.

- `reproduced`: our point estimate matches the published value within its rounding (or stated tolerance); for
  a one-sided figure ("at least 8,700"), ours satisfies it.
- `consistent`: it does not, but the published value lies inside our confidence interval (one-sided where ours
  has no finite bound, e.g. a ratio whose reference group had no events).
- `contradicted`: the published value lies outside our interval.
- `not checkable`: nothing to recompute from — missing data for the window, a figure that is not a number, an
  event, a place other than the report's, or evidence that is only the claim's own publication — with the reason.
  Missing data never supports a claim: absence of data in this report is not evidence of anything.

Flags (`ClaimFlag`) are findings beside the verdict, never a verdict themselves: a text that contradicts itself
is *internally inconsistent* whatever the data say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from trustreport import fmt
from trustreport.claim_schema import FRACTION_STATISTICS, Bound, Claim
from trustreport.estimate import Estimate


class Verdict(StrEnum):
    REPRODUCED = "reproduced"
    CONSISTENT = "consistent"
    CONTRADICTED = "contradicted"
    NOT_CHECKABLE = "not checkable"


class ClaimFlag(StrEnum):
    """A finding about a claim beside its verdict."""

    NO_INDEPENDENT_SOURCE = "no independent source"  # the only evidence is the claim's own publication
    INTERNALLY_INCONSISTENT = "internally inconsistent"  # the same text states something that rules it out
    LOWER_BOUND = "lower bound"  # published as "over …" / "at least …" and graded one-sided
    UPPER_BOUND = "upper bound"  # published as "under …" / "at most …" and graded one-sided


# For a claim with several published figures (then and now counts; a group and its reference), the worst
# verdict of its figures holds.
_SEVERITY = {
    Verdict.REPRODUCED: 0,
    Verdict.CONSISTENT: 1,
    Verdict.NOT_CHECKABLE: 2,
    Verdict.CONTRADICTED: 3,
}
# For a claim read several ways (an unstated denominator), the most favourable computable reading holds.
_FAVOUR = {
    Verdict.REPRODUCED: 0,
    Verdict.CONSISTENT: 1,
    Verdict.CONTRADICTED: 2,
    Verdict.NOT_CHECKABLE: 3,
}


@dataclass(frozen=True)
class Check:
    """One published figure (or one reading of it) against our recomputation, in the claim's units."""

    label: str
    verdict: Verdict
    reason: str
    value: float | None = None
    ci: tuple[float | None, float | None] | None = None
    method: str | None = None
    estimate: Estimate | None = None
    flags: tuple[ClaimFlag, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a claim's recomputation found: checks of its published figures, any further estimates made, a
    sentence of finding (e.g. whether a change is larger than chance), and caveats."""

    checks: list[Check]
    estimates: tuple[Estimate, ...] = ()
    finding: str | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)


def not_checkable(label: str, reason: str, estimate: Estimate | None = None) -> Check:
    return Check(label, Verdict.NOT_CHECKABLE, reason, estimate=estimate)


def judge(
    claim: Claim,
    published: float,
    value: float | None,
    ci: tuple[float | None, float | None] | None,
    *,
    label: str,
    method: str | None = None,
    estimate: Estimate | None = None,
    missing: str | None = None,
    as_count: bool = False,
    bound: Bound | None = None,
) -> Check:
    """Grade `published` against our `value` and `ci` (bounds in the claim's units, or counts with
    `as_count`; None = unbounded). Inside the interval is consistent, outside contradicted. With `bound` the
    published figure is one-sided ("over 8,700" = at least 8,700) and graded one-sided (`_one_sided`)."""
    if value is None:
        return not_checkable(label, missing or "our value is not estimable", estimate)
    if bound is not None:
        return _one_sided(claim, published, value, ci, bound, label, method, estimate, as_count=as_count)
    tol = claim.tolerance_for(published)
    ours, theirs = (
        fmt.claim_number(value, claim, as_count=as_count),
        fmt.claim_published(published, claim, as_count=as_count),
    )
    span = fmt.claim_interval(ci, claim, as_count=as_count)
    if abs(value - published) <= tol.half_width(published) * (1 + 1e-9):
        rule = tol.rule(percent=claim.statistic in FRACTION_STATISTICS and not as_count)
        verdict, reason = Verdict.REPRODUCED, f"ours, {ours}, matches the published {theirs} ({rule})"
    elif ci is not None and _inside(published, ci):
        verdict = Verdict.CONSISTENT
        reason = f"ours, {ours}, differs from {theirs}, which lies inside our interval ({span})"
    elif ci is not None and ci != (None, None):
        verdict = Verdict.CONTRADICTED
        reason = f"{theirs} lies outside our interval ({span}; ours {ours})"
    else:
        verdict, reason = Verdict.CONTRADICTED, f"ours, {ours}, differs from {theirs} and has no interval"
    return Check(label, verdict, reason, value, ci, method, estimate)


def _one_sided(
    claim: Claim,
    published: float,
    value: float,
    ci: tuple[float | None, float | None] | None,
    bound: Bound,
    label: str,
    method: str | None,
    estimate: Estimate | None,
    *,
    as_count: bool,
) -> Check:
    """ "At least P": reproduced when ours is at least P (within P's rounding), consistent when ours is below
    but our interval reaches P, contradicted when the whole interval lies below P ("at most" mirrored)."""
    slack = claim.tolerance_for(published).half_width(published) * (1 + 1e-9)
    lower = bound == "at least"
    flag = ClaimFlag.LOWER_BOUND if lower else ClaimFlag.UPPER_BOUND
    ours, theirs = (
        fmt.claim_number(value, claim, as_count=as_count),
        fmt.claim_published(published, claim, as_count=as_count),
    )
    span = fmt.claim_interval(ci, claim, as_count=as_count)
    side = "below" if lower else "above"
    if (value >= published - slack) if lower else (value <= published + slack):
        verdict, reason = Verdict.REPRODUCED, f"ours, {ours}, is {bound} {theirs}, as published (one-sided)"
    elif ci is None or ci == (None, None):
        verdict, reason = Verdict.CONTRADICTED, f"ours, {ours}, is {side} {bound} {theirs} and has no interval"
    elif (ci[1] is None or ci[1] >= published) if lower else (ci[0] is None or ci[0] <= published):
        verdict = Verdict.CONSISTENT
        reason = f"ours, {ours}, is {side} {theirs}, but our interval ({span}) reaches it (one-sided)"
    else:
        verdict, reason = Verdict.CONTRADICTED, f"our interval ({span}) lies wholly {side} {bound} {theirs}"
    return Check(label, verdict, reason, value, ci, method, estimate, (flag,))


def _inside(x: float, ci: tuple[float | None, float | None]) -> bool:
    low, high = ci
    return (low is None or low <= x) and (high is None or x <= high)


def worst(checks: Sequence[Check]) -> Verdict:
    """Every published figure must hold: the most severe verdict among them."""
    return max((c.verdict for c in checks), key=_SEVERITY.__getitem__)


def most_favourable(checks: Sequence[Check]) -> Verdict:
    """An ambiguous claim holds if some reading holds; it is contradicted only if every reading could be
    computed and every one contradicts it; otherwise it is not checkable."""
    verdicts = {c.verdict for c in checks}
    best = min(verdicts, key=_FAVOUR.__getitem__)
    if best == Verdict.CONTRADICTED and Verdict.NOT_CHECKABLE in verdicts:
        return Verdict.NOT_CHECKABLE
    return best


def reason_of(checks: Sequence[Check]) -> str:
    """One line: the single check's reason, or each labelled check's reason in turn."""
    if len(checks) == 1:
        return checks[0].reason
    return "; ".join(f"{c.label}: {c.reason}" for c in checks)
