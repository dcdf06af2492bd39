"""Multiple-comparison adjustment across a report's tests (methods §5.4): Benjamini–Hochberg FDR across every
"significance" flag in a report, Holm for a small pre-registered family (statsmodels `multipletests`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from statsmodels.stats.multitest import multipletests

from trustreport.estimate import Estimate

Adjustment = Literal["fdr_bh", "holm"]


def adjust_p_values(p_values: Sequence[float], *, method: Adjustment = "fdr_bh") -> list[float]:
    """Adjusted p-values in input order: Benjamini–Hochberg ("fdr_bh") or Holm ("holm") (methods §5.4,
    G17)."""
    if not p_values:
        return []
    _, adjusted, _, _ = multipletests(list(p_values), alpha=0.05, method=method)
    return [float(p) for p in adjusted]


def adjust_estimates(estimates: Sequence[Estimate], *, method: Adjustment = "fdr_bh") -> list[Estimate]:
    """New estimates with `p_adjusted` filled in across all those that carry a p-value; the family is the
    whole list given. Estimates without a p-value are returned unchanged (and do not count towards the
    family)."""
    tested = [i for i, e in enumerate(estimates) if e.p_value is not None]
    adjusted = adjust_p_values([estimates[i].p_value for i in tested], method=method)
    out = list(estimates)
    for i, p in zip(tested, adjusted, strict=True):
        out[i] = replace(out[i], p_adjusted=p)
    return out
