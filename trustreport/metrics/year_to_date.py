"""Year-to-date comparisons done right (docs/methods.md §2.3): January 1 to the same month-day this year and last year
(or the mean of the last k years), with each window's days as exposure, an exact conditional test and an
exact interval for the ratio (docs/methods.md §1.2B, §2.2).

Statistics (ids `measure.statistic.group.period`):

- `ytd_count` (period `now`): the count from January 1 to `as_of`, Garwood exact interval.
- `ytd_count` (period `then`): the baseline — last year's count in the same calendar window or, with
  `baseline_years` k > 1, the mean count of the k prior windows (numerator = their total).
- `ytd_rate_ratio` (period `change`): events per day now ÷ per day in the baseline, exact conditional
  (Clopper–Pearson) interval and exact conditional binomial test (G13: 19 vs 28 → 0.679, CI 0.3581–1.2591,
  p 0.2430).
- `ytd_relative_difference` (period `change`): the percent change, ratio − 1 (shown with `fmt.pct`, −32.1 %),
  with the ratio's interval shifted by −1; named a difference so that `Estimate.significant` tests it
  against 0.

Days are the exposure so that a leap day counts (Jan 1 – Jul 13 is 195 days in 2024, 194 in 2023). A
window with no rows at all for the measure is not covered by the data: every estimate that needs it is `not
estimable`, with the window named.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date

import pandas as pd

from trustreport.caveat import Caveat, CaveatKind
from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import rate_ratio_comparison
from trustreport.metrics.inputs import FlowCounts, estimate_id, flow_counts, merge_sources, new_estimate, span
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stats.small_numbers import ratio_refusal
from trustreport.vocab import (
    GROUP_LABELS,
    MEASURE_LABELS,
    STOCK_MEASURES,
    DateSpan,
    DenominatorKind,
    Group,
    Measure,
    Period,
)

YTD_CAVEAT = Caveat(
    CaveatKind.YTD_SEASONALITY,
    "Year-to-date counts are seasonal, so only the same calendar window is compared; a year-to-date change is "
    "not a forecast of the full year. A high count last year is usually followed by a lower one (regression to "
    "the mean), which is why a baseline of several prior years is steadier than last year alone. Last year's "
    "count comes from the current extract, so later reclassifications and reporting lag can still move it.",
)


def ytd_window(year: int, as_of: date) -> DateSpan:
    """January 1 to `as_of`'s month and day in `year`; February 29 becomes February 28 in a common year."""
    day = min(as_of.day, calendar.monthrange(year, as_of.month)[1])
    return date(year, 1, 1), date(year, as_of.month, day)


def days_in(window: DateSpan) -> int:
    """Days in an inclusive window."""
    return (window[1] - window[0]).days + 1


def year_to_date(
    counts: pd.DataFrame,
    measure: Measure,
    as_of: date,
    *,
    group: Group = Group.ALL,
    baseline_years: int = 1,
    level: float = 0.95,
) -> list[Estimate]:
    """This year's count from January 1 to `as_of` against the same calendar window of the previous year (or
    the mean of the `baseline_years` previous ones), as counts, a ratio of events per day and a percent
    change (docs/methods.md §2.3), with the exact conditional interval and test (docs/methods.md §1.2B, §2.2)."""
    if measure in STOCK_MEASURES:
        raise ValueError(f"{measure} is a stock measure; a year-to-date comparison needs a flow measure")
    if baseline_years < 1:
        raise ValueError(f"baseline_years must be at least 1, got {baseline_years}")
    now = flow_counts(counts, measure, ytd_window(as_of.year, as_of))
    prior = [flow_counts(counts, measure, ytd_window(as_of.year - k, as_of)) for k in range(1, baseline_years + 1)]
    ratio = _rate_ratio(now, prior, group, level)
    return [
        _now_count(now, group, level),
        _baseline_count(prior, group, level),
        ratio,
        _relative_difference(ratio),
    ]


def _missing(flows: list[FlowCounts], group: Group, side: str) -> str | None:
    """Why a window's count is missing: no rows at all (the data do not cover it) or a group not recorded."""
    for flow in flows:
        if not flow.has_data:
            return (
                f"no {MEASURE_LABELS[flow.measure]} rows at all in the {side} year-to-date window "
                f"({span(flow.window)}): the data do not cover it"
            )
        why = flow.why_missing(group, side)
        if why:
            return why
    return None


