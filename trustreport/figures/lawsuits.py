"""Section 6 chart: settled cases and constant-dollar payouts by year, with the then/now windows, the params'
events and a shaded band over the years whose incidents are likely not yet settled."""

from __future__ import annotations

from datetime import date

import matplotlib.ticker
import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.estimate import EstimateSet
from trustreport.figures._theme import (
    GUIDE_COLOUR,
    Chart,
    events_sentence,
    finish,
    handles_of,
    legend_below,
    mark_windows_and_events,
    new_chart,
    theme,
    window_title,
)
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, Group, Measure

BAR_COLOUR = GROUP_COLOURS[Group.ALL]  # the files record no race: every bar is group `all`
BAND_LABEL = "likely incomplete (cases not yet settled)"


def yearly_series(est: EstimateSet, statistic: Statistic) -> pd.DataFrame:
    """Per-year estimates of one statistic (ids ending in a year): start, end and value, in time order."""
    rows = [
        {"start": pd.Timestamp(e.window[0]), "end": pd.Timestamp(e.window[1]), "value": e.value}
        for e in est.where(statistic=statistic)
        if e.id.rsplit(".", 1)[1].isdigit() and e.estimable
    ]
    return pd.DataFrame(rows, columns=["start", "end", "value"]).sort_values("start", kind="stable")


def lawsuits(report: Report) -> Chart | None:
    """Two panels on one time axis, stacked: settled cases per year and the total paid per year in constant
    dollars, as bars spanning each (fiscal) year from 0; then/now windows and events marked; a hatched band from
    the first year the settlement lag says is likely incomplete to the end of the data."""
    est = report.estimates
    cases = yearly_series(est, Statistic.COUNT_PER_YEAR)
    if cases.empty:
        return None
    dollars = yearly_series(est, Statistic.TOTAL_CONSTANT_USD)
    p = report.params.params
    base = next((e.notes[0] for e in est.where(statistic=Statistic.TOTAL_CONSTANT_USD) if e.notes), "constant dollars")
    with theme():
        fig, axes = new_chart(2, 1, height=5.8, sharex=True)
        top, bottom = axes[:, 0]
        _bars(top, cases, "settled cases per year")
        top.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        _bars(bottom, dollars.assign(value=dollars["value"] / 1e6), "paid per year, $ million")
        bottom.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.1f}"))
        bottom.set_xlabel("year")
        for ax in (top, bottom):
            mark_windows_and_events(ax, p)
            _incomplete_band(ax, est)
        top.set_title("cases", loc="left")
        bottom.set_title(f"total paid, {base}", loc="left", fontsize=9)
        legend_below(fig, handles_of([bottom]), events=p)
    title = f"{p.name}: lawsuits and settlements by year, {window_title(p)}"
    return finish(fig, title, _alt(cases, dollars, base, est, p))


def _alt(cases: pd.DataFrame, dollars: pd.DataFrame, base: str, est: EstimateSet, p: Params) -> str:
    said = "; ".join(f"{fmt.count(r.value)} in {_year(r.start, r.end)}" for r in cases.itertuples())
    paid = "; ".join(f"{fmt.dollars(r.value)} in {_year(r.start, r.end)}" for r in dollars.itertuples())
    start = est.one(measure=Measure.LAWSUITS, statistic=Statistic.INCOMPLETE_FROM_YEAR)
    band = f" From {int(start.value)} on the counts are likely incomplete (cases not yet settled)." if start else ""
    return (
        f"Bar charts of lawsuits settled per year in {p.name}: {said}."
        + (f" Total paid per year ({base}): {paid}." if paid else "")
        + band
        + events_sentence(p)
    )


def _year(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year % 100:02d}"


def _bars(ax: Axes, frame: pd.DataFrame, ylabel: str) -> None:
    """One bar per (fiscal) year, spanning it."""
    width = (frame["end"] - frame["start"]).dt.days * 0.85
    ax.bar(frame["start"], frame["value"], width=width, align="edge", color=BAR_COLOUR, alpha=0.75)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)


def _incomplete_band(ax: Axes, est: EstimateSet) -> None:
    """Hatch from January 1 of the first likely incomplete year to the end of the data."""
    start = est.one(measure=Measure.LAWSUITS, statistic=Statistic.INCOMPLETE_FROM_YEAR)
    if start is None:
        return
    begin = pd.Timestamp(date(int(start.value), 1, 1))
    end = pd.Timestamp(start.window[1])
    if begin < end:
        ax.axvspan(begin, end, facecolor="none", edgecolor=GUIDE_COLOUR, hatch="//", lw=0, label=BAND_LABEL)
