"""A city the project had never seen (issue 8): Seattle PD Terry stops converted to the OPP schema, two yearly
files, pedestrian stops with frisks and `arrest_made` blank for January-June 2016 (tests/data/seattle/SOURCE.md).

`build()` runs on the params file as a user would; every expected number is a direct pandas count of the two files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from trustreport.params import load_params
from trustreport.report import build
from trustreport.stop_mode import stop_mode
from trustreport.tables.outcome import veil_of_darkness as vod_table
from trustreport.vocab import Group, Measure, Period, StopMode

SEATTLE = Path(__file__).parent / "data" / "seattle"
THEN = (date(2016, 1, 1), date(2016, 12, 31))
NOW = (date(2017, 1, 1), date(2017, 9, 24))
ARRESTS_RECORDED_FROM = date(2016, 7, 1)


@pytest.fixture(scope="module")
def report():
    return build(load_params(SEATTLE / "seattle.yaml"))


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """Both yearly files read independently with pandas (NA is pandas' missing value)."""
    frames = [pd.read_csv(SEATTLE / f"seattle_terry_stops_{y}.csv.gz", dtype=str) for y in (2016, 2017)]
    out = pd.concat(frames, ignore_index=True)
    out["day"] = pd.to_datetime(out["date"]).dt.date
    out["subject_race"] = out["subject_race"].fillna(Group.UNKNOWN.value)
    return out


def _in(raw: pd.DataFrame, window: tuple[date, date]) -> pd.DataFrame:
    return raw[(raw["day"] >= window[0]) & (raw["day"] <= window[1])]


def test_the_files_are_small_pedestrian_stop_files(raw):
    assert all((SEATTLE / f"seattle_terry_stops_{y}.csv.gz").stat().st_size < 2_000_000 for y in (2016, 2017))
    assert set(raw["type"]) == {"pedestrian"}
    assert len(_in(raw, THEN)) == 7485 and len(_in(raw, NOW)) == 5222


@pytest.mark.parametrize(("period", "window"), [(Period.THEN, THEN), (Period.NOW, NOW)])
def test_frisk_counts_equal_a_direct_count_of_the_files(report, raw, period, window):
    rows = _in(raw, window)
    frisked = rows[rows["frisk_performed"] == "TRUE"]
    expected = frisked["subject_race"].value_counts().to_dict()
    for group in (Group.BLACK, Group.HISPANIC, Group.WHITE):
        est = report.estimates.one(measure=Measure.FRISKS, statistic="count", group=group, period=period)
        assert est is not None and est.value == expected[group.value]
        share = report.estimates.one(measure=Measure.FRISKS, statistic="proportion", group=group, period=period)
        stopped = (rows["subject_race"] == group.value).sum()
        assert share.value == pytest.approx(expected[group.value] / stopped, rel=1e-12)
    total = report.estimates.one(measure=Measure.FRISKS, statistic="count", group=Group.ALL, period=period)
    assert total.value == len(frisked)


def test_the_volume_change_of_stops_is_estimated(report, raw):
    change = report.estimates.one(measure=Measure.STOPS, statistic="rate_change_ratio", group=Group.ALL)
    assert change is not None and change.period == Period.CHANGE
    # Same residents both times, so the per-resident change is the change in stops per year, years counted per
    # calendar year (docs/methods.md §2.2): 2016 is one year, 1 Jan-24 Sep 2017 is 267/365 of one.
    per_year = (len(_in(raw, THEN)) / 1.0, len(_in(raw, NOW)) / (267 / 365))
    assert change.value == pytest.approx(per_year[1] / per_year[0], rel=1e-9)
    assert change.ci is not None and change.ci[0] < change.value < change.ci[1]
    assert change.p_value is not None


def test_no_estimate_is_built_on_the_months_arrests_are_blank(report, raw):
    blank = _in(raw, (THEN[0], date(2016, 6, 30)))
    assert blank["arrest_made"].isna().all()
    then_arrests = [e for e in report.estimates.items if e.measure == Measure.ARRESTS and e.period != Period.NOW]
    assert then_arrests
    assert all(e.window[0] >= ARRESTS_RECORDED_FROM for e in then_arrests if e.period == Period.THEN)
    # Every stage of the then funnel uses the span arrests are recorded in, so no arrest rate divides by the
    # stops of the blank months.
    funnel = report.estimates.where(statistic="stage_rate", period=Period.THEN)
    assert funnel and all(e.window == (ARRESTS_RECORDED_FROM, THEN[1]) for e in funnel)
    recorded = _in(raw, (ARRESTS_RECORDED_FROM, THEN[1]))
    black = recorded[recorded["subject_race"] == Group.BLACK.value]
    count = report.estimates.one(measure=Measure.ARRESTS, statistic="count", group=Group.BLACK, period=Period.THEN)
    assert count.value == (black["arrest_made"] == "TRUE").sum()
    stage = report.estimates.one(measure=Measure.ARRESTS, statistic="stage_rate", group=Group.BLACK, period=Period.THEN)
    assert stage.value == pytest.approx((black["arrest_made"] == "TRUE").sum() / len(black), rel=1e-12)


def test_the_grid_and_the_appendix_say_arrests_are_partly_unrecorded(report, raw):
    grid = report.availability.set_index(["measure", "period"])
    assert grid.loc[(str(Measure.ARRESTS), str(Period.THEN)), "status"] == "partial"
    assert grid.loc[(str(Measure.ARRESTS), str(Period.NOW)), "status"] == "available"
    assert grid.loc[(str(Measure.FRISKS), str(Period.THEN)), "status"] == "available"
    n_blank = len(_in(raw, (THEN[0], date(2016, 6, 30))))
    steps = [d for s in report.sources for d in s.dropped if d.step == "arrests: months with arrest_made blank"]
    assert len(steps) == 1 and steps[0].rows_in - steps[0].rows_out == n_blank
    assert "2016-01 to 2016-06" in steps[0].reason


def test_the_nouns_follow_the_stop_mode(report):
    assert stop_mode(report.sources) == StopMode.PEDESTRIAN
    caveats = " ".join(report.caveats)
    assert "Residents are not pedestrians" in caveats
    words = [caveats, *(n for e in report.estimates.items for n in e.notes)]
    assert not any("driver" in w for w in words)
    # The veil-of-darkness test is about drivers: pedestrian stops never enter it.
    assert not report.estimates.where(statistic="vod_odds_ratio")
    assert all("stop_times" not in s.extras for s in report.sources)
    assert "these are pedestrian stops" in vod_table(report).data


def test_a_field_blank_in_the_middle_of_a_window_uses_the_longest_recorded_run(tmp_path, raw):
    """The same city with frisk_performed also blanked for May 2016: frisk shares use June-December 2016, the
    longest recorded run of the then window, with its stops."""
    stops = pd.read_csv(SEATTLE / "seattle_terry_stops_2016.csv.gz", dtype=str, keep_default_na=False)
    stops.loc[stops["date"].str.startswith("2016-05"), "frisk_performed"] = "NA"
    stops.to_csv(tmp_path / "seattle_terry_stops_2016.csv.gz", index=False)
    name_2017 = "seattle_terry_stops_2017.csv.gz"
    (tmp_path / name_2017).write_bytes((SEATTLE / name_2017).read_bytes())
    census = "../../../data/us-cities-demographics/"
    params = (SEATTLE / "seattle.yaml").read_text().replace(census, f"{(SEATTLE / census).resolve()}/")
    params = params.replace("data_root: ../../..", f"data_root: {SEATTLE.parents[2]}")
    (tmp_path / "seattle.yaml").write_text(params)
    found = build(load_params(tmp_path / "seattle.yaml"))

    run = (date(2016, 6, 1), THEN[1])
    share = found.estimates.one(measure=Measure.FRISKS, statistic="proportion", group=Group.BLACK, period=Period.THEN)
    assert share.window == run
    rows = _in(raw, run)
    black = rows[rows["subject_race"] == Group.BLACK.value]
    assert share.value == pytest.approx((black["frisk_performed"] == "TRUE").sum() / len(black), rel=1e-12)
    assert any("longest recorded run" in n for n in share.notes)
    change = found.estimates.one(measure=Measure.FRISKS, statistic="proportion_difference", group=Group.ALL)
    assert change.then_window == run
