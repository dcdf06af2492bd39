"""One formatter per kind of number, used by tables and sentences alike (STYLE habit 12).

A sentence and the table beside it call the same function, so they can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from trustreport.estimate import Estimate
from trustreport.statistic import Kind

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
    Kind.RATE: rate,
    Kind.FUNNEL_RATE: ratio,
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
