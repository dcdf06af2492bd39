"""Section 9 chart: survey trust by group over time, and each group's gap vs the reference group, with the then
and now windows and the params' events."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.figures._theme import (
    GUIDE_COLOUR,
    Chart,
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
from trustreport.vocab import GROUP_LABELS, Group


def trust(report: Report, *, question: str = "trust") -> Chart | None:
    """Two panels on a time axis, stacked: the mean score (0–100) of each group per survey wave, with its
    interval where the wave has one; and each group's gap vs the reference group (group − reference, points
    below zero mean less trust). Draws `report.prepared.trust_waves` and `trust_gaps`; None when the report
    holds no survey means for `question`."""
    series = report.prepared.trust_waves.get(question)
    if series is None or (series := series[series["statistic"] == "mean"]).empty:
        return None
    p = report.params.params
    with theme():
        fig, axes = new_chart(2, 1, height=6.6, sharex=True, height_ratios=(3, 2))
        top, bottom = axes[:, 0]
        _levels(top, series, p, question)
        _gaps(bottom, report.prepared.trust_gaps, p, question)
        legend_below(fig, handles_of([top]), events=p)
    title = f"{p.name}: {question} in police by group, {window_title(p)}"
    return finish(fig, title, _alt(series, report.prepared.trust_gaps, p, question))


def _alt(series: pd.DataFrame, gaps: Mapping[tuple[str, Group], pd.DataFrame], p: Params, question: str) -> str:
    said = []
    for group in _shown(p):
        rows = series[series["group"] == str(group)].sort_values("period_start")
        if rows.empty:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        said.append(
            f"{GROUP_LABELS[group]} {fmt.score(first['value'])} in the first wave ({first['mid']:%b %Y}), "
            f"{fmt.score(last['value'])} in the last ({last['mid']:%b %Y})"
        )
    gap_said = []
    for group in p.groups:
        frame = gaps.get((question, group))
        if group != p.reference_group and frame is not None and not frame.empty:
            gap_said.append(f"{GROUP_LABELS[group]} {fmt.points(frame['gap'].iloc[-1])} in the last wave")
    gap_text = (
        f" Below, the gap vs {GROUP_LABELS[p.reference_group]} residents: {'; '.join(gap_said)}." if gap_said else ""
    )
    return (
        f"Line chart of the mean {question} score (0–100) by group in each survey wave in {p.name}: "
        + "; ".join(said)
        + "."
        + gap_text
        + events_sentence(p)
    )


def _shown(p: Params) -> list[Group]:
    return list(dict.fromkeys([*p.groups, Group.ALL]))


def _levels(ax: Axes, series: pd.DataFrame, p: Params, question: str) -> None:
    for group in _shown(p):
        rows = series[series["group"] == str(group)].sort_values("period_start")
        if rows.empty:
            continue
        style = group_style(group, markersize=3.5)
        ax.plot(rows["mid"], rows["value"], lw=1.4, label=GROUP_LABELS[group], **style)
        if rows["low"].notna().any():
            ax.fill_between(rows["mid"], rows["low"], rows["high"], color=style["color"], alpha=0.15, lw=0)
    ax.set_ylabel(f"mean {question} score (0–100)")
    ax.set_title(f"{question} by group, each survey wave", loc="left")
    mark_windows_and_events(ax, p)


def _gaps(ax: Axes, gap_series: Mapping[tuple[str, Group], pd.DataFrame], p: Params, question: str) -> None:
    ref = p.reference_group
    for group in p.groups:
        if group == ref:
            continue
        gaps = gap_series.get((question, group))
        if gaps is not None and not gaps.empty:
            ax.plot(gaps["mid"], gaps["gap"], lw=1.4, label=GROUP_LABELS[group], **group_style(group, markersize=3.5))
    ax.axhline(0, color=GUIDE_COLOUR, lw=0.8)
    ax.set_xlabel("survey wave")
    ax.set_ylabel(f"gap vs {GROUP_LABELS[ref]} (points)")
    ax.set_title(f"gap in {question} vs {GROUP_LABELS[ref]} residents (below zero: less {question})", loc="left")
    mark_windows_and_events(ax, p)
