"""The formatters every table and sentence share (docs/style.md habit 12): golden G8 ratio wording and the edge cases
(missing, NaN, zero, tiny p-values) that must never print as 'nan', 'inf' or '0.000'."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.vocab import Flag, Group, Measure, Period

MISSING = [None, math.nan, np.float64("nan"), math.inf, -math.inf]


# G8 (docs/methods.md §8; OPP tutorial, Philadelphia 2017 vehicular stops): rates only, no counts published.


def test_g8_search_rate_ratio_is_1_5_times() -> None:
    """Search rate Black 0.0605 vs white 0.0410 → '1.5 times' (the tutorial's wording)."""
    assert fmt.times(0.0605 / 0.0410) == "1.5 times"
    assert fmt.ratio(0.0605 / 0.0410) == "1.48"
    assert (fmt.pct(0.0605), fmt.pct(0.0410)) == ("6.0%", "4.1%")


def test_g8_frisk_rate_ratio_is_2_1_times() -> None:
    """Frisk rate Black 0.0636 vs white 0.0306 → '2.1 times'."""
    assert fmt.times(0.0636 / 0.0306) == "2.1 times"
    assert fmt.ratio(0.0636 / 0.0306) == "2.08"


def test_g8_hit_rates_22_vs_24_7_percent() -> None:
    """Hit rate Black 0.220 vs white 0.247: '22.0%' vs '24.7%', a ratio below 1 (0.89)."""
    assert (fmt.pct(0.220), fmt.pct(0.247)) == ("22.0%", "24.7%")
    assert fmt.ratio(0.220 / 0.247) == "0.89"
    assert fmt.times(0.220 / 0.247) == "0.9 times"


def test_g7_stop_rate_ratio_is_3_4_times() -> None:
    """G7: 0.31505 vs 0.09246 stops per resident → '3.4 times'; 315.1 and 92.5 per 1,000 residents."""
    rr = (204_420 / 648_846) / (50_698 / 548_312)
    assert fmt.times(rr) == "3.4 times" and fmt.ratio(rr) == "3.41"
    assert (fmt.rate(204_420 / 648_846), fmt.rate(50_698 / 548_312)) == ("315.1", "92.5")


@pytest.mark.parametrize("missing", MISSING)
def test_missing_numbers_say_not_estimable(missing: float | None) -> None:
    for formatter in (fmt.count, fmt.ratio, fmt.times, fmt.pct, fmt.rate):
        assert formatter(missing) == fmt.NOT_ESTIMABLE == "not estimable"


@pytest.mark.parametrize("missing", MISSING)
def test_missing_p_value_is_a_dash(missing: float | None) -> None:
    """No test, no p-value: a dash, never 'nan' (and not 'not estimable': the estimate itself may be fine)."""
    assert fmt.p_value(missing) == fmt.DASH == "–"


def test_zero_is_a_number_not_missing() -> None:
    assert fmt.count(0) == "0" and fmt.count(0.0) == "0" and fmt.count(-0.0) == "0"
    assert fmt.ratio(0.0) == "0.00"
    assert fmt.pct(0.0) == "0.0%"
    assert fmt.rate(0.0) == "0"
    assert fmt.p_value(0.0) == "< 0.001"


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0004, "< 0.001"), (0.000999, "< 0.001"), (1e-125, "< 0.001"), (9.21e-06, "< 0.001"), (0.001, "0.0010"),
     (0.0243, "0.024"), (0.2430, "0.24"), (0.05, "0.050"), (0.5, "0.50"), (0.991, "> 0.99"), (1.0, "> 0.99")],
)  # fmt: skip
def test_p_values(p: float, text: str) -> None:
    """'< 0.001' or two significant digits, never scientific notation (issue 9: '9.21e-06' reached 5 PDFs)."""
    assert fmt.p_value(p) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(18_439, "18,439"), (18_439.0, "18,439"), (np.int64(1_200_000), "1,200,000"), (19_172.424, "19,172"),
     (2.5, "3"), (1_773.5, "1,774"), (7, "7"), (-0.4, "0"), (-1_310.2, "-1,310")],
)  # fmt: skip
def test_counts(x: float, text: str) -> None:
    """Counts are whole, with thousands separators, halves rounded up ('1,773.5 stops' is not a count)."""
    assert fmt.count(x) == text


def test_percentages_and_percent_change() -> None:
    """A percent change is a proportion below zero: G13's −32.1 % (19 vs 28)."""
    assert fmt.pct(19 / 28 - 1) == "-32.1%"
    assert fmt.pct(0.2204) == "22.0%"
    assert fmt.pct(0.2204, digits=0) == "22%"
    assert fmt.pct(1.0) == "100.0%"


