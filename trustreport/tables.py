"""Estimates → HTML tables for the notebook (and so for the HTML and PDF reports).

Every cell is made by a `fmt` formatter from an `Estimate`; every user-supplied string is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    FLAG_MARKS,
    FLAG_MEANINGS,
    GROUP_LABELS,
    MEASURE_LABELS,
    MEASURE_SINGULAR,
    PER_RESIDENT_MEASURES,
    Group,
    Measure,
    Period,
)

_CSS_CLASS = "tr-table"


def availability(report: Report) -> HTML:
    """Section 3: what data exist for which period; 'not available' where a window has none."""
    table = report.availability
    p = report.params.params
    wide = table.pivot(index="label", columns="period", values="status").reindex(table["label"].drop_duplicates())
    detail = table.pivot(index="label", columns="period", values="detail").reindex(wide.index)
    frame = pd.DataFrame(
        {
            "measure": wide.index,
            f"then ({p.then.label})": [_status(s, d) for s, d in zip(wide["then"], detail["then"], strict=True)],
            f"now ({p.now.label})": [_status(s, d) for s, d in zip(wide["now"], detail["now"], strict=True)],
        }
    )
    return HTML(_to_html(frame))


def disparities(report: Report) -> HTML:
    """Sections 4–5: for each measure the data hold, counts, rates and ratios by group, then and now."""
    blocks = []
    for measure in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES):
        found = report.estimates.where(measure=measure)
        if not any(e.statistic in ("rate", "proportion") for e in found):
            continue
        blocks.append(f"<h3>{html.escape(_measure_heading(measure))}</h3>")
        blocks.append(_to_html(disparity_frame(report, measure)))
        blocks.append(_methods_line(found) + _flags_legend(found))
    if not blocks:
        return HTML("<p>No stop, search, arrest or use-of-force counts are available for either window.</p>")
    return HTML("\n".join(blocks))


def disparity_frame(report: Report, measure: Measure) -> pd.DataFrame:
    """One measure's table: rows are groups; columns then, now and the change in the disparity."""
    p = report.params.params
    est = report.estimates
    rate_stat = "rate" if measure in PER_RESIDENT_MEASURES else "proportion"
    ratio_stat = "rate_ratio" if measure in PER_RESIDENT_MEASURES else "risk_ratio"
    rate_head = f"per {p.options.rate_per:,} residents a year" if rate_stat == "rate" else "share"
    rows = []
    for group in [*p.groups, Group.ALL]:
        row = {"group": GROUP_LABELS[group]}
        for period, label in ((Period.THEN, "then"), (Period.NOW, "now")):
            count = est.one(measure=measure, statistic="count", group=group, period=period)
            share = est.one(measure=measure, statistic=rate_stat, group=group, period=period)
            ratio = est.one(measure=measure, statistic=ratio_stat, group=group, period=period)
            row[f"{label}: count"] = _count_cell(count, share)
            row[f"{label}: {rate_head}"] = _cell(share)
            row[f"{label}: ratio vs {GROUP_LABELS[p.reference_group]}"] = (
                "reference" if group == p.reference_group else _cell(ratio)
            )
        change = est.one(measure=measure, statistic="ratio_of_rate_ratios", group=group, period=Period.CHANGE)
        row["change in ratio (now ÷ then)"] = _cell(change, with_p=True) if change else fmt.DASH
        rows.append(row)
    return pd.DataFrame(rows)


def workforce(report: Report) -> HTML:
    """Section 8: officer shares vs resident shares, with representation ratios and the dissimilarity index."""
    est = report.estimates
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic="share"):
        res = est.one(measure=Measure.RESIDENTS, statistic="share", group=e.group, period=e.period)
        ratio = est.one(statistic="representation_ratio", group=e.group, period=e.period)
        gap = est.one(statistic="percentage_point_gap", group=e.group, period=e.period)
        rows.append(
            {
                "snapshot": fmt.window(*e.window),
                "group": GROUP_LABELS[e.group],
                "officers": f"{fmt.count(e.numerator)} ({fmt.pct(e.value)})",
                "residents": f"{fmt.count(res.numerator)} ({fmt.pct(res.value)})" if res else fmt.DASH,
                "representation ratio": _cell(ratio),
                "gap": _cell(gap),
            }
        )
    if not rows:
        return HTML("<p>No officer demographics are available for either window.</p>")
    extra = [
        f"<p>Dissimilarity index ({fmt.window(*d.window)}): {fmt.pct(d.value)} of officers would need to be of a "
        "different group for the force to mirror residents.</p>"
        for d in est.where(statistic="dissimilarity_index")
    ]
    found = est.where(measure=Measure.OFFICERS)
    return HTML(_to_html(pd.DataFrame(rows)) + "".join(extra) + _methods_line(found) + _flags_legend(found))


