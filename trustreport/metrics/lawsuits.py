"""Accountability: lawsuits and settlements per year and then vs now, in constant dollars (docs/methods.md §6, §2.2).

Counts (`lawsuits`) and nominal dollars (`settlement_usd`) come from the counts table; constant dollars, means and
medians from the settlement adapter's `payments` extras, each payment deflated by the CPI-U of the year it was
paid before any sum (`stats.dollars.to_constant_dollars`, docs/methods.md §6, G16). The base year is the latest
year paid
in the data unless given; every constant-dollar estimate names it in its notes. Group is always `all` (the
files record no race).

Statistics (ids `measure.statistic.all.period`; per-year estimates put the year in the period slot, e.g.
`lawsuits.count_per_year.all.2016`, and carry the period of the report window they fall in, or the nearer one):

- `lawsuits.count_per_year`: per year, the count (Garwood exact interval); per window, count ÷ years covered
  (exact Poisson interval on the rate). `lawsuits.count`: the window's count of settled cases (payments sharing
  the source's `case_key`, a docket or case number, are one case). `lawsuits.payment_count`: the window's payment
  rows, beside the cases.
- `settlement_usd.total_nominal_usd`, `total_constant_usd` (per year and per window), `total_constant_usd_per_year`
  (per window: the total ÷ years covered, so unequal windows compare).
- `settlement_usd.median_constant_usd`, `mean_constant_usd`: per case (a case's payments summed, dated by its
  first payment); per window with a BCa bootstrap interval (9,999 resamples, fixed seed, so the same inputs give
  the same metrics.json), per year without one.
- `lawsuits.rate_change_ratio` (change): cases per year now ÷ then, exposure = years covered by each window, exact
  conditional interval and test (`then_now.rate_change`, docs/methods.md §2.2, G14).
- `settlement_usd.payout_change_ratio` (change): median payout now ÷ then, two-sample BCa bootstrap interval,
  permutation test (9,999 permutations) of equal medians.
- `lawsuits.lag_median_years` and `lawsuits.incomplete_from_year`: `metrics.settlement_lag`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import scipy.stats as ss

from trustreport.counts import Coverage, window_totals
from trustreport.estimate import Estimate
from trustreport.metrics._payments import cases_of, constant_dollars, estimate_for, payments_of, source_ids
from trustreport.metrics.inputs import merge_sources, span, years_in
from trustreport.metrics.settlement_lag import settlement_lag
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.metrics.then_now import rate_change
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stats.dollars import CPI_SERIES
from trustreport.stats.small_numbers import ratio_refusal
from trustreport.vocab import DateSpan, DenominatorKind, Flag, Group, Measure, Period

SEED = 20210222  # the date FiveThirtyEight published the settlements; any fixed seed makes reruns identical
N_RESAMPLES = 9999
MIN_BOOTSTRAP = 10  # fewer cases give a bootstrap interval that is mostly the sample itself
BCA = "BCa bootstrap, 9,999 resamples"
PERCENTILE = "percentile bootstrap, 9,999 resamples (BCa undefined: too many ties)"
PERMUTATION = "permutation test of equal medians, 9,999 permutations"


def lawsuits(
    counts: pd.DataFrame,
    sources: Sequence[SourceData],
    then: DateSpan,
    now: DateSpan,
    *,
    level: float = 0.95,
    base_year: int | None = None,
) -> list[Estimate]:
    """Every lawsuit and settlement estimate of the report (module docstring), in table order."""
    payments = payments_of(sources)
    if payments.empty:
        return []
    # Only the settlement files' own rows: a published total of the same measure would be counted twice.
    counts = counts[counts["source_id"].isin(set(payments["source_id"]))]
    base = base_year if base_year is not None else int(payments["paid_year"].max())
    coverages = [c for s in sources for c in s.coverage if c.measure == Measure.LAWSUITS]
    windows = {Period.THEN: covered(then, coverages), Period.NOW: covered(now, coverages)}
    out = by_year(counts, payments, coverages, windows, base_year=base)
    for period, (win, note) in windows.items():
        out += _partial(window_levels(counts, payments, win, period, base_year=base, level=level), note)
    (then_win, then_note), (now_win, now_note) = windows[Period.THEN], windows[Period.NOW]
    change = lawsuit_count_change(counts, then_win, now_win, level=level)
    change += [payout_change(payments, then_win, now_win, base_year=base, level=level)]
    out += _partial(_partial(change, then_note), now_note)
    return out + settlement_lag(payments, coverages)


def covered(window: DateSpan, coverages: Sequence[Coverage]) -> tuple[DateSpan, str | None]:
    """The part of `window` the settlement data cover and a partial-coverage note when it is narrower than asked
    (rates need the exposure really covered). Where a missing year splits the window, the longest covered run is
    used, so that no uncovered year counts as exposure."""
    spans = sorted((max(c.start, window[0]), min(c.end, window[1])) for c in coverages)
    runs: list[list[date]] = []
    for start, end in (s for s in spans if s[0] <= s[1]):
        if runs and start.toordinal() <= runs[-1][1].toordinal() + 1:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    if not runs:
        return window, None
    start, end = max(runs, key=lambda r: (r[1] - r[0]).days)
    if (start, end) == window:
        return window, None
    return (start, end), f"lawsuit data cover {span((start, end))} of the window {span(window)}; rates use that span"


def _partial(estimates: list[Estimate], note: str | None) -> list[Estimate]:
    return [e.with_flags(Flag.PARTIAL_COVERAGE, note=note) for e in estimates] if note else estimates


def _inside(frame: pd.DataFrame, window: DateSpan) -> pd.DataFrame:
    """Rows whose counted period lies wholly inside the window (the `window_totals` rule)."""
    return frame[(frame["period_start"] >= pd.Timestamp(window[0])) & (frame["period_end"] <= pd.Timestamp(window[1]))]


def _dollar_note(base_year: int) -> str:
    return f"in {base_year} dollars (CPI-U annual averages, BLS {CPI_SERIES}; each payment by its year paid)"


def year_spans(coverages: Sequence[Coverage]) -> list[DateSpan]:
    """The (fiscal) years the coverage holds: twelve-month spans from each coverage start."""
    out: list[DateSpan] = []
    for cov in sorted({(c.start, c.end) for c in coverages}):
        start = cov[0]
        while start <= cov[1]:
            nxt = date(start.year + 1, start.month, 1)
            out.append((start, min(cov[1], date.fromordinal(nxt.toordinal() - 1))))
            start = nxt
    return out


def by_year(
    counts: pd.DataFrame,
    payments: pd.DataFrame,
    coverages: Sequence[Coverage],
    windows: dict[Period, tuple[DateSpan, str | None]],
    *,
    base_year: int,
) -> list[Estimate]:
    """Per covered year: cases (Garwood interval), nominal and constant totals, median per case."""
    cases = cases_of(payments, base_year)
    out: list[Estimate] = []
    for year in year_spans(coverages):
        period, slot = _period_of(year, windows), str(year[1].year)
        n = _total(counts, Measure.LAWSUITS, year)
        ci = iv.poisson_rate_ci(n)
        est = estimate_for(
            Measure.LAWSUITS, Statistic.COUNT_PER_YEAR, slot, period, year, sources=source_ids(_inside(payments, year))
        )
        out.append(apply_stability(replace(est, value=n, numerator=n, ci=ci.bounds, ci_method=ci.method), n))
        out += _dollar_levels(counts, payments, cases, year, period, slot, base_year=base_year, level=None)
    return out


def _period_of(year: DateSpan, windows: dict[Period, tuple[DateSpan, str | None]]) -> Period:
    """The report window a year falls in, or the nearer one."""

    def distance(w: DateSpan) -> int:
        return max(0, (w[0] - year[1]).days, (year[0] - w[1]).days)

    return min(windows, key=lambda p: (distance(windows[p][0]), p != Period.NOW))


def _total(counts: pd.DataFrame, measure: Measure, window: DateSpan) -> float:
    return float(window_totals(counts, measure, window)["value"].sum())


def window_levels(
    counts: pd.DataFrame, payments: pd.DataFrame, window: DateSpan, period: Period, *, base_year: int, level: float
) -> list[Estimate]:
    """A window's cases (count and per year, exact Poisson intervals) and its dollar levels."""
    n, years = _total(counts, Measure.LAWSUITS, window), years_in(window)
    sources = source_ids(_inside(payments, window))
    if not sources:
        why = f"no lawsuit data in the {period} window ({span(window)})"
        return [
            not_estimable(estimate_for(m, s, str(period), period, window), why)
            for m, s in (
                (Measure.LAWSUITS, Statistic.COUNT),
                (Measure.LAWSUITS, Statistic.COUNT_PER_YEAR),
                (Measure.SETTLEMENT_USD, Statistic.TOTAL_CONSTANT_USD),
                (Measure.SETTLEMENT_USD, Statistic.MEDIAN_CONSTANT_USD),
            )
        ]
    count_ci, rate_ci = iv.poisson_rate_ci(n, level=level), iv.poisson_rate_ci(n, years, level=level)
    common = dict(numerator=n, sources=sources)
    out = [
        estimate_for(
            Measure.LAWSUITS, Statistic.COUNT, str(period), period, window, ci_method=count_ci.method, **common
        ),
        estimate_for(
            Measure.LAWSUITS,
            Statistic.COUNT_PER_YEAR,
            str(period),
            period,
            window,
            denominator=years,
            denominator_kind=DenominatorKind.YEARS,
            years=years,
            ci_method=rate_ci.method,
            **common,
        ),
    ]
    out = [
        apply_stability(replace(out[0], value=n, ci=count_ci.bounds), n),
        apply_stability(replace(out[1], value=n / years, ci=rate_ci.bounds), n),
        payment_count(payments, window, period),
    ]
    cases = cases_of(payments, base_year)
    return out + _dollar_levels(counts, payments, cases, window, period, str(period), base_year=base_year, level=level)


