"""How long settlements take, and which recent years are therefore incomplete (the censoring warning,
docs/methods.md §6).

Statistics (ids `measure.statistic.all.slot`, slot the span of the data):

- `lawsuits.lag_median_years`: median years from incident to settlement (cases with both dates; quartiles in
  the notes).
- `lawsuits.incomplete_from_year`: the first incident year of which fewer than 75 % of the cases would have
  settled by the end of the data, judged by that lag distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from trustreport.counts import Coverage
from trustreport.estimate import Estimate
from trustreport.metrics._payments import cases_of, estimate_for, source_ids
from trustreport.metrics.small_numbers import apply_stability
from trustreport.statistic import Statistic
from trustreport.vocab import Measure, Period

SETTLED_SHARE = 0.75
DAYS_PER_YEAR = 365.25
CENSORING_NOTE = (
    "Recent years are incomplete: cases are settled years after the incident, so the cases of recent "
    "incidents are mostly still open when the data end."
)


def settlement_lag(payments: pd.DataFrame, coverages: Sequence[Coverage]) -> list[Estimate]:
    """Median years from incident to settlement (quartiles in the notes), and the first incident year likely
    incomplete; nothing when no case has both dates (then the censoring caveat stands alone)."""
    cases = cases_of(payments, int(payments["paid_year"].max()))
    lags = ((cases["closed_date"] - cases["incident_date"]).dt.days / DAYS_PER_YEAR).dropna()
    lags = lags[lags >= 0].to_numpy(dtype=float)
    if len(lags) == 0 or not coverages:
        return []
    data_end = max(c.end for c in coverages)
    first = min(c.start for c in coverages)
    whole = (first, data_end)
    q1, med, q3 = np.quantile(lags, [0.25, 0.5, 0.75])
    slot = f"{first.year}-{data_end.year}"
    sources = source_ids(payments)
    lag = estimate_for(
        Measure.LAWSUITS,
        Statistic.LAG_MEDIAN_YEARS,
        slot,
        Period.NOW,
        whole,
        numerator=float(len(lags)),
        sources=sources,
        notes=(
            f"{len(lags)} cases with incident and settlement dates; quartiles {q1:.1f} and {q3:.1f} years",
            CENSORING_NOTE,
        ),
    )
    out = [apply_stability(replace(lag, value=float(med)), len(lags))]
    year = incomplete_from(lags, data_end)
    if year is not None:
        note = (
            f"incidents from {year} on: fewer than {SETTLED_SHARE:.0%} of their cases would have settled by "
            f"{data_end.isoformat()}, judged by the lags observed (themselves cut short, so this understates it)"
        )
        est = estimate_for(
            Measure.LAWSUITS, Statistic.INCOMPLETE_FROM_YEAR, slot, Period.NOW, whole, sources=sources, notes=(note,)
        )
        out.append(replace(est, value=float(year), numerator=float(len(lags))))
    return out


def incomplete_from(lags: np.ndarray, data_end: date, *, share: float = SETTLED_SHARE) -> int | None:
    """The first incident year whose mid-year incidents had less than `share` chance of settling by `data_end`
    under the empirical lag distribution."""
    for year in range(data_end.year - 60, data_end.year + 1):
        elapsed = (data_end - date(year, 7, 1)).days / DAYS_PER_YEAR
        if float(np.mean(lags <= elapsed)) < share:
            return year
    return None
