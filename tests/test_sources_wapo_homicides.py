"""Washington Post homicides adapter on the bundled file. Golden values: docs/checkable-numbers.md item s 1
and 2 (The Washington Post, "Where killings go unsolved", 2018-06-06: 49 % of 52,179 homicides closed by arrest;
Chicago 5,534 homicides 2007–2017, 26 % with an arrest) and the Baltimore figure in data/wapo-homicides/SOURCE.md
(2,827 homicides, 64.6 % unsolved), plus an independent pandas recount by race, year and disposition."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sources_helpers import DATA, read, string_cells, totals

from trustreport.errors import SourceError
from trustreport.sources.wapo_homicides import CLOSED_BY_ARREST, LICENCE_CAVEAT, read_table
from trustreport.vocab import Measure

FILE = DATA / "wapo-homicides" / "homicide-data.csv.gz"
RACES = {
    "Black": "black",
    "Hispanic": "hispanic",
    "White": "white",
    "Asian": "asian/pacific islander",
    "Other": "other",
    "Unknown": "unknown",
}
HEADER = "uid,reported_date,victim_last,victim_first,victim_race,victim_age,victim_sex,city,state,lat,lon,disposition"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The whole bundled file read independently of the adapter (Latin-1, every column as text)."""
    return pd.read_csv(FILE, encoding="latin-1", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def chicago():
    return read("wapo_homicides", FILE, {"city": "Chicago", "state": "IL"}, source_id="wapo-chicago")


@pytest.fixture(scope="module")
def baltimore():
    return read("wapo_homicides", FILE, {"city": "Baltimore", "state": "MD"}, source_id="wapo-baltimore")


def _write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "homicides.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="latin-1")
    return path


ROW = "Chi-1,20150105,DOE,JOHN,Black,30,Male,Chicago,IL,41.8,-87.6,Closed by arrest"


def test_overall_arrest_rate_is_49_percent():
    """Item 1: 25,674 of 52,179 closed by arrest = 0.4920, WaPo's "49 percent"."""
    table = read_table(FILE)
    cleared = int((table["disposition"] == CLOSED_BY_ARREST).sum())
    assert (len(table), cleared) == (52179, 25674)
    assert round(cleared / len(table), 4) == 0.4920 and round(100 * cleared / len(table)) == 49
    assert table["disposition"].value_counts().to_dict() == {
        "Closed by arrest": 25674,
        "Open/No arrest": 23583,
        "Closed without arrest": 2922,
    }


def test_chicago_2007_2017_homicides_and_arrest_rate(chicago):
    """Item 2: the Post published 5,534 homicides and 26 % with an arrest; the file has 5,535 and 26.4 %."""
    victims = totals(chicago, Measure.HOMICIDE_VICTIMS)["all"]
    cleared = totals(chicago, Measure.HOMICIDES_CLEARED)["all"]
    assert abs(victims - 5534) <= 1
    assert round(100 * cleared / victims) == 26 and round(cleared / victims, 3) == 0.264
    cov = {c.measure: (c.start, c.end) for c in chicago.coverage}
    assert cov[Measure.HOMICIDE_VICTIMS] == (date(2007, 1, 1), date(2017, 12, 29))


def test_baltimore_matches_the_published_unsolved_share(baltimore):
    victims = totals(baltimore, Measure.HOMICIDE_VICTIMS)["all"]
    cleared = totals(baltimore, Measure.HOMICIDES_CLEARED)["all"]
    assert victims == 2827 and round(1 - cleared / victims, 3) == 0.646


def test_baltimore_by_race_year_and_disposition_match_an_independent_count(baltimore, raw):
    rows = raw[(raw["city"] == "Baltimore") & (raw["state"] == "MD")].assign(
        group=lambda f: f["victim_race"].map(RACES), year=lambda f: f["reported_date"].str[:4].astype(int)
    )
    arrested = rows[rows["disposition"] == "Closed by arrest"]
    expected_victims = rows["group"].value_counts().to_dict() | {"all": len(rows)}
    expected_cleared = arrested["group"].value_counts().to_dict() | {"all": len(arrested)}
    assert totals(baltimore, Measure.HOMICIDE_VICTIMS) == expected_victims
    assert totals(baltimore, Measure.HOMICIDES_CLEARED) == expected_cleared

    counts = baltimore.counts
    black = counts[(counts["measure"] == "homicide_victims") & (counts["group"] == "black")]
    per_year = black.groupby(black["period_start"].dt.year)["value"].sum().astype(int).to_dict()
    assert per_year == rows[rows["group"] == "black"]["year"].value_counts().sort_index().to_dict()
    assert (counts["period_start"] == counts["period_end"]).all()

    table = baltimore.extras["dispositions"]
    every = table[table["group"] == "all"]
    assert every["closed_without_arrest"].sum() == (rows["disposition"] == "Closed without arrest").sum()
    assert every["open_no_arrest"].sum() == (rows["disposition"] == "Open/No arrest").sum()


def test_no_victim_name_reaches_counts_extras_or_caveats(tmp_path):
    """A file that still carries the Post's victim-name columns (as the original does): the adapter never reads them."""
    rows = [ROW, ROW.replace("Chi-1", "Chi-2").replace("DOE,JOHN", "ROE,RICHARDINA")]
    data = read("wapo_homicides", _write(tmp_path, rows), {"city": "Chicago", "state": "IL"})
    cells = string_cells(data)
    assert totals(data, Measure.HOMICIDE_VICTIMS) == {"all": 2, "black": 2}
    assert not {"DOE", "JOHN", "ROE", "RICHARDINA", "JOHN DOE"} & cells
    assert not any(n in text for text in cells for n in ("DOE", "RICHARDINA"))


def test_bundled_copy_has_no_victim_names():
    """The bundled copy keeps only the columns the project reads (data/wapo-homicides/SOURCE.md)."""
    with gzip.open(FILE, "rt", encoding="latin-1") as fh:
        header = fh.readline().strip().split(",")
    assert "victim_last" not in header and "victim_first" not in header
    assert {"uid", "reported_date", "victim_race", "city", "state", "disposition"} <= set(header)


def test_caveats_licence_exceptional_clearance_and_censoring(chicago):
    assert LICENCE_CAVEAT in chicago.caveats and "CC BY-NC-SA 4.0" in LICENCE_CAVEAT
    exceptional = next(c for c in chicago.caveats if c.startswith("'Closed without arrest'"))
    assert "387 of 5,535" in exceptional
    assert any("biased down" in c for c in chicago.caveats)
    recoded = next(d for d in chicago.dropped if d.step == "recode victim_race Unknown")
    assert recoded.reason.startswith("7 victims")


def test_malformed_dates_are_dropped_and_recorded():
    miami = read("wapo_homicides", FILE, {"city": "Miami", "state": "FL"})
    step = next(d for d in miami.dropped if d.step == "drop rows with a malformed reported_date")
    assert (step.rows_in, step.rows_out) == (744, 742)
    assert "'201511105' (Mia-000652)" in step.reason and "'201511018' (Mia-000649)" in step.reason
    assert totals(miami, Measure.HOMICIDE_VICTIMS)["all"] == 742


def test_miscoded_state_row_is_left_out_with_a_caveat():
    tulsa = read("wapo_homicides", FILE, {"city": "Tulsa", "state": "OK"})
    assert totals(tulsa, Measure.HOMICIDE_VICTIMS)["all"] == 583
    assert any("carry state 'AL'" in c for c in tulsa.caveats)


def test_sparse_years_get_a_caveat_and_coverage_options_drop_them():
    plain = read("wapo_homicides", FILE, {"city": "New Orleans", "state": "LA"})
    assert any("2008 (2), 2009 (2)" in c for c in plain.caveats)
    cut = read("wapo_homicides", FILE, {"city": "New Orleans", "state": "LA", "coverage_start": "2010-01-01"})
    step = next(d for d in cut.dropped if d.step == "drop rows outside coverage")
    assert (step.rows_in, step.rows_out) == (1434, 1430) and "2008: 2, 2009: 2" in step.reason
    assert cut.coverage[0].start == date(2010, 1, 1)
    assert not any("far fewer" in c for c in cut.caveats)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"city": "Chicgo", "state": "IL"}, "did you mean 'Chicago'"),
        ({"city": "Milwaukee", "state": "WI"}, "the file spells it 'wI'"),
        ({"city": "Chicago"}, "option `state`: Field required"),
        ({"city": "Chicago", "state": "IL", "agency": "x"}, "option `agency`: unknown key"),
        ({"city": "Chicago", "state": "IL", "coverage_start": "2012-01-01", "coverage_end": "2011-01-01"}, "before"),
    ],
)
def test_bad_options_name_the_option(options, message):
    with pytest.raises(SourceError, match=message):
        read("wapo_homicides", FILE, options)