def payment_count(payments: pd.DataFrame, window: DateSpan, period: Period) -> Estimate:
    """`lawsuits.payment_count`: the payment rows paid in the window, reported beside the cases (`lawsuits.count`)
    because a case paid in installments or to several payees is several rows (docs/methods.md §6). No interval: the
    payments of one case are not independent events."""
    pay = _inside(payments, window)
    cases = int(pay["case"].nunique())
    note = f"{len(pay)} payment rows to {cases} distinct cases in {span(window)}"
    est = estimate_for(
        Measure.LAWSUITS, "payment_count", str(period), period, window, sources=source_ids(pay), notes=(note,)
    )
    return replace(est, value=float(len(pay)), numerator=float(len(pay)))


def _dollar_levels(
    counts: pd.DataFrame,
    payments: pd.DataFrame,
    cases: pd.DataFrame,
    window: DateSpan,
    period: Period,
    slot: str,
    *,
    base_year: int,
    level: float | None,
) -> list[Estimate]:
    """Nominal and constant totals paid in the window; median and mean per case (a bootstrap interval when
    `level` is given)."""
    pay, inside = _inside(payments, window), _inside(cases, window)
    constant = float(constant_dollars(pay, base_year).sum()) if len(pay) else 0.0
    note = (_dollar_note(base_year),)
    kw = dict(sources=source_ids(pay), numerator=float(len(pay)))
    out = [
        replace(
            estimate_for(Measure.SETTLEMENT_USD, Statistic.TOTAL_NOMINAL_USD, slot, period, window, **kw),
            value=_total(counts, Measure.SETTLEMENT_USD, window),
        ),
        replace(
            estimate_for(Measure.SETTLEMENT_USD, Statistic.TOTAL_CONSTANT_USD, slot, period, window, notes=note, **kw),
            value=constant,
        ),
    ]
    if level is not None:
        years = years_in(window)
        out.append(
            replace(
                estimate_for(
                    Measure.SETTLEMENT_USD,
                    Statistic.TOTAL_CONSTANT_USD_PER_YEAR,
                    slot,
                    period,
                    window,
                    notes=note,
                    **kw,
                ),
                value=constant / years,
                denominator=years,
                denominator_kind=DenominatorKind.YEARS,
                years=years,
            )
        )
    values = inside["constant"].to_numpy(dtype=float)
    for statistic, func in ((Statistic.MEDIAN_CONSTANT_USD, np.median), (Statistic.MEAN_CONSTANT_USD, np.mean)):
        if level is None and statistic == Statistic.MEAN_CONSTANT_USD:
            continue
        out.append(_per_case(values, func, statistic, slot, period, window, note, source_ids(inside), level))
    return out


