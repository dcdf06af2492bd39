"""The claim ledger (DESIGN, report section 2): every claim of the params file recomputed from the counts table
and graded reproduced / consistent / contradicted / not checkable, with a one-line reason, the estimates made,
the sources its evidence comes from, flags beside the verdict and the caveats that apply.

A claim whose measure is counted only by its own publication's figures is *not checkable (no independent
source)*, whatever the arithmetic on those figures gives (`claims.evidence`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from trustreport import fmt
from trustreport.caveat import CaveatKind, of_kind
from trustreport.claim_schema import FRACTION_STATISTICS, RATIO_STATISTICS, Claim, ClaimWindow, Statistic
from trustreport.claims.changes import STATISTICS as CHANGE_FUNCTIONS
from trustreport.claims.context import Context, span
from trustreport.claims.evidence import Evidence, built_on_bounds, evidence_of, own_publication_only, rows_behind
from trustreport.claims.ratios import count_check, proportion_checks, ratio_checks, share_check
from trustreport.claims.standing import (
    availability_outcome,
    elsewhere_outcome,
    event_outcome,
    representation_outcome,
    unmeasured_outcome,
)
from trustreport.claims.verdict import (
    Check,
    ClaimFlag,
    Outcome,
    Verdict,
    most_favourable,
    reason_of,
    worst,
)
from trustreport.errors import ParamsError
from trustreport.estimate import Estimate, _num
from trustreport.metrics.inputs import residents_for
from trustreport.statistic import Statistic as EstimateStatistic
from trustreport.vocab import MEASURE_LABELS, DenominatorKind, Flag, Group

OVERLAP_CAVEAT = (
    "Residents come from a census table that counts Hispanic residents inside the race groups too ('white' "
    "includes Hispanic white residents), while police data count Hispanic people apart: per-resident ratios "
    "against white residents are overstated, by an amount these data cannot give."
)


@dataclass(frozen=True)
class ClaimResult:
    """A graded claim: the verdict, a one-line reason, each published figure's check, the recomputed
    estimates (ids prefixed `claim.<id>.`), caveats, flags beside the verdict, and the sources of its evidence
    (the publication that made the claim is `claim.citation`)."""

    claim: Claim
    verdict: Verdict
    reason: str
    checks: tuple[Check, ...]
    estimates: tuple[Estimate, ...]
    caveats: tuple[str, ...] = ()
    level: float = 0.95
    flags: tuple[ClaimFlag, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def verdict_text(self) -> str:
        """'not checkable (no independent source)', 'consistent; internally inconsistent'."""
        if ClaimFlag.NO_INDEPENDENT_SOURCE in self.flags and self.verdict == Verdict.NOT_CHECKABLE:
            text = f"{self.verdict} ({ClaimFlag.NO_INDEPENDENT_SOURCE})"
            others = [f for f in self.flags if f != ClaimFlag.NO_INDEPENDENT_SOURCE]
        else:
            text, others = str(self.verdict), list(self.flags)
        return "; ".join([text, *others])

    @property
    def headline(self) -> Check | None:
        """The first check with a recomputed value (or the first check)."""
        return next((c for c in self.checks if c.value is not None or c.ci is not None), None)

    def to_json(self) -> dict[str, Any]:
        """The `metrics.json` `claims` entry: numbers are numbers, missing is null."""
        c, head = self.claim, self.headline
        return {
            "id": c.id,
            "role": c.role,
            "label": c.short,
            "wording": c.wording,
            "citation": c.citation,
            "url": c.url,
            "statistic": str(c.statistic),
            "measure": [str(m) for m in c.measures],
            "group": str(c.group),
            "reference_group": str(c.reference_group) if c.reference_group else None,
            "denominator": c.denominator,
            "window": _window_json(c.period),
            "then_window": _window_json(c.then),
            "now_window": _window_json(c.now),
            "check_window": _window_json(c.check_window),
            "published_value": _num(c.published_value),
            "published_then": _num(c.published_then),
            "published_now": _num(c.published_now),
            "published_reference": _num(c.published_reference),
            "published_text": fmt.claim_published_text(c),
            "tolerance": _tolerance_rule(c),
            "recomputed_value": _num(head.value) if head else None,
            "ci": _ci_json(head.ci if head else None),
            "method": head.method if head else None,
            "level": self.level,
            "verdict": str(self.verdict),
            "flags": [str(f) for f in self.flags],
            "reason": self.reason,
            "evidence": [e.to_json() for e in self.evidence],
            "checks": [_check_json(k) for k in self.checks],
            "caveats": list(self.caveats),
            "estimate_ids": [e.id for e in self.estimates],
            "estimates": [e.to_json() for e in self.estimates],
        }


def grade_claims(
    claims: Sequence[Claim],
    counts: pd.DataFrame,
    *,
    sources: Sequence = (),
    jurisdiction: str | None = None,
    level: float = 0.95,
) -> list[ClaimResult]:
    """Recompute and grade each claim against the counts table (see `Verdict`). `sources` (the report's
    `SourceData`s) tell which sources are record-level and which published, what each covers, which census
    tables overlap Hispanic with race, and the citation of each published row."""
    check_claim_ids(claims)
    ctx = Context.from_sources(counts, sources, level=level, jurisdiction=jurisdiction)
    return [grade_claim(claim, ctx) for claim in claims]


def check_claim_ids(claims: Sequence[Claim]) -> None:
    """Claim ids are unique and every `pair_with` names a claim; else a `ParamsError` naming the key."""
    seen: set[str] = set()
    for i, claim in enumerate(claims):
        if claim.id in seen:
            raise ParamsError(None, f"claims[{i}].id", f"{claim.id!r} is used by an earlier claim")
        seen.add(claim.id)
    for i, claim in enumerate(claims):
        if claim.pair_with and claim.pair_with not in seen:
            raise ParamsError(None, f"claims[{i}].pair_with", f"no claim has the id {claim.pair_with!r}")


def grade_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """One claim: recompute, judge each published figure, combine, explain."""
    outcome = _outcome(claim, ctx)
    checks = outcome.checks
    ambiguous = claim.statistic in RATIO_STATISTICS and claim.denominator == "unstated"
    verdict = most_favourable(checks) if ambiguous else worst(checks)
    reason = reason_of(checks)
    if ambiguous:
        reason = f"denominator unstated, so every reading was computed — {reason}"
    if outcome.finding:
        reason = f"{reason}; {outcome.finding}"
    made = [k.estimate for k in checks if k.estimate is not None] + list(outcome.estimates)
    estimates = _claim_estimates(claim, made)
    caveats = (*outcome.caveats, *_caveats(claim, ctx, made))
    evidence = evidence_of(claim, ctx, made)
    flags = list(dict.fromkeys(f for k in checks for f in k.flags))
    if own_publication_only(evidence):
        reason = _own_only_reason(claim, evidence, verdict, reason)
        verdict = Verdict.NOT_CHECKABLE
        flags.insert(0, ClaimFlag.NO_INDEPENDENT_SOURCE)
    elif verdict != Verdict.NOT_CHECKABLE and built_on_bounds(claim, ctx, made):
        reason = (
            "built on counts published as bounds ('over …'), which bound a ratio, share or change in neither "
            f"direction; on those counts as if exact it would be {verdict}: {reason}"
        )
        verdict = Verdict.NOT_CHECKABLE
    return ClaimResult(
        claim,
        verdict,
        reason,
        tuple(checks),
        estimates,
        tuple(dict.fromkeys(caveats)),
        ctx.level,
        tuple(flags),
        evidence,
    )


def _own_only_reason(claim: Claim, evidence: Sequence[Evidence], verdict: Verdict, reason: str) -> str:
    """Why an own-publication-only claim is not checkable, keeping what the arithmetic on its figures gave."""
    sources = ", ".join(e.source_id for e in evidence if e.counts_measure)
    what = " and ".join(MEASURE_LABELS[m] for m in claim.measures)
    return (
        f"no independent source: the only {what} figures ({sources}) are the claim's own publication "
        f"({fmt.publisher(claim.citation)}), so recomputing them checks the arithmetic, not the claim; "
        f"on its own figures it would be {verdict}: {reason}"
    )


def _outcome(claim: Claim, ctx: Context) -> Outcome:
    s = claim.statistic
    if claim.about and ctx.jurisdiction and claim.about != ctx.jurisdiction and s != Statistic.EVENT:
        return elsewhere_outcome(claim, ctx)
    if s == Statistic.EVENT:
        return event_outcome(claim, ctx)
    if not claim.measures:
        return unmeasured_outcome(claim)
    if s in CHANGE_FUNCTIONS:
        return CHANGE_FUNCTIONS[s](claim, ctx)
    single: dict[Statistic, Callable[[Claim, Context], Outcome]] = {
        Statistic.RATE_RATIO: lambda c, x: Outcome(ratio_checks(c, x)),
        Statistic.RISK_RATIO: lambda c, x: Outcome(ratio_checks(c, x)),
        Statistic.PROPORTION: lambda c, x: Outcome(proportion_checks(c, x)),
        Statistic.SHARE: lambda c, x: Outcome([share_check(c, x)]),
        Statistic.COUNT: lambda c, x: Outcome([count_check(c, x)]),
        Statistic.COUNT_PER_YEAR: _count_per_year,
        Statistic.REPRESENTATION: representation_outcome,
        Statistic.AVAILABILITY: availability_outcome,
    }
    return single[s](claim, ctx)


def _count_per_year(claim: Claim, ctx: Context) -> Outcome:
    """A yearly count, with what the published one would be per 1,000 residents (where residents exist)."""
    residents = residents_for(ctx.counts, (claim.check_window or claim.period).dates).values.get(Group.ALL)
    finding = None
    if residents:
        per_resident = claim.published_value / residents
        finding = (
            f"the published figure is {fmt.rate(per_resident)} per 1,000 residents a year "
            f"({fmt.count(residents)} residents)"
        )
    return Outcome([count_check(claim, ctx)], finding=finding)


def _claim_estimates(claim: Claim, made: Sequence[Estimate]) -> tuple[Estimate, ...]:
    """The estimates made for a claim, once each, with ids `claim.<claim id>.<estimate id>`."""
    out: dict[str, Estimate] = {}
    for est in made:
        key = f"claim.{claim.id}.{est.id}"
        n = 2
        while key in out and out[key] != replace(est, id=key):
            key, n = f"claim.{claim.id}.{est.id}.{n}", n + 1
        out.setdefault(key, replace(est, id=key))
    return tuple(out.values())


def _caveats(claim: Claim, ctx: Context, made: Sequence[Estimate]) -> list[str]:
    """Windows the text does not state, a later check window, the claim's own figures, overlapping census
    categories, denominator vintages, unstable counts, and the params note."""
    out = [f"The text states no window; {span(w.dates)} was assumed: {w.note}" for w in claim.windows if not w.stated]
    if claim.check_window:
        note = f": {claim.check_window.note}" if claim.check_window.note else ""
        out.append(f"Checked against the data of {span(claim.check_window.dates)}, not the claim's own window{note}")
    out += _provenance(claim, ctx, made)
    shown = [e for e in made if e.estimable]
    if any(_overlapping(e, ctx) for e in shown):
        out.append(OVERLAP_CAVEAT)
    for e in shown:
        if Flag.DENOMINATOR_VINTAGE in e.flags:
            out += [_sentence(n) for n in of_kind(e.notes, CaveatKind.DENOMINATOR_VINTAGE)]
        out += [_sentence(n) for n in of_kind(e.notes, CaveatKind.UNSTABLE)]
    if claim.note:
        out.append(claim.note)
    return out


def _provenance(claim: Claim, ctx: Context, made: Sequence[Estimate]) -> list[str]:
    """Whether the published rows behind the estimates are derived, or bounds."""
    rows = rows_behind(ctx, made)
    if rows.empty:
        return []
    rows = rows[rows["measure"].isin([str(m) for m in claim.measures])]
    out = [f"Derived, not printed: {note}" for note in rows.loc[rows["qualifier"] == "derived", "note"]]
    if (rows["qualifier"] == "at least").any():
        out.append(
            "Some counts are published lower bounds ('over …'): a count from them is at least its value, and a "
            "ratio, share or change built on them is bounded in neither direction."
        )
    return out


def _overlapping(est: Estimate, ctx: Context) -> bool:
    """Per-resident against white residents, or officers against residents, on an overlapping census table."""
    against_white = est.denominator_kind == DenominatorKind.RESIDENTS and est.reference_group == Group.WHITE
    workforce = est.statistic == EstimateStatistic.REPRESENTATION_RATIO
    return (against_white or workforce) and bool(set(est.sources) & ctx.overlapping_sources)


def _sentence(note: str) -> str:
    return note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".")


def _window_json(window: ClaimWindow | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"start": window.start.isoformat(), "end": window.end.isoformat(), "stated": window.stated}


def _ci_json(ci: tuple[float | None, float | None] | None) -> list[float | None]:
    return [_num(ci[0]), _num(ci[1])] if ci else [None, None]


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "label": check.label,
        "verdict": str(check.verdict),
        "value": _num(check.value),
        "ci": _ci_json(check.ci),
        "method": check.method,
        "reason": check.reason,
    }


def _tolerance_rule(claim: Claim) -> str | None:
    published = next(
        (v for v in (claim.published_value, claim.published_then, claim.published_now) if v is not None), None
    )
    if published is None:
        return None
    return claim.tolerance_for(published).rule(percent=claim.statistic in FRACTION_STATISTICS)
