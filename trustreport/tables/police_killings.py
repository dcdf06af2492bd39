"""Section 7 tables: people killed by police — the disparity pooled over the data span, the count per year, the
2015 coverage check of the Guardian's count against the Washington Post's, and the agencies the shootings link to.

Cells are made with `fmt.count`, `fmt.rate`, `fmt.ratio` and `fmt.pct` from `metrics.police_killings`
estimates; every string from a source file (agency names and types) is escaped by `to_html`.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate, EstimateSet
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flag_marks, flags_legend, methods_line, not_available_for, to_html
from trustreport.vocab import FLAG_MARKS, GROUP_LABELS, Flag, Group, Measure

_MEASURE = Measure.POLICE_KILLINGS
_WAPO_KIND = "wapo_police_shootings"
_COMPARISON = (
    Statistic.GUARDIAN_KILLINGS,
    Statistic.GUARDIAN_GUNSHOT_DEATHS,
    Statistic.WAPO_FATAL_SHOOTINGS,
    Statistic.WAPO_SHARE_OF_GUARDIAN_GUNSHOTS,
)

_POOLED_AND_ANNUAL = (
    Statistic.POOLED_COUNT,
    Statistic.POOLED_RATE,
    Statistic.POOLED_RATE_RATIO,
    Statistic.ANNUAL_COUNT,
)


@not_available_for(Measure.POLICE_KILLINGS)
def police_killings(report: Report) -> HTML:
    """Section 7: the pooled per-resident disparity, counts per year by group, the 2015 coverage check (when
    both sources are read) and the agencies linked to the Post's shootings, with methods and marks."""
    est = report.estimates
    groups = _groups(report)
    reference = report.params.params.reference_group
    annual = report.prepared.killings_annual
    parts = [_pooled(est, groups, reference), _annual(est, groups, annual), _comparison(est, groups), _agencies(report)]
    found = [e for e in est if e.measure == _MEASURE and e.statistic in _POOLED_AND_ANNUAL]
    found += [e for e in est if e.measure == _MEASURE and e.statistic in _COMPARISON]
    if not any(parts):
        return HTML("<p>No data on people killed by police are available for this city.</p>")
    return HTML("".join(parts) + methods_line(found) + flags_legend(found))


def pooled_frame(est: EstimateSet, groups: list[Group], reference: Group = Group.WHITE) -> pd.DataFrame:
    """One row per group: deaths over the data span, the rate per resident per year and the ratio vs the
    reference group (exact interval, p-value)."""
    rows = []
    for group in groups:
        count = est.one(measure=_MEASURE, statistic=Statistic.POOLED_COUNT, group=group)
        if count is None:
            continue
        rate = est.one(measure=_MEASURE, statistic=Statistic.POOLED_RATE, group=group)
        ratio = est.one(measure=_MEASURE, statistic=Statistic.POOLED_RATE_RATIO, group=group)
        rows.append(
            {
                "group": GROUP_LABELS[group],
                "people killed": cell(count),
                fmt.per_residents(_MEASURE): cell(rate),
                f"ratio vs {GROUP_LABELS[reference]}": cell(ratio, with_p=True),
            }
        )
    return pd.DataFrame(rows)


