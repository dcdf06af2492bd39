"""B03002 / P2 resident tables (Hispanic separate) in every shape the adapter reads.

Golden values: the Census Bureau's ACS 2013–2017 5-year B03002 estimates as published in the Stanford Open Policing
Project's county table (data/census/SOURCE.md) and the 2020 Census P2 figures for Dallas entered in
data/census/places.csv with their citation.
"""

from __future__ import annotations

import json

import pytest
from sources_helpers import DATA, FIXTURES, read, totals

from trustreport.errors import SourceError
from trustreport.sources.census_b03002 import Column, classify
from trustreport.vocab import Measure

COUNTIES = DATA / "census" / "opp-acs-2017-5yr-county-b03002.csv"
PLACES = DATA / "census" / "places.csv"
API_JSON = FIXTURES / "census_b03002_philadelphia_api.json"
EXPORT_CSV = FIXTURES / "census_b03002_baltimore_datacensusgov.csv"

PHILADELPHIA = {
    "all": 1569657,
    "hispanic": 221777,
    "white": 548312,
    "black": 648846,
    "asian/pacific islander": 110513 + 351,  # Asian alone + NHPI alone, non-Hispanic
    "other": 2962 + 5437 + 31459,  # AIAN + some other race + two or more races, non-Hispanic
}
BALTIMORE = {
    "all": 619796,
    "hispanic": 30729,
    "white": 170916,
    "black": 385831,
    "asian/pacific islander": 15816 + 265,
    "other": 1401 + 2124 + 12714,
}


def _read_county(name: str):
    return read("census_b03002", COUNTIES, {"name": name, "vintage": 2015})


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Philadelphia County, Pennsylvania", PHILADELPHIA), ("Baltimore city, Maryland", BALTIMORE)],
)
def test_factfinder_labels_give_the_published_groups(name, expected):
    assert totals(_read_county(name), Measure.RESIDENTS) == expected


def test_orleans_parish_groups_add_up_to_the_total():
    got = totals(_read_county("Orleans Parish, Louisiana"), Measure.RESIDENTS)
    assert (got["all"], got["white"], got["black"], got["hispanic"]) == (388182, 118660, 229389, 21448)
    assert sum(v for g, v in got.items() if g != "all") == got["all"]


def test_api_json_reads_the_same_as_the_factfinder_export():
    data = read("census_b03002", API_JSON, {"vintage": 2015})
    assert totals(data, Measure.RESIDENTS) == PHILADELPHIA


def test_datacensusgov_export_skips_its_label_row():
    data = read("census_b03002", EXPORT_CSV, {"vintage": 2015})
    assert totals(data, Measure.RESIDENTS) == BALTIMORE


def test_margins_of_error_reach_the_caveats():
    from trustreport.sources.census_b03002 import MARGIN_PREFIX

    (note,) = [c for c in _read_county("Philadelphia County, Pennsylvania").caveats if c.startswith(MARGIN_PREFIX)]
    # white: line 3's own margin; asian/pacific islander: sqrt(821² + 107²) = 828 (Census sum approximation)
    assert "white ±559" in note and "black ±1,770" in note and "asian/pacific islander ±828" in note
    assert "hispanic ±" not in note  # the Hispanic total is a controlled estimate with no margin


def test_api_wrapper_written_by_the_census_command_is_read(tmp_path):
    response = json.loads(API_JSON.read_text())
    wrapped = tmp_path / "philadelphia-acs5-2017.json"
    wrapped.write_text(
        json.dumps({"query": "https://api.census.gov/…", "retrieved": "2026-01-01", "response": response})
    )
    assert totals(read("census_b03002", wrapped, {"vintage": 2015}), Measure.RESIDENTS) == PHILADELPHIA


def test_groups_that_do_not_add_up_are_refused_naming_the_file(tmp_path):
    response = json.loads(API_JSON.read_text())
    response[1][response[0].index("B03002_003E")] = "548313"  # one more non-Hispanic White resident
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(response))
    with pytest.raises(SourceError, match=r"bad\.json.*sum to 1,569,658, not to the total 1,569,657"):
        read("census_b03002", bad, {"vintage": 2015})


def test_several_rows_need_a_name():
    with pytest.raises(SourceError, match="3 data rows: set option `name`"):
        read("census_b03002", COUNTIES, {"vintage": 2015})


def test_an_unknown_name_suggests_the_nearest():
    with pytest.raises(SourceError, match="nearest: 'Baltimore city, Maryland'"):
        read("census_b03002", COUNTIES, {"name": "Baltimore City, Maryland", "vintage": 2015})


def test_a_table_without_the_race_lines_is_refused(tmp_path):
    bad = tmp_path / "b01003.json"
    bad.write_text(json.dumps([["NAME", "B01003_001E"], ["Somewhere", "100"]]))
    with pytest.raises(SourceError, match="not a B03002/P2 table"):
        read("census_b03002", bad, {"vintage": 2015})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("B03002_012E", Column(12, False)),
        ("B03002_006M", Column(6, True)),
        ("P2_002N", Column(12, False)),  # 2020 P2 line 2, Hispanic or Latino
        ("P2_011N", Column(9, False)),  # two or more races, not Hispanic
        ("P002005", Column(3, False)),  # 2010 P2 line 5, White alone, not Hispanic
        ("P2_004N", None),  # "population of one race", a subtotal the groups must not use
        ("Estimate; Not Hispanic or Latino: - Asian alone", Column(6, False)),
        ("Margin of Error!!Total:!!Hispanic or Latino:", Column(12, True)),
        ("Estimate!!Total:!!Hispanic or Latino:!!White alone", None),  # detail under Hispanic
    ],
)
def test_columns_are_classified_by_code_or_label(header, expected):
    assert classify(header) == expected


