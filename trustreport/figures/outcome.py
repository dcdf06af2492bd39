"""Section 5 charts: the outcome test's district scatter (docs/methods.md §3) and the veil-of-darkness chart
(docs/methods.md §4)."""

from __future__ import annotations

import matplotlib.ticker
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from trustreport import fmt
from trustreport.figures._theme import (
    GROUP_MARKERS,
    GUIDE_COLOUR,
    Chart,
    finish,
    handles_of,
    legend_below,
    new_chart,
    theme,
    window_title,
)
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, Group, Period

_LIGHT_COLOUR = "#E69F00"  # Okabe–Ito orange: daylight
_DARK_COLOUR = "#000000"  # Okabe–Ito black: after dusk


def outcome_scatter(report: Report) -> Chart | None:
    """The Open Policing disparity scatter (docs/methods.md §3.1): per district, each group's hit rate against the
    reference group's, point size = searches of both, a dashed 45° line of equal hit rates; one panel per
    period, stacked. Draws `report.prepared.hit_rates`; None when the sources hold no searches by district."""
    p = report.params.params
    windows = p.windows
    tables = report.prepared.hit_rates
    min_searches = report.prepared.min_district_searches
    if not tables or all(t.empty for t in tables.values()):
        return None
    top = max(max(t["hit_rate"].max(), t["reference_hit_rate"].max()) for t in tables.values() if not t.empty)
    limit = min(1.0, top + 0.02)
    biggest = max(t["searches_total"].max() for t in tables.values() if not t.empty)
    reference = GROUP_LABELS[p.reference_group]
    with theme():
        fig, axes = new_chart(len(windows), 1, height=4.3 * len(windows))
        for ax, (period, win) in zip(axes[:, 0], windows, strict=True):
            _hit_rate_panel(ax, tables[period], limit, biggest)
            ax.set_title(f"{period} ({fmt.window(win.start, win.end)})", loc="left")
            ax.set_ylabel("group hit rate")
            ax.set_xlabel(f"{reference} hit rate")
            ax.set_aspect("equal", adjustable="box")
        note = (
            f"Each point is a district (size: searches of both groups; districts with fewer than {min_searches} "
            f"searches of either group are left out). Below the dashed line, the group's searches found "
            f"contraband less often than searches of {reference} {report.prepared.stopped}."
        )
        legend_below(fig, handles_of(axes[:, 0]), note=note)
    title = f"{p.name}: hit rates by district, {window_title(p)}"
    return finish(fig, title, _scatter_alt(tables, reference, p))


def _scatter_alt(tables, reference: str, p) -> str:
    parts = []
    for period in (Period.THEN, Period.NOW):
        table = tables.get(period)
        if table is None or table.empty:
            parts.append(f"{period}: no district with enough searches")
            continue
        said = []
        for group in dict.fromkeys(table["group"]):
            sub = table[table["group"] == group]
            below = int((sub["hit_rate"] < sub["reference_hit_rate"]).sum())
            said.append(
                f"{GROUP_LABELS[Group(group)]}: {fmt.count(below)} of {fmt.count(len(sub))} districts below the "
                f"line, hit rates {fmt.pct(sub['hit_rate'].min())} to {fmt.pct(sub['hit_rate'].max())}"
            )
        parts.append(f"{period}: {'; '.join(said)}")
    return (
        f"Scatter plots, one point per district, of each group's search hit rate against the {reference} hit rate "
        f"in {p.name}; below the diagonal the group's searches found contraband less often. " + ". ".join(parts) + "."
    )


