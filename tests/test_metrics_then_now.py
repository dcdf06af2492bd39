"""Then-vs-now metrics on small counts tables whose totals are golden inputs (docs/methods.md §8 G13, G14, G15)."""

from __future__ import annotations

import json
import logging
from datetime import date

import pandas as pd
import pytest
from conftest import by_id, counts_table

from trustreport.metrics import then_now
from trustreport.metrics.then_now import disparity_change, rate_change
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

THEN = (date(2012, 1, 1), date(2012, 12, 31))
NOW = (date(2017, 1, 1), date(2017, 12, 31))
GROUPS = [Group.BLACK, Group.WHITE]


def agrees(actual: float | None, expected: str) -> bool:
    """Equal to `expected` to the digits printed in docs/methods.md (half a unit in the last place)."""
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    return actual is not None and abs(actual - float(expected)) <= 0.5 * 10**-decimals + 1e-12


def g15_counts() -> pd.DataFrame:
    """G15: Black 400 → 250, white 200 → 180 stops; equal and unchanged populations."""
    return counts_table(
        ("2012-01-01", "2012-12-31", "stops", "black", 400, "stops-a"),
        ("2012-01-01", "2012-12-31", "stops", "white", 200, "stops-a"),
        ("2017-01-01", "2017-12-31", "stops", "black", 250, "stops-b"),
        ("2017-01-01", "2017-12-31", "stops", "white", 180, "stops-b"),
        ("2012-01-01", "2012-12-31", "residents", "black", 50_000, "acs-2012"),
        ("2012-01-01", "2012-12-31", "residents", "white", 50_000, "acs-2012"),
        ("2017-01-01", "2017-12-31", "residents", "black", 50_000, "acs-2017"),
        ("2017-01-01", "2017-12-31", "residents", "white", 50_000, "acs-2017"),
    )


def test_g13_homicides_19_now_vs_28_then_equal_windows() -> None:
    """G13: 19 vs 28 in equal windows: ratio 0.679 (−32.1 %), exact CI (0.3581, 1.2591), exact-cond p
    0.2430."""
    counts = counts_table(
        ("2012-01-01", "2012-12-31", "homicide_victims", "all", 28, "police"),
        ("2017-01-01", "2017-12-31", "homicide_victims", "all", 19, "police"),
    )
    est = by_id(rate_change(counts, Measure.HOMICIDE_VICTIMS, THEN, NOW, groups=[], exposure=DenominatorKind.YEARS))
    e = est["homicide_victims.rate_change_ratio.all.change"]
    assert agrees(100 * (e.value - 1), "-32.1")
    assert agrees(e.ci[0], "0.3581") and agrees(e.ci[1], "1.2591") and e.ci_method == iv.EXACT_CONDITIONAL
    assert agrees(e.p_value, "0.2430") and e.test_method == st.POISSON_TEST_NAMES["exact-cond"]
    assert e.period == Period.CHANGE and e.window == NOW and e.then_window == THEN
    assert e.numerator == 19 and e.denominator == 28 and e.denominator_kind == DenominatorKind.YEARS
    assert Flag.UNSTABLE in e.flags and not e.significant


def test_g14_lawsuits_18_vs_48_in_five_years() -> None:
    """G14: 18 in 5 y vs 48 in 5 y: ratio 0.375, exact CI (0.2053, 0.6566), p 0.000287."""
    counts = counts_table(
        ("2009-01-01", "2013-12-31", "lawsuits", "all", 48, "city-law"),
        ("2014-01-01", "2018-12-31", "lawsuits", "all", 18, "city-law"),
    )
    then, now = (date(2009, 1, 1), date(2013, 12, 31)), (date(2014, 1, 1), date(2018, 12, 31))
    e = rate_change(counts, Measure.LAWSUITS, then, now, groups=[Group.ALL], exposure=DenominatorKind.YEARS)[0]
    assert agrees(e.value, "0.375") and agrees(e.ci[0], "0.2053") and agrees(e.ci[1], "0.6566")
    assert agrees(e.p_value, "0.000287") and e.significant
    assert e.numerator == pytest.approx(18 / 5) and e.denominator == pytest.approx(48 / 5)


def test_rate_change_uses_the_length_of_each_window() -> None:
    """A "since 2014" window of a different length: exposure is its length in years (docs/methods.md §2.2)."""
    counts = counts_table(
        ("2009-01-01", "2013-12-31", "lawsuits", "all", 48, "city-law"),
        ("2014-01-01", "2016-12-31", "lawsuits", "all", 18, "city-law"),
    )
    then, now = (date(2009, 1, 1), date(2013, 12, 31)), (date(2014, 1, 1), date(2016, 12, 31))
    e = rate_change(counts, Measure.LAWSUITS, then, now, groups=[], exposure=DenominatorKind.YEARS)[0]
    assert e.value == pytest.approx((18 / 3) / (48 / 5))
    assert (e.ci[0], e.ci[1]) == pytest.approx(iv.rate_ratio_exact_ci(18, 3, 48, 5).bounds)


