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
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, to_html
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, Group, Measure, Period

SURVEY_MEASURES = (Measure.SURVEY_TRUST_MEAN, Measure.SURVEY_SAFETY_MEAN)
ENFORCEMENT = (Measure.STOPS, Measure.FORCE_INCIDENTS)
_HEADINGS = {
    Measure.SURVEY_TRUST_MEAN: "Trust in police",
    Measure.SURVEY_SAFETY_MEAN: "Feeling safe in the neighbourhood",
}
_QUESTIONS = {Measure.SURVEY_TRUST_MEAN: "trust", Measure.SURVEY_SAFETY_MEAN: "safety"}
_STATS = {  # level, change, gap, change of gap
    "mean": (Statistic.MEAN, Statistic.MEAN_DIFFERENCE, Statistic.MEAN_GAP, Statistic.MEAN_GAP_DIFFERENCE),
    "share": (Statistic.SHARE, Statistic.PROPORTION_DIFFERENCE, Statistic.PERCENTAGE_POINT_GAP, None),
}


@not_available_for(Measure.SURVEY_TRUST_MEAN, Measure.SURVEY_SAFETY_MEAN, Measure.CONTACTS)
def trust(report: Report) -> HTML:
    """Trust and safety by group, then vs now, with each group's gap vs the reference group and its change;
    then contacts per 1,000 residents a year beside stops and use of force."""
    blocks = []
    for measure in SURVEY_MEASURES:
        for kind, stats in _STATS.items():
            found = [e for e in report.estimates.where(measure=measure) if e.statistic in stats]
            if not any(e.statistic == stats[0] for e in found):
                continue
            blocks.append(f"<h3>{html.escape(_heading(report, measure, kind))}</h3>")
            blocks.append(to_html(survey_frame(report, measure, kind)))
            blocks.append(methods_line(found) + flags_legend(found) + _notes(found))
    blocks += _items(report) + _context(report)
    contacts = report.estimates.where(measure=Measure.CONTACTS)
    if contacts:
        blocks.append("<h3>Community contacts beside enforcement</h3>")
        blocks.append(to_html(contacts_frame(report)))
        shown = contacts + _enforcement(report.estimates)
        blocks.append(methods_line(shown) + flags_legend(shown) + _notes(contacts))
    if not blocks:
        return HTML("<p>No trust survey or community-contact data are available for this city.</p>")
    return HTML("\n".join(blocks))


def _heading(report: Report, measure: Measure, kind: str) -> str:
    """'Trust in police: mean score (0–100)'; a share is headed by the answer it counts, never by a scale."""
    if kind == "mean":
        return f"{_HEADINGS[measure]}: mean score (0–100)"
    answer = report.prepared.survey_answers.get(_QUESTIONS[measure])
    return f"{_HEADINGS[measure]}: share answering “{answer}”" if answer else f"{_HEADINGS[measure]}: share"


def item_label(item: str) -> str:
    """A survey item as the file names it, for a heading: 'equal_treatment' → 'Equal treatment'."""
    text = item.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _survey_value(statistic: str, value: float, low: float, high: float) -> str:
    """A share as a percentage, a mean as a 0–100 score, with the interval when there is one."""
    one = fmt.pct if statistic == Statistic.SHARE else fmt.score
    text = one(value)
    if pd.notna(low) and pd.notna(high):
        text += f" ({fmt.interval(low, high, one)})"
    return text


def _what(statistic: str, answer: str) -> str:
    if statistic == Statistic.SHARE:
        return f"share answering “{answer}”" if answer else "share"
    return "mean score (0–100)"


def _items(report: Report) -> list[str]:
    """One table per other item of the city's polls (each under its own label): groups by window."""
    items = report.prepared.survey_items
    blocks: list[str] = []
    if items.empty:
        return blocks
    for (item, statistic), rows in items.groupby(["item", "statistic"], sort=False):
        heading = f"{item_label(item)}: {_what(statistic, rows['answer'].iloc[0])}"
        blocks.append(f"<h3>{html.escape(heading)}</h3>")
        frame = pd.DataFrame(
            {
                "group": [GROUP_LABELS[Group(g)] for g in rows["group"]],
                "window": rows["period"].tolist(),
                "value": [_survey_value(statistic, *v) for v in rows[["value", "low", "high"]].itertuples(index=False)],
                "survey waves": rows["waves"].tolist(),
            }
        )
        blocks.append(to_html(frame))
        why = [w for w in dict.fromkeys(rows["why_no_interval"]) if w]
        if why:
            blocks.append(f'<p class="tr-methods">No sampling interval where {html.escape("; ".join(why))}.</p>')
    return blocks


def _context(report: Report) -> list[str]:
    """Polls wider than the city, in a table of their own, labelled as context."""
    ctx = report.prepared.survey_context
    if ctx.empty:
        return []
    frame = pd.DataFrame(
        {
            "poll of": [f"{g} ({s})" for g, s in zip(ctx["geography"], ctx["scope"], strict=True)],
            "who was asked": ctx["population"].replace("", fmt.DASH).tolist(),
            "item": [item_label(i) for i in ctx["item"]],
            "what": [_what(s, a) for s, a in zip(ctx["statistic"], ctx["answer"], strict=True)],
            "group": [GROUP_LABELS[Group(g)] for g in ctx["group"]],
            "fieldwork": [
                fmt.window(a.date(), b.date()) for a, b in zip(ctx["period_start"], ctx["period_end"], strict=True)
            ],
            "value": [
                _survey_value(s, v, lo, hi)
                for s, v, lo, hi in ctx[["statistic", "value", "low", "high"]].itertuples(index=False)
            ],
            "respondents": [fmt.count(n) if pd.notna(n) else "not published" for n in ctx["n"]],
        }
    )
    return [
        "<h3>Context: polls of a wider area than the city</h3>",
        '<p class="tr-methods">These polls sampled a state or the nation, not the city: they are context for '
        "the city's figures, not its residents' trust, and enter no then-and-now comparison.</p>",
        to_html(frame),
    ]


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
    frame = pd.DataFrame(rows)
    if p.one_window:  # a "now only" report shows no then value and no change
        frame = frame.loc[:, [c for c in frame.columns if "then" not in c and not c.startswith("change")]]
    return frame


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
        for period, _ in report.params.params.windows:
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