def test_published_place_figures_for_dallas():
    data = read("census_places", PLACES, {"place": "Dallas city, Texas", "vintage": 2020})
    assert totals(data, Measure.RESIDENTS) == {
        "all": 1304379,
        "hispanic": 551174,
        "white": 366393,
        "black": 298764,
        "asian/pacific islander": 47820,
        "other": 31842 + 8386,
    }
    assert "Census Dots" in data.caveats[0]


@pytest.mark.parametrize(
    ("place", "vintage", "total", "hispanic"),
    [
        # Golden values from other publications of the same counts: Newark 2010, 277,140 residents, 93,746
        # Hispanic (33.8 %; Census QuickFacts 2010 and sr.wikipedia.org "Њуарк (Њу Џерзи)"); Paterson 2010,
        # 84,254 Hispanic (57.6 %; NJ.com, "Census data shows Hispanics as the largest minority in N.J.", 2011-02).
        ("Newark city, New Jersey", 2010, 277140, 93746),
        ("Paterson city, New Jersey", 2010, 146199, 84254),
    ],
)
def test_new_jersey_p2_rows_match_other_publications(place, vintage, total, hispanic):
    data = read("census_places", PLACES, {"place": place, "vintage": vintage})
    got = totals(data, Measure.RESIDENTS)
    assert got["all"] == total and got["hispanic"] == hispanic
    assert "Big Local News" in data.caveats[0]


def test_cleveland_2020_row_is_the_citys_p2_count():
    """Cleveland's 2020 census count is 372,624 (Census 2020; the row's source states it in its text too); the
    non-Hispanic Black count must be below the ACS 2015 Black-alone count of any origin (205,395)."""
    got = totals(read("census_places", PLACES, {"place": "Cleveland city, Ohio", "vintage": 2020}), Measure.RESIDENTS)
    assert got["all"] == 372624 and got["hispanic"] == 48699
    assert got["black"] < 205395


def test_chicago_2010_row_matches_published_shares():
    """Chicago 2010 (Census 2010, as quoted by Wikipedia's "Demographics of Chicago"): 2,695,598 residents,
    Hispanic or Latino 28.9 %, non-Hispanic white 31.7 %, Black alone of any origin 32.9 % (the row's Black is
    non-Hispanic, so below it)."""
    got = totals(read("census_places", PLACES, {"place": "Chicago city, Illinois", "vintage": 2010}), Measure.RESIDENTS)
    assert got["all"] == 2695598
    assert round(100 * got["hispanic"] / got["all"], 1) == 28.9
    assert round(100 * got["white"] / got["all"], 1) == 31.7
    assert got["black"] / got["all"] < 0.329


def test_newark_2010_white_is_non_hispanic():
    """Census QuickFacts 2010: White persons not Hispanic, 11.6 % of Newark; White alone of any origin was
    26.3 %. The row's White must be the first (32,122 / 277,140 = 11.59 %)."""
    got = totals(
        read("census_places", PLACES, {"place": "Newark city, New Jersey", "vintage": 2010}), Measure.RESIDENTS
    )
    assert round(100 * got["white"] / got["all"], 1) == 11.6


def test_a_place_row_that_does_not_add_up_is_refused(tmp_path):
    text = PLACES.read_text().replace(",1304379,", ",1304380,")
    bad = tmp_path / "places.csv"
    bad.write_text(text)
    with pytest.raises(SourceError, match=r"places\.csv.*sum to 1,304,379, not to the total 1,304,380"):
        read("census_places", bad, {"place": "Dallas city, Texas", "vintage": 2020})


def test_a_missing_place_names_what_the_file_has():
    with pytest.raises(SourceError, match="0 rows for place 'Dallas, Texas'"):
        read("census_places", PLACES, {"place": "Dallas, Texas", "vintage": 2020})


def test_demo_reports_still_on_overlapping_resident_counts():
    """Regression snapshot of the demo cities whose only bundled resident table overlaps race with Hispanic
    origin (kind `census_race`). Issue 8 wants at most one; each of these needs a cited B03002/P2 table in
    data/census/ (see its SOURCE.md for the leads tried). Shrink this set as tables are added."""
    import yaml

    on_overlap = {
        path.stem
        for path in (DATA.parent / "params").glob("*.yaml")
        if not path.name.startswith("_")
        and any(s["kind"] == "census_race" for s in yaml.safe_load(path.read_text())["sources"])
    }
    assert on_overlap == {"detroit"}


def test_margins_reach_the_notes_of_philadelphias_per_resident_estimates():
    """The demo report: every per-resident homicide ratio notes its residents' ACS margins; none is flagged as
    overlapping (B03002 counts Hispanic residents once)."""
    from trustreport.params import load_params
    from trustreport.report import build
    from trustreport.sources.census_b03002 import MARGIN_PREFIX
    from trustreport.vocab import Flag

    report = build(load_params(DATA.parent / "params" / "philadelphia.yaml"))
    ratios = report.estimates.where(statistic="rate_ratio", measure=Measure.HOMICIDE_VICTIMS)
    assert ratios
    for e in ratios:
        assert any(n.startswith(MARGIN_PREFIX) and "white ±559" in n for n in e.notes), e.id
        assert Flag.OVERLAPPING_CATEGORIES not in e.flags
