"""Two-sample comparisons every metric fills the same way: a ratio of two Poisson rates, a ratio of two
proportions, a difference of two proportions. Each takes an `Estimate` shell and sets value, numerator (the
first sample's rate or proportion), denominator (the second's), interval and test; the caller applies the
small-number rules (docs/methods.md §5.3), which differ by statistic."""

from __future__ import annotations

from dataclasses import replace

from trustreport.estimate import Estimate
from trustreport.stats import intervals as iv
from trustreport.stats import tests as st


def rate_ratio_comparison(
    est: Estimate,
    a: float,
    n1: float,
    c: float,
    n2: float,
    *,
    level: float,
    exact_ci: bool = False,
    test_method: str | None = "exact-cond",
) -> Estimate:
    """(a/n1)/(c/n2): the exact conditional interval (`exact_ci`) or the exact-under-100, score-otherwise one
    (docs/methods.md §1.2B); the Poisson ratio test named by `test_method` (None: exact under 100, score otherwise)."""
    ci = iv.rate_ratio_exact_ci(a, n1, c, n2, level=level) if exact_ci else iv.rate_ratio_ci(a, n1, c, n2, level=level)
    test = st.poisson_ratio_test(a, n1, c, n2, method=test_method)
    return replace(
        est,
        value=iv.rate_ratio(a, n1, c, n2),
        numerator=a / n1,
        denominator=c / n2,
        ci=ci.bounds,
        ci_method=ci.method,
        p_value=test.p_value,
        test_method=test.method,
    )


def risk_ratio_comparison(est: Estimate, a: float, n1: float, c: float, n2: float, *, level: float) -> Estimate:
    """(a/n1)/(c/n2) of two binomial proportions: Koopman score interval under 100, Katz log otherwise;
    two-proportion score test, Fisher exact when an expected cell is under 5 (docs/methods.md §1.2A)."""
    ci = iv.risk_ratio_ci(a, n1, c, n2, level=level)
    test = st.proportion_test(a, n1, c, n2, compare="ratio")
    return replace(
        est,
        value=(a / n1) / (c / n2) if c > 0 else None,
        numerator=a / n1,
        denominator=c / n2,
        ci=ci.bounds,
        ci_method=ci.method,
        p_value=test.p_value,
        test_method=test.method,
    )


def proportion_difference_comparison(
    est: Estimate, x1: float, n1: float, x2: float, n2: float, *, level: float
) -> Estimate:
    """x1/n1 − x2/n2: Newcombe hybrid score interval, two-proportion score test (Fisher exact when a cell is
    small) (docs/methods.md §2.1)."""
    ci = iv.proportion_difference_ci(x1, n1, x2, n2, level=level)
    test = st.proportion_test(x1, n1, x2, n2, compare="diff")
    return replace(
        est,
        value=x1 / n1 - x2 / n2,
        numerator=x1 / n1,
        denominator=x2 / n2,
        ci=ci.bounds,
        ci_method=ci.method,
        p_value=test.p_value,
        test_method=test.method,
    )
