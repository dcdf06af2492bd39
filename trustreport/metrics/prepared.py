"""What the charts and tables show beyond the estimates, prepared here so that presentation computes nothing:
the series each chart draws, and the fixed method notes printed beside a table (each defined next to the metric
that raises it). `report.build()` prepares them once; `Report.prepared` carries them to `figures` and `tables`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

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
from trustreport.stop_mode import stop_mode, stopped_people
from trustreport.vocab import CONDITIONAL_STAGES, PER_RESIDENT_MEASURES, STOPPED_NOUNS, Group, Measure, Period, StopMode

# Sub-city cells under 10 searches are suppressed (methods §5.3, CDC WONDER rule).
DISTRICT_MIN_SEARCHES = 10


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
    `darkness_group`. `homicides_annual`: victims and clearances per calendar year (`homicides.annual_counts`).
    `trust_waves`: per survey question, means and shares per wave and group (`trust.wave_series`); `trust_gaps`:
    per question and group, the gap to the reference group per wave (`trust.gap_series`), both from polls of the
    city only; `survey_items`: the city polls' other items by window (`trust.item_table`); `survey_context`:
    the waves of polls wider than the city (`trust.context_table`); `survey_answers`: per question, the answer
    its shares count (`trust.share_answers`). `monthly`: per
    measure held as daily rows, counts per month and group (`monthly_counts`); `force_monthly`: force incidents
    per month, one column per group (`monthly_force`). `stopped` and `stop_mode`: who the stop files' stops are
    ("drivers", "pedestrians", "people stopped"; `trustreport.stop_mode`)."""

    min_district_searches: int = DISTRICT_MIN_SEARCHES
    hit_rates: Mapping[Period, pd.DataFrame] = field(default_factory=dict)
    darkness_group: Group | None = None
    darkness: Mapping[Period, pd.DataFrame] = field(default_factory=dict)
    homicides_annual: pd.DataFrame = field(default_factory=pd.DataFrame)
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
        homicides_annual=annual_counts(counts, coverages),
        trust_waves=waves,
        trust_gaps=gaps,
        survey_items=item_table(
            survey, [(period, win.dates) for period, win in _windows(p)], groups=p.groups, level=p.options.level
        ),
        survey_context=context_table(survey, level=p.options.level),
        survey_answers=share_answers(survey),
        monthly=monthly_counts(counts, p.groups),
        force_monthly=monthly_force(counts, p.groups),
        stopped=stopped_people(sources),
        stop_mode=stop_mode(sources),
    )


def monthly_counts(counts: pd.DataFrame, groups: Sequence[Group]) -> dict[Measure, pd.DataFrame]:
    """For every per-resident or conditional measure held as daily rows (any group but `all`): its counts summed
    by calendar month and group, for `groups` (columns month, group, value)."""
    daily = counts[(counts["period_start"] == counts["period_end"]) & (counts["group"] != str(Group.ALL))]
    held = [m for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES) if (daily["measure"] == str(m)).any()]
    shown = [str(g) for g in groups]
    out: dict[Measure, pd.DataFrame] = {}
    for measure in held:
        rows = daily[(daily["measure"] == str(measure)) & daily["group"].isin(shown)]
        out[measure] = (
            rows.assign(month=rows["period_start"].dt.to_period("M").dt.to_timestamp())
            .groupby(["month", "group"], as_index=False)["value"]
            .sum()
        )
    return out


def monthly_force(counts: pd.DataFrame, groups: Sequence[Group]) -> pd.DataFrame:
    """Force incidents per month (index) and group (columns), from daily rows only (five-year totals cannot be
    placed in a month); empty without daily force rows for `groups`."""
    rows = counts[
        (counts["measure"] == str(Measure.FORCE_INCIDENTS)) & (counts["period_start"] == counts["period_end"])
    ]
    rows = rows[rows["group"].isin([str(g) for g in groups])]
    if rows.empty:
        return pd.DataFrame()
    month = rows["period_start"].dt.to_period("M").dt.to_timestamp()
    return rows.assign(month=month).pivot_table(index="month", columns="group", values="value", aggfunc="sum").fillna(0)


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
