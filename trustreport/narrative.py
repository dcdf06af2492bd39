"""Sentences from `Estimate` objects: wording tied to the interval, numbers from `fmt`, never parsed from prose.

"2.9 times the rate of white residents (95% CI 2.6–3.2)" when the interval excludes 1; "not statistically
distinguishable from white residents" when it does not. A difference whose test the report adjusts for multiple
comparisons (Benjamini–Hochberg, `p_adjusted`, docs/methods.md §5.4) is called real only when the adjusted p is
below 1 − level as well; one that passes only before adjustment is said to.
"""

from __future__ import annotations

import html
from datetime import date

from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Kind, Statistic
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    GROUP_LABELS,
    MEASURE_LABELS,
    PER_RESIDENT_MEASURES,
    DenominatorKind,
    Flag,
    Group,
    Measure,
    Period,
)
from trustreport.window_names import sentence_opening, short_window, window_name


def title_block(report: Report) -> HTML:
    """The report's title, windows, reference group and provenance line (all user text escaped)."""
    p = report.params.params
    from trustreport import __version__

    return HTML(
        f"<style>{_CSS}</style>"
        f"<h1>{html.escape(report.title)}</h1>"
        f"<p class='tr-subtitle'>{_windows_line(p)} "
        f"Disparities are measured against {html.escape(GROUP_LABELS[p.reference_group])} residents. "
        f"Intervals are {round(100 * p.options.level)}% confidence intervals.</p>"
        f"<p class='tr-provenance'>Made by trustreport {__version__} from <code>{html.escape(report.params.path.name)}"
        f"</code> (sha256 {report.params.sha256[:12]}).</p>"
    )


def _windows_line(p) -> str:
    """'Then: … Now: ….', or for a "now only" report the one window and that nothing is compared over time."""
    now = html.escape(window_name(p.now.label, *p.now.dates))
    if p.one_window:
        return f"One window: {now}; this report describes that period and compares nothing over time."
    return f"Then: {html.escape(window_name(p.then.label, *p.then.dates))}. Now: {now}."


_CSS = (
    ".tr-table{border-collapse:collapse;font-size:0.85em;margin:0.4em 0 0.8em}"
    ".tr-table th,.tr-table td{text-align:left!important;padding:0.25em 0.6em;vertical-align:top}"
    ".tr-table thead th{border-bottom:1px solid #444}"
    ".tr-methods{font-size:0.8em;color:#444}.tr-flags{color:#8a4b00;font-size:0.9em}"
    ".tr-subtitle,.tr-provenance{color:#333}"
    ".tr-key li{margin:0.3em 0}.tr-glossary dt{font-weight:bold}.tr-glossary dd{margin:0 0 0.5em 1em}"
)


def headline(report: Report) -> HTML:
    """Section 1: one sentence per estimable disparity (now, or then where now has none), per change in a
    disparity, and per headline figure of the other sections (killings, homicides, lawsuits, trust, workforce).
    Comparisons the data cannot support are counted, not listed: the tables say why."""
    est = report.estimates
    chosen = [e for e in _latest_ratios(est) if not _overlaps_vs_white(e)]
    # Volumes first: a disparity reads differently when the activity behind it fell by three quarters.
    sentences = [
        volume_sentence(e, report)
        for e in est
        if e.group == Group.ALL and e.statistic in (Statistic.RATE_CHANGE_RATIO, Statistic.YTD_RATE_RATIO)
    ]
    sentences += [disparity_sentence(e, report) for e in chosen]
    sentences += [
        change_sentence(e, report)
        for e in est
        if e.statistic == Statistic.RATIO_OF_RATE_RATIOS and not _overlaps_vs_white(e)
    ]
    sentences += [
        pooled_sentence(e, _alpha(report))
        for e in est
        if e.statistic == Statistic.POOLED_RATE_RATIO and not _overlaps_vs_white(e)
    ]
    sentences += [all_others_sentence(e, report) for e in _latest(est, Statistic.VS_ALL_OTHERS_RATE_RATIO)]
    sentences += [gap_sentence(e, report) for e in _latest(est, Statistic.MEAN_GAP)]
    sentences += [gap_change_sentence(e, report) for e in est if e.statistic == Statistic.MEAN_GAP_DIFFERENCE]
    sentences += [representation_sentence(e) for e in est if e.statistic == Statistic.REPRESENTATION_RATIO]
    shown = [s for s in sentences if s]
    skipped = sum(
        1 for e in est if e.statistic.kind is Kind.RATIO and not e.estimable and Flag.NOT_COMPARABLE not in e.flags
    )
    if not shown:
        withheld = any(_overlaps_vs_white(e) and e.estimable for e in est)
        none = (
            "No disparity is stated for this city."
            if withheld
            else "The data for this city support no disparity estimate for the windows chosen."
        )
        return HTML(f"<p>{none}</p>" + _shared_caveats(est))
    more = (
        f"<p class='tr-methods'>{skipped} further comparisons cannot be estimated from these data (too few events, "
        "or no data for a window); the tables below say which and why.</p>"
        if skipped
        else ""
    )
    return HTML(
        "<ul>" + "".join(f"<li>{s}</li>" for s in shown) + "</ul>" + not_comparable(est) + more + _shared_caveats(est)
    )