def test_rates_per_unit() -> None:
    assert fmt.rate(0.031505) == "31.5"
    assert fmt.rate(0.00123) == "1.2"
    assert fmt.rate(0.0004) == "0.40"
    assert fmt.rate(0.0000123) == "0.012"
    assert fmt.rate(0.000000557) == "0.0006"  # 0.000557 per 1,000: four decimals at most
    assert fmt.rate(0.000000557, per=100_000) == "0.056"
    assert fmt.rate(0.0000000557) == "under 0.0001"
    assert fmt.rate(0.000969) == "0.97" and fmt.rate(0.0011) == "1.1"
    assert fmt.rate(0.5, per=100) == "50.0"
    assert fmt.rate(46 / 93_238.25, per=10_000) == "4.9"


def test_intervals() -> None:
    assert fmt.interval(0.3581, 1.2591) == "0.36–1.26"
    assert fmt.interval(0.0189, 0.3404, fmt.pct) == "1.9%–34.0%"
    assert fmt.interval(None, None) == fmt.NOT_ESTIMABLE
    assert fmt.interval(None, 2.0) == "not bounded–2.00"
    assert fmt.interval(-1.5, 0.25) == "-1.50 to 0.25"
    assert fmt.interval(1.0, None) == "1.00–not bounded"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2014, 1, 1), date(2014, 12, 31), "2014"),
        (date(2016, 1, 1), date(2016, 12, 31), "2016"),
        (date(2021, 1, 1), date(2023, 12, 31), "2021–2023"),
        (date(2016, 1, 1), date(2016, 9, 29), "2016-01-01 to 2016-09-29"),
        (date(2013, 10, 13), date(2014, 12, 31), "2013-10-13 to 2014-12-31"),
        (date(2024, 1, 1), date(2024, 2, 29), "2024-01-01 to 2024-02-29"),
        (date(2024, 7, 13), date(2024, 7, 13), "2024-07-13 to 2024-07-13"),
    ],
)
def test_windows(start: date, end: date, text: str) -> None:
    """Whole calendar years (leap or not) as years; anything else as ISO dates."""
    assert fmt.window(start, end) == text


def estimate(statistic: str, value: float | None, ci=None, **kw) -> Estimate:
    return Estimate(
        id=f"stops.{statistic}.black.now",
        measure=Measure.STOPS,
        statistic=statistic,
        group=Group.BLACK,
        period=Period.NOW,
        window=(date(2017, 1, 1), date(2017, 12, 31)),
        value=value,
        ci=ci,
        **kw,
    )


def test_estimate_value_and_ci_by_statistic() -> None:
    """One formatter per statistic, so a table cell and a sentence agree."""
    assert fmt.value(estimate("rate_ratio", 3.4074, (3.3744, 3.4407))) == "3.41"
    assert fmt.ci(estimate("rate_ratio", 3.4074, (3.3744, 3.4407))) == "3.37–3.44"
    assert fmt.value(estimate("rate", 0.31505, (0.3137, 0.3164), scale=1000)) == "315.1"
    assert fmt.ci(estimate("rate", 0.31505, (0.3137, 0.3164), scale=1000)) == "313.7–316.4"
    assert fmt.value(estimate("proportion", 0.0605, (0.058, 0.063))) == "6.0%"
    assert fmt.value(estimate("count", 204_420.0)) == "204,420"
    assert fmt.value(estimate("proportion_difference", 0.28, (0.217, 0.345))) == "+28.0 pp"
    assert fmt.ci(estimate("proportion_difference", 0.28, (0.217, 0.345))) == "+21.7 pp–+34.5 pp"


def test_not_estimable_estimate_prints_no_number_and_no_interval() -> None:
    blank = estimate("rate_ratio", None, None, flags=(Flag.NOT_ESTIMABLE,))
    assert fmt.value(blank) == fmt.NOT_ESTIMABLE and fmt.ci(blank) == ""
    flagged = estimate("rate_ratio", 2.0, (1.0, 4.0), flags=(Flag.NOT_ESTIMABLE,))
    assert fmt.value(flagged) == fmt.NOT_ESTIMABLE and fmt.ci(flagged) == ""
    assert fmt.ci(estimate("rate_ratio", 2.0, None)) == ""


def test_no_negative_zero() -> None:
    """A value that rounds to zero prints without a sign (issue 9: '−0.0 points' reached readers)."""
    assert (
        fmt.points(-0.04) == "0.0 points" and fmt.points(-0.06) == "−0.1 points" and fmt.points(2.64) == "+2.6 points"
    )
    assert fmt.pct(-0.0001) == "0.0%" and fmt.pct(-0.0006) == "-0.1%"
    assert fmt.percentage_points(-0.0004) == "0.0 pp" and fmt.percentage_points(0.031) == "+3.1 pp"
    assert fmt.ratio(-0.001) == "0.00" and fmt.score(-0.01) == "0.0" and fmt.times(-0.01) == "0.0 times"
    assert fmt.rate(-0.0) == "0" and fmt.dollars(-0.3) == "$0" and fmt.years(-0.01) == "0.0 years"


