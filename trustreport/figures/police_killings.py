"""Section 7 chart: people killed by police per year by group over the data span, with the then/now windows and
the params' events, and (where residents exist) the rate per resident pooled over the span."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.estimate import Estimate, EstimateSet
from trustreport.figures._theme import (
    GUIDE_COLOUR,
    Chart,
    count_axis,
    events_sentence,
    finish,
    group_style,
    handles_of,
    join_words,
    legend_below,
    mark_windows_and_events,
    new_chart,
    theme,
    window_title,
)
from trustreport.params import Params
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_COLOURS, GROUP_LABELS, Group, Measure

_MEASURE = Measure.POLICE_KILLINGS


def police_killings(report: Report) -> Chart | None:
    """Top: the count per calendar year by group, every covered year with its zero (Garwood exact intervals as
    bars; hollow markers off the line for years the data cover only in part; a break where no source covers a
    year), with the then/now windows shaded and events marked. Below, when pooled rates exist: the rate per
    resident per year over the whole span by group, with exact intervals. Draws `report.prepared.killings_annual`
    and the pooled estimates."""
    annual = report.prepared.killings_annual
    if annual.empty or annual["value"].isna().all():
        return None
    p = report.params.params
    pooled = _pooled(report.estimates, p)
    with theme():
        fig, axes = new_chart(
            2 if pooled else 1, 1, height=5.6 if pooled else 3.6, height_ratios=[3, 2][: 1 + bool(pooled)]
        )
        _annual_panel(axes[0, 0], annual, p)
        if pooled:
            _pooled_panel(axes[1, 0], pooled)
        legend_below(fig, handles_of(axes[:1, 0]), events=p)
    title = f"{p.name}: people killed by police, {window_title(p)}"
    return finish(fig, title, _alt(annual, pooled, p))


def _order(frame: pd.DataFrame, p: Params) -> list[Group]:
    return [g for g in (*p.groups, Group.ALL) if g in set(frame["group"])]


def _annual_panel(ax: Axes, frame: pd.DataFrame, p: Params) -> None:
    """One line per group (and all) over whole years, error bars from the Garwood interval; a year covered only
    in part is a hollow marker off the line, so a short year never reads as a fall."""
    order = _order(frame, p)
    for i, group in enumerate(order):
        sub = frame[frame["group"] == group].sort_values("year")
        # Groups side by side within the year, so equal counts (a city's only group and `all`) stay visible.
        when = pd.to_datetime(sub["year"].astype(int).astype(str) + "-07-01") + pd.Timedelta(
            days=40 * (i - (len(order) - 1) / 2)
        )
        style = group_style(group)
        whole = sub["value"].where(~sub["partial"].astype(bool))
        ax.plot(when, whole, lw=1.4, label=GROUP_LABELS[group], **style)
        ax.errorbar(
            when,
            sub["value"],
            yerr=[sub["value"] - sub["low"], sub["high"] - sub["value"]],
            fmt="none",
            ecolor=style["color"],
            alpha=0.35,
            capsize=2,
            lw=0.9,
        )
        part = sub["partial"].astype(bool) & sub["value"].notna()
        ax.plot(when[part], sub["value"][part], ls="", marker=style["marker"], mfc="white", mec=style["color"])
    count_axis(ax, float(frame["high"].max()))
    mark_windows_and_events(ax, p)
    ax.set_xlabel("year (hollow marker: part of the year only)")
    ax.set_ylabel("people killed by police per year")
    ax.set_title("per year, by group (bars: 95% exact interval)", loc="left")


def _pooled(est: EstimateSet, p: Params) -> list[Estimate]:
    return [
        e
        for e in est.where(measure=_MEASURE, statistic=Statistic.POOLED_RATE)
        if e.estimable and e.ci and e.ci[0] is not None and e.ci[1] is not None and e.group in p.groups
    ]


def _pooled_panel(ax: Axes, pooled: list[Estimate]) -> None:
    """Bars: rate per `scale` residents per year over the whole span, by group, with exact intervals."""
    positions = list(range(len(pooled)))
    values = [e.value * e.scale for e in pooled]
    ax.bar(positions, values, width=0.5, color=[GROUP_COLOURS[e.group] for e in pooled])
    ax.set_xlim(-0.75, max(len(pooled), 3) - 0.25)
    ax.errorbar(
        positions,
        values,
        yerr=[[v - e.ci[0] * e.scale for v, e in zip(values, pooled, strict=True)],
              [e.ci[1] * e.scale - v for v, e in zip(values, pooled, strict=True)]],
        fmt="none",
        color=GUIDE_COLOUR,
        capsize=3,
    )  # fmt: skip
    ax.set_xticks(positions, [GROUP_LABELS[e.group] for e in pooled])
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"per {fmt.count(pooled[0].scale)} residents per year")
    ax.set_title(f"pooled over {fmt.window(*pooled[0].window)}, with 95% exact intervals", loc="left", fontsize=9)


def _alt(annual: pd.DataFrame, pooled: list[Estimate], p: Params) -> str:
    known = annual[annual["value"].notna()]
    years = f"{int(known['year'].min())}–{int(known['year'].max())}"
    said = []
    for group in _order(annual, p):
        sub = known[known["group"] == group].sort_values("year")
        each = ", ".join(
            f"{fmt.count(r.value)} in {int(r.year)}{' (part of the year)' if r.partial else ''}"
            for r in sub.itertuples()
        )
        said.append(f"{GROUP_LABELS[group]}: {each}")
    gaps = sorted({int(y) for y in annual.loc[annual["value"].isna(), "year"]})
    gap = f" No source covers {join_words([str(y) for y in gaps])}: left as a gap." if gaps else ""
    rates = "; ".join(f"{GROUP_LABELS[e.group]} {fmt.value(e)} ({fmt.ci(e)})" for e in pooled)
    pooled_text = (
        f" Bar chart below: rate per {fmt.count(pooled[0].scale)} residents a year pooled over "
        f"{fmt.window(*pooled[0].window)}: {rates}."
        if pooled
        else ""
    )
    return (
        f"Line chart: people killed by police per year in {p.name}, {years}, by group. "
        + "; ".join(said)
        + "."
        + gap
        + pooled_text
        + events_sentence(p)
    )