def published(report: Report) -> HTML:
    """Published aggregates the report uses, each with its citation (figures that exist only in publications)."""
    frames = [s.extras["citations"] for s in report.sources if "citations" in s.extras]
    if not frames:
        return HTML("<p>No published aggregates are used in this report.</p>")
    return HTML(_to_html(pd.concat(frames, ignore_index=True)))


def caveats(report: Report) -> HTML:
    """Every caveat from the sources and the params file, as a list."""
    items = "".join(f"<li>{html.escape(c)}</li>" for c in report.caveats)
    return HTML(f"<ul>{items}</ul>" if items else "<p>No caveats recorded.</p>")


def sources(report: Report) -> HTML:
    """The sources: id, citation, licence and the file's SHA-256 (first 12 hex digits)."""
    frame = pd.DataFrame(
        [
            {
                "id": s.info.id,
                "file": s.info.path,
                "citation": s.info.citation,
                "licence": s.info.licence,
                "sha256": s.info.sha256[:12],
            }
            for s in report.sources
        ]
    )
    return HTML(_to_html(frame))


def dropped(report: Report) -> HTML:
    """Every cleaning step: rows in, rows out and why (STYLE habit 5)."""
    frame = pd.DataFrame(
        [
            {"source": d.source_id, "step": d.step, "rows in": d.rows_in, "rows out": d.rows_out, "why": d.reason}
            for s in report.sources
            for d in s.dropped
        ]
    )
    if frame.empty:
        return HTML("<p>No rows were dropped or recoded.</p>")
    frame["rows in"] = frame["rows in"].map(fmt.count)
    frame["rows out"] = frame["rows out"].map(fmt.count)
    return HTML(_to_html(frame))


def _status(status: str, detail: str) -> str:
    return f"{status} — {detail}" if detail else status


def _cell(e: Estimate | None, *, with_p: bool = False) -> str:
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{_flag_marks(e)}"
    text = fmt.value(e)
    if e.ci is not None and e.ci[0] is not None:
        text += f" ({fmt.ci(e)})"
    if with_p and e.p_value is not None:
        text += f", p {fmt.p_value(e.p_value)}"
    return text + _flag_marks(e)


def _count_cell(count: Estimate | None, share: Estimate | None) -> str:
    if count is None:
        return fmt.DASH
    text = fmt.count(count.value)
    if share is not None and share.statistic == "proportion" and share.denominator is not None:
        text += f" / {fmt.count(share.denominator)}"
    return text


def _flag_marks(e: Estimate) -> str:
    marks = [FLAG_MARKS[f] for f in e.flags if FLAG_MARKS.get(f)]
    return f" [{','.join(marks)}]" if marks else ""


def _flags_legend(found: list[Estimate]) -> str:
    used = sorted({f for e in found for f in e.flags if FLAG_MARKS.get(f)}, key=list(FLAG_MARKS).index)
    if not used:
        return ""
    text = "; ".join(f"{FLAG_MARKS[f]} = {FLAG_MEANINGS[f]}" for f in used)
    return f'<p class="tr-methods">Marks: {html.escape(text)}.</p>'


def _methods_line(found: list[Estimate]) -> str:
    methods = sorted({e.ci_method for e in found if e.ci_method})
    tests = sorted({e.test_method for e in found if e.test_method})
    parts = []
    if methods:
        parts.append("Intervals: " + "; ".join(methods) + ".")
    if tests:
        parts.append("Tests: " + "; ".join(tests) + ".")
    return f'<p class="tr-methods">{html.escape(" ".join(parts))}</p>' if parts else ""


