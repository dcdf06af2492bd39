"""The OPP stop adapter on the bundled Hartford file (golden values: data/opp-hartford/SOURCE.md)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, FIXTURES, GROUPS, MEASURES, read, string_cells, totals

from trustreport.counts import window_totals
from trustreport.errors import SourceError
from trustreport.stop_mode import stop_mode, stopped_people
from trustreport.vocab import Measure, StopMode

HARTFORD = DATA / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
# SOURCE.md: stops by race over the whole file (18,439 stops).
PUBLISHED_STOPS = {"black": 7104, "white": 6057, "hispanic": 5073, "asian/pacific islander": 176, "other": 29}


@pytest.fixture(scope="module")
def hartford():
    return read("opp_stops", HARTFORD, {"type": "vehicular", "department": "Hartford"}, source_id="opp-hartford")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The file read independently with pandas (NA is pandas' missing value)."""
    return pd.read_csv(HARTFORD, dtype=str)


def test_file_matches_published_stop_counts(raw):
    assert len(raw) == 18439
    assert raw["subject_race"].value_counts().to_dict() == PUBLISHED_STOPS


def test_stops_plus_undated_equal_published_counts(hartford, raw):
    undated = raw[raw["date"].isna()]["subject_race"].value_counts().to_dict()
    assert undated == {"black": 3, "white": 1}
    stops = totals(hartford, Measure.STOPS)
    for group, published in PUBLISHED_STOPS.items():
        assert stops[group] + undated.get(group, 0) == published
    assert stops["all"] == 18439 - 4


@pytest.mark.parametrize(
    ("measure", "mask"),
    [
        (Measure.SEARCHES, lambda r: r["search_conducted"] == "TRUE"),
        (Measure.HITS, lambda r: (r["search_conducted"] == "TRUE") & (r["contraband_found"] == "TRUE")),
        (Measure.ARRESTS, lambda r: r["arrest_made"] == "TRUE"),
        (Measure.CITATIONS, lambda r: r["citation_issued"] == "TRUE"),
    ],
)
def test_outcomes_match_an_independent_pandas_count(hartford, raw, measure, mask):
    dated = raw[raw["date"].notna()]
    expected = dated[mask(dated)]["subject_race"].value_counts().to_dict()
    got = totals(hartford, measure)
    assert {g: v for g, v in got.items() if g != "all"} == expected
    assert got["all"] == sum(expected.values())


def test_known_hit_rates(hartford):
    searches, hits = totals(hartford, Measure.SEARCHES), totals(hartford, Measure.HITS)
    rates = {g: round(100 * hits[g] / searches[g], 1) for g in ("black", "hispanic", "white")}
    assert rates == {"black": 1.7, "hispanic": 1.8, "white": 1.2}


def test_rows_are_daily_and_all_is_the_sum_of_groups(hartford):
    counts = hartford.counts
    assert (counts["period_start"] == counts["period_end"]).all()
    assert set(counts["group"]) <= GROUPS and set(counts["measure"]) <= MEASURES
    keyed = counts.set_index(["period_start", "measure", "group"])["value"]
    by_day = keyed.drop("all", level="group").groupby(level=["period_start", "measure"]).sum()
    assert by_day.equals(keyed.xs("all", level="group").sort_index())


def test_any_window_can_be_cut_exactly(hartford, raw):
    year = raw[raw["date"].between("2014-01-01", "2014-12-31")]
    got = window_totals(hartford.counts, Measure.STOPS, (date(2014, 1, 1), date(2014, 12, 31)))
    got = dict(zip(got["group"], got["value"], strict=True))
    assert got.pop("all") == len(year)
    assert got == year["subject_race"].value_counts().to_dict()


def test_coverage_is_first_to_last_stop_date(hartford):
    assert {c.measure for c in hartford.coverage} == {
        Measure.STOPS,
        Measure.SEARCHES,
        Measure.HITS,
        Measure.ARRESTS,
        Measure.CITATIONS,
    }
    assert {(c.start, c.end) for c in hartford.coverage} == {(date(2013, 10, 13), date(2016, 9, 29))}


def test_dropped_and_recoded_rows_are_recorded(hartford):
    steps = {d.step: d for d in hartford.dropped}
    assert (steps["drop stops without a date"].rows_in, steps["drop stops without a date"].rows_out) == (
        18439,
        18435,
    )
    assert steps["filter type"].rows_out == steps["filter department_name"].rows_out == 18439
    assert "5 stops" in steps["recode arrest_made NA"].reason
    assert "3 searched stops" in steps["recode contraband_found NA among searches"].reason


def test_by_district_extras_add_up_to_the_counts(hartford):
    table = hartford.extras["by_district"]
    assert list(table.columns) == ["date", "district", "group", "stops", "searches", "hits"]
    by_group = table.groupby("group")[["stops", "searches", "hits"]].sum()
    for measure in (Measure.STOPS, Measure.SEARCHES, Measure.HITS):
        expected = {g: v for g, v in totals(hartford, measure).items() if g != "all"}
        assert by_group[measure.value][lambda s: s > 0].to_dict() == expected
    assert table.loc[table["district"] == "unknown", "stops"].sum() > 0  # district NA is kept, not dropped


