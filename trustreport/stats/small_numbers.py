"""Small-number rules (docs/design.md "rules of thumb"; docs/methods.md §5.3): no ratio when a count is under 5,
"unstable"
under 20, and suppression of individual-level cells of 1–9 in sub-city tables. Thresholds are configurable
through `SmallNumberRules`; the defaults are the package's. Pure functions of counts: the rules applied to an
`Estimate` are in `trustreport.metrics.small_numbers`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustreport.vocab import MIN_RATIO_COUNT, SUPPRESS_BELOW, UNSTABLE_BELOW


@dataclass(frozen=True)
class SmallNumberRules:
    """Thresholds of docs/methods.md §5.3: AIHW (no ratio < 5), CDC WISQARS (unstable < 20), CDC WONDER
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
                "no ratio is computed (docs/methods.md §5.3)"
            )
    return None


def is_unstable(*counts: float, rules: SmallNumberRules = DEFAULT_RULES) -> bool:
    """Whether any numerator count is under the stability threshold (Poisson RSE above ~22 %)."""
    return any(c < rules.unstable_below for c in counts)


def suppress_cells(values: Sequence[float | None], *, rules: SmallNumberRules = DEFAULT_RULES) -> list[float | None]:
    """Individual-level counts of 1 … `suppress_below`−1 replaced by None (zeros kept; CDC WONDER rule)."""
    return [None if v is not None and 0 < v < rules.suppress_below else v for v in values]