def test_rate_change_per_resident_uses_each_windows_residents() -> None:
    counts = g15_counts()
    grown = (counts["source_id"] == "acs-2017") & (counts["group"] == "black")
    counts.loc[grown, "value"] = 62_500.0
    est = by_id(rate_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS))
    black = est["stops.rate_change_ratio.black.change"]
    assert black.value == pytest.approx((250 / 62_500) / (400 / 50_000))
    assert black.denominator_kind == DenominatorKind.RESIDENTS
    assert set(black.sources) == {"acs-2012", "acs-2017", "stops-a", "stops-b"}
    white = est["stops.rate_change_ratio.white.change"]
    assert white.value == pytest.approx(0.9) and white.flags == ()
    assert white.p_value == pytest.approx(st.poisson_ratio_test(180, 1, 200, 1, method="exact-cond").p_value)


def test_missing_then_window_is_not_estimable_and_says_which() -> None:
    counts = g15_counts()
    counts = counts[~((counts["measure"] == "stops") & (counts["period_start"] < "2015-01-01"))]
    for e in rate_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS):
        assert e.value is None and Flag.NOT_ESTIMABLE in e.flags
        assert "then window (2012-01-01 to 2012-12-31)" in e.notes[-1]
    (e,) = disparity_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS)
    assert e.value is None and "then window" in e.notes[-1]


def test_a_group_missing_from_the_then_source_is_not_estimable_and_says_which() -> None:
    counts = pd.concat([g15_counts(), counts_table(("2017-01-01", "2017-12-31", "stops", "hispanic", 90, "stops-b"))])
    counts = pd.concat([counts, counts_table(("2012-01-01", "2017-12-31", "residents", "hispanic", 9_000, "acs-2012"))])
    est = by_id(rate_change(counts, Measure.STOPS, THEN, NOW, groups=[Group.HISPANIC]))
    e = est["stops.rate_change_ratio.hispanic.change"]
    assert e.value is None and "records no Hispanic counts" in e.notes[-1] and "then window" in e.notes[-1]


def test_no_residents_is_not_estimable_and_says_which_window() -> None:
    counts = g15_counts()
    counts = counts[counts["measure"] != "residents"]
    black, _ = rate_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS)
    assert black.value is None and "no residents counts for the then window" in black.notes[-1]


def test_now_window_without_its_own_snapshot_borrows_the_nearest_and_is_flagged() -> None:
    counts = g15_counts()
    counts = counts[counts["source_id"] != "acs-2017"]
    black, _ = rate_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS)
    assert black.value == pytest.approx(250 / 400) and Flag.DENOMINATOR_VINTAGE in black.flags
    assert "2012-01-01 to 2012-12-31 snapshot, which does not overlap 2017-01-01" in black.notes[0]
    (rrr,) = disparity_change(counts, Measure.STOPS, THEN, NOW, groups=GROUPS)
    assert Flag.DENOMINATOR_VINTAGE in rrr.flags and rrr.estimable


def test_g15_disparity_change_closed_form_and_glm() -> None:
    """G15: RRR 0.69444, SE(log) 0.130597, CI (0.5376, 0.8970); the interval is the closed form's and the test
    the GLM's, and the two agree."""
    (e,) = disparity_change(g15_counts(), Measure.STOPS, THEN, NOW, groups=[Group.BLACK, Group.WHITE])
    assert e.id == "stops.ratio_of_rate_ratios.black.change" and e.reference_group == Group.WHITE
    assert agrees(e.value, "0.69444") and agrees(e.ci[0], "0.5376") and agrees(e.ci[1], "0.8970")
    assert e.ci_method == st.RRR_CLOSED_FORM and e.test_method == st.RRR_GLM
    closed = st.ratio_of_rate_ratios(
        focal_then=(400, 1), reference_then=(200, 1), focal_now=(250, 1), reference_now=(180, 1)
    )
    assert e.p_value == pytest.approx(closed.p_value, rel=1e-6)
    assert e.numerator == pytest.approx(250 / 180) and e.denominator == pytest.approx(2.0)
    assert e.then_window == THEN and e.window == NOW and e.flags == ()
    assert set(e.sources) == {"acs-2012", "acs-2017", "stops-a", "stops-b"}


