"""Section 5 charts: the outcome test's district scatter (methods §3) and the veil-of-darkness chart (methods §4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from trustreport import fmt
from trustreport.figures._theme import GUIDE_COLOUR, theme, windows_phrase
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, Group

_LIGHT_COLOUR = "#E69F00"  # Okabe–Ito orange: daylight
_DARK_COLOUR = "#000000"  # Okabe–Ito black: after dusk


def outcome_scatter(report: Report) -> Figure | None:
    """The Open Policing disparity scatter (methods §3.1): per district, each group's hit rate against the
    reference group's, point size = searches of both, a dashed 45° line of equal hit rates; one panel per
    period. Draws `report.prepared.hit_rates`; None when the sources hold no searches by district."""
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
        fig, axes = plt.subplots(
            1, len(windows), figsize=(4.5 * len(windows), 4.6), sharex=True, sharey=True, squeeze=False
        )
        for ax, (period, win) in zip(axes[0], windows, strict=True):
            _hit_rate_panel(ax, tables[period], limit, biggest)
            ax.set_title(f"{period} ({fmt.window(win.start, win.end)})", loc="left")
            ax.set_xlabel(f"{reference} hit rate")
        axes[0, 0].set_ylabel("group hit rate")
        fig.suptitle(
            f"{p.name}: hit rates by district, {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.text(
            0.01,
            0.01,
            f"Each point is a district (size: searches of both groups; districts with fewer than "
            f"{min_searches} searches of either group are left out). Below the dashed line, the group's "
            f"searches found contraband less often than searches of {reference} {report.prepared.stopped}.",
            fontsize=7,
            wrap=True,
        )
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    plt.close(fig)
    return fig


def _hit_rate_panel(ax, table: pd.DataFrame, limit: float, biggest: float) -> None:
    ax.plot([0, limit], [0, limit], ls="--", color=GUIDE_COLOUR, lw=0.8)
    for group in dict.fromkeys(table["group"]):
        sub = table[table["group"] == group]
        g = Group(group)
        ax.scatter(
            sub["reference_hit_rate"],
            sub["hit_rate"],
            s=20 + 280 * sub["searches_total"] / biggest,
            color=GROUP_COLOURS[g],
            alpha=0.7,
            edgecolor="#222222",
            linewidth=0.5,
            label=GROUP_LABELS[g],
        )
    if table.empty:
        ax.text(0.5, 0.5, "no district with enough searches", ha="center", va="center", transform=ax.transAxes)
    else:
        ax.legend(fontsize=8, loc="upper left", markerscale=0.6)
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def veil_of_darkness(report: Report) -> Figure | None:
    """The OPP tutorial's veil-of-darkness chart (methods §4): the focal group's share of inter-twilight stops
    by 15-minute clock-time bin, in daylight and after dusk, one panel per period, with the darkness odds ratio
    in each panel title. Draws `report.prepared.darkness`; None without a location, stop times or
    veil-of-darkness estimates."""
    p = report.params.params
    focal, tables = report.prepared.darkness_group, report.prepared.darkness
    if focal is None or not tables or all(t.empty for t in tables.values()):
        return None
    windows = p.windows
    with theme():
        fig, axes = plt.subplots(1, len(windows), figsize=(5 * len(windows), 4.2), sharey=True, squeeze=False)
        for ax, (period, win) in zip(axes[0], windows, strict=True):
            _darkness_panel(ax, tables[period])
            ratio = report.estimates.one(statistic=Statistic.VOD_ODDS_RATIO, group=focal, period=period)
            ax.set_title(f"{period} ({fmt.window(win.start, win.end)})\n{_odds_ratio_text(ratio)}", loc="left")
            ax.set_xlabel("clock time (15-minute bins)")
        axes[0, 0].set_ylabel(f"share of stops that are {GROUP_LABELS[focal]}")
        fig.suptitle(
            f"{p.name}: {GROUP_LABELS[focal]} share of {GROUP_LABELS[focal]} and "
            f"{GROUP_LABELS[p.reference_group]} drivers stopped, daylight vs after dusk",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _darkness_panel(ax, table: pd.DataFrame) -> None:
    for dark, colour, _label in ((False, _LIGHT_COLOUR, "daylight"), (True, _DARK_COLOUR, "after dusk")):
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
        ax.scatter(sub["clock_minute"], sub["share"], s=10 + 2 * sub["total"], color=colour, alpha=0.8)
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(60))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda m, _: f"{int(m) // 60:02d}:{int(m) % 60:02d}"))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    # Fixed-size legend markers: the points' sizes show the number of stops, not the series.
    handles = [
        Line2D([], [], marker="o", ls="", color=c, label=lab)
        for c, lab in ((_LIGHT_COLOUR, "daylight"), (_DARK_COLOUR, "after dusk"))
    ]
    ax.legend(handles=handles, fontsize=8, loc="lower left")


def _odds_ratio_text(ratio) -> str:
    if ratio is None or not ratio.estimable:
        return "odds ratio dark vs daylight: not estimable"
    return f"odds ratio dark vs daylight {fmt.ratio(ratio.value)} ({fmt.ci(ratio)})"
