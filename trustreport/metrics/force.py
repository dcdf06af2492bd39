"""Use of force beyond the per-resident rates (those are `metrics.disparity` on `force_incidents` and
`force_subjects`): force per arrest, the severity mix and injuries by race, and NJ's then (NJ.com's Force Report,
2012–2016) vs now (NJ Attorney General portal) race shares of the people force was used on.

Statistics (ids `measure.statistic.group.period`, measure `force_incidents` unless said):
- `per_arrest` (value = force incidents ÷ arrests, shown per 1,000; Garwood exact Poisson interval with arrests as
  exposure, since one arrest can carry several uses of force, docs/methods.md §1.3 note) and `per_arrest_ratio` vs the
  reference (exact conditional / score rate-ratio interval, exact conditional test, docs/methods.md §1.2B).
- `severity_share_<severity>` (share of a group's incidents whose most severe force is that level; Wilson,
  docs/methods.md §2.1), `weapon_share` (a less-lethal weapon or a firearm) and `weapon_risk_ratio` vs the reference
  (Koopman score / Katz interval, score or Fisher test, docs/methods.md §1.2A).
- `injury_share`, `serious_injury_share` (incidents with a subject injury; Wilson) and `injury_risk_ratio`.
- measure `force_subjects`: `subject_share` then (the Force Report's published share) and now (people with a
  recorded race), and `subject_share_difference` now − then (Newcombe interval, score test, docs/methods.md §2.1), each
  with a comparability note.
Small-number rules of docs/methods.md §5.3 apply throughout (no ratio under 5, `unstable` under 20).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import (
    proportion_difference_comparison,
    rate_ratio_comparison,
    risk_ratio_comparison,
)
from trustreport.metrics.inputs import flow_counts, merge_sources, new_estimate, span
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic, severity_share
from trustreport.stats import intervals as iv
from trustreport.vocab import GROUP_LABELS, DateSpan, DenominatorKind, ForceSeverity, Group, Measure, Period

WEAPON_LEVELS = frozenset({str(ForceSeverity.WEAPON), str(ForceSeverity.FIREARM)})
RECORDED_RACES = (Group.BLACK, Group.HISPANIC, Group.WHITE, Group.ASIAN_PI, Group.OTHER)
SHARES_NOTE = (
    "Comparable as shares only: the Force Report's share is of the subjects on officers' forms (2012-2016, "
    "Hispanic undercounted); the now share is of people with a recorded race, counted once per incident."
)


def force_per_arrest(
    counts: pd.DataFrame,
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 1000,
) -> list[Estimate]:
    """Force incidents per arrest by group where the counts hold both (Poisson, docs/methods.md §1.3), and rate
    ratios vs
    the reference where both groups have arrests."""
    events = flow_counts(counts, Measure.FORCE_INCIDENTS, window)
    arrests = flow_counts(counts, Measure.ARRESTS, window)
    held = [g for g in (*groups, reference, Group.ALL) if g in events.values and arrests.values.get(g)]
    out = []
    for group in dict.fromkeys(held):
        x, n = events.values[group], arrests.values[group]
        ci = iv.poisson_rate_ci(x, n, level=level)
        est = new_estimate(
            Measure.FORCE_INCIDENTS, Statistic.PER_ARREST, group, period, window, value=x / n, numerator=x,
            denominator=n, denominator_kind=DenominatorKind.ARRESTS, ci=ci.bounds, ci_method=ci.method,
            scale=rate_per, sources=merge_sources(events.sources_of(group), arrests.sources_of(group)),
        )  # fmt: skip
        out.append(apply_stability(est, x))
        if group not in (reference, Group.ALL) and reference in held:
            out.append(_per_arrest_ratio(events, arrests, group, reference, period, level))
    return out


def _per_arrest_ratio(events, arrests, group: Group, reference: Group, period: Period, level: float) -> Estimate:
    a, n1, c, n2 = events.values[group], arrests.values[group], events.values[reference], arrests.values[reference]
    est = new_estimate(
        Measure.FORCE_INCIDENTS, "per_arrest_ratio", group, period, events.window, value=None,
        denominator_kind=DenominatorKind.ARRESTS, reference_group=reference,
        sources=merge_sources(events.sources_of(group, reference), arrests.sources_of(group, reference)),
    )  # fmt: skip
    est = rate_ratio_comparison(est, a, n1, c, n2, level=level)
    return apply_ratio_rules(est, {events.label(group): a, events.label(reference): c})


def _extras(sources: Sequence[SourceData], name: str, window: DateSpan) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """One extras table stacked over the sources that have it, cut to the days of `window`, and their ids."""
    found = [(s.info.id, s.extras[name]) for s in sources if name in s.extras]
    if not found:
        return pd.DataFrame(), ()
    table = pd.concat([t for _, t in found], ignore_index=True)
    inside = (table["date"] >= pd.Timestamp(window[0])) & (table["date"] <= pd.Timestamp(window[1]))
    return table[inside], tuple(sorted(i for i, _ in found))


def _share(
    statistic: Statistic, group: Group, period: Period, window: DateSpan, x: float, n: float, level: float, **kw
) -> Estimate:
    """x/n with the Wilson interval, flagged unstable under 20 (docs/methods.md §2.1, §5.3)."""
    measure = kw.pop("measure", Measure.FORCE_INCIDENTS)
    est = new_estimate(measure, statistic, group, period, window, value=None, numerator=x, denominator=n, **kw)
    if n <= 0:
        return not_estimable(est, f"no {GROUP_LABELS[group]} force incidents in {span(window)}")
    ci = iv.proportion_ci(x, n, level=level)
    return apply_stability(replace(est, value=x / n, ci=ci.bounds, ci_method=ci.method), x)


def _risk_ratio(
    statistic: Statistic, group: Group, reference: Group, period: Period, window: DateSpan, cells, level, **kw
):
    """(a/n1)/(c/n2) with the recommended binomial interval and test (docs/methods.md §1.2A)."""
    (a, n1), (c, n2) = cells
    est = new_estimate(Measure.FORCE_INCIDENTS, statistic, group, period, window, value=None,
                       reference_group=reference, **kw)  # fmt: skip
    if n1 <= 0 or n2 <= 0:
        return not_estimable(est, f"no force incidents for {GROUP_LABELS[group if n1 <= 0 else reference]}")
    est = risk_ratio_comparison(est, a, n1, c, n2, level=level)
    labels = {f"{GROUP_LABELS[group]} {statistic}": a, f"{GROUP_LABELS[reference]} {statistic}": c}
    return apply_ratio_rules(est, labels)


def severity_mix(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per group: the share of its force incidents at each most-severe level, the share reaching a weapon
    (less-lethal or firearm), and that share's risk ratio vs the reference (extras `force_severity`)."""
    table, ids = _extras(sources, "force_severity", window)
    if table.empty:
        return []
    cells = table.groupby(["group", "severity"])["incidents"].sum()
    totals = cells.groupby(level="group").sum()
    shown = [g for g in dict.fromkeys((*groups, reference, Group.ALL)) if str(g) in totals.index]
    out = []
    for group in shown:
        n = float(totals[str(group)])
        for severity in ForceSeverity:
            x = float(cells.get((str(group), str(severity)), 0))
            out.append(_share(severity_share(severity), group, period, window, x, n, level,
                              sources=ids))  # fmt: skip
        out.append(_share(Statistic.WEAPON_SHARE, group, period, window, _weapon(cells, group), n, level, sources=ids))
    for group in shown:
        if group in (reference, Group.ALL) or str(reference) not in totals.index:
            continue
        pair = ((_weapon(cells, group), totals[str(group)]), (_weapon(cells, reference), totals[str(reference)]))
        out.append(_risk_ratio(Statistic.WEAPON_RISK_RATIO, group, reference, period, window, pair, level, sources=ids))
    return out