def annual_frame(est: EstimateSet, groups: list[Group], annual: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per calendar year, one column per group: people killed (flag marks; `p` marks a partial year).
    A year the sources cover with no death has no estimate; `annual` (`Report.prepared.killings_annual`) gives
    it as 0, so no covered year is left out of the table."""
    found = est.where(measure=_MEASURE, statistic=Statistic.ANNUAL_COUNT)
    zeros = pd.DataFrame() if annual is None or not found else annual[annual["value"] == 0]
    years = sorted({e.window[0].year for e in found} | {int(y) for y in zeros.get("year", [])})
    # A zero is as unstable as the counts beside it (under 20, docs/methods.md §5.3); marked when the legend
    # explains it.
    unstable = any(Flag.UNSTABLE in e.flags for e in found)
    zero_cell = fmt.count(0) + (f" [{FLAG_MARKS[Flag.UNSTABLE]}]" if unstable else "")
    rows = []
    for year in years:
        in_year = [e for e in found if e.window[0].year == year]
        zero = zeros[zeros["year"] == year] if not zeros.empty else zeros
        part = not in_year and bool(zero["partial"].all())
        row = {"year": f"{year} (part of the year)" if part else str(year)}
        for group in groups:
            e = next((e for e in in_year if e.group == group), None)
            if e is not None:
                row[GROUP_LABELS[group]] = fmt.count(e.value) + flag_marks(e)
            elif not zero.empty and group in set(zero["group"]):
                row[GROUP_LABELS[group]] = zero_cell
            else:
                row[GROUP_LABELS[group]] = fmt.DASH
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_frame(est: EstimateSet, groups: list[Group]) -> pd.DataFrame:
    """One row per group: the Guardian's killings (all causes), its gunshot deaths, the Post's fatal shootings,
    and the Post's count as a share of the Guardian's gunshot deaths."""
    rows = []
    for group in groups:
        cells = [est.one(measure=_MEASURE, statistic=s, group=group) for s in _COMPARISON]
        if all(c is None for c in cells):
            continue
        killed, gunshot, shootings, share = cells
        rows.append(
            {
                "group": GROUP_LABELS[group],
                "Guardian: killed by police (any cause)": cell(killed),
                "Guardian: gunshot deaths": cell(gunshot),
                "Washington Post: fatal shootings": cell(shootings),
                "Post ÷ Guardian gunshot deaths": _share_cell(share),
            }
        )
    return pd.DataFrame(rows)


def agencies_frame(report: Report) -> pd.DataFrame:
    """The agencies the Post links to the selected shootings, most shootings first (no person names)."""
    frames = [s.extras["agencies"] for s in report.sources if s.info.kind == _WAPO_KIND and "agencies" in s.extras]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(
        {
            "agency": table["agency"],
            "type": table["type"].str.replace("_", " "),
            "state": table["state"],
            "shootings counted here": table["shootings"].map(fmt.count),
            "all shootings since 2015 (Post)": table["total_shootings"].map(
                lambda v: fmt.DASH if pd.isna(v) else fmt.count(float(v))
            ),
        }
    )


def _groups(report: Report) -> list[Group]:
    p = report.params.params
    return list(dict.fromkeys([*p.groups, p.reference_group, Group.ALL]))


def _pooled(est: EstimateSet, groups: list[Group], reference: Group) -> str:
    frame = pooled_frame(est, groups, reference)
    if frame.empty:
        return ""
    first = est.one(measure=_MEASURE, statistic=Statistic.POOLED_COUNT)
    return f"<h3>Over the whole data span ({html.escape(fmt.window(*first.window))})</h3>" + to_html(frame)


def _annual(est: EstimateSet, groups: list[Group], annual: pd.DataFrame) -> str:
    frame = annual_frame(est, groups, annual)
    if frame.empty:
        return ""
    return "<h3>People killed by police, per year</h3>" + to_html(frame)


def _comparison(est: EstimateSet, groups: list[Group]) -> str:
    frame = comparison_frame(est, groups)
    if frame.empty:
        return ""
    first = next(e for s in _COMPARISON for e in est.where(measure=_MEASURE, statistic=s))
    note = first.notes[0] if first.notes else ""
    heading = f"<h3>Coverage check: two counts of {html.escape(fmt.window(*first.window))}</h3>"
    return heading + to_html(frame) + f'<p class="tr-methods">{html.escape(note)}</p>'


def _agencies(report: Report) -> str:
    frame = agencies_frame(report)
    if frame.empty:
        return ""
    return "<h3>Agencies involved in the Post's shootings counted here</h3>" + to_html(frame)


def _share_cell(e: Estimate | None) -> str:
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return fmt.NOT_ESTIMABLE + flag_marks(e)
    return fmt.pct(e.value, digits=0) + flag_marks(e)
