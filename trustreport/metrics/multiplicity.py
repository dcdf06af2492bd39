"""Multiple-comparison adjustment across a report's estimates (docs/methods.md §5.4): each distinct test counted once,
its p-value adjusted by `trustreport.stats.multiplicity.adjust_p_values`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from trustreport.estimate import Estimate
from trustreport.stats.multiplicity import Adjustment, adjust_p_values


def adjust_estimates(estimates: Sequence[Estimate], *, method: Adjustment = "fdr_bh") -> list[Estimate]:
    """New estimates with `p_adjusted` filled in across all those that carry a p-value; the family is the
    whole list given, each distinct test counted once. Estimates without a p-value are returned unchanged.

    The same test can reach a report twice (a funnel's first stage is the per-resident rate ratio; a
    Mantel–Haenszel risk and odds ratio share one CMH p-value): estimates of one measure, group and period with
    the same test method and p-value are one test, so repeats do not make the adjustment more conservative."""
    keys = {i: _test_key(e) for i, e in enumerate(estimates) if e.p_value is not None}
    family = list(dict.fromkeys(keys.values()))
    adjusted = dict(zip(family, adjust_p_values([k[-1] for k in family], method=method), strict=True))
    out = list(estimates)
    for i, key in keys.items():
        out[i] = replace(out[i], p_adjusted=adjusted[key])
    return out


def _test_key(e: Estimate) -> tuple:
    return (str(e.measure), str(e.group), str(e.period), e.test_method, float(e.p_value))
