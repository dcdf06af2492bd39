"""Property tests (hypothesis) of the intervals: each contains its point estimate; rate ratios do not depend
on the unit of exposure; swapping the groups inverts a ratio and its interval."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as s

from trustreport.stats import intervals as iv

counts = s.integers(min_value=0, max_value=400)
positive_counts = s.integers(min_value=1, max_value=400)
exposures = s.floats(min_value=1.0, max_value=1e7, allow_nan=False, allow_infinity=False)
RATE_RATIO_CIS = (iv.rate_ratio_exact_ci, iv.rate_ratio_midp_ci, iv.rate_ratio_score_ci, iv.rate_ratio_ci)
RISK_RATIO_CIS = (iv.risk_ratio_katz_ci, iv.risk_ratio_score_ci, iv.risk_ratio_ci)
FAST = settings(max_examples=60, deadline=None)


def contains(interval: iv.Interval, value: float) -> bool:
    tol = 1e-7 * max(1.0, abs(value))
    low_ok = interval.low is None or interval.low <= value + tol
    high_ok = interval.high is None or value - tol <= interval.high
    return low_ok and high_ok


@FAST
@given(counts, exposures)
def test_poisson_rate_interval_contains_rate(x: int, exposure: float) -> None:
    assert contains(iv.poisson_rate_ci(x, exposure), x / exposure)
    assert contains(iv.poisson_rate_ci(x, exposure, midp=True), x / exposure)


@FAST
@given(s.integers(min_value=1, max_value=500).flatmap(lambda n: s.tuples(s.integers(0, n), s.just(n))))
def test_wilson_contains_proportion(xn: tuple[int, int]) -> None:
    x, n = xn
    assert contains(iv.proportion_ci(x, n), x / n)


@FAST
@given(positive_counts, exposures, positive_counts, exposures)
def test_rate_ratio_intervals_contain_the_ratio(a: int, n1: float, c: int, n2: float) -> None:
    rr = iv.rate_ratio(a, n1, c, n2)
    for ci in RATE_RATIO_CIS:
        assert contains(ci(a, n1, c, n2), rr), ci.__name__


@FAST
@given(positive_counts, exposures, positive_counts, exposures, s.floats(min_value=1e-3, max_value=1e3))
def test_rate_ratio_is_invariant_to_the_unit_of_exposure(a: int, n1: float, c: int, n2: float, k: float) -> None:
    assert iv.rate_ratio(a, n1 * k, c, n2 * k) == pytest.approx(iv.rate_ratio(a, n1, c, n2), rel=1e-9)
    for ci in RATE_RATIO_CIS:
        base, scaled = ci(a, n1, c, n2), ci(a, n1 * k, c, n2 * k)
        assert scaled.method == base.method
        assert scaled.low == pytest.approx(base.low, rel=1e-6), ci.__name__
        assert scaled.high == pytest.approx(base.high, rel=1e-6), ci.__name__


def _inverted(interval: iv.Interval) -> tuple[float | None, float | None]:
    def inv(x: float | None) -> float | None:
        return None if x is None or x == 0 else 1 / x

    return inv(interval.high), inv(interval.low)


@FAST
@given(positive_counts, exposures, positive_counts, exposures)
def test_swapping_groups_inverts_the_rate_ratio(a: int, n1: float, c: int, n2: float) -> None:
    assert iv.rate_ratio(c, n2, a, n1) == pytest.approx(1 / iv.rate_ratio(a, n1, c, n2), rel=1e-9)
    for ci in RATE_RATIO_CIS:
        swapped = ci(c, n2, a, n1)
        low, high = _inverted(ci(a, n1, c, n2))
        # statsmodels finds the score bounds to about 1e-8 absolute, hence the absolute tolerance.
        assert swapped.low == pytest.approx(low, rel=1e-5, abs=1e-7), ci.__name__
        assert swapped.high == pytest.approx(high, rel=1e-5, abs=1e-7), ci.__name__


binomials = s.integers(min_value=1, max_value=400).flatmap(lambda n: s.tuples(s.integers(1, n), s.just(n)))


@FAST
@given(binomials, binomials)
def test_risk_ratio_intervals_contain_the_ratio_and_invert_on_swap(g1: tuple[int, int], g2: tuple[int, int]) -> None:
    (a, n1), (c, n2) = g1, g2
    rr = (a / n1) / (c / n2)
    for ci in RISK_RATIO_CIS:
        forward = ci(a, n1, c, n2)
        assert contains(forward, rr), ci.__name__
        low, high = _inverted(forward)
        swapped = ci(c, n2, a, n1)
        assert swapped.low == pytest.approx(low, rel=1e-5), ci.__name__
        assert swapped.high == pytest.approx(high, rel=1e-5), ci.__name__


@FAST
@given(binomials, binomials)
def test_newcombe_contains_the_difference_and_negates_on_swap(g1: tuple[int, int], g2: tuple[int, int]) -> None:
    (x1, n1), (x2, n2) = g1, g2
    forward = iv.proportion_difference_ci(x1, n1, x2, n2)
    assert contains(forward, x1 / n1 - x2 / n2)
    swapped = iv.proportion_difference_ci(x2, n2, x1, n1)
    assert math.isclose(swapped.low, -forward.high, abs_tol=1e-9)
    assert math.isclose(swapped.high, -forward.low, abs_tol=1e-9)
