"""HTML-fragment snapshots of report tables (docs/style.md habit 13), on the G15 counts so every cell can be checked.

G15 (docs/methods.md §8): Black stops 400 → 250, white 200 → 180, 50,000 residents of each group in both windows;
the ratio of rate ratios is 0.69444, CI (0.5376, 0.8970). The stored fragments under `tests/snapshots/` are
regression snapshots (what the tables printed when last accepted); the literal asserts beside them are checked
by hand. To update a snapshot after a deliberate change:

    TRUSTREPORT_UPDATE_SNAPSHOTS=1 pytest tests/test_table_snapshots.py

then review `git diff tests/snapshots/` and commit it with the change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import assert_snapshot, counts_table

from trustreport import sections, tables
from trustreport.estimate import EstimateSet
from trustreport.params import Window, load_params
from trustreport.report import Report
from trustreport.vocab import Group

ROOT = Path(__file__).parents[1]
THEN = Window(label="2012", start=date(2012, 1, 1), end=date(2012, 12, 31))
NOW = Window(label="2017", start=date(2017, 1, 1), end=date(2017, 12, 31))


def g15_counts() -> pd.DataFrame:
    """G15 stops, with searches (Black 40 and 25, white 10 and 9) so the funnel has a second stage."""
    rows = []
    for (start, end), black, white, searched in (
        (("2012-01-01", "2012-12-31"), 400, 200, (40, 10)),
        (("2017-01-01", "2017-12-31"), 250, 180, (25, 9)),
    ):
        rows += [
            (start, end, "stops", "black", black, "stops"),
            (start, end, "stops", "white", white, "stops"),
            (start, end, "searches", "black", searched[0], "stops"),
            (start, end, "searches", "white", searched[1], "stops"),
            (start, end, "residents", "black", 50_000, "acs"),
            (start, end, "residents", "white", 50_000, "acs"),
        ]
    return counts_table(*rows)


@pytest.fixture(scope="module")
def g15_report() -> Report:
    """Hartford's params with G15's windows and two groups; estimates from the report's own sections."""
    loaded = load_params(ROOT / "params" / "hartford.yaml")
    update = {"then": THEN, "now": NOW, "groups": [Group.BLACK, Group.WHITE], "reference_group": Group.WHITE}
    loaded = loaded.model_copy(update={"params": loaded.params.model_copy(update=update)})
    ctx = sections.SectionContext(params=loaded.params, counts=g15_counts())
    found = [e for section in (sections.disparities, sections.changes, sections.funnels) for e in section(ctx)]
    return Report(loaded, (), ctx.counts, pd.DataFrame(), EstimateSet(tuple(sections.unique_ids(found))))


def test_disparity_table_snapshot(g15_report):
    """Regression snapshot `disparities_g15`: the stops and searches tables of sections 4–5."""
    page = tables.disparities(g15_report).data
    # Rates per 1,000 residents a year: 400/50,000 = 8.0 then, 250/50,000 = 5.0 now; ratios 2.00 and 1.39.
    assert "<td>8.0" in page and "<td>5.0" in page and "<td>2.00" in page and "<td>1.39" in page
    # G15: the ratio of rate ratios 0.69 (0.54–0.90).
    assert "0.69 (0.54–0.90)" in page
    assert_snapshot(page, "disparities_g15")


def test_funnel_table_snapshot(g15_report):
    """Regression snapshot `funnel_g15`: the stage funnel, then and now."""
    page = tables.funnel(g15_report).data
    # Searches given stops, then: 40/400 = 10.0 % vs 10/200 = 5.0 %, a stage ratio of 2.00.
    assert "10.0%" in page and "5.0%" in page
    assert_snapshot(page, "funnel_g15")
