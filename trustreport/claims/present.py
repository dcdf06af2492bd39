"""The ledger as tables and sentences: plain text cells (the caller escapes them, since claim text comes from a
params file), numbers written by `fmt` so a table and a sentence can never disagree."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trustreport import fmt
from trustreport.claims.compare import PublishedPair, Side
from trustreport.claims.grade import ClaimResult
from trustreport.claims.verdict import Check, Verdict

ROLE_HEADINGS = {"claim": "Claims", "then_figure": "Published “then” figures"}

# One sentence per verdict class: the count, then what the class means.
_MEANING = {
    Verdict.REPRODUCED: "the figure recomputed from independent data matches the published one to its printed "
    "precision",
    Verdict.CONSISTENT: "the data do not reproduce the figure exactly but do not contradict it (for a number: it "
    "lies inside our confidence interval)",
    Verdict.CONTRADICTED: "the figure lies outside our interval",
    Verdict.NOT_CHECKABLE: "the data in this report cannot test these (missing data, or no source independent of "
    "the claim's own publication); each reason is in the ledger",
}


def ledger_frame(results: Sequence[ClaimResult], notes: list[str], cited: list[str]) -> pd.DataFrame:
    """One row per claim: wording and publisher, published, recomputed (interval; method), verdict, reason,
    and the numbers of its notes in `notes`; `notes` and `cited` (full citations) are appended to, once each."""
    rows = []
    for r in results:
        refs = []
        for caveat in r.caveats:
            if caveat not in notes:
                notes.append(caveat)
            refs.append(str(notes.index(caveat) + 1))
        full = r.claim.citation + (f" {r.claim.url}" if r.claim.url else "")
        if full not in cited:
            cited.append(full)
        rows.append(
            {
                "claim": f"“{r.claim.wording}” ({fmt.publisher(r.claim.citation)})",
                "published": fmt.claim_published_text(r.claim),
                f"recomputed ({round(100 * r.level)}% CI; method)": recomputed_text(r),
                "verdict": r.verdict_text,
                "evidence from": evidence_text(r),
                "reason": r.reason,
                "notes": ", ".join(refs) or fmt.DASH,
            }
        )
    return pd.DataFrame(rows)


def evidence_text(result: ClaimResult) -> str:
    """The sources the claim was recomputed from: 'newark-published (the claim's own publication);
    acs-newark-2015 (denominator only)'."""
    parts = []
    for e in result.evidence:
        if not e.counts_measure:
            parts.append(f"{e.source_id} (denominator only)")
        elif not e.published:
            parts.append(f"{e.source_id} (record-level data)")
        elif e.own and e.counts_measure:
            parts.append(f"{e.source_id} (the claim's own publication)")
        else:
            by = ", ".join(e.publications)
            parts.append(f"{e.source_id} (published figures{': ' + by if by else ''})")
    return "; ".join(parts) or fmt.DASH


def recomputed_text(result: ClaimResult) -> str:
    """Each check with a number: 'per resident: 15.77 (11.75–21.64; exact conditional …)'."""
    shown = [c for c in result.checks if c.value is not None or c.ci is not None]
    if not shown:
        return fmt.DASH
    methods = list(dict.fromkeys(c.method for c in shown if c.method))
    once = methods[0] if len(methods) == 1 and len(shown) > 1 else None
    texts = [_check_text(c, result, with_method=once is None) for c in shown]
    if len(shown) == 1 and len(result.checks) == 1:
        texts = [texts[0].split(": ", 1)[1]]
    return "; ".join(texts) + (f" ({once})" if once else "")


def _check_text(check: Check, result: ClaimResult, *, with_method: bool) -> str:
    as_count = check.label.endswith("count") and result.claim.statistic not in ("count", "count_per_year")
    value = fmt.claim_number(check.value, result.claim, as_count=as_count) if check.value is not None else "not finite"
    method = check.method if with_method else None
    detail = [d for d in (fmt.claim_interval(check.ci, result.claim, as_count=as_count), method) if d]
    return f"{check.label}: {value}" + (f" ({'; '.join(detail)})" if detail else "")


def pairs_frame(pairs: Sequence[PublishedPair]) -> pd.DataFrame:
    """One row per then-and-now pair: both figures with window and source, our recomputation of the 'now'
    where there is one, the comparability grade and why."""
    rows = [
        {
            "then (published)": _side_text(p.then),
            "now (published)": _side_text(p.now, published=True),
            "now (recomputed here)": _recomputed_side(p.now),
            "comparability": str(p.grade),
            "why": "; ".join(p.reasons),
        }
        for p in pairs
    ]
    return pd.DataFrame(rows)


def _side_text(side: Side, *, published: bool = False) -> str:
    claim = side.claim
    value = fmt.claim_published_text(claim) if published or not side.recomputed else fmt.claim_number(side.value, claim)
    window = claim.period or claim.now
    when = "window not stated" if window is None or not window.stated else fmt.window(window.start, window.end)
    return f"{claim.short}: {value} ({when}; {fmt.publisher(claim.citation)})"


def _recomputed_side(side: Side) -> str:
    if not side.recomputed:
        return fmt.DASH
    interval = fmt.claim_interval(side.ci, side.claim)
    when = fmt.window(side.window.start, side.window.end)
    return f"{fmt.claim_number(side.value, side.claim)}" + (f" ({interval})" if interval else "") + f", {when}"


def _short_with_flags(result: ClaimResult) -> str:
    return f"{result.claim.short} ({', '.join(result.flags)})" if result.flags else result.claim.short


def summary_sentences(results: Sequence[ClaimResult]) -> list[str]:
    """A lead sentence with the total, then one sentence per verdict class with its count and the claims in it."""
    claims = sum(r.claim.role == "claim" for r in results)
    figures = len(results) - claims
    graded = "published figure was" if len(results) == 1 else "published figures were"
    lead = (
        f"{len(results)} {graded} graded: {claims} claim{'' if claims == 1 else 's'} and {figures} earlier "
        f"“then” figure{'' if figures == 1 else 's'}."
    )
    sentences = [lead]
    for verdict in Verdict:
        found = [_short_with_flags(r) for r in results if r.verdict == verdict]
        what = "; ".join(found)
        count = f"{len(found)} {'is' if len(found) == 1 else 'are'} {verdict}"
        sentences.append(f"{count} — {_MEANING[verdict]}" + (f": {what}." if found else "."))
    return sentences