def test_no_stop_level_identifiers_reach_the_output(hartford, raw):
    leaked = string_cells(hartford) & set(raw["officer_id_hash"].dropna()) | string_cells(hartford) & set(
        raw["location"].dropna()
    )
    assert not leaked


def test_filters_race_na_and_missing_outcomes_on_a_small_file():
    data = read("opp_stops", FIXTURES / "opp_small.csv", {"department": "Town PD"})
    assert totals(data, Measure.STOPS) == {"black": 2, "unknown": 1, "all": 3}
    assert totals(data, Measure.HITS) == {"black": 1, "all": 1}
    assert Measure.ARRESTS.value not in set(data.counts["measure"])
    assert any("arrests are not available" in c for c in data.caveats)
    steps = [d.step for d in data.dropped]
    assert "recode subject_race NA" in steps and "filter department_name" in steps


def test_missing_race_column_names_file_and_column():
    with pytest.raises(SourceError) as err:
        read("opp_stops", FIXTURES / "opp_missing_race.csv")
    assert "opp_missing_race.csv" in str(err.value) and "subject_race" in str(err.value)
    assert err.value.column == "subject_race"


def test_bad_boolean_names_column_value_and_line():
    with pytest.raises(SourceError) as err:
        read("opp_stops", FIXTURES / "opp_bad_boolean.csv")
    assert err.value.column == "search_conducted" and err.value.row == 3
    assert "opp_bad_boolean.csv" in str(err.value) and "'yes'" in str(err.value)


def test_bad_date_names_column_and_line():
    with pytest.raises(SourceError) as err:
        read("opp_stops", FIXTURES / "opp_bad_date.csv")
    assert (err.value.column, err.value.row) == ("date", 3)


def test_unknown_filter_value_names_the_option():
    with pytest.raises(SourceError) as err:
        read("opp_stops", HARTFORD, {"type": "pedestrian"})
    assert "ct_hartford_2020_04_01.csv.gz" in str(err.value) and "`type`" in str(err.value)


def test_unknown_option_is_refused():
    with pytest.raises(SourceError, match="option `city`: unknown key"):
        read("opp_stops", HARTFORD, {"city": "Hartford"})


