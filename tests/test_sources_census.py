"""Census adapters on the bundled files (golden values: data/*/SOURCE.md)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, FIXTURES, read, totals

from trustreport.caveat import CaveatKind, kind_of
from trustreport.counts import stock_snapshot
from trustreport.errors import SourceError
from trustreport.vocab import Measure

CITIES = DATA / "us-cities-demographics" / "us-cities-demographics.csv.gz"
HARTFORD_ACS = DATA / "opp-hartford" / "hartford_2015_demo.csv"
NEWARK = {"city": "Newark", "state": "New Jersey"}


@pytest.fixture(scope="module")
def newark():
    return read("census_race", CITIES, NEWARK, source_id="acs-newark")


@pytest.fixture(scope="module")
def hartford():
    return read("acs_demographics", HARTFORD_ACS, source_id="acs-hartford")


def test_newark_residents_match_source_md(newark):
    assert totals(newark, Measure.RESIDENTS) == {
        "all": 281913,
        "black": 144961,
        "hispanic": 100432,
        "white": 76402,
        "asian/pacific islander": 7349,
    }


def test_newark_residents_match_an_independent_pandas_read(newark):
    raw = pd.read_csv(CITIES, sep=";")
    rows = raw[(raw["City"] == "Newark") & (raw["State"] == "New Jersey")].set_index("Race")["Count"]
    got = totals(newark, Measure.RESIDENTS)
    assert got["black"] == rows["Black or African-American"]
    assert got["hispanic"] == rows["Hispanic or Latino"]
    assert got["white"] == rows["White"] and got["asian/pacific islander"] == rows["Asian"]
    # The categories overlap: the groups add up to more than the total population.
    assert sum(v for g, v in got.items() if g != "all") > got["all"]


def test_overlap_caveat_is_visible_to_report_code(newark):
    assert kind_of(newark.caveats[0]) is CaveatKind.OVERLAPPING_CATEGORIES
    assert newark.caveats[0].startswith("Overlapping categories:")  # the text readers see is unchanged


def test_american_indian_is_dropped_and_recorded(newark):
    (step,) = [d for d in newark.dropped if "American Indian" in d.step]
    assert (step.rows_in, step.rows_out) == (5, 4)
    assert "2,268" in step.reason
    assert "other" not in set(newark.counts["group"])


def test_snapshot_is_dated_to_the_vintage(newark):
    counts = newark.counts
    assert set(counts["period_start"]) == {pd.Timestamp("2015-01-01")}
    assert set(counts["period_end"]) == {pd.Timestamp("2015-12-31")}
    table, vintage = stock_snapshot(counts, Measure.RESIDENTS, (date(2013, 1, 1), date(2016, 12, 31)))
    assert vintage == (date(2015, 1, 1), date(2015, 12, 31)) and len(table) == 5
    (cov,) = newark.coverage
    assert (cov.measure, cov.start, cov.end) == (Measure.RESIDENTS, date(2015, 1, 1), date(2015, 12, 31))


def test_other_vintage_moves_the_period():
    data = read("census_race", CITIES, {**NEWARK, "vintage": 2016})
    assert set(data.counts["period_start"]) == {pd.Timestamp("2016-01-01")}


def test_city_not_in_file_names_file_and_option():
    with pytest.raises(SourceError) as err:
        read("census_race", FIXTURES / "census_no_city.csv", NEWARK)
    assert "census_no_city.csv" in str(err.value) and "`city` = 'Newark'" in str(err.value)


def test_misspelt_city_gets_a_suggestion():
    with pytest.raises(SourceError, match="did you mean 'Newark'"):
        read("census_race", CITIES, {"city": "Newrak", "state": "New Jersey"})


def test_state_code_instead_of_name_is_refused():
    with pytest.raises(SourceError) as err:
        read("census_race", CITIES, {"city": "Newark", "state": "NJ"})
    assert "`state` = 'NJ'" in str(err.value) and "full state name" in str(err.value)


def test_hartford_acs_groups(hartford):
    assert totals(hartford, Measure.RESIDENTS) == {
        "all": 124795,
        "hispanic": 55208,
        "white": 19268,
        "black": 43878,
        "asian/pacific islander": 3252 + 26,
        "other": 132 + 793 + 2238,
    }
    assert not any(c.startswith("Overlapping categories") for c in hartford.caveats)
    assert [d.step for d in hartford.dropped] == ["combine race columns"]


def test_hartford_race_columns_sum_to_total(hartford):
    raw = pd.read_csv(HARTFORD_ACS, encoding="utf-8-sig")
    race = raw.columns[raw.columns.get_loc("Hispanic") :]
    assert raw[race].sum(axis=1).iloc[0] == raw["Total population"].iloc[0] == 124795
    got = totals(hartford, Measure.RESIDENTS)
    assert sum(v for g, v in got.items() if g != "all") == got["all"]


def test_acs_columns_that_do_not_sum_are_refused():
    with pytest.raises(SourceError) as err:
        read("acs_demographics", FIXTURES / "acs_bad_sum.csv")
    assert "acs_bad_sum.csv" in str(err.value) and "sum to 990" in str(err.value)


def test_acs_missing_column_names_file_and_column():
    with pytest.raises(SourceError) as err:
        read("acs_demographics", FIXTURES / "acs_missing_column.csv")
    assert err.value.column == "Native Hawaiian and Other Pacific Islander"
    assert "acs_missing_column.csv" in str(err.value)
