"""Section 4 (force) tables: force per 1,000 arrests, the severity mix and injuries by race, and NJ's then
(NJ.com's Force Report) vs now (Attorney General portal) shares of the people force was used on."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Statistic, severity_share
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, share_cell, to_html
from trustreport.vocab import GROUP_LABELS, ForceSeverity, Measure, Period

_FORCE_STATISTICS = frozenset(
    {
        Statistic.PER_ARREST,
        *(severity_share(s) for s in ForceSeverity),
        Statistic.WEAPON_SHARE,
        Statistic.WEAPON_RISK_RATIO,
        Statistic.INJURY_SHARE,
        Statistic.SERIOUS_INJURY_SHARE,
        Statistic.INJURY_RISK_RATIO,
        Statistic.SUBJECT_SHARE,
        Statistic.SUBJECT_SHARE_DIFFERENCE,
    }
)


def _as(e: Estimate | None, kind: Statistic) -> Estimate | None:
    """The estimate formatted as the `fmt` kind it is ('proportion_difference' for percentage points)."""
    return None if e is None else replace(e, statistic=kind)


def _per_arrest_cell(e: Estimate) -> str:
    if not e.estimable:
        return cell(e)
    text = f"{fmt.value(e)} ({fmt.ci(e)})"
    return f"{text} of {fmt.count(e.denominator)} arrests"


def force_frames(report: Report) -> dict[str, pd.DataFrame]:
    """The force tables as frames of formatted cells: per arrest, severity, injuries, then vs now shares."""
    est = report.estimates
    frames: dict[str, pd.DataFrame] = {}
    per_arrest = est.where(statistic=Statistic.PER_ARREST)
    frames["Uses of force per 1,000 arrests"] = pd.DataFrame(
        [{"window": fmt.window(*e.window), "group": GROUP_LABELS[e.group], "per 1,000 arrests": _per_arrest_cell(e)}
         for e in per_arrest]
    )  # fmt: skip
    rows = []
    for w in est.where(statistic=Statistic.WEAPON_SHARE):
        row = {"window": fmt.window(*w.window), "group": GROUP_LABELS[w.group], "incidents": fmt.count(w.denominator)}
        for sev in ForceSeverity:
            row[str(sev)] = share_cell(est.one(statistic=severity_share(sev), group=w.group, period=w.period))
        row["weapon vs reference"] = cell(
            est.one(statistic=Statistic.WEAPON_RISK_RATIO, group=w.group, period=w.period)
        )
        rows.append(row)
    frames["Most severe force used, share of incidents"] = pd.DataFrame(rows)
    frames["Incidents with a subject injury"] = pd.DataFrame(
        [{"window": fmt.window(*e.window), "group": GROUP_LABELS[e.group], "incidents": fmt.count(e.denominator),
          "any injury": share_cell(e),
          "serious injury": share_cell(
              est.one(statistic=Statistic.SERIOUS_INJURY_SHARE, group=e.group, period=e.period)),
          "injury vs reference": cell(est.one(statistic=Statistic.INJURY_RISK_RATIO, group=e.group, period=e.period))}
         for e in est.where(statistic=Statistic.INJURY_SHARE)]
    )  # fmt: skip
    frames["People force was used on: shares then vs now"] = pd.DataFrame(
        [{"group": GROUP_LABELS[d.group],
          f"then ({fmt.window(*d.then_window)})": share_cell(_share(est, d, Period.THEN)),
          f"now ({fmt.window(*d.window)})": share_cell(_share(est, d, Period.NOW)),
          "change": cell(_as(d, Statistic.PROPORTION_DIFFERENCE), with_p=True),
          "comparability": d.notes[-1] if d.notes else ""}
         for d in est.where(statistic=Statistic.SUBJECT_SHARE_DIFFERENCE)]
    )  # fmt: skip
    return {k: v for k, v in frames.items() if not v.empty}


def _share(est, diff: Estimate, period: Period) -> Estimate | None:
    return est.one(measure=Measure.FORCE_SUBJECTS, statistic=Statistic.SUBJECT_SHARE, group=diff.group, period=period)


@not_available_for(Measure.FORCE_INCIDENTS, Measure.FORCE_SUBJECTS)
def force(report: Report) -> HTML:
    """Section 4 (force): per-arrest rates, severity mix, injuries and then-vs-now shares, each with intervals."""
    frames = force_frames(report)
    if not frames:
        return HTML("<p>No use-of-force severity, injury, arrest or published share data are available.</p>")
    parts = [f"<h4>{html.escape(title)}</h4>{to_html(frame)}" for title, frame in frames.items()]
    found = [e for e in report.estimates if e.statistic in _FORCE_STATISTICS]
    return HTML("".join(parts) + methods_line(found) + flags_legend(found))