def _baseline_note(prior: list[FlowCounts]) -> str:
    if len(prior) == 1:
        return (
            f"baseline: the same calendar window last year ({span(prior[0].window)}, {days_in(prior[0].window)} days)"
        )
    windows = ", ".join(span(f.window) for f in prior)
    return f"baseline: the mean of the {len(prior)} previous year-to-date windows ({windows})"


def _now_count(now: FlowCounts, group: Group, level: float) -> Estimate:
    """The count since January 1, with the Garwood exact interval (docs/methods.md §1.2B, G6)."""
    est = new_estimate(
        now.measure,
        Statistic.YTD_COUNT,
        group,
        Period.NOW,
        now.window,
        value=None,
        denominator=days_in(now.window),
        denominator_kind=DenominatorKind.NONE,
        sources=now.sources_of(group),
        notes=(f"{span(now.window)}: {days_in(now.window)} days",),
    )
    missing = _missing([now], group, "now")
    if missing:
        return not_estimable(est, missing)
    x = now.count(group)
    ci = iv.poisson_rate_ci(x, level=level)
    return apply_stability(replace(est, value=x, numerator=x, ci=ci.bounds, ci_method=ci.method), x)


def _baseline_count(prior: list[FlowCounts], group: Group, level: float) -> Estimate:
    """Last year's count in the same window, or the mean of k prior windows (Garwood interval on the total,
    divided by k)."""
    k = len(prior)
    est = new_estimate(
        prior[0].measure,
        Statistic.YTD_COUNT,
        group,
        Period.THEN,
        prior[0].window,
        value=None,
        denominator=sum(days_in(f.window) for f in prior),
        denominator_kind=DenominatorKind.NONE,
        sources=merge_sources(*(f.sources_of(group) for f in prior)),
        notes=(_baseline_note(prior),),
    )
    missing = _missing(prior, group, "baseline")
    if missing:
        return not_estimable(est, missing)
    total = sum(f.count(group) for f in prior)
    ci = iv.poisson_rate_ci(total, level=level)
    bounds = None if ci.bounds is None else tuple(None if b is None else b / k for b in ci.bounds)
    est = replace(est, value=total / k, numerator=total, ci=bounds, ci_method=ci.method)
    return apply_stability(est, total)


def _rate_ratio(now: FlowCounts, prior: list[FlowCounts], group: Group, level: float) -> Estimate:
    """(a / days now) ÷ (C / days in the baseline windows): exact conditional interval and test."""
    est = new_estimate(
        now.measure,
        Statistic.YTD_RATE_RATIO,
        group,
        Period.CHANGE,
        now.window,
        value=None,
        then_window=prior[0].window,
        denominator_kind=DenominatorKind.NONE,
        sources=merge_sources(now.sources_of(group), *(f.sources_of(group) for f in prior)),
        notes=(_baseline_note(prior), "events per day, so a leap day counts", YTD_CAVEAT),
    )
    missing = _missing([now], group, "now") or _missing(prior, group, "baseline")
    if missing:
        return not_estimable(est, missing)
    a, e_now = now.count(group), days_in(now.window)
    c, e_then = sum(f.count(group) for f in prior), sum(days_in(f.window) for f in prior)
    label = f"{GROUP_LABELS[group]} {MEASURE_LABELS[now.measure]}"
    refusal = ratio_refusal({f"{label}, {span(now.window)}": a, f"{label}, baseline": c})
    est = rate_ratio_comparison(est, a, e_now, c, e_then, level=level, exact_ci=True)
    if refusal:
        return not_estimable(est, refusal)
    return apply_stability(est, a, c)


def _relative_difference(ratio: Estimate) -> Estimate:
    """The percent change as a fraction, ratio − 1, with the same interval (shifted) and test."""
    shifted = None
    if ratio.ci is not None:
        shifted = tuple(None if b is None else b - 1 for b in ratio.ci)
    return replace(
        ratio,
        id=estimate_id(ratio.measure, Statistic.YTD_RELATIVE_DIFFERENCE, ratio.group, ratio.period),
        statistic=Statistic.YTD_RELATIVE_DIFFERENCE,
        value=None if ratio.value is None else ratio.value - 1,
        ci=shifted,
        ci_method=None if ratio.ci_method is None else f"{ratio.ci_method}, minus 1",
    )
