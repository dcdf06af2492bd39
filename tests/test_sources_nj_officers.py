"""NJ officer-diversity adapter on the bundled 2021 roster (golden values: the folder's SOURCE.md
and docs/checkable-numbers.md item 7)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, FIXTURES, GROUPS, read, totals

from trustreport.errors import SourceError
from trustreport.sources._nj import nj_group
from trustreport.vocab import Measure

ROSTER = DATA / "nj-officer-diversity-2021" / "2021_NJOAGLEOD_Officer_Information.csv.gz"


@pytest.fixture(scope="module")
def newark():
    return read("nj_officer_diversity", ROSTER, {"agency": "Newark PD"}, source_id="nj-officers")


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return pd.read_csv(ROSTER, dtype=str, keep_default_na=False)


def test_roster_size_and_no_names(roster):
    assert len(roster) == 30617
    assert list(roster.columns) == ["County", "Agency", "Age", "Race/Ethnicity", "Gender"]


def test_newark_officers_match_published_shares(newark):
    got = totals(newark, Measure.OFFICERS)
    assert got == {"all": 1034, "hispanic": 476, "black": 341, "white": 211, "other": 6}
    shares = {g: round(100 * got[g] / got["all"], 1) for g in ("hispanic", "black", "white")}
    assert shares == {"hispanic": 46.0, "black": 33.0, "white": 20.4}


def test_newark_matches_an_independent_count(newark, roster):
    labels = roster.loc[roster["Agency"] == "Newark PD", "Race/Ethnicity"].str.strip().str.lower()
    expected = labels.replace({"black or african american": "black"}).value_counts().to_dict()
    got = totals(newark, Measure.OFFICERS)
    assert {g: v for g, v in got.items() if g != "all"} == expected


def test_messy_labels_are_normalised_and_recorded():
    data = read("nj_officer_diversity", ROSTER, {"agency": "Jersey City PD"})
    got = totals(data, Measure.OFFICERS)
    assert set(got) <= GROUPS and got["all"] == sum(v for g, v in got.items() if g != "all")
    reasons = {d.step: d.reason for d in data.dropped}
    upper = "recode Race/Ethnicity 'NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER'"
    assert "spelling variant" in reasons[upper] and "asian/pacific islander" in reasons[upper]
    assert "counted as other" in reasons["recode Race/Ethnicity 'OTHER'"]


def test_every_label_in_the_roster_maps_to_a_group(roster):
    labels = roster["Race/Ethnicity"].replace("", None).drop_duplicates()
    assert all(nj_group(label) is not None for label in labels), list(labels)


def test_not_provided_is_counted_as_unknown(roster):
    agencies = roster["Agency"].str.strip().unique()
    assert len(agencies) > 500
    not_provided = roster.loc[roster["Race/Ethnicity"] == "Not provided", "Agency"].iloc[0]
    data = read("nj_officer_diversity", ROSTER, {"agency": not_provided.strip()})
    assert totals(data, Measure.OFFICERS).get("unknown", 0) > 0
    assert any("counted as unknown" in d.reason for d in data.dropped)


def test_snapshot_period_and_coverage(newark):
    assert set(newark.counts["period_start"]) == {pd.Timestamp("2021-01-01")}
    assert set(newark.counts["period_end"]) == {pd.Timestamp("2021-12-31")}
    (cov,) = newark.coverage
    assert (cov.measure, cov.start, cov.end) == (Measure.OFFICERS, date(2021, 1, 1), date(2021, 12, 31))
    assert newark.dropped[0].step == "filter Agency" and newark.dropped[0].rows_out == 1034


def test_bad_header_names_file_and_column():
    with pytest.raises(SourceError) as err:
        read("nj_officer_diversity", FIXTURES / "officers_bad_header.csv", {"agency": "Newark PD"})
    assert err.value.column == "Race/Ethnicity" and "officers_bad_header.csv" in str(err.value)


def test_unknown_label_names_value_and_line():
    with pytest.raises(SourceError) as err:
        read("nj_officer_diversity", FIXTURES / "officers_unknown_label.csv", {"agency": "Newark PD"})
    assert (err.value.column, err.value.row) == ("Race/Ethnicity", 4) and "'Martian'" in str(err.value)


def test_unknown_agency_gets_a_suggestion():
    with pytest.raises(SourceError) as err:
        read("nj_officer_diversity", ROSTER, {"agency": "Newark Police"})
    assert "`agency` = 'Newark Police'" in str(err.value) and "'Newark PD'" in str(err.value)
