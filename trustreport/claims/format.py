"""How a claim's numbers are written: the published value as it was printed, and ours in the same units, so the
ledger table and the summary sentences can never disagree (STYLE habit 12)."""

from __future__ import annotations

import math

from trustreport import fmt
from trustreport.claim_schema import FRACTION_STATISTICS, Claim, Statistic, written_decimals
from trustreport.vocab import Measure

PERCENT_STATISTICS = frozenset({Statistic.PERCENT_CHANGE, Statistic.PERCENT_CHANGE_YTD})


def number(value: float | None, claim: Claim, *, digits: int | None = None, as_count: bool = False) -> str:
    """A value in the claim's units: ratios '15.77', fractions '36.0%', percent changes '−32.1%', counts
    '18', dollars '$51,000' (`as_count`: a count whatever the statistic)."""
    if value is None or not math.isfinite(value):
        return fmt.NOT_ESTIMABLE
    s = Statistic.COUNT if as_count else claim.statistic
    if s in FRACTION_STATISTICS:
        return fmt.pct(value, digits=1 if digits is None else digits)
    if s in PERCENT_STATISTICS:
        return f"{value:+.{1 if digits is None else digits}f}%".replace("-", "−")
    if s in (Statistic.COUNT, Statistic.COUNT_CHANGE, Statistic.COUNT_PER_YEAR):
        text = fmt.count(value) if digits is None else f"{value:,.{digits}f}"
        return f"${text}" if Measure.SETTLEMENT_USD in claim.measures else text
    return fmt.ratio(value) if digits is None else f"{value:.{digits}f}"


def published(value: float | None, claim: Claim, *, as_count: bool = False) -> str:
    """A published value written with the decimals it was published with (a fraction as a percentage)."""
    if value is None:
        return fmt.DASH
    decimals = written_decimals(value)
    if claim.tolerance and claim.tolerance.decimals is not None and not as_count:
        decimals = claim.tolerance.decimals
    if claim.statistic in FRACTION_STATISTICS and not as_count:
        return number(value, claim, digits=max(decimals - 2, 0))
    return number(value, claim, digits=decimals, as_count=as_count)


def interval(ci: tuple[float | None, float | None] | None, claim: Claim, *, as_count: bool = False) -> str:
    """'11.75–21.64', 'from 4.41 (no upper bound)', or '' without an interval."""
    if ci is None or (ci[0] is None and ci[1] is None):
        return ""
    low, high = (number(b, claim, as_count=as_count) if b is not None else None for b in ci)
    if high is None:
        return f"{low} or more"
    if low is None:
        return f"up to {high}"
    # "−64.4%–+25.3%" misreads; "to" separates bounds that carry a sign.
    return f"{low} to {high}" if ci[0] < 0 else f"{low}–{high}"


def published_text(claim: Claim) -> str:
    """The claim's published figure(s): '1.6', '8.0% → 36.0%', '48 → 18', '−32%' (with 'now 19')."""
    if claim.statistic in (Statistic.COUNT_CHANGE, Statistic.PROPORTION_CHANGE):
        return f"{published(claim.published_then, claim)} → {published(claim.published_now, claim)}"
    text = published(claim.published_value, claim) if claim.published_value is not None else ""
    if text and claim.bound:
        text = f"{claim.bound} {text}"
    if claim.published_reference is not None:
        text += f" vs {published(claim.published_reference, claim)}"
    if claim.statistic in PERCENT_STATISTICS and claim.published_now is not None:
        text += f" (now {fmt.count(claim.published_now)})"
    if text:
        return text
    if claim.statistic == Statistic.EVENT:
        return f"an event ({(claim.date or claim.period.start).year})"
    if claim.statistic == Statistic.REPRESENTATION:
        low, high = claim.parity_band
        return f"in words (read as every group within {fmt.ratio(low)}–{fmt.ratio(high)} of parity)"
    return "in words"


def publisher(citation: str) -> str:
    """The citation up to its first comma or quotation mark: the author or publisher."""
    for mark in (",", "“", '"'):
        citation = citation.split(mark)[0]
    return citation.strip()
