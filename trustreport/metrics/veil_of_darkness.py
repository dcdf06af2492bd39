"""The veil-of-darkness test (docs/methods.md §4; Grogger & Ridgeway 2006; OPP `lib/veil_of_darkness.R`).

If officers can see a driver's race better in daylight, and use it, the focal group's share of stops should be
lower after dark than in daylight at the same clock time. The inter-twilight window (earliest to latest civil dusk
of the window's dates) holds clock times that are light on some dates and dark on others (docs/methods.md §4.1):

1. sunset and dusk (sun 6° below the horizon) per date from `astral`, in the city's IANA zone (DST applied),
   as clock minutes with seconds dropped (OPP `time_to_minute`; docs/methods.md §4.3);
2. keep stops of the focal and reference groups whose clock minute lies in the inter-twilight window;
3. drop the ambiguous minutes sunset ≤ minute ≤ dusk; `is_dark` = minute after dusk;
4. round the clock minute to 5 minutes for the spline (OPP `plyr::round_any(minute, 5)`);
5. logistic regression on counts aggregated by (is_dark, rounded minute[, district]):
   logit P(focal | stop) = β·is_dark + ns(rounded minute, df 6) [+ district], binomial GLM (docs/methods.md §4.2).
   The natural spline is patsy `cr(..., constraints='center')` with R's `ns` knots (type-7 quantiles of the
   stop-level sample, boundary = range), which spans the same space as R `ns` (docs/methods.md §4.2, G18).

Statistics (measure `stops`): `vod_odds_ratio` (time only), `vod_odds_ratio_district` (time + district fixed
effects; stops of unknown district, and districts where only one group was stopped, are left out), exp(β) with
its Wald interval and p; `vod_share_light` / `vod_share_dark`: the focal group's share of the analysis stops in
light and in dark (Wilson). An odds ratio below 1 means a smaller focal share after dark.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import patsy
import scipy.stats as ss
import statsmodels.api as sm
from astral import Observer
from astral.sun import dusk, sunset

from trustreport.caveat import Caveat, CaveatKind
from trustreport.estimate import Estimate
from trustreport.metrics.inputs import new_estimate, span
from trustreport.metrics.outcome_test import UNKNOWN_DISTRICT, window_rows
from trustreport.metrics.small_numbers import apply_stability, not_estimable
from trustreport.params import Location
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.vocab import GROUP_LABELS, DateSpan, DenominatorKind, Group, Measure, Period

MIN_STOPS = 200
SPLINE_DF = 6
ROUND_TO = 5
VOD_WALD_CI = "Wald, logistic GLM (binomial, logit link)"
VOD_WALD_TEST = "Wald z test of the darkness coefficient"

VOD_CAVEATS: tuple[str, ...] = (
    "Veil of darkness (docs/methods.md §4): assumes officers see a driver's race less well after dark; street lighting "
    "weakens that, and vehicle make, model and age stay visible, so the test tends to understate profiling.",
    "Darkness at a fixed clock time depends on the date: if who drives at that time changes with the season in "
    "ways that differ by race, the test can suggest discrimination where there is none, or hide it.",
    "The test speaks only to stops in the evening inter-twilight hours, and does not adjust for the reason for "
    "the stop.",
)


@dataclass(frozen=True)
class VodSample:
    """The stops the test uses (docs/methods.md §4.1) and what each step removed."""

    stops: pd.DataFrame  # date, minute, rounded_minute, is_dark, district, group, stops
    window_minutes: tuple[int, int] | None
    sources: tuple[str, ...]
    timed: int  # focal + reference stops with a time in the window
    no_dusk: int  # stops on dates when the sun never reaches civil dusk
    ambiguous: int  # stops between sunset and dusk, dropped

    def describe(self) -> str:
        """The sample (kind `veil-of-darkness sample`), or why there is none."""
        if self.window_minutes is None:
            why = f", {self.no_dusk:,} of them on dates without a civil dusk" if self.no_dusk else ""
            return f"no inter-twilight window: {self.timed:,} stops with a time{why}"
        lo, hi = (f"{m // 60:02d}:{m % 60:02d}" for m in self.window_minutes)
        return Caveat(
            CaveatKind.VOD_SAMPLE,
            f"inter-twilight window {lo}-{hi}: {int(self.stops['stops'].sum()):,} of {self.timed:,} stops with a "
            f"time, after dropping {self.ambiguous:,} between sunset and dusk"
            + (f" and {self.no_dusk:,} on dates without a civil dusk" if self.no_dusk else ""),
        )


def sun_times(dates: Iterable[date], location: Location) -> pd.DataFrame:
    """Sunset and civil dusk (sun 6° below the horizon) for each date, as local clock minutes (docs/methods.md §4.3):
    astral in the city's IANA zone, so DST is applied; seconds dropped as OPP's `time_to_minute`. A date on
    which the sun never sets or never reaches 6° below the horizon (high latitudes in summer) has NaN."""
    observer = Observer(latitude=location.latitude, longitude=location.longitude, elevation=0.0)
    zone = ZoneInfo(location.timezone)
    rows = []
    for day in sorted(set(dates)):
        rows.append({"date": pd.Timestamp(day), **_sun_minutes(observer, day, zone)})
    return pd.DataFrame(rows, columns=["date", "sunset_minute", "dusk_minute"])


def _sun_minutes(observer: Observer, day: date, zone: ZoneInfo) -> dict[str, float]:
    out = {}
    for name, func in (("sunset_minute", sunset), ("dusk_minute", dusk)):
        try:
            when: datetime = func(observer, date=day, tzinfo=zone)
        except ValueError:
            out[name] = math.nan
            continue
        out[name] = float(when.hour * 60 + when.minute)
    return out


def vod_sample(
    sources: Sequence[SourceData], window: DateSpan, *, location: Location, groups: Sequence[Group]
) -> VodSample | None:
    """Steps 1–4 of the module docstring on the sources' `stop_times` extras; None when none has them in the
    window (a window outside the data is not available, not a sample of zero stops)."""
    frame, ids = window_rows(sources, "stop_times", window)
    if frame is None or frame.empty:
        return None
    frame = frame[frame["group"].isin([str(g) for g in groups])]
    timed = int(frame["stops"].sum())
    sun = sun_times(frame["date"].dt.date.unique(), location)
    sun = sun.astype({"date": frame["date"].dtype})  # an empty table's dates have no dtype of their own
    joined = frame.merge(sun, on="date", how="left")
    no_dusk = joined["dusk_minute"].isna() | joined["sunset_minute"].isna()
    n_no_dusk = int(joined.loc[no_dusk, "stops"].sum())
    joined = joined[~no_dusk]
    columns = ["date", "minute", "rounded_minute", "is_dark", "district", "group", "stops"]
    if joined.empty:
        return VodSample(pd.DataFrame(columns=columns), None, ids, timed, n_no_dusk, 0)
    lo, hi = int(joined["dusk_minute"].min()), int(joined["dusk_minute"].max())
    inside = joined[joined["minute"].between(lo, hi)]
    ambiguous = inside["minute"].between(inside["sunset_minute"], inside["dusk_minute"])
    kept = inside[~ambiguous]
    kept = kept.assign(
        is_dark=kept["minute"] > kept["dusk_minute"],
        rounded_minute=(np.round(kept["minute"] / ROUND_TO) * ROUND_TO).astype("int64"),
    )
    stops = kept.loc[:, columns].reset_index(drop=True)
    return VodSample(stops, (lo, hi), ids, timed, n_no_dusk, int(inside.loc[ambiguous, "stops"].sum()))


def spline_basis(x: np.ndarray, *, weights: np.ndarray | None = None, df: int = SPLINE_DF) -> np.ndarray:
    """Natural cubic spline basis of `x` spanning R's `ns(x, df)` (with an intercept column added):
    patsy `cr` with df − 1 interior knots at type-7 quantiles of the stop-level sample (`x` repeated by
    `weights`), boundary knots at its range, centred (docs/methods.md §4.2, G18)."""
    sample = x if weights is None else np.repeat(x, weights.astype("int64"))
    knots = np.quantile(sample, np.linspace(0, 1, df + 1)[1:-1])
    basis = patsy.cr(x, knots=knots, lower_bound=sample.min(), upper_bound=sample.max(), constraints="center")
    return np.asarray(basis, dtype=float)


@dataclass(frozen=True)
class DarkFit:
    """The darkness coefficient of one fitted model."""

    beta: float
    se: float
    p_value: float
    n: int


def fit_darkness(counts: pd.DataFrame, *, district_effects: bool) -> DarkFit | None:
    """Binomial GLM of (focal, reference) counts by (is_dark, rounded_minute[, district]) on darkness, the
    clock-time spline and optional district dummies (docs/methods.md §4.2). None if the fit fails or is not finite."""
    x = counts["rounded_minute"].to_numpy(float)
    total = (counts["focal"] + counts["reference"]).to_numpy()
    endog = counts[["focal", "reference"]].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # patsy refuses knots that coincide (clock times piled on a few values): no model, not a crash.
            parts = [np.ones((len(counts), 1)), counts[["is_dark"]].to_numpy(float), spline_basis(x, weights=total)]
            if district_effects:
                parts.append(pd.get_dummies(counts["district"], drop_first=True, dtype=float).to_numpy())
            fit = sm.GLM(endog, np.hstack(parts), family=sm.families.Binomial()).fit(maxiter=100)
        except (ValueError, np.linalg.LinAlgError):
            return None
    beta, se, p = float(fit.params[1]), float(fit.bse[1]), float(fit.pvalues[1])
    if not (fit.converged and math.isfinite(beta) and math.isfinite(se) and se > 0 and math.isfinite(p)):
        return None
    return DarkFit(beta, se, p, int(total.sum()))


def veil_of_darkness(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    location: Location,
    groups: Sequence[Group] = (Group.BLACK,),
    reference: Group = Group.WHITE,
    period: Period,
    district_effects: bool = True,
    level: float = 0.95,
) -> list[Estimate]:
    """For each focal group vs the reference: its share of inter-twilight stops in light and in dark, and the
    darkness odds ratio exp(β) with time control, and with time and district controls (docs/methods.md §4). Empty when
    no source has stop times; not estimable (with the reason) under 200 stops or with an empty class."""
    out: list[Estimate] = []
    for group in [g for g in groups if g not in (reference, Group.ALL)]:
        sample = vod_sample(sources, window, location=location, groups=[group, reference])
        if sample is None:
            return out
        out += _shares(sample, group, reference, period, window, level)
        out.append(_odds_ratio(sample, group, reference, period, window, level, district=False))
        if district_effects:
            out.append(_odds_ratio(sample, group, reference, period, window, level, district=True))
    return out


def model_counts(sample: VodSample, group: Group, *, district: bool) -> tuple[pd.DataFrame, str | None]:
    """Counts of focal and reference stops by (is_dark, rounded_minute[, district]) and, for the district model,
    a note on the stops left out (unknown district, or a district where only one group was stopped)."""
    stops = sample.stops.assign(focal=np.where(sample.stops["group"] == str(group), sample.stops["stops"], 0))
    stops = stops.assign(reference=stops["stops"] - stops["focal"])
    keys = ["is_dark", "rounded_minute", *(["district"] if district else [])]
    if not district:
        return stops.groupby(keys, as_index=False)[["focal", "reference"]].sum(), None
    known = stops[stops["district"] != UNKNOWN_DISTRICT]
    by_district = known.groupby("district")[["focal", "reference"]].sum()
    varied = by_district[(by_district["focal"] > 0) & (by_district["reference"] > 0)].index
    kept = known[known["district"].isin(varied)]
    left_out = int(stops["stops"].sum() - kept["stops"].sum())
    note = (
        f"district model: {len(varied)} districts; {left_out:,} stops of unknown district or in districts where "
        "only one group was stopped are left out"
    )
    return kept.groupby(keys, as_index=False)[["focal", "reference"]].sum(), note


def _shell(
    group: Group, reference: Group, period: Period, window: DateSpan, statistic: Statistic, sample: VodSample
) -> Estimate:
    return new_estimate(
        Measure.STOPS,
        statistic,
        group,
        period,
        window,
        value=None,
        denominator_kind=DenominatorKind.STOPS,
        reference_group=reference,
        sources=sample.sources,
        notes=(sample.describe(),),
    )


def _shares(
    sample: VodSample, group: Group, reference: Group, period: Period, window: DateSpan, level: float
) -> list[Estimate]:
    """The focal group's share of the analysis stops in light and in dark (Wilson, docs/methods.md §2.1)."""
    out = []
    for dark, statistic in ((False, Statistic.VOD_SHARE_LIGHT), (True, Statistic.VOD_SHARE_DARK)):
        rows = sample.stops[sample.stops["is_dark"] == dark]
        x = float(rows.loc[rows["group"] == str(group), "stops"].sum())
        n = float(rows["stops"].sum())
        est = replace(_shell(group, reference, period, window, statistic, sample), numerator=x, denominator=n)
        if n == 0:
            out.append(not_estimable(_with_caveats(est), f"no {'dark' if dark else 'light'} stops in {span(window)}"))
            continue
        ci = iv.proportion_ci(x, n, level=level)
        out.append(_with_caveats(apply_stability(replace(est, value=x / n, ci=ci.bounds, ci_method=ci.method), x)))
    return out