def not_comparable(est) -> str:
    """One line per measure whose then-vs-now comparisons cross a recording break: not tested, not worded as
    change, the reason said instead (trustreport.breaks)."""
    reasons: dict[Measure, str] = {}
    for e in est:
        if Flag.NOT_COMPARABLE in e.flags:
            note = next((n for n in e.notes if n.startswith("not comparable")), "not comparable")
            reasons.setdefault(e.measure, note.removeprefix("not comparable: "))
    if not reasons:
        return ""
    items = "".join(
        f"<li>{html.escape(f'{MEASURE_LABELS[m].capitalize()}, then against now: not comparable ({why}).')}</li>"
        for m, why in reasons.items()
    )
    return f"<ul class='tr-methods'>{items}</ul>"


def _overlaps_vs_white(e: Estimate) -> bool:
    """A per-resident ratio against White built on a census table whose White count includes Hispanic White
    residents (police data count them as Hispanic): it stays in the tables, flagged, but is never a sentence."""
    return Flag.OVERLAPPING_CATEGORIES in e.flags and (e.reference_group or Group.WHITE) == Group.WHITE


def _latest_ratios(est) -> list[Estimate]:
    """Per-resident and stage ratios of the now window; a measure with none estimable there falls back to then."""
    out = []
    for measure in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES):
        for period in (Period.NOW, Period.THEN):
            found = [
                e
                for e in est.where(measure=measure, period=period)
                if e.statistic in (Statistic.RATE_RATIO, Statistic.RISK_RATIO) and e.estimable
            ]
            if found:
                out += found
                break
    return out


def _latest(est, statistic: Statistic) -> list[Estimate]:
    """Estimable estimates of a statistic from the now window, or from then where now has none."""
    for period in (Period.NOW, Period.THEN):
        found = [e for e in est.where(statistic=statistic, period=period) if e.estimable]
        if found:
            return found
    return []


def pooled_sentence(e: Estimate, alpha: float = 0.05) -> str:
    """'Over 2015-01-01 to 2024-04-04, Black people were killed by police at 8.9 times the rate of white people.'"""
    if not e.estimable:
        return ""
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    verdict = (
        _relative(e.value, ref)
        if is_real(e, alpha)
        else (f"a rate not statistically distinguishable from that of {ref} people (ratio {fmt.ratio(e.value)})")
    )
    text = (
        f"Over {short_window(*e.window)}, the rate at which {who} people were killed by police was {verdict} "
        f"(95% CI {fmt.ci(e)}; pooled over every year the data cover){_before_adjustment(e, alpha)}."
    )
    return html.escape(text) + _flag_note(e)


def all_others_sentence(e: Estimate, report: Report) -> str:
    """'In 2017, the homicide victimisation rate of Black residents was 8.4 times that for all other residents.'"""
    who = GROUP_LABELS[e.group]
    verdict = (
        _relative(e.value, "all other", "residents")
        if is_real(e, _alpha(report))
        else f"not statistically distinguishable from that for all other residents (ratio {fmt.ratio(e.value)})"
    )
    text = (
        f"{_opening(e, report)}, the homicide victimisation rate of {who} residents was {verdict} "
        f"(95% CI {fmt.ci(e)}){_before_adjustment(e, _alpha(report))}."
    )
    return html.escape(text) + _flag_note(e)


