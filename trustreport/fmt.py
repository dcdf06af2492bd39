"""One formatter per kind of number, used by tables and sentences alike (docs/style.md habit 12).

A sentence and the table beside it call the same function, so they can never disagree. An estimate is printed
by its statistic's `Kind` (`value`, `ci`); a claim of the ledger by its claim statistic (`claim_number`,
`claim_published`, `claim_interval`, `claim_published_text`), with the same number formatters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from trustreport.claim_schema import FRACTION_STATISTICS, Claim, written_decimals
from trustreport.claim_schema import Statistic as ClaimStatistic
from trustreport.estimate import Estimate
from trustreport.statistic import Kind
from trustreport.vocab import Measure

NOT_ESTIMABLE = "not estimable"
DASH = "–"


def count(x: float | None) -> str:
    """A count with thousands separators: 18439 → '18,439'."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return NOT_ESTIMABLE
    return f"{round(x):,}" if float(x).is_integer() else f"{x:,.1f}"


def ratio(x: float | None) -> str:
    """A ratio to two significant decimals: 3.4074 → '3.41', 0.375 → '0.38'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:.2f}"


def times(x: float | None) -> str:
    """A rate ratio as readers say it: '3.4 times'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:.1f} times"


def pct(x: float | None, *, digits: int = 1) -> str:
    """A proportion as a percentage: 0.2204 → '22.0%'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{100 * x:.{digits}f}%"


def rate(x: float | None, *, per: float = 1000) -> str:
    """A rate shown per `per` units: 0.031505 per 1000 → '31.5'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    scaled = x * per
    return f"{scaled:,.1f}" if scaled >= 1 else f"{scaled:.3g}"


def p_value(p: float | None) -> str:
    """A p-value as journals print it: '< 0.001', '0.024'."""
    if p is None or not math.isfinite(p):
        return DASH
    if p < 0.001:
        return "< 0.001"
    if 0.999 < p < 1:
        return "> 0.999"
    return f"{p:.3f}"


def interval(low: float | None, high: float | None, formatter=ratio) -> str:
    """An interval 'low–high' with the same formatter as its point estimate; 'low to high' when a bound is
    negative (so a minus sign never meets the dash); an open bound reads 'not bounded'."""
    if low is None and high is None:
        return NOT_ESTIMABLE
    lo = formatter(low) if low is not None else "not bounded"
    hi = formatter(high) if high is not None else "not bounded"
    if (low is not None and low < 0) or (high is not None and high < 0):
        return f"{lo} to {hi}"
    return f"{lo}–{hi}"


def window(start: date, end: date) -> str:
    """A date window: whole calendar years as '2014' or '2021–2023', otherwise ISO dates."""
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"{start.isoformat()} to {end.isoformat()}"


def value(est: Estimate) -> str:
    """An estimate's point value in the format of its statistic's kind."""
    if not est.estimable:
        return NOT_ESTIMABLE
    return _formatter(est)(est.value)


def ci(est: Estimate) -> str:
    """An estimate's interval in the format of its statistic's kind ('' when there is none)."""
    if est.ci is None or not est.estimable:
        return ""
    lo, hi = est.ci
    return interval(lo, hi, _formatter(est))


def _formatter(est: Estimate) -> Callable[[float | None], str]:
    """The formatter of an estimate's kind of number; rates are shown per `scale` units (residents, arrests),
    and a funnel stage's rate is one only when its scale is set (else it is a fraction of the stage before)."""
    kind = est.statistic.kind
    if kind is Kind.RATE or (kind is Kind.FUNNEL_RATE and est.scale != 1):
        return lambda x: rate(x, per=est.scale)
    return _FORMATTERS[kind]


def dollars(x: float | None) -> str:
    """Money, rounded to the dollar: 1912788.4 → '$1,912,788'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"-${abs(x):,.0f}" if x < 0 else f"${x:,.0f}"


def score(x: float | None) -> str:
    """A survey score on the 0–100 scale: one decimal."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:.1f}"


def points(x: float | None) -> str:
    """A difference of scores, signed, in points: '−12.8 points'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:+.1f} points".replace("-", "−")


def _signed_pp(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{100 * x:+.1f} pp"


def _per_year(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:,.1f}"


def years(x: float | None) -> str:
    """A duration in years, one decimal: '3.2 years'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:.1f} years"


def year(x: float | None) -> str:
    """A calendar year: '2019'."""
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{x:.0f}"


