"""Year-to-date comparisons (docs/methods.md §2.3) on small daily counts tables; G13 is the golden case
(docs/methods.md §8)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from conftest import by_id
from hypothesis import given
from hypothesis import strategies as hs

from trustreport.counts import validate_counts
from trustreport.metrics.year_to_date import days_in, year_to_date, ytd_window
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import Flag, Group, Measure, Period

HOMICIDES = Measure.HOMICIDE_VICTIMS


def agrees(actual: float | None, expected: str) -> bool:
    """Equal to `expected` to the digits printed in docs/methods.md (half a unit in the last place)."""
    decimals = len(expected.split(".")[1]) if "." in expected else 0
    return actual is not None and abs(actual - float(expected)) <= 0.5 * 10**-decimals + 1e-12


def daily(*rows: tuple[str, str, float]) -> pd.DataFrame:
    """Rows of (day, group, victims) as one-day homicide rows of one source, validated."""
    frame = pd.DataFrame(rows, columns=["period_start", "group", "value"])
    frame = frame.assign(
        period_end=frame["period_start"], measure=str(HOMICIDES), source_id="police-db", jurisdiction="test-city"
    )
    return validate_counts(frame, path=None)


def g13_counts() -> pd.DataFrame:
    """19 victims Jan 1 – Jul 13 2023, 28 in the same window of 2022; rows just after July 13 must not count."""
    return daily(
        ("2022-01-05", "all", 10),
        ("2022-07-13", "all", 18),
        ("2022-07-14", "all", 7),
        ("2023-03-01", "all", 19),
        ("2023-07-14", "all", 4),
    )


def test_g13_down_32_percent_is_not_distinguishable_from_chance() -> None:
    """G13: 19 now vs 28 then in equal windows (194 days each): −32.1 %, exact CI for the ratio
    (0.3581, 1.2591), exact conditional p 0.2430 (docs/methods.md §2.2, §8)."""
    est = by_id(year_to_date(g13_counts(), HOMICIDES, date(2023, 7, 13)))
    now, then = est["homicide_victims.ytd_count.all.now"], est["homicide_victims.ytd_count.all.then"]
    ratio = est["homicide_victims.ytd_rate_ratio.all.change"]
    change = est["homicide_victims.ytd_relative_difference.all.change"]
    assert (now.value, then.value) == (19, 28)
    assert now.window == (date(2023, 1, 1), date(2023, 7, 13)) and then.window == (date(2022, 1, 1), date(2022, 7, 13))
    assert now.denominator == then.denominator == 194
    assert agrees(ratio.value, "0.679") and ratio.value == pytest.approx(19 / 28, rel=1e-12)
    assert agrees(100 * change.value, "-32.1")
    assert agrees(ratio.ci[0], "0.3581") and agrees(ratio.ci[1], "1.2591") and ratio.ci_method == iv.EXACT_CONDITIONAL
    assert agrees(ratio.p_value, "0.2430") and ratio.test_method == st.POISSON_TEST_NAMES["exact-cond"]
    assert change.p_value == ratio.p_value
    assert change.ci == pytest.approx((ratio.ci[0] - 1, ratio.ci[1] - 1), rel=1e-12)
    assert not ratio.significant and not change.significant
    assert ratio.period == change.period == Period.CHANGE
    assert ratio.window == now.window and ratio.then_window == then.window
    # 19 now is under 20: the change rests on an unstable count.
    assert Flag.UNSTABLE in ratio.flags and Flag.UNSTABLE in now.flags and Flag.UNSTABLE not in then.flags


def test_caveat_on_seasonality_and_regression_to_the_mean() -> None:
    ratio = by_id(year_to_date(g13_counts(), HOMICIDES, date(2023, 7, 13)))[
        "homicide_victims.ytd_rate_ratio.all.change"
    ]
    text = " ".join(ratio.notes).lower()
    assert "seasonal" in text and "regression to the mean" in text and "same calendar window" in text


def test_small_baseline_is_flagged_unstable() -> None:
    """A baseline under 20 flags the change `unstable` even when this year's count is large (docs/methods.md §5.3)."""
    counts = daily(("2022-02-01", "all", 12), ("2023-02-01", "all", 40))
    est = by_id(year_to_date(counts, HOMICIDES, date(2023, 6, 30)))
    ratio = est["homicide_victims.ytd_rate_ratio.all.change"]
    assert ratio.estimable and Flag.UNSTABLE in ratio.flags
    assert any("12" in n for n in ratio.notes)
    assert Flag.UNSTABLE in est["homicide_victims.ytd_count.all.then"].flags


def test_leap_year_window_has_one_more_day_of_exposure() -> None:
    """Jan 1 – Jul 13 is 195 days in 2024 and 194 in 2023: the ratio is per day (docs/methods.md §2.3 step 1)."""
    counts = daily(("2023-05-01", "all", 100), ("2024-05-01", "all", 100))
    est = by_id(year_to_date(counts, HOMICIDES, date(2024, 7, 13)))
    now, then = est["homicide_victims.ytd_count.all.now"], est["homicide_victims.ytd_count.all.then"]
    assert (now.denominator, then.denominator) == (195, 194)
    ratio = est["homicide_victims.ytd_rate_ratio.all.change"]
    assert ratio.value == pytest.approx((100 / 195) / (100 / 194), rel=1e-12)
    assert ratio.ci == pytest.approx(iv.rate_ratio_exact_ci(100, 195, 100, 194).bounds, rel=1e-12)


