"""Section 8 chart: who polices and who lives there, the force's make-up at each officer snapshot, and where
officers live."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.estimate import EstimateSet
from trustreport.figures._theme import GUIDE_COLOUR, mark_windows_and_events, theme, windows_phrase
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, PERIOD_COLOURS, Group, Measure, Period

# Officer bars take the colour of the window their snapshot is reported under (a period, never a change).
_OFFICERS = {Period.THEN: PERIOD_COLOURS[Period.THEN], Period.NOW: PERIOD_COLOURS[Period.NOW]}


def workforce(report: Report) -> Figure | None:
    """Up to three panels: paired bars of officer vs resident shares by group for each officer snapshot; the
    officer share of each group at every snapshot on a time axis with the then/now windows and events (when
    there are two snapshots or more); and the share of officers living in the city by group, with Wilson
    intervals where the source gives counts."""
    est = report.estimates
    panels = [
        panel
        for panel, rows in (
            (_composition, _composition_rows(est)),
            (_over_time, _snapshot_rows(est) if _snapshot_count(est) > 1 else []),
            (_residency, _residency_rows(est)),
        )
        if rows
    ]
    if not panels:
        return None
    p = report.params.params
    with theme():
        fig, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels) + 1, 3.9), squeeze=False)
        for ax, panel in zip(axes[0], panels, strict=True):
            panel(ax, est, p)
        fig.suptitle(
            f"{p.name}: who polices and who lives there, {windows_phrase(p)}",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.tight_layout()
    plt.close(fig)
    return fig


def _composition_rows(est: EstimateSet) -> list[dict]:
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic=Statistic.SHARE):
        res = est.one(measure=Measure.RESIDENTS, statistic=Statistic.SHARE, group=e.group, period=e.period)
        officers = f"officers ({e.window[0].year})"
        rows.append({"group": GROUP_LABELS[e.group], "who": officers, "share": e.value, "colour": _OFFICERS[e.period]})
        if res:
            residents = f"residents ({res.window[0].year})"
            rows.append({"group": GROUP_LABELS[e.group], "who": residents, "share": res.value, "colour": GUIDE_COLOUR})
    return rows


def _composition(ax: Axes, est: EstimateSet, p: Params) -> None:
    """Paired bars: share of officers (in the colour of their period) vs share of residents (the benchmark, in
    the guide colour), by group, for each officer snapshot."""
    frame = pd.DataFrame(_composition_rows(est))
    palette = dict(zip(frame["who"], frame["colour"], strict=True))
    sns.barplot(frame, x="group", y="share", hue="who", ax=ax, palette=palette)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("group")
    ax.set_ylabel("share of officers / residents")
    ax.set_title("officers vs residents", loc="left")
    ax.legend(title="", fontsize=8)


def _snapshot_count(est: EstimateSet) -> int:
    return len({e.window for e in est.where(measure=Measure.OFFICERS, statistic=Statistic.SHARE)})


def _snapshot_rows(est: EstimateSet) -> list[dict]:
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic=Statistic.SHARE):
        start, end = (pd.Timestamp(d) for d in e.window)
        low, high = e.ci if e.ci else (None, None)
        rows.append(
            {
                "group": e.group,
                "when": start + (end - start) / 2,
                "share": e.value,
                "low": e.value if low is None else low,
                "high": e.value if high is None else high,
            }
        )
    return rows


def _over_time(ax: Axes, est: EstimateSet, p: Params) -> None:
    """Each group's officer share at every snapshot, with its Wilson interval, on a time axis."""
    frame = pd.DataFrame(_snapshot_rows(est)).sort_values("when")
    for group, sub in frame.groupby("group", sort=False):
        group = Group(group)
        ax.errorbar(
            sub["when"],
            sub["share"],
            yerr=[sub["share"] - sub["low"], sub["high"] - sub["share"]],
            color=GROUP_COLOURS[group],
            marker="o",
            capsize=3,
            label=GROUP_LABELS[group],
        )
    mark_windows_and_events(ax, p)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("officer snapshot")
    ax.set_ylabel("share of officers")
    ax.set_title("the force then and now", loc="left")
    ax.legend(title="", fontsize=8)


def _residency_rows(est: EstimateSet) -> list[dict]:
    return [
        {
            "group": e.group,
            "share": e.value,
            "low": e.ci[0] if e.ci else None,
            "high": e.ci[1] if e.ci else None,
            "year": fmt.window(*e.window),
        }
        for e in est.where(measure=Measure.OFFICERS_LIVING_IN_CITY, statistic=Statistic.SHARE)
        if e.estimable
    ]


def _residency(ax: Axes, est: EstimateSet, p: Params) -> None:
    """Bars: share of each group's officers living in the city; intervals only where the source gave counts."""
    frame = pd.DataFrame(_residency_rows(est))
    positions = range(len(frame))
    ax.bar(positions, frame["share"], color=[GROUP_COLOURS[Group(g)] for g in frame["group"]])
    for x, row in zip(positions, frame.itertuples(), strict=True):
        if row.low is not None and not pd.isna(row.low):
            ax.errorbar(
                x, row.share, yerr=[[row.share - row.low], [row.high - row.share]], color=GUIDE_COLOUR, capsize=3
            )
        else:
            ax.annotate(
                "share only", (x, row.share), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7
            )
    ax.set_xticks(list(positions), [GROUP_LABELS[Group(g)] for g in frame["group"]])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("officers' group")
    ax.set_ylabel("share living in the city")
    ax.set_title(f"where officers live ({', '.join(dict.fromkeys(frame['year']))})", loc="left")
