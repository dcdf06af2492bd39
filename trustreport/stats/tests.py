"""Hypothesis tests: two Poisson rates, two proportions, and whether a disparity changed (docs/methods.md §1.3, §2,
§5.2).

Named `tests.py` as docs/style.md proposes; pytest only collects `test_*.py`, and no function or class here
starts with `test`/`Test`, so importing them into a test module never makes pytest collect them. statsmodels
is always called with keyword arguments (methods: several defaults "might change").
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats as ss
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import test_proportions_2indep
from statsmodels.stats.rates import test_poisson_2indep

from trustreport.stats.intervals import EXACT_BELOW, Interval

# statsmodels method name → the name an Estimate carries.
POISSON_TEST_NAMES: dict[str, str] = {
    "exact-cond": "exact conditional binomial test",
    "cond-midp": "conditional mid-p test",
    "score": "Poisson score test",
    "wald": "Poisson Wald test",
    "wald-log": "Poisson Wald test (log scale)",
    "score-log": "Poisson score test (log scale)",
    "sqrt": "Poisson square-root test",
    "etest": "E-test (Krishnamoorthy-Thomson)",
}
PROPORTION_SCORE_TEST = "two-proportion score test"
FISHER_EXACT_TEST = "Fisher exact test"
# Cochran's rule for the normal approximation of a 2×2 table.
MIN_EXPECTED = 5
RRR_CLOSED_FORM = "Wald on log ratio of rate ratios, SE = sqrt(1/a0 + 1/a1 + 1/c0 + 1/c1)"
RRR_GLM = "Poisson GLM interaction (y ~ group*post, offset log exposure)"
RISK_RRR_CLOSED_FORM = "Wald on log ratio of risk ratios, SE = sqrt(Σ 1/x − 1/n)"
RISK_RRR_GLM = "binomial GLM interaction, log link (y ~ group*post)"

# IRLS stops at a relative deviance change of 1e-8 by default, leaving the SE off by up to ~1e-5 when rates
# differ by orders of magnitude; a tighter stop makes the GLM reproduce the closed form.
_GLM_TOL = 1e-13
_GLM_MAXITER = 300

# (events, exposure) for a Poisson cell; (successes, trials) for a binomial one.
Cell = tuple[float, float]


@dataclass(frozen=True)
class Significance:
    """The result of a test: statistic (None for exact tests), two-sided p-value (None if not computable)."""

    statistic: float | None
    p_value: float | None
    method: str


@dataclass(frozen=True)
class RatioOfRatios:
    """A ratio of two ratios (now ÷ then) with its log-scale SE, Wald interval and test."""

    value: float | None
    se_log: float | None
    interval: Interval
    statistic: float | None
    p_value: float | None
    method: str


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _whole(x: float) -> float | int:
    """Counts as ints where they are whole (the counts table stores floats; scipy's exact tests need ints)."""
    return int(x) if float(x).is_integer() else x


def poisson_ratio_test(
    a: float, n1: float, c: float, n2: float, *, value: float = 1.0, method: str | None = None
) -> Significance:
    """Two-sided test that the Poisson rate ratio (a/n1)/(c/n2) equals `value` (statsmodels
    `test_poisson_2indep`, docs/methods.md §1.2B, §2.2, G1, G3, G13, G14).

    `method` is a statsmodels name (see `POISSON_TEST_NAMES`); by default the exact conditional test when
    min(a, c) < 100, the score test otherwise."""
    if method is None:
        method = "exact-cond" if min(a, c) < EXACT_BELOW else "score"
    name = POISSON_TEST_NAMES[method]
    if a + c == 0 or n1 <= 0 or n2 <= 0:
        return Significance(None, None, name)
    a, c = _whole(a), _whole(c)
    if method in ("exact-cond", "cond-midp") and not (isinstance(a, int) and isinstance(c, int)):
        # Conditional tests need whole counts; estimated counts (e.g. derived from rounded shares) get the score test.
        method = "score"
        name = POISSON_TEST_NAMES[method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = test_poisson_2indep(
            count1=a, exposure1=n1, count2=c, exposure2=n2, value=value, method=method, compare="ratio"
        )
    return Significance(_finite(res.statistic), _finite(res.pvalue), name)


def proportion_test(
    x1: float, n1: float, x2: float, n2: float, *, compare: str = "ratio", value: float | None = None
) -> Significance:
    """Two-sided test of two independent proportions x1/n1 vs x2/n2 (docs/methods.md §2.1).

    The score test (statsmodels `test_proportions_2indep(method="score")`; `compare` "ratio" with null
    `value` 1 or "diff" with null 0) when every expected cell count under equal proportions is at least 5
    (Cochran's rule); otherwise, for the null of equality, Fisher's exact test, since the normal
    approximation can then be wrong by many orders of magnitude (3/8 vs 13/1504: score p ≈ 6e-24, Fisher p ≈
    5e-5)."""
    null = 1.0 if compare == "ratio" else 0.0
    value = null if value is None else value
    if n1 <= 0 or n2 <= 0 or x1 > n1 or x2 > n2:
        return Significance(None, None, PROPORTION_SCORE_TEST)
    if value == null and _small_expected(x1, n1, x2, n2):
        cells = [[_whole(x1), _whole(n1 - x1)], [_whole(x2), _whole(n2 - x2)]]
        if all(isinstance(v, int) for row in cells for v in row):
            return Significance(None, float(ss.fisher_exact(cells).pvalue), FISHER_EXACT_TEST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = test_proportions_2indep(x1, n1, x2, n2, value=value, method="score", compare=compare)
    return Significance(_finite(res.statistic), _finite(res.pvalue), PROPORTION_SCORE_TEST)


def _small_expected(x1: float, n1: float, x2: float, n2: float) -> bool:
    pooled = (x1 + x2) / (n1 + n2)
    return min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)) < MIN_EXPECTED


def _wald(log_value: float, se: float, level: float, method: str) -> RatioOfRatios:
    if se <= 0:
        # Every cell is a proportion of 1: the ratio is exact but there is nothing to test.
        return RatioOfRatios(math.exp(log_value), 0.0, Interval(None, None, method), None, None, method)
    z = ss.norm.ppf(1 - (1 - level) / 2)
    stat = log_value / se
    interval = Interval(math.exp(log_value - z * se), math.exp(log_value + z * se), method)
    return RatioOfRatios(math.exp(log_value), se, interval, stat, float(2 * ss.norm.sf(abs(stat))), method)


def _not_estimable(method: str) -> RatioOfRatios:
    return RatioOfRatios(None, None, Interval(None, None, method), None, None, method)


def ratio_of_rate_ratios(
    *, focal_then: Cell, reference_then: Cell, focal_now: Cell, reference_now: Cell, level: float = 0.95
) -> RatioOfRatios:
    """Ratio of Poisson rate ratios RR_now / RR_then with SE(ln RRR) = sqrt(1/a0 + 1/a1 + 1/c0 + 1/c1), Wald
    interval and z test on the log scale (docs/methods.md §1.3, G15). Cells are (events, exposure); any zero count or
    exposure makes it not estimable."""
    cells = (focal_then, reference_then, focal_now, reference_now)
    if any(x <= 0 or e <= 0 for x, e in cells):
        return _not_estimable(RRR_CLOSED_FORM)
    (a0, e_a0), (c0, e_c0), (a1, e_a1), (c1, e_c1) = cells
    log_rrr = math.log((a1 / e_a1) / (c1 / e_c1)) - math.log((a0 / e_a0) / (c0 / e_c0))
    se = math.sqrt(1 / a0 + 1 / a1 + 1 / c0 + 1 / c1)
    return _wald(log_rrr, se, level, RRR_CLOSED_FORM)


def ratio_of_risk_ratios(
    *, focal_then: Cell, reference_then: Cell, focal_now: Cell, reference_now: Cell, level: float = 0.95
) -> RatioOfRatios:
    """Ratio of binomial risk ratios RR_now / RR_then with the Katz-type SE(ln RRR) = sqrt(Σ 1/x − 1/n) over
    the four cells, Wald interval and z test (docs/methods.md §1.2A, §1.3). Cells are (successes, trials)."""
    cells = (focal_then, reference_then, focal_now, reference_now)
    if any(x <= 0 or n <= 0 or x > n for x, n in cells):
        return _not_estimable(RISK_RRR_CLOSED_FORM)
    (a0, n_a0), (c0, n_c0), (a1, n_a1), (c1, n_c1) = cells
    log_rrr = math.log((a1 / n_a1) / (c1 / n_c1)) - math.log((a0 / n_a0) / (c0 / n_c0))
    se = math.sqrt(sum(1 / x - 1 / n for x, n in cells))
    return _wald(log_rrr, se, level, RISK_RRR_CLOSED_FORM)


def _two_by_two(focal_then: Cell, reference_then: Cell, focal_now: Cell, reference_now: Cell) -> pd.DataFrame:
    cells = (focal_then, reference_then, focal_now, reference_now)
    return pd.DataFrame(
        {
            "y": [x for x, _ in cells],
            "size": [s for _, s in cells],
            "group": [1, 0, 1, 0],
            "post": [0, 0, 1, 1],
        }
    )


def _glm_interaction(fit, level: float, method: str) -> RatioOfRatios:
    beta, se = float(fit.params["group:post"]), float(fit.bse["group:post"])
    if not (math.isfinite(beta) and math.isfinite(se)) or se <= 0:
        return _not_estimable(method)
    return _wald(beta, se, level, method)


def ratio_of_rate_ratios_glm(
    *, focal_then: Cell, reference_then: Cell, focal_now: Cell, reference_now: Cell, level: float = 0.95
) -> RatioOfRatios:
    """The same ratio of rate ratios as `ratio_of_rate_ratios`, from the interaction of a Poisson GLM
    `y ~ group*post` with offset log(exposure) (docs/methods.md §1.3, §5.2; identical SE, G15)."""
    data = _two_by_two(focal_then, reference_then, focal_now, reference_now)
    if (data["y"] <= 0).any() or (data["size"] <= 0).any():
        return _not_estimable(RRR_GLM)
    with warnings.catch_warnings():
        # A saturated model has no residual degrees of freedom; statsmodels warns about its (unused) scale.
        warnings.simplefilter("ignore")
        fit = smf.glm(
            "y ~ group*post", data=data, family=sm.families.Poisson(), offset=np.log(data["size"].to_numpy())
        ).fit(tol=_GLM_TOL, maxiter=_GLM_MAXITER)
    return _glm_interaction(fit, level, RRR_GLM)


def ratio_of_risk_ratios_glm(
    *, focal_then: Cell, reference_then: Cell, focal_now: Cell, reference_now: Cell, level: float = 0.95
) -> RatioOfRatios:
    """The same ratio of risk ratios as `ratio_of_risk_ratios`, from the interaction of a binomial GLM with
    log link on (successes, failures) ~ group*post. The log link makes exp(interaction) a ratio of *risk*
    ratios; a logit link would give a ratio of odds ratios instead (docs/methods.md §1.2A)."""
    data = _two_by_two(focal_then, reference_then, focal_now, reference_now)
    if (data["y"] <= 0).any() or (data["y"] >= data["size"]).any():
        return _not_estimable(RISK_RRR_GLM)
    data["fail"] = data["size"] - data["y"]
    family = sm.families.Binomial(link=sm.families.links.Log())
    with warnings.catch_warnings():
        # The log link warns that it can leave [0, 1], and the saturated model has no residual degrees of
        # freedom; neither matters here: the fit reproduces the observed proportions.
        warnings.simplefilter("ignore")
        fit = smf.glm("y + fail ~ group*post", data=data, family=family).fit(tol=_GLM_TOL, maxiter=_GLM_MAXITER)
    return _glm_interaction(fit, level, RISK_RRR_GLM)
