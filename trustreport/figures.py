"""One function per chart type, one seaborn theme, one colour per group (vocab, Okabe–Ito palette).

Every chart has a title naming the city and the then/now windows, labelled axes, and returns a closed
`Figure` so that Jupyter shows it exactly once.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.report import Report
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    GROUP_COLOURS,
    GROUP_LABELS,
    MEASURE_LABELS,
    MEASURE_SINGULAR,
    PER_RESIDENT_MEASURES,
    PERIOD_COLOURS,
    Group,
    Measure,
    Period,
)

_RC = {"figure.dpi": 110, "savefig.dpi": 110, "axes.titlesize": 11, "axes.labelsize": 10}


@contextmanager
def _theme():
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", rc=_RC):
        yield


def rate_ratios(report: Report) -> Figure | None:
    """Forest plot: each measure's ratio vs the reference group, then and now, with intervals (log scale)."""
    frame = _ratio_frame(report)
    if frame.empty:
        return None
    p = report.params.params
    measures = list(dict.fromkeys(frame["measure"]))
    with _theme():
        fig, axes = plt.subplots(
            len(measures),
            1,
            figsize=(8, 1.0 + 1.1 * len(measures) * max(1, len(p.groups) - 1) / 2),
            sharex=True,
            squeeze=False,
        )
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            _forest(ax, frame[frame["measure"] == measure], p)
            ax.set_title(_measure_title(Measure(measure)), loc="left")
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
            "measure": _measure_title(e.measure),
            "group": GROUP_LABELS[e.group],
            "period": f"{e.period} ({fmt.window(*e.window)})",
            "value": e.value * e.scale,
            "low": e.ci[0] * e.scale,
            "high": e.ci[1] * e.scale,
            "colour": PERIOD_COLOURS[e.period],
        }
        for e in report.estimates.where(statistic="rate")
        if e.estimable and e.ci and e.group in p.groups and e.ci[0] is not None
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    measures = list(dict.fromkeys(frame["measure"]))
    with _theme():
        fig, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures) + 1, 3.6), squeeze=False)
        for ax, measure in zip(axes[0], measures, strict=True):
            sub = frame[frame["measure"] == measure]
            _grouped_bars(ax, sub)
            ax.set_title(measure, loc="left")
            ax.set_xlabel("group")
            ax.set_ylabel(f"per {p.options.rate_per:,} residents a year")
        axes[0, -1].legend(title="window", fontsize=8, title_fontsize=8, loc="upper right")
        fig.suptitle(f"{p.name}: rates by group, then and now", x=0.01, ha="left", fontsize=12)
        fig.tight_layout()
    plt.close(fig)
    return fig


def workforce(report: Report) -> Figure | None:
    """Paired bars: share of officers vs share of residents, by group, for each officer snapshot."""
    est = report.estimates
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic="share"):
        res = est.one(measure=Measure.RESIDENTS, statistic="share", group=e.group, period=e.period)
        rows.append({"group": GROUP_LABELS[e.group], "who": f"officers ({e.window[0].year})", "share": e.value})
        if res:
            rows.append(
                {"group": GROUP_LABELS[e.group], "who": f"residents ({res.window[0].year})", "share": res.value}
            )
    if not rows:
        return None
    p = report.params.params
    with _theme():
        fig, ax = plt.subplots(figsize=(7, 3.6))
        sns.barplot(
            pd.DataFrame(rows),
            x="group",
            y="share",
            hue="who",
            ax=ax,
            palette=[PERIOD_COLOURS[Period.NOW], PERIOD_COLOURS[Period.THEN]],
        )
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_xlabel("group")
        ax.set_ylabel("share")
        ax.set_title(f"{p.name}: who polices and who lives there", loc="left")
        ax.legend(title="", fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig


def monthly(report: Report) -> Figure | None:
    """Monthly counts by group of every measure held as daily incident rows, across both windows, with the
    params' events marked as dashed lines and the then/now windows shaded."""
    c = report.counts
    daily = c[(c["period_start"] == c["period_end"]) & (c["group"] != str(Group.ALL))]
    measures = [m for m in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES) if (daily["measure"] == str(m)).any()]
    if not measures:
        return None
    p = report.params.params
    shown = [str(g) for g in p.groups]
    with _theme():
        fig, axes = plt.subplots(len(measures), 1, figsize=(8, 2.8 * len(measures) + 0.6), squeeze=False)
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            rows = daily[(daily["measure"] == str(measure)) & daily["group"].isin(shown)]
            by_month = (
                rows.assign(month=rows["period_start"].dt.to_period("M").dt.to_timestamp())
                .groupby(["month", "group"], as_index=False)["value"]
                .sum()
            )
            for group in shown:
                sub = by_month[by_month["group"] == group]
                g = Group(group)
                ax.plot(sub["month"], sub["value"], color=GROUP_COLOURS[g], label=GROUP_LABELS[g], lw=1.4)
            _mark_windows_and_events(ax, p)
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


