"""Section 4 (force) chart: monthly force incidents by race for incident-level sources, with the then/now windows
and events, above the race shares of the people force was used on, then vs now."""

from __future__ import annotations

import matplotlib.ticker
import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.estimate import Estimate
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
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_LABELS, PERIOD_COLOURS, Group, Measure, Period


def force(report: Report) -> Chart | None:
    """Monthly force incidents by race (every covered month with its zeros, a break where no source covers a
    month; events and windows marked), above subject shares then (hatched) vs now. Draws
    `report.prepared.force_monthly` and the subject-share estimates."""
    monthly = report.prepared.force_monthly
    shares = [
        e
        for e in report.estimates.where(measure=Measure.FORCE_SUBJECTS, statistic=Statistic.SUBJECT_SHARE)
        if e.estimable
    ]
    if monthly.empty and not shares:
        return None
    p = report.params.params
    panels = int(not monthly.empty) + int(bool(shares))
    with theme():
        fig, grid = new_chart(panels, 1, height=1.4 + 2.6 * panels)
        axes = list(grid[:, 0])
        if not monthly.empty:
            _monthly(axes[0], monthly, report)
        if shares:
            _shares(axes[-1], shares)
        legend_below(fig, handles_of(axes), events=p if not monthly.empty else None)
    title = f"{p.name}: use of force, {window_title(p)}"
    return finish(fig, title, _alt(monthly, shares, report))


def _monthly(ax: Axes, monthly: pd.DataFrame, report: Report) -> None:
    p = report.params.params
    for group in (g for g in p.groups if str(g) in monthly.columns):
        ax.plot(
            monthly.index, monthly[str(group)], lw=1.1, label=GROUP_LABELS[group], **group_style(group, markersize=2.5)
        )
    count_axis(ax, float(monthly.max().max()))
    mark_windows_and_events(ax, p)
    ax.set_xlabel("month")
    ax.set_ylabel("use-of-force incidents per month")
    ax.set_title("use-of-force incidents each month", loc="left")


def _shares(ax: Axes, shares: list[Estimate]) -> None:
    groups = list(dict.fromkeys(e.group for e in shares))
    width = 0.38
    for i, period in enumerate((Period.THEN, Period.NOW)):
        found = {e.group: e for e in shares if e.period == period}
        xs = [k + (i - 0.5) * width for k, g in enumerate(groups) if g in found]
        es = [found[g] for g in groups if g in found]
        if not es:
            continue
        errors = [[e.value - e.ci[0] for e in es], [e.ci[1] - e.value for e in es]]
        label = f"{period} ({fmt.window(*es[0].window)})"
        ax.bar(xs, [e.value for e in es], width, yerr=errors, color=PERIOD_COLOURS[period], capsize=3,
               hatch=PERIOD_HATCH[period], edgecolor="white", label=label)  # fmt: skip
    ax.set_xticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("group")
    ax.set_ylabel("share of people force was used on")
    ax.set_title("share of the people force was used on (shares, not counts: sources count different units)",
                 loc="left", fontsize=9)  # fmt: skip


def _alt(monthly: pd.DataFrame, shares: list[Estimate], report: Report) -> str:
    p = report.params.params
    parts = []
    if not monthly.empty:
        known = monthly.dropna(how="all")
        said = [
            f"{GROUP_LABELS[Group(g)]} {fmt.count(known[g].sum())} in all, at most {fmt.count(known[g].max())} a "
            f"month ({known[g].idxmax():%b %Y})"
            for g in known.columns
        ]
        gaps = int(monthly.isna().all(axis=1).sum())
        gap = f"; {fmt.count(gaps)} months without data left as gaps" if gaps else ""
        parts.append(
            f"Line chart of use-of-force incidents per month by group in {p.name}, {known.index.min():%b %Y} to "
            f"{known.index.max():%b %Y}{gap}: " + "; ".join(said) + "."
        )
    if shares:
        said = [f"{GROUP_LABELS[e.group]} {e.period} {fmt.value(e)} ({fmt.ci(e)})" for e in shares]
        parts.append(f"Bar chart of the share of people force was used on, by group: {'; '.join(said)}.")
    return " ".join(parts) + (events_sentence(p) if not monthly.empty else "")