def test_missing_column_names_the_file_and_column(tmp_path):
    path = _write(tmp_path, [ROW.replace(",Closed by arrest", "")], header=HEADER.replace(",disposition", ""))
    with pytest.raises(SourceError, match=r"homicides.csv: column `disposition`: missing column"):
        read("wapo_homicides", path, {"city": "Chicago", "state": "IL"})


@pytest.mark.parametrize(
    ("bad", "column"),
    [(ROW.replace("Black", "Purple"), "victim_race"), (ROW.replace("Closed by arrest", "Solved"), "disposition")],
)
def test_unknown_label_names_its_line(tmp_path, bad, column):
    path = _write(tmp_path, [ROW, bad.replace("Chi-1", "Chi-2")])
    with pytest.raises(SourceError, match=rf"row 3, column `{column}`: unrecognised value"):
        read("wapo_homicides", path, {"city": "Chicago", "state": "IL"})


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="file not found"):
        read("wapo_homicides", tmp_path / "none.csv", {"city": "Chicago", "state": "IL"})


def test_latin1_names_and_blank_race_are_read(tmp_path):
    rows = [ROW, ROW.replace("Chi-1", "Chi-2").replace("DOE", "PEÑA").replace("Black", "")]
    data = read("wapo_homicides", _write(tmp_path, rows), {"city": "Chicago", "state": "IL"})
    assert totals(data, Measure.HOMICIDE_VICTIMS) == {"all": 2, "black": 1, "unknown": 1}
    assert "PEÑA" not in string_cells(data)


def test_a_city_without_any_victim_race_says_so():
    dallas = read("wapo_homicides", FILE, {"city": "Dallas", "state": "TX"})
    assert set(totals(dallas, Measure.HOMICIDE_VICTIMS)) == {"all", "unknown"}
    assert any(c.startswith("The file records no victim race for Dallas (all 1,567") for c in dallas.caveats)
