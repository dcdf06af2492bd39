"""Section 4 chart: stage-by-stage ratios vs the reference group, then and now (docs/methods.md §1.3)."""

from __future__ import annotations

import textwrap

import pandas as pd

from trustreport import fmt
from trustreport.figures._theme import (
    GROUP_MARKERS,
    GUIDE_COLOUR,
    Chart,
    finish,
    handles_of,
    legend_below,
    new_chart,
    plain_log_axis,
    theme,
    window_title,
)
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import FUNNEL_ORDER, GROUP_COLOURS, GROUP_LABELS, Period, stage_label


def funnel(report: Report) -> Chart | None:
    """Stage-by-stage ratios vs the reference group (the relative rate index of each stage, docs/methods.md §1.3), by
    group, then (hollow) vs now (filled), with intervals, on a log scale with parity at 1. Points are not joined:
    the stages branch (arrests are fed by stops, not by hits). None when no stage ratio is estimable."""
    frame = _funnel_ratio_frame(report)
    if frame.empty:
        return None
    p = report.params.params
    stages = list(dict.fromkeys(frame.sort_values("order", kind="stable")["stage"]))
    slots = [(g, period) for g in dict.fromkeys(frame["group"]) for period, _ in p.windows]
    width = 0.7 / len(slots)
    labels = {period: win.label for period, win in p.windows}
    with theme():
        fig, axes = new_chart(height=4.8)
        ax = axes[0, 0]
        for i, (group, period) in enumerate(slots):
            sub = frame[(frame["group"] == group) & (frame["period"] == period)].sort_values("order")
            if sub.empty:
                continue
            colour = GROUP_COLOURS[group]
            ax.errorbar(
                sub["stage"].map(stages.index) + (i - (len(slots) - 1) / 2) * width,
                sub["value"],
                yerr=[sub["value"] - sub["low"], sub["high"] - sub["value"]],
                fmt=GROUP_MARKERS[group],
                color=colour,
                mfc="white" if period == Period.THEN else colour,
                capsize=2,
                elinewidth=1.0,
                label=f"{GROUP_LABELS[group]}, {period}: {labels[period]}",
            )
        ax.axhline(1, color=GUIDE_COLOUR, lw=0.8)
        ax.set_yscale("log")
        plain_log_axis(ax.yaxis)
        ax.set_xticks(range(len(stages)), [textwrap.fill(s, 16) for s in stages])
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("stage (each measured against the stage that feeds it)")
        ax.set_ylabel(f"ratio vs {GROUP_LABELS[p.reference_group]} people (log scale; 1 = parity)")
        legend_below(fig, handles_of([ax]))
    title = f"{p.name}: stage-by-stage ratios vs {GROUP_LABELS[p.reference_group]} people, {window_title(p)}"
    said = [
        f"{r.stage}: {GROUP_LABELS[r.group]} {r.period} {fmt.ratio(r.value)} ({fmt.interval(r.low, r.high)})"
        for r in frame.sort_values(["order", "period"], kind="stable").itertuples()
    ]
    alt = (
        f"Dot chart of stage-by-stage ratios vs {GROUP_LABELS[p.reference_group]} people in {p.name}, "
        f"{window_title(p)}, log scale, 1 = parity, with 95% intervals: " + "; ".join(said) + "."
    )
    return finish(fig, title, alt)


def _funnel_ratio_frame(report: Report) -> pd.DataFrame:
    """The estimable stage ratios with both interval bounds, with their stage label and funnel order."""
    p = report.params.params
    rows = [
        {
            "stage": stage_label(e.measure, e.denominator_kind),
            "order": FUNNEL_ORDER.index(e.measure),
            "group": e.group,
            "period": e.period,
            "value": e.value,
            "low": e.ci[0],
            "high": e.ci[1],
        }
        for e in report.estimates.where(statistic=Statistic.STAGE_RATIO)
        if e.estimable and e.measure in FUNNEL_ORDER and e.group in p.groups and e.ci and None not in e.ci
    ]
    return pd.DataFrame(rows)
