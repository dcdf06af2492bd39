"""Key findings: the three to six sentences a reader gets first, chosen by a stated rule.

The rule (printed in the report under the list, `RULE`):

1. Changes in volume (a measure's rate for everyone, now against then) that are *clearly* real: the interval
   excludes no change and the p-value adjusted for multiple comparisons (Benjamini–Hochberg, docs/methods.md
   §5.4) is below one minus the confidence level. At most two, the most certain first.
2. The largest credible disparities: per-resident and stage-by-stage ratios of the now window (then, for a measure
   the now window lacks), the pooled police-killing ratio and homicide ratios against all other residents where a
   group's rate is the higher, *clearly* distinguishable from parity and not flagged
   unstable, not comparable, suppressed or built on overlapping race categories. Ranked by the bound of the
   interval nearest 1 (on the log scale), so a large ratio with a wide interval ranks below a smaller, sure one.
   Up to three, as room allows, at most two about one measure, and one of a group's use-of-force incidents and
   people subjected to force.
3. At most one change in a disparity (ratio of ratios, now against then) that is *clearly* real, ranked the same way.
4. When fewer than three findings were found, the next disparities, changes in disparity and changes in volume by
   the same ranking, whatever their certainty and now also those resting on few events (each says how sure it is
   and that it rests on few events); one fact is said once (use-of-force incidents and people subjected to force
   count as one). If still fewer than three, the claim ledger's tally.
5. One line on what cannot be said: measures not comparable across the windows, measures with no data in a window,
   and the measures whose ratios against white people are withheld because one side of the ratio (residents or
   police counts) overlaps race with Hispanic origin.

Each finding is one plain sentence with its number, its interval and a how-sure word (`Sureness`), defined once in
the report's glossary.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from IPython.display import HTML

from trustreport import fmt
from trustreport.availability import NOT_AVAILABLE
from trustreport.claims.verdict import Verdict
from trustreport.estimate import Estimate
from trustreport.narrative import is_real
from trustreport.report import Report
from trustreport.statistic import Statistic
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
from trustreport.window_names import period_heading, sentence_opening, short_window

MOST, FEWEST = 6, 3
_MOST_VOLUMES, _MOST_DISPARITIES, _MOST_CHANGES, _MOST_PER_MEASURE = 2, 3, 1, 2

# Flags that keep an estimate out of the ranked findings: its number is not one to lead with.
_NOT_CREDIBLE = frozenset({Flag.UNSTABLE, Flag.NOT_COMPARABLE, Flag.SUPPRESSED, Flag.OVERLAPPING_CATEGORIES})

RULE = (
    "Chosen by a fixed rule: first the changes in volume that are clearly real (at most two); then the largest "
    "disparities that are clearly real and rest on enough events and comparable data, ranked by the end of their "
    "interval nearest to no difference (so a sure difference ranks above a large but uncertain one), at most two "
    "about one measure; then at most one change in a disparity that is clearly real; when that makes fewer than "
    "three, the next disparities and changes by the same ranking, however sure, and then the tally of published "
    "claims checked; last, what these data cannot say."
)


class Sureness(StrEnum):
    """How sure a finding is, in one word (defined in the report's glossary)."""

    CLEARLY = "clearly"
    PROBABLY = "probably"
    CANNOT_TELL = "cannot tell"


class Tier(StrEnum):
    """Which step of the rule chose a finding."""

    VOLUME = "volume"
    DISPARITY = "disparity"
    CHANGE = "change in disparity"
    LEDGER = "published claims"
    CANNOT_SAY = "what cannot be said"


@dataclass(frozen=True)
class Finding:
    """One key finding: its sentence (plain text), the step of the rule that chose it, how sure it is and the ids
    of the estimates it states (none for the 'cannot be said' line)."""

    text: str
    tier: Tier
    sureness: Sureness | None = None
    estimate_ids: tuple[str, ...] = ()


def sureness(e: Estimate, alpha: float) -> Sureness:
    """'clearly': the interval excludes no difference and so does the adjusted test; 'probably': the interval
    excludes it but the adjusted (or the raw) test does not; 'cannot tell': the interval includes no difference."""
    if is_real(e, alpha):
        return Sureness.CLEARLY
    return Sureness.PROBABLY if e.significant else Sureness.CANNOT_TELL


def certainty(e: Estimate) -> float:
    """The ranking key of rule steps 1–4: how far from 1 the interval's bound nearest 1 lies, on the log scale
    (0 when the interval includes 1); ties broken by the point estimate's distance from 1."""
    if e.ci is None or e.value is None or e.value <= 0 or None in e.ci:
        return 0.0
    lo, hi = e.ci
    bound = lo if e.value >= 1 else hi
    near = abs(math.log(bound)) if bound > 0 and (lo > 1 or hi < 1) else 0.0
    return near + 1e-6 * abs(math.log(e.value))


def select(report: Report) -> list[Finding]:
    """The key findings of a report, by the rule of this module's docstring (3 to 6 where the data allow)."""
    alpha = 1 - report.params.params.options.level
    est = list(report.estimates)
    volumes = _ranked(e for e in est if _is_volume(e) and _credible(e))
    disparities = _ranked(e for e in _disparities(est) if _credible(e))
    changes = _ranked(e for e in est if e.statistic == Statistic.RATIO_OF_RATE_RATIOS and _credible(e))
    chosen_volumes = [e for e in volumes if is_real(e, alpha)][:_MOST_VOLUMES]
    chosen_changes = [e for e in changes if is_real(e, alpha)][:_MOST_CHANGES]
    # The 'cannot be said' line is written last (it leaves out measures a finding states) but its slot is kept.
    cannot = bool(cannot_be_said(report))
    room = MOST - len(chosen_volumes) - len(chosen_changes) - cannot
    chosen_disparities = _at_most_per_measure([e for e in disparities if is_real(e, alpha)], _MOST_PER_MEASURE)
    chosen_disparities = chosen_disparities[: min(_MOST_DISPARITIES, room)]
    # Step 4: too few sure findings; the next ones by the same ranking (now also those resting on few events),
    # each saying how sure it is.
    taken = {e.id for e in (*chosen_volumes, *chosen_changes, *chosen_disparities)}
    shortfall = FEWEST - len(taken) - bool(cannot)
    rest = [
        e
        for e in (*_disparities(est), *(e for e in est if e.statistic == Statistic.RATIO_OF_RATE_RATIOS))
        if e.id not in taken and _credible(e, few_events=True)
    ]
    rest += [e for e in est if _is_volume(e) and e.id not in taken and _credible(e, few_events=True)]
    said = {_fact(e) for e in (*chosen_volumes, *chosen_changes, *chosen_disparities)}
    for e in _ranked(rest):
        if shortfall <= 0:
            break
        if _fact(e) in said:
            continue
        said.add(_fact(e))
        shortfall -= 1
        if _is_volume(e):
            chosen_volumes.append(e)
        elif e.statistic == Statistic.RATIO_OF_RATE_RATIOS:
            chosen_changes.append(e)
        else:
            chosen_disparities.append(e)

    found = [Finding(volume_finding(e, report), Tier.VOLUME, sureness(e, alpha), (e.id,)) for e in chosen_volumes]
    found += [
        Finding(disparity_finding(e, report), Tier.DISPARITY, sureness(e, alpha), (e.id,)) for e in chosen_disparities
    ]
    found += [Finding(change_finding(e, report), Tier.CHANGE, sureness(e, alpha), (e.id,)) for e in chosen_changes]
    # Step 5: still too few; the claim ledger's tally is a finding of its own.
    ledger = ledger_finding(report)
    if len(found) + cannot < FEWEST and ledger:
        found.append(Finding(ledger, Tier.LEDGER))
    by_id = {e.id: e for e in est}
    stated = {by_id[i].measure for f in found for i in f.estimate_ids}
    if line := cannot_be_said(report, stated=stated):
        found.append(Finding(line, Tier.CANNOT_SAY))
    return found


def ledger_finding(report: Report) -> str:
    """'Of 24 published figures checked, 0 were reproduced from independent data, 3 were consistent with it, 1 was
    contradicted and 20 could not be checked.' ('' when the report checks none)."""
    results = list(report.claims)
    if not results:
        return ""
    tally = Counter(r.verdict for r in results)
    words = {
        Verdict.REPRODUCED: "reproduced from independent data",
        Verdict.CONSISTENT: "consistent with it",
        Verdict.CONTRADICTED: "contradicted by it",
        Verdict.NOT_CHECKABLE: "could not be checked",
    }
    total = len(results)
    figures = "published figure" if total == 1 else "published figures"
    if tally[Verdict.NOT_CHECKABLE] == total:
        return f"None of the {total} {figures} about this city could be checked against independent data."
    parts = [
        f"{tally[v]} {'' if v == Verdict.NOT_CHECKABLE else _were(tally[v])}{w}" for v, w in words.items() if tally[v]
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"Of {total} {figures} about this city, {listed}."


def _were(n: int) -> str:
    return "was " if n == 1 else "were "


def key_findings(report: Report) -> HTML:
    """The key findings as a numbered list (sentences escaped: labels come from the params file)."""
    found = select(report)
    if not found:
        return HTML("<p>These data support no finding for the windows chosen; the sections below say why.</p>")
    items = "".join(f"<li>{html.escape(f.text)}</li>" for f in found)
    return HTML(f"<ol class='tr-key'>{items}</ol><p class='tr-methods'>{html.escape(RULE)}</p>")


def _at_most_per_measure(ranked: list[Estimate], most: int) -> list[Estimate]:
    """The ranked estimates, keeping the first `most` of each measure (so three groups of one measure do not fill
    every place) and one of a group's use-of-force incidents and people subjected to force (one fact, two units)."""
    seen: Counter[Measure] = Counter()
    said: set[tuple] = set()
    out = []
    for e in ranked:
        fact = _fact(e)
        seen[fact[0]] += 1
        if seen[fact[0]] <= most and fact not in said:
            said.add(fact)
            out.append(e)
    return out


_SAME_FACT = {Measure.FORCE_SUBJECTS: Measure.FORCE_INCIDENTS}


def _fact(e: Estimate) -> tuple:
    """What an estimate says, up to its unit: use-of-force incidents and people subjected to force are one fact."""
    return (_SAME_FACT.get(e.measure, e.measure), e.group, e.period, e.statistic)


def _ranked(estimates: Iterable[Estimate]) -> list[Estimate]:
    return sorted(estimates, key=certainty, reverse=True)


def _is_volume(e: Estimate) -> bool:
    return e.group == Group.ALL and e.statistic in (Statistic.RATE_CHANGE_RATIO, Statistic.YTD_RATE_RATIO)


def _credible(e: Estimate, *, few_events: bool = False) -> bool:
    """Estimable, with an interval, and free of the flags that keep a number out of the key findings (a volume of
    everyone does not depend on race categories, so overlapping categories do not keep it out; rule step 4 admits
    estimates on few events, `few_events`)."""
    if not e.estimable or e.ci is None or e.value is None or e.value <= 0:
        return False
    against_white = (
        e.statistic != Statistic.VS_ALL_OTHERS_RATE_RATIO
        and e.group != Group.ALL
        and (e.reference_group or Group.WHITE) == Group.WHITE
    )
    barred = _NOT_CREDIBLE if against_white else _NOT_CREDIBLE - {Flag.OVERLAPPING_CATEGORIES}
    if few_events:
        barred = barred - {Flag.UNSTABLE}
    return not barred & set(e.flags)


def _disparities(est: list[Estimate]) -> list[Estimate]:
    """Per-resident and stage ratios of the now window, or of then for a measure now lacks; pooled ratios."""
    out = []
    for measure in (*PER_RESIDENT_MEASURES, *CONDITIONAL_STAGES):
        for period in (Period.NOW, Period.THEN):
            found = [
                e
                for e in est
                if e.measure == measure
                and e.period == period
                and e.statistic in (Statistic.RATE_RATIO, Statistic.RISK_RATIO)
                and e.estimable
            ]
            if found:
                out += found
                break
    out += [e for e in est if e.statistic == Statistic.POOLED_RATE_RATIO and e.estimable]
    # Against all other residents: the latest window, and only a group at higher risk than everyone else (a ratio
    # below 1 would read 'all other people … times that of white people', where 'all other' mixes the groups).
    for period in (Period.NOW, Period.THEN):
        found = [e for e in est if e.statistic == Statistic.VS_ALL_OTHERS_RATE_RATIO and e.period == period]
        if any(e.estimable for e in found):
            return out + [e for e in found if e.estimable and e.value is not None and e.value > 1]
    return out


def _interval(e: Estimate, report: Report) -> str:
    return f"{round(100 * report.params.params.options.level)}% interval {fmt.ci(e)}"


def _opening(report: Report, period: Period) -> str:
    p = report.params.params
    win = p.then if period == Period.THEN else p.now
    return sentence_opening(win.label, *win.dates)


def _both(report: Report) -> str:
    """'from then (2014) to now (1 Jan – 29 Sep 2016)'."""
    p = report.params.params
    then, now = (period_heading(str(k), w.label, *w.dates) for k, w in ((Period.THEN, p.then), (Period.NOW, p.now)))
    return f"from {then} to {now}"


def _few(e: Estimate) -> str:
    """' It rests on few events.' for an estimate flagged unstable (rule step 4 admits them)."""
    return (
        " It rests on few events, so it could move a lot with a few more or fewer." if Flag.UNSTABLE in e.flags else ""
    )


def volume_finding(e: Estimate, report: Report) -> str:
    """'Stops per resident clearly fell by 73% from 2014 to 1 Jan – 29 Sep 2016 (now against then 0.27 times,
    95% interval 0.26–0.28).'"""
    alpha = 1 - report.params.params.options.level
    sure = sureness(e, alpha)
    label = MEASURE_LABELS[e.measure].capitalize()
    if e.statistic == Statistic.YTD_RATE_RATIO:
        opening = sentence_opening("", *e.window)
        subject = f"{label} {opening[0].lower()}{opening[1:]}"
        span = f"against the same days of {e.window[0].year - 1}"
    else:
        per = "per year" if e.denominator_kind == DenominatorKind.YEARS else "per resident"
        subject = f"{label} {per}"
        span = _both(report)
    numbers = f": now against then {fmt.ratio(e.value)} times ({_interval(e, report)})"
    if sure is Sureness.CANNOT_TELL:
        return f"We cannot tell whether {subject[0].lower() + subject[1:]} rose or fell {span}{numbers}.{_few(e)}"
    move = f"fell by {_percent(1 - e.value)}" if e.value < 1 else f"rose by {_percent(e.value - 1)}"
    if e.value >= 2:
        move = f"rose to {fmt.times(e.value)} its earlier level"
    return f"{subject} {sure} {move} {span}{numbers}.{_few(e)}"


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


_CONDITIONAL_WHAT = {
    Measure.SEARCHES: "share of stops that led to a search",
    Measure.HITS: "share of searches that found contraband",
    Measure.CITATIONS: "share of stops that ended in a citation",
    Measure.HOMICIDES_CLEARED: "share of homicides cleared by arrest",
}


_PER_RESIDENT_WHAT = {
    Measure.POLICE_KILLINGS: "rate of being killed by police",
    Measure.HOMICIDE_VICTIMS: "rate of being a homicide victim",
    Measure.FORCE_SUBJECTS: "rate of being subjected to force",
}


def _what(e: Estimate) -> str:
    if e.statistic == Statistic.POOLED_RATE_RATIO:
        return _PER_RESIDENT_WHAT[Measure.POLICE_KILLINGS]
    if e.statistic == Statistic.VS_ALL_OTHERS_RATE_RATIO:
        return _PER_RESIDENT_WHAT[Measure.HOMICIDE_VICTIMS]
    if e.measure in _PER_RESIDENT_WHAT:
        return _PER_RESIDENT_WHAT[e.measure]
    if e.measure in _CONDITIONAL_WHAT:
        return _CONDITIONAL_WHAT[e.measure]
    if e.measure in CONDITIONAL_STAGES:
        return f"share of {MEASURE_LABELS[CONDITIONAL_STAGES[e.measure]]} that led to {MEASURE_LABELS[e.measure]}"
    return f"rate of {MEASURE_LABELS[e.measure]} per resident"


def disparity_finding(e: Estimate, report: Report) -> str:
    """'In 2021–2023, the rate of stops per resident for Black people was clearly 2.5 times that for white people
    (95% interval 2.3–2.7).' A ratio below 1 is said the other way round, with its interval inverted
    (docs/methods.md §1.1): 'white people's rate was clearly 3.1 times that of Hispanic people'."""
    alpha = 1 - report.params.params.options.level
    sure = sureness(e, alpha)
    who = f"{GROUP_LABELS[e.group]} people"
    ref = (
        "all other people"
        if e.statistic == Statistic.VS_ALL_OTHERS_RATE_RATIO
        else f"{GROUP_LABELS[e.reference_group or Group.WHITE]} people"
    )
    when = (
        f"Over {short_window(*e.window)}" if e.statistic == Statistic.POOLED_RATE_RATIO else _opening(report, e.period)
    )
    level = f"{round(100 * report.params.params.options.level)}%"
    if sure is Sureness.CANNOT_TELL:
        return (
            f"{when}, we cannot tell whether the {_what(e)} for {who} differs from that for {ref} "
            f"(ratio {fmt.ratio(e.value)}, {_interval(e, report)}).{_few(e)}"
        )
    lo, hi = e.ci
    if e.value >= 1 or not lo or hi is None:
        higher, lower, value, interval = who, ref, e.value, fmt.interval(lo, hi, fmt.ratio)
    else:
        higher, lower, value, interval = ref, who, 1 / e.value, fmt.interval(1 / hi, 1 / lo, fmt.ratio)
    return (
        f"{when}, the {_what(e)} for {higher} was {sure} {fmt.times(value)} that for {lower} "
        f"({level} interval {interval}).{_few(e)}"
    )


def change_finding(e: Estimate, report: Report) -> str:
    """'The gap between Black and white people in the rate of stops per resident clearly narrowed, from 2.1 times
    to 1.3 times (now against then 0.62 times, 95% interval 0.55–0.70).'"""
    alpha = 1 - report.params.params.options.level
    sure = sureness(e, alpha)
    who, ref = GROUP_LABELS[e.group], GROUP_LABELS[e.reference_group or Group.WHITE]
    stat = Statistic.RISK_RATIO if e.measure in CONDITIONAL_STAGES else Statistic.RATE_RATIO
    ratios = [
        report.estimates.one(measure=e.measure, group=e.group, period=p, statistic=stat)
        for p in (Period.THEN, Period.NOW)
    ]
    subject = f"the difference between {who} and {ref} people in the {_what(e)}"
    numbers = f": now against then {fmt.ratio(e.value)} times ({_interval(e, report)})"
    span = ""
    if all(r is not None and r.estimable for r in ratios):
        span = f", from {fmt.times(ratios[0].value)} to {fmt.times(ratios[1].value)}"
        toward_parity = abs(math.log(ratios[1].value)) < abs(math.log(ratios[0].value))
        move = "narrowed" if toward_parity else "widened"
    else:
        move = "fell" if e.value < 1 else "rose"
    if sure is Sureness.CANNOT_TELL:
        return f"We cannot tell whether {subject} changed{span}{numbers}.{_few(e)}"
    return f"{subject[0].upper() + subject[1:]} {sure} {move}{span}{numbers}.{_few(e)}"


def cannot_be_said(report: Report, stated: frozenset[Measure] | set[Measure] = frozenset()) -> str:
    """One sentence naming what these data cannot say: measures not comparable across the windows (a recording
    break), measures with no data in a window (except those in `stated`, which a finding already states, such as a
    year-to-date count outside both windows), and the measures whose ratios against white people are withheld for
    overlapping race categories, on either side of the ratio: residents counted by race alone (Detroit) or police
    counts with no Hispanic group (Newark's published 'then' figures) ('' if none)."""
    est = list(report.estimates)
    not_comparable = list(dict.fromkeys(e.measure for e in est if Flag.NOT_COMPARABLE in e.flags))
    table = report.availability
    measures = {Measure(m) for m in table["measure"]}
    missing_rows = table[table["status"] == NOT_AVAILABLE]
    gaps = Counter(Measure(x) for x in missing_rows["measure"])
    no_data = [m for m in gaps if gaps[m] == 2 and m in measures and m != Measure.RESIDENTS and m not in stated]
    one_period = [m for m in gaps if gaps[m] == 1 and m != Measure.RESIDENTS and m not in not_comparable]
    overlapping = list(
        dict.fromkeys(
            e.measure
            for e in est
            if e.group != Group.ALL
            and Flag.OVERLAPPING_CATEGORIES in e.flags
            and e.estimable
            and (e.reference_group or Group.WHITE) == Group.WHITE
        )
    )
    parts = []
    if not_comparable:
        parts.append(
            f"whether {_names(not_comparable)} changed, because the way they were recorded changed between the "
            "two periods (not comparable)"
        )
    if one_period:
        parts.append(
            f"how {_names(one_period)} changed, because one of the two periods has no data on them (not available)"
        )
    if no_data:
        parts.append(f"anything about {_names(no_data)}, for which neither period has data (not available)")
    if overlapping:
        parts.append(
            f"how people of colour compare with white people in {_names(overlapping)} per resident, because one "
            "side of those ratios counts Hispanic white people as white and the other does not (overlapping "
            "categories)"
        )
    if not parts:
        return ""
    return "These data cannot say " + "; nor ".join(parts) + "."


def _names(measures: list[Measure]) -> str:
    names = [MEASURE_LABELS[m] for m in measures]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
