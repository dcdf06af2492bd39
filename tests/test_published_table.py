"""The published-figures appendix in words: Newark's hand-entered rows (data/published/newark.csv) as a reader
reads them, not as the CSV stores them ('1400000.000' under `settlement_usd`, issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustreport import build
from trustreport.tables.overview import published, published_frame

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def newark():
    return build(ROOT / "params" / "newark.yaml")


def test_published_figures_are_words_not_csv_values(newark) -> None:
    frame = published_frame(newark)
    assert list(frame.columns) == ["what", "group", "from", "to", "figure", "derived", "source", "link", "note"]
    rows = {(r["what"], r["group"], r["from"]): r for r in frame.to_dict(orient="records")}
    # The op-ed's "$1.4 million in settlements, 2010-2014", entered as 1400000 with qualifier 'about'.
    settled = rows["settlement dollars", "all", "2010-01-01"]
    assert (settled["to"], settled["figure"], settled["derived"]) == ("2014-12-31", "about $1.4 million", "")
    assert rows["lawsuits", "all", "2010-01-01"]["figure"] == "48"
    assert rows["settlement dollars", "all", "2015-01-01"]["figure"] == "$51,000"
    assert rows["stops", "all", "2013-07-01"]["figure"] == "91 per 1,000 residents"
    assert rows["stops", "Black", "2013-07-01"]["figure"] == "about 75%"
    assert rows["homicide victims", "all", "2019-01-01"]["derived"] == "yes"


def test_published_table_has_no_code_names(newark) -> None:
    shown = published(newark).data
    for code in ("settlement_usd", "period_start", "rate_per_1000", "1400000", ".000<"):
        assert code not in shown
