"""One formatter per kind of number, used by tables and sentences alike (STYLE habit 12).

A sentence and the table beside it call the same function, so they can never disagree.
"""

from __future__ import annotations

import math
from datetime import date

from trustreport.estimate import Estimate

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
    return f"{p:.3f}"


def interval(low: float | None, high: float | None, formatter=ratio) -> str:
    """An interval 'low–high' with the same formatter as its point estimate."""
    if low is None or high is None:
        return NOT_ESTIMABLE
    return f"{formatter(low)}–{formatter(high)}"


def window(start: date, end: date) -> str:
    """A date window: whole calendar years as '2014' or '2021–2023', otherwise ISO dates."""
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"{start.isoformat()} to {end.isoformat()}"


def value(est: Estimate) -> str:
    """An estimate's point value in the format of its statistic."""
    if not est.estimable:
        return NOT_ESTIMABLE
    return (
        _FORMATTERS.get(est.statistic, ratio)(est.value) if est.statistic != "rate" else rate(est.value, per=est.scale)
    )


def ci(est: Estimate) -> str:
    """An estimate's interval in the format of its statistic ('' when there is none)."""
    if est.ci is None or not est.estimable:
        return ""
    lo, hi = est.ci
    if est.statistic == "rate":
        return interval(lo, hi, lambda x: rate(x, per=est.scale))
    return interval(lo, hi, _FORMATTERS.get(est.statistic, ratio))


def _signed_pp(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return NOT_ESTIMABLE
    return f"{100 * x:+.1f} pp"


_FORMATTERS = {
    "count": count,
    "proportion": pct,
    "share": pct,
    "proportion_difference": _signed_pp,
    "percentage_point_gap": _signed_pp,
}
