"""Golden tests for trustreport.stats.intervals; values from docs/methods.md §8 (each test names its row)."""

from __future__ import annotations

import pytest
from scipy.stats.contingency import relative_risk
from statsmodels.stats import proportion as smprop
from statsmodels.stats import rates as smrates

from trustreport.stats import intervals as iv


def agrees(actual: float | None, expected: str) -> bool:
    """Equal to `expected` to the digits printed in docs/methods.md (half a unit in the last place)."""
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    return actual is not None and abs(actual - float(expected)) <= 0.5 * 10**-decimals + 1e-12


def test_g6_garwood_exact_poisson_19() -> None:
    """G6: Garwood exact interval for x = 19: (11.43924, 29.67085); mid-p (11.7786, 29.1210)."""
    exact = iv.poisson_rate_ci(19)
    assert agrees(exact.low, "11.43924") and agrees(exact.high, "29.67085")
    assert exact.method == iv.GARWOOD
    midp = iv.poisson_rate_ci(19, midp=True)
    assert agrees(midp.low, "11.7786") and agrees(midp.high, "29.1210")


def test_poisson_rate_ci_scales_with_exposure_and_handles_zero() -> None:
    per_1000 = iv.poisson_rate_ci(19, 1000)
    assert per_1000.low == pytest.approx(11.43924116 / 1000)
    zero = iv.poisson_rate_ci(0, 10)
    assert zero.low == 0.0 and zero.high == pytest.approx(0.36888794541)
    assert iv.poisson_rate_ci(3, 0).bounds is None


def test_g2_rate_ratio_intervals_gu_et_al_example_1() -> None:
    """G2: Gu, Ng, Tang & Schucany 2008 ex. 1, 60/51477.5 vs 30/54308.7."""
    args = (60, 51477.5, 30, 54308.7)
    score = iv.rate_ratio_score_ci(*args)
    assert agrees(score.low, "1.365962") and agrees(score.high, "3.259306")
    exact = iv.rate_ratio_exact_ci(*args)
    assert agrees(exact.low, "1.33974") and agrees(exact.high, "3.38837")
    midp = iv.rate_ratio_midp_ci(*args)
    assert agrees(midp.low, "1.36810") and agrees(midp.high, "3.30730")


@pytest.mark.parametrize("args", [(60, 51477.5, 30, 54308.7), (41, 28010, 15, 19017), (3, 1e6, 700, 2e6)])
def test_rate_ratio_score_ci_equals_statsmodels(args: tuple[float, float, float, float]) -> None:
    """The closed form (Wilson on a | a+c) gives statsmodels' iterative score interval."""
    expected = smrates.confint_poisson_2indep(*args, method="score", compare="ratio", alpha=0.05)
    got = iv.rate_ratio_score_ci(*args)
    assert (got.low, got.high) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("args", [(7, 34, 1, 34), (90, 250, 40, 500), (3, 40, 17, 21)])
def test_koopman_score_ci_equals_statsmodels_inside_the_boundaries(args: tuple[int, int, int, int]) -> None:
    """Away from proportions of 0 and 1, the root search gives statsmodels' score interval."""
    expected = smprop.confint_proportions_2indep(*args, method="score", compare="ratio", alpha=0.05)
    got = iv.risk_ratio_score_ci(*args)
    assert (got.low, got.high) == pytest.approx(expected, rel=1e-6)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_koopman_score_ci_at_a_proportion_of_one_inverts_the_score_test() -> None:
    """At p = 1 statsmodels' closed-form solve goes wrong (e.g. (5.83, 15.69) for 1/1 vs 5/34, excluding the
    estimate 6.8); ours holds the bounds where the score test's p-value is exactly 0.05."""
    ci = iv.risk_ratio_score_ci(1, 1, 5, 34)
    assert ci.low < 6.8 < ci.high
    for bound in (ci.low, ci.high):
        p = smprop.test_proportions_2indep(1, 1, 5, 34, value=bound, method="score", compare="ratio").pvalue
        assert p == pytest.approx(0.05, abs=1e-8)


def test_g7_philadelphia_stops_rate_ratio() -> None:
    """G7: OPP tutorial, Philadelphia 2017 vehicular stops: RR 3.4074, exact (3.37437, 3.44073), score
    (3.37439, 3.44066); the chooser picks score for counts this large."""
    args = (204_420, 648_846, 50_698, 548_312)
    assert agrees(iv.rate_ratio(*args), "3.4074")
    exact = iv.rate_ratio_exact_ci(*args)
    assert agrees(exact.low, "3.37437") and agrees(exact.high, "3.44073")
    score = iv.rate_ratio_score_ci(*args)
    assert agrees(score.low, "3.37439") and agrees(score.high, "3.44066")
    chosen = iv.rate_ratio_ci(*args)
    assert chosen == score and chosen.method == iv.POISSON_SCORE


