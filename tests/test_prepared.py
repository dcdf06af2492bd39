"""The series the charts draw, prepared by `metrics.prepared` (issue 12: presentation computes nothing), on the
bundled Dallas 2016 use-of-force file: monthly totals must add up to the counts table's daily rows."""

from __future__ import annotations

import pandas as pd
import pytest
from sources_helpers import DATA, read

from trustreport.metrics.prepared import Prepared, monthly_counts, monthly_force
from trustreport.vocab import Group, Measure

FILE = DATA / "dallas-use-of-force-2016" / "37-00049_UOF-P_2016_prepped_subset.csv.gz"
SHOWN = [Group.BLACK, Group.HISPANIC, Group.WHITE]


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read("dallas_use_of_force", FILE, source_id="dallas-uof").counts


def _daily_total(counts: pd.DataFrame, measure: Measure, group: Group) -> float:
    c = counts
    rows = c[(c["measure"] == str(measure)) & (c["group"] == str(group)) & (c["period_start"] == c["period_end"])]
    return float(rows["value"].sum())


def test_monthly_force_has_twelve_months_and_adds_up(counts):
    monthly = monthly_force(counts, SHOWN)
    assert list(monthly.index) == list(pd.date_range("2016-01-01", "2016-12-01", freq="MS"))
    assert set(monthly.columns) <= {str(g) for g in SHOWN}
    for group in SHOWN:
        assert monthly[str(group)].sum() == _daily_total(counts, Measure.FORCE_INCIDENTS, group)


def test_monthly_counts_per_measure_add_up_and_keep_only_shown_groups(counts):
    monthly = monthly_counts(counts, [Group.BLACK])
    assert Measure.FORCE_INCIDENTS in monthly
    for measure, frame in monthly.items():
        assert set(frame["group"]) <= {str(Group.BLACK)}
        assert frame["value"].sum() == _daily_total(counts, measure, Group.BLACK)


def test_nothing_prepared_draws_nothing():
    empty = Prepared()
    assert not empty.hit_rates and not empty.darkness and empty.darkness_group is None
    assert empty.homicides_annual.empty and empty.force_monthly.empty and not empty.monthly
