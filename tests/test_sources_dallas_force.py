"""Dallas use-of-force adapter on the bundled 2016 file: counts checked against an independent pandas recount
(the file's documented structure, data/dallas-use-of-force-2016/SOURCE.md), the second header row, and errors."""

from __future__ import annotations

import gzip
from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, GROUPS, read, totals

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FILE = DATA / "dallas-use-of-force-2016" / "37-00049_UOF-P_2016_prepped_subset.csv.gz"
RACES = {"Black": "black", "Hispanic": "hispanic", "White": "white", "Asian": "asian/pacific islander"}


@pytest.fixture(scope="module")
def dallas():
    return read("dallas_use_of_force", FILE, source_id="dallas-uof")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """The file read the way SOURCE.md says to (skip line 2), independently of the adapter."""
    frame = pd.read_csv(FILE, skiprows=[1], dtype=str)
    frame["group"] = frame["SUBJECT_RACE"].map(RACES).fillna("other")
    frame.loc[frame["SUBJECT_RACE"].isna(), "group"] = "unknown"
    return frame


def test_incidents_by_race_match_a_pandas_recount(dallas, rows):
    expected = rows.drop_duplicates(["UOF_NUMBER", "group"])["group"].value_counts().to_dict()
    expected["all"] = rows["UOF_NUMBER"].nunique()
    assert totals(dallas, Measure.FORCE_INCIDENTS) == expected
    assert expected["all"] == 2328  # SOURCE.md: 2,328 distinct UOF_NUMBERs


def test_people_by_race_and_the_second_header(dallas, rows):
    people = totals(dallas, Measure.FORCE_SUBJECTS)
    assert people["all"] == len(rows) == 2383 and people["black"] == 1333
    steps = {d.step: (d.rows_in, d.rows_out) for d in dallas.dropped}
    assert steps["drop repeated header lines"] == (2384, 2383)


def test_daily_rows_and_coverage(dallas):
    counts = dallas.counts
    assert (counts["period_start"] == counts["period_end"]).all() and set(counts["group"]) <= GROUPS
    assert counts["period_start"].dt.year.eq(2016).all()
    assert {(c.start, c.end) for c in dallas.coverage} == {(date(2016, 1, 1), date(2016, 12, 31))}


def test_severity_and_injury_extras(dallas, rows):
    severity = dallas.extras["force_severity"]
    every = severity[severity["group"] == "all"]
    assert every["incidents"].sum() == 2328 and "firearm discharged" not in set(every["severity"])
    injuries = dallas.extras["force_injuries"].groupby("group")[["incidents", "injured"]].sum()
    injured = rows.assign(y=rows["SUBJECT_INJURY"].str.strip() == "Yes").groupby("UOF_NUMBER")["y"].any()
    assert injuries.loc["all", "injured"] == injured.sum()
    assert set(dallas.extras["force_type_map"]["severity"]) <= {
        "display or threat",
        "control hold",
        "takedown or strike",
        "less-lethal weapon",
    }


def test_bad_date_and_unknown_race_name_file_and_line(tmp_path):
    with gzip.open(FILE, "rt") as fh:
        lines = fh.read().splitlines()
    bad = tmp_path / "bad_date.csv"
    bad.write_text("\n".join([lines[0], lines[1], "2016-09-03" + lines[2][lines[2].index(",") :]]) + "\n")
    with pytest.raises(SourceError) as err:
        read("dallas_use_of_force", bad)
    assert err.value.column == "INCIDENT_DATE" and err.value.row == 3 and "bad_date.csv" in str(err.value)
    race = tmp_path / "bad_race.csv"
    race.write_text("\n".join([lines[0], lines[2].replace(",Black,", ",Martian,", 1)]) + "\n")
    with pytest.raises(SourceError, match="Martian") as err:
        read("dallas_use_of_force", race)
    assert err.value.column == "SUBJECT_RACE"


def test_missing_column_and_unknown_option(tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("INCIDENT_DATE,UOF_NUMBER\n9/3/16,1\n")
    with pytest.raises(SourceError) as err:
        read("dallas_use_of_force", short)
    assert err.value.column == "SUBJECT_ID" and "short.csv" in str(err.value)
    with pytest.raises(SourceError, match="option `agency`"):
        read("dallas_use_of_force", FILE, {"agency": "Dallas PD"})
