"""Section 4 (force) chart: monthly force incidents by race for incident-level sources, with the then/now windows
and events, and the race shares of the people force was used on, then vs now."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.figures._theme import mark_windows_and_events, theme, windows_phrase
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, PERIOD_COLOURS, Group, Measure, Period


def force(report: Report) -> Figure | None:
    """Monthly force incidents by race (events and windows marked) and subject shares then vs now."""
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
        fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 3.8), squeeze=False)
        axes = list(axes[0])
        if not monthly.empty:
            ax = axes.pop(0)
            for group in monthly.columns:
                ax.plot(
                    monthly.index, monthly[group], color=GROUP_COLOURS[Group(group)], label=GROUP_LABELS[Group(group)]
                )
            mark_windows_and_events(ax, p)
            ax.set_xlabel("month")
            ax.set_ylabel("use-of-force incidents per month")
            ax.legend(fontsize=8)
        if shares:
            _shares(axes.pop(0), shares)
        fig.suptitle(
            f"{p.name}: use of force, {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _shares(ax, shares) -> None:
    groups = list(dict.fromkeys(e.group for e in shares))
    width = 0.38
    for i, period in enumerate((Period.THEN, Period.NOW)):
        found = {e.group: e for e in shares if e.period == period}
        xs = [k + (i - 0.5) * width for k, g in enumerate(groups) if g in found]
        es = [found[g] for g in groups if g in found]
        if not es:
            continue
        errors = [[e.value - e.ci[0] for e in es], [e.ci[1] - e.value for e in es]]
        ax.bar(xs, [e.value for e in es], width, yerr=errors, color=PERIOD_COLOURS[period], capsize=3,
               label=f"{period} ({fmt.window(*es[0].window)})")  # fmt: skip
    ax.set_xticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("group")
    ax.set_ylabel("share of people force was used on")
    ax.set_title("shares, not counts: the sources count different units", loc="left", fontsize=9)
    ax.legend(fontsize=8)
