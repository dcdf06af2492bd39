"""Every `extras` table an adapter hands on has a declared schema (`EXTRAS` in its module), checked where the
table is produced (`read_source`): a table that is undeclared or lacks a declared column is refused by name."""

from __future__ import annotations

from importlib import import_module

import pytest
from sources_helpers import DATA, read

from trustreport.errors import SchemaError
from trustreport.sources import ADAPTERS
from trustreport.sources.extras import ExtrasTable, check_extras

SETTLEMENTS = DATA / "fivethirtyeight-police-settlements" / "cleveland_oh" / "cleveland_edited.csv.gz"
OPTIONS = {"date_column": "calendar_year", "case_key": "docket_number"}  # as params/cleveland.yaml reads it


def _module(kind: str):
    return import_module(ADAPTERS[kind].split(":")[0])


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_declared_tables_have_known_kinds_and_a_meaning(kind):
    for table in getattr(_module(kind), "EXTRAS", ()):
        assert isinstance(table, ExtrasTable) and table.columns and table.doc, (kind, table.name)


def test_a_real_read_passes_its_declared_schema():
    data = read(
        "fivethirtyeight_settlements", SETTLEMENTS, {"date_column": "calendar_year", "case_key": "docket_number"}
    )
    assert set(data.extras) == {t.name for t in _module("fivethirtyeight_settlements").EXTRAS}


def test_a_table_missing_a_declared_column_is_named():
    data = read(
        "fivethirtyeight_settlements", SETTLEMENTS, {"date_column": "calendar_year", "case_key": "docket_number"}
    )
    broken = {"payments": data.extras["payments"].drop(columns="amount_usd")}
    with pytest.raises(SchemaError) as err:
        check_extras(SETTLEMENTS, broken, _module("fivethirtyeight_settlements").EXTRAS)
    assert err.value.column == "amount_usd" and "payments" in str(err.value) and "cleveland" in str(err.value)


def test_an_undeclared_table_is_refused():
    data = read(
        "fivethirtyeight_settlements", SETTLEMENTS, {"date_column": "calendar_year", "case_key": "docket_number"}
    )
    with pytest.raises(SchemaError, match="not declared"):
        check_extras(SETTLEMENTS, {**data.extras, "plaintiffs": data.extras["payments"]}, ())


def test_a_column_of_the_wrong_kind_is_refused():
    data = read(
        "fivethirtyeight_settlements", SETTLEMENTS, {"date_column": "calendar_year", "case_key": "docket_number"}
    )
    payments = data.extras["payments"].assign(amount_usd=lambda f: f["amount_usd"].map("${:,.0f}".format))
    with pytest.raises(SchemaError, match="expected number") as err:
        check_extras(SETTLEMENTS, {"payments": payments}, _module("fivethirtyeight_settlements").EXTRAS)
    assert err.value.column == "amount_usd"


def test_an_optional_table_may_be_absent_but_not_malformed():
    declared = _module("opp_stops").EXTRAS
    stop_mode = next(t for t in declared if t.name == "stop_mode")
    import pandas as pd

    check_extras(DATA, {"stop_mode": pd.DataFrame({"type": ["vehicular"], "stops": [3]})}, declared)
    assert stop_mode.required
    with pytest.raises(SchemaError):
        check_extras(DATA, {"stop_mode": pd.DataFrame({"type": ["vehicular"]})}, declared)
