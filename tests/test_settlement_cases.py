"""Settlements counted by case, not by payment row (issue 8 item 5): every demo params file whose settlement
file has a docket or case number sets `case_key`, and Cleveland 2010–2014 vs 2016–2019 is counted by docket.

Expected counts are an independent pandas count of distinct dockets on the bundled FiveThirtyEight file (not the
code's output pasted back); the change ratio then follows from the exact conditional Poisson test of
docs/methods.md §2.2 (G14's method) on 51 cases in 5 years vs 37 in 4."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import ROOT

from trustreport.metrics.lawsuits import lawsuits
from trustreport.params import load_params
from trustreport.report import build
from trustreport.sources import read_source
from trustreport.tables.lawsuits import then_now_frame

KIND = "fivethirtyeight_settlements"
THEN = (date(2010, 1, 1), date(2014, 12, 31))
NOW = (date(2016, 1, 1), date(2019, 12, 31))
# Columns FiveThirtyEight's README names as case identifiers: "Case docket number" and "Claim number".
CASE_COLUMNS = ("docket_number", "claim_number")


def settlement_specs() -> list[tuple[str, str, dict, object]]:
    """(params file, source id, options, resolved data path) of every settlement source of the demo params."""
    out = []
    for path in sorted((ROOT / "params").glob("*.yaml")):
        loaded = load_params(path)
        for spec in loaded.params.sources:
            if spec.kind == KIND:
                out.append((path.name, spec.id, dict(spec.options), loaded.source_paths[spec.id]))
    return out


SPECS = settlement_specs()


def test_the_demo_params_have_settlement_sources():
    assert len(SPECS) >= 7


@pytest.mark.parametrize(("name", "sid", "options", "path"), SPECS, ids=[s[0] for s in SPECS])
def test_every_settlement_file_with_a_case_number_is_counted_by_case(name, sid, options, path):
    """A file whose docket or case-number column is filled on 40% of rows or more names it as `case_key` (rows
    without a key stay one case each)."""
    raw = pd.read_csv(path, dtype=str)
    filled = {c: raw[c].notna().mean() for c in CASE_COLUMNS if c in raw.columns}
    usable = [c for c, share in filled.items() if share >= 0.4]
    assert usable, f"{name}: no case column"
    assert options.get("case_key") in usable, f"{name} {sid}: case_key should be one of {usable}"


def test_cleveland_counts_dockets_not_payment_rows():
    ((_, sid, options, path),) = [s for s in SPECS if s[0] == "cleveland.yaml"]
    assert options["case_key"] == "docket_number"
    raw = pd.read_csv(path, dtype=str)
    raw = raw[pd.to_numeric(raw["amount_awarded"], errors="coerce") > 0]
    year = pd.to_numeric(raw["calendar_year"])
    docket = raw["docket_number"].str.strip().str.upper()
    # A docket is counted in the year of its first payment.
    first_year = year.groupby(docket).min()
    then_cases = int(first_year.between(2010, 2014).sum())
    now_cases = int(first_year.between(2016, 2019).sum())
    then_rows, now_rows = int(year.between(2010, 2014).sum()), int(year.between(2016, 2019).sum())
    assert (then_rows, now_rows) == (61, 66)  # issue 8: the payment rows the report used to count
    assert (then_cases, now_cases) == (51, 37)  # issue 8: the distinct dockets
    assert int(docket.value_counts().max()) == 8  # one docket has 8 payments

    data = read_source(
        source_id=sid,
        kind=KIND,
        path=path,
        jurisdiction="cleveland",
        options=options,
        citation="c",
        licence="l",
    )
    found = {e.id: e for e in lawsuits(data.counts, [data], THEN, NOW)}
    assert found["lawsuits.count.all.then"].value == then_cases
    assert found["lawsuits.count.all.now"].value == now_cases
    assert found["lawsuits.payment_count.all.then"].value == then_rows
    assert found["lawsuits.payment_count.all.now"].value == now_rows
    change = found["lawsuits.rate_change_ratio.all.change"]
    # (37 / 4) / (51 / 5) = 0.907; issue 8: "0.91 (0.58–1.41), not 1.35": the direction reverses.
    assert change.value == pytest.approx((37 / 4) / (51 / 5))
    assert change.ci == pytest.approx((0.58, 1.41), abs=0.005)
    assert not change.significant


def test_cleveland_table_shows_payments_beside_cases():
    frame = then_now_frame(build(ROOT / "params" / "cleveland.yaml").estimates).set_index("what")
    row = frame.loc["payments (a case can have several)"]
    assert row.iloc[0] == "61" and row.iloc[1] == "66"
    # Counted cases, not a sample: no interval (issue 9), only flag marks may follow.
    assert [frame.loc["cases"].iloc[i].split(" [")[0] for i in (0, 1)] == ["51", "37"]