def _per_case(
    values: np.ndarray,
    func: Callable,
    statistic: Statistic,
    slot: str,
    period: Period,
    window: DateSpan,
    note: tuple[str, ...],
    sources: tuple[str, ...],
    level: float | None,
) -> Estimate:
    """A median or mean payout per case, with a one-sample bootstrap interval when `level` is given."""
    est = estimate_for(
        Measure.SETTLEMENT_USD, statistic, slot, period, window, numerator=float(len(values)), notes=note
    )
    est = replace(est, sources=sources)
    if len(values) == 0:
        return not_estimable(est, f"no settled case in {span(window)}")
    est = apply_stability(replace(est, value=float(func(values))), len(values))
    if level is None or len(values) < MIN_BOOTSTRAP:
        return est
    low, high, method = _bootstrap((values,), lambda x, axis: func(x, axis=axis), level)
    return replace(est, ci=(low, high), ci_method=method)


def _bootstrap(samples: tuple[np.ndarray, ...], statistic: Callable, level: float) -> tuple[float, float, str]:
    """BCa bootstrap interval (docs/methods.md §6), falling back to the percentile interval when BCa is undefined."""
    for method, name in (("BCa", BCA), ("percentile", PERCENTILE)):
        with warnings.catch_warnings():
            # BCa is undefined when resamples are degenerate (many ties); the percentile interval is used then.
            warnings.simplefilter("ignore")
            res = ss.bootstrap(
                samples,
                statistic,
                n_resamples=N_RESAMPLES,
                confidence_level=level,
                method=method,
                vectorized=True,
                rng=np.random.default_rng(SEED),
            )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if math.isfinite(low) and math.isfinite(high):
            return low, high, name
    return math.nan, math.nan, PERCENTILE