def volume_sentence(e: Estimate, report: Report) -> str:
    """'Stops: 10,452 in 2014, 2,811 in 2016; per resident-year now ÷ then 0.27 (95% CI 0.26–0.28, p < 0.001, adjusted
    p < 0.001): fell 73%, a change larger than chance would explain.' The counts come from the windows'
    `count` estimates where the report has them; settled lawsuits add the payments beside the cases. A
    year-to-date change ('ytd_rate_ratio') compares the same calendar days of two years, per day."""
    if not e.estimable:
        return ""
    ytd = e.statistic == Statistic.YTD_RATE_RATIO
    label = MEASURE_LABELS[e.measure] + (", year to date" if ytd else "")
    counted = "ytd_count" if ytd else "count"
    counts = [report.estimates.one(measure=e.measure, group=Group.ALL, period=p, statistic=counted) for p in _BOTH]
    payments = [
        report.estimates.one(measure=e.measure, group=Group.ALL, period=p, statistic=Statistic.PAYMENT_COUNT)
        for p in _BOTH
    ]
    text = f"{label.capitalize()}"
    if all(c is not None and c.estimable for c in counts):
        if e.measure == Measure.LAWSUITS:
            text += " (settled cases"
            if all(p is not None and p.value is not None for p in payments):
                text += f", paid in {fmt.count(payments[0].value)} and {fmt.count(payments[1].value)} payments"
            text += ")"
        text += ": " + ", ".join(_count_in(c, per_year=not ytd) for c in counts) + ";"
    per = "per day" if ytd else "per year" if e.denominator_kind == DenominatorKind.YEARS else "per resident-year"
    move = "rose" if e.value > 1 else "fell"
    text += (
        f" {per} now against then: ratio {fmt.ratio(e.value)} ({_level(report)} CI {fmt.ci(e)}, {_p_text(e)}): "
        f"{move} {abs(e.value - 1) * 100:.0f}%, {_change_verdict(e, report)}."
    )
    return html.escape(text) + _flag_note(e)


_BOTH = (Period.THEN, Period.NOW)