def test_rate_ratio_chooser_is_exact_below_100() -> None:
    """docs/methods.md §1.2B recommendation; and §2.3 item 5: 15 vs 4 victims, 282k vs 318k residents → RR 4.2,
    exact CI 1.35–17.5."""
    chosen = iv.rate_ratio_ci(15, 282_000, 4, 318_000)
    assert chosen.method == iv.EXACT_CONDITIONAL
    assert agrees(iv.rate_ratio(15, 282_000, 4, 318_000), "4.2")
    assert agrees(chosen.low, "1.35") and agrees(chosen.high, "17.5")


def test_g13_g14_exact_ratio_intervals() -> None:
    """G13: 19 vs 28 in equal windows → (0.3581, 1.2591). G14: 18 vs 48 lawsuits in 5 y each →
    (0.2053, 0.6566)."""
    g13 = iv.rate_ratio_exact_ci(19, 1, 28, 1)
    assert agrees(g13.low, "0.3581") and agrees(g13.high, "1.2591")
    g14 = iv.rate_ratio_exact_ci(18, 5, 48, 5)
    assert agrees(iv.rate_ratio(18, 5, 48, 5), "0.375")
    assert agrees(g14.low, "0.2053") and agrees(g14.high, "0.6566")


def test_rate_ratio_zero_counts_give_none_not_infinity() -> None:
    exact = iv.rate_ratio_exact_ci(5, 10, 0, 10)
    assert exact.low is not None and exact.high is None
    assert iv.rate_ratio_exact_ci(0, 10, 0, 10).bounds is None
    zero = iv.rate_ratio_score_ci(0, 10, 5, 10)
    assert zero.low == 0.0 and zero.high == pytest.approx(0.7682917641388)
    assert iv.rate_ratio(5, 10, 0, 10) is None


def test_g4_fagerland_risk_ratio_and_difference() -> None:
    """G4: Fagerland, Lydersen & Laake 2015, 7/34 vs 1/34: RR 7.0; Katz (0.9096, 53.87) = scipy; Koopman
    (1.209, 43.03); Newcombe difference (0.0189, 0.3404)."""
    katz = iv.risk_ratio_katz_ci(7, 34, 1, 34)
    assert agrees(katz.low, "0.9096") and agrees(katz.high, "53.87")
    scipy_ci = relative_risk(7, 34, 1, 34).confidence_interval(confidence_level=0.95)
    assert (katz.low, katz.high) == pytest.approx((scipy_ci.low, scipy_ci.high), rel=1e-12)
    koopman = iv.risk_ratio_score_ci(7, 34, 1, 34)
    assert agrees(koopman.low, "1.209") and agrees(koopman.high, "43.03")
    assert iv.risk_ratio_ci(7, 34, 1, 34) == koopman
    newcombe = iv.proportion_difference_ci(7, 34, 1, 34)
    assert agrees(newcombe.low, "0.0189") and agrees(newcombe.high, "0.3404")


def test_risk_ratio_chooser_uses_katz_for_large_counts_and_score_for_a_zero() -> None:
    assert iv.risk_ratio_ci(400, 1000, 300, 1000).method == iv.KATZ
    zero = iv.risk_ratio_ci(7, 34, 0, 34)
    assert zero.method == iv.KOOPMAN and zero.low is not None and zero.high is None
    assert iv.risk_ratio_katz_ci(0, 34, 1, 34).bounds is None


def test_g5_newcombe_example_a() -> None:
    """G5: Newcombe 1998 example (a), 56/70 vs 48/80 → (0.0524, 0.3339)."""
    ci = iv.proportion_difference_ci(56, 70, 48, 80)
    assert agrees(ci.low, "0.0524") and agrees(ci.high, "0.3339")
    assert ci.method == iv.NEWCOMBE


def test_hit_rate_illustration_methods_2_1() -> None:
    """docs/methods.md §2.1 illustration: 90/250 now vs 40/500 then → difference Newcombe (0.217, 0.345); risk ratio
    score (3.21, 6.32)."""
    diff = iv.proportion_difference_ci(90, 250, 40, 500)
    assert agrees(diff.low, "0.217") and agrees(diff.high, "0.345")
    ratio = iv.risk_ratio_score_ci(90, 250, 40, 500)
    assert agrees(ratio.low, "3.21") and agrees(ratio.high, "6.32")


def test_wilson_single_proportion() -> None:
    """Wilson interval for 7/34 (closed form: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n))."""
    ci = iv.proportion_ci(7, 34)
    z, n, p = 1.959963984540054, 34, 7 / 34
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * (p * (1 - p) / n + z**2 / (4 * n**2)) ** 0.5 / (1 + z**2 / n)
    assert (ci.low, ci.high) == pytest.approx((centre - half, centre + half), rel=1e-12)
    assert iv.proportion_ci(0, 0).bounds is None


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        iv.poisson_rate_ci(-1)
