"""True zeros and partial coverage (issue 8 item 6), on the bundled demo data:

- Fatal Force codes race for every death, so a group with no death in a covered place and period is 0, not
  missing (Hartford 2015–2024: no white victim among 4, counted directly in the bundled file below);
- a window whose source gives only an all-race total (Newark's 2019 year-to-date homicides, 28) has no group
  counts there: *not available*, not 0;
- a window the data cover in part is flagged `partial coverage` wherever it is used (Chicago's trust 'then'
  covers 14 of 24 months; an outcome test over a window longer than the stop file).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from trustreport.params import load_params
from trustreport.report import build
from trustreport.vocab import Flag, Group, Measure, Period

ROOT = Path(__file__).resolve().parents[1]
WAPO = ROOT / "data" / "wapo-police-shootings" / "fatal-police-shootings-data.csv.gz"


def test_hartford_fatal_force_white_victims_are_a_true_zero():
    raw = pd.read_csv(WAPO, dtype=str)
    hartford = raw[(raw["city"] == "Hartford") & (raw["state"] == "CT")]
    assert len(hartford) == 4 and int((hartford["race"] == "W").sum()) == 0  # issue 8: "0 of 4"
    report = build(ROOT / "params" / "hartford.yaml")
    white = report.estimates.one(
        measure=Measure.POLICE_KILLINGS, group=Group.WHITE, statistic="pooled_count", period=Period.NOW
    )
    assert white.estimable and white.value == 0
    for est in report.estimates.where(measure=Measure.POLICE_KILLINGS):
        assert not any("missing, not zero" in n for n in est.notes), est.id
    # With no white death the ratio vs white is refused for a small count, not for missing data.
    ratio = report.estimates.one(
        measure=Measure.POLICE_KILLINGS, group=Group.BLACK, statistic="pooled_rate_ratio", period=Period.NOW
    )
    assert not ratio.estimable and "n too small" in ratio.notes[0]


@pytest.fixture(scope="module")
def newark():
    return build(ROOT / "params" / "newark.yaml")


def test_newark_black_ytd_homicides_then_are_not_available_not_zero(newark):
    then = newark.estimates.one(
        measure=Measure.HOMICIDE_VICTIMS, group=Group.BLACK, statistic="ytd_count", period=Period.THEN
    )
    assert not then.estimable and then.value is None
    assert "only an all-group total" in then.notes[0] and "not available, not zero" in then.notes[0]
    everyone = newark.estimates.one(
        measure=Measure.HOMICIDE_VICTIMS, group=Group.ALL, statistic="ytd_count", period=Period.THEN
    )
    assert everyone.value == 28  # the op-ed's 19 is "down 32%" from this baseline
    now = newark.estimates.one(
        measure=Measure.HOMICIDE_VICTIMS, group=Group.BLACK, statistic="ytd_count", period=Period.NOW
    )
    assert now.value == 19


def test_chicago_trust_then_is_flagged_as_partial():
    report = build(ROOT / "params" / "chicago.yaml")
    for statistic, period in (("mean", Period.THEN), ("mean_gap", Period.THEN), ("mean_gap_difference", Period.CHANGE)):
        est = report.estimates.one(
            measure=Measure.SURVEY_TRUST_MEAN, group=Group.BLACK, statistic=statistic, period=period
        )
        assert Flag.PARTIAL_COVERAGE in est.flags, est.id
        assert "survey waves cover 14 of the 24 months of 2017-01-01 to 2018-12-31" in est.notes
    now = report.estimates.one(
        measure=Measure.SURVEY_TRUST_MEAN, group=Group.BLACK, statistic="mean", period=Period.NOW
    )
    assert Flag.PARTIAL_COVERAGE not in now.flags


def test_outcome_test_over_a_window_longer_than_the_data_is_flagged():
    """Hartford's stop file ends 2016-09-29; ask for all of 2016 and the hit rates (which use the window as
    given) must say the data cover 75% of its days (273 of 366)."""
    loaded = load_params(ROOT / "params" / "hartford.yaml")
    now = loaded.params.now.model_copy(update={"end": date(2016, 12, 31)})
    loaded = loaded.model_copy(update={"params": loaded.params.model_copy(update={"now": now})})
    report = build(loaded)
    rates = report.estimates.where(measure=Measure.HITS, statistic="hit_rate", period=Period.NOW)
    assert rates
    for est in rates:
        assert Flag.PARTIAL_COVERAGE in est.flags, est.id
        assert any("cover 75% of the days of 2016" in n for n in est.notes), est.notes
