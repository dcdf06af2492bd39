"""Section 4 chart: stage-by-stage ratios vs the reference group, then and now (methods §1.3)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.figures._theme import GUIDE_COLOUR, theme
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import FUNNEL_ORDER, GROUP_COLOURS, GROUP_LABELS, Period, stage_label


def funnel(report: Report) -> Figure | None:
    """Stage-by-stage ratios vs the reference group (the relative rate index of each stage, methods §1.3), by
    group, then (hollow) vs now (filled), with intervals, on a log scale with parity at 1. Points are not joined:
    the stages branch (arrests are fed by stops, not by hits). None when no stage ratio is estimable."""
    frame = _funnel_ratio_frame(report)
    if frame.empty:
        return None
    p = report.params.params
    stages = list(dict.fromkeys(frame.sort_values("order", kind="stable")["stage"]))
    slots = [(g, period) for g in dict.fromkeys(frame["group"]) for period in (Period.THEN, Period.NOW)]
    width = 0.7 / len(slots)
    labels = {Period.THEN: p.then.label, Period.NOW: p.now.label}
    with theme():
        fig, ax = plt.subplots(figsize=(max(6.5, 1.7 * len(stages) + 2.5), 4.2))
        for i, (group, period) in enumerate(slots):
            sub = frame[(frame["group"] == group) & (frame["period"] == period)].sort_values("order")
            if sub.empty:
                continue
            colour = GROUP_COLOURS[group]
            ax.errorbar(
                sub["stage"].map(stages.index) + (i - (len(slots) - 1) / 2) * width,
                sub["value"],
                yerr=[sub["value"] - sub["low"], sub["high"] - sub["value"]],
                fmt="o",
                color=colour,
                mfc="white" if period == Period.THEN else colour,
                capsize=2,
                elinewidth=1.0,
                label=f"{GROUP_LABELS[group]}, {period} ({labels[period]})",
            )
        ax.axhline(1, color=GUIDE_COLOUR, lw=0.8)
        ax.set_yscale("log")
        # Plain numbers (0.5, 1, 2, 5) read better than powers of ten for ratios near parity.
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.tick(v)))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xticks(range(len(stages)), stages)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("stage (each measured against the stage that feeds it)")
        ax.set_ylabel(f"ratio vs {GROUP_LABELS[p.reference_group]} people (log scale; 1 = parity)")
        ax.set_title(
            f"{p.name}: stage-by-stage ratios vs {GROUP_LABELS[p.reference_group]} people, then "
            f"({fmt.window(p.then.start, p.then.end)}) and now "
            f"({fmt.window(p.now.start, p.now.end)})",
            loc="left",
        )
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
    plt.close(fig)
    return fig


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
