"""Section 5 tables: the outcome test (methods §3) and the veil-of-darkness test (methods §4)."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.metrics.outcome_test import INFRA_MARGINALITY_NOTE
from trustreport.metrics.veil_of_darkness import VOD_CAVEATS
from trustreport.report import Report
from trustreport.stop_mode import stop_mode
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, share_cell, to_html
from trustreport.vocab import GROUP_LABELS, Group, Measure, Period, StopMode


@not_available_for(Measure.SEARCHES, Measure.HITS)
def outcome_test(report: Report) -> HTML:
    """Section 5: hit rates by group (share of searches that found contraband), then and now, with the pooled
    and the district-stratified (Mantel–Haenszel) ratios vs the reference group and, where the search basis is
    recorded, the same on discretionary searches (methods §3.1)."""
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
                    "hit rate": share_cell(rate),
                    "ratio vs " + GROUP_LABELS[p.reference_group]: is_reference
                    or cell(est.one(statistic="hit_rate_ratio", group=group, period=period), with_p=True),
                    "ratio within districts (MH)": is_reference
                    or cell(est.one(statistic="hit_rate_ratio_mh", group=group, period=period), with_p=True),
                    "discretionary searches: hit rate": share_cell(
                        est.one(statistic="hit_rate_discretionary", group=group, period=period)
                    ),
                    "discretionary: ratio": is_reference
                    or cell(est.one(statistic="hit_rate_ratio_discretionary", group=group, period=period)),
                }
            )
    frame = pd.DataFrame(rows)
    if not any(e.statistic == "hit_rate_discretionary" for e in found):
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("discretionary")])
    caveat = f'<p class="tr-methods">{html.escape(INFRA_MARGINALITY_NOTE)}</p>'
    return HTML(to_html(frame) + methods_line(found) + flags_legend(found) + caveat)


@not_available_for(Measure.STOPS)
def veil_of_darkness(report: Report) -> HTML:
    """Section 5: the veil-of-darkness test (methods §4): the focal group's share of inter-twilight stops in
    daylight and after dusk, and the darkness odds ratio controlling for clock time, and for clock time and
    district, then and now."""
    est = report.estimates
    found = [e for e in est if e.statistic.startswith("vod_")]
    if not found:
        why = (
            "it applies to vehicle stops (a driver's race seen in daylight or not), and these are pedestrian stops"
            if stop_mode(report.sources) == StopMode.PEDESTRIAN
            else "it needs stop times and the city's location"
        )
        return HTML(f"<p>The veil-of-darkness test is not available: {html.escape(why)}.</p>")
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
                    "group's share in daylight": share_cell(light),
                    "group's share after dusk": share_cell(dark),
                    "odds ratio, dark vs light (clock time)": cell(ratio, with_p=True),
                    "odds ratio (clock time and district)": cell(district, with_p=True),
                }
            )
            samples.append(f"{pair}, {fmt.window(win.start, win.end)}: {_vod_sample_note(ratio)}")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in dict.fromkeys([*samples, *VOD_CAVEATS]))
    reading = (
        "An odds ratio below 1 means a smaller share of the group among drivers stopped after dusk than in "
        "daylight at the same clock time, as expected if officers use race when they can see it."
    )
    return HTML(
        to_html(pd.DataFrame(rows))
        + methods_line(found)
        + flags_legend(found)
        + f'<p class="tr-methods">{html.escape(reading)}</p><ul class="tr-methods">{notes}</ul>'
    )


def _vod_sample_note(e: Estimate) -> str:
    """The sample description the estimate carries, with the reason first when it is not estimable."""
    sample = next((n for n in e.notes if n.startswith("inter-twilight window")), "")
    if e.estimable:
        return sample
    return f"not estimable: {e.notes[0]}" + (f" ({sample})" if sample and sample != e.notes[0] else "")