def _weapon(cells: pd.Series, group: Group) -> float:
    return float(sum(cells.get((str(group), level), 0) for level in WEAPON_LEVELS))


def injury_rates(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Per group: the share of force incidents with a subject injury and with a serious one, and the injury
    share's risk ratio vs the reference (extras `force_injuries`)."""
    table, ids = _extras(sources, "force_injuries", window)
    if table.empty:
        return []
    sums = table.groupby("group")[["incidents", "injured", "serious"]].sum()
    shown = [g for g in dict.fromkeys((*groups, reference, Group.ALL)) if str(g) in sums.index]
    out = []
    for group in shown:
        row = sums.loc[str(group)]
        out.append(
            _share(Statistic.INJURY_SHARE, group, period, window, row["injured"], row["incidents"], level, sources=ids)
        )
        out.append(
            _share(
                Statistic.SERIOUS_INJURY_SHARE,
                group,
                period,
                window,
                row["serious"],
                row["incidents"],
                level,
                sources=ids,
            )
        )
    if str(reference) in sums.index:
        ref = sums.loc[str(reference)]
        for group in shown:
            if group in (reference, Group.ALL):
                continue
            row = sums.loc[str(group)]
            pair = ((row["injured"], row["incidents"]), (ref["injured"], ref["incidents"]))
            out.append(
                _risk_ratio(Statistic.INJURY_RISK_RATIO, group, reference, period, window, pair, level, sources=ids)
            )
    return out


def subject_shares_then_now(
    counts: pd.DataFrame,
    sources: Sequence[SourceData],
    then: DateSpan,
    now: DateSpan,
    *,
    groups: Sequence[Group],
    level: float = 0.95,
) -> list[Estimate]:
    """Race shares of the people force was used on: the Force Report's published shares (then; n = its uses of
    force, so the count is share × n) vs people with a recorded race in the now window (`force_subjects`), and
    the difference now − then (Newcombe interval, score test; docs/methods.md §2.1). Shares and differences only:
    the two
    sources count different units (forms vs incidents), so their counts are not compared."""
    published = [s for s in sources if "force_report" in s.extras]
    if not published:
        return []
    report = published[0].extras["force_report"]
    report = report[(report["period_start"] >= pd.Timestamp(then[0])) & (report["period_end"] <= pd.Timestamp(then[1]))]
    total = report.loc[report["quantity"] == "uses_of_force", "value"]
    now_people = flow_counts(counts, Measure.FORCE_SUBJECTS, now)
    recorded = sum(now_people.values.get(g, 0.0) for g in RECORDED_RACES)
    if total.empty or recorded == 0:
        return []
    n_then, then_ids = float(total.iloc[0]), (published[0].info.id,)
    out = []
    for group in groups:
        share = report.loc[(report["quantity"] == "subjects_share") & (report["group"] == str(group)), "value"]
        if share.empty:
            continue
        x_then, x_now = round(float(share.iloc[0]) * n_then), now_people.count(group) or 0.0
        out.append(_subject_share(group, Period.THEN, then, x_then, n_then, level, then_ids))
        out.append(_subject_share(group, Period.NOW, now, x_now, recorded, level, now_people.sources_of(group)))
        out.append(_share_difference(group, then, now, (x_now, recorded), (x_then, n_then), level, out[-2:]))
    return out


def _subject_share(group: Group, period: Period, window: DateSpan, x: float, n: float, level: float, ids) -> Estimate:
    est = _share(
        Statistic.SUBJECT_SHARE, group, period, window, x, n, level, measure=Measure.FORCE_SUBJECTS, sources=ids
    )
    return est.with_flags(note=SHARES_NOTE)


def _share_difference(group: Group, then: DateSpan, now: DateSpan, x_now, x_then, level: float, pair) -> Estimate:
    (a, n1), (c, n2) = x_now, x_then
    est = new_estimate(
        Measure.FORCE_SUBJECTS, Statistic.SUBJECT_SHARE_DIFFERENCE, group, Period.CHANGE, now, then_window=then,
        value=None, sources=merge_sources(*(e.sources for e in pair)),
    )  # fmt: skip
    est = proportion_difference_comparison(est, a, n1, c, n2, level=level)
    return apply_stability(est, a, c).with_flags(note=SHARES_NOTE)


def force_estimates(
    counts: pd.DataFrame,
    sources: Sequence[SourceData],
    *,
    then: DateSpan,
    now: DateSpan,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
    rate_per: int = 1000,
) -> list[Estimate]:
    """The force section: per arrest, severity mix and injuries in each window, then the then-vs-now shares."""
    out: list[Estimate] = []
    common = dict(groups=groups, reference=reference, level=level)
    for period, window in ((Period.THEN, then), (Period.NOW, now)):
        out += force_per_arrest(counts, window, period=period, rate_per=rate_per, **common)
        out += severity_mix(sources, window, period=period, **common)
        out += injury_rates(sources, window, period=period, **common)
    out += subject_shares_then_now(counts, sources, then, now, groups=groups, level=level)
    return out
