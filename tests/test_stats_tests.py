"""Golden tests for trustreport.stats.tests; expected values are docs/methods.md §8 (each test names its row)."""

from __future__ import annotations

import pytest
import scipy.stats as ss

from trustreport.stats import tests as st


def agrees(actual: float | None, expected: str) -> bool:
    """Equal to `expected` to the digits printed in docs/methods.md (half a unit in the last place)."""
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    return actual is not None and abs(actual - float(expected)) <= 0.5 * 10**-decimals + 1e-12


G1 = (60, 51477.5, 30, 54308.7)


@pytest.mark.parametrize(
    ("method", "z", "p"),
    [
        ("wald", "3.384913", "0.000712"),
        ("score", "3.417402", "0.000632"),
        ("wald-log", "3.339285", "0.000840"),
        ("score-log", "3.540578", "0.000399"),
        ("sqrt", "3.445485", "0.000570"),
        ("exact-cond", None, "0.000675183"),
        ("cond-midp", None, "0.000557262"),
    ],
)
def test_g1_gu_et_al_example_1(method: str, z: str | None, p: str) -> None:
    """G1: Gu, Ng, Tang & Schucany 2008 ex. 1 (statsmodels test_twosample_poisson; R exactci for
    exact-cond)."""
    res = st.poisson_ratio_test(*G1, method=method)
    assert agrees(res.p_value, p)
    if z is not None:
        assert agrees(res.statistic, z)
    assert res.method == st.POISSON_TEST_NAMES[method]


def test_poisson_test_default_is_exact_for_small_counts_and_score_for_large() -> None:
    assert st.poisson_ratio_test(*G1).method == st.POISSON_TEST_NAMES["exact-cond"]
    assert st.poisson_ratio_test(204_420, 648_846, 50_698, 548_312).method == st.POISSON_TEST_NAMES["score"]


def test_g3_gu_et_al_example_2_non_unit_null() -> None:
    """G3: Gu et al. ex. 2, 41/28010 vs 15/19017, H0 ratio 1.5, score test: z 0.706631, p 0.479796."""
    res = st.poisson_ratio_test(41, 28010, 15, 19017, method="score", value=1.5)
    assert agrees(res.statistic, "0.706631") and agrees(res.p_value, "0.479796")


@pytest.mark.parametrize(
    ("method", "p"),
    [("exact-cond", "0.2430"), ("cond-midp", "0.2182"), ("score", "0.1893"), ("etest", "0.1936")],
)
def test_g13_homicides_19_vs_28(method: str, p: str) -> None:
    """G13: homicide YTD illustration, 19 now vs 28 then in equal windows."""
    assert agrees(st.poisson_ratio_test(19, 1, 28, 1, method=method).p_value, p)


def test_g14_lawsuits_18_vs_48_in_five_years() -> None:
    """G14: lawsuits illustration, 18 in 5 y vs 48 in 5 y, exact conditional: p 0.000287."""
    assert agrees(st.poisson_ratio_test(18, 5, 48, 5, method="exact-cond").p_value, "0.000287")


def test_poisson_test_takes_whole_float_counts_from_the_counts_table() -> None:
    assert st.poisson_ratio_test(60.0, 51477.5, 30.0, 54308.7, method="exact-cond").p_value == pytest.approx(
        0.000675183, abs=5e-10
    )


def test_poisson_test_with_no_events_has_no_p_value() -> None:
    assert st.poisson_ratio_test(0, 1, 0, 1).p_value is None


def test_two_proportion_score_test_methods_2_1() -> None:
    """docs/methods.md §2.1 illustration: 90/250 now vs 40/500 then, score z = 9.54."""
    res = st.proportion_test(90, 250, 40, 500, compare="diff")
    assert agrees(res.statistic, "9.54")
    assert res.p_value is not None and res.p_value < 1e-15
    assert st.proportion_test(1, 0, 1, 10).p_value is None


