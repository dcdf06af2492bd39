"""Small-number rules (DESIGN "rules of thumb"; methods §5.3): no ratio when a count is under 5, "unstable"
under 20, and suppression of individual-level cells of 1–9 in sub-city tables. Thresholds are configurable
through `SmallNumberRules`; the defaults are the package's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from trustreport.caveat import Caveat, CaveatKind
from trustreport.estimate import Estimate
from trustreport.vocab import MIN_RATIO_COUNT, SUPPRESS_BELOW, UNSTABLE_BELOW, Flag


@dataclass(frozen=True)
class SmallNumberRules:
    """Thresholds of methods §5.3: AIHW (no ratio < 5), CDC WISQARS (unstable < 20), CDC WONDER
    (suppress < 10)."""

    min_ratio_count: int = MIN_RATIO_COUNT
    unstable_below: int = UNSTABLE_BELOW
    suppress_below: int = SUPPRESS_BELOW


DEFAULT_RULES = SmallNumberRules()


def ratio_refusal(counts: Mapping[str, float], *, rules: SmallNumberRules = DEFAULT_RULES) -> str | None:
    """Why no ratio (or percent change) may be computed from these numerator counts, or None if it may.

    `counts` maps a readable label ("Black stops, now") to its count; the reason names the first too small."""
    for label, count in counts.items():
        if count < rules.min_ratio_count:
            return (
                f"n too small: {label} = {count:g}, fewer than {rules.min_ratio_count}; "
                "no ratio is computed (methods §5.3)"
            )
    return None


def is_unstable(*counts: float, rules: SmallNumberRules = DEFAULT_RULES) -> bool:
    """Whether any numerator count is under the stability threshold (Poisson RSE above ~22 %)."""
    return any(c < rules.unstable_below for c in counts)


def not_estimable(estimate: Estimate, reason: str) -> Estimate:
    """A copy with no value, interval, p-value or methods, flagged `not estimable`, the reason as its first
    note."""
    blank = replace(
        estimate, value=None, ci=None, ci_method=None, p_value=None, p_adjusted=None, test_method=None
    ).with_flags(Flag.NOT_ESTIMABLE)
    # The reason comes first: it is what a reader of "not estimable" needs before any other caveat.
    return replace(blank, notes=tuple(dict.fromkeys((reason, *blank.notes))))


def apply_stability(estimate: Estimate, *counts: float, rules: SmallNumberRules = DEFAULT_RULES) -> Estimate:
    """Flag an estimate `unstable` when a count it rests on is under the threshold (methods §5.3)."""
    if not is_unstable(*counts, rules=rules):
        return estimate
    smallest = min(counts)
    note = Caveat(
        CaveatKind.UNSTABLE, f"unstable: based on a count of {smallest:g} (fewer than {rules.unstable_below})"
    )
    return estimate.with_flags(Flag.UNSTABLE, note=note)


def apply_ratio_rules(
    estimate: Estimate, counts: Mapping[str, float], *, rules: SmallNumberRules = DEFAULT_RULES
) -> Estimate:
    """Apply both rules to a ratio: not estimable if a count is under 5, else unstable if one is under 20."""
    reason = ratio_refusal(counts, rules=rules)
    if reason:
        return not_estimable(estimate, reason)
    return apply_stability(estimate, *counts.values(), rules=rules)


def suppress_cells(values: Sequence[float | None], *, rules: SmallNumberRules = DEFAULT_RULES) -> list[float | None]:
    """Individual-level counts of 1 … `suppress_below`−1 replaced by None (zeros kept; CDC WONDER rule)."""
    return [None if v is not None and 0 < v < rules.suppress_below else v for v in values]


def suppress_estimate(estimate: Estimate, *, rules: SmallNumberRules = DEFAULT_RULES) -> Estimate:
    """For sub-city tables describing individuals: hide an estimate whose numerator is 1 … 9, with its value
    and interval (either would reveal the count), and flag it `suppressed`."""
    n = estimate.numerator
    if n is None or not 0 < n < rules.suppress_below:
        return estimate
    hidden = replace(estimate, value=None, numerator=None, ci=None)
    return hidden.with_flags(
        Flag.SUPPRESSED, note=f"suppressed: fewer than {rules.suppress_below} people (methods §5.3)"
    )
