"""Published-aggregates adapter on data/published/newark.csv (figures from the seed's docs/newark-claims.md, cited)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, FIXTURES, read

from trustreport.counts import window_totals
from trustreport.errors import SourceError
from trustreport.vocab import Measure

NEWARK = DATA / "published" / "newark.csv"


@pytest.fixture(scope="module")
def newark():
    return read("published_aggregates", NEWARK, citation="", source_id="newark-published")


def _value(data, measure: str, group: str, start: str, end: str) -> float:
    c = data.counts
    row = c[
        (c["measure"] == measure)
        & (c["group"] == group)
        & (c["period_start"] == pd.Timestamp(start))
        & (c["period_end"] == pd.Timestamp(end))
    ]
    assert len(row) == 1, (measure, group, start, end)
    return row["value"].iloc[0]


@pytest.mark.parametrize(
    ("measure", "group", "start", "end", "value"),
    [
        ("lawsuits", "all", "2010-01-01", "2014-12-31", 48),
        ("settlement_usd", "all", "2010-01-01", "2014-12-31", 1_400_000),
        ("lawsuits", "all", "2015-01-01", "2020-07-13", 18),
        ("settlement_usd", "all", "2015-01-01", "2020-07-13", 51_000),
        ("homicide_victims", "all", "2020-01-01", "2020-07-13", 19),
        ("stops", "all", "2013-01-01", "2013-12-31", 15_500),
        ("stops", "black", "2013-01-01", "2013-12-31", 8_700),
        ("stops", "white", "2013-01-01", "2013-12-31", 2_700),
        ("arrests", "all", "2009-01-01", "2012-06-30", 84_396),
    ],
)
def test_claimed_counts_are_entered(newark, measure, group, start, end, value):
    assert _value(newark, measure, group, start, end) == value


def test_doj_counts_are_derived_from_the_published_shares(newark):
    cited = newark.extras["citations"]
    shares = cited[(cited["measure"] == "arrests") & (cited["statistic"] == "share")].set_index("group")["value"]
    total = _value(newark, "arrests", "all", "2009-01-01", "2012-06-30")
    for group in ("black", "white"):
        derived = _value(newark, "arrests", group, "2009-01-01", "2012-06-30")
        assert derived == round(shares[group] * total)
    assert (shares["black"], shares["white"]) == (0.793, 0.066)


def test_every_row_is_cited_and_qualified(newark):
    cited = newark.extras["citations"]
    assert len(cited) == len(pd.read_csv(NEWARK))
    assert cited["citation"].str.len().min() > 20
    bounds = cited[cited["citation"].str.contains("Amsterdam News")]
    assert set(bounds["qualifier"]) == {"at least"}
    derived = cited[cited["qualifier"] == "derived"]
    assert derived["note"].str.len().min() > 20
    since_2014 = cited[(cited["measure"] == "lawsuits") & (cited["period_start"] == "2015-01-01")]
    assert "window assumed" in since_2014["note"].iloc[0]


def test_shares_and_rates_stay_out_of_the_counts(newark):
    cited = newark.extras["citations"]
    assert (cited["statistic"] != "total").sum() == 5
    (step,) = newark.dropped
    assert (step.rows_in, step.rows_out) == (len(cited), len(newark.counts))
    aclu = cited[cited["citation"].str.startswith("ACLU")]
    assert set(aclu["statistic"]) == {"rate_per_1000", "share"}


def test_a_window_containing_the_period_uses_the_total(newark):
    got = window_totals(newark.counts, Measure.LAWSUITS, (date(2010, 1, 1), date(2014, 12, 31)))
    assert got.set_index("group")["value"].to_dict() == {"all": 48}
    assert {c.measure for c in newark.coverage} >= {Measure.LAWSUITS, Measure.SETTLEMENT_USD, Measure.ARRESTS}


def test_missing_citation_names_file_line_and_column():
    with pytest.raises(SourceError) as err:
        read("published_aggregates", FIXTURES / "published_no_citation.csv", citation="")
    assert (err.value.column, err.value.row) == ("citation", 3)
    assert "published_no_citation.csv" in str(err.value)


def test_source_level_citation_fills_empty_cells():
    data = read("published_aggregates", FIXTURES / "published_no_citation.csv", citation="City report, 2020")
    assert list(data.extras["citations"]["citation"]) == ["Some op-ed, 2020", "City report, 2020"]


def test_unknown_measure_names_line_and_column():
    with pytest.raises(SourceError) as err:
        read("published_aggregates", FIXTURES / "published_bad_measure.csv")
    assert (err.value.column, err.value.row) == ("measure", 3) and "'stop_and_chats'" in str(err.value)