def _odds_ratio(
    sample: VodSample,
    group: Group,
    reference: Group,
    period: Period,
    window: DateSpan,
    level: float,
    *,
    district: bool,
) -> Estimate:
    """exp(β_dark) with exp(β ± z·SE) and the Wald p, or not estimable with the reason (docs/methods.md §4.2)."""
    statistic = Statistic.VOD_ODDS_RATIO_DISTRICT if district else Statistic.VOD_ODDS_RATIO
    est = _shell(group, reference, period, window, statistic, sample)
    counts, note = model_counts(sample, group, district=district)
    focal, ref = float(counts["focal"].sum()), float(counts["reference"].sum())
    est = replace(est, numerator=focal, denominator=focal + ref).with_flags(note=note)
    est = est.with_flags(note=_model_note(district))
    # A group missing from the whole sample is the reason to give, not the district filter that follows from it.
    why = _refusal(model_counts(sample, group, district=False)[0], group, reference, window, False)
    if why is None and district:
        why = _refusal(counts, group, reference, window, True)
    if why is None:
        fit = fit_darkness(counts, district_effects=district)
        why = None if fit is not None else "the logistic model did not converge to finite estimates"
    if why is not None:
        return not_estimable(_with_caveats(est), why)
    z = ss.norm.ppf(1 - (1 - level) / 2)
    ci = (math.exp(fit.beta - z * fit.se), math.exp(fit.beta + z * fit.se))
    est = replace(
        est,
        value=math.exp(fit.beta),
        ci=ci,
        ci_method=VOD_WALD_CI,
        p_value=fit.p_value,
        test_method=VOD_WALD_TEST,
    )
    return _with_caveats(apply_stability(est, focal, ref))


