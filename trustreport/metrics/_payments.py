"""The settlement files' payments, as every lawsuit metric reads them: stacked across sources, deflated to
constant dollars by the CPI-U of the year paid (docs/methods.md §6), grouped into cases, and the estimate shell the
lawsuit
metrics share."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trustreport.estimate import Estimate
from trustreport.metrics.inputs import merge_sources
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic
from trustreport.stats.dollars import to_constant_dollars
from trustreport.vocab import DateSpan, Group, Measure, Period


def payments_of(sources: Sequence[SourceData]) -> pd.DataFrame:
    """The `payments` extras of every source, with a source_id column and `case` unique across sources."""
    frames = [s.extras["payments"].assign(source_id=s.info.id) for s in sources if "payments" in s.extras]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out.assign(case=out["source_id"] + ":" + out["case_id"].astype(str))


def constant_dollars(payments: pd.DataFrame, base_year: int) -> pd.Series:
    """Each payment in base-year dollars, deflated by the CPI-U of its own year paid (docs/methods.md §6)."""
    factor = {y: to_constant_dollars(1.0, int(y), base_year=base_year) for y in payments["paid_year"].unique()}
    return payments["amount_usd"] * payments["paid_year"].map(factor)


def cases_of(payments: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """One row per case: its first payment's period, closed and incident dates, and its payments summed in
    constant dollars."""
    pay = payments.assign(constant=constant_dollars(payments, base_year)).sort_values(["period_start", "case"])
    grouped = pay.groupby("case", sort=True)
    return pd.DataFrame(
        {
            "period_start": grouped["period_start"].first(),
            "period_end": grouped["period_end"].first(),
            "closed_date": grouped["closed_date"].first(),
            "incident_date": grouped["incident_date"].min(),
            "constant": grouped["constant"].sum(),
            "source_id": grouped["source_id"].first(),
        }
    ).reset_index()


def estimate_for(measure: Measure, statistic: Statistic, slot: str, period: Period, window: DateSpan, **kw) -> Estimate:
    """An all-group `Estimate` without a value, its id `measure.statistic.all.slot` (slot: a period or a year)."""
    return Estimate(
        id=f"{measure}.{statistic}.{Group.ALL}.{slot}",
        measure=measure,
        statistic=statistic,
        group=Group.ALL,
        period=period,
        window=window,
        value=None,
        **kw,
    )


def source_ids(frame: pd.DataFrame) -> tuple[str, ...]:
    """The sorted source ids of the rows of `frame`."""
    return merge_sources(tuple(frame["source_id"].unique())) if len(frame) else ()
