"""Section 7 chart: people killed by police per year by group over the data span, with the then/now windows and
the params' events, and (where residents exist) the rate per resident pooled over the span."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.estimate import EstimateSet
from trustreport.figures._theme import GUIDE_COLOUR, mark_windows_and_events, theme, windows_phrase
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, Flag, Group, Measure

_MEASURE = Measure.POLICE_KILLINGS


def police_killings(report: Report) -> Figure | None:
    """Left: the count per calendar year by group (Garwood exact intervals as bars; hollow markers for years the
    data cover only in part), with the then/now windows shaded and events marked. Right, when pooled rates
    exist: the rate per resident per year over the whole span by group, with exact intervals."""
    est = report.estimates
    annual = _annual_rows(est, report.params.params)
    if annual.empty:
        return None
    pooled = _pooled_rows(est, report.params.params)
    p = report.params.params
    with theme():
        widths = [3, 1.3] if not pooled.empty else [1]
        fig, axes = plt.subplots(
            1, len(widths), figsize=(10 if len(widths) == 2 else 8, 4.2), squeeze=False, width_ratios=widths
        )
        _annual_panel(axes[0, 0], annual, p)
        if not pooled.empty:
            _pooled_panel(axes[0, 1], pooled)
        fig.suptitle(
            f"{p.name}: people killed by police, {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _annual_rows(est: EstimateSet, p: Params) -> pd.DataFrame:
    shown = set(p.groups) | {Group.ALL}
    rows = [
        {
            "group": e.group,
            "when": pd.Timestamp(e.window[0]) + (pd.Timestamp(e.window[1]) - pd.Timestamp(e.window[0])) / 2,
            "value": e.value,
            "low": e.ci[0] if e.ci and e.ci[0] is not None else e.value,
            "high": e.ci[1] if e.ci and e.ci[1] is not None else e.value,
            "partial": Flag.PARTIAL_COVERAGE in e.flags,
        }
        for e in est.where(measure=_MEASURE, statistic=Statistic.ANNUAL_COUNT)
        if e.estimable and e.group in shown
    ]
    return pd.DataFrame(rows)


def _annual_panel(ax: Axes, frame: pd.DataFrame, p: Params) -> None:
    """One line per group (and all) over whole years, error bars from the Garwood interval; a year covered only
    in part is a hollow marker off the line, so a short year never reads as a fall."""
    order = [g for g in (*p.groups, Group.ALL) if g in set(frame["group"])]
    for group in order:
        sub = frame[frame["group"] == group].sort_values("when")
        colour = GROUP_COLOURS[group]
        whole, part = sub[~sub["partial"]], sub[sub["partial"]]
        ax.plot(whole["when"], whole["value"], color=colour, marker="o", lw=1.4, label=GROUP_LABELS[group])
        for rows in (whole, part):
            ax.errorbar(
                rows["when"],
                rows["value"],
                yerr=[rows["value"] - rows["low"], rows["high"] - rows["value"]],
                fmt="none",
                ecolor=colour,
                alpha=0.45,
                capsize=2,
                lw=0.9,
            )
        ax.scatter(part["when"], part["value"], s=40, facecolors="white", edgecolors=colour, zorder=3)
    mark_windows_and_events(ax, p)
    ax.set_ylim(0, float(frame["high"].max()) * 1.3 or 1)
    ax.set_xlabel("year (hollow marker: part of the year only)")
    ax.set_ylabel("people killed by police per year")
    ax.set_title("per year, by group (bars: 95% exact interval)", loc="left")
    ax.legend(fontsize=8, loc="upper left", ncol=len(order))


def _pooled_rows(est: EstimateSet, p: Params) -> pd.DataFrame:
    rows = [
        {
            "group": e.group,
            "value": e.value * e.scale,
            "low": e.ci[0] * e.scale,
            "high": e.ci[1] * e.scale,
            "scale": e.scale,
            "span": fmt.window(*e.window),
        }
        for e in est.where(measure=_MEASURE, statistic=Statistic.POOLED_RATE)
        if e.estimable and e.ci and e.ci[0] is not None and e.ci[1] is not None and e.group in p.groups
    ]
    return pd.DataFrame(rows)


def _pooled_panel(ax: Axes, frame: pd.DataFrame) -> None:
    """Bars: rate per `scale` residents per year over the whole span, by group, with exact intervals."""
    positions = range(len(frame))
    ax.bar(positions, frame["value"], color=[GROUP_COLOURS[Group(g)] for g in frame["group"]])
    ax.errorbar(
        list(positions),
        frame["value"],
        yerr=[frame["value"] - frame["low"], frame["high"] - frame["value"]],
        fmt="none",
        color=GUIDE_COLOUR,
        capsize=3,
    )
    ax.set_xticks(list(positions), [GROUP_LABELS[Group(g)] for g in frame["group"]])
    ax.set_xlabel("group")
    ax.set_ylabel(f"per {frame['scale'].iloc[0]:,.0f} residents per year")
    ax.set_title(f"pooled, {frame['span'].iloc[0]}", loc="left", fontsize=9)
