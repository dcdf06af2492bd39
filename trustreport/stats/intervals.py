"""Confidence intervals for counts, rates, proportions and their ratios (docs/methods.md §1.2, §2.1).

Every function returns an `Interval` whose bounds are None where the method cannot give a finite bound (a
zero count in a denominator, an empty sample) — never NaN or infinity — and which names the method that made
it, so an `Estimate` can carry it. `level` is the confidence level (0.95 → z = 1.959964).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import scipy.stats as ss
from scipy.optimize import brentq
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.rates import confint_poisson

GARWOOD = "Garwood exact"
POISSON_MIDP = "Poisson mid-p"
WILSON = "Wilson score"
EXACT_CONDITIONAL = "exact conditional (Clopper-Pearson)"
CONDITIONAL_MIDP = "conditional mid-p"
POISSON_SCORE = "Poisson score"
KATZ = "Katz log"
KOOPMAN = "Koopman score"
NEWCOMBE = "Newcombe hybrid score"

# docs/methods.md §1.2B: exact and score intervals coincide for large counts; below this the exact one is reported.
EXACT_BELOW = 100


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval; a bound is None where it is not finite or not estimable."""

    low: float | None
    high: float | None
    method: str

    @property
    def bounds(self) -> tuple[float | None, float | None] | None:
        """`(low, high)` for an `Estimate.ci`, or None when neither bound exists."""
        if self.low is None and self.high is None:
            return None
        return (self.low, self.high)


