"""Then-vs-now claims: two counts, a percent change, a year-to-date change, a proportion then and now.

Counts are compared per year of window with the exact conditional test and interval (docs/methods.md §2.2, G14:
exposure = each window's length in years, so "48 in 2010–2014 vs 18 since 2014" is not read as two equal
windows); year-to-date changes use January 1 to the same day, days as exposure (docs/methods.md §2.3, G13); proportions
use the Newcombe interval and score test (docs/methods.md §2.1). A percent change is reproduced on counts, as its
publisher computed it (100·(now − then)/then, docs/methods.md §2.3), and judged consistent against the interval of the
exposure-adjusted ratio.
"""

from __future__ import annotations

from trustreport import fmt
from trustreport.claim_schema import Claim, Statistic
from trustreport.claims.context import Context, span
from trustreport.claims.ratios import count_estimate, only_at_least_reproduces, proportion_estimate
from trustreport.claims.verdict import Check, Outcome, judge, not_checkable
from trustreport.estimate import Estimate
from trustreport.metrics.then_now import rate_change
from trustreport.metrics.year_to_date import YTD_CAVEAT, year_to_date
from trustreport.statistic import Statistic as EstimateStatistic
from trustreport.vocab import DenominatorKind, Measure, Period

INFRA_MARGINALITY = (
    "Fewer searches with a higher hit rate is what a stricter bar for searching produces; it shows more "
    "selective searching, not by itself less bias, which needs hit rates by race within each period (methods "
    "§2.1, §3)."
)
SETTLEMENT_LAG = (
    "Lawsuits settle years after the incident, so a recent window is incomplete (right-censoring); dollars are "
    "nominal totals, and constant dollars would need the payments by year, which are not published (docs/methods.md "
    "§6)."
)


def count_change(claim: Claim, ctx: Context) -> Outcome:
    """Both counts against the published ones, and the change per year of window (exact conditional test)."""
    then_count = count_estimate(claim, ctx, claim.then.dates, Period.THEN)
    now_count = count_estimate(claim, ctx, claim.now.dates, Period.NOW)
    checks = [
        _count_check(claim, then_count, claim.published_then, "then"),
        _count_check(claim, now_count, claim.published_now, "now"),
    ]
    ratio = _rate_change(claim, ctx)
    return Outcome(checks, (then_count, now_count, ratio), _per_year_finding(ratio, ctx.level), _measure_caveats(claim))


def percent_change(claim: Claim, ctx: Context) -> Outcome:
    """100·(now − then)/then on counts, judged against the per-year rate ratio's interval."""
    then_count = count_estimate(claim, ctx, claim.then.dates, Period.THEN)
    now_count = count_estimate(claim, ctx, claim.now.dates, Period.NOW)
    ratio = _rate_change(claim, ctx)
    checks = [_percent_check(claim, then_count, now_count, ratio)]
    if claim.published_now is not None:
        checks.append(_count_check(claim, now_count, claim.published_now, "now"))
    estimates = (then_count, now_count, ratio)
    return Outcome(checks, estimates, _per_year_finding(ratio, ctx.level), _measure_caveats(claim))


def percent_change_ytd(claim: Claim, ctx: Context) -> Outcome:
    """January 1 to the same day, this year vs last, days as exposure (docs/methods.md §2.3, G13)."""
    now_count, then_count, ratio, _ = year_to_date(
        ctx.counts, claim.measures[0], claim.now.end, group=claim.group, level=ctx.level
    )
    checks = [_percent_check(claim, then_count, now_count, ratio)]
    if claim.published_now is not None:
        checks.append(_count_check(claim, now_count, claim.published_now, "now"))
    finding = _finding(ratio, "per day, now ÷ then", ctx.level)
    return Outcome(checks, (then_count, now_count, ratio), finding, (YTD_CAVEAT,))