def test_two_proportion_test_is_exact_when_expected_counts_are_small() -> None:
    """Cochran's rule: an expected cell under 5 switches to Fisher's exact test (docs/methods.md §2.1, small samples);
    the score test's p for 3/8 vs 13/1504 would be ~6e-24."""
    res = st.proportion_test(3, 8, 13, 1504, compare="diff")
    assert res.method == st.FISHER_EXACT_TEST and res.statistic is None
    assert res.p_value == pytest.approx(ss.fisher_exact([[3, 5], [13, 1491]]).pvalue, rel=1e-12)
    assert st.proportion_test(7.0, 34.0, 1.0, 34.0).method == st.FISHER_EXACT_TEST
    assert st.proportion_test(41, 34.5, 1, 34).p_value is None
    assert st.proportion_test(7, 34, 1, 34, value=2.0).method == st.PROPORTION_SCORE_TEST


G15 = {
    "focal_then": (400, 1.0),
    "reference_then": (200, 1.0),
    "focal_now": (250, 1.0),
    "reference_now": (180, 1.0),
}


def test_g15_ratio_of_rate_ratios_closed_form_equals_glm() -> None:
    """G15: Black 400 → 250, white 200 → 180: RRR 0.69444, SE(log) 0.130597 from both the closed form and the
    Poisson GLM interaction, CI (0.5376, 0.8970)."""
    closed = st.ratio_of_rate_ratios(**G15)
    glm = st.ratio_of_rate_ratios_glm(**G15)
    for res in (closed, glm):
        assert agrees(res.value, "0.69444") and agrees(res.se_log, "0.130597")
        assert agrees(res.interval.low, "0.5376") and agrees(res.interval.high, "0.8970")
    assert glm.value == pytest.approx(closed.value, rel=1e-7)
    assert glm.p_value == pytest.approx(closed.p_value, rel=1e-6)
    assert closed.method == st.RRR_CLOSED_FORM and glm.method == st.RRR_GLM


def test_ratio_of_rate_ratios_uses_exposures() -> None:
    """Populations that grow between windows change the RRR but not its SE (fixed exposures, docs/methods.md §1.3)."""
    grown = {**G15, "focal_now": (250, 2.0)}
    closed = st.ratio_of_rate_ratios(**grown)
    assert closed.value == pytest.approx(0.69444444 / 2)
    assert closed.se_log == pytest.approx(0.130597, abs=1e-6)
    assert st.ratio_of_rate_ratios_glm(**grown).value == pytest.approx(closed.value, rel=1e-7)


def test_binomial_ratio_of_risk_ratios_closed_form_equals_glm() -> None:
    """The conditional-stage analogue: SE(ln RRR) = sqrt(Σ 1/x − 1/n) equals the log-link binomial GLM's."""
    cells = {
        "focal_then": (400, 1000),
        "reference_then": (200, 1500),
        "focal_now": (250, 900),
        "reference_now": (180, 1200),
    }
    closed = st.ratio_of_risk_ratios(**cells)
    glm = st.ratio_of_risk_ratios_glm(**cells)
    expected = (250 / 900) / (180 / 1200) / ((400 / 1000) / (200 / 1500))
    se = (sum(1 / x - 1 / n for x, n in cells.values())) ** 0.5
    assert closed.value == pytest.approx(expected, rel=1e-12) and closed.se_log == pytest.approx(se, rel=1e-12)
    assert glm.value == pytest.approx(closed.value, rel=1e-7) and glm.se_log == pytest.approx(se, rel=1e-6)


def test_ratio_of_ratios_with_a_zero_cell_is_not_estimable() -> None:
    zero = {**G15, "reference_now": (0, 1.0)}
    for res in (st.ratio_of_rate_ratios(**zero), st.ratio_of_rate_ratios_glm(**zero)):
        assert res.value is None and res.interval.bounds is None and res.p_value is None


def test_estimated_counts_fall_back_from_the_exact_test() -> None:
    """Counts estimated from rounded shares are not whole: the exact conditional test needs whole counts, so the
    score test is used and named (docs/methods.md §1.2B)."""
    from statsmodels.stats import rates as smrates

    from trustreport.stats.tests import poisson_ratio_test

    got = poisson_ratio_test(12.5, 100.0, 20.0, 120.0)
    assert "score" in got.method.lower()
    expected = smrates.test_poisson_2indep(12.5, 100.0, 20.0, 120.0, value=1, method="score", compare="ratio")
    assert got.p_value == pytest.approx(expected.pvalue)
