"""`build()` on the real bundled data of every demo city, without papermill (fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustreport.params import load_params
from trustreport.report import build
from trustreport.vocab import Flag, Group, Measure, Period

ROOT = Path(__file__).resolve().parents[1]
CITIES = sorted(p.stem for p in (ROOT / "params").glob("*.yaml") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def reports():
    return {city: build(load_params(ROOT / "params" / f"{city}.yaml")) for city in CITIES}


@pytest.mark.parametrize("city", CITIES)
def test_metrics_follow_the_contract(reports, city) -> None:
    metrics = reports[city].metrics()
    text = json.dumps(metrics, allow_nan=False, sort_keys=True)  # NaN or inf would raise here
    assert json.loads(text) == json.loads(json.dumps(metrics, sort_keys=True))
    for key in ("jurisdiction", "title", "then", "now", "generated_by", "sources", "estimates", "claims"):
        assert key in metrics
    assert {"version", "params_sha256"} <= set(metrics["generated_by"])
    assert all({"id", "path", "sha256", "citation", "licence"} <= set(s) for s in metrics["sources"])
    ids = [e["id"] for e in metrics["estimates"]]
    assert len(ids) == len(set(ids))
    fields = {
        "id",
        "measure",
        "statistic",
        "group",
        "reference_group",
        "period",
        "window",
        "numerator",
        "denominator",
        "denominator_kind",
        "value",
        "ci",
        "ci_method",
        "p_value",
        "flags",
        "sources",
    }
    for est in metrics["estimates"]:
        assert fields <= set(est)
        assert est["period"] in ("then", "now", "change")
        if est["statistic"] in ("rate_ratio", "risk_ratio") and est["value"] is not None:
            assert est["ci_method"] and est["ci"][0] <= est["value"] <= est["ci"][1]


@pytest.mark.parametrize("city", CITIES)
def test_same_inputs_same_metrics(reports, city) -> None:
    again = build(load_params(ROOT / "params" / f"{city}.yaml")).metrics()
    assert json.dumps(again, sort_keys=True) == json.dumps(reports[city].metrics(), sort_keys=True)


def test_newark_has_no_stop_data_before_2014(reports) -> None:
    """Newark kept no reliable stop statistics before federal oversight: the report must say so, not invent."""
    table = reports["newark"].availability
    stops_then = table[(table["measure"] == "stops") & (table["period"] == "then")].iloc[0]
    searches_then = table[(table["measure"] == "searches") & (table["period"] == "then")].iloc[0]
    assert searches_then["status"] == "not available"
    assert stops_then["status"] in ("not available", "partial")
    force_then = table[(table["measure"] == "force_incidents") & (table["period"] == "then")].iloc[0]
    assert force_then["status"] == "not available"
    force_now = table[(table["measure"] == "force_incidents") & (table["period"] == "now")].iloc[0]
    assert force_now["status"] == "available"


def test_census_overlap_caveat_on_per_resident_ratios(reports) -> None:
    """us-cities-demographics counts Hispanic people inside race groups: every per-resident ratio says so."""
    est = reports["detroit"].estimates
    ratios = est.where(statistic="rate_ratio", period=Period.NOW)
    assert ratios
    assert all(Flag.OVERLAPPING_CATEGORIES in e.flags for e in ratios)


def test_newark_now_ratios_on_hispanic_separate_residents_are_not_flagged_overlapping(reports) -> None:
    """Newark's residents are 2020 Census P2 counts (Hispanic apart) and its use-of-force records count Hispanic
    people apart too, so its 'now' per-resident ratios carry no overlap flag (issue 8)."""
    ratios = reports["newark"].estimates.where(statistic="rate_ratio", period=Period.NOW)
    assert ratios and all(Flag.OVERLAPPING_CATEGORIES not in e.flags for e in ratios)


def test_newark_then_ratios_on_figures_without_a_hispanic_group_are_flagged_overlapping(reports) -> None:
    """The 'then' stops and arrests are published figures with no Hispanic group (their white count includes
    Hispanic people), set against residents that count Hispanic people apart: the ratio is flagged."""
    ratios = reports["newark"].estimates.where(statistic="rate_ratio", period=Period.THEN)
    estimable = [e for e in ratios if e.estimable]
    assert estimable and all(Flag.OVERLAPPING_CATEGORIES in e.flags for e in estimable)
    assert any("records no Hispanic group" in n for e in estimable for n in e.notes)


def test_hartford_uses_non_hispanic_denominators_without_overlap_flag(reports) -> None:
    ratios = reports["hartford"].estimates.where(statistic="rate_ratio", measure=Measure.STOPS)
    assert ratios and all(Flag.OVERLAPPING_CATEGORIES not in e.flags for e in ratios)


def test_workforce_for_newark(reports) -> None:
    """Newark PD 2021: 1,034 officers (docs/checkable-numbers.md item 7), about 33% Black."""
    est = reports["newark"].estimates
    black = est.one(statistic="share", measure=Measure.OFFICERS, group=Group.BLACK)
    assert black is not None
    assert black.denominator <= 1034
    assert black.value == pytest.approx(0.33, abs=0.01)
