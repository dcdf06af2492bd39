"""Trust surveys and community contacts (report section 9): survey means and shares by group, then vs now, the
gap between each group and the reference group, and non-enforcement contacts per resident.

Survey values are read from the survey table the adapters keep (`extras["survey"]`, `sources.surveys`), never
summed with `window_totals`: means are on the canonical 0–100 scale (0–10 × 10), shares are proportions.

Statistics (ids `measure.statistic.group.period`; measure `survey_trust_mean` or `survey_safety_mean`):

- `mean` / `share` (period then, now): the window's value from the waves lying wholly inside it; flagged
  `partial coverage` (with how many of the window's months the waves cover) when they leave months uncovered,
  and so are the gaps and changes built on it. When every
  wave has a sample size (and, for means, an sd) and is a direct survey estimate, the waves are pooled as one
  sample: the respondent-weighted mean and the pooled sd (within- plus between-wave variance), effective sample
  size n / design effect (Kish), a t interval (Wilson score interval for shares, docs/methods.md §2.1). Otherwise the
  value is the unweighted mean of the wave values, with **no sampling interval** (a note says why) — the case
  of modelled scores such as Chicago's.
- `mean_difference` / `proportion_difference` (period change): now − then; Welch's t-test and interval
  (Welch–Satterthwaite df) for means, Newcombe interval and score test for shares (docs/methods.md §2.1); a
  descriptive difference without interval when either side has none.
- `mean_gap` / `percentage_point_gap` (then, now): group − reference group in the window (Black − white:
  negative when Black residents report less trust), Welch or Newcombe as above.
- `mean_gap_difference` (change, means only): gap now − gap then, a difference in differences with SE the root
  of the four variances, normal interval and z-test.
- `contacts` `count` and `rate` (then, now; group `all`): `metrics.contacts`.

Only polls of the city itself (`scope` city) enter these statistics. Per-wave series for charts: `wave_series`
and `gap_series` (DataFrames, intervals where the wave has them). Beside them, for tables: `item_table`, the
window values of every other item a city poll asked (each under its own label), and `context_table`, the waves
of polls wider than the city (state, nation), each with its interval: context, never the city's trust.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import scipy.stats as ss

from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import Coverage
from trustreport.estimate import Estimate
from trustreport.metrics.contacts import contacts_rates
from trustreport.metrics.inputs import merge_sources, new_estimate, span
from trustreport.metrics.small_numbers import not_estimable
from trustreport.sources.base import SourceData
from trustreport.sources.survey_table import (
    QUESTION_MEASURES,
    SURVEY_COLUMNS,
    city_rows,
    context_rows,
    with_survey_schema,
)
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st
from trustreport.vocab import GROUP_LABELS, DateSpan, Flag, Group, Measure, Period

__all__ = [
    "context_table",
    "gap_series",
    "item_table",
    "share_answers",
    "survey_frame",
    "trust_and_contacts",
    "trust_change",
    "trust_in_window",
    "wave_series",
]

WELCH = "Welch t-test"
WELCH_CI = "Welch t interval (Welch–Satterthwaite df)"
T_CI = "t interval on pooled waves (effective n = n / design effect)"
Z_DID = "normal interval and z-test on a difference of two gaps (SE from four independent samples)"
NO_INTERVAL = (
    "no sampling interval: {why}; the value is the unweighted mean of the wave values and differences are "
    "descriptive only"
)


def _no_interval(why: str) -> Caveat:
    return Caveat(CaveatKind.NO_INTERVAL, NO_INTERVAL.format(why=why))


def survey_frame(counts: pd.DataFrame, sources: Sequence[SourceData]) -> pd.DataFrame:
    """Every survey row of the report (columns `SURVEY_COLUMNS`): the adapters' `extras["survey"]` tables, plus
    survey means that reached the counts table from a source without one (e.g. published aggregates), taken
    as means with no sd."""
    tables = [s.extras["survey"] for s in sources if "survey" in s.extras]
    with_table = {s.info.id for s in sources if "survey" in s.extras}
    measures = {str(m): q for q, m in QUESTION_MEASURES.items()}
    loose = counts[counts["measure"].isin(measures) & ~counts["source_id"].isin(with_table)]
    if len(loose):
        tables.append(
            pd.DataFrame(
                {
                    "source_id": loose["source_id"],
                    "wave": loose["period_start"].dt.strftime("%Y-%m-%d"),
                    "period_start": loose["period_start"],
                    "period_end": loose["period_end"],
                    "question": loose["measure"].map(measures),
                    "statistic": "mean",
                    "group": loose["group"],
                    "value": loose["value"],
                    "n": loose["n"],
                    "sd": math.nan,
                    "design_effect": 1.0,
                    "scale": "0-100",
                    "modelled": False,
                }
            )
        )
    if not tables:
        return pd.DataFrame({c: [] for c in SURVEY_COLUMNS})
    return with_survey_schema(pd.concat([with_survey_schema(t) for t in tables], ignore_index=True))


@dataclass(frozen=True)
class Pooled:
    """One group's survey value in a window: value (mean 0–100 or share 0–1), the respondents' variance
    (means) and effective sample size when the waves support a sampling interval, and what it rests on."""

    value: float | None
    variance: float | None
    n_eff: float | None
    waves: int
    respondents: float | None
    sources: tuple[str, ...]
    why_no_interval: str | None
    partial: str | None = None  # why the waves cover only part of the window, or None

    @property
    def sampled(self) -> bool:
        return self.why_no_interval is None and self.value is not None

    @property
    def se2(self) -> float:
        """Squared standard error of the value (means: variance / n_eff; shares: p(1−p) / n_eff)."""
        return self.variance / self.n_eff


def pool(survey: pd.DataFrame, question: str, statistic: str, group: Group, window: DateSpan) -> Pooled:
    """The waves of one question, statistic and group lying wholly inside `window`, pooled (module doc)."""
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    rows = survey[
        (survey["question"] == question)
        & (survey["statistic"] == statistic)
        & (survey["group"] == str(group))
        & (survey["period_start"] >= start)
        & (survey["period_end"] <= end)
    ]
    sources = tuple(sorted(set(rows["source_id"])))
    if rows.empty:
        return Pooled(None, None, None, 0, None, sources, "no waves")
    why = _why_no_interval(rows, statistic)
    partial = _partial_coverage(rows, window)
    if why:
        return Pooled(float(rows["value"].mean()), None, None, len(rows), None, sources, why, partial)
    n, m = rows["n"].astype(float), rows["value"].astype(float)
    total = float(n.sum())
    mean = float((n * m).sum() / total)
    if statistic == Statistic.MEAN:
        within = ((n - 1) * rows["sd"].astype(float) ** 2).sum()
        variance = float((within + (n * (m - mean) ** 2).sum()) / (total - 1))
    else:
        variance = mean * (1 - mean)
    deff = float((n * rows["design_effect"].astype(float)).sum() / total)
    return Pooled(mean, variance, total / deff, len(rows), total, sources, None, partial)


def _partial_coverage(rows: pd.DataFrame, window: DateSpan) -> str | None:
    """'survey waves cover 14 of the 24 months of 2017-01-01 to 2018-12-31' when the waves inside the window
    leave some of its months uncovered (a window's value then describes only the months surveyed)."""
    months = {m for r in rows.itertuples(index=False) for m in pd.period_range(r.period_start, r.period_end, freq="M")}
    wanted = pd.period_range(window[0], window[1], freq="M")
    if len(months) >= len(wanted):
        return None
    return f"survey waves cover {len(months)} of the {len(wanted)} months of {span(window)}"


def _with_coverage(est: Estimate, *sides: Pooled) -> Estimate:
    """`est` flagged `partial coverage`, with each side's note, when a side's waves cover part of its window."""
    for note in dict.fromkeys(side.partial for side in sides if side.partial):
        est = est.with_flags(Flag.PARTIAL_COVERAGE, note=note)
    return est


def _why_no_interval(rows: pd.DataFrame, statistic: str) -> str | None:
    if rows["modelled"].astype(bool).any():
        return "the scores are model-based estimates published without sample sizes or margins of error"
    if rows["n"].isna().any():
        return "a wave has no published sample size"
    if statistic == Statistic.MEAN and rows["sd"].isna().any():
        return "a wave has no published standard deviation"
    if statistic == Statistic.MEAN and rows["n"].sum() < 2:
        return "fewer than two respondents"
    return None


def trust_in_window(
    survey: pd.DataFrame,
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per question (trust, safety), statistic and group (with `all`): the window's `mean` or `share`, then the
    gap of each other group vs `reference` (`mean_gap`, `percentage_point_gap`) (module doc)."""
    out: list[Estimate] = []
    shown = list(dict.fromkeys([*groups, reference, Group.ALL]))
    for question, statistic in _present(survey):
        measure = QUESTION_MEASURES[question]
        pooled = {g: pool(survey, question, statistic, g, window) for g in shown}
        out += [
            _with_coverage(_level(measure, statistic, g, period, window, pooled[g], level), pooled[g])
            for g in shown
            if pooled[g].waves
        ]
        gap = Statistic.MEAN_GAP if statistic == Statistic.MEAN else Statistic.PERCENTAGE_POINT_GAP
        for g in shown:
            if g in (reference, Group.ALL) or not pooled[g].waves:
                continue
            est = new_estimate(measure, gap, g, period, window, value=None, reference_group=reference)
            gap_est = _difference(est, pooled[g], pooled[reference], statistic, level, f"{GROUP_LABELS[reference]}")
            out.append(_with_coverage(gap_est, pooled[g], pooled[reference]))
    return out


def trust_change(
    survey: pd.DataFrame,
    then: DateSpan,
    now: DateSpan,
    *,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per question, statistic and group: now − then (`mean_difference`, `proportion_difference`), and for
    means the change of each group's gap vs `reference` (`mean_gap_difference`) (module doc)."""
    out: list[Estimate] = []
    shown = list(dict.fromkeys([*groups, reference, Group.ALL]))
    for question, statistic in _present(survey):
        measure = QUESTION_MEASURES[question]
        sides = {
            g: (pool(survey, question, statistic, g, then), pool(survey, question, statistic, g, now)) for g in shown
        }
        name = Statistic.MEAN_DIFFERENCE if statistic == Statistic.MEAN else Statistic.PROPORTION_DIFFERENCE
        for g in shown:
            if not any(p.waves for p in sides[g]):
                continue
            est = new_estimate(measure, name, g, Period.CHANGE, now, value=None, then_window=then)
            diff = _difference(est, sides[g][1], sides[g][0], statistic, level, "then")
            out.append(_with_coverage(diff, *sides[g]))
        if statistic != Statistic.MEAN:
            continue
        for g in shown:
            if g not in (reference, Group.ALL) and any(p.waves for p in sides[g]):
                est = new_estimate(
                    measure, Statistic.MEAN_GAP_DIFFERENCE, g, Period.CHANGE, now, value=None, then_window=then
                )
                did = _gap_difference(replace(est, reference_group=reference), sides[g], sides[reference], level)
                out.append(_with_coverage(did, *sides[g], *sides[reference]))
    return out


def _present(survey: pd.DataFrame) -> list[tuple[str, str]]:
    """(question, statistic) pairs the survey table holds, trust before safety, means before shares."""
    held = set(zip(survey["question"], survey["statistic"], strict=True))
    return [(q, s) for q in QUESTION_MEASURES for s in ("mean", "share") if (q, s) in held]


def _level(measure: Measure, statistic: str, group: Group, period: Period, window: DateSpan, p: Pooled, level: float):
    est = new_estimate(
        measure,
        Statistic(statistic),
        group,
        period,
        window,
        value=p.value,
        denominator=p.respondents,
        sources=p.sources,
        notes=(f"{p.waves} survey wave{'s' if p.waves != 1 else ''} in {span(window)}",),
    )
    if not p.sampled:
        return est.with_flags(note=_no_interval(why=p.why_no_interval))
    if statistic == Statistic.SHARE:
        ci = iv.proportion_ci(p.value * p.n_eff, p.n_eff, level=level)
        return replace(est, ci=ci.bounds, ci_method=f"{ci.method} (effective n = n / design effect)")
    half = ss.t.ppf(0.5 + level / 2, p.n_eff - 1) * math.sqrt(p.se2)
    return replace(est, ci=(p.value - half, p.value + half), ci_method=T_CI)


def _difference(est: Estimate, a: Pooled, b: Pooled, statistic: str, level: float, b_label: str) -> Estimate:
    """a − b: Welch (means) or Newcombe with a score test (shares); descriptive when either side lacks an
    interval; not estimable when either side has no waves."""
    est = replace(est, sources=merge_sources(a.sources, b.sources), numerator=a.value, denominator=b.value)
    if a.value is None or b.value is None:
        side = "this group" if a.value is None else b_label
        return not_estimable(est, f"no survey waves for {side} in the window")
    est = replace(est, value=a.value - b.value)
    if not (a.sampled and b.sampled):
        why = a.why_no_interval or b.why_no_interval
        return est.with_flags(note=_no_interval(why=why))
    if statistic == Statistic.SHARE:
        xa, xb = a.value * a.n_eff, b.value * b.n_eff
        ci = iv.proportion_difference_ci(xa, a.n_eff, xb, b.n_eff, level=level)
        test = st.proportion_test(xa, a.n_eff, xb, b.n_eff, compare="diff")
        return replace(est, ci=ci.bounds, ci_method=ci.method, p_value=test.p_value, test_method=test.method)
    return _welch(est, a, b, level)


def _welch(est: Estimate, a: Pooled, b: Pooled, level: float) -> Estimate:
    """Welch's unequal-variance t-test of two means (scipy `ttest_ind_from_stats`, `equal_var=False`) and the
    matching interval with Welch–Satterthwaite degrees of freedom."""
    va, vb = a.se2, b.se2
    df = (va + vb) ** 2 / (va**2 / (a.n_eff - 1) + vb**2 / (b.n_eff - 1))
    res = ss.ttest_ind_from_stats(
        a.value, math.sqrt(a.variance), a.n_eff, b.value, math.sqrt(b.variance), b.n_eff, equal_var=False
    )
    half = ss.t.ppf(0.5 + level / 2, df) * math.sqrt(va + vb)
    diff = a.value - b.value
    return replace(est, ci=(diff - half, diff + half), ci_method=WELCH_CI, p_value=float(res.pvalue), test_method=WELCH)


def _gap_difference(est: Estimate, group: tuple[Pooled, Pooled], ref: tuple[Pooled, Pooled], level: float):
    """(group − reference) now minus (group − reference) then; normal interval and z-test."""
    cells = (*group, *ref)
    est = replace(est, sources=merge_sources(*(c.sources for c in cells)))
    if any(c.value is None for c in cells):
        return not_estimable(est, "a group has no survey waves in the then or the now window")
    gap_then, gap_now = group[0].value - ref[0].value, group[1].value - ref[1].value
    est = replace(est, value=gap_now - gap_then, numerator=gap_now, denominator=gap_then)
    unsampled = [c for c in cells if not c.sampled]
    if unsampled:
        return est.with_flags(note=_no_interval(why=unsampled[0].why_no_interval))
    se = math.sqrt(sum(c.se2 for c in cells))
    z = ss.norm.ppf(0.5 + level / 2)
    p = float(2 * ss.norm.sf(abs(est.value) / se))
    ci = (est.value - z * se, est.value + z * se)
    return replace(est, ci=ci, ci_method=Z_DID, p_value=p, test_method="z-test on a difference of gaps")


def wave_series(survey: pd.DataFrame, *, question: str = "trust", level: float = 0.95) -> pd.DataFrame:
    """Per wave and group, the survey mean (0–100) or share with its interval where the wave has one: columns
    wave, period_start, period_end, mid, group, statistic, value, low, high, n, modelled, source_id."""
    rows = _with_wave_intervals(survey[survey["question"] == question], level)
    rows["mid"] = rows["period_start"] + (rows["period_end"] - rows["period_start"]) / 2
    cols = ["wave", "period_start", "period_end", "mid", "group", "statistic", "value", "low", "high", "n"]
    return (
        rows.loc[:, [*cols, "modelled", "source_id"]]
        .sort_values(["statistic", "group", "period_start"])
        .reset_index(drop=True)
    )


def _with_wave_intervals(rows: pd.DataFrame, level: float) -> pd.DataFrame:
    """`rows` with `low`, `high`: each wave's own interval (t interval for a mean with n and sd, Wilson score for
    a share with n, both on effective n = n / design effect, docs/methods.md §2.1); NaN for modelled or unsized
    waves."""
    rows = rows.copy()
    lows, highs = [], []
    for r in rows.itertuples(index=False):
        lo = hi = math.nan
        if not r.modelled and not math.isnan(r.n) and (r.statistic == Statistic.SHARE or not math.isnan(r.sd)):
            n_eff = r.n / r.design_effect
            if r.statistic == Statistic.SHARE:
                ci = iv.proportion_ci(r.value * n_eff, n_eff, level=level)
                lo, hi = ci.low, ci.high
            elif n_eff > 1:
                half = ss.t.ppf(0.5 + level / 2, n_eff - 1) * r.sd / math.sqrt(n_eff)
                lo, hi = r.value - half, r.value + half
        lows.append(lo)
        highs.append(hi)
    rows["low"], rows["high"] = lows, highs
    return rows


def item_table(
    survey: pd.DataFrame,
    windows: Sequence[tuple[Period, DateSpan]],
    *,
    groups: Sequence[Group],
    level: float = 0.95,
) -> pd.DataFrame:
    """Every item a city poll asked besides trust and safety, under its own label: per item, statistic, group
    and window, the waves inside the window pooled as for trust (`pool`: respondent-weighted, t or Wilson
    interval on effective n, docs/methods.md §2.1; the unweighted mean of the waves and no interval otherwise).
    Columns item, statistic, answer, group, period, value, low, high, waves, respondents, why_no_interval."""
    city = city_rows(survey)
    other = city[~city["question"].isin(QUESTION_MEASURES)]
    rows = []
    for (item, statistic), held in other.groupby(["question", "statistic"], sort=False):
        answer = "; ".join(a for a in dict.fromkeys(held["answer"]) if a)
        for group in dict.fromkeys([*groups, Group.ALL]):
            for period, window in windows:
                p = pool(held, item, statistic, group, window)
                if not p.waves:
                    continue
                low = high = math.nan
                if p.sampled and statistic == Statistic.SHARE:
                    ci = iv.proportion_ci(p.value * p.n_eff, p.n_eff, level=level)
                    low, high = ci.low, ci.high
                elif p.sampled:
                    half = ss.t.ppf(0.5 + level / 2, p.n_eff - 1) * math.sqrt(p.se2)
                    low, high = p.value - half, p.value + half
                rows.append(
                    dict(
                        item=item,
                        statistic=statistic,
                        answer=answer,
                        group=str(group),
                        period=str(period),
                        value=p.value,
                        low=low,
                        high=high,
                        waves=p.waves,
                        respondents=p.respondents,
                        why_no_interval=p.why_no_interval or "",
                    )
                )
    columns = ["item", "statistic", "answer", "group", "period", "value", "low", "high", "waves", "respondents"]
    return pd.DataFrame(rows, columns=[*columns, "why_no_interval"])


def context_table(survey: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """The waves of polls wider than the city (county, state, nation), each with its own interval
    (`_with_wave_intervals`): columns geography, scope, population, item, answer, statistic, group, wave,
    period_start, period_end, value, low, high, n, source_id. Context only: no window, no test."""
    rows = _with_wave_intervals(context_rows(survey), level).rename(columns={"question": "item"})
    cols = ["geography", "scope", "population", "item", "answer", "statistic", "group", "wave"]
    cols += ["period_start", "period_end", "value", "low", "high", "n", "source_id"]
    return rows.loc[:, cols].sort_values(["geography", "item", "period_start", "group"]).reset_index(drop=True)


def share_answers(survey: pd.DataFrame) -> dict[str, str]:
    """Per question of the city's polls, the answers its shares count ('a great deal; a fair amount'), when the
    file says; a table heads the shares with them."""
    shares = city_rows(survey)
    shares = shares[(shares["statistic"] == Statistic.SHARE) & (shares["answer"] != "")]
    return {q: "; ".join(dict.fromkeys(rows["answer"])) for q, rows in shares.groupby("question", sort=False)}


def gap_series(
    survey: pd.DataFrame, *, question: str = "trust", group: Group = Group.BLACK, reference: Group = Group.WHITE
) -> pd.DataFrame:
    """Per wave holding both groups' means: group − reference (columns wave, period_start, mid, gap)."""
    series = wave_series(survey, question=question)
    series = series[series["statistic"] == "mean"]
    key = ["source_id", "wave", "period_start", "mid"]
    a = series[series["group"] == str(group)].set_index(key)["value"]
    b = series[series["group"] == str(reference)].set_index(key)["value"]
    gap = (a - b).dropna().rename("gap").reset_index()
    return gap.sort_values("period_start").reset_index(drop=True)


def trust_and_contacts(
    counts: pd.DataFrame,
    sources: Sequence[SourceData],
    *,
    then: DateSpan,
    now: DateSpan,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 1000,
    coverages: Sequence[Coverage] = (),
) -> list[Estimate]:
    """Report section 9: survey values and gaps then and now, their changes, and contacts per resident (polls of
    the city only: a wider poll is context, `context_table`)."""
    survey = city_rows(survey_frame(counts, sources))
    common = dict(groups=groups, reference=reference, level=level)
    out = [*trust_in_window(survey, then, period=Period.THEN, **common)]
    out += trust_in_window(survey, now, period=Period.NOW, **common)
    out += trust_change(survey, then, now, **common)
    for period, window in ((Period.THEN, then), (Period.NOW, now)):
        out += contacts_rates(counts, window, period=period, coverages=coverages, level=level, rate_per=rate_per)
    return out
