"""The canonical counts table: validation errors name the file, row and column; windows cut exactly."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from trustreport.counts import Coverage, coverage_of, stock_snapshot, validate_counts, window_totals
from trustreport.errors import SchemaError
from trustreport.vocab import Measure


def _frame(**overrides) -> pd.DataFrame:
    base = {
        "jurisdiction": ["x", "x", "x", "x"],
        "period_start": ["2014-01-01", "2014-12-31", "2015-01-01", "2014-06-01"],
        "period_end": ["2014-01-01", "2014-12-31", "2015-01-01", "2014-06-01"],
        "measure": ["stops", "stops", "stops", "stops"],
        "group": ["black", "black", "black", "white"],
        "value": [2, 3, 7, 5],
        "source_id": ["s", "s", "s", "s"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_window_totals_cut_daily_rows_exactly() -> None:
    counts = validate_counts(_frame(), path="f.csv")
    totals = window_totals(counts, Measure.STOPS, (date(2014, 1, 1), date(2014, 12, 31)))
    assert dict(zip(totals["group"], totals["value"], strict=True)) == {"black": 5.0, "white": 5.0}
    assert totals["sources"].tolist() == [("s",), ("s",)]


@pytest.mark.parametrize(
    ("override", "column", "row"),
    [
        ({"value": [1, -2, 3, 4]}, "value", 1),
        ({"value": [1, 2, "many", 4]}, "value", 2),
        ({"value": [1, 2, 3, float("inf")]}, "value", 3),
        ({"group": ["black", "martian", "black", "white"]}, "group", 1),
        ({"measure": ["stops", "stops", "stops", "vibes"]}, "measure", 3),
        ({"period_start": ["2014-01-01", "not a date", "2015-01-01", "2014-06-01"]}, "period_start", 1),
        ({"period_end": ["2013-01-01", "2014-12-31", "2015-01-01", "2014-06-01"]}, "period_end", 0),
    ],
)
def test_bad_rows_name_file_row_and_column(override, column, row) -> None:
    with pytest.raises(SchemaError) as info:
        validate_counts(_frame(**override), path="data/x.csv")
    err = info.value
    assert (err.column, err.row) == (column, row)
    assert str(err).startswith("data/x.csv: ")


def test_missing_column_is_named() -> None:
    with pytest.raises(SchemaError, match="group"):
        validate_counts(_frame().drop(columns="group"), path="data/x.csv")


def test_overlapping_aggregates_are_refused_not_double_counted() -> None:
    counts = validate_counts(
        _frame(
            period_start=["2013-01-01", "2013-07-01", "2015-01-01", "2014-06-01"],
            period_end=["2013-12-31", "2013-12-31", "2015-01-01", "2014-06-01"],
        ),
        path=None,
    )
    with pytest.raises(SchemaError, match="counted twice"):
        window_totals(counts, Measure.STOPS, (date(2013, 1, 1), date(2014, 12, 31)))


def test_stock_snapshot_prefers_overlapping_then_nearest_vintage() -> None:
    counts = validate_counts(
        pd.DataFrame(
            {
                "jurisdiction": "x",
                "period_start": ["2010-01-01", "2015-01-01"],
                "period_end": ["2010-12-31", "2015-12-31"],
                "measure": "residents",
                "group": "black",
                "value": [100, 200],
                "source_id": ["acs2010", "acs2015"],
            }
        ),
        path=None,
    )
    table, vintage = stock_snapshot(counts, Measure.RESIDENTS, (date(2015, 3, 1), date(2016, 2, 1)))
    assert vintage == (date(2015, 1, 1), date(2015, 12, 31)) and table["value"].tolist() == [200.0]
    table, vintage = stock_snapshot(counts, Measure.RESIDENTS, (date(2011, 6, 1), date(2011, 12, 31)))
    assert vintage == (date(2010, 1, 1), date(2010, 12, 31)) and table["value"].tolist() == [100.0]


def test_coverage_share_counts_days_once() -> None:
    cov = [
        Coverage("a", Measure.STOPS, date(2014, 1, 1), date(2014, 6, 30)),
        Coverage("b", Measure.STOPS, date(2014, 6, 1), date(2014, 12, 31)),
        Coverage("c", Measure.SEARCHES, date(2013, 1, 1), date(2015, 12, 31)),
    ]
    assert coverage_of(cov, Measure.STOPS, (date(2014, 1, 1), date(2014, 12, 31))) == 1.0
    assert coverage_of(cov, Measure.STOPS, (date(2013, 1, 1), date(2014, 12, 31))) == pytest.approx(365 / 730)
    assert coverage_of(cov, Measure.ARRESTS, (date(2014, 1, 1), date(2014, 12, 31))) == 0.0