def proportion_change(claim: Claim, ctx: Context) -> Outcome:
    """Both proportions against the published ones (Wilson intervals), and the difference now − then
    (Newcombe interval, score or Fisher test; docs/methods.md §2.1)."""
    then_p = proportion_estimate(claim, ctx, claim.group, claim.then.dates, Period.THEN)
    now_p = proportion_estimate(claim, ctx, claim.group, claim.now.dates, Period.NOW)
    checks = [
        _proportion_check(claim, then_p, claim.published_then, "then"),
        _proportion_check(claim, now_p, claim.published_now, "now"),
    ]
    found = rate_change(ctx.counts, claim.measures[0], claim.then.dates, claim.now.dates, groups=[claim.group])
    diff = next(e for e in found if e.group == claim.group)
    finding = _finding(diff, "now − then", ctx.level)
    return Outcome(checks, (then_p, now_p, diff), finding, (INFRA_MARGINALITY,))


def _count_check(claim: Claim, est: Estimate, published: float, side: str) -> Check:
    missing = None if est.estimable else est.notes[0]
    check = judge(
        claim,
        published,
        est.value,
        est.ci,
        label=f"{side} count",
        method=est.ci_method,
        estimate=est,
        missing=missing,
        as_count=True,
    )
    return only_at_least_reproduces(check, est, None)


def _proportion_check(claim: Claim, est: Estimate, published: float, side: str) -> Check:
    missing = None if est.estimable else est.notes[0]
    return judge(claim, published, est.value, est.ci, label=side, method=est.ci_method, estimate=est, missing=missing)


def _rate_change(claim: Claim, ctx: Context) -> Estimate:
    """The change of the group's events per year of window (exposure = window lengths in years)."""
    found = rate_change(
        ctx.counts,
        claim.measures[0],
        claim.then.dates,
        claim.now.dates,
        groups=[claim.group],
        level=ctx.level,
        exposure=DenominatorKind.YEARS,
    )
    return next(e for e in found if e.group == claim.group)


def _percent_check(claim: Claim, then_count: Estimate, now_count: Estimate, ratio: Estimate) -> Check:
    """The published percent change against ours on counts, and against the ratio's interval − 1."""
    missing = next((e.notes[0] for e in (then_count, now_count) if not e.estimable), None)
    if missing or not then_count.value:
        return not_checkable("change", missing or f"no {span(then_count.window)} events to change from")
    percent = 100 * (now_count.value - then_count.value) / then_count.value
    ci = None
    if ratio.estimable and ratio.ci is not None:
        ci = tuple(None if b is None else 100 * (b - 1) for b in ratio.ci)
    return judge(
        claim,
        claim.published_value,
        percent,
        ci,
        label="change",
        method=ratio.ci_method,
        estimate=ratio,
        bound=claim.bound,
    )


def _per_year_finding(ratio: Estimate, level: float) -> str | None:
    return _finding(ratio, "per year of window, now ÷ then", level)


def _finding(est: Estimate, what: str, level: float) -> str | None:
    """'per year, now ÷ then 0.34 (95% CI 0.19–0.59), exact conditional binomial test p < 0.001: a change
    larger than chance would explain'."""
    if not est.estimable:
        return None
    value = fmt.value(est) if est.statistic == EstimateStatistic.PROPORTION_DIFFERENCE else fmt.ratio(est.value)
    text = f"{what} {value}"
    if est.ci:
        text += f" ({round(100 * level)}% CI {fmt.ci(est)})"
    if est.p_value is None:
        return text
    verdict = (
        "a change larger than chance would explain"
        if est.significant
        else "not statistically distinguishable from no change"
    )
    return f"{text}, {est.test_method} p {fmt.p_value(est.p_value)}: {verdict}"


def _measure_caveats(claim: Claim) -> tuple[str, ...]:
    if {Measure.LAWSUITS, Measure.SETTLEMENT_USD} & set(claim.measures):
        return (SETTLEMENT_LAG,)
    return ()


STATISTICS = {
    Statistic.COUNT_CHANGE: count_change,
    Statistic.PERCENT_CHANGE: percent_change,
    Statistic.PERCENT_CHANGE_YTD: percent_change_ytd,
    Statistic.PROPORTION_CHANGE: proportion_change,
}
