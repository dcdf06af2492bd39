"""Golden test G17 (docs/methods.md §5.4): BH and Holm on [0.01, 0.04, 0.03, 0.20]."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from trustreport.estimate import Estimate
from trustreport.metrics.multiplicity import adjust_estimates
from trustreport.stats.multiplicity import adjust_p_values
from trustreport.vocab import Group, Measure, Period

P = [0.01, 0.04, 0.03, 0.20]


def test_g17_benjamini_hochberg() -> None:
    """G17: BH adjusted [0.04, 0.0533, 0.0533, 0.20]."""
    assert adjust_p_values(P, method="fdr_bh") == pytest.approx([0.04, 0.0533, 0.0533, 0.20], abs=5e-5)


def test_g17_holm() -> None:
    """G17: Holm adjusted [0.04, 0.09, 0.09, 0.20]."""
    assert adjust_p_values(P, method="holm") == pytest.approx([0.04, 0.09, 0.09, 0.20], abs=1e-12)


def test_adjust_estimates_fills_p_adjusted_and_skips_untested() -> None:
    base = Estimate(
        id="x",
        measure=Measure.STOPS,
        statistic="rate_ratio",
        group=Group.BLACK,
        period=Period.NOW,
        window=(date(2017, 1, 1), date(2017, 12, 31)),
        value=2.0,
    )
    ests = [replace(base, id=f"e{i}", p_value=p) for i, p in enumerate(P)]
    ests.insert(2, replace(base, id="untested"))
    out = adjust_estimates(ests)
    assert [e.id for e in out] == [e.id for e in ests]
    assert out[2].p_adjusted is None and out[2] is ests[2]
    got = [e.p_adjusted for e in out if e.p_value is not None]
    assert got == pytest.approx([0.04, 0.0533, 0.0533, 0.20], abs=5e-5)
    assert all(e.p_adjusted is None for e in ests)
    assert adjust_estimates([]) == []


def test_a_test_reported_twice_counts_once_in_the_family() -> None:
    """G17's four p-values, with the first test repeated (as a funnel repeats the per-resident rate ratio):
    the adjusted values must equal those of the four distinct tests."""
    from datetime import date

    from trustreport.estimate import Estimate
    from trustreport.metrics.multiplicity import adjust_estimates
    from trustreport.stats.multiplicity import adjust_p_values
    from trustreport.vocab import Group, Measure, Period

    def est(i: int, p: float, statistic: str, group: Group) -> Estimate:
        return Estimate(
            id=f"e{i}",
            measure=Measure.STOPS,
            statistic=statistic,
            group=group,
            period=Period.NOW,
            window=(date(2020, 1, 1), date(2020, 12, 31)),
            value=1.0,
            p_value=p,
            test_method="exact",
        )

    groups = [Group.BLACK, Group.HISPANIC, Group.ASIAN_PI, Group.OTHER]
    distinct = [
        est(i, p, "rate_ratio", g) for i, (p, g) in enumerate(zip([0.01, 0.04, 0.03, 0.20], groups, strict=True))
    ]
    repeated = [*distinct, est(9, 0.01, "stage_ratio", Group.BLACK)]
    adjusted = [e.p_adjusted for e in adjust_estimates(repeated)]
    expected = adjust_p_values([0.01, 0.04, 0.03, 0.20])
    assert adjusted[:4] == pytest.approx(expected)
    assert adjusted[4] == adjusted[0]
