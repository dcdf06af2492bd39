"""Section 7 chart: homicide victims by race, year by year over the whole span of the data (then/now windows and
the params' events marked), beside clearance by arrest by victim race, then vs now."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trustreport.figures._theme import mark_windows_and_events, theme, windows_phrase
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, PERIOD_COLOURS, Group, Measure

# A year the coverage holds for less than this share of its days is drawn hollow: its count is not a full year.
_FULL_YEAR = 0.99


def homicides(report: Report) -> Figure | None:
    """Left: annual homicide victims by race (hollow markers for years the data only partly cover), with the
    then/now windows shaded and events drawn. Right: share of homicides cleared by arrest by victim race, then
    vs now, with Wilson intervals. Draws `report.prepared.homicides_annual` and the clearance estimates."""
    annual = report.prepared.homicides_annual
    if annual.empty:
        return None
    p = report.params.params
    with theme():
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.9), gridspec_kw={"width_ratios": [3, 2]})
        _annual(left, annual, p)
        _clearance(right, report, p)
        fig.suptitle(
            f"{p.name}: homicide victims and clearance by arrest, by victim race — {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _annual(ax: Axes, annual: pd.DataFrame, p: Params) -> None:
    for group in (*p.groups, Group.ALL):
        rows = annual[annual["group"] == str(group)]
        if rows.empty:
            continue
        x = pd.to_datetime(rows["year"].astype(str) + "-07-01")
        colour = GROUP_COLOURS[group]
        ax.plot(x, rows["victims"], color=colour, lw=1.4, label=GROUP_LABELS[group])
        full = rows["covered"].to_numpy() >= _FULL_YEAR
        ax.scatter(x[full], rows["victims"][full], color=colour, s=16, zorder=3)
        ax.scatter(x[~full], rows["victims"][~full], facecolors="white", edgecolors=colour, s=22, zorder=3)
    mark_windows_and_events(ax, p)
    ax.set_xlabel("year (hollow: data cover only part of the year)")
    ax.set_ylabel("homicide victims per year")
    ax.set_title("Homicide victims by race, each year", loc="left")
    ax.legend(fontsize=8, loc="upper left")


def _clearance(ax: Axes, report: Report, p: Params) -> None:
    groups = [g for g in (*p.groups, Group.ALL)]
    width = 0.38
    for j, (period, win) in enumerate(p.windows):
        values, lows, highs = [], [], []
        for group in groups:
            e = report.estimates.one(
                measure=Measure.HOMICIDES_CLEARED, statistic=Statistic.PROPORTION, group=group, period=period
            )
            ok = e is not None and e.estimable and e.ci is not None
            values.append(e.value if ok else np.nan)
            lows.append(e.ci[0] if ok else np.nan)
            highs.append(e.ci[1] if ok else np.nan)
        x = np.arange(len(groups)) + (j - 0.5) * width
        v = np.array(values)
        ax.bar(x, v, width, color=PERIOD_COLOURS[period], label=f"{period} ({win.label})")
        ax.errorbar(x, v, yerr=[v - np.array(lows), np.array(highs) - v], fmt="none", ecolor="#222222", capsize=2)
    ax.set_xticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel("victim race")
    ax.set_ylabel("homicides cleared by arrest")
    ax.set_title("Cleared by arrest, then vs now", loc="left")
    ax.legend(fontsize=8, loc="upper right")
