"""Sentences follow the interval: "times" only when it excludes parity, "not statistically distinguishable"
otherwise; ratios below 1 are also said the other way round; user text is escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from trustreport import narrative
from trustreport.estimate import Estimate, EstimateSet
from trustreport.report import build
from trustreport.vocab import Group, Measure, Period

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report():
    return build(ROOT / "params" / "hartford.yaml")


def _ratio(value: float, low: float, high: float, group: Group = Group.BLACK) -> Estimate:
    return Estimate(
        id=f"stops.rate_ratio.{group}.now",
        measure=Measure.STOPS,
        statistic="rate_ratio",
        group=group,
        period=Period.NOW,
        window=(date(2016, 1, 1), date(2016, 9, 29)),
        value=value,
        reference_group=Group.WHITE,
        ci=(low, high),
        ci_method="exact conditional (Clopper-Pearson)",
    )


def test_g7_philadelphia_reads_three_point_four_times(report) -> None:
    """OPP tutorial, Philadelphia 2017 (docs/methods.md G7): RR 3.4074, exact CI (3.37437, 3.44073) → "3.4 times"."""
    text = narrative.disparity_sentence(_ratio(3.4074, 3.37437, 3.44073), report)
    assert "was 3.4 times that for white people (95% CI 3.37–3.44)." in text
    assert "Clopper" not in text  # method names live in the methods appendix (issue 9)


def test_interval_through_parity_is_not_called_a_difference(report) -> None:
    text = narrative.disparity_sentence(_ratio(1.10, 0.54, 2.24), report)
    assert "not statistically distinguishable from that for white people (ratio 1.10" in text
    assert "times that" not in text


def test_ratio_below_one_is_said_both_ways(report) -> None:
    """docs/methods.md §1.1: 0.4 ⇒ 2.5 times less often."""
    text = narrative.disparity_sentence(_ratio(0.4, 0.3, 0.5), report)
    assert "0.40 times that for white people (white people had 2.5 times the rate)" in text


def test_change_sentence_wording_follows_its_test(report) -> None:
    """docs/methods.md G15: RRR 0.69444, CI (0.5376, 0.8970) excludes 1 → a real change."""
    change = Estimate(
        id="stops.ratio_of_rate_ratios.black.change",
        measure=Measure.STOPS,
        statistic="ratio_of_rate_ratios",
        group=Group.BLACK,
        period=Period.CHANGE,
        window=(date(2016, 1, 1), date(2016, 9, 29)),
        value=0.69444,
        reference_group=Group.WHITE,
        ci=(0.5376, 0.8970),
        p_value=0.0052,
    )
    assert "a change larger than chance would explain" in narrative.change_sentence(change, report)
    flat = replace(change, value=1.04, ci=(0.95, 1.14), p_value=0.417)
    assert "not statistically distinguishable from no change" in narrative.change_sentence(flat, report)


def test_headline_escapes_and_counts_what_it_cannot_say(report) -> None:
    hostile = report.params.params.now.model_copy(update={"label": "<script>alert(1)</script>"})
    params = report.params.model_copy(update={"params": report.params.params.model_copy(update={"now": hostile})})
    odd = replace(report, params=params, estimates=EstimateSet((_ratio(3.4074, 3.37437, 3.44073),)))
    page = narrative.headline(odd).data
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_ratios_against_white_on_overlapping_residents_are_never_a_sentence(report) -> None:
    """issue 8: with race/Hispanic-overlapping resident counts, the per-resident ratio against White stays in the
    estimates (flagged) but the headline states none, and says why once."""
    from trustreport.vocab import Flag

    overlapping = _ratio(15.8, 12.0, 20.8).with_flags(Flag.OVERLAPPING_CATEGORIES, note="Overlapping categories: …")
    clean = _ratio(3.4074, 3.37437, 3.44073, group=Group.HISPANIC)
    page = narrative.headline(replace(report, estimates=EstimateSet((overlapping, clean)))).data
    assert "15.8" not in page and "Black people" not in page
    assert "Hispanic people was 3.4 times that for white people" in page
    assert page.count("no per-resident ratio against White residents is stated here") == 1
    alone = narrative.headline(replace(report, estimates=EstimateSet((overlapping,)))).data
    assert "15.8" not in alone and "no per-resident ratio against White residents is stated here" in alone
    assert "No disparity is stated for this city." in alone and "support no disparity estimate" not in alone
