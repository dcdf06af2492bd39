"""The stage funnel (docs/methods.md §1.3): stage ratios, cumulative ratios, the decomposition identity and
expected counts
"if treated like the reference group", on small fixtures and on Hartford's real counts."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest
from conftest import by_id

from trustreport.counts import validate_counts
from trustreport.metrics.disparity import conditional_disparity, per_resident_disparity
from trustreport.metrics.funnel import funnel, funnel_stages
from trustreport.stats import intervals as iv
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

Y2020 = (date(2020, 1, 1), date(2020, 12, 31))
GROUPS = [Group.BLACK, Group.WHITE]
STATISTICS = ("stage_ratio", "cumulative_ratio", "expected_count", "excess_difference")


def window_counts(*rows: tuple[str, str, float], start: str = "2020-01-01", end: str = "2020-12-31") -> pd.DataFrame:
    """Rows of (measure, group, value) covering one window, validated; residents from an ACS-like source."""
    frame = pd.DataFrame(rows, columns=["measure", "group", "value"])
    frame = frame.assign(
        period_start=start,
        period_end=end,
        source_id=["acs" if m == "residents" else "pd" for m in frame["measure"]],
        jurisdiction="test-city",
    )
    return validate_counts(frame, path=None)


def full_funnel() -> pd.DataFrame:
    """Every stage a subset of the one before: stage ratios 3, 2, 5/6 (hits), 2 (arrests | stops), 1 (force)."""
    return window_counts(
        ("residents", "black", 10_000),
        ("residents", "white", 20_000),
        ("stops", "black", 600),
        ("stops", "white", 400),
        ("searches", "black", 120),
        ("searches", "white", 40),
        ("hits", "black", 30),
        ("hits", "white", 12),
        ("arrests", "black", 60),
        ("arrests", "white", 20),
        ("force_subjects", "black", 15),
        ("force_subjects", "white", 5),
    )


def test_stages_follow_the_feeder_rule() -> None:
    stages = {s.measure: s for s in funnel_stages(full_funnel(), Y2020)}
    assert list(stages) == [Measure.STOPS, Measure.SEARCHES, Measure.HITS, Measure.ARRESTS, Measure.FORCE_SUBJECTS]
    assert stages[Measure.STOPS].per_resident
    assert stages[Measure.HITS].chain == (Measure.STOPS, Measure.SEARCHES, Measure.HITS)
    assert stages[Measure.ARRESTS].chain == (Measure.STOPS, Measure.ARRESTS)
    assert stages[Measure.FORCE_SUBJECTS].chain == (Measure.STOPS, Measure.ARRESTS, Measure.FORCE_SUBJECTS)
    assert stages[Measure.FORCE_SUBJECTS].label == "people subjected to force per arrest"


def test_stage_and_cumulative_ratios() -> None:
    est = by_id(funnel(full_funnel(), Y2020, period=Period.NOW, groups=GROUPS))
    stage = {m: est[f"{m}.stage_ratio.black.now"].value for m in ("stops", "searches", "hits", "arrests")}
    assert stage == pytest.approx({"stops": 3.0, "searches": 2.0, "hits": 5 / 6, "arrests": 2.0}, rel=1e-12)
    assert est["force_subjects.stage_ratio.black.now"].value == pytest.approx(1.0, rel=1e-12)
    cumulative = {m: est[f"{m}.cumulative_ratio.black.now"].value for m in ("stops", "searches", "hits", "arrests")}
    assert cumulative == pytest.approx({"stops": 3.0, "searches": 6.0, "hits": 5.0, "arrests": 6.0}, rel=1e-12)
    assert est["stops.stage_ratio.black.now"].denominator_kind == DenominatorKind.RESIDENTS
    assert est["searches.stage_ratio.black.now"].denominator_kind == DenominatorKind.STOPS
    assert est["force_subjects.stage_ratio.black.now"].denominator_kind == DenominatorKind.ARRESTS
    assert est["searches.stage_ratio.black.now"].ci_method == iv.KOOPMAN
    assert est["stops.cumulative_ratio.black.now"].ci_method == iv.POISSON_SCORE
    assert est["hits.cumulative_ratio.black.now"].ci_method == iv.EXACT_CONDITIONAL


def test_decomposition_identity_holds_to_1e9() -> None:
    """Per-resident ratio = product of the stage ratios (docs/methods.md §1.3), when each stage is a subset of the one
    before; the estimate carries both sides."""
    est = by_id(funnel(full_funnel(), Y2020, period=Period.NOW, groups=GROUPS))
    for measure in ("searches", "hits", "arrests", "force_subjects"):
        identity = est[f"{measure}.stage_ratio_product.black.now"]
        assert identity.estimable and Flag.NOT_COMPARABLE not in identity.flags
        assert identity.numerator == identity.value
        assert identity.denominator == est[f"{measure}.cumulative_ratio.black.now"].value
        assert abs(identity.value - identity.denominator) <= 1e-9 * identity.denominator
    force = est["force_subjects.stage_ratio_product.black.now"]
    assert force.value == pytest.approx(3.0 * 2.0 * 1.0, rel=1e-12)
    assert "stops × arrests × force_subjects" in force.notes[0]
    assert "stops.stage_ratio_product.black.now" not in est


def test_expected_counts_if_treated_like_white_people() -> None:
    """expected_k(g) = N_{k-1}(g) × rate_k(white), its interval N_{k-1}(g) × the white rate's interval; excess =
    observed − expected."""
    est = by_id(funnel(full_funnel(), Y2020, period=Period.NOW, groups=GROUPS))
    expected = {m: est[f"{m}.expected_count.black.now"].value for m in ("stops", "searches", "hits", "arrests")}
    assert expected == pytest.approx({"stops": 200.0, "searches": 60.0, "hits": 36.0, "arrests": 30.0}, rel=1e-12)
    excess = {m: est[f"{m}.excess_difference.black.now"].value for m in ("stops", "searches", "hits", "arrests")}
    assert excess == pytest.approx({"stops": 400.0, "searches": 60.0, "hits": -6.0, "arrests": 30.0}, rel=1e-12)
    assert est["force_subjects.excess_difference.black.now"].value == pytest.approx(0.0, abs=1e-12)

    searches = est["searches.expected_count.black.now"]
    wilson = iv.proportion_ci(40, 400)
    assert searches.ci == pytest.approx((600 * wilson.low, 600 * wilson.high), rel=1e-12)
    assert searches.numerator == 600 and iv.WILSON in searches.ci_method
    stops = est["stops.expected_count.black.now"]
    garwood = iv.poisson_rate_ci(400, 20_000)
    assert stops.ci == pytest.approx((10_000 * garwood.low, 10_000 * garwood.high), rel=1e-12)
    assert iv.GARWOOD in stops.ci_method
    excess = est["searches.excess_difference.black.now"]
    assert excess.ci == pytest.approx((120 - searches.ci[1], 120 - searches.ci[0]), rel=1e-12)
    assert (excess.numerator, excess.denominator) == (120, pytest.approx(60.0))
    assert excess.significant is True
    hits = est["hits.excess_difference.black.now"]
    assert hits.ci[0] < 0 < hits.ci[1] and hits.significant is False


def test_stage_ratio_is_observed_over_expected() -> None:
    est = by_id(funnel(full_funnel(), Y2020, period=Period.NOW, groups=GROUPS))
    for measure in ("stops", "searches", "hits", "arrests", "force_subjects"):
        observed = est[f"{measure}.excess_difference.black.now"].numerator
        expected = est[f"{measure}.expected_count.black.now"].value
        assert est[f"{measure}.stage_ratio.black.now"].value == pytest.approx(observed / expected, rel=1e-12)


def test_same_numbers_as_the_disparity_metrics() -> None:
    """The funnel's first stage and its searches | stops stage are the disparity module's estimates, renamed."""
    counts = full_funnel()
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    disparity = by_id(
        per_resident_disparity(counts, Measure.STOPS, Y2020, period=Period.NOW, groups=GROUPS)
        + conditional_disparity(counts, Measure.SEARCHES, Y2020, period=Period.NOW, groups=GROUPS)
    )
    for funnel_id, disparity_id in (
        ("stops.stage_ratio.black.now", "stops.rate_ratio.black.now"),
        ("searches.stage_ratio.black.now", "searches.risk_ratio.black.now"),
        ("stops.stage_rate.white.now", "stops.rate.white.now"),
        ("searches.stage_rate.white.now", "searches.proportion.white.now"),
    ):
        a, b = est[funnel_id], disparity[disparity_id]
        assert (a.value, a.ci, a.p_value, a.test_method) == (b.value, b.ci, b.p_value, b.test_method)


def test_every_statistic_for_every_stage_and_group() -> None:
    est = by_id(funnel(full_funnel(), Y2020, period=Period.THEN, groups=[Group.BLACK], reference=Group.WHITE))
    for measure in ("stops", "searches", "hits", "arrests", "force_subjects"):
        for group in ("black", "white"):
            assert f"{measure}.stage_rate.{group}.then" in est
        for statistic in STATISTICS:
            assert f"{measure}.{statistic}.black.then" in est
            assert f"{measure}.{statistic}.white.then" not in est
    assert all(e.period == Period.THEN and e.window == Y2020 for e in est.values())
    json.dumps([e.to_json() for e in est.values()], allow_nan=False)


def test_arrests_per_resident_without_stops_and_force_per_arrest() -> None:
    counts = window_counts(
        ("residents", "black", 10_000),
        ("residents", "white", 20_000),
        ("arrests", "black", 300),
        ("arrests", "white", 200),
        ("force_incidents", "black", 30),
        ("force_incidents", "white", 10),
    )
    stages = funnel_stages(counts, Y2020)
    assert [s.measure for s in stages] == [Measure.ARRESTS, Measure.FORCE_INCIDENTS]
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    assert est["arrests.stage_ratio.black.now"].value == pytest.approx(3.0)
    assert est["arrests.stage_ratio.black.now"].denominator_kind == DenominatorKind.RESIDENTS
    assert est["force_incidents.stage_ratio.black.now"].value == pytest.approx(2.0)
    assert est["force_incidents.stage_ratio_product.black.now"].value == pytest.approx(6.0, rel=1e-12)
    assert est["force_incidents.cumulative_ratio.black.now"].value == pytest.approx(6.0, rel=1e-12)


def test_force_subjects_preferred_to_incidents() -> None:
    counts = pd.concat(
        [full_funnel(), window_counts(("force_incidents", "black", 40), ("force_incidents", "white", 9))],
        ignore_index=True,
    )
    measures = [s.measure for s in funnel_stages(counts, Y2020)]
    assert Measure.FORCE_SUBJECTS in measures and Measure.FORCE_INCIDENTS not in measures


def test_force_exceeding_arrests_is_not_comparable() -> None:
    """More force incidents than arrests: force is not a subset of arrests, so no binomial stage ratio, no
    expected count and no identity (docs/methods.md §1.3 footnote); the per-resident ratio still stands."""
    counts = window_counts(
        ("residents", "black", 10_000),
        ("residents", "white", 20_000),
        ("arrests", "black", 50),
        ("arrests", "white", 40),
        ("force_incidents", "black", 70),
        ("force_incidents", "white", 20),
    )
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    ratio = est["force_incidents.stage_ratio.black.now"]
    assert not ratio.estimable and Flag.NOT_COMPARABLE in ratio.flags and "exceeds" in ratio.notes[0]
    for statistic in ("expected_count", "excess_difference", "stage_ratio_product"):
        e = est[f"force_incidents.{statistic}.black.now"]
        assert not e.estimable and "exceeds" in e.notes[0]
    assert Flag.NOT_COMPARABLE in est["force_incidents.expected_count.black.now"].flags
    assert est["force_incidents.cumulative_ratio.black.now"].value == pytest.approx(7.0)


def test_small_counts_refuse_ratios_but_keep_expected_counts() -> None:
    """Under 5 events: no stage ratio (docs/methods.md §5.3); the expected count and excess stay, flagged unstable."""
    counts = window_counts(
        ("residents", "black", 10_000),
        ("residents", "white", 20_000),
        ("stops", "black", 600),
        ("stops", "white", 400),
        ("searches", "black", 30),
        ("searches", "white", 3),
    )
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    assert not est["searches.stage_ratio.black.now"].estimable
    assert est["searches.stage_ratio.black.now"].notes[0].startswith("n too small")
    assert not est["searches.stage_ratio_product.black.now"].estimable
    expected = est["searches.expected_count.black.now"]
    assert expected.value == pytest.approx(600 * 3 / 400) and Flag.UNSTABLE in expected.flags
    assert Flag.UNSTABLE in est["searches.excess_difference.black.now"].flags


def test_without_residents_only_conditional_stages_are_estimable() -> None:
    counts = window_counts(
        ("stops", "black", 600), ("stops", "white", 400), ("searches", "black", 60), ("searches", "white", 20)
    )
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    assert not est["stops.stage_ratio.black.now"].estimable
    assert "no residents" in est["stops.expected_count.black.now"].notes[0]
    assert est["searches.stage_ratio.black.now"].value == pytest.approx(2.0)
    assert not est["searches.cumulative_ratio.black.now"].estimable


def test_residents_from_another_year_are_flagged() -> None:
    counts = pd.concat(
        [
            window_counts(("stops", "black", 600), ("stops", "white", 400)),
            window_counts(
                ("residents", "black", 10_000), ("residents", "white", 20_000), start="2015-01-01", end="2015-12-31"
            ),
        ],
        ignore_index=True,
    )
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    for statistic in ("stage_ratio", "expected_count", "excess_difference"):
        assert Flag.DENOMINATOR_VINTAGE in est[f"stops.{statistic}.black.now"].flags


def test_a_published_zero_is_a_stage() -> None:
    """Rows that say 0 (a published table, not an absence of incident rows) make a stage: no ratio from 0, but
    the expected count if treated like white people is still a finding."""
    counts = window_counts(
        ("arrests", "black", 2_000),
        ("arrests", "white", 1_000),
        ("force_subjects", "black", 0),
        ("force_subjects", "white", 6),
    )
    est = by_id(funnel(counts, Y2020, period=Period.NOW, groups=GROUPS))
    assert not est["force_subjects.stage_ratio.black.now"].estimable
    assert est["force_subjects.expected_count.black.now"].value == pytest.approx(12.0)
    assert est["force_subjects.excess_difference.black.now"].value == pytest.approx(-12.0)


def test_empty_window_gives_no_stages() -> None:
    assert funnel(full_funnel(), (date(2021, 1, 1), date(2021, 12, 31)), period=Period.NOW, groups=GROUPS) == []


# Hartford, CT (OPP stops, ACS 2015 residents): the real counts the demo report is built from.


@pytest.fixture(scope="module")
def hartford():
    from trustreport.report import build

    return build("params/hartford.yaml")


@pytest.mark.parametrize("period", [Period.THEN, Period.NOW])
def test_hartford_identity_and_expected_counts(hartford, period: Period) -> None:
    p = hartford.params.params
    window = (p.then if period == Period.THEN else p.now).dates
    est = by_id(funnel(hartford.counts, window, period=period, groups=p.groups, reference=p.reference_group))
    stages = funnel_stages(hartford.counts, window)
    assert [s.measure for s in stages][:2] == [Measure.STOPS, Measure.SEARCHES]
    assert Measure.ARRESTS in [s.measure for s in stages]
    checked = 0
    for e in est.values():
        if e.statistic == "stage_ratio_product" and e.estimable:
            assert abs(e.value - e.denominator) <= 1e-9 * e.denominator, e.id
            checked += 1
    assert checked >= 4
    ref = p.reference_group
    for stage in stages[1:]:
        ref_rate = est[f"{stage.measure}.stage_rate.{ref}.{period}"].value
        for group in (g for g in p.groups if g != ref):
            expected = est[f"{stage.measure}.expected_count.{group}.{period}"]
            assert expected.value == pytest.approx(stage.feeder.count(group) * ref_rate, rel=1e-12)
            lo, hi = expected.ci
            assert lo < expected.value < hi
            excess = est[f"{stage.measure}.excess_difference.{group}.{period}"]
            assert excess.value == pytest.approx(stage.events.count(group) - expected.value, rel=1e-9, abs=1e-9)
            ratio = est[f"{stage.measure}.stage_ratio.{group}.{period}"]
            if ratio.estimable:
                assert ratio.value == pytest.approx(excess.numerator / expected.value, rel=1e-12)


def test_hartford_matches_the_report_disparities(hartford) -> None:
    """The funnel's stops and searches ratios are the same numbers as the disparity metrics on the same window."""
    p = hartford.params.params
    est = by_id(funnel(hartford.counts, p.now.dates, period=Period.NOW, groups=p.groups))
    direct = by_id(
        per_resident_disparity(hartford.counts, Measure.STOPS, p.now.dates, period=Period.NOW, groups=p.groups)
    )
    for group in ("black", "hispanic"):
        assert est[f"stops.stage_ratio.{group}.now"].value == direct[f"stops.rate_ratio.{group}.now"].value
        assert math.isclose(
            est[f"stops.cumulative_ratio.{group}.now"].value, direct[f"stops.rate_ratio.{group}.now"].value
        )


