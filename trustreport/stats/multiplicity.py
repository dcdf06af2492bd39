"""Multiple-comparison adjustment across a report's tests (docs/methods.md §5.4): Benjamini–Hochberg FDR across every
"significance" flag in a report, Holm for a small pre-registered family (statsmodels `multipletests`). Pure
functions of p-values: the adjustment across a report's `Estimate`s is `metrics.multiplicity.adjust_estimates`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from statsmodels.stats.multitest import multipletests

Adjustment = Literal["fdr_bh", "holm"]


def adjust_p_values(p_values: Sequence[float], *, method: Adjustment = "fdr_bh") -> list[float]:
    """Adjusted p-values in input order: Benjamini–Hochberg ("fdr_bh") or Holm ("holm") (docs/methods.md §5.4,
    G17)."""
    if not p_values:
        return []
    _, adjusted, _, _ = multipletests(list(p_values), alpha=0.05, method=method)
    return [float(p) for p in adjusted]
