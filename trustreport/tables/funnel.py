"""Section 4 table: the stage funnel, then and now (docs/methods.md §1.3)."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.report import Report
from trustreport.statistic import Statistic
from trustreport.tables._common import (
    cell,
    flag_marks,
    flags_legend,
    methods_line,
    not_available_for,
    share_cell,
    to_html,
)
from trustreport.vocab import FUNNEL_ORDER, GROUP_LABELS, DenominatorKind, Flag, Group, Measure, Period, stage_label
from trustreport.window_names import period_heading

_FUNNEL_STATISTICS = (
    Statistic.STAGE_RATE,
    Statistic.STAGE_RATIO,
    Statistic.CUMULATIVE_RATIO,
    Statistic.EXPECTED_COUNT,
    Statistic.EXCESS_DIFFERENCE,
)


@not_available_for(*FUNNEL_ORDER)
def funnel(report: Report) -> HTML:
    """Section 4: the stage funnel, then and now (docs/methods.md §1.3). Per stage and group: the count over the stage
    that feeds it, the rate, the stage ratio and the per-resident ratio vs the reference group, and the count
    expected if the group were treated like the reference group at that stage, with the excess."""
    p = report.params.params
    blocks = []
    for period, win in p.windows:
        frame = funnel_frame(report, period)
        if not frame.empty:
            heading = period_heading(str(period).title(), win.label, *win.dates)
            blocks.append(f"<h3>{html.escape(heading)}</h3>{to_html(frame)}")
    if not blocks:
        return HTML("<p>No stop, search, arrest or use-of-force counts are available for a funnel.</p>")
    found = [e for e in report.estimates if e.statistic in _FUNNEL_STATISTICS and e.measure in FUNNEL_ORDER]
    identity = report.estimates.where(statistic=Statistic.STAGE_RATIO_PRODUCT)
    return HTML("\n".join(blocks) + _funnel_identity_line(identity) + methods_line(found) + flags_legend(found))


def funnel_frame(report: Report, period: Period) -> pd.DataFrame:
    """One window's funnel: a row per stage and group, in funnel order; the reference group's ratios read
    'reference'."""
    p = report.params.params
    est = report.estimates
    ref = GROUP_LABELS[p.reference_group]
    groups = [g for g in dict.fromkeys([*p.groups, p.reference_group]) if g != Group.ALL]
    rows = []
    for measure in FUNNEL_ORDER:
        for group in groups:
            rate = est.one(measure=measure, statistic=Statistic.STAGE_RATE, group=group, period=period)
            if rate is None:
                continue
            comparisons = _funnel_comparisons(est, measure, group, period, ref)
            if group == p.reference_group:
                comparisons = {k: "reference" if "ratio" in k else fmt.DASH for k in comparisons}
            rows.append(
                {
                    "stage": stage_label(measure, rate.denominator_kind),
                    "group": GROUP_LABELS[group],
                    "count": _funnel_count(rate),
                    "rate": _funnel_rate(rate),
                    **comparisons,
                }
            )
    return pd.DataFrame(rows)


def _funnel_comparisons(est, measure: Measure, group: Group, period: Period, ref: str) -> dict[str, str]:
    """A group's stage ratio, per-resident ratio, expected count and excess, as table cells."""
    found = {
        s: est.one(measure=measure, statistic=s, group=group, period=period)
        for s in (
            Statistic.STAGE_RATIO,
            Statistic.CUMULATIVE_RATIO,
            Statistic.EXPECTED_COUNT,
            Statistic.EXCESS_DIFFERENCE,
        )
    }
    return {
        f"stage ratio vs {ref}": cell(found[Statistic.STAGE_RATIO]),
        f"per-resident ratio vs {ref}": cell(found[Statistic.CUMULATIVE_RATIO]),
        f"expected if treated like {ref} people": _count_ci(found[Statistic.EXPECTED_COUNT]),
        "excess (observed − expected)": _count_ci(found[Statistic.EXCESS_DIFFERENCE]),
    }


def _funnel_count(rate: Estimate) -> str:
    """'1,352 of 43,878 residents' / '34 of 1,352 stops'."""
    if rate.numerator is None:
        return f"{fmt.NOT_ESTIMABLE}{flag_marks(rate)}"
    base = "" if rate.denominator is None else f" of {fmt.count(rate.denominator)} {rate.denominator_kind}"
    return f"{fmt.count(rate.numerator)}{base}"


def _funnel_rate(rate: Estimate) -> str:
    """Per resident: 'per 1,000 a year'; a conditional stage: a percentage of the feeder."""
    if not rate.estimable:
        return f"{fmt.NOT_ESTIMABLE}{flag_marks(rate)}"
    if rate.denominator_kind == DenominatorKind.RESIDENTS:
        text = f"{fmt.value(rate)} per {fmt.count(fmt.unit(rate))} a year"
        if rate.ci is not None:
            text += f" ({fmt.ci(rate)})"
        return text + flag_marks(rate)
    return share_cell(rate)


def _count_ci(e: Estimate | None) -> str:
    """An expected or excess count with its interval, e.g. '117.9 (97.3–142.7)'."""
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{flag_marks(e)}"
    text = fmt.count(e.value)
    if e.ci is not None and None not in e.ci:
        low, high = e.ci
        # "−1,310.2–−1,011.5" misreads; "to" separates bounds that carry a sign.
        text += f" ({fmt.count(low)} to {fmt.count(high)})" if low < 0 else f" ({fmt.interval(low, high, fmt.count)})"
    return text + flag_marks(e)


def _funnel_identity_line(identity: list[Estimate]) -> str:
    """Whether each per-resident ratio equals the product of the stage ratios above it (docs/methods.md §1.3)."""
    checked = [e for e in identity if e.estimable]
    if not checked:
        return ""
    broken = [e for e in checked if Flag.NOT_COMPARABLE in e.flags]
    text = (
        f"Each per-resident ratio equals the product of the stage ratios that lead to it (checked for "
        f"{len(checked) - len(broken)} of {len(checked)} stage and group pairs"
    )
    text += "; it fails for " + ", ".join(e.id for e in broken) + ")." if broken else ")."
    return f'<p class="tr-methods">{html.escape(text)}</p>'
