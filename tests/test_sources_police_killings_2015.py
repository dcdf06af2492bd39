"""Guardian "The Counted" 2015 adapter on FiveThirtyEight's `police_killings.csv` (golden value: 467 rows, as
the project's staging notes for fivethirtyeight/data `police-killings/` state; race and cause tallies recounted
independently with pandas), plus one fixture per failure mode."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, GROUPS, read, string_cells, totals

from trustreport.errors import SourceError
from trustreport.sources.police_killings_2015 import guardian_group
from trustreport.vocab import Group, Measure

FILE = DATA / "fivethirtyeight-police-killings" / "police_killings.csv.gz"
KIND = "police_killings_2015"
RACES = {
    "White": "white",
    "Black": "black",
    "Hispanic/Latino": "hispanic",
    "Asian/Pacific Islander": "asian/pacific islander",
    "Native American": "other",
    "Unknown": "unknown",
}


@pytest.fixture(scope="module")
def national():
    return read(KIND, FILE, {"national": True}, source_id="guardian-2015")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(FILE, dtype=str, keep_default_na=False, encoding="latin-1")


def test_row_count_and_race_tallies(national, raw):
    counted = totals(national, Measure.POLICE_KILLINGS)
    assert counted["all"] == len(raw) == 467
    expected = raw["raceethnicity"].map(RACES).value_counts().to_dict()
    assert {g: v for g, v in counted.items() if g != "all"} == expected
    assert set(national.counts["group"]) <= GROUPS


def test_by_cause_keeps_every_killing_and_the_gunshots(national, raw):
    by_cause = national.extras["by_cause"]
    assert by_cause["police_killings"].sum() == 467
    gunshots = by_cause.loc[by_cause["cause"] == "Gunshot", "police_killings"].sum()
    assert gunshots == (raw["cause"] == "Gunshot").sum() == 411


def test_coverage_and_daily_rows(national):
    (cov,) = national.coverage
    assert (cov.start, cov.end) == (date(2015, 1, 1), date(2015, 6, 1))
    assert (national.counts["period_start"] == national.counts["period_end"]).all()


def test_los_angeles_matches_an_independent_count(raw):
    data = read(KIND, FILE, {"city": "Los Angeles", "state": "CA"})
    la = raw[(raw["city"] == "Los Angeles") & (raw["state"] == "CA")]
    counted = totals(data, Measure.POLICE_KILLINGS)
    assert counted["all"] == len(la) == 9
    assert {g: v for g, v in counted.items() if g != "all"} == la["raceethnicity"].map(RACES).value_counts().to_dict()


def test_a_city_without_rows_is_zero_with_a_caveat_not_an_error():
    data = read(KIND, FILE, {"city": "Newark", "state": "NJ"})
    assert data.counts.empty
    assert any("no killing in Newark, NJ" in c for c in data.caveats)
    assert len(data.coverage) == 1


def test_a_misspelt_city_is_flagged_with_the_close_name():
    data = read(KIND, FILE, {"city": "Los Angelas", "state": "CA"})
    assert any("close to it: Los Angeles" in c for c in data.caveats)


def test_emit_counts_false_keeps_only_the_extras():
    data = read(KIND, FILE, {"city": "Los Angeles", "state": "CA", "emit_counts": False})
    assert data.counts.empty and not data.coverage
    assert data.extras["by_cause"]["police_killings"].sum() == 9


def test_caveat_says_all_killings_not_only_shootings(national):
    assert any("not only shootings" in c for c in national.caveats)


def test_no_name_or_address_reaches_any_output(tmp_path):
    """A file that still has the Guardian's `name` and `streetaddress` columns (as the original does; the bundled copy
    dropped them): neither is read. The names here are invented."""
    header = HEADER + ",streetaddress"
    rows = ["Zebulon Quixote,White,January,1,2015,Town,NJ,Gunshot,12 Wrenfeather Lane"]
    data = read(KIND, _fixture(tmp_path, rows, header=header), {"state": "NJ"})
    cells = string_cells(data)
    assert totals(data, Measure.POLICE_KILLINGS)["all"] == 1
    assert not any(w in c for c in cells for w in ("Zebulon", "Quixote", "Wrenfeather"))


@pytest.mark.parametrize(
    ("label", "group"),
    [("White", Group.WHITE), ("Hispanic/Latino", Group.HISPANIC), ("Native American", Group.OTHER), ("X", None)],
)
def test_race_values(label, group):
    assert guardian_group(label) == group


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "national: true"),
        ({"city": "Newark"}, "give `city` and `state`"),
        ({"national": True, "state": "NJ"}, "selects every row"),
        ({"state": "ZZ"}, "option `state` = 'ZZ' matches no row"),
        ({"agency": "x", "state": "NJ"}, "unknown key"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(SourceError) as err:
        read(KIND, FILE, options)
    assert message in str(err.value)


HEADER = "name,raceethnicity,month,day,year,city,state,cause"


def _fixture(tmp_path, rows: list[str], header: str = HEADER):
    path = tmp_path / "killings.csv"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode("latin-1"))
    return path


def test_missing_column(tmp_path):
    path = _fixture(tmp_path, ["A,White,January,1,2015,Town,NJ,Gunshot"], header=HEADER.replace("cause", "how"))
    with pytest.raises(SourceError, match="cause") as err:
        read(KIND, path, {"state": "NJ"})
    assert str(path) in str(err.value)


def test_bad_date_names_the_row(tmp_path):
    path = _fixture(tmp_path, ["A,White,January,1,2015,Town,NJ,Gunshot", "B,Black,Janvier,2,2015,Town,NJ,Taser"])
    with pytest.raises(SourceError, match=r"row 3: expected a date .* got '2015 Janvier 2'"):
        read(KIND, path, {"state": "NJ"})


def test_unknown_race_names_the_row(tmp_path):
    path = _fixture(tmp_path, ["A,White,January,1,2015,Town,NJ,Gunshot", "B,Martian,May,2,2015,Town,NJ,Taser"])
    with pytest.raises(SourceError, match=r"row 3, column `raceethnicity`: unrecognised value 'Martian'"):
        read(KIND, path, {"state": "NJ"})


def test_latin1_bytes_do_not_break_reading(tmp_path):
    path = _fixture(tmp_path, ["Jos\xe9,Hispanic/Latino,March,3,2015,Ca\xf1on City,CO,Gunshot"])
    data = read(KIND, path, {"city": "Ca\xf1on City", "state": "CO"})
    assert totals(data, Measure.POLICE_KILLINGS) == {"all": 1, "hispanic": 1}