def _minute(time: str) -> int:
    hours, minutes = time.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def test_stop_times_extras_match_an_independent_pandas_count(hartford, raw):
    table = hartford.extras["stop_times"]
    assert list(table.columns) == ["date", "minute", "district", "group", "stops"]
    timed = raw[raw["date"].notna() & raw["time"].notna()]
    expected = (
        timed.assign(
            date=pd.to_datetime(timed["date"]),
            minute=timed["time"].map(_minute),
            district=timed["district"].fillna("unknown"),
        )
        .groupby(["date", "minute", "district", "subject_race"])
        .size()
    )
    got = table.set_index(["date", "minute", "district", "group"])["stops"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert table["minute"].between(0, 24 * 60 - 1).all()
    assert table["stops"].sum() == totals(hartford, Measure.STOPS)["all"]


def test_stops_without_a_time_are_recorded_for_the_stop_times_table(hartford):
    step = next(d for d in hartford.dropped if d.step == "stop_times: drop stops without a time")
    # Hartford's four stops without a time are the four without a date, already dropped.
    assert (step.rows_in, step.rows_out) == (18435, 18435)


def test_search_basis_extras_add_up_to_searches_and_hits(hartford, raw):
    table = hartford.extras["search_basis"]
    assert list(table.columns) == ["date", "group", "search_basis", "searches", "hits"]
    by_basis = table.groupby("search_basis")[["searches", "hits"]].sum()
    assert by_basis["searches"].to_dict() == {"consent": 125, "other": 35, "probable cause": 5024, "unknown": 4}
    searched = raw[raw["date"].notna() & (raw["search_conducted"] == "TRUE")]
    hits = searched[searched["contraband_found"] == "TRUE"]
    assert by_basis["hits"].to_dict() == hits["search_basis"].fillna("unknown").value_counts().to_dict()
    by_group = table.groupby("group")[["searches", "hits"]].sum()
    for measure in (Measure.SEARCHES, Measure.HITS):
        expected = {g: v for g, v in totals(hartford, measure).items() if g != "all"}
        assert by_group[measure.value][lambda s: s > 0].to_dict() == expected


def test_stop_times_without_district_column_and_missing_time(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text(
        "date,time,subject_race,search_conducted,search_basis\n"
        "2015-01-02,17:05:59,black,TRUE,consent\n"
        "2015-01-02,17:05:00,black,FALSE,NA\n"
        "2015-01-02,NA,white,TRUE,NA\n"
        "2015-01-03,00:00:00,white,FALSE,NA\n"
    )
    data = read("opp_stops", path)
    table = data.extras["stop_times"]
    assert table[["minute", "district", "group", "stops"]].values.tolist() == [
        [1025, "unknown", "black", 2],
        [0, "unknown", "white", 1],
    ]
    step = next(d for d in data.dropped if d.step.startswith("stop_times"))
    assert (step.rows_in, step.rows_out) == (4, 3) and "1 dated stops" in step.reason
    basis = data.extras["search_basis"]
    assert basis[["search_basis", "searches"]].values.tolist() == [["consent", 1], ["unknown", 1]]
    assert "hits" not in basis.columns and "by_district" not in data.extras


def test_bad_time_names_column_and_line(tmp_path):
    path = tmp_path / "bad_time.csv"
    path.write_text("date,time,subject_race\n2015-01-02,17:05:00,black\n2015-01-02,5 pm,white\n")
    with pytest.raises(SourceError) as err:
        read("opp_stops", path)
    assert (err.value.column, err.value.row) == ("time", 3) and "'5 pm'" in str(err.value)


@pytest.fixture(scope="module")
def search_types():
    """A hand-made mixed file: frisks blank in February, search type blank among March's searches."""
    return read("opp_stops", FIXTURES / "opp_search_type.csv", source_id="mixed")


def test_frisks_and_search_types_count_only_true_values(search_types):
    assert totals(search_types, Measure.FRISKS) == {"black": 2, "hispanic": 1, "all": 3}
    assert totals(search_types, Measure.PERSON_SEARCHES) == {"black": 2, "white": 1, "all": 3}
    assert totals(search_types, Measure.VEHICLE_SEARCHES) == {"black": 1, "white": 1, "all": 2}
    assert totals(search_types, Measure.HITS) == {"white": 1, "hispanic": 1, "all": 2}


def test_a_month_where_a_field_is_blank_is_not_recorded(search_types):
    spans = {
        m: [(c.start, c.end) for c in search_types.coverage if c.measure == m]
        for m in (Measure.STOPS, Measure.FRISKS, Measure.PERSON_SEARCHES, Measure.HITS)
    }
    assert spans[Measure.STOPS] == [(date(2020, 1, 5), date(2020, 3, 15))]
    assert spans[Measure.HITS] == spans[Measure.STOPS]
    assert spans[Measure.FRISKS] == [(date(2020, 1, 5), date(2020, 1, 31)), (date(2020, 3, 1), date(2020, 3, 15))]
    # March's only search has search_person NA: the search type is not recorded that month.
    assert spans[Measure.PERSON_SEARCHES] == [(date(2020, 1, 5), date(2020, 2, 29))]
    frisks = search_types.counts[search_types.counts["measure"] == Measure.FRISKS.value]
    assert not frisks["period_start"].dt.month.eq(2).any()


def test_blank_fields_are_recorded_in_the_appendix(search_types):
    steps = {d.step: d for d in search_types.dropped}
    blank = steps["frisks: months with frisk_performed blank"]
    assert blank.rows_in - blank.rows_out == 2 and "2020-02" in blank.reason
    assert "2020-03" in steps["person_searches: months with search_person blank"].reason
    # NA in a recorded month still counts as not TRUE, and says so.
    assert steps["recode frisk_performed NA"].reason == "1 stops counted as not TRUE"
    assert steps["recode contraband_found NA among searches"].reason.startswith("1 searched stops")


def test_stop_mode_and_vehicular_stop_times(search_types):
    modes = search_types.extras["stop_mode"].set_index("type")["stops"].to_dict()
    assert modes == {"pedestrian": 4, "vehicular": 4}
    assert search_types.extras["stop_times"]["stops"].sum() == 4


def test_search_type_needs_both_columns(hartford):
    # Hartford has search_vehicle but no search_person (and no frisk_performed): neither is emitted.
    emitted = set(hartford.counts["measure"])
    assert not emitted & {Measure.FRISKS.value, Measure.PERSON_SEARCHES.value, Measure.VEHICLE_SEARCHES.value}
    assert len([c for c in hartford.coverage if c.measure == Measure.CITATIONS]) == 1


def test_mixed_vehicle_and_pedestrian_stops_are_people_stopped(search_types, hartford):
    assert stop_mode([search_types]) == StopMode.MIXED
    assert stopped_people([search_types]) == "people stopped"
    assert stopped_people([hartford]) == "drivers"


def test_hit_rate_tables_leave_out_months_contraband_is_not_recorded(tmp_path):
    path = tmp_path / "contraband_gap.csv"
    path.write_text(
        "date,subject_race,district,search_conducted,contraband_found\n"
        "2020-01-05,black,A,TRUE,TRUE\n"
        "2020-01-06,white,A,TRUE,FALSE\n"
        "2020-02-03,black,A,TRUE,NA\n"
        "2020-02-04,white,A,TRUE,NA\n"
        "2020-03-01,white,A,TRUE,TRUE\n"
    )
    data = read("opp_stops", path)
    assert totals(data, Measure.SEARCHES)["all"] == 5
    assert totals(data, Measure.HITS)["all"] == 2
    district = data.extras["by_district"]
    assert int(district["searches"].sum()) == 3 and int(district["hits"].sum()) == 2
    assert not district["date"].dt.month.eq(2).any()