# The funnel table and chart (tables.funnel, figures.funnel) on Hartford with the funnel estimates added.


@pytest.fixture(scope="module")
def hartford_with_funnel(hartford):
    """The report as `build()` makes it: the funnel is wired in (sections.funnels)."""
    assert hartford.estimates.where(statistic="stage_ratio")
    return hartford


@pytest.fixture(scope="module")
def hartford_without_funnel(hartford):
    from dataclasses import replace

    from trustreport.estimate import EstimateSet

    funnel_statistics = {
        "stage_rate",
        "stage_ratio",
        "cumulative_ratio",
        "expected_count",
        "excess_difference",
        "stage_ratio_product",
    }
    kept = tuple(e for e in hartford.estimates if e.statistic not in funnel_statistics)
    return replace(hartford, estimates=EstimateSet(kept))


def test_funnel_table_rows_and_cells(hartford_with_funnel) -> None:
    from trustreport import tables

    frame = tables.funnel_frame(hartford_with_funnel, Period.NOW)
    assert list(frame.columns) == [
        "stage",
        "group",
        "count",
        "rate",
        "stage ratio vs white",
        "per-resident ratio vs white",
        "expected if treated like white people",
        "excess (observed − expected)",
    ]
    assert list(dict.fromkeys(frame["stage"])) == [
        "stops per resident",
        "searches per stop",
        "searches that found contraband per search",
        "arrests per stop",
    ]
    rows = {(r["stage"], r["group"]): r for r in frame.to_dict(orient="records")}
    black_stops = rows["stops per resident", "Black"]
    assert black_stops["count"] == "1,352 of 43,878 residents"
    assert black_stops["rate"].startswith("41.3 per 1,000 a year (")
    assert black_stops["stage ratio vs white"].startswith("0.54 (0.50–0.58)")
    assert black_stops["excess (observed − expected)"].startswith("-1,158 (-1,310 to -1,012)")
    black_arrests = rows["arrests per stop", "Black"]
    assert black_arrests["count"] == "55 of 1,352 stops"
    assert black_arrests["expected if treated like white people"] == "36 (25–51)"
    white = rows["searches per stop", "white"]
    assert white["stage ratio vs white"] == "reference" and white["expected if treated like white people"] == "–"
    assert rows["searches that found contraband per search", "Black"]["stage ratio vs white"] == "not estimable"


