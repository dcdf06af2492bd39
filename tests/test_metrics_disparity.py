"""Disparity metrics on small counts tables whose totals are golden inputs (docs/methods.md §8)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from conftest import by_id, counts_table

from trustreport.estimate import EstimateSet
from trustreport.metrics.disparity import conditional_disparity, per_resident_disparity
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

Y2017 = (date(2017, 1, 1), date(2017, 12, 31))
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]


def agrees(actual: float | None, expected: str) -> bool:
    """Equal to `expected` to the digits printed in docs/methods.md (half a unit in the last place)."""
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    return actual is not None and abs(actual - float(expected)) <= 0.5 * 10**-decimals + 1e-12


def philadelphia(residents_vintage: tuple[str, str] = ("2017-01-01", "2017-12-31")) -> pd.DataFrame:
    """G7: OPP tutorial, Philadelphia 2017 vehicular stops and residents, plus a Hispanic group of 3 stops."""
    start, end = residents_vintage
    return counts_table(
        ("2017-01-01", "2017-06-30", "stops", "black", 100_000, "opp-phl"),
        ("2017-07-01", "2017-12-31", "stops", "black", 104_420, "opp-phl"),
        ("2017-01-01", "2017-12-31", "stops", "white", 50_698, "opp-phl"),
        ("2017-01-01", "2017-12-31", "stops", "hispanic", 3, "opp-phl"),
        (start, end, "residents", "black", 648_846, "acs-phl"),
        (start, end, "residents", "white", 548_312, "acs-phl"),
        (start, end, "residents", "hispanic", 230_000, "acs-phl"),
    )


def test_g7_philadelphia_rates_and_rate_ratio() -> None:
    """G7: rates 0.31505 vs 0.09246 per resident; RR 3.4074; exact (3.37437, 3.44073) and score
    (3.37439, 3.44066) agree to 4 decimals; the chooser reports score for counts this large."""
    est = by_id(per_resident_disparity(philadelphia(), Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS))
    black, white = est["stops.rate.black.now"], est["stops.rate.white.now"]
    assert agrees(black.value, "0.31505") and agrees(white.value, "0.09246")
    assert black.scale == 1000 and black.denominator == 648_846
    assert black.denominator_kind == DenominatorKind.RESIDENTS and black.numerator == 204_420
    rr = est["stops.rate_ratio.black.now"]
    assert agrees(rr.value, "3.4074") and rr.reference_group == Group.WHITE
    assert agrees(rr.ci[0], "3.37439") and agrees(rr.ci[1], "3.44066") and rr.ci_method == iv.POISSON_SCORE
    assert agrees(rr.ci[0], "3.3744") and agrees(rr.ci[1], "3.4407")  # = the exact interval to 4 decimals
    assert rr.value == pytest.approx(rr.numerator / rr.denominator)
    assert rr.p_value is not None and rr.p_value < 1e-100
    assert rr.test_method == st.POISSON_TEST_NAMES["exact-cond"]
    assert rr.flags == () and rr.sources == ("acs-phl", "opp-phl") and rr.window == Y2017
    count = est["stops.count.black.now"]
    assert count.value == 204_420 and count.ci_method == iv.GARWOOD and count.sources == ("opp-phl",)


def test_g7_exact_interval_when_a_count_is_under_100() -> None:
    """The chooser switches to the exact conditional interval below 100 (docs/methods.md §1.2B): scale G7 down."""
    small = counts_table(
        ("2017-01-01", "2017-12-31", "stops", "black", 60, "s"),
        ("2017-01-01", "2017-12-31", "stops", "white", 30, "s"),
        ("2017-01-01", "2017-12-31", "residents", "black", 51_477.5, "r"),
        ("2017-01-01", "2017-12-31", "residents", "white", 54_308.7, "r"),
    )
    rr = by_id(per_resident_disparity(small, Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS))[
        "stops.rate_ratio.black.now"
    ]
    # G1/G2: Gu et al. ex. 1, central exact (1.33974, 3.38837), exact-cond p 0.000675183.
    assert rr.ci_method == iv.EXACT_CONDITIONAL
    assert agrees(rr.ci[0], "1.33974") and agrees(rr.ci[1], "3.38837")
    assert agrees(rr.p_value, "0.000675183")
    assert Flag.UNSTABLE not in rr.flags


def test_three_events_give_no_ratio_but_a_flagged_rate() -> None:
    est = by_id(per_resident_disparity(philadelphia(), Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS))
    rr = est["stops.rate_ratio.hispanic.now"]
    assert rr.value is None and rr.ci is None and rr.p_value is None
    assert Flag.NOT_ESTIMABLE in rr.flags and not rr.estimable
    assert "Hispanic stops" in rr.notes[0] and "= 3" in rr.notes[0] and "fewer than 5" in rr.notes[0]
    rate = est["stops.rate.hispanic.now"]
    assert rate.value == pytest.approx(3 / 230_000) and Flag.UNSTABLE in rate.flags
    assert rate.ci[0] > 0


def test_residents_vintage_not_overlapping_the_window_is_flagged() -> None:
    counts = philadelphia(residents_vintage=("2010-01-01", "2010-12-31"))
    est = by_id(per_resident_disparity(counts, Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS))
    for key in ("stops.rate.black.now", "stops.rate_ratio.black.now"):
        assert Flag.DENOMINATOR_VINTAGE in est[key].flags
        assert any("2010-01-01 to 2010-12-31" in n for n in est[key].notes)
    assert Flag.DENOMINATOR_VINTAGE not in est["stops.count.black.now"].flags
    small = est["stops.rate_ratio.hispanic.now"]  # not estimable: the reason comes before the vintage caveat
    assert small.notes[0].startswith("n too small") and "2010-01-01 to 2010-12-31" in small.notes[1]
    overlapping = by_id(per_resident_disparity(philadelphia(), Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS))
    assert Flag.DENOMINATOR_VINTAGE not in overlapping["stops.rate.black.now"].flags


def test_no_residents_returns_counts_only_with_a_note() -> None:
    counts = counts_table(
        ("2017-01-01", "2017-12-31", "stops", "black", 120, "s"),
        ("2017-01-01", "2017-12-31", "stops", "white", 80, "s"),
    )
    found = per_resident_disparity(counts, Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS)
    assert {e.statistic for e in found} == {"count"}
    assert all("rates and ratios are not computed" in e.notes[-1] for e in found)


def test_rate_is_per_year_over_a_multi_year_window() -> None:
    counts = counts_table(
        ("2015-01-01", "2015-12-31", "stops", "black", 300, "s"),
        ("2016-01-01", "2016-12-31", "stops", "black", 300, "s"),
        ("2015-01-01", "2016-12-31", "stops", "white", 200, "s"),
        ("2015-01-01", "2015-12-31", "residents", "black", 10_000, "r"),
        ("2015-01-01", "2015-12-31", "residents", "white", 20_000, "r"),
    )
    window = (date(2015, 1, 1), date(2016, 12, 31))  # 2016 is a leap year: still exactly two years
    est = by_id(per_resident_disparity(counts, Measure.STOPS, window, period=Period.THEN, groups=GROUPS))
    assert est["stops.rate.black.then"].value == pytest.approx(600 / (10_000 * 2))
    assert est["stops.rate_ratio.black.then"].value == pytest.approx((600 / 10_000) / (200 / 20_000))


def test_all_group_gets_count_and_rate_but_no_ratio() -> None:
    counts = philadelphia()
    extra = counts_table(
        ("2017-01-01", "2017-12-31", "stops", "all", 260_000, "opp-phl"),
        ("2017-01-01", "2017-12-31", "residents", "all", 1_580_000, "acs-phl"),
    )
    est = by_id(
        per_resident_disparity(pd.concat([counts, extra]), Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS)
    )
    assert est["stops.rate.all.now"].value == pytest.approx(260_000 / 1_580_000)
    assert "stops.rate_ratio.all.now" not in est


def test_zero_events_are_not_estimable_never_zero_or_infinite() -> None:
    """White stops recorded in 2016 but none in 2017: a true zero count, and no ratio."""
    counts = counts_table(
        ("2016-01-01", "2016-12-31", "stops", "white", 12, "s"),
        ("2017-01-01", "2017-12-31", "stops", "black", 40, "s"),
        ("2017-01-01", "2017-12-31", "residents", "black", 10_000, "r"),
        ("2017-01-01", "2017-12-31", "residents", "white", 10_000, "r"),
    )
    found = per_resident_disparity(counts, Measure.STOPS, Y2017, period=Period.NOW, groups=[Group.BLACK, Group.WHITE])
    est = by_id(found)
    assert est["stops.count.white.now"].value == 0 and "counted as zero" in est["stops.count.white.now"].notes[0]
    rr = est["stops.rate_ratio.black.now"]
    assert rr.value is None and Flag.NOT_ESTIMABLE in rr.flags
    json.dumps([e.to_json() for e in found], allow_nan=False)


def test_a_group_the_source_never_records_is_missing_not_zero() -> None:
    """A published table with only Black and white rows says nothing about Hispanic stops (DESIGN: never
    filled in)."""
    est = by_id(
        per_resident_disparity(
            philadelphia().query("group != 'hispanic' or measure != 'stops'"),
            Measure.STOPS,
            Y2017,
            period=Period.NOW,
            groups=GROUPS,
        )
    )
    for key in ("stops.count.hispanic.now", "stops.rate.hispanic.now", "stops.rate_ratio.hispanic.now"):
        assert est[key].value is None and Flag.NOT_ESTIMABLE in est[key].flags
        assert "records no Hispanic counts: missing, not zero (now window" in est[key].notes[0]


def search_counts() -> pd.DataFrame:
    """docs/methods.md §2.1 illustration numbers as searches | stops: Black 90 of 250, white 40 of 500."""
    return counts_table(
        ("2017-01-01", "2017-12-31", "stops", "black", 250, "s"),
        ("2017-01-01", "2017-12-31", "stops", "white", 500, "s"),
        ("2017-01-01", "2017-12-31", "stops", "hispanic", 30, "s"),
        ("2017-01-01", "2017-12-31", "searches", "black", 90, "s"),
        ("2017-01-01", "2017-12-31", "searches", "white", 40, "s"),
        ("2017-01-01", "2017-12-31", "searches", "hispanic", 31, "s"),
    )


def test_conditional_disparity_searches_given_stops() -> None:
    """docs/methods.md §2.1: 90/250 vs 40/500 → risk ratio 4.5, Koopman score interval (3.21, 6.32)."""
    est = by_id(conditional_disparity(search_counts(), Measure.SEARCHES, Y2017, period=Period.NOW, groups=GROUPS))
    share = est["searches.proportion.black.now"]
    assert share.value == pytest.approx(0.36) and share.ci_method == iv.WILSON
    assert share.denominator == 250 and share.denominator_kind == DenominatorKind.STOPS
    rr = est["searches.risk_ratio.black.now"]
    assert rr.value == pytest.approx(4.5) and rr.ci_method == iv.KOOPMAN
    assert agrees(rr.ci[0], "3.21") and agrees(rr.ci[1], "6.32")
    expected_p = st.proportion_test(90, 250, 40, 500, compare="ratio").p_value
    assert rr.p_value == pytest.approx(expected_p) and rr.test_method == st.PROPORTION_SCORE_TEST


def test_more_searches_than_stops_is_not_comparable() -> None:
    est = by_id(conditional_disparity(search_counts(), Measure.SEARCHES, Y2017, period=Period.NOW, groups=GROUPS))
    for key in ("searches.proportion.hispanic.now", "searches.risk_ratio.hispanic.now"):
        assert {Flag.NOT_COMPARABLE, Flag.NOT_ESTIMABLE} <= set(est[key].flags)
        assert "exceeds" in est[key].notes[-1]


def test_wrong_kind_of_measure_is_refused() -> None:
    with pytest.raises(ValueError, match="stock measure"):
        per_resident_disparity(philadelphia(), Measure.RESIDENTS, Y2017, period=Period.NOW, groups=GROUPS)
    with pytest.raises(ValueError, match="not a conditional stage"):
        conditional_disparity(philadelphia(), Measure.STOPS, Y2017, period=Period.NOW, groups=GROUPS)


def test_ids_are_unique_and_follow_the_scheme() -> None:
    found = per_resident_disparity(philadelphia(), Measure.STOPS, Y2017, period=Period.THEN, groups=GROUPS)
    found += conditional_disparity(search_counts(), Measure.SEARCHES, Y2017, period=Period.THEN, groups=GROUPS)
    est = by_id(found)
    for e in est.values():
        assert e.id == f"{e.measure}.{e.statistic}.{e.group}.{e.period}"
    assert EstimateSet(tuple(found)).one(statistic="rate_ratio", group=Group.BLACK) is not None
