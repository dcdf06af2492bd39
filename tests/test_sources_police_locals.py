"""FiveThirtyEight police-locals adapter on the bundled file. Golden values: FiveThirtyEight, "Most Police Don't
Live In The Cities They Serve" (Nate Silver, 2014-08-20), as listed in docs/checkable-numbers.md item 3."""

from __future__ import annotations

import gzip
from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, GROUPS, read, totals

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FILE = DATA / "fivethirtyeight-police-locals" / "police-locals.csv.gz"
KIND = "police_locals"


def residency(city: str) -> pd.DataFrame:
    return read(KIND, FILE, {"city": city}).extras["officer_residency"].set_index("column")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(FILE, na_values="**")


def test_new_york_published_shares():
    """NYC: 62% of the force lives in the city; Black 77%, Hispanic 76%, white 45%."""
    shares = residency("New York")["share"]
    assert shares["all"] == pytest.approx(0.618, abs=5e-4)
    assert shares["black"] == pytest.approx(0.771, abs=5e-4)
    assert shares["hispanic"] == pytest.approx(0.763, abs=5e-4)
    assert shares["white"] == pytest.approx(0.446, abs=5e-4)


def test_chicago_detroit_and_miami():
    """Chicago 88%; Detroit Black 57% vs white 8%; Miami 7%, the lowest of the 75 cities."""
    assert residency("Chicago")["share"]["all"] == pytest.approx(0.875, abs=5e-4)
    detroit = residency("Detroit")["share"]
    assert (round(detroit["black"], 3), round(detroit["white"], 3)) == (0.568, 0.082)
    lowest = min((residency(c)["share"]["all"], c) for c in pd.read_csv(FILE)["city"])
    assert lowest[1] == "Miami" and lowest[0] == pytest.approx(0.0726, abs=5e-5)


def test_in_49_of_75_cities_the_majority_commute(raw):
    cities = list(raw["city"])
    assert len(cities) == 75
    commute = [c for c in cities if read(KIND, FILE, {"city": c}).extras["officer_residency"]["share"][0] < 0.5]
    assert len(commute) == 49


def test_newark_counts_are_share_times_force_size(raw):
    data = read(KIND, FILE, {"city": "Newark, N.J."}, source_id="538-locals")
    row = raw.set_index("city").loc["Newark, N.J."]
    got = totals(data, Measure.OFFICERS_LIVING_IN_CITY)
    # all: the file's share × its force size (2,005 × 0.2793 = 560); white: the mixture identity (module doc).
    assert got["all"] == round(row["all"] * row["police_force_size"]) == 560
    white_officers = row["police_force_size"] * (row["non-white"] - row["all"]) / (row["non-white"] - row["white"])
    assert got["white"] == pytest.approx(row["white"] * white_officers, abs=1e-3)
    assert set(got) == {"all", "white"}, "Black and Hispanic figures are shares, not counts"
    counts = data.counts
    assert counts["n"].tolist() == [2005.0, pytest.approx(white_officers, abs=1e-3)]
    assert (counts["period_start"].dt.date.unique().tolist(), counts["period_end"].dt.date.unique().tolist()) == (
        [date(2006, 1, 1)],
        [date(2010, 12, 31)],
    )
    assert set(counts["group"]) <= GROUPS
    assert any("not the department's own roster" in c for c in data.caveats)


def test_derived_white_counts_are_consistent_in_every_city(raw):
    """White + non-white officers make the force, and living white + non-white make the `all` count."""
    for city in raw["city"]:
        table = residency(city)
        assert table.loc["white", "status"] == "count", city
        assert table.loc["white", "officers"] + table.loc["non-white", "officers"] == table.loc["all", "officers"]
        assert table.loc["white", "living"] + table.loc["non-white", "living"] == table.loc["all", "living"]


def test_withheld_and_share_only_groups_are_recorded():
    data = read(KIND, FILE, {"city": "Newark, N.J."})
    table = data.extras["officer_residency"].set_index("column")
    assert table["status"].to_dict() == {
        "all": "count",
        "white": "count",
        "non-white": "count",
        "black": "share only",
        "hispanic": "share only",
        "asian": "withheld",
    }
    steps = {d.step for d in data.dropped}
    assert {"withheld asian", "share only black", "share only hispanic", "derive white count"} <= steps


def test_unknown_city_names_the_option_and_suggests():
    with pytest.raises(SourceError, match=r"option `city` = 'Newark'.*did you mean .*'Newark, N.J.'"):
        read(KIND, FILE, {"city": "Newark"})


def test_missing_option_and_unknown_key_are_refused():
    with pytest.raises(SourceError, match="option `city`"):
        read(KIND, FILE, {})
    with pytest.raises(SourceError, match="option `state`: unknown key"):
        read(KIND, FILE, {"city": "Chicago", "state": "IL"})


def test_missing_column_names_the_file_and_column(tmp_path):
    bad = tmp_path / "locals.csv"
    pd.read_csv(FILE, dtype=str).drop(columns=["non-white"]).to_csv(bad, index=False)
    with pytest.raises(SourceError, match=r"locals\.csv.*non-white"):
        read(KIND, bad, {"city": "Chicago"})


def test_bad_share_names_the_row_and_column(tmp_path):
    bad = tmp_path / "locals.csv.gz"
    frame = pd.read_csv(FILE, dtype=str, keep_default_na=False)
    frame.loc[frame["city"] == "Chicago", "black"] = "lots"
    with gzip.open(bad, "wt") as fh:
        frame.to_csv(fh, index=False)
    with pytest.raises(SourceError, match=r"row 3, column `black`: expected a share"):
        read(KIND, bad, {"city": "Chicago"})


def test_no_person_names_in_any_output():
    """The file has no name columns; the adapter's counts hold only vocabulary values and numbers."""
    data = read(KIND, FILE, {"city": "Newark, N.J."})
    assert set(data.counts["measure"]) == {"officers_living_in_city"}
    assert set(data.counts["source_id"]) == {"test-source"} and set(data.counts["jurisdiction"]) == {"test-city"}
    header = pd.read_csv(FILE, nrows=0).columns.tolist()
    assert header == ["city", "police_force_size", "all", "white", "non-white", "black", "hispanic", "asian"]
