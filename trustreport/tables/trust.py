"""Section 9 tables: survey trust and safety by group then vs now with the gap vs the reference group, and
community contacts per resident beside enforcement volume."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.caveat import CaveatKind, kind_of
from trustreport.estimate import Estimate, EstimateSet
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flags_legend, methods_line, to_html
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, Group, Measure, Period

SURVEY_MEASURES = (Measure.SURVEY_TRUST_MEAN, Measure.SURVEY_SAFETY_MEAN)
ENFORCEMENT = (Measure.STOPS, Measure.FORCE_INCIDENTS)
_HEADINGS = {
    Measure.SURVEY_TRUST_MEAN: "Trust in police (0–100)",
    Measure.SURVEY_SAFETY_MEAN: "Feeling safe in the neighbourhood (0–100)",
}
_STATS = {  # level, change, gap, change of gap
    "mean": (Statistic.MEAN, Statistic.MEAN_DIFFERENCE, Statistic.MEAN_GAP, Statistic.MEAN_GAP_DIFFERENCE),
    "share": (Statistic.SHARE, Statistic.PROPORTION_DIFFERENCE, Statistic.PERCENTAGE_POINT_GAP, None),
}


def trust(report: Report) -> HTML:
    """Trust and safety by group, then vs now, with each group's gap vs the reference group and its change;
    then contacts per 1,000 residents a year beside stops and use of force."""
    blocks = []
    for measure in SURVEY_MEASURES:
        for kind, stats in _STATS.items():
            found = [e for e in report.estimates.where(measure=measure) if e.statistic in stats]
            if not any(e.statistic == stats[0] for e in found):
                continue
            what = "share answering positively" if kind == "share" else "mean score"
            blocks.append(f"<h3>{html.escape(f'{_HEADINGS[measure]}: {what}')}</h3>")
            blocks.append(to_html(survey_frame(report, measure, kind)))
            blocks.append(methods_line(found) + flags_legend(found) + _notes(found))
    contacts = report.estimates.where(measure=Measure.CONTACTS)
    if contacts:
        blocks.append("<h3>Community contacts beside enforcement</h3>")
        blocks.append(to_html(contacts_frame(report)))
        shown = contacts + _enforcement(report.estimates)
        blocks.append(methods_line(shown) + flags_legend(shown) + _notes(contacts))
    if not blocks:
        return HTML("<p>No trust survey or community-contact data are available for this city.</p>")
    return HTML("\n".join(blocks))


def survey_frame(report: Report, measure: Measure, kind: str = "mean") -> pd.DataFrame:
    """Rows are groups; columns the then and now values, now − then, the gap vs the reference group then and
    now, and the change of that gap."""
    p = report.params.params
    level, change, gap, gap_change = _STATS[kind]
    ref = GROUP_LABELS[p.reference_group]
    est = report.estimates
    rows = []
    for group in [*p.groups, Group.ALL]:
        one = _finder(est, measure, group)
        row = {
            "group": GROUP_LABELS[group],
            "then": cell(one(level, Period.THEN)),
            "now": cell(one(level, Period.NOW)),
            "now − then": cell(one(change, Period.CHANGE), with_p=True),
        }
        if group not in (p.reference_group, Group.ALL):
            row[f"gap vs {ref}, then"] = cell(one(gap, Period.THEN))
            row[f"gap vs {ref}, now"] = cell(one(gap, Period.NOW))
            row["change in gap"] = cell(one(gap_change, Period.CHANGE), with_p=True) if gap_change else fmt.DASH
        else:
            row |= {f"gap vs {ref}, then": fmt.DASH, f"gap vs {ref}, now": fmt.DASH, "change in gap": fmt.DASH}
        rows.append(row)
    return pd.DataFrame(rows)


def _finder(est: EstimateSet, measure: Measure, group: Group):
    def one(statistic: Statistic, period: Period) -> Estimate | None:
        return est.one(measure=measure, statistic=statistic, group=group, period=period)

    return one


def contacts_frame(report: Report) -> pd.DataFrame:
    """Rows: contacts, then stops and use-of-force incidents (all groups); columns the count and the rate per
    `rate_per` residents a year, then and now."""
    per = fmt.per_residents(Measure.CONTACTS, report.params.params.options.rate_per)
    rows = []
    for measure in (Measure.CONTACTS, *ENFORCEMENT):
        found = report.estimates.where(measure=measure, group=Group.ALL)
        if not found:
            continue
        row = {"what": MEASURE_LABELS[measure]}
        for period in (Period.THEN, Period.NOW):
            count = next((e for e in found if e.statistic == Statistic.COUNT and e.period == period), None)
            rate = next((e for e in found if e.statistic == Statistic.RATE and e.period == period), None)
            row[f"{period}: count"] = cell(count)
            row[f"{period}: {per}"] = cell(rate)
        rows.append(row)
    return pd.DataFrame(rows)


def _enforcement(est: EstimateSet) -> list[Estimate]:
    return [
        e
        for m in ENFORCEMENT
        for e in est.where(measure=m, group=Group.ALL)
        if e.statistic in (Statistic.COUNT, Statistic.RATE)
    ]


def _notes(found: list[Estimate]) -> str:
    """The distinct notes that explain missing intervals and coverage, once each (escaped)."""
    wanted = (CaveatKind.NO_INTERVAL, CaveatKind.PARTIAL_COVERAGE, CaveatKind.NO_RESIDENTS)
    notes = list(dict.fromkeys(n for e in found for n in e.notes if kind_of(n) in wanted))
    if not notes:
        return ""
    return "".join(f'<p class="tr-methods">{html.escape(n[0].upper() + n[1:])}.</p>' for n in notes)
