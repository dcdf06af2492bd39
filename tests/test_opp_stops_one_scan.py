"""The OPP stop adapter reads its file once (a DuckDB table, then queries) and still counts what pandas counts.

Issue 10: a 10M-row stop file used to be decompressed and parsed once per check and per table. The reference
here is the bundled Hartford file read with pandas and grouped the plain way, day by day; the read-once check
counts the bytes this process reads from the disk while the adapter runs.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sources_helpers import DATA, read

from trustreport.vocab import Measure

HARTFORD = DATA / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"


@pytest.fixture(scope="module")
def adapter():
    return read("opp_stops", HARTFORD, {"type": "vehicular"}, source_id="opp-hartford")


@pytest.fixture(scope="module")
def stops() -> pd.DataFrame:
    """Vehicular stops with a date, read with pandas; a missing race or district is "unknown"."""
    raw = pd.read_csv(HARTFORD, dtype=str)
    kept = raw[(raw["type"] == "vehicular") & raw["date"].notna()].copy()
    kept["group"] = kept["subject_race"].fillna("unknown")
    kept["district"] = kept["district"].fillna("unknown")
    kept["searched"] = kept["search_conducted"] == "TRUE"
    kept["hit"] = kept["searched"] & (kept["contraband_found"] == "TRUE")
    return kept


def daily(counts: pd.DataFrame, measure: Measure) -> dict[tuple[str, str], int]:
    rows = counts[(counts["measure"] == str(measure)) & (counts["group"] != "all")]
    return {
        (pd.Timestamp(d).strftime("%Y-%m-%d"), g): int(v)
        for d, g, v in zip(rows["period_start"], rows["group"], rows["value"], strict=True)
    }


def test_no_month_is_left_out_of_stops_or_searches(adapter):
    """So the day-by-day references below need no blank-month rule."""
    gaps = [c for c in adapter.coverage if c.measure in (Measure.STOPS, Measure.SEARCHES)]
    assert len(gaps) == 2 and all(c.note == "first to last stop date in the file" for c in gaps)


@pytest.mark.parametrize(("measure", "flag"), [(Measure.STOPS, None), (Measure.SEARCHES, "searched")])
def test_daily_counts_by_race_equal_a_pandas_group_by(adapter, stops, measure, flag):
    rows = stops if flag is None else stops[stops[flag]]
    expected = rows.groupby(["date", "group"]).size()
    assert daily(adapter.counts, measure) == {(d, g): int(n) for (d, g), n in expected.items()}
    assert sum(expected) > (1000 if flag else 15000)


def test_by_district_equals_a_pandas_group_by(adapter, stops):
    expected = stops.groupby(["date", "district", "group"]).agg(
        stops=("group", "size"), searches=("searched", "sum"), hits=("hit", "sum")
    )
    got = adapter.extras["by_district"].assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
    got = got.set_index(["date", "district", "group"])[["stops", "searches", "hits"]]
    assert got.to_dict("index") == expected.astype("int64").to_dict("index")


def test_search_basis_equals_a_pandas_group_by(adapter, stops):
    searched = stops[stops["searched"]].assign(basis=lambda f: f["search_basis"].fillna("unknown").str.lower())
    expected = searched.groupby(["date", "group", "basis"]).agg(searches=("group", "size"), hits=("hit", "sum"))
    got = adapter.extras["search_basis"].assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d"))
    got = got.set_index(["date", "group", "search_basis"])[["searches", "hits"]]
    assert got.to_dict("index") == expected.astype("int64").to_dict("index")


def _bytes_read() -> int:
    """Bytes this process (every thread, DuckDB's included) has read through system calls (Linux)."""
    with open("/proc/self/io") as fh:
        return int(next(line for line in fh if line.startswith("rchar:")).split()[1])


def test_the_file_is_read_once_not_once_per_query(adapter):
    """The adapter's DuckDB scan, the byte checks beside it and the file hash each read the file once: about 3×
    its size. Reading it again per query (14 queries before issue 10) would be 15× or more."""
    before = _bytes_read()
    read("opp_stops", HARTFORD, {"type": "vehicular"}, source_id="opp-hartford")
    ratio = (_bytes_read() - before) / HARTFORD.stat().st_size
    assert 2.9 < ratio < 4, ratio