def _hit_rate_panel(ax: Axes, table: pd.DataFrame, limit: float, biggest: float) -> None:
    ax.plot([0, limit], [0, limit], ls="--", color=GUIDE_COLOUR, lw=0.8)
    for group in dict.fromkeys(table["group"]):
        sub = table[table["group"] == group]
        g = Group(group)
        ax.scatter(
            sub["reference_hit_rate"],
            sub["hit_rate"],
            s=20 + 280 * sub["searches_total"] / biggest,
            marker=GROUP_MARKERS[g],
            color=GROUP_COLOURS[g],
            alpha=0.7,
            edgecolor="#222222",
            linewidth=0.5,
            label=GROUP_LABELS[g],
        )
    if table.empty:
        ax.text(0.5, 0.5, "no district with enough searches", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def veil_of_darkness(report: Report) -> Chart | None:
    """The OPP tutorial's veil-of-darkness chart (docs/methods.md §4): the focal group's share of inter-twilight stops
    by 15-minute clock-time bin, in daylight (orange circles) and after dusk (black squares), one panel per
    period, stacked, with the darkness odds ratio in each panel title. Draws `report.prepared.darkness`; None
    without a location, stop times or veil-of-darkness estimates."""
    p = report.params.params
    focal, tables = report.prepared.darkness_group, report.prepared.darkness
    if focal is None or not tables or all(t.empty for t in tables.values()):
        return None
    windows = p.windows
    said = []
    with theme():
        fig, axes = new_chart(len(windows), 1, height=3.3 * len(windows), sharex=True, sharey=True)
        for ax, (period, win) in zip(axes[:, 0], windows, strict=True):
            _darkness_panel(ax, tables[period])
            ratio = report.estimates.one(statistic=Statistic.VOD_ODDS_RATIO, group=focal, period=period)
            ax.set_title(f"{period} ({fmt.window(win.start, win.end)}): {_odds_ratio_text(ratio)}", loc="left")
            ax.set_ylabel(f"share of stops that are {GROUP_LABELS[focal]}")
            said.append(f"{period} ({fmt.window(win.start, win.end)}): {_odds_ratio_text(ratio)}")
        axes[-1, 0].set_xlabel("clock time (15-minute bins)")
        legend_below(fig, _DARKNESS_HANDLES)
    title = (
        f"{p.name}: {GROUP_LABELS[focal]} share of {GROUP_LABELS[focal]} and "
        f"{GROUP_LABELS[p.reference_group]} drivers stopped, daylight vs after dusk"
    )
    alt = (
        f"Dot charts of the {GROUP_LABELS[focal]} share of stops of {GROUP_LABELS[focal]} and "
        f"{GROUP_LABELS[p.reference_group]} drivers in {p.name} by clock time, in daylight and after dusk, "
        f"{window_title(p)}. " + "; ".join(said) + "."
    )
    return finish(fig, title, alt)


_DARKNESS_STYLE = ((False, _LIGHT_COLOUR, "o", "daylight"), (True, _DARK_COLOUR, "s", "after dusk"))
# Fixed-size legend markers: the points' sizes show the number of stops, not the series.
_DARKNESS_HANDLES = [
    (Line2D([], [], marker=marker, ls="", color=colour), label) for _, colour, marker, label in _DARKNESS_STYLE
]


def _darkness_panel(ax: Axes, table: pd.DataFrame) -> None:
    for dark, colour, marker, _label in _DARKNESS_STYLE:
        sub = table[table["is_dark"] == dark]
        if sub.empty:
            continue
        ax.errorbar(
            sub["clock_minute"],
            sub["share"],
            yerr=[sub["share"] - sub["low"], sub["high"] - sub["share"]],
            fmt="none",
            ecolor=colour,
            alpha=0.4,
            lw=0.8,
        )
        ax.scatter(sub["clock_minute"], sub["share"], s=10 + 2 * sub["total"], color=colour, marker=marker, alpha=0.8)
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(60))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda m, _: f"{int(m) // 60:02d}:{int(m) % 60:02d}"))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)


def _odds_ratio_text(ratio) -> str:
    if ratio is None or not ratio.estimable:
        return "odds ratio dark vs daylight: not estimable"
    return f"odds ratio dark vs daylight {fmt.ratio(ratio.value)} ({fmt.ci(ratio)})"
