"""The small-number rules of docs/methods.md §5.3 applied to an `Estimate`: not estimable when a count is under 5,
flagged
"unstable" under 20, suppressed when a sub-city cell describes 1–9 people. The thresholds and the rules on bare
counts are in `trustreport.stats.small_numbers`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from trustreport import fmt
from trustreport.caveat import Caveat, CaveatKind
from trustreport.estimate import Estimate
from trustreport.stats.small_numbers import DEFAULT_RULES, SmallNumberRules, is_unstable, ratio_refusal
from trustreport.vocab import Flag


def not_estimable(estimate: Estimate, reason: str) -> Estimate:
    """A copy with no value, interval, p-value or methods, flagged `not estimable`, the reason as its first
    note."""
    blank = replace(
        estimate, value=None, ci=None, ci_method=None, p_value=None, p_adjusted=None, test_method=None
    ).with_flags(Flag.NOT_ESTIMABLE)
    # The reason comes first: it is what a reader of "not estimable" needs before any other caveat.
    return replace(blank, notes=tuple(dict.fromkeys((reason, *blank.notes))))


def apply_stability(estimate: Estimate, *counts: float, rules: SmallNumberRules = DEFAULT_RULES) -> Estimate:
    """Flag an estimate `unstable` when a count it rests on is under the threshold (docs/methods.md §5.3)."""
    if not is_unstable(*counts, rules=rules):
        return estimate
    smallest = min(counts)
    note = Caveat(
        CaveatKind.UNSTABLE, f"unstable: based on a count of {fmt.count(smallest)} (fewer than {rules.unstable_below})"
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


def suppress_estimate(estimate: Estimate, *, rules: SmallNumberRules = DEFAULT_RULES) -> Estimate:
    """For sub-city tables describing individuals: hide an estimate whose numerator is 1 … 9, with its value
    and interval (either would reveal the count), and flag it `suppressed`."""
    n = estimate.numerator
    if n is None or not 0 < n < rules.suppress_below:
        return estimate
    hidden = replace(estimate, value=None, numerator=None, ci=None)
    return hidden.with_flags(
        Flag.SUPPRESSED, note=f"suppressed: fewer than {rules.suppress_below} people (docs/methods.md §5.3)"
    )
