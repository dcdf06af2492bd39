"""Claims about how things stand rather than a rate: whether the force mirrors residents (docs/methods.md §7), whether
data exist for a window, and dated events."""

from __future__ import annotations

from datetime import date

import pandas as pd

from trustreport import fmt
from trustreport.claim_schema import Claim
from trustreport.claims.context import Context, data_window, period_of, span
from trustreport.claims.verdict import Check, Outcome, Verdict, not_checkable
from trustreport.counts import coverage_of, stock_snapshot
from trustreport.estimate import Estimate
from trustreport.metrics.workforce import representation
from trustreport.statistic import Statistic
from trustreport.vocab import GROUP_LABELS, MEASURE_LABELS, Group, Measure

_NOT_COMPARED = {str(Group.ALL), str(Group.UNKNOWN), str(Group.OTHER)}


def representation_outcome(claim: Claim, ctx: Context) -> Outcome:
    """Each group's representation ratio (officer share ÷ resident share) against `parity_band`: reproduced
    when every ratio lies in the band, contradicted when some group's interval lies wholly outside it,
    consistent otherwise; with the dissimilarity index (docs/methods.md §7)."""
    window = data_window(claim).dates
    found = representation(
        ctx.counts, window, period=period_of(claim), groups=_groups_in_both(ctx.counts, window), level=ctx.level
    )
    if not found:
        return Outcome([not_checkable("officers", f"no officer or resident counts near {span(window)}")])
    checks = [_band_check(claim, e) for e in found if e.statistic == Statistic.REPRESENTATION_RATIO]
    dissimilarity = next(e for e in found if e.statistic == Statistic.DISSIMILARITY_INDEX)
    finding = (
        f"dissimilarity index {fmt.pct(dissimilarity.value)}: the share of officers who would need to be of "
        "another group for the force to mirror residents"
        if dissimilarity.estimable
        else f"dissimilarity index {dissimilarity.notes[0]}"
    )
    return Outcome(checks, tuple(found), finding)


def _groups_in_both(counts: pd.DataFrame, window: tuple[date, date]) -> list[Group]:
    officers, _ = stock_snapshot(counts, Measure.OFFICERS, window)
    residents, _ = stock_snapshot(counts, Measure.RESIDENTS, window)
    both = set(officers["group"]) & set(residents["group"]) - _NOT_COMPARED
    return [g for g in Group if str(g) in both]


def _band_check(claim: Claim, ratio: Estimate) -> Check:
    low, high = claim.parity_band
    band = f"{fmt.ratio(low)}–{fmt.ratio(high)}"
    shares = f"{fmt.pct(ratio.numerator)} of officers, {fmt.pct(ratio.denominator)} of residents"
    label = f"{GROUP_LABELS[ratio.group]} officers"
    if not ratio.estimable:  # e.g. resident groups that overlap with Hispanic origin (metrics/workforce.py)
        return not_checkable(label, ratio.notes[0] if ratio.notes else "not estimable", ratio)
    ci_low, ci_high = ratio.ci or (None, None)
    if low <= ratio.value <= high:
        verdict, where = Verdict.REPRODUCED, f"inside the band {band}"
    elif (ci_high is not None and ci_high < low) or (ci_low is not None and ci_low > high):
        verdict, where = Verdict.CONTRADICTED, f"and its interval ({fmt.ci(ratio)}) lie outside the band {band}"
    else:
        where = f"is outside the band {band}, but its interval ({fmt.ci(ratio)}) reaches it"
        verdict = Verdict.CONSISTENT
    reason = f"{shares}: ratio {fmt.ratio(ratio.value)} {where}"
    return Check(label, verdict, reason, ratio.value, ratio.ci, ratio.ci_method, ratio)


def availability_outcome(claim: Claim, ctx: Context) -> Outcome:
    """Per measure: contradicted if record-level data cover part of the window; otherwise not checkable, since
    missing data never support a claim: that this report holds no record-level data for a window is not
    evidence that none existed, nor that published figures for it were unreliable."""
    window = data_window(claim).dates
    return Outcome([_availability_check(ctx, m, window) for m in claim.measures])


def _availability_check(ctx: Context, measure: Measure, window: tuple[date, date]) -> Check:
    label = MEASURE_LABELS[measure]
    records = [c for c in ctx.coverage if c.measure == measure and c.source_id in ctx.record_sources]
    share = coverage_of(records, measure, window)
    if share > 0:
        ids = ", ".join(sorted({c.source_id for c in records if c.start <= window[1] and c.end >= window[0]}))
        return Check(label, Verdict.CONTRADICTED, f"record-level data ({ids}) cover {fmt.pct(share)} of {span(window)}")
    absence = "absence of data here is not evidence that none existed"
    published = _published_rows(ctx.citations, measure, window)
    if published:
        reason = (
            f"no record-level {label} data in {span(window)}, only published figures: {'; '.join(published)}; "
            f"{absence}, and whether those figures are reliable is not something the data can settle"
        )
        return not_checkable(label, reason)
    return not_checkable(label, f"no {label} data of any kind in {span(window)}; {absence}")


_KINDS = {"total": "count", "share": "share", "rate_per_1000": "rate per 1,000"}


def _published_rows(citations: pd.DataFrame, measure: Measure, window: tuple[date, date]) -> list[str]:
    """'2013: 3 figures (count, at least)'-style summaries of the published rows of a measure overlapping the
    window."""
    if citations.empty:
        return []
    rows = citations[
        (citations["measure"] == str(measure))
        & (citations["period_start"] <= window[1].isoformat())
        & (citations["period_end"] >= window[0].isoformat())
    ]
    out = []
    for (start, end), sub in rows.groupby(["period_start", "period_end"], sort=True):
        pairs = zip(sub["statistic"], sub["qualifier"], strict=True)
        kinds = "; ".join(sorted({_KINDS[s] + (f", {q}" if q else "") for s, q in pairs}))
        when = fmt.window(date.fromisoformat(start), date.fromisoformat(end))
        out.append(f"{when}: {len(sub)} figure{'s' if len(sub) > 1 else ''} ({kinds})")
    return out


def event_outcome(claim: Claim, ctx: Context) -> Outcome:
    """An event has no number to recompute; one about another place is not about this report at all."""
    when = claim.date or claim.period.start
    if claim.about and ctx.jurisdiction and claim.about != ctx.jurisdiction:
        reason = f"an event in {claim.about} ({when.year}), not in {ctx.jurisdiction}: nothing to recompute here"
    else:
        reason = f"an event ({when.isoformat()}): a date, not a number to recompute"
    return Outcome([not_checkable("event", reason)])


def elsewhere_outcome(claim: Claim, ctx: Context) -> Outcome:
    """A claim about another jurisdiction than the report's."""
    reason = f"about {claim.about}, not {ctx.jurisdiction}: no data for it in this report"
    return Outcome([not_checkable(claim.statistic, reason)])


def unmeasured_outcome(claim: Claim) -> Outcome:
    """A claim about something no measure of the vocabulary counts."""
    return Outcome([not_checkable(claim.statistic, f"no source in this report counts {claim.quantity}")])