def _mark_windows_and_events(ax, p) -> None:
    for period, win in ((Period.THEN, p.then), (Period.NOW, p.now)):
        ax.axvspan(pd.Timestamp(win.start), pd.Timestamp(win.end), color=PERIOD_COLOURS[period], alpha=0.1)
    for event in p.events:
        when = pd.Timestamp(event.date)
        ax.axvline(when, color="#444444", lw=0.8, ls="--")
        ax.annotate(
            event.label, (when, 0.98), xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right", fontsize=7
        )


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
        if e.statistic in ("rate_ratio", "risk_ratio") and e.estimable and e.ci and e.ci[0] and e.ci[1]
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
    ax.axvline(1, color="#444444", lw=0.8)
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


def _measure_title(measure: Measure) -> str:
    if measure in CONDITIONAL_STAGES:
        return f"{MEASURE_LABELS[measure]} per {MEASURE_SINGULAR[CONDITIONAL_STAGES[measure]]}"
    return f"{MEASURE_LABELS[measure]} per resident"


# --- outcome test and veil of darkness (methods §3, §4) -------------------------------------------------------

_MIN_DISTRICT_SEARCHES = 10  # sub-city cells under 10 are suppressed (methods §5.3, CDC WONDER rule)
_LIGHT_COLOUR = "#E69F00"  # Okabe–Ito orange: daylight
_DARK_COLOUR = "#000000"  # Okabe–Ito black: after dusk


def outcome_scatter(report: Report) -> Figure | None:
    """The Open Policing disparity scatter (methods §3.1): per district, each group's hit rate against the
    reference group's, point size = searches of both, a dashed 45° line of equal hit rates; one panel per
    period. None when the sources hold no searches by district."""
    from trustreport.metrics.outcome_test import hit_rates_by_district

    p = report.params.params
    windows = ((Period.THEN, p.then), (Period.NOW, p.now))
    tables = {
        period: hit_rates_by_district(
            report.sources,
            win.dates,
            groups=p.groups,
            reference=p.reference_group,
            min_searches=_MIN_DISTRICT_SEARCHES,
        )
        for period, win in windows
    }
    if all(t.empty for t in tables.values()):
        return None
    top = max(max(t["hit_rate"].max(), t["reference_hit_rate"].max()) for t in tables.values() if not t.empty)
    limit = min(1.0, top + 0.02)
    biggest = max(t["searches_total"].max() for t in tables.values() if not t.empty)
    reference = GROUP_LABELS[p.reference_group]
    with _theme():
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.6), sharex=True, sharey=True, squeeze=False)
        for ax, (period, win) in zip(axes[0], windows, strict=True):
            _hit_rate_panel(ax, tables[period], limit, biggest)
            ax.set_title(f"{period} ({fmt.window(win.start, win.end)})", loc="left")
            ax.set_xlabel(f"{reference} hit rate")
        axes[0, 0].set_ylabel("group hit rate")
        fig.suptitle(
            f"{p.name}: hit rates by district, then ({fmt.window(p.then.start, p.then.end)}) and now "
            f"({fmt.window(p.now.start, p.now.end)})",
            x=0.01,
            ha="left",
            fontsize=12,
        )
        fig.text(
            0.01,
            0.01,
            f"Each point is a district (size: searches of both groups; districts with fewer than "
            f"{_MIN_DISTRICT_SEARCHES} searches of either group are left out). Below the dashed line, the group's "
            f"searches found contraband less often than searches of {reference} drivers.",
            fontsize=7,
            wrap=True,
        )
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    plt.close(fig)
    return fig


def _hit_rate_panel(ax, table: pd.DataFrame, limit: float, biggest: float) -> None:
    ax.plot([0, limit], [0, limit], ls="--", color="#444444", lw=0.8)
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
    in each panel title. None without a location, stop times or veil-of-darkness estimates."""
    from trustreport.metrics.veil_of_darkness import share_by_clock_time

    p = report.params.params
    ratios = report.estimates.where(statistic="vod_odds_ratio")
    if p.location is None or not ratios:
        return None
    focal = Group.BLACK if any(e.group == Group.BLACK for e in ratios) else ratios[0].group
    windows = ((Period.THEN, p.then), (Period.NOW, p.now))
    tables = {
        period: share_by_clock_time(
            report.sources, win.dates, location=p.location, group=focal, reference=p.reference_group
        )
        for period, win in windows
    }
    if all(t.empty for t in tables.values()):
        return None
    with _theme():
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, squeeze=False)
        for ax, (period, win) in zip(axes[0], windows, strict=True):
            _darkness_panel(ax, tables[period])
            ratio = report.estimates.one(statistic="vod_odds_ratio", group=focal, period=period)
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
    from matplotlib.lines import Line2D

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


# --- the stage funnel (methods §1.3) ---------------------------------------------------------------------------


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
    with _theme():
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
        ax.axhline(1, color="#444444", lw=0.8)
        ax.set_yscale("log")
        # Plain numbers (0.5, 1, 2, 5) read better than powers of ten for ratios near parity.
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
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
    from trustreport.metrics.funnel import FUNNEL_ORDER, stage_label

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
        for e in report.estimates.where(statistic="stage_ratio")
        if e.estimable and e.measure in FUNNEL_ORDER and e.group in p.groups and e.ci and None not in e.ci
    ]
    return pd.DataFrame(rows)