def _finite(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _interval(low: float, high: float, method: str) -> Interval:
    return Interval(_finite(low), _finite(high), method)


def _none(method: str) -> Interval:
    return Interval(None, None, method)


def _check_counts(*counts: float) -> None:
    for x in counts:
        if x < 0 or not math.isfinite(x):
            raise ValueError(f"counts must be finite and non-negative, got {x}")


def poisson_rate_ci(count: float, exposure: float = 1.0, *, level: float = 0.95, midp: bool = False) -> Interval:
    """Interval for a Poisson rate count/exposure: Garwood exact (chi² form), or mid-p (docs/methods.md §1.2B, G6)."""
    _check_counts(count)
    if exposure <= 0:
        return _none(POISSON_MIDP if midp else GARWOOD)
    method = "midp-c" if midp else "exact-c"
    low, high = confint_poisson(count, exposure, method=method, alpha=1 - level)
    if count == 0:
        # statsmodels' mid-p returns the upper bound twice for a zero count; the lower bound is 0.
        low = 0.0
    return _interval(low, high, POISSON_MIDP if midp else GARWOOD)


def proportion_ci(count: float, nobs: float, *, level: float = 0.95) -> Interval:
    """Wilson score interval for a single proportion count/nobs (docs/methods.md §2.1)."""
    _check_counts(count, nobs)
    if nobs <= 0 or count > nobs:
        return _none(WILSON)
    low, high = proportion_confint(count, nobs, alpha=1 - level, method="wilson")
    # The closed form leaves rounding dust (5e-17) where the bound is exactly 0 or 1.
    return _interval(0.0 if count == 0 else low, 1.0 if count == nobs else high, WILSON)


def _pi_to_ratio(p: float, f: float) -> float | None:
    """Map π = a/(a+c) to the rate ratio π/(1-π)·n2/n1 (docs/methods.md §1.2B); π = 1 gives no finite ratio."""
    return None if p >= 1 else float(p / (1 - p) * f)


def rate_ratio_exact_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """Exact conditional interval for the Poisson rate ratio (a/n1)/(c/n2): a Clopper–Pearson interval on
    a | a+c mapped to the ratio; equals R `poisson.test` (docs/methods.md §1.2B, G2, G7, G13, G14)."""
    _check_counts(a, c)
    if a + c == 0 or n1 <= 0 or n2 <= 0:
        return _none(EXACT_CONDITIONAL)
    low, high = proportion_confint(a, a + c, alpha=1 - level, method="beta")
    f = n2 / n1
    return Interval(_pi_to_ratio(low, f), _pi_to_ratio(high, f), EXACT_CONDITIONAL)


def rate_ratio_midp_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """Mid-p conditional interval for the Poisson rate ratio (docs/methods.md §1.2B, G2)."""
    _check_counts(a, c)
    if a + c == 0 or n1 <= 0 or n2 <= 0:
        return _none(CONDITIONAL_MIDP)
    n, f, tail = a + c, n2 / n1, (1 - level) / 2

    def upper_tail(p: float) -> float:
        return ss.binom.sf(a, n, p) + 0.5 * ss.binom.pmf(a, n, p) - tail

    def lower_tail(p: float) -> float:
        return ss.binom.cdf(a - 1, n, p) + 0.5 * ss.binom.pmf(a, n, p) - tail

    p_low = 0.0 if a == 0 else brentq(upper_tail, 1e-12, 1 - 1e-12)
    p_high = 1.0 if a == n else brentq(lower_tail, 1e-12, 1 - 1e-12)
    return Interval(_pi_to_ratio(p_low, f), _pi_to_ratio(p_high, f), CONDITIONAL_MIDP)


def rate_ratio_score_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """Score interval for the Poisson rate ratio (docs/methods.md §1.2B, G2, G7): the same numbers as statsmodels
    `confint_poisson_2indep(method="score")`, computed in closed form as the Wilson interval on a | a+c mapped
    to the ratio. statsmodels finds it by an iterative search that collapses to a point when a count is 0."""
    _check_counts(a, c)
    if a + c == 0 or n1 <= 0 or n2 <= 0:
        return _none(POISSON_SCORE)
    low, high = proportion_confint(a, a + c, alpha=1 - level, method="wilson")
    f = n2 / n1
    return Interval(0.0 if a == 0 else _pi_to_ratio(low, f), None if c == 0 else _pi_to_ratio(high, f), POISSON_SCORE)


def rate_ratio_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """The recommended Poisson rate-ratio interval: exact conditional when min(a, c) < 100, score otherwise
    (docs/methods.md §1.2B). The returned `method` says which was used."""
    if min(a, c) < EXACT_BELOW:
        return rate_ratio_exact_ci(a, n1, c, n2, level=level)
    return rate_ratio_score_ci(a, n1, c, n2, level=level)


def risk_ratio_katz_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """Katz log interval for the binomial risk ratio (a/n1)/(c/n2), exp(ln RR ± z·SE) with
    SE = sqrt(1/a − 1/n1 + 1/c − 1/n2) (docs/methods.md §1.2A, G4; scipy `relative_risk` gives the same numbers but
    needs integer counts). Katz needs a > 0 and c > 0; otherwise no bound is given."""
    _check_counts(a, n1, c, n2)
    if a == 0 or c == 0 or a > n1 or c > n2:
        return _none(KATZ)
    log_rr = math.log((a / n1) / (c / n2))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = ss.norm.ppf(1 - (1 - level) / 2)
    return _interval(math.exp(log_rr - z * se), math.exp(log_rr + z * se), KATZ)


def risk_ratio_score_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """Koopman score interval for the binomial risk ratio (a/n1)/(c/n2), with the Miettinen–Nurminen variance
    factor N/(N−1) (statsmodels' default, `confint_proportions_2indep(method="score", compare="ratio")`;
    docs/methods.md §1.2A, G4).

    The interval is {φ : |z(φ)| ≤ z_crit}, found by root search on log φ. statsmodels' own closed-form solve
    returns complex or wrong bounds when a proportion is 0 or 1, which is common in small conditional
    cells."""
    _check_counts(a, n1, c, n2)
    if n1 <= 0 or n2 <= 0 or a > n1 or c > n2 or a + c == 0:
        return _none(KOOPMAN)
    z_crit = ss.norm.ppf(1 - (1 - level) / 2)
    start = math.log(((a + 0.5) / n1) / ((c + 0.5) / n2))

    def z_at(t: float) -> float:
        return _score_z_risk_ratio(math.exp(t), a, n1, c, n2)

    low = 0.0 if a == 0 else math.exp(_root(lambda t: z_at(t) - z_crit, start))
    high = None if c == 0 else math.exp(_root(lambda t: z_at(t) + z_crit, start))
    return Interval(low, high, KOOPMAN)


def _score_z_risk_ratio(phi: float, a: float, n1: float, c: float, n2: float) -> float:
    """Score statistic for H0: p1 = φ·p2, with the restricted MLE from the quadratic of Miettinen & Nurminen
    (A = Nφ, B = −(n1φ + a + n2 + cφ), C = a + c) and variance × N/(N−1)."""
    n = n1 + n2
    qa, qb, qc = n * phi, -(n1 * phi + a + n2 + c * phi), a + c
    p2 = (-qb - math.sqrt(max(qb * qb - 4 * qa * qc, 0.0))) / (2 * qa)
    p1 = phi * p2
    diff = a / n1 - phi * c / n2
    var = (p1 * (1 - p1) / n1 + phi**2 * p2 * (1 - p2) / n2) * n / (n - 1)
    if var <= 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(var)


def _root(f: Callable[[float], float], start: float, span: float = 60.0) -> float:
    """Root of a decreasing function of t, bracketed by unit steps out from `start` (up to ±span)."""
    below, above = start, start
    while f(below) <= 0 and below > start - span:
        below -= 1.0
    while f(above) >= 0 and above < start + span:
        above += 1.0
    return brentq(f, below, above, xtol=1e-12)


def risk_ratio_ci(a: float, n1: float, c: float, n2: float, *, level: float = 0.95) -> Interval:
    """The recommended risk-ratio interval: Koopman score when min(a, c) < 100 (including a zero), Katz log
    otherwise, where the two coincide (docs/methods.md §1.2A). The returned `method` says which was used."""
    if min(a, c) < EXACT_BELOW:
        return risk_ratio_score_ci(a, n1, c, n2, level=level)
    return risk_ratio_katz_ci(a, n1, c, n2, level=level)


def proportion_difference_ci(x1: float, n1: float, x2: float, n2: float, *, level: float = 0.95) -> Interval:
    """Newcombe hybrid score interval for p1 − p2 = x1/n1 − x2/n2 (Newcombe 1998 method 10; docs/methods.md §2.1,
    G4, G5)."""
    _check_counts(x1, n1, x2, n2)
    if n1 <= 0 or n2 <= 0 or x1 > n1 or x2 > n2:
        return _none(NEWCOMBE)
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level)
    return _interval(low, high, NEWCOMBE)


def rate_ratio(a: float, n1: float, c: float, n2: float) -> float | None:
    """(a/n1)/(c/n2), or None when it would be 0/0 or infinite."""
    if n1 <= 0 or n2 <= 0 or c == 0:
        return None
    return (a / n1) / (c / n2)