# One formatter per kind: a kind missing here fails `test_fmt` (every kind has a formatter).
_FORMATTERS: dict[Kind, Callable[[float | None], str]] = {
    Kind.COUNT: count,
    Kind.COUNT_DIFFERENCE: count,
    Kind.PER_YEAR: _per_year,
    Kind.RATE: rate,  # per 1,000 here; `value` and `ci` print an estimate's rate per its own `scale`
    Kind.FUNNEL_RATE: ratio,  # unscaled: a fraction of the stage before
    Kind.SHARE: pct,
    Kind.INDEX: pct,
    Kind.RELATIVE_DIFFERENCE: pct,
    Kind.SHARE_DIFFERENCE: _signed_pp,
    Kind.RATIO: ratio,
    Kind.DOLLARS: dollars,
    Kind.SCORE: score,
    Kind.SCORE_DIFFERENCE: points,
    Kind.YEARS: years,
    Kind.YEAR: year,
}


# A claim's numbers: the published value as it was printed, and ours in the same units, so the ledger table and
# the summary sentences can never disagree.

_PERCENT_STATISTICS = frozenset({ClaimStatistic.PERCENT_CHANGE, ClaimStatistic.PERCENT_CHANGE_YTD})


def claim_number(value: float | None, claim: Claim, *, digits: int | None = None, as_count: bool = False) -> str:
    """A value in the claim's units: ratios '15.77', fractions '36.0%', percent changes '−32.1%', counts
    '18', dollars '$51,000' (`as_count`: a count whatever the statistic)."""
    if value is None or not math.isfinite(value):
        return NOT_ESTIMABLE
    s = ClaimStatistic.COUNT if as_count else claim.statistic
    if s in FRACTION_STATISTICS:
        return pct(value, digits=1 if digits is None else digits)
    if s in _PERCENT_STATISTICS:
        return f"{value:+.{1 if digits is None else digits}f}%".replace("-", "−")
    if s in (ClaimStatistic.COUNT, ClaimStatistic.COUNT_CHANGE, ClaimStatistic.COUNT_PER_YEAR):
        text = count(value) if digits is None else f"{value:,.{digits}f}"
        return f"${text}" if Measure.SETTLEMENT_USD in claim.measures else text
    return ratio(value) if digits is None else f"{value:.{digits}f}"


def claim_published(value: float | None, claim: Claim, *, as_count: bool = False) -> str:
    """A published value written with the decimals it was published with (a fraction as a percentage)."""
    if value is None:
        return DASH
    decimals = written_decimals(value)
    if claim.tolerance and claim.tolerance.decimals is not None and not as_count:
        decimals = claim.tolerance.decimals
    if claim.statistic in FRACTION_STATISTICS and not as_count:
        return claim_number(value, claim, digits=max(decimals - 2, 0))
    return claim_number(value, claim, digits=decimals, as_count=as_count)


def claim_interval(ci: tuple[float | None, float | None] | None, claim: Claim, *, as_count: bool = False) -> str:
    """'11.75–21.64', 'from 4.41 (no upper bound)', or '' without an interval."""
    if ci is None or (ci[0] is None and ci[1] is None):
        return ""
    low, high = (claim_number(b, claim, as_count=as_count) if b is not None else None for b in ci)
    if high is None:
        return f"{low} or more"
    if low is None:
        return f"up to {high}"
    # "−64.4%–+25.3%" misreads; "to" separates bounds that carry a sign.
    return f"{low} to {high}" if ci[0] < 0 else f"{low}–{high}"


def claim_published_text(claim: Claim) -> str:
    """The claim's published figure(s): '1.6', '8.0% → 36.0%', '48 → 18', '−32%' (with 'now 19')."""
    if claim.statistic in (ClaimStatistic.COUNT_CHANGE, ClaimStatistic.PROPORTION_CHANGE):
        return f"{claim_published(claim.published_then, claim)} → {claim_published(claim.published_now, claim)}"
    text = claim_published(claim.published_value, claim) if claim.published_value is not None else ""
    if text and claim.bound:
        text = f"{claim.bound} {text}"
    if claim.published_reference is not None:
        text += f" vs {claim_published(claim.published_reference, claim)}"
    if claim.statistic in _PERCENT_STATISTICS and claim.published_now is not None:
        text += f" (now {count(claim.published_now)})"
    if text:
        return text
    if claim.statistic == ClaimStatistic.EVENT:
        return f"an event ({(claim.date or claim.period.start).year})"
    if claim.statistic == ClaimStatistic.REPRESENTATION:
        low, high = claim.parity_band
        return f"in words (read as every group within {ratio(low)}–{ratio(high)} of parity)"
    return "in words"


def publisher(citation: str) -> str:
    """The citation up to its first comma or quotation mark: the author or publisher."""
    for mark in (",", "“", '"'):
        citation = citation.split(mark)[0]
    return citation.strip()
