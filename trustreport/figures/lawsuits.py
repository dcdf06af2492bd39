"""Section 6 chart: settled cases and constant-dollar payouts by year, with the then/now windows, the params'
events and a shaded band over the years whose incidents are likely not yet settled."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trustreport.estimate import EstimateSet
from trustreport.figures._theme import GUIDE_COLOUR, mark_windows_and_events, theme, windows_phrase
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


def lawsuits(report: Report) -> Figure | None:
    """Two panels on one time axis: settled cases per year and the total paid per year in constant dollars, as
    bars spanning each (fiscal) year; then/now windows and events marked; a hatched band from the first year
    the settlement lag says is likely incomplete to the end of the data."""
    est = report.estimates
    cases = yearly_series(est, Statistic.COUNT_PER_YEAR)
    if cases.empty:
        return None
    dollars = yearly_series(est, Statistic.TOTAL_CONSTANT_USD)
    p = report.params.params
    base = next((e.notes[0] for e in est.where(statistic=Statistic.TOTAL_CONSTANT_USD) if e.notes), "constant dollars")
    with theme():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.6), sharex=True)
        _bars(top, cases, "settled cases per year")
        _bars(bottom, dollars.assign(value=dollars["value"] / 1e6), "paid per year, $ million")
        bottom.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.1f}"))
        bottom.set_xlabel("year")
        for ax in (top, bottom):
            mark_windows_and_events(ax, p)
            _incomplete_band(ax, est)
        top.set_title("cases", loc="left")
        bottom.set_title(f"total paid, {base}", loc="left", fontsize=9)
        handles, labels = bottom.get_legend_handles_labels()
        if handles:
            bottom.legend(handles[:1], labels[:1], fontsize=8, loc="upper right")
        fig.suptitle(
            f"{p.name}: lawsuits and settlements by year\n{windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _bars(ax: Axes, frame: pd.DataFrame, ylabel: str) -> None:
    """One bar per (fiscal) year, spanning it."""
    width = (frame["end"] - frame["start"]).dt.days * 0.85
    ax.bar(frame["start"], frame["value"], width=width, align="edge", color=BAR_COLOUR, alpha=0.75)
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
