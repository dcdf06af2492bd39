"""The `openpolicedata` adapter on tables in OpenPoliceData's standardised shape, made with the package's own
`standardize()` from raw files bundled here (tests/data/openpolicedata/SOURCE.md): each must give the counts the
project's own adapter gives for the same rows (OPP stops, Dallas use of force, NJ officer roster)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sources_helpers import DATA, read

from trustreport.errors import SourceError
from trustreport.vocab import Group, Measure

OPD = Path(__file__).parent / "data" / "openpolicedata"
STOPS = OPD / "hartford_traffic_stops_2016-03.csv"
FORCE = OPD / "dallas_use_of_force_2016_first200.csv"
ROSTER = OPD / "paterson_employee_2021.csv"
MARCH = (pd.Timestamp("2016-03-01"), pd.Timestamp("2016-03-31"))


def _march(counts: pd.DataFrame, measure: Measure) -> pd.Series:
    rows = counts[(counts["measure"] == str(measure)) & counts["period_start"].between(*MARCH)]
    return rows.groupby("group")["value"].sum()


def test_stops_match_the_opp_adapter_on_the_same_rows():
    outcomes = {"searches": "search_conducted", "arrests": "arrest_made", "citations": "citation_issued"}
    opd = read("openpolicedata", STOPS, {"table": "stops", "stop_type": "vehicular", "outcomes": outcomes})
    opp = read("opp_stops", DATA / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz")
    for measure in (Measure.STOPS, Measure.SEARCHES, Measure.ARRESTS, Measure.CITATIONS):
        ours, theirs = _march(opd.counts, measure), _march(opp.counts, measure)
        assert ours.to_dict() == theirs.reindex(ours.index).to_dict(), measure
    assert _march(opd.counts, Measure.STOPS)[str(Group.ALL)] == 438
    assert opd.extras["stop_mode"]["type"].tolist() == ["vehicular"]


def test_use_of_force_subjects_and_incidents():
    data = read("openpolicedata", FORCE, {"table": "use_of_force", "incident_column": "UOFNum"})
    raw = pd.read_csv(FORCE, dtype=str, keep_default_na=False)
    by_group = data.counts[data.counts["measure"] == str(Measure.FORCE_SUBJECTS)].groupby("group")["value"].sum()
    # Dallas's own race labels, counted independently of OPD's: Black, Hispanic, White, …
    raw_counts = raw["RAW_CitRace"].str.strip().value_counts()
    assert by_group[str(Group.BLACK)] == raw_counts["Black"]
    assert by_group[str(Group.HISPANIC)] == raw_counts["Hispanic"]
    assert by_group[str(Group.WHITE)] == raw_counts["White"]
    assert by_group[str(Group.ALL)] == 200
    incidents = data.counts[
        (data.counts["measure"] == str(Measure.FORCE_INCIDENTS)) & (data.counts["group"] == str(Group.ALL))
    ]
    assert incidents["value"].sum() == raw["UOFNum"].str.strip().nunique()
    assert {c.start.isoformat() for c in data.coverage} == {"2016-01-01"}


def test_employee_roster_matches_the_nj_adapter():
    opd = read("openpolicedata", ROSTER, {"table": "employee", "vintage": 2021})
    nj = read(
        "nj_officer_diversity",
        DATA / "nj-officer-diversity-2021" / "2021_NJOAGLEOD_Officer_Information.csv.gz",
        {"agency": "Paterson PD", "vintage": 2021},
    )
    ours = opd.counts.set_index("group")["value"]
    theirs = nj.counts[nj.counts["measure"] == str(Measure.OFFICERS)].set_index("group")["value"]
    assert ours[str(Group.ALL)] == 408
    for group in (Group.BLACK, Group.HISPANIC, Group.WHITE, Group.ASIAN_PI):
        assert ours[str(group)] == theirs[str(group)], group


def test_errors_name_file_and_column(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("DATE,SUBJECT_RACE/ETHNICITY\n2020-01-01,MARTIAN\n", encoding="utf-8")
    with pytest.raises(SourceError, match="unrecognised race label 'MARTIAN'"):
        read("openpolicedata", bad, {"table": "stops"})
    assert (
        read("openpolicedata", bad, {"table": "stops", "race_labels": {"MARTIAN": "other"}}).counts["value"].sum() == 2
    )
    bad.write_text("DATE,SUBJECT_RACE\n2020-01-01,BLACK\n", encoding="utf-8")
    assert any("without ethnicity" in c for c in read("openpolicedata", bad, {"table": "stops"}).caveats)
    with pytest.raises(SourceError, match="vintage"):
        read("openpolicedata", ROSTER, {"table": "employee"})
    with pytest.raises(SourceError, match="table"):
        read("openpolicedata", STOPS, {})
