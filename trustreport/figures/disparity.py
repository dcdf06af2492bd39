"""Sections 4–5 charts: ratios vs the reference group (forest plot), rates by group, and monthly counts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.figures._theme import (
    GUIDE_COLOUR,
    PERIOD_HATCH,
    Chart,
    count_axis,
    events_sentence,
    finish,
    group_style,
    handles_of,
    legend_below,
    mark_windows_and_events,
    measure_title,
    new_chart,
    plain_log_axis,
    theme,
    window_title,
)
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    GROUP_LABELS,
    MEASURE_LABELS,
    PER_RESIDENT_MEASURES,
    PERIOD_COLOURS,
    Group,
    Measure,
    Period,
)

_PERIOD_MARKERS = {Period.THEN: "o", Period.NOW: "s"}


def rate_ratios(report: Report) -> Chart | None:
    """Forest plot: each measure's ratio vs the reference group, then (hollow circle) and now (filled square),
    with intervals, on a log scale labelled in plain numbers; one panel per measure, stacked."""
    frame = _ratio_frame(report)
    if frame.empty:
        return None
    p = report.params.params
    measures = list(dict.fromkeys(frame["measure"]))
    rows = max(1, len(p.groups) - 1)
    with theme():
        fig, axes = new_chart(len(measures), 1, height=1.3 + (0.45 * rows + 0.7) * len(measures), sharex=True)
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            _forest(ax, frame[frame["measure"] == measure], p)
            ax.set_title(measure_title(Measure(measure)), loc="left")
        plain_log_axis(axes[-1, 0].xaxis)
        axes[-1, 0].set_xlabel(f"ratio vs {GROUP_LABELS[p.reference_group]} (log scale; 1 = parity)")
        legend_below(fig, handles_of(axes[:, 0]))
    title = f"{p.name}: disparity {window_title(p)}"
    return finish(fig, title, _ratio_alt(frame, p))


def _ratio_alt(frame: pd.DataFrame, p: Params) -> str:
    parts = []
    for measure, sub in frame.groupby("measure", sort=False):
        said = [
            f"{GROUP_LABELS[r.group]} {r.period} {fmt.ratio(r.value)} ({fmt.interval(r.low, r.high)})"
            for r in sub.itertuples()
        ]
        parts.append(f"{measure_title(Measure(measure))}: {'; '.join(said)}")
    return (
        f"Forest plot of ratios vs {GROUP_LABELS[p.reference_group]} people in {p.name}, {window_title(p)}, "
        f"with 95% intervals (1 = parity). " + ". ".join(parts) + "."
    )


def rates(report: Report) -> Chart | None:
    """Bar chart: each per-resident measure's rate by group, then (hatched) vs now, with intervals; one panel
    per measure, stacked."""
    p = report.params.params
    rows = [
        {
            "measure": measure_title(e.measure),
            "group": GROUP_LABELS[e.group],
            "period": e.period,
            "label": f"{e.period} ({fmt.window(*e.window)})",
            "value": e.value * fmt.unit(e),
            "low": e.ci[0] * fmt.unit(e),
            "high": e.ci[1] * fmt.unit(e),
            "estimate": e,
            "per": fmt.per_residents(e.measure, p.options.rate_per),
        }
        for e in report.estimates.where(statistic=Statistic.RATE)
        if e.estimable and e.ci and e.group in p.groups and e.ci[0] is not None
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    measures = list(dict.fromkeys(frame["measure"]))
    per = {m: frame.loc[frame["measure"] == m, "per"].iloc[0] for m in measures}
    with theme():
        fig, axes = new_chart(len(measures), 1, height=1.2 + 2.3 * len(measures))
        for ax, measure in zip(axes[:, 0], measures, strict=True):
            _grouped_bars(ax, frame[frame["measure"] == measure])
            ax.set_title(measure, loc="left")
            ax.set_ylabel(per[measure])
        axes[-1, 0].set_xlabel("group")
        legend_below(fig, handles_of(axes[:, 0]))
    said = [
        f"{measure} ({per[measure]}): "
        + "; ".join(
            f"{r.group} {r.period} {fmt.value(r.estimate)} ({fmt.ci(r.estimate)})"
            for r in frame[frame["measure"] == measure].itertuples()
        )
        for measure in measures
    ]
    alt = f"Bar chart of rates by group in {p.name}, {window_title(p)}, with 95% intervals. " + ". ".join(said)
    return finish(fig, f"{p.name}: rates by group, then and now", alt + ".")


def monthly(report: Report) -> Chart | None:
    """Monthly counts by group of every measure held as daily incident rows, every month of the covered span
    with its zeros, a break in the line where no source covers a month, months covered only in part as hollow
    markers off the line; count axes from 0; the params' events and the then/now windows marked; one panel per
    measure, stacked. Draws `report.prepared.monthly`."""
    monthly = report.prepared.monthly
    if not monthly:
        return None
    p = report.params.params
    with theme():
        fig, axes = new_chart(len(monthly), 1, height=1.4 + 2.2 * len(monthly))
        for ax, (measure, by_month) in zip(axes[:, 0], monthly.items(), strict=True):
            for group in (g for g in p.groups if str(g) in set(by_month["group"])):
                monthly_line(ax, by_month[by_month["group"] == str(group)], group)
            count_axis(ax, by_month["value"].max())
            mark_windows_and_events(ax, p)
            ax.set_ylabel("per month")
            ax.set_title(MEASURE_LABELS[measure].capitalize(), loc="left")
            ax.set_xlabel("month (hollow: month covered only in part)")
        legend_below(fig, handles_of(axes[:1, 0]), events=p)
    shaded = ", ".join(f"{period} {win.label}" for period, win in p.windows)
    title = f"{p.name}: monthly counts by group (shaded: {shaded}; dashed: events)"
    return finish(fig, title, _monthly_alt(monthly, p))


def monthly_line(ax: Axes, rows: pd.DataFrame, group: Group) -> None:
    """One group's monthly counts: whole months on the line (NaN breaks it), part-covered months as hollow
    markers off it."""
    rows = rows.sort_values("month")
    whole = rows["whole"].astype(bool)
    style = group_style(group, markersize=2.5)
    ax.plot(rows["month"], rows["value"].where(whole), lw=1.1, label=GROUP_LABELS[group], **style)
    part = rows[~whole & rows["value"].notna()]
    ax.plot(part["month"], part["value"], ls="", marker=style["marker"], mfc="white", mec=style["color"], ms=4)


def _months(n: int) -> str:
    return f"{fmt.count(n)} month" if n == 1 else f"{fmt.count(n)} months"


def _monthly_alt(monthly: Mapping[Measure, pd.DataFrame], p: Params) -> str:
    parts = []
    for measure, rows in monthly.items():
        known = rows[rows["value"].notna()]
        if known.empty:
            continue
        span = f"{known['month'].min():%b %Y} to {known['month'].max():%b %Y}"
        gaps = rows.loc[rows["value"].isna(), "month"].nunique()
        said = []
        for group in p.groups:
            sub = known[known["group"] == str(group)]
            if sub.empty:
                continue
            top = sub.loc[sub["value"].idxmax()]
            zeros = int((sub["value"] == 0).sum())
            said.append(
                f"{GROUP_LABELS[group]} {fmt.count(sub['value'].sum())} in all, at most {fmt.count(top['value'])} "
                f"a month ({top['month']:%b %Y}), {_months(zeros)} with none"
            )
        gap = f"; {_months(gaps)} without data left as gaps" if gaps else ""
        parts.append(f"{MEASURE_LABELS[measure]}, {span}{gap}: {'; '.join(said)}")
    return f"Line charts of monthly counts by group in {p.name}. " + ". ".join(parts) + "." + events_sentence(p)


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


def _forest(ax: Axes, frame: pd.DataFrame, p: Params) -> None:
    groups = [g for g in p.groups if g != p.reference_group]
    for i, group in enumerate(groups):
        for j, period in enumerate((Period.THEN, Period.NOW)):
            row = frame[(frame["group"] == group) & (frame["period"] == period)]
            if row.empty:
                continue
            r = row.iloc[0]
            colour = PERIOD_COLOURS[period]
            ax.errorbar(
                r["value"],
                i + (j - 0.5) * 0.3,
                xerr=[[r["value"] - r["low"]], [r["high"] - r["value"]]],
                fmt=_PERIOD_MARKERS[period],
                color=colour,
                mfc="white" if period == Period.THEN else colour,
                capsize=3,
                label=f"{period}: {p.then.label if period == Period.THEN else p.now.label}",
            )
    ax.axvline(1, color=GUIDE_COLOUR, lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(range(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.set_ylim(-0.6, len(groups) - 0.4)
    ax.invert_yaxis()


def _grouped_bars(ax: Axes, frame: pd.DataFrame) -> None:
    """Bars by group, one per window: then hatched, now filled, each with its interval."""
    groups = list(dict.fromkeys(frame["group"]))
    periods = list(dict.fromkeys(frame["period"]))
    width = 0.8 / max(1, len(periods))
    for j, period in enumerate(periods):
        sub = frame[frame["period"] == period].set_index("group").reindex(groups)
        x = np.arange(len(groups)) + (j - (len(periods) - 1) / 2) * width
        colour = PERIOD_COLOURS[Period(period)]
        ax.bar(
            x,
            sub["value"],
            width,
            color=colour,
            hatch=PERIOD_HATCH[Period(period)],
            edgecolor="white",
            label=sub["label"].dropna().iloc[0],
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
    ax.set_ylim(bottom=0)