def _years(window: tuple[date, date]) -> float:
    """Years in an inclusive window, each calendar year's days over that year's length (a whole year is 1)."""
    total = 0.0
    for year in range(window[0].year, window[1].year + 1):
        first, last = max(window[0], date(year, 1, 1)), min(window[1], date(year, 12, 31))
        total += ((last - first).days + 1) / (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return total


def _count_in(c: Estimate, *, per_year: bool = True) -> str:
    """'603 in 2011–2013 (201 a year)': windows differ in length, so the count alone can mislead."""
    years = _years(c.window)
    whole = not per_year or not years or abs(years - 1) < 1e-9
    per = "" if whole else f" ({fmt.count(round(c.value / years))} a year)"
    return f"{fmt.count(c.value)} in {short_window(*c.window)}{per}"


def gap_sentence(e: Estimate, report: Report) -> str:
    """'In 2021–2022, Black residents' mean trust score was 12.7 points below white residents'.'"""
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    direction = "below" if e.value < 0 else "above"
    what = MEASURE_LABELS[e.measure]
    text = f"{_opening(e, report)}, {who} residents' {what} was {abs(e.value):.1f} points {direction}"
    text += f" {ref} residents'"
    text += f" (95% CI {fmt.ci(e)})." if e.ci else " (modelled scores with no sampling interval: descriptive only)."
    return html.escape(text) + _flag_note(e)


def gap_change_sentence(e: Estimate, report: Report) -> str:
    """'The Black–white gap in mean trust score changed by +2.6 points from then to now.'"""
    if not e.estimable:
        return ""
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    text = f"The {who}–{ref} gap in {MEASURE_LABELS[e.measure]} changed by {fmt.points(e.value)} from then to now"
    if e.ci:
        text += f" ({_level(report)} CI {fmt.ci(e)}, {_p_text(e)})."
    else:
        text += " (no sampling interval: descriptive only)."
    return html.escape(text) + _flag_note(e)


# Caveats that apply to whole families of estimates are said once under the list, not after every sentence.
_SAID_ONCE = {
    Flag.OVERLAPPING_CATEGORIES: "Race and Hispanic origin overlap on one side of some per-resident ratios (a "
    "resident count whose White group includes Hispanic White residents, or police figures that record no Hispanic "
    "group, so that their White count includes Hispanic people), so no per-resident ratio against White residents "
    "is stated here where they overlap; those estimates stay in the tables and metrics.json, flagged (see Caveats).",
    Flag.DENOMINATOR_VINTAGE: "Resident counts come from a census year outside the window they are used for.",
}


def _shared_caveats(estimates) -> str:
    found = {f for e in estimates for f in e.flags}
    notes = [text for flag, text in _SAID_ONCE.items() if flag in found]
    return f"<p class='tr-methods'>{html.escape(' '.join(notes))}</p>" if notes else ""


def disparity_sentence(e: Estimate, report: Report) -> str:
    """'In 2016, stops of Black residents ran at 3.4 times the rate of white residents (95% CI …).'"""
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    opening = _opening(e, report)
    what = _what(e)
    level = _level(report)
    if not e.estimable:
        why = e.notes[0] if e.notes else "the counts are too small"
        return html.escape(f"{opening}, the {what} ratio for {who} vs {ref} people is not estimable: {why}.")
    interval = f"{level} CI {fmt.ci(e)}" if e.ci else "no interval"
    alpha = _alpha(report)
    if is_real(e, alpha):
        text = f"{opening}, the {what} for {who} people was {_relative(e.value, ref)} ({interval})."
    else:
        text = (
            f"{opening}, the {what} for {who} people was not statistically distinguishable from that for {ref} "
            f"people (ratio {fmt.ratio(e.value)}, {interval}){_before_adjustment(e, alpha)}."
        )
    text += _within_district(e, report)
    return html.escape(text) + _flag_note(e)


def change_sentence(e: Estimate, report: Report) -> str:
    """'The Black–white stop disparity went from 2.1 to 1.3 times; that change is (not) statistically real.'"""
    if not e.estimable:
        return ""
    then_ratio = report.estimates.one(measure=e.measure, group=e.group, period=Period.THEN, statistic=_ratio_stat(e))
    now_ratio = report.estimates.one(measure=e.measure, group=e.group, period=Period.NOW, statistic=_ratio_stat(e))
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    went = (
        f"went from a ratio of {fmt.ratio(then_ratio.value)} to {fmt.ratio(now_ratio.value)}"
        if then_ratio and now_ratio and then_ratio.estimable and now_ratio.estimable
        else "changed"
    )
    text = (
        f"The {who}–{ref} disparity in {_what(e)} {went} (ratio of ratios {fmt.ratio(e.value)}, "
        f"{_level(report)} CI {fmt.ci(e)}, {_p_text(e)}): {_change_verdict(e, report)}."
    )
    return html.escape(text) + _flag_note(e)


def representation_sentence(e: Estimate) -> str:
    """'Black people were 33.0% of officers and 51.4% of residents (representation ratio 0.64).'"""
    if not e.estimable:
        return ""
    who = GROUP_LABELS[e.group]
    text = (
        f"In {e.window[0].year}, {who} people were {fmt.pct(e.numerator)} of sworn officers and "
        f"{fmt.pct(e.denominator)} of residents (representation ratio {fmt.ratio(e.value)}; 1 = parity)."
    )
    return html.escape(text) + _flag_note(e)


def is_real(e: Estimate, alpha: float = 0.05) -> bool:
    """Whether a difference is called real: its interval excludes the null and, where the report adjusted its
    p-value for multiple comparisons (docs/methods.md §5.4), the adjusted p is below `alpha` too."""
    return bool(e.significant) and (e.p_adjusted is None or e.p_adjusted < alpha)


def _before_adjustment(e: Estimate, alpha: float) -> str:
    """'; distinguishable before adjustment for multiple comparisons (p 0.033), not after (adjusted p 0.059)',
    for an estimate whose interval excludes the null but whose adjusted p does not pass; else ''."""
    if not e.significant or is_real(e, alpha):
        return ""
    if e.p_value is not None and e.p_value >= alpha:
        return f"; its interval excludes no difference but its test does not (p {fmt.p_value(e.p_value)})"
    return (
        f"; distinguishable before adjustment for multiple comparisons (p {fmt.p_value(e.p_value)}), not after "
        f"(adjusted p {fmt.p_value(e.p_adjusted)})"
    )


def _p_text(e: Estimate) -> str:
    """'p 0.040, adjusted p 0.079' (the adjusted p where the report has one)."""
    text = f"p {fmt.p_value(e.p_value)}"
    return text + (f", adjusted p {fmt.p_value(e.p_adjusted)}" if e.p_adjusted is not None else "")


def _change_verdict(e: Estimate, report: Report) -> str:
    if is_real(e, _alpha(report)):
        return "a change larger than chance would explain"
    if e.significant and e.p_value is not None and e.p_value >= _alpha(report):
        return "not statistically distinguishable from no change by its test, although its interval excludes none"
    if e.significant:
        return "distinguishable from no change before adjustment for multiple comparisons, not after"
    return "not statistically distinguishable from no change"


def _within_district(e: Estimate, report: Report) -> str:
    """For a pooled contraband (hit-rate) ratio: a clause when the district-stratified Mantel–Haenszel ratio
    (docs/methods.md §3.1) disagrees with it: one distinguishable from 1 and the other not, or opposite
    directions. Pooled ratios mix districts with different search practices (Simpson's paradox)."""
    if e.measure != Measure.HITS:
        return ""
    mh = report.estimates.one(measure=e.measure, group=e.group, period=e.period, statistic=Statistic.HIT_RATE_RATIO_MH)
    if mh is None or not mh.estimable:
        return ""
    alpha = _alpha(report)
    pooled_real, mh_real = is_real(e, alpha), is_real(mh, alpha)
    opposite = pooled_real and mh_real and (e.value > 1) != (mh.value > 1)
    if pooled_real == mh_real and not opposite:
        return ""
    return (
        f" Within districts the ratio is {fmt.ratio(mh.value)} ({_level(report)} CI "
        f"{fmt.ci(mh)}, {_p_text(mh)}): the pooled and within-district results disagree, so the pooled ratio "
        "reflects where searches happen as much as whom they find."
    )


def _relative(value: float, ref: str, noun: str = "people") -> str:
    """A ratio in words; below 1 it is also said the other way round (docs/methods.md §1.1: '0.4 ⇒ 2.5 times less')."""
    if value >= 1:
        return f"{fmt.times(value)} that for {ref} {noun}"
    return f"{fmt.ratio(value)} times that for {ref} {noun} ({ref} {noun} had {fmt.times(1 / value)} the rate)"


_CONDITIONAL_WHAT = {
    Measure.SEARCHES: "share of stops that led to a search",
    Measure.HITS: "share of searches that found contraband",
    Measure.CITATIONS: "share of stops that ended in a citation",
    Measure.HOMICIDES_CLEARED: "share of homicides cleared by arrest",
}


def _what(e: Estimate) -> str:
    if e.measure in CONDITIONAL_STAGES:
        feeder = MEASURE_LABELS[CONDITIONAL_STAGES[e.measure]]
        return _CONDITIONAL_WHAT.get(e.measure, f"share of {feeder} that led to {MEASURE_LABELS[e.measure]}")
    return f"rate of {MEASURE_LABELS[e.measure]} per resident"


def _ratio_stat(e: Estimate) -> str:
    return Statistic.RISK_RATIO if e.measure in CONDITIONAL_STAGES else Statistic.RATE_RATIO


def _opening(e: Estimate, report: Report) -> str:
    """'In 2014', 'From 1 Jan to 29 Sep 2016', 'In 2009–2013 (before federal oversight)' (trustreport.window_names)."""
    p = report.params.params
    win = p.then if e.period == Period.THEN else p.now
    return sentence_opening(win.label, *win.dates)


def _alpha(report: Report) -> float:
    return 1 - report.params.params.options.level


def _level(report: Report) -> str:
    return f"{round(100 * report.params.params.options.level)}%"


# A flag in a sentence is said in words (the glossary defines each term in brackets); tables keep short marks.
_FLAG_WORDS = {
    Flag.SUPPRESSED: "too few events to show (suppressed)",
    Flag.UNSTABLE: "based on few events (unstable)",
    Flag.NOT_COMPARABLE: "recorded differently then and now (not comparable)",
    Flag.OVERLAPPING_CATEGORIES: "resident counts overlap race with Hispanic origin (overlapping categories)",
    Flag.PARTIAL_COVERAGE: "the data cover only part of the period (partial coverage)",
    Flag.DENOMINATOR_VINTAGE: "resident counts from another year (denominator vintage)",
}


def _flag_note(e: Estimate) -> str:
    shown = [f for f in e.flags if f != Flag.NOT_ESTIMABLE and f not in _SAID_ONCE]
    if not shown:
        return ""
    words = "; ".join(_FLAG_WORDS.get(f, str(f)) for f in shown)
    return f" <span class='tr-flags'>Read with care: {html.escape(words)}.</span>"


def claims_summary(report: Report) -> HTML:
    """Section 2 in words: how many published figures were graded, then one sentence per verdict class with
    its count and the claims in it (all text escaped: claims come from the params file)."""
    from trustreport.claims.present import summary_sentences

    results = list(report.claims)
    if not results:
        return HTML("<p>No published claims about this city were checked.</p>")
    lead, *rest = (html.escape(s) for s in summary_sentences(results))
    return HTML(f"<p>{lead}</p><ul>" + "".join(f"<li>{s}</li>" for s in rest) + "</ul>")
