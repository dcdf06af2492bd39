"""Washington Post Fatal Force adapter on the bundled v2 files (golden value: docs/checkable-numbers.md item
4, "officers killed 1,096 people in 2022", Washington Post, Feb 2023), plus independent pandas recounts of a
city, an agency and the race recode, and one fixture per failure mode."""

from __future__ import annotations

import gzip
import shutil
from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, GROUPS, read, string_cells, totals

from trustreport.errors import SourceError
from trustreport.sources.wapo_police_shootings import wapo_group
from trustreport.vocab import Group, Measure

FOLDER = DATA / "wapo-police-shootings"
DEATHS = FOLDER / "fatal-police-shootings-data.csv.gz"
KIND = "wapo_police_shootings"
RACES = {"W": "white", "B": "black", "H": "hispanic", "A": "asian/pacific islander", "N": "other", "O": "other"}


@pytest.fixture(scope="module")
def national():
    return read(KIND, DEATHS, {"national": True}, source_id="wapo")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(DEATHS, dtype=str, keep_default_na=False)


def _by_year(data, group: str = "all") -> dict[int, float]:
    rows = data.counts[(data.counts["measure"] == "police_killings") & (data.counts["group"] == group)]
    return rows.groupby(rows["period_start"].dt.year)["value"].sum().to_dict()


def test_2022_national_total_matches_the_posts_published_figure(national):
    # Washington Post Fatal Force, Feb 2023: 1,096 people shot and killed by police in 2022; the April 2024
    # snapshot has 1,095 (shared data SOURCE.md); tolerance ±0.5 %.
    assert _by_year(national)[2022] == pytest.approx(1096, rel=0.005)
    assert _by_year(national)[2022] == 1095


def test_national_totals_equal_the_file_and_groups_add_up(national, raw):
    counted = totals(national, Measure.POLICE_KILLINGS)
    assert counted["all"] == len(raw) == 9518
    assert sum(v for g, v in counted.items() if g != "all") == counted["all"]
    assert counted["unknown"] == (raw["race"] == "").sum() == 1111
    assert set(national.counts["group"]) <= GROUPS


def test_chicago_by_place_matches_an_independent_count(raw):
    data = read(KIND, DEATHS, {"city": "Chicago", "state": "IL"})
    chicago = raw[(raw["city"] == "Chicago") & (raw["state"] == "IL")]
    expected = chicago["race"].map(lambda r: RACES.get(r, "unknown") if ";" not in r else None).value_counts()
    counted = totals(data, Measure.POLICE_KILLINGS)
    assert counted["all"] == len(chicago) == 55
    assert {g: counted[g] for g in expected.index} == expected.to_dict()


def test_newark_by_agency_links_through_agency_ids(raw):
    data = read(KIND, DEATHS, {"agency_name": "Newark Police Department", "state": "NJ"})
    linked = raw["agency_ids"].str.split(";").map(lambda ids: "1473" in ids)
    assert totals(data, Measure.POLICE_KILLINGS)["all"] == linked.sum() == 11
    agencies = data.extras["agencies"]
    newark = agencies[agencies["agency_id"] == 1473].iloc[0]
    assert (newark["agency"], newark["type"], newark["shootings"], newark["total_shootings"]) == (
        "Newark Police Department",
        "local_police",
        11,
        11,
    )
    assert list(agencies.columns) == ["agency_id", "agency", "type", "state", "shootings", "total_shootings"]


def test_city_and_agency_together_keep_both_conditions(raw):
    data = read(KIND, DEATHS, {"agency_ids": [1473], "city": "Newark", "state": "NJ"})
    in_newark = (raw["city"] == "Newark") & (raw["state"] == "NJ")
    linked = raw["agency_ids"].str.split(";").map(lambda ids: "1473" in ids)
    assert totals(data, Measure.POLICE_KILLINGS)["all"] == (in_newark & linked).sum()


def test_coverage_is_2015_to_the_files_last_date(national):
    (cov,) = national.coverage
    assert (cov.measure, cov.start, cov.end) == (Measure.POLICE_KILLINGS, date(2015, 1, 1), date(2024, 4, 4))


def test_counts_are_daily(national):
    counts = national.counts
    assert (counts["period_start"] == counts["period_end"]).all()


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("W", Group.WHITE),
        ("B", Group.BLACK),
        ("H", Group.HISPANIC),
        ("A", Group.ASIAN_PI),
        ("N", Group.OTHER),
        ("O", Group.OTHER),
        ("B;H", Group.HISPANIC),
        ("W;B;N", Group.OTHER),
        ("", Group.UNKNOWN),
        ("--", Group.UNKNOWN),
        ("X", None),
    ],
)
def test_race_codes(label, group):
    assert wapo_group(label) == group