def _measure_heading(measure: Measure) -> str:
    if measure in CONDITIONAL_STAGES:
        feeder = CONDITIONAL_STAGES[measure]
        return f"{MEASURE_LABELS[measure].capitalize()} per {MEASURE_SINGULAR[feeder]}"
    return f"{MEASURE_LABELS[measure].capitalize()} per resident"


def _to_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, classes=_CSS_CLASS, border=0, na_rep=fmt.DASH)


# --- outcome test and veil of darkness (methods §3, §4) -------------------------------------------------------


def outcome_test(report: Report) -> HTML:
    """Section 5: hit rates by group (share of searches that found contraband), then and now, with the pooled
    and the district-stratified (Mantel–Haenszel) ratios vs the reference group and, where the search basis is
    recorded, the same on discretionary searches (methods §3.1)."""
    from trustreport.metrics.outcome_test import INFRA_MARGINALITY_NOTE

    est = report.estimates
    found = [e for e in est.where(measure=Measure.HITS) if e.statistic.startswith("hit_rate")]
    if not found:
        return HTML("<p>The outcome test is not available: no source records searches and their outcomes.</p>")
    p = report.params.params
    rows = []
    for group in [g for g in p.groups if g != Group.ALL]:
        for period, win in ((Period.THEN, p.then), (Period.NOW, p.now)):
            rate = est.one(statistic="hit_rate", group=group, period=period)
            if rate is None:
                continue
            is_reference = "reference" if group == p.reference_group else None
            rows.append(
                {
                    "group": GROUP_LABELS[group],
                    "window": fmt.window(win.start, win.end),
                    "searches": fmt.count(rate.denominator),
                    "hits": fmt.count(rate.numerator),
                    "hit rate": _share_cell(rate),
                    "ratio vs " + GROUP_LABELS[p.reference_group]: is_reference
                    or _cell(est.one(statistic="hit_rate_ratio", group=group, period=period), with_p=True),
                    "ratio within districts (MH)": is_reference
                    or _cell(est.one(statistic="hit_rate_ratio_mh", group=group, period=period), with_p=True),
                    "discretionary searches: hit rate": _share_cell(
                        est.one(statistic="hit_rate_discretionary", group=group, period=period)
                    ),
                    "discretionary: ratio": is_reference
                    or _cell(est.one(statistic="hit_rate_ratio_discretionary", group=group, period=period)),
                }
            )
    frame = pd.DataFrame(rows)
    if not any(e.statistic == "hit_rate_discretionary" for e in found):
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("discretionary")])
    caveat = f'<p class="tr-methods">{html.escape(INFRA_MARGINALITY_NOTE)}</p>'
    return HTML(_to_html(frame) + _methods_line(found) + _flags_legend(found) + caveat)


def veil_of_darkness(report: Report) -> HTML:
    """Section 5: the veil-of-darkness test (methods §4): the focal group's share of inter-twilight stops in
    daylight and after dusk, and the darkness odds ratio controlling for clock time, and for clock time and
    district, then and now."""
    from trustreport.metrics.veil_of_darkness import VOD_CAVEATS

    est = report.estimates
    found = [e for e in est if e.statistic.startswith("vod_")]
    if not found:
        return HTML("<p>The veil-of-darkness test is not available: it needs stop times and the city's location.</p>")
    p = report.params.params
    rows, samples = [], []
    for group in dict.fromkeys(e.group for e in found):
        for period, win in ((Period.THEN, p.then), (Period.NOW, p.now)):
            ratio = est.one(statistic="vod_odds_ratio", group=group, period=period)
            if ratio is None:
                continue
            light = est.one(statistic="vod_share_light", group=group, period=period)
            dark = est.one(statistic="vod_share_dark", group=group, period=period)
            district = est.one(statistic="vod_odds_ratio_district", group=group, period=period)
            pair = f"{GROUP_LABELS[group]} vs {GROUP_LABELS[ratio.reference_group]}"
            rows.append(
                {
                    "group": pair,
                    "window": fmt.window(win.start, win.end),
                    "stops": fmt.count(ratio.denominator),
                    "group's share in daylight": _share_cell(light),
                    "group's share after dusk": _share_cell(dark),
                    "odds ratio, dark vs light (clock time)": _cell(ratio, with_p=True),
                    "odds ratio (clock time and district)": _cell(district, with_p=True),
                }
            )
            samples.append(f"{pair}, {fmt.window(win.start, win.end)}: {_vod_sample_note(ratio)}")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in dict.fromkeys([*samples, *VOD_CAVEATS]))
    reading = (
        "An odds ratio below 1 means a smaller share of the group among drivers stopped after dusk than in "
        "daylight at the same clock time, as expected if officers use race when they can see it."
    )
    return HTML(
        _to_html(pd.DataFrame(rows))
        + _methods_line(found)
        + _flags_legend(found)
        + f'<p class="tr-methods">{html.escape(reading)}</p><ul class="tr-methods">{notes}</ul>'
    )


