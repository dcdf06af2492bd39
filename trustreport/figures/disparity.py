"""Sections 4–5 charts: ratios vs the reference group (forest plot), rates by group, and monthly counts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.figures._theme import GUIDE_COLOUR, mark_windows_and_events, measure_title, theme
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    GROUP_COLOURS,
    GROUP_LABELS,
    MEASURE_LABELS,
    PER_RESIDENT_MEASURES,
    PERIOD_COLOURS,
    Group,
    Measure,
    Period,
)


def rate_ratios(report: Report) -> Figure | None:
    """Forest plot: each measure's ratio vs the reference group, then and now, with intervals (log scale)."""
    frame = _ratio_frame(report)
    if frame.empty:
        return None
    p = report.params.params
    measures = list(dict.fromkeys(frame["measure"]))
    with theme():
        fig, axes = plt.subplots(
            len(measures),
            1,
            figsize=(8, 1.0 + 1.1 * len(measures) * max(1, len(p.groups) - 1) / 2),
            sharex=True,
            squeeze=False,
        )
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            _forest(ax, frame[frame["measure"] == measure], p)
            ax.set_title(measure_title(Measure(measure)), loc="left")
        axes[-1, 0].set_xlabel(f"ratio vs {GROUP_LABELS[p.reference_group]} (log scale; 1 = parity)")
        fig.suptitle(
            f"{p.name}: disparity then ({fmt.window(p.then.start, p.then.end)}) and now "
            f"({fmt.window(p.now.start, p.now.end)})",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def rates(report: Report) -> Figure | None:
    """Bar chart: each per-resident measure's rate by group, then vs now, with intervals."""
    p = report.params.params
    rows = [
        {
            "measure": measure_title(e.measure),
            "group": GROUP_LABELS[e.group],
            "period": f"{e.period} ({fmt.window(*e.window)})",
            "value": e.value * fmt.unit(e),
            "low": e.ci[0] * fmt.unit(e),
            "high": e.ci[1] * fmt.unit(e),
            "per": fmt.per_residents(e.measure, e.scale),
            "colour": PERIOD_COLOURS[e.period],
        }
        for e in report.estimates.where(statistic=Statistic.RATE)
        if e.estimable and e.ci and e.group in p.groups and e.ci[0] is not None
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    measures = list(dict.fromkeys(frame["measure"]))
    with theme():
        fig, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures) + 1, 3.6), squeeze=False)
        for ax, measure in zip(axes[0], measures, strict=True):
            sub = frame[frame["measure"] == measure]
            _grouped_bars(ax, sub)
            ax.set_title(measure, loc="left")
            ax.set_xlabel("group")
            ax.set_ylabel(sub["per"].iloc[0])
        axes[0, -1].legend(title="window", fontsize=8, title_fontsize=8, loc="upper right")
        fig.suptitle(f"{p.name}: rates by group, then and now", x=0.01, ha="left", fontsize=12)
        fig.tight_layout()
    plt.close(fig)
    return fig


def monthly(report: Report) -> Figure | None:
    """Monthly counts by group of every measure held as daily incident rows, across both windows, with the
    params' events marked as dashed lines and the then/now windows shaded. Draws `report.prepared.monthly`."""
    monthly = report.prepared.monthly
    if not monthly:
        return None
    p = report.params.params
    shown = [str(g) for g in p.groups]
    with theme():
        fig, axes = plt.subplots(len(monthly), 1, figsize=(8, 2.8 * len(monthly) + 0.6), squeeze=False)
        for ax, (measure, by_month) in zip(axes[:, 0], monthly.items(), strict=True):
            for group in shown:
                sub = by_month[by_month["group"] == group]
                g = Group(group)
                ax.plot(sub["month"], sub["value"], color=GROUP_COLOURS[g], label=GROUP_LABELS[g], lw=1.4)
            mark_windows_and_events(ax, p)
            ax.set_xlabel("month")
            ax.set_ylabel("per month")
            ax.set_title(MEASURE_LABELS[measure].capitalize(), loc="left")
            ax.legend(fontsize=8, loc="upper left")
        fig.suptitle(
            f"{p.name}: monthly counts by group (shaded: then {p.then.label}, now {p.now.label}; dashed: events)",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _ratio_frame(report: Report) -> pd.DataFrame:
    rows = [
        {
            "measure": str(e.measure),
            "group": e.group,
            "period": e.period,
            "value": e.value,
            "low": e.ci[0],
            "high": e.ci[1],
        }
        for e in report.estimates
        if e.statistic in (Statistic.RATE_RATIO, Statistic.RISK_RATIO) and e.estimable and e.ci and e.ci[0] and e.ci[1]
    ]
    order = [str(m) for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES)]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.assign(order=frame["measure"].map(order.index)).sort_values("order", kind="stable")


def _forest(ax, frame: pd.DataFrame, p) -> None:
    groups = [g for g in p.groups if g != p.reference_group]
    for i, group in enumerate(groups):
        for j, period in enumerate((Period.THEN, Period.NOW)):
            row = frame[(frame["group"] == group) & (frame["period"] == period)]
            if row.empty:
                continue
            r = row.iloc[0]
            y = i + (j - 0.5) * 0.3
            ax.errorbar(
                r["value"],
                y,
                xerr=[[r["value"] - r["low"]], [r["high"] - r["value"]]],
                fmt="o",
                color=PERIOD_COLOURS[period],
                capsize=3,
                label=f"{period} ({p.then.label if period == Period.THEN else p.now.label})",
            )
    ax.axvline(1, color=GUIDE_COLOUR, lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.set_ylabel("group")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")


def _grouped_bars(ax, frame: pd.DataFrame) -> None:
    groups = list(dict.fromkeys(frame["group"]))
    periods = list(dict.fromkeys(frame["period"]))
    width = 0.8 / max(1, len(periods))
    for j, period in enumerate(periods):
        sub = frame[frame["period"] == period].set_index("group").reindex(groups)
        x = np.arange(len(groups)) + (j - (len(periods) - 1) / 2) * width
        ax.bar(
            x, sub["value"], width, color=sub["colour"].iloc[0] if sub["colour"].notna().any() else None, label=period
        )
        ax.errorbar(
            x,
            sub["value"],
            yerr=[sub["value"] - sub["low"], sub["high"] - sub["value"]],
            fmt="none",
            ecolor="#222222",
            capsize=2,
            lw=0.8,
        )
    ax.set_xticks(range(len(groups)), groups)
