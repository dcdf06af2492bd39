"""One formatter per kind of number, used by tables and sentences alike (docs/style.md habit 12).

A sentence and the table beside it call the same function, so they can never disagree. An estimate is printed
by its statistic's `Kind` (`value`, `ci`); a claim of the ledger by its claim statistic (`claim_number`,
`claim_published`, `claim_interval`, `claim_published_text`), with the same number formatters. The rules (whole
counts, no interval on an observed count, no scientific notation, no negative zero, one rate unit per measure) are
docs/methods.md §9.11.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from trustreport.claim_schema import FRACTION_STATISTICS, Claim, written_decimals
from trustreport.claim_schema import Statistic as ClaimStatistic
from trustreport.estimate import Estimate
from trustreport.statistic import Kind, Statistic
from trustreport.vocab import Measure

NOT_ESTIMABLE = "not estimable"
DASH = "–"


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _half_up(x: float) -> int:
    """The nearest whole number, halves away from zero (Python's `round` sends 2.5 to 2)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _fixed(x: float, digits: int, *, sign: bool = False, thousands: bool = False) -> str:
    """`x` with `digits` decimals; a value that rounds to zero prints unsigned ('0.0', never '−0.0')."""
    if round(x, digits) == 0:
        x = 0.0
    return f"{x:{'+' if sign else ''}{',' if thousands else ''}.{digits}f}"


def _significant(x: float, digits: int = 2, *, most: int = 4) -> str:
    """`x` (0 < x < 1) to `digits` significant digits but at most `most` decimals, never in scientific notation:
    0.000557 → '0.00056', capped to '0.0006'."""
    decimals = min(most, digits - 1 - math.floor(math.log10(x)))
    return _fixed(x, decimals)


def count(x: float | None) -> str:
    """A count, whole, with thousands separators: 18439 → '18,439'; an expected count 87.3 → '87'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return f"{_half_up(x):,}"


def per_year(x: float | None) -> str:
    """A count per year, which may have a decimal and so says so: 1773.5 → '1,773.5 a year'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return f"{_per_year_number(x)} a year"


def _per_year_number(x: float | None) -> str:
    """A count per year without its unit, for the bounds of an interval: '155.5 a year (138.7–173.8)'."""
    return _fixed(x, 1, thousands=True) if _finite(x) else NOT_ESTIMABLE


def ratio(x: float | None) -> str:
    """A ratio to two decimals: 3.4074 → '3.41', 0.375 → '0.38'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return _fixed(x, 2, thousands=True)


def times(x: float | None) -> str:
    """A rate ratio as readers say it: '3.4 times'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return f"{_fixed(x, 1, thousands=True)} times"


def pct(x: float | None, *, digits: int = 1) -> str:
    """A proportion as a percentage: 0.2204 → '22.0%', −0.0001 → '0.0%'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return f"{_fixed(100 * x, digits, thousands=True)}%"


# One unit per measure per report: the rare events are counted per 100,000 residents everywhere (tables,
# sentences, charts); every other rate per the params' `rate_per` (the estimate's `scale`, 1,000 by default).
RARE_MEASURES = frozenset({Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED, Measure.POLICE_KILLINGS})
RARE_PER = 100_000


def rate_unit(measure: Measure | str, per: float = 1000) -> float:
    """How many residents a rate of `measure` is shown per: 100,000 for homicides and police killings, else `per`."""
    return RARE_PER if measure in RARE_MEASURES else per


def per_residents(measure: Measure | str, per: float = 1000) -> str:
    """The rate unit of `measure` in words: 'per 1,000 residents a year', 'per 100,000 residents a year'."""
    return f"per {count(rate_unit(measure, per))} residents a year"


def rate(x: float | None, *, per: float = 1000) -> str:
    """A rate shown per `per` units: 0.031505 per 1000 → '31.5'; below 1 to two significant digits
    (0.000969 per 1000 → '0.97'), never more than four decimals."""
    if not _finite(x):
        return NOT_ESTIMABLE
    scaled = x * per
    if scaled == 0:
        return "0"
    if abs(scaled) >= 1:
        return _fixed(scaled, 1, thousands=True)
    if abs(scaled) < 0.0001:
        return "under 0.0001"
    return ("−" if scaled < 0 else "") + _significant(abs(scaled))


def tick(x: float) -> str:
    """An axis tick as plain text, never scientific: 1000000 → '1,000,000', 0.5 → '0.5', 0.002 → '0.002'."""
    if not _finite(x):
        return ""
    if float(x).is_integer():
        return f"{int(x):,}"
    text = f"{x:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text


def coverage(share: float) -> str:
    """The share of a window the data cover, whole percent, never rounded to a bound it does not reach:
    0.996 → 'over 99%', 0.004 → 'under 1%', 0.5 → '50%'."""
    if 0.99 < share < 1:
        return "over 99%"
    if 0 < share < 0.01:
        return "under 1%"
    return pct(share, digits=0)


def p_value(p: float | None) -> str:
    """A p-value as journals print it: '< 0.001', else two significant digits ('0.024', '0.24', '0.0010');
    '> 0.99' near one."""
    if not _finite(p):
        return DASH
    if p < 0.001:
        return "< 0.001"
    if p > 0.99:
        return "> 0.99"
    return _significant(p, most=4)


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
    """An estimate's interval in the format of its statistic's kind ('' when there is none, and for a count that
    was counted, not estimated: a death count is not a sample)."""
    if est.ci is None or not est.estimable or not has_interval(est):
        return ""
    lo, hi = est.ci
    # The unit is said once, by the value: '155.5 a year (138.7–173.8)', not '(138.7 a year–173.8 a year)'.
    return interval(lo, hi, _per_year_number if est.statistic.kind is Kind.PER_YEAR else _formatter(est))


def has_interval(est: Estimate) -> bool:
    """Whether the estimate's interval is shown: every kind but an observed count (an expected count is an
    estimate and keeps its interval)."""
    return est.statistic.kind is not Kind.COUNT or est.statistic == Statistic.EXPECTED_COUNT


def unit(est: Estimate) -> float:
    """How many people a rate estimate is shown per: its measure's one unit in the report (`rate_unit`)."""
    return rate_unit(est.measure, est.scale) if est.scale != 1 else est.scale