def test_caveats_name_the_licence_and_shootings_only(national):
    text = " ".join(national.caveats)
    assert "CC BY-NC-SA 4.0" in text
    assert "not all killings by police" in text


def test_no_victim_name_reaches_counts_extras_or_records(raw, tmp_path):
    """The NJ rows with a `name` column put back (the original has one; the bundled copy dropped it), filled with
    invented names: none reaches the counts, extras, records or caveats."""
    nj = raw[raw["state"] == "NJ"].assign(name=[f"Zebulon Quixote{i}" for i in range((raw["state"] == "NJ").sum())])
    path = tmp_path / "deaths.csv"
    nj.to_csv(path, index=False)
    shutil.copy(DEATHS.parent / "fatal-police-shootings-agencies.csv.gz", tmp_path)
    data = read(KIND, path, {"state": "NJ"})
    cells = string_cells(data)
    assert totals(data, Measure.POLICE_KILLINGS)["all"] == len(nj)
    assert not any("Quixote" in cell for cell in cells)
    assert not any("Quixote" in c for c in data.caveats)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "national: true"),
        ({"city": "Newark"}, "needs `state`"),
        ({"national": True, "state": "NJ"}, "selects every row"),
        ({"agency_ids": [1473], "agency_name": "Newark Police Department"}, "not both"),
        ({"agency_name": "Newark Police Department"}, "names 2 agencies"),
        ({"city": "Newwark", "state": "NJ"}, "did you mean 'Newark'"),
        ({"state": "nj"}, "two-letter"),
        ({"agency_ids": [999999]}, "[999999] match no agency"),
        ({"town": "Newark"}, "unknown key"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(SourceError) as err:
        read(KIND, DEATHS, options)
    assert message in str(err.value)


def _fixture(tmp_path, rows: list[str], header: str = "id,date,city,state,name,race,agency_ids") -> object:
    (tmp_path / "agencies.csv").write_text("id,name,type,state,total_shootings\n7,Town PD,local_police,NJ,2\n")
    path = tmp_path / "deaths.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join([header, *rows]) + "\n")
    return path


def test_missing_column_names_the_file_and_column(tmp_path):
    path = _fixture(tmp_path, ["1,2020-01-01,Town,NJ,A Person,B,7"], header="id,date,city,state,name,race,agency")
    with pytest.raises(SourceError, match="agency_ids") as err:
        read(KIND, path, {"state": "NJ", "agencies_file": "agencies.csv"})
    assert str(path) in str(err.value)


def test_bad_date_names_the_row(tmp_path):
    path = _fixture(tmp_path, ["1,2020-01-01,Town,NJ,A Person,B,7", "2,01/02/2020,Town,NJ,B Person,W,7"])
    with pytest.raises(SourceError, match=r"row 3, column `date`: expected a date YYYY-MM-DD, got '01/02/2020'"):
        read(KIND, path, {"state": "NJ", "agencies_file": "agencies.csv"})


def test_unknown_race_code_names_the_row(tmp_path):
    path = _fixture(tmp_path, ["1,2020-01-01,Town,NJ,A Person,B,7", "2,2020-01-02,Town,NJ,B Person,Z,7"])
    with pytest.raises(SourceError, match=r"row 3, column `race`: unrecognised value 'Z'"):
        read(KIND, path, {"state": "NJ", "agencies_file": "agencies.csv"})


def test_missing_agencies_file(tmp_path):
    path = _fixture(tmp_path, ["1,2020-01-01,Town,NJ,A Person,B,7"])
    with pytest.raises(SourceError, match="file not found"):
        read(KIND, path, {"state": "NJ", "agencies_file": "nope.csv"})


def test_a_tiny_file_counts_each_person_once(tmp_path):
    path = _fixture(tmp_path, ["1,2020-01-01,Town,NJ,A Person,B;H,7", "2,2020-01-01,Town,NJ,B Person,,7"])
    data = read(KIND, path, {"agency_ids": [7], "agencies_file": "agencies.csv"})
    # The Post codes race for every death: the coded groups nobody fell in are true zeros, not missing.
    zeros = {"white": 0, "black": 0, "asian/pacific islander": 0, "other": 0}
    assert totals(data, Measure.POLICE_KILLINGS) == {"all": 2, "hispanic": 1, "unknown": 1, **zeros}
    assert data.extras["agencies"]["shootings"].tolist() == [2]