def test_february_29_as_of() -> None:
    """As of 2024-02-29 the previous year's window ends on February 28 (59 days against 60)."""
    counts = daily(
        ("2023-02-28", "all", 30),
        ("2023-03-01", "all", 99),
        ("2024-02-29", "all", 25),
    )
    est = by_id(year_to_date(counts, HOMICIDES, date(2024, 2, 29)))
    then = est["homicide_victims.ytd_count.all.then"]
    assert then.window == (date(2023, 1, 1), date(2023, 2, 28)) and then.value == 30 and then.denominator == 59
    assert est["homicide_victims.ytd_count.all.now"].denominator == 60
    assert est["homicide_victims.ytd_rate_ratio.all.change"].value == pytest.approx((25 / 60) / (30 / 59))


def test_mean_of_several_prior_windows_as_baseline() -> None:
    """baseline_years=4 as of 2024-02-29: windows 2023 (59 days), 2022 (59), 2021 (59), 2020 (60, leap); the
    baseline count is their mean and the exposure is all their days (docs/methods.md §2.3 step 4)."""
    counts = daily(
        ("2020-02-29", "all", 30),
        ("2021-01-10", "all", 20),
        ("2022-01-10", "all", 26),
        ("2023-01-10", "all", 24),
        ("2024-01-10", "all", 18),
    )
    est = by_id(year_to_date(counts, HOMICIDES, date(2024, 2, 29), baseline_years=4))
    then = est["homicide_victims.ytd_count.all.then"]
    assert then.value == 25 and then.numerator == 100 and then.denominator == 59 * 3 + 60
    assert "mean of the 4 previous" in then.notes[0]
    ratio = est["homicide_victims.ytd_rate_ratio.all.change"]
    assert ratio.value == pytest.approx((18 / 60) / (100 / 237), rel=1e-12)
    assert ratio.ci == pytest.approx(iv.rate_ratio_exact_ci(18, 60, 100, 237).bounds, rel=1e-12)
    assert ratio.p_value == pytest.approx(st.poisson_ratio_test(18, 60, 100, 237, method="exact-cond").p_value)
    assert then.ci == pytest.approx(tuple(b / 4 for b in iv.poisson_rate_ci(100).bounds), rel=1e-12)


@pytest.mark.parametrize("missing_year", [2021, 2023])
def test_a_window_without_rows_is_not_estimable_and_named(missing_year: int) -> None:
    """A window with no rows at all is not covered by the data: missing, never counted as zero."""
    years = [y for y in (2021, 2022, 2023, 2024) if y != missing_year]
    counts = daily(*((f"{y}-03-01", "all", 30) for y in years))
    est = by_id(year_to_date(counts, HOMICIDES, date(2024, 6, 30), baseline_years=3))
    for key in ("ytd_count.all.then", "ytd_rate_ratio.all.change", "ytd_relative_difference.all.change"):
        e = est[f"homicide_victims.{key}"]
        assert not e.estimable and e.value is None and Flag.NOT_ESTIMABLE in e.flags
        assert f"{missing_year}-01-01 to {missing_year}-06-30" in e.notes[0] and "do not cover" in e.notes[0]
    assert est["homicide_victims.ytd_count.all.now"].value == 30


def test_no_rows_this_year_is_not_estimable() -> None:
    counts = daily(("2022-03-01", "all", 30))
    est = by_id(year_to_date(counts, HOMICIDES, date(2023, 6, 30)))
    now = est["homicide_victims.ytd_count.all.now"]
    assert not now.estimable and "2023-01-01 to 2023-06-30" in now.notes[0]
    assert est["homicide_victims.ytd_count.all.then"].value == 30


def test_group_and_small_counts() -> None:
    """A group the source records but with no rows this year counts as 0; a change from under 5 is refused."""
    counts = daily(("2022-03-01", "black", 4), ("2022-03-01", "white", 9), ("2023-03-01", "white", 8))
    est = by_id(year_to_date(counts, HOMICIDES, date(2023, 6, 30), group=Group.BLACK))
    assert est["homicide_victims.ytd_count.black.now"].value == 0
    ratio = est["homicide_victims.ytd_rate_ratio.black.change"]
    assert not ratio.estimable and ratio.notes[0].startswith("n too small")


def test_group_never_recorded_is_missing() -> None:
    counts = daily(("2022-03-01", "all", 30), ("2023-03-01", "all", 25))
    est = by_id(year_to_date(counts, HOMICIDES, date(2023, 6, 30), group=Group.HISPANIC))
    now = est["homicide_victims.ytd_count.hispanic.now"]
    assert not now.estimable and "missing, not zero" in now.notes[0]


def test_arguments_are_checked() -> None:
    counts = g13_counts()
    with pytest.raises(ValueError, match="stock measure"):
        year_to_date(counts, Measure.RESIDENTS, date(2023, 7, 13))
    with pytest.raises(ValueError, match="baseline_years"):
        year_to_date(counts, HOMICIDES, date(2023, 7, 13), baseline_years=0)


def test_metrics_json_has_no_nan_when_not_estimable() -> None:
    found = year_to_date(daily(("2022-03-01", "all", 30)), HOMICIDES, date(2023, 6, 30))
    json.dumps([e.to_json() for e in found], allow_nan=False)


@given(hs.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)), hs.integers(1, 5))
def test_windows_share_the_calendar_day(as_of: date, back: int) -> None:
    """Every year-to-date window starts on January 1 and ends on as_of's month-day (Feb 28 for a Feb 29 in a
    common year), so the day counts differ by at most one (a leap day)."""
    now, then = ytd_window(as_of.year, as_of), ytd_window(as_of.year - back, as_of)
    assert now == (date(as_of.year, 1, 1), as_of)
    assert then[0] == date(as_of.year - back, 1, 1)
    assert (then[1].month, then[1].day) == (as_of.month, as_of.day) or (as_of.month, as_of.day) == (2, 29)
    assert abs(days_in(now) - days_in(then)) <= 1