def _formatter(est: Estimate) -> Callable[[float | None], str]:
    """The formatter of an estimate's kind of number; rates are shown per their measure's unit (residents,
    arrests), and a funnel stage's rate is one only when its scale is set (else it is a fraction of the stage
    before)."""
    kind = est.statistic.kind
    if kind is Kind.RATE or (kind is Kind.FUNNEL_RATE and est.scale != 1):
        return lambda x: rate(x, per=unit(est))
    return _FORMATTERS[kind]


def dollars(x: float | None) -> str:
    """Money, rounded to the dollar: 1912788.4 → '$1,912,788'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    whole = _half_up(x)
    return f"-${abs(whole):,}" if whole < 0 else f"${whole:,}"


def dollars_rounded(x: float | None) -> str:
    """Money as a published round figure is said: 1400000 → '$1.4 million', 51000 → '$51,000',
    2500000000 → '$2.5 billion' (to a tenth of a million or billion, trailing '.0' dropped)."""
    if not _finite(x):
        return NOT_ESTIMABLE
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            text = _fixed(abs(x) / size, 1).removesuffix(".0")
            return f"{'-' if x < 0 else ''}${text} {word}"
    return dollars(x)


def published_figure(value: float | None, measure: Measure | str, statistic: str) -> str:
    """A figure from a publication (`sources.published`) in words: a total of `settlement_usd` as money
    ('$1.4 million'), other totals as counts ('48'), a `share` as a percentage ('75%', the decimals it was
    published with), a `rate_per_1000` as '91 per 1,000 residents'."""
    if not _finite(value):
        return NOT_ESTIMABLE
    if statistic == "share":
        return pct(value, digits=max(written_decimals(value) - 2, 0))
    if statistic == "rate_per_1000":
        return f"{_fixed(value, written_decimals(value), thousands=True)} per 1,000 residents"
    if measure == Measure.SETTLEMENT_USD:
        return dollars_rounded(value)
    return count(value)


def score(x: float | None) -> str:
    """A survey score on the 0–100 scale: one decimal."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return _fixed(x, 1)


def points(x: float | None) -> str:
    """A difference of scores, signed, in points: '−12.8 points'; one that rounds to zero is '0.0 points'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    text = _fixed(x, 1)
    return f"{text} points" if text == "0.0" else f"{_fixed(x, 1, sign=True)} points".replace("-", "−")


def percentage_points(x: float | None) -> str:
    """A difference of proportions, signed, in percentage points: 0.031 → '+3.1 pp'; about zero '0.0 pp'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    text = _fixed(100 * x, 1)
    return f"{text} pp" if text == "0.0" else f"{_fixed(100 * x, 1, sign=True)} pp"


def years(x: float | None) -> str:
    """A duration in years, one decimal: '3.2 years'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return f"{_fixed(x, 1)} years"


def year(x: float | None) -> str:
    """A calendar year: '2019'."""
    if not _finite(x):
        return NOT_ESTIMABLE
    return str(_half_up(x))


# One formatter per kind: a kind missing here fails `test_fmt` (every kind has a formatter).
_FORMATTERS: dict[Kind, Callable[[float | None], str]] = {
    Kind.COUNT: count,
    Kind.COUNT_DIFFERENCE: count,
    Kind.PER_YEAR: per_year,
    Kind.RATE: rate,  # per 1,000 here; `value` and `ci` print an estimate's rate per its own `scale`
    Kind.FUNNEL_RATE: ratio,  # unscaled: a fraction of the stage before
    Kind.SHARE: pct,
    Kind.INDEX: pct,
    Kind.RELATIVE_DIFFERENCE: pct,
    Kind.SHARE_DIFFERENCE: percentage_points,
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
        text = _fixed(value, 1 if digits is None else digits)
        signed = _fixed(value, 1 if digits is None else digits, sign=True)
        return f"{text}%" if float(text) == 0 else f"{signed}%".replace("-", "−")
    if s in (ClaimStatistic.COUNT, ClaimStatistic.COUNT_CHANGE, ClaimStatistic.COUNT_PER_YEAR):
        text = count(value) if digits is None else _fixed(value, digits, thousands=True)
        return f"${text}" if Measure.SETTLEMENT_USD in claim.measures else text
    return ratio(value) if digits is None else _fixed(value, digits)


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