def _refusal(counts: pd.DataFrame, group: Group, reference: Group, window: DateSpan, district: bool) -> str | None:
    """Why the model cannot be fitted: too few stops, or an empty group, light or dark class."""
    n = int(counts["focal"].sum() + counts["reference"].sum())
    where = f"the inter-twilight stops of {span(window)}" + (" with a known district" if district else "")
    if n < MIN_STOPS:
        who = f"{GROUP_LABELS[group]} and {GROUP_LABELS[reference]}"
        return f"too few stops: {n} {who} stops in {where} (under {MIN_STOPS})"
    for col, who in (("focal", group), ("reference", reference)):
        if counts[col].sum() == 0:
            return f"no {GROUP_LABELS[who]} stops in {where}"
    totals = counts.assign(n=counts["focal"] + counts["reference"]).groupby("is_dark")["n"].sum()
    for dark in (False, True):
        if totals.get(dark, 0) == 0:
            return f"no stops {'after dusk' if dark else 'before sunset'} in {where}"
    if district and counts["district"].nunique() < 2:
        return f"fewer than two districts where both groups were stopped in {where}"
    return None


def _model_note(district: bool) -> str:
    controls = "a natural spline in clock time (df 6)" + (" and district fixed effects" if district else "")
    return f"logistic regression of P(group | stop) on darkness, controlling for {controls} (docs/methods.md §4.2)"


