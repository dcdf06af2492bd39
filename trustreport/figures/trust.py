"""Section 9 chart: survey trust by group over time, and each group's gap vs the reference group, with the then
and now windows and the params' events."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trustreport.figures._theme import GUIDE_COLOUR, mark_windows_and_events, theme, windows_phrase
from trustreport.params import Params
from trustreport.report import Report
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, Group


def trust(report: Report, *, question: str = "trust") -> Figure | None:
    """Two panels on a time axis: the mean score (0–100) of each group per survey wave, with its interval where
    the wave has one; and each group's gap vs the reference group (group − reference, points below zero mean
    less trust). Draws `report.prepared.trust_waves` and `trust_gaps`; None when the report holds no survey means
    for `question`."""
    series = report.prepared.trust_waves.get(question)
    if series is None or (series := series[series["statistic"] == "mean"]).empty:
        return None
    p = report.params.params
    with theme():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.4), sharex=True, height_ratios=(3, 2))
        _levels(top, series, p, question)
        _gaps(bottom, report.prepared.trust_gaps, p, question)
        fig.suptitle(
            f"{p.name}: {question} in police by group, {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _shown(p: Params) -> list[Group]:
    return list(dict.fromkeys([*p.groups, Group.ALL]))


def _levels(ax: Axes, series: pd.DataFrame, p: Params, question: str) -> None:
    for group in _shown(p):
        rows = series[series["group"] == str(group)].sort_values("period_start")
        if rows.empty:
            continue
        colour = GROUP_COLOURS[group]
        style = "--" if group == Group.ALL else "-"
        ax.plot(rows["mid"], rows["value"], style, color=colour, lw=1.4, marker=".", label=GROUP_LABELS[group])
        if rows["low"].notna().any():
            ax.fill_between(rows["mid"], rows["low"], rows["high"], color=colour, alpha=0.15, lw=0)
    ax.set_ylabel(f"mean {question} score (0–100)")
    ax.set_title(f"{question} by group, each survey wave", loc="left")
    mark_windows_and_events(ax, p)
    ax.legend(fontsize=8, ncols=4, loc="lower left")


def _gaps(ax: Axes, gap_series: Mapping[tuple[str, Group], pd.DataFrame], p: Params, question: str) -> None:
    ref = p.reference_group
    for group in p.groups:
        if group == ref:
            continue
        gaps = gap_series.get((question, group))
        if gaps is not None and not gaps.empty:
            ax.plot(gaps["mid"], gaps["gap"], color=GROUP_COLOURS[group], lw=1.4, marker=".", label=GROUP_LABELS[group])
    ax.axhline(0, color=GUIDE_COLOUR, lw=0.8)
    ax.set_xlabel("survey wave")
    ax.set_ylabel(f"gap vs {GROUP_LABELS[ref]} (points)")
    ax.set_title(f"gap in {question} vs {GROUP_LABELS[ref]} residents (below zero: less {question})", loc="left")
    mark_windows_and_events(ax, p)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="lower left")
