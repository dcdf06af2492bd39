"""What the charts and tables show beyond the estimates, prepared here so that presentation computes nothing:
the series each chart draws, and the fixed method notes printed beside a table (each defined next to the metric
that raises it). `report.build()` prepares them once; `Report.prepared` carries them to `figures` and `tables`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from trustreport.counts import Coverage, coverage_of
from trustreport.estimate import Estimate
from trustreport.metrics.homicides import annual_counts
from trustreport.metrics.outcome_test import INFRA_MARGINALITY_NOTE, hit_rates_by_district
from trustreport.metrics.settlement_lag import CENSORING_NOTE
from trustreport.metrics.trust import context_table, gap_series, item_table, share_answers, survey_frame, wave_series
from trustreport.metrics.veil_of_darkness import VOD_CAVEATS, share_by_clock_time
from trustreport.metrics.workforce import BENCHMARK_NOTE
from trustreport.metrics.year_to_date import YTD_CAVEAT
from trustreport.params import Params
from trustreport.sources.base import SourceData
from trustreport.sources.survey_table import city_rows
from trustreport.statistic import Statistic
from trustreport.stats.intervals import poisson_rate_ci
from trustreport.stop_mode import stop_mode, stopped_people
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    PER_RESIDENT_MEASURES,
    STOPPED_NOUNS,
    Flag,
    Group,
    Measure,
    Period,
    StopMode,
)

# Sub-city cells under 10 searches are suppressed (docs/methods.md §5.3, CDC WONDER rule).
DISTRICT_MIN_SEARCHES = 10
# A month or year the sources cover for less than this share of its days is not a whole period: charts draw it
# apart from the line (its count would read as a fall).
WHOLE_PERIOD = 0.99


@dataclass(frozen=True)
class MethodNotes:
    """The fixed notes a table prints beside its numbers (the same text the metrics attach to estimates)."""

    infra_marginality: str = INFRA_MARGINALITY_NOTE
    veil_of_darkness: tuple[str, ...] = VOD_CAVEATS
    year_to_date: str = YTD_CAVEAT
    settlement_censoring: str = CENSORING_NOTE
    workforce_benchmark: str = BENCHMARK_NOTE


@dataclass(frozen=True)
class Prepared:
    """Series the charts draw, by period or question, and the tables' method notes.

    `hit_rates`: per period, the outcome test's district table (`outcome_test.hit_rates_by_district`, districts
    with fewer than `DISTRICT_MIN_SEARCHES` searches of either group left out). `darkness`: per period, the
    veil-of-darkness focal group's share of stops by clock time (`veil_of_darkness.share_by_clock_time`), for
    `darkness_group`. `homicides_annual`: victims and clearances per calendar year (`homicides.annual_counts`),
    a group's covered year without a victim as an explicit 0 and a year no source covers as a row of NaN (a gap).
    `killings_annual`: people killed by police per calendar year and group (`killings_per_year`, zeros and gaps
    the same way).
    `trust_waves`: per survey question, means and shares per wave and group (`trust.wave_series`); `trust_gaps`:
    per question and group, the gap to the reference group per wave (`trust.gap_series`), both from polls of the
    city only; `survey_items`: the city polls' other items by window (`trust.item_table`); `survey_context`:
    the waves of polls wider than the city (`trust.context_table`); `survey_answers`: per question, the answer
    its shares count (`trust.share_answers`). `monthly`: per
    measure held as daily rows, counts per month and group (`monthly_counts`); `force_monthly`: force incidents
    per month, one column per group (`monthly_force`); in both, every month of the covered span, 0 where
    nothing was recorded, NaN where no source covers the month. `stopped` and `stop_mode`: who the stop files' stops are
    ("drivers", "pedestrians", "people stopped"; `trustreport.stop_mode`)."""

    min_district_searches: int = DISTRICT_MIN_SEARCHES
    hit_rates: Mapping[Period, pd.DataFrame] = field(default_factory=dict)
    darkness_group: Group | None = None
    darkness: Mapping[Period, pd.DataFrame] = field(default_factory=dict)
    homicides_annual: pd.DataFrame = field(default_factory=pd.DataFrame)
    killings_annual: pd.DataFrame = field(default_factory=pd.DataFrame)
    trust_waves: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    trust_gaps: Mapping[tuple[str, Group], pd.DataFrame] = field(default_factory=dict)
    survey_items: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey_context: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey_answers: Mapping[str, str] = field(default_factory=dict)
    monthly: Mapping[Measure, pd.DataFrame] = field(default_factory=dict)
    force_monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: MethodNotes = MethodNotes()
    stopped: str = STOPPED_NOUNS[StopMode.VEHICULAR]
    stop_mode: StopMode = StopMode.VEHICULAR

    def now_only(self) -> Prepared:
        """The series of a "now only" report: the `now` window's alone (computed with then set to now)."""
        return replace(
            self,
            hit_rates={k: v for k, v in self.hit_rates.items() if k == Period.NOW},
            darkness={k: v for k, v in self.darkness.items() if k == Period.NOW},
            survey_items=self.survey_items[self.survey_items.get("period", pd.Series(dtype=str)) == str(Period.NOW)]
            if not self.survey_items.empty
            else self.survey_items,
        )