def lawsuit_count_change(counts: pd.DataFrame, then: DateSpan, now: DateSpan, *, level: float = 0.95) -> list[Estimate]:
    """Cases per year now ÷ then, exposure = each window's years, exact conditional interval and test (methods
    §2.2; G14: 18 vs 48 in 5-year windows → 0.375, CI 0.2053–0.6566, p 0.000287)."""
    return rate_change(
        counts, Measure.LAWSUITS, then, now, groups=[Group.ALL], level=level, exposure=DenominatorKind.YEARS
    )


def payout_change(
    payments: pd.DataFrame, then: DateSpan, now: DateSpan, *, base_year: int, level: float = 0.95
) -> Estimate:
    """Median payout per case now ÷ then in constant dollars: two-sample BCa bootstrap interval, permutation test
    (docs/methods.md §6)."""
    cases = cases_of(payments, base_year)
    x_then, x_now = (_inside(cases, w)["constant"].to_numpy(dtype=float) for w in (then, now))
    est = estimate_for(
        Measure.SETTLEMENT_USD,
        Statistic.PAYOUT_CHANGE_RATIO,
        str(Period.CHANGE),
        Period.CHANGE,
        now,
        then_window=then,
        notes=(_dollar_note(base_year),),
        sources=merge_sources(source_ids(_inside(cases, then)), source_ids(_inside(cases, now))),
    )
    refusal = ratio_refusal({f"cases settled {span(then)}": len(x_then), f"cases settled {span(now)}": len(x_now)})
    if refusal:
        return not_estimable(est, refusal)
    ratio = float(np.median(x_now) / np.median(x_then))
    low, high, method = _bootstrap(
        (x_then, x_now), lambda a, b, axis: np.median(b, axis=axis) / np.median(a, axis=axis), level
    )
    test = ss.permutation_test(
        (x_then, x_now),
        lambda a, b, axis: np.log(np.median(b, axis=axis) / np.median(a, axis=axis)),
        permutation_type="independent",
        vectorized=True,
        n_resamples=N_RESAMPLES,
        rng=np.random.default_rng(SEED),
    )
    est = replace(
        est,
        value=ratio,
        numerator=float(np.median(x_now)),
        denominator=float(np.median(x_then)),
        ci=(low, high) if math.isfinite(low) else None,
        ci_method=method,
        p_value=float(test.pvalue),
        test_method=PERMUTATION,
    )
    return apply_stability(est, len(x_then), len(x_now))