def _vod_sample_note(e: Estimate) -> str:
    """The sample description the estimate carries, with the reason first when it is not estimable."""
    sample = next((n for n in e.notes if n.startswith("inter-twilight window")), "")
    if e.estimable:
        return sample
    return f"not estimable: {e.notes[0]}" + (f" ({sample})" if sample and sample != e.notes[0] else "")


def _share_cell(e: Estimate | None) -> str:
    """A share (hit rate, share of stops) as a percentage with its interval and flag marks."""
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{_flag_marks(e)}"
    text = fmt.pct(e.value)
    if e.ci is not None:
        text += f" ({fmt.interval(e.ci[0], e.ci[1], fmt.pct)})"
    return text + _flag_marks(e)


# --- the stage funnel (methods §1.3) ---------------------------------------------------------------------------

_FUNNEL_STATISTICS = ("stage_rate", "stage_ratio", "cumulative_ratio", "expected_count", "excess_difference")


def funnel(report: Report) -> HTML:
    """Section 4: the stage funnel, then and now (methods §1.3). Per stage and group: the count over the stage
    that feeds it, the rate, the stage ratio and the per-resident ratio vs the reference group, and the count
    expected if the group were treated like the reference group at that stage, with the excess."""
    from trustreport.metrics.funnel import FUNNEL_ORDER

    p = report.params.params
    blocks = []
    for period, win in ((Period.THEN, p.then), (Period.NOW, p.now)):
        frame = funnel_frame(report, period)
        if not frame.empty:
            blocks.append(f"<h3>{html.escape(f'{period.capitalize()} ({win.label})')}</h3>{_to_html(frame)}")
    if not blocks:
        return HTML("<p>No stop, search, arrest or use-of-force counts are available for a funnel.</p>")
    found = [e for e in report.estimates if e.statistic in _FUNNEL_STATISTICS and e.measure in FUNNEL_ORDER]
    identity = report.estimates.where(statistic="stage_ratio_product")
    return HTML("\n".join(blocks) + _funnel_identity_line(identity) + _methods_line(found) + _flags_legend(found))


def funnel_frame(report: Report, period: Period) -> pd.DataFrame:
    """One window's funnel: a row per stage and group, in funnel order; the reference group's ratios read
    'reference'."""
    from trustreport.metrics.funnel import FUNNEL_ORDER, stage_label

    p = report.params.params
    est = report.estimates
    ref = GROUP_LABELS[p.reference_group]
    groups = [g for g in dict.fromkeys([*p.groups, p.reference_group]) if g != Group.ALL]
    rows = []
    for measure in FUNNEL_ORDER:
        for group in groups:
            rate = est.one(measure=measure, statistic="stage_rate", group=group, period=period)
            if rate is None:
                continue
            comparisons = _funnel_comparisons(est, measure, group, period, ref)
            if group == p.reference_group:
                comparisons = {k: "reference" if "ratio" in k else fmt.DASH for k in comparisons}
            rows.append(
                {
                    "stage": stage_label(measure, rate.denominator_kind),
                    "group": GROUP_LABELS[group],
                    "count": _funnel_count(rate),
                    "rate": _funnel_rate(rate),
                    **comparisons,
                }
            )
    return pd.DataFrame(rows)


def _funnel_comparisons(est, measure: Measure, group: Group, period: Period, ref: str) -> dict[str, str]:
    """A group's stage ratio, per-resident ratio, expected count and excess, as table cells."""
    found = {
        s: est.one(measure=measure, statistic=s, group=group, period=period)
        for s in ("stage_ratio", "cumulative_ratio", "expected_count", "excess_difference")
    }
    return {
        f"stage ratio vs {ref}": _cell(found["stage_ratio"]),
        f"per-resident ratio vs {ref}": _cell(found["cumulative_ratio"]),
        f"expected if treated like {ref} people": _count_ci(found["expected_count"]),
        "excess (observed − expected)": _count_ci(found["excess_difference"]),
    }


