"""Community contacts (report section 9): non-enforcement contacts per resident.

Statistics (ids `measure.statistic.group.period`): `contacts` `count` and `rate` (then, now; group `all`):
contacts in the window (Garwood exact interval) and per resident per year (shown per `rate_per`), as for stops
(docs/methods.md §1.2B).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import Coverage, covered_window
from trustreport.estimate import Estimate
from trustreport.metrics.inputs import (
    flow_counts,
    merge_sources,
    new_estimate,
    residents_for,
    span,
    with_vintage,
    years_in,
)
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.vocab import DateSpan, DenominatorKind, Flag, Group, Measure, Period


def contacts_rates(
    counts: pd.DataFrame,
    window: DateSpan,
    *,
    period: Period,
    coverages: Sequence[Coverage] = (),
    level: float = 0.95,
    rate_per: int = 1000,
) -> list[Estimate]:
    """Non-enforcement contacts in the window (`count`, Garwood exact interval) and per resident per year
    (`rate`, the exact Poisson interval on the count over residents × years; docs/methods.md §1.2B), over the part of
    the window the contacts sources cover (flagged `partial coverage` when narrower)."""
    covered, note = _covered_span(coverages, window, period)
    events = flow_counts(counts, Measure.CONTACTS, covered)
    if not events.has_data:
        return []
    x = events.count(Group.ALL)
    if x is None:
        return []
    sources = events.sources_of(Group.ALL)
    ci = iv.poisson_rate_ci(x, level=level)
    count = new_estimate(
        Measure.CONTACTS,
        Statistic.COUNT,
        Group.ALL,
        period,
        covered,
        value=x,
        numerator=x,
        ci=ci.bounds,
        ci_method=ci.method,
        sources=sources,
    )
    out = [count]
    residents = residents_for(counts, covered)
    person_years = residents.person_years(Group.ALL)
    if person_years is None:
        out[0] = count.with_flags(note=f"{residents.missing_note(Group.ALL, str(period))}: no rate per resident")
    else:
        rate_ci = iv.poisson_rate_ci(x, person_years, level=level)
        rate = new_estimate(
            Measure.CONTACTS,
            Statistic.RATE,
            Group.ALL,
            period,
            covered,
            value=x / person_years,
            numerator=x,
            denominator=residents.values[Group.ALL],
            denominator_kind=DenominatorKind.RESIDENTS,
            ci=rate_ci.bounds,
            ci_method=rate_ci.method,
            scale=rate_per,
            years=years_in(covered),
            sources=merge_sources(sources, residents.sources_of(Group.ALL)),
        )
        out.append(with_vintage(rate, residents))
    return [e.with_flags(Flag.PARTIAL_COVERAGE, note=note) for e in out] if note else out


def _covered_span(coverages: Sequence[Coverage], window: DateSpan, period: Period) -> tuple[DateSpan, str | None]:
    """The part of the window the contacts sources cover, and a note when it is narrower than the window."""
    covered, share = covered_window(coverages, Measure.CONTACTS, window)
    if covered == window:
        return window, None
    note = f"contacts data cover {span(covered)} only ({100 * share:.0f}% of the {period} window)"
    return covered, Caveat(CaveatKind.PARTIAL_COVERAGE, note)
