"""`trustreport census`: the query it builds, and a one-line failure without a network (no test uses the network:
the unreachable API below is a closed local port)."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from trustreport.errors import TrustReportError
from trustreport.sources.census_fetch import Place, parse_place, table_query


def test_a_fips_code_is_a_place_without_any_lookup():
    assert parse_place("3451000") == Place("34", "51000")  # Newark city, NJ
    assert parse_place("34-51000") == Place("34", "51000")
    assert parse_place("Newark city, New Jersey") is None


def test_acs_query_asks_for_the_whole_b03002_group_of_one_place():
    url = table_query("acs5", 2017, Place("34", "51000"))
    parts = urlsplit(url)
    assert parts.netloc == "api.census.gov" and parts.path == "/data/2017/acs/acs5"
    assert parse_qs(parts.query) == {"get": ["NAME,group(B03002)"], "for": ["place:51000"], "in": ["state:34"]}


def test_decennial_queries_use_the_redistricting_p2_table():
    assert "group%28P2%29" in table_query("dec", 2020, Place("09", "37000"))
    assert "P002001" in table_query("dec", 2010, Place("09", "37000"))
    with pytest.raises(TrustReportError, match="2010 and 2020, not 2015"):
        table_query("dec", 2015, Place("09", "37000"))


def test_without_a_network_the_command_fails_with_one_line(tmp_path):
    command = ["census", "--place", "3451000", "--vintage", "2017", "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "trustreport", *command, "--api", "http://127.0.0.1:9/data"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("trustreport: cannot reach the Census API (")
    assert done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