def test_funnel_table_html(hartford_with_funnel, hartford_without_funnel) -> None:
    from trustreport import tables

    page = tables.funnel(hartford_with_funnel).data
    assert "<h3>Then (2014)</h3>" in page and "<h3>Now (1 Jan – 29 Sep 2016)</h3>" in page
    assert "Each per-resident ratio equals the product of the stage ratios that lead to it (checked for" in page
    assert "Marks: u = unstable" in page
    assert page.count('<table class="dataframe tr-table">') == 2
    assert tables.funnel(hartford_without_funnel).data.startswith("<p>No stop, search")


def test_funnel_chart(hartford_with_funnel, hartford_without_funnel) -> None:
    from trustreport import figures

    fig = figures.funnel(hartford_with_funnel)
    ax = fig.axes[0]
    assert fig.get_suptitle() == (
        "Hartford, CT: stage-by-stage ratios vs white people, then (2014) and now (2016-01-01 to 2016-09-29)"
    )
    assert ax.get_yscale() == "log"
    assert "ratio vs white people" in ax.get_ylabel() and "stage" in ax.get_xlabel()
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks[:2] == ["stops per resident", "searches per stop"]
    assert any(list(line.get_ydata()) == [1, 1] for line in ax.get_lines())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Black, now: 2016 (Jan–Sep)" in legend and "Hispanic, then: 2014" in legend
    assert figures.funnel(hartford_without_funnel) is None