def test_disparity_change_falls_back_to_the_closed_form_when_the_glm_disagrees(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def off_by_a_bit(**cells: tuple[float, float]) -> st.RatioOfRatios:
        right = st.ratio_of_rate_ratios(**cells)
        return st.RatioOfRatios(right.value * 1.01, right.se_log, right.interval, 0.0, 1.0, st.RRR_GLM)

    monkeypatch.setattr(then_now.st, "ratio_of_rate_ratios_glm", off_by_a_bit)
    with caplog.at_level(logging.WARNING, logger="trustreport"):
        (e,) = disparity_change(g15_counts(), Measure.STOPS, THEN, NOW, groups=GROUPS)
    assert e.test_method == st.RRR_CLOSED_FORM and "disagrees" in caplog.text


def test_disparity_change_with_a_small_count_is_not_estimable() -> None:
    counts = pd.concat(
        [
            g15_counts(),
            counts_table(
                ("2012-01-01", "2012-12-31", "stops", "hispanic", 4, "stops-a"),
                ("2017-01-01", "2017-12-31", "stops", "hispanic", 40, "stops-b"),
                ("2012-01-01", "2012-12-31", "residents", "hispanic", 9_000, "acs-2012"),
                ("2017-01-01", "2017-12-31", "residents", "hispanic", 9_000, "acs-2017"),
            ),
        ]
    )
    est = by_id(disparity_change(counts, Measure.STOPS, THEN, NOW, groups=[Group.BLACK, Group.HISPANIC, Group.WHITE]))
    e = est["stops.ratio_of_rate_ratios.hispanic.change"]
    assert e.value is None and Flag.NOT_ESTIMABLE in e.flags and "= 4" in e.notes[-1]
    assert est["stops.ratio_of_rate_ratios.black.change"].estimable


def hit_counts() -> pd.DataFrame:
    """docs/methods.md §2.1 illustration: hit rate 40/500 then → 90/250 now (Black); white 100/1000 → 60/500."""
    return counts_table(
        ("2012-01-01", "2012-12-31", "searches", "black", 500, "s"),
        ("2012-01-01", "2012-12-31", "searches", "white", 1000, "s"),
        ("2017-01-01", "2017-12-31", "searches", "black", 250, "s"),
        ("2017-01-01", "2017-12-31", "searches", "white", 500, "s"),
        ("2012-01-01", "2012-12-31", "hits", "black", 40, "s"),
        ("2012-01-01", "2012-12-31", "hits", "white", 100, "s"),
        ("2017-01-01", "2017-12-31", "hits", "black", 90, "s"),
        ("2017-01-01", "2017-12-31", "hits", "white", 60, "s"),
    )


def test_proportion_difference_for_a_conditional_stage() -> None:
    """docs/methods.md §2.1: 90/250 now vs 40/500 then → difference 0.28, Newcombe (0.217, 0.345), score z 9.54."""
    est = by_id(rate_change(hit_counts(), Measure.HITS, THEN, NOW, groups=GROUPS))
    e = est["hits.proportion_difference.black.change"]
    assert e.value == pytest.approx(0.28) and e.ci_method == iv.NEWCOMBE
    assert agrees(e.ci[0], "0.217") and agrees(e.ci[1], "0.345")
    assert e.p_value == pytest.approx(st.proportion_test(90, 250, 40, 500, compare="diff").p_value)
    assert e.numerator == pytest.approx(0.36) and e.denominator == pytest.approx(0.08)
    assert e.denominator_kind == DenominatorKind.SEARCHES and e.significant


def test_disparity_change_for_a_conditional_stage_is_a_ratio_of_risk_ratios() -> None:
    (e,) = disparity_change(hit_counts(), Measure.HITS, THEN, NOW, groups=GROUPS)
    expected = ((90 / 250) / (60 / 500)) / ((40 / 500) / (100 / 1000))
    se = (sum(1 / x - 1 / n for x, n in ((40, 500), (100, 1000), (90, 250), (60, 500)))) ** 0.5
    assert e.value == pytest.approx(expected) and e.ci_method == st.RISK_RRR_CLOSED_FORM
    assert e.test_method == st.RISK_RRR_GLM and e.statistic == "ratio_of_rate_ratios"
    assert e.ci[1] == pytest.approx(expected * 2.718281828459045 ** (1.959963984540054 * se))


def test_ids_unique_and_json_safe_across_all_change_metrics() -> None:
    found = rate_change(g15_counts(), Measure.STOPS, THEN, NOW, groups=GROUPS)
    found += disparity_change(g15_counts(), Measure.STOPS, THEN, NOW, groups=GROUPS)
    found += rate_change(hit_counts(), Measure.HITS, THEN, NOW, groups=GROUPS)
    found += disparity_change(hit_counts(), Measure.HITS, THEN, NOW, groups=GROUPS)
    by_id(found)
    json.dumps([e.to_json() for e in found], allow_nan=False)
