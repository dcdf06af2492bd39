"""Section 5 tables: the outcome test (docs/methods.md §3) and the veil-of-darkness test (docs/methods.md §4)."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.caveat import CaveatKind, of_kind
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import cell, flags_legend, methods_line, not_available_for, share_cell, to_html
from trustreport.vocab import GROUP_LABELS, Group, Measure, StopMode

_HIT_RATES = frozenset(
    {
        Statistic.HIT_RATE,
        Statistic.HIT_RATE_RATIO,
        Statistic.HIT_RATE_RATIO_MH,
        Statistic.HIT_RATE_ODDS_RATIO_MH,
        Statistic.HIT_RATE_DISCRETIONARY,
        Statistic.HIT_RATE_RATIO_DISCRETIONARY,
    }
)
_VEIL_OF_DARKNESS = frozenset(
    {Statistic.VOD_SHARE_LIGHT, Statistic.VOD_SHARE_DARK, Statistic.VOD_ODDS_RATIO, Statistic.VOD_ODDS_RATIO_DISTRICT}
)


@not_available_for(Measure.SEARCHES, Measure.HITS)
def outcome_test(report: Report) -> HTML:
    """Section 5: hit rates by group (share of searches that found contraband), then and now, with the pooled
    and the district-stratified (Mantel–Haenszel) ratios vs the reference group and, where the search basis is
    recorded, the same on discretionary searches (docs/methods.md §3.1)."""
    est = report.estimates
    found = [e for e in est.where(measure=Measure.HITS) if e.statistic in _HIT_RATES]
    if not found:
        return HTML("<p>The outcome test is not available: no source records searches and their outcomes.</p>")
    p = report.params.params
    rows = []
    for group in [g for g in p.groups if g != Group.ALL]:
        for period, win in p.windows:
            rate = est.one(statistic=Statistic.HIT_RATE, group=group, period=period)
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
                    or cell(est.one(statistic=Statistic.HIT_RATE_RATIO, group=group, period=period), with_p=True),
                    "ratio within districts (MH)": is_reference
                    or cell(est.one(statistic=Statistic.HIT_RATE_RATIO_MH, group=group, period=period), with_p=True),
                    "discretionary searches: hit rate": share_cell(
                        est.one(statistic=Statistic.HIT_RATE_DISCRETIONARY, group=group, period=period)
                    ),
                    "discretionary: ratio": is_reference
                    or cell(est.one(statistic=Statistic.HIT_RATE_RATIO_DISCRETIONARY, group=group, period=period)),
                }
            )
    frame = pd.DataFrame(rows)
    if not any(e.statistic == Statistic.HIT_RATE_DISCRETIONARY for e in found):
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("discretionary")])
    caveat = f'<p class="tr-methods">{html.escape(report.prepared.notes.infra_marginality)}</p>'
    return HTML(to_html(frame) + methods_line(found) + flags_legend(found) + caveat)


@not_available_for(Measure.STOPS)
def veil_of_darkness(report: Report) -> HTML:
    """Section 5: the veil-of-darkness test (docs/methods.md §4): the focal group's share of inter-twilight stops in
    daylight and after dusk, and the darkness odds ratio controlling for clock time, and for clock time and
    district, then and now."""
    est = report.estimates
    found = [e for e in est if e.statistic in _VEIL_OF_DARKNESS]
    if not found:
        why = (
            "it applies to vehicle stops (a driver's race seen in daylight or not), and these are pedestrian stops"
            if report.prepared.stop_mode == StopMode.PEDESTRIAN
            else "it needs stop times and the city's location"
        )
        return HTML(f"<p>The veil-of-darkness test is not available: {html.escape(why)}.</p>")
    p = report.params.params
    rows, samples = [], []
    for group in dict.fromkeys(e.group for e in found):
        for period, win in p.windows:
            ratio = est.one(statistic=Statistic.VOD_ODDS_RATIO, group=group, period=period)
            if ratio is None:
                continue
            light = est.one(statistic=Statistic.VOD_SHARE_LIGHT, group=group, period=period)
            dark = est.one(statistic=Statistic.VOD_SHARE_DARK, group=group, period=period)
            district = est.one(statistic=Statistic.VOD_ODDS_RATIO_DISTRICT, group=group, period=period)
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
    caveats = report.prepared.notes.veil_of_darkness
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in dict.fromkeys([*samples, *caveats]))
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
    sample = next(iter(of_kind(e.notes, CaveatKind.VOD_SAMPLE)), "")
    if e.estimable:
        return sample
    return f"not estimable: {e.notes[0]}" + (f" ({sample})" if sample and sample != e.notes[0] else "")