def test_per_year_says_a_year() -> None:
    """A count per year may carry a decimal, and then says so."""
    assert fmt.per_year(1_773.5) == "1,773.5 a year"
    assert fmt.per_year(9.6) == "9.6 a year" and fmt.per_year(12) == "12.0 a year"
    per_year = estimate("count_per_year", 155.5, (138.7, 173.8))
    assert fmt.value(per_year) == "155.5 a year" and fmt.ci(per_year) == "138.7–173.8"


def test_dollars() -> None:
    assert fmt.dollars(1_912_788.4) == "$1,912,788" and fmt.dollars(0.5) == "$1" and fmt.dollars(-51_000) == "-$51,000"
    assert fmt.dollars_rounded(1_400_000.0) == "$1.4 million"
    assert fmt.dollars_rounded(51_000.0) == "$51,000"
    assert fmt.dollars_rounded(12_000_000) == "$12 million"
    assert fmt.dollars_rounded(2_450_000_000) == "$2.5 billion"


def test_published_figures_in_words() -> None:
    """Newark's published rows (params/newark.yaml's published CSV) as a reader reads them."""
    assert fmt.published_figure(1_400_000.0, Measure.SETTLEMENT_USD, "total") == "$1.4 million"
    assert fmt.published_figure(48.0, Measure.LAWSUITS, "total") == "48"
    assert fmt.published_figure(0.75, Measure.STOPS, "share") == "75%"
    assert fmt.published_figure(0.793, Measure.ARRESTS, "share") == "79.3%"
    assert fmt.published_figure(91.0, Measure.STOPS, "rate_per_1000") == "91 per 1,000 residents"
    assert fmt.published_figure(35.5, Measure.CONTACTS, "rate_per_1000") == "35.5 per 1,000 residents"


def test_one_rate_unit_per_measure() -> None:
    """Homicides and police killings per 100,000 residents wherever they appear; every other rate per the
    params' unit, whatever scale the estimate was made with."""
    assert (
        fmt.rate_unit(Measure.POLICE_KILLINGS) == 100_000 and fmt.rate_unit(Measure.HOMICIDE_VICTIMS, 1000) == 100_000
    )
    assert fmt.rate_unit(Measure.STOPS, 1000) == 1000 and fmt.rate_unit(Measure.ARRESTS, 10_000) == 10_000
    assert fmt.per_residents(Measure.POLICE_KILLINGS) == "per 100,000 residents a year"
    assert fmt.per_residents(Measure.STOPS) == "per 1,000 residents a year"
    killings = Estimate(
        id="police_killings.rate.black.now", measure=Measure.POLICE_KILLINGS, statistic="rate", group=Group.BLACK,
        period=Period.NOW, window=(date(2015, 1, 1), date(2023, 12, 31)), value=2 / 434_700,
        ci=(0.000000557, 0.0000166), scale=1000,
    )  # fmt: skip
    assert fmt.value(killings) == "0.46" and fmt.ci(killings) == "0.056–1.7"


def test_a_count_has_no_interval_but_an_expected_count_does() -> None:
    """A death count is a count, not a sample: no interval in tables or prose; an expected count is an estimate."""
    assert fmt.ci(estimate("pooled_count", 9.0, (4.1, 17.1))) == ""
    assert fmt.ci(estimate("count", 9.0, (4.1, 17.1))) == ""
    assert fmt.value(estimate("expected_count", 87.3, (63.9, 116.4))) == "87"
    assert fmt.ci(estimate("expected_count", 87.3, (63.9, 116.4))) == "64–116"


def test_axis_ticks_are_plain() -> None:
    """Log-axis ticks as words a reader can read: no '1e+06', no '-0'."""
    assert fmt.tick(1_000_000) == "1,000,000" and fmt.tick(1e6) == "1,000,000"
    assert fmt.tick(0.5) == "0.5" and fmt.tick(0.002) == "0.002" and fmt.tick(20.0) == "20"
    assert fmt.tick(-0.0) == "0" and fmt.tick(-0.00001) == "0"


def test_coverage_never_rounds_to_whole_or_none() -> None:
    """A partly covered window never reads '100%' or '0%' covered."""
    assert fmt.coverage(0.996) == "over 99%" and fmt.coverage(0.004) == "under 1%"
    assert (
        fmt.coverage(0.5) == "50%"
        and fmt.coverage(0.987) == "99%"
        and fmt.coverage(0.994) == "over 99%"
        and fmt.coverage(1.0) == "100%"
    )