def prepare(counts: pd.DataFrame, sources: Sequence[SourceData], p: Params, estimates: Sequence[Estimate]) -> Prepared:
    """Every series the report's charts draw, computed once from the counts, sources and estimates."""
    coverages = [c for s in sources for c in s.coverage]
    darkness_group, darkness = _darkness(sources, p, estimates)
    survey = survey_frame(counts, sources)
    waves, gaps = _trust(city_rows(survey), p)
    return Prepared(
        hit_rates=_hit_rates(sources, p),
        darkness_group=darkness_group,
        darkness=darkness,
        homicides_annual=_zero_years(annual_counts(counts, coverages), coverages, Measure.HOMICIDE_VICTIMS),
        killings_annual=killings_per_year(estimates, coverages),
        trust_waves=waves,
        trust_gaps=gaps,
        survey_items=item_table(
            survey, [(period, win.dates) for period, win in _windows(p)], groups=p.groups, level=p.options.level
        ),
        survey_context=context_table(survey, level=p.options.level),
        survey_answers=share_answers(survey),
        monthly=monthly_counts(counts, p.groups, coverages),
        force_monthly=monthly_force(counts, p.groups, coverages),
        stopped=stopped_people(sources),
        stop_mode=stop_mode(sources),
    )


def covered_months(coverages: Sequence[Coverage], measure: Measure, observed: pd.Series) -> pd.Series:
    """Share of each calendar month's days covered by a source holding `measure` (index: month start), from the
    first to the last month any coverage record or `observed` date touches. Without coverage records for the
    measure, every month from the first to the last observed date counts as covered."""
    held = [c for c in coverages if c.measure == measure]
    dates = [*observed, *(pd.Timestamp(c.start) for c in held), *(pd.Timestamp(c.end) for c in held)]
    if not dates:
        return pd.Series(dtype=float)
    months = pd.date_range(min(dates).to_period("M").to_timestamp(), max(dates), freq="MS")
    if not held:
        return pd.Series(1.0, index=months)
    spans = [(m.date(), (m + pd.offsets.MonthEnd(0)).date()) for m in months]
    return pd.Series([coverage_of(held, measure, s) for s in spans], index=months)


def monthly_counts(
    counts: pd.DataFrame, groups: Sequence[Group], coverages: Sequence[Coverage] = ()
) -> dict[Measure, pd.DataFrame]:
    """For every per-resident or conditional measure held as daily rows (any group but `all`): its counts summed
    by calendar month and group, for `groups` (columns month, group, value, covered, whole). Every month of the covered
    span is present: 0 where a covered month has no row (incident files hold only days with events), NaN where
    no source covers the month, so a line never joins across it; `covered` is the share of the month's days
    covered (`covered_months`), `whole` whether that is all of them (`WHOLE_PERIOD`)."""
    daily = counts[(counts["period_start"] == counts["period_end"]) & (counts["group"] != str(Group.ALL))]
    held = [m for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES) if (daily["measure"] == str(m)).any()]
    shown = [str(g) for g in groups]
    out: dict[Measure, pd.DataFrame] = {}
    for measure in held:
        rows = daily[(daily["measure"] == str(measure)) & daily["group"].isin(shown)]
        months = covered_months(coverages, measure, daily.loc[daily["measure"] == str(measure), "period_start"])
        summed = (
            rows.assign(month=rows["period_start"].dt.to_period("M").dt.to_timestamp())
            .pivot_table(index="month", columns="group", values="value", aggfunc="sum")
            .reindex(index=months.index, columns=[g for g in shown if g in set(rows["group"])])
            .fillna(0.0)
        )
        summed.loc[months.to_numpy() == 0, :] = np.nan
        long = summed.rename_axis(index="month", columns="group").stack(future_stack=True).rename("value")
        frame = long.reset_index()
        frame["covered"] = frame["month"].map(months)
        frame["whole"] = frame["covered"] >= WHOLE_PERIOD
        out[measure] = frame.sort_values(["month", "group"], kind="stable").reset_index(drop=True)
    return out


def monthly_force(counts: pd.DataFrame, groups: Sequence[Group], coverages: Sequence[Coverage] = ()) -> pd.DataFrame:
    """Force incidents per month (index) and group (columns), from daily rows only (five-year totals cannot be
    placed in a month); every month of the covered span, 0 where nothing was recorded, NaN where no source
    covers the month (two yearly files a year apart leave a gap, never a line). Empty without daily force rows
    for `groups`."""
    daily = counts[
        (counts["measure"] == str(Measure.FORCE_INCIDENTS)) & (counts["period_start"] == counts["period_end"])
    ]
    rows = daily[daily["group"].isin([str(g) for g in groups])]
    if rows.empty:
        return pd.DataFrame()
    months = covered_months(coverages, Measure.FORCE_INCIDENTS, daily["period_start"])
    month = rows["period_start"].dt.to_period("M").dt.to_timestamp()
    table = rows.assign(month=month).pivot_table(index="month", columns="group", values="value", aggfunc="sum")
    table = table.reindex(months.index).fillna(0.0)
    table.loc[months.to_numpy() == 0, :] = np.nan
    table.index.name = "month"
    table.columns.name = "group"
    return table