def _funnel_count(rate: Estimate) -> str:
    """'1,352 of 43,878 residents' / '34 of 1,352 stops'."""
    if rate.numerator is None:
        return f"{fmt.NOT_ESTIMABLE}{_flag_marks(rate)}"
    base = "" if rate.denominator is None else f" of {fmt.count(rate.denominator)} {rate.denominator_kind}"
    return f"{fmt.count(rate.numerator)}{base}"


def _funnel_rate(rate: Estimate) -> str:
    """Per resident: 'per 1,000 a year'; a conditional stage: a percentage of the feeder."""
    from trustreport.vocab import DenominatorKind

    if not rate.estimable:
        return f"{fmt.NOT_ESTIMABLE}{_flag_marks(rate)}"
    if rate.denominator_kind == DenominatorKind.RESIDENTS:
        text = f"{fmt.rate(rate.value, per=rate.scale)} per {rate.scale:,.0f} a year"
        if rate.ci is not None:
            text += f" ({fmt.interval(rate.ci[0], rate.ci[1], lambda x: fmt.rate(x, per=rate.scale))})"
        return text + _flag_marks(rate)
    return _share_cell(rate)


def _count_ci(e: Estimate | None) -> str:
    """An expected or excess count with its interval, e.g. '117.9 (97.3–142.7)'."""
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{_flag_marks(e)}"
    text = fmt.count(e.value)
    if e.ci is not None and None not in e.ci:
        low, high = e.ci
        # "−1,310.2–−1,011.5" misreads; "to" separates bounds that carry a sign.
        text += f" ({fmt.count(low)} to {fmt.count(high)})" if low < 0 else f" ({fmt.interval(low, high, fmt.count)})"
    return text + _flag_marks(e)


def _funnel_identity_line(identity: list[Estimate]) -> str:
    """Whether each per-resident ratio equals the product of the stage ratios above it (methods §1.3)."""
    from trustreport.vocab import Flag

    checked = [e for e in identity if e.estimable]
    if not checked:
        return ""
    broken = [e for e in checked if Flag.NOT_COMPARABLE in e.flags]
    text = (
        f"Each per-resident ratio equals the product of the stage ratios that lead to it (checked for "
        f"{len(checked) - len(broken)} of {len(checked)} stage and group pairs"
    )
    text += "; it fails for " + ", ".join(e.id for e in broken) + ")." if broken else ")."
    return f'<p class="tr-methods">{html.escape(text)}</p>'


def claim_ledger(report: Report) -> HTML:
    """Section 2: every claim of the params file with its published value, our recomputation (interval and
    method), the verdict and the reason; caveats numbered below. Claims and earlier 'then' figures apart."""
    from trustreport.claims.present import ROLE_HEADINGS, ledger_frame

    results = list(report.claims)
    if not results:
        return HTML("")  # narrative.claims_summary already says there is nothing to check
    notes: list[str] = []
    cited: list[str] = []
    blocks = []
    for role, heading in ROLE_HEADINGS.items():
        found = [r for r in results if r.claim.role == role]
        if found:
            blocks.append(f"<h3>{html.escape(heading)}</h3>{_to_html(ledger_frame(found, notes, cited))}")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    if items:
        blocks.append(f'<p class="tr-methods">Notes:</p><ol class="tr-methods">{items}</ol>')
    sources = "".join(f"<li>{html.escape(c)}</li>" for c in cited)
    return HTML("\n".join(blocks) + f'<p class="tr-methods">Cited:</p><ul class="tr-methods">{sources}</ul>')


def then_and_now_published(report: Report) -> HTML:
    """Published 'then' figures beside the later claims they pair with, our recomputation of the 'now' where
    there is one, and whether the two can be compared (comparable / partly comparable / not comparable)."""
    from trustreport.claims.compare import then_and_now_pairs
    from trustreport.claims.present import pairs_frame

    pairs = then_and_now_pairs(list(report.claims))
    if not pairs:
        return HTML("<p>No published “then” figure is paired with a later claim.</p>")
    return HTML(_to_html(pairs_frame(pairs)))
