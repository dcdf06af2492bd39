"""Section 7 chart: homicide victims by race, year by year over the whole span of the data (then/now windows and
the params' events marked), above clearance by arrest by victim race, then vs now."""

from __future__ import annotations

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.figures._theme import (
    PERIOD_HATCH,
    Chart,
    count_axis,
    events_sentence,
    finish,
    group_style,
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
from trustreport.vocab import GROUP_LABELS, PERIOD_COLOURS, Group, Measure, Period

# A year the coverage holds for less than this share of its days is drawn hollow: its count is not a full year.
_FULL_YEAR = 0.99


def homicides(report: Report) -> Chart | None:
    """Top: annual homicide victims by race, every covered year with its zeros (hollow markers off the line for
    years the data only partly cover, a break where no source covers a year), with the then/now windows shaded
    and events drawn. Below: share of homicides cleared by arrest by victim race, then (hatched) vs now, with
    Wilson intervals. Draws `report.prepared.homicides_annual` and the clearance estimates."""
    annual = report.prepared.homicides_annual
    if annual.empty:
        return None
    p = report.params.params
    with theme():
        fig, axes = new_chart(2, 1, height=6.4, height_ratios=[3, 2])
        _annual(axes[0, 0], annual, p)
        cleared = _clearance(axes[1, 0], report, p)
        legend_below(fig, handles_of(axes[:, 0]), events=p)
    title = f"{p.name}: homicide victims and clearance by arrest, by victim race, {window_title(p)}"
    return finish(fig, title, _alt(annual, cleared, p))


def _shown(annual: pd.DataFrame, p: Params) -> list[Group]:
    return [g for g in (*p.groups, Group.ALL) if str(g) in set(annual["group"])]


def _annual(ax: Axes, annual: pd.DataFrame, p: Params) -> None:
    for group in _shown(annual, p):
        rows = annual[annual["group"] == str(group)].sort_values("year")
        x = pd.to_datetime(rows["year"].astype(int).astype(str) + "-07-01")
        style = group_style(group, markersize=3.5)
        full = rows["covered"].to_numpy() >= _FULL_YEAR
        ax.plot(x, rows["victims"].where(full), lw=1.4, label=GROUP_LABELS[group], **style)
        part = ~full & rows["victims"].notna().to_numpy()
        ax.plot(x[part], rows["victims"][part], ls="", marker=style["marker"], mfc="white", mec=style["color"])
    count_axis(ax, float(annual["victims"].max()))
    mark_windows_and_events(ax, p)
    ax.set_xlabel("year (hollow: data cover only part of the year)")
    ax.set_ylabel("homicide victims per year")
    ax.set_title("Homicide victims by race, each year", loc="left")


def _clearance(ax: Axes, report: Report, p: Params) -> list[str]:
    """Bars by victim race, then hatched and now filled; returns the alt text's sentences."""
    groups = [*p.groups, Group.ALL]
    width = 0.38
    said = []
    for j, (period, win) in enumerate(((Period.THEN, p.then), (Period.NOW, p.now))):
        values, lows, highs = [], [], []
        for group in groups:
            e = report.estimates.one(
                measure=Measure.HOMICIDES_CLEARED, statistic=Statistic.PROPORTION, group=group, period=period
            )
            ok = e is not None and e.estimable and e.ci is not None
            values.append(e.value if ok else np.nan)
            lows.append(e.ci[0] if ok else np.nan)
            highs.append(e.ci[1] if ok else np.nan)
            if ok:
                said.append(f"{GROUP_LABELS[group]} {period} {fmt.value(e)} ({fmt.ci(e)})")
        x = np.arange(len(groups)) + (j - 0.5) * width
        v = np.array(values)
        ax.bar(
            x, v, width, color=PERIOD_COLOURS[period], hatch=PERIOD_HATCH[period], edgecolor="white",
            label=f"{period}: {win.label}",
        )  # fmt: skip
        ax.errorbar(x, v, yerr=[v - np.array(lows), np.array(highs) - v], fmt="none", ecolor="#222222", capsize=2)
    ax.set_xticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel("victim race")
    ax.set_ylabel("homicides cleared by arrest")
    ax.set_title("Cleared by arrest, then vs now", loc="left")
    return said


def _alt(annual: pd.DataFrame, cleared: list[str], p: Params) -> str:
    known = annual[annual["victims"].notna()]
    years = f"{int(known['year'].min())}–{int(known['year'].max())}"
    said = []
    for group in _shown(annual, p):
        rows = known[known["group"] == str(group)].sort_values("year")
        if rows.empty:
            continue
        top = rows.loc[rows["victims"].idxmax()]
        said.append(
            f"{GROUP_LABELS[group]} from {fmt.count(rows['victims'].iloc[0])} in {int(rows['year'].iloc[0])} to "
            f"{fmt.count(rows['victims'].iloc[-1])} in {int(rows['year'].iloc[-1])}, most "
            f"{fmt.count(top['victims'])} in {int(top['year'])}"
        )
    gaps = sorted({int(y) for y in annual.loc[annual["victims"].isna(), "year"]})
    gap = f" Years without data, left as gaps: {', '.join(map(str, gaps))}." if gaps else ""
    clearance = f" Bar chart below: share cleared by arrest, {'; '.join(cleared)}." if cleared else ""
    return (
        f"Line chart: homicide victims per year by victim race in {p.name}, {years}: "
        + "; ".join(said)
        + "."
        + gap
        + clearance
        + events_sentence(p)
    )