def killings_per_year(estimates: Sequence[Estimate], coverages: Sequence[Coverage]) -> pd.DataFrame:
    """People killed by police per calendar year and group (columns year, group, value, low, high, partial),
    from the `annual_count` estimates (Garwood exact interval, docs/methods.md §1.2B). A year the sources cover with no
    death at all has no estimate; it is drawn as 0 with the Garwood interval of 0 for every group the sources
    record (the groups with an estimate in some year), over every year the sources touch. A year inside the
    span that no source covers is a row of NaN: a gap."""
    annual = [e for e in estimates if e.measure == Measure.POLICE_KILLINGS and e.statistic == Statistic.ANNUAL_COUNT]
    if not annual:
        return pd.DataFrame(columns=["year", "group", "value", "low", "high", "partial"])
    rows = {
        (int(e.id.rsplit(".", 1)[1]), e.group): {
            "value": e.value if e.estimable else np.nan,
            "low": e.ci[0] if e.ci and e.ci[0] is not None else e.value,
            "high": e.ci[1] if e.ci and e.ci[1] is not None else e.value,
            "partial": Flag.PARTIAL_COVERAGE in e.flags,
        }
        for e in annual
    }
    groups = list(dict.fromkeys(g for _, g in rows))
    zero = poisson_rate_ci(0).bounds
    held = [c for c in coverages if c.measure == Measure.POLICE_KILLINGS]
    known = [y for y, _ in rows] + [c.start.year for c in held] + [c.end.year for c in held]
    years = range(min(known), max(known) + 1)
    out = []
    for year in years:
        share = coverage_of(held, Measure.POLICE_KILLINGS, (date(year, 1, 1), date(year, 12, 31))) if held else 1.0
        for group in groups:
            if (year, group) in rows:
                out.append({"year": year, "group": group, **rows[(year, group)]})
            elif share > 0:
                out.append(
                    {"year": year, "group": group, "value": 0.0, "low": zero[0], "high": zero[1],
                     "partial": share < WHOLE_PERIOD}
                )  # fmt: skip
            else:
                out.append({"year": year, "group": group, "value": np.nan, "low": np.nan, "high": np.nan,
                            "partial": False})  # fmt: skip
    return pd.DataFrame(out)


def _zero_years(annual: pd.DataFrame, coverages: Sequence[Coverage], measure: Measure) -> pd.DataFrame:
    """`annual` (columns year, group, counts…, covered) with every year of its span for every group in it: 0
    where a covered year has no row for the group, NaN counts where no source covers the year."""
    if annual.empty:
        return annual
    held = [c for c in coverages if c.measure == measure]
    years = range(int(annual["year"].min()), int(annual["year"].max()) + 1)
    groups = list(dict.fromkeys(annual["group"]))
    full = annual.set_index(["year", "group"]).reindex(pd.MultiIndex.from_product([years, groups]))
    full.index.names = ["year", "group"]
    share = {y: coverage_of(held, measure, (date(y, 1, 1), date(y, 12, 31))) if held else 1.0 for y in years}
    covered = full.index.get_level_values("year").map(share).to_numpy()
    values = [c for c in full.columns if c != "covered"]
    full[values] = full[values].where(~(full[values].isna() & (covered[:, None] > 0)), 0.0)
    full["covered"] = covered
    return full.reset_index()


def _windows(p: Params):
    return ((Period.THEN, p.then), (Period.NOW, p.now))


def _hit_rates(sources: Sequence[SourceData], p: Params) -> dict[Period, pd.DataFrame]:
    return {
        period: hit_rates_by_district(
            sources, win.dates, groups=p.groups, reference=p.reference_group, min_searches=DISTRICT_MIN_SEARCHES
        )
        for period, win in _windows(p)
    }


def _darkness(
    sources: Sequence[SourceData], p: Params, estimates: Sequence[Estimate]
) -> tuple[Group | None, dict[Period, pd.DataFrame]]:
    """The chart follows Black drivers when the test ran for them, else the first group it ran for."""
    ratios = [e for e in estimates if e.statistic == Statistic.VOD_ODDS_RATIO]
    if p.location is None or not ratios:
        return None, {}
    focal = Group.BLACK if any(e.group == Group.BLACK for e in ratios) else ratios[0].group
    return focal, {
        period: share_by_clock_time(sources, win.dates, location=p.location, group=focal, reference=p.reference_group)
        for period, win in _windows(p)
    }


def _trust(survey: pd.DataFrame, p: Params) -> tuple[dict[str, pd.DataFrame], dict[tuple[str, Group], pd.DataFrame]]:
    questions = list(dict.fromkeys(survey["question"]))
    waves = {q: wave_series(survey, question=q) for q in questions}
    gaps = {
        (q, g): gap_series(survey, question=q, group=g, reference=p.reference_group)
        for q in questions
        for g in p.groups
        if g != p.reference_group
    }
    return waves, gaps