def _with_caveats(est: Estimate) -> Estimate:
    for caveat in VOD_CAVEATS:
        est = est.with_flags(note=caveat)
    return est


def share_by_clock_time(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    location: Location,
    group: Group = Group.BLACK,
    reference: Group = Group.WHITE,
    bin_minutes: int = 15,
    level: float = 0.95,
) -> pd.DataFrame:
    """The focal group's share of inter-twilight stops by clock-time bin (start minute, floored as OPP's
    plots), in light and in dark, with Wilson intervals: the data of the OPP tutorial chart. Columns
    clock_minute, is_dark, focal, total, share, low, high; empty without stop times."""
    columns = ["clock_minute", "is_dark", "focal", "total", "share", "low", "high"]
    sample = vod_sample(sources, window, location=location, groups=[group, reference])
    if sample is None or sample.stops.empty:
        return pd.DataFrame(columns=columns)
    stops = sample.stops.assign(
        clock_minute=sample.stops["minute"] // bin_minutes * bin_minutes,
        focal=np.where(sample.stops["group"] == str(group), sample.stops["stops"], 0),
    )
    out = stops.groupby(["clock_minute", "is_dark"], as_index=False).agg(focal=("focal", "sum"), total=("stops", "sum"))
    bounds = [iv.proportion_ci(f, t, level=level) for f, t in zip(out["focal"], out["total"], strict=True)]
    return out.assign(
        share=out["focal"] / out["total"], low=[b.low for b in bounds], high=[b.high for b in bounds]
    ).loc[:, columns]
