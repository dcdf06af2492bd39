"""The claim ledger: golden G13 and G14 through the ledger, each verdict path on small fixtures, the Newark
claims with their expected verdicts, params errors naming `claims[i].key`, then-and-now comparability, and the
HTML fragments (escaped)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from trustreport import narrative, tables
from trustreport.claims import Claim, ClaimWindow, Statistic, Tolerance, grade_claims, then_and_now_pairs
from trustreport.claims.context import Context
from trustreport.claims.grade import grade_claim
from trustreport.claims.verdict import Verdict
from trustreport.counts import Coverage, validate_counts
from trustreport.errors import ParamsError
from trustreport.params import load_params
from trustreport.report import build
from trustreport.vocab import Measure

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "claims"

R, C, X, N = Verdict.REPRODUCED, Verdict.CONSISTENT, Verdict.CONTRADICTED, Verdict.NOT_CHECKABLE

EXPECTED_SMALL = {
    "ratio-reproduced": R,
    "ratio-consistent": C,
    "ratio-contradicted": X,
    "ratio-not-checkable": N,
    "ratio-all-other": R,
    "ratio-not-finite": C,
    "unstated-per-resident": R,
    "unstated-per-stop": R,
    "unstated-all-contradict": X,
    "unstated-one-uncheckable": N,
    "proportion-hit-rates": R,
    "share-of-stops": R,
    "count-of-stops": R,
    "representation-default-band": X,
    "representation-wide-band": R,
    "representation-near-band": C,
    "event-elsewhere": N,
    "unmeasured": N,
    "g13-ytd": R,
    "g14-lawsuits": R,
}

# Newark: the op-ed's claims (docs/newark-claims.md 1–13, compound ones split; 14 is about Los Angeles and graded
# there), the
# Gothamist claim, and the then-figures.
EXPECTED_NEWARK = {
    "c01-stopped": N,
    "c02-arrested": N,
    "c03-force-in-arrests": N,
    "c04-searches-halved": N,
    "c05-hit-rate": N,
    # The op-ed's own figures typed into data/published/newark.csv are its only evidence: no independent source.
    "c06a-lawsuits-2010-2014": N,
    "c06b-settlements-2010-2014": N,
    "c07a-lawsuits-since-2014": N,
    "c07b-settlements-since-2014": N,
    "c08-homicides-ytd": N,
    "c09-homicide-ratio": N,
    "c10-crime-down": N,
    "c11-contacts": N,
    # residents: 2020 Census P2, Hispanic apart; Black officers 33.0% vs 147,905 / 311,549 = 47.5% of residents
    "c12-reflects-community": X,
    "c13-no-stop-data-before-2014": N,
    "g22-lawsuits-down-90": N,
    "doj-2014-stops": N,
    "doj-2014-searches": N,
    "doj-2014-frisks": N,
    "doj-2014-search-evidence": N,
    "doj-2014-frisk-evidence": N,
    "aclu-2013-stops": N,
    "fr-2016-force-per-resident": N,
    "fr-2016-force-per-arrest": N,
}

EXPECTED_PAIRS = {
    ("doj-2014-stops", "c01-stopped"): "partly comparable",
    ("doj-2014-search-evidence", "c05-hit-rate"): "not comparable",
    ("aclu-2013-stops", "c01-stopped"): "not comparable",
    ("fr-2016-force-per-resident", "c03-force-in-arrests"): "partly comparable",
    ("fr-2016-force-per-arrest", "c03-force-in-arrests"): "partly comparable",
}


def _counts(name: str) -> pd.DataFrame:
    return validate_counts(pd.read_csv(FIXTURES / name), path=FIXTURES / name)


@pytest.fixture(scope="module")
def small_claims() -> dict[str, Claim]:
    raw = yaml.safe_load((FIXTURES / "claims.yaml").read_text())
    return {c["id"]: Claim.model_validate(c) for c in raw}


def _table_for(claim_id: str) -> str:
    if claim_id.startswith("g13"):
        return "g13_ytd_equal_windows.csv"
    if claim_id.startswith("g14"):
        return "g14_lawsuits_equal_windows.csv"
    return "small_city.csv"


def _grade(claim: Claim, table: str | None = None):
    (result,) = grade_claims([claim], _counts(table or _table_for(claim.id)), jurisdiction="test-city")
    return result


@pytest.fixture(scope="module")
def newark():
    report = build(ROOT / "params" / "newark.yaml")
    p = report.params.params
    results = grade_claims(p.claims, report.counts, sources=report.sources, jurisdiction=p.jurisdiction)
    return SimpleNamespace(report=report, results={r.claim.id: r for r in results}, ordered=results)


def _estimate(result, statistic: str):
    return next(e for e in result.estimates if e.statistic == statistic)


# Golden tests through the ledger (docs/methods.md §8).


def test_g13_year_to_date_through_the_ledger(small_claims):
    """Methods G13: 19 now vs 28 then in equal windows: −32.1%, exact CI 0.3581–1.2591, p 0.2430."""
    result = _grade(small_claims["g13-ytd"])
    ratio = _estimate(result, "ytd_rate_ratio")
    assert result.verdict == R
    assert ratio.value == pytest.approx(19 / 28)
    assert ratio.ci == pytest.approx((0.3581, 1.2591), abs=1e-4)
    assert ratio.p_value == pytest.approx(0.2430, abs=1e-4)
    assert "not statistically distinguishable from no change" in result.reason
    assert any("regression to the mean" in c for c in result.caveats)
    change = result.checks[0]
    assert change.value == pytest.approx(-32.142857)
    assert change.ci == pytest.approx((100 * (0.35813 - 1), 100 * (1.25905 - 1)), abs=1e-2)


def test_g14_lawsuits_equal_windows_through_the_ledger(small_claims):
    """Methods G14: 18 in 5 years vs 48 in 5 years: ratio 0.375, p 0.000287, exact CI 0.2053–0.6566."""
    result = _grade(small_claims["g14-lawsuits"])
    ratio = _estimate(result, "rate_change_ratio")
    assert result.verdict == R
    assert ratio.value == pytest.approx(0.375)
    assert ratio.p_value == pytest.approx(0.000287, abs=1e-6)
    assert ratio.ci == pytest.approx((0.2053, 0.6566), abs=1e-4)


def test_newark_lawsuits_use_the_real_window_lengths(newark):
    """'Since 2014' runs 2015-01-01 … 2020-07-13: 5.53 years of exposure, not 5, so the test differs from G14."""
    result = newark.results["c07a-lawsuits-since-2014"]
    ratio = _estimate(result, "rate_change_ratio")
    years_now = 5 + 195 / 366
    assert ratio.value == pytest.approx((18 / years_now) / (48 / 5))
    assert ratio.p_value == pytest.approx(3.67e-5, rel=1e-2)
    assert ratio.ci == pytest.approx((0.1855, 0.5934), abs=1e-4)
    assert "a change larger than chance would explain" in result.reason


def test_newark_homicides_year_to_date_count_the_leap_day(newark):
    """2020's January 1 – July 13 has 195 days, 2019's 194: the exposure-adjusted test is near G13, not equal."""
    result = newark.results["c08-homicides-ytd"]
    ratio = _estimate(result, "ytd_rate_ratio")
    assert ratio.value == pytest.approx((19 / 195) / (28 / 194))
    assert ratio.ci == pytest.approx((0.3563, 1.2526), abs=1e-4)
    assert 0.15 < ratio.p_value < 0.25
    assert result.checks[0].value == pytest.approx(-32.142857)
    assert any("28 is the only whole number" in c for c in result.caveats)


# Each verdict path on small fixtures.


@pytest.mark.parametrize("claim_id", sorted(EXPECTED_SMALL))
def test_verdict_paths(small_claims, claim_id):
    result = _grade(small_claims[claim_id])
    assert result.verdict == EXPECTED_SMALL[claim_id], result.reason
    assert result.reason


def test_reproduced_rate_ratio_carries_the_metric_estimate(small_claims):
    result = _grade(small_claims["ratio-reproduced"])
    ratio = result.checks[0].estimate
    assert ratio.value == pytest.approx(1.6)
    assert ratio.ci_method and ratio.p_value is not None
    assert result.estimates[0].id == "claim.ratio-reproduced.stops.rate_ratio.black.now"


def test_all_other_reference_is_the_complement_of_all(small_claims):
    """Black 160 of 1,000 residents vs the other 140 stops of 1,500 residents (docs/methods.md §1.1)."""
    check = _grade(small_claims["ratio-all-other"]).checks[0]
    assert check.value == pytest.approx((160 / 1000) / (140 / 1500))


def test_a_finite_ratio_where_the_reference_had_none_is_internally_inconsistent(small_claims):
    result = _grade(small_claims["ratio-not-finite"])
    check = result.checks[0]
    assert check.value is None and check.ci[0] > 1 and check.ci[1] is None
    assert "no finite ratio" in result.reason and "internally inconsistent" in result.reason


def test_unstated_denominator_computes_every_reading(small_claims):
    result = _grade(small_claims["unstated-per-stop"])
    values = {c.label: c.value for c in result.checks}
    assert values == pytest.approx({"per resident": 2.0, "per stop": 1.25})
    assert result.reason.startswith("denominator unstated")
    uncheckable = _grade(small_claims["unstated-one-uncheckable"])
    assert [c.verdict for c in uncheckable.checks] == [X, N]


def test_availability_paths():
    claim = Claim(
        id="no-data-before",
        wording="no reliable stop statistics before oversight",
        citation="Fixture",
        statistic=Statistic.AVAILABILITY,
        measure=[Measure.STOPS],
        period=ClaimWindow(start=date(2009, 1, 1), end=date(2014, 7, 21)),
    )
    counts = _counts("small_city.csv")
    record = Coverage("stops-file", Measure.STOPS, date(2012, 1, 1), date(2012, 12, 31))
    cited = pd.DataFrame(
        [
            {
                "measure": "stops",
                "period_start": "2013-01-01",
                "period_end": "2013-12-31",
                "statistic": "total",
                "qualifier": "at least",
                "citation": "A newspaper",
                "url": "",
                "note": "",
                "source_id": "published",
            }
        ]
    )
    nothing = grade_claim(claim, Context(counts))
    published = grade_claim(claim, Context(counts, citations=cited))
    recorded = grade_claim(claim, Context(counts, coverage=(record,), record_sources=frozenset({"stops-file"})))
    # Missing data never support a claim, even one that says data are missing.
    assert (nothing.verdict, published.verdict, recorded.verdict) == (N, N, X)
    assert "only published figures: 2013: 1 figure (count, at least)" in published.reason
    assert "absence of data here is not evidence" in nothing.reason


def test_rounding_rule():
    """A value published as 1.6 reproduces from 1.55 to 1.65; 1.4 million at two significant figures ±50,000."""
    assert Tolerance(decimals=1).half_width(1.6) == pytest.approx(0.05)
    assert Tolerance(significant=2).half_width(1_400_000) == pytest.approx(50_000)
    assert Tolerance(relative=0.05).half_width(20) == pytest.approx(1.0)
    claim = Claim(
        id="r",
        wording="w",
        citation="c",
        statistic=Statistic.COUNT,
        measure=Measure.STOPS,
        period=ClaimWindow(start=date(2019, 1, 1), end=date(2019, 12, 31)),
        published_value=1.6,
    )
    assert claim.tolerance_for(1.6) == Tolerance(decimals=1)
    share = claim.model_copy(update={"statistic": Statistic.SHARE})
    assert share.tolerance_for(0.2) == Tolerance(decimals=2)


# Newark.


def test_newark_claims_all_load_and_grade_as_expected(newark):
    got = {cid: r.verdict for cid, r in newark.results.items()}
    assert got == EXPECTED_NEWARK
    ids = [r.claim.id for r in newark.ordered if r.claim.role == "claim"]
    assert sum(i.startswith("c") for i in ids) == 15  # docs/newark-claims.md 1–13, with 6 and 7 split in two


def test_newark_force_claim_is_not_checkable_but_its_per_resident_reading_contradicts(newark):
    result = newark.results["c03-force-in-arrests"]
    per = {c.label: c for c in result.checks}
    assert per["per resident"].verdict == X
    # Regression snapshot (2021–2023 NJ use-of-force incidents over 2020 Census P2 residents, Hispanic apart).
    assert per["per resident"].value == pytest.approx(5.04, abs=0.01)
    assert per["per arrest"].verdict == N
    assert not any("'white' includes Hispanic white residents" in c for c in result.caveats)


def test_newark_force_reflects_community_is_graded_on_hispanic_separate_residents(newark):
    """Newark's residents are the 2020 Census P2 counts (Hispanic apart, issue 8), so the 2021 roster is set
    against them: Black people are 147,905 of 311,549 residents (47.5 %, data/census/places.csv) and 33.0 % of
    officers, a representation ratio well below the parity band."""
    result = newark.results["c12-reflects-community"]
    black = next(c for c in result.checks if c.label == "Black officers")
    assert black.verdict == X and black.value == pytest.approx(0.330 / (147905 / 311549), abs=0.005)
    assert "47.5% of residents" in black.reason


def test_newark_claims_json_is_plain_and_stable(newark):
    first = [r.to_json() for r in newark.ordered]
    text = json.dumps(first, allow_nan=False, ensure_ascii=True)
    by_id = {c["id"]: c for c in json.loads(text)}
    assert by_id["c07b-settlements-since-2014"]["verdict"] == "not checkable"
    assert by_id["c07b-settlements-since-2014"]["flags"] == ["no independent source"]
    keys = {
        "id",
        "wording",
        "citation",
        "statistic",
        "published_value",
        "recomputed_value",
        "ci",
        "method",
        "verdict",
        "flags",
        "reason",
        "evidence",
        "estimate_ids",
    }
    assert keys <= set(first[0])
    again = grade_claims(
        newark.report.params.params.claims,
        newark.report.counts,
        sources=newark.report.sources,
        jurisdiction="newark-nj",
    )
    assert json.dumps([r.to_json() for r in again]) == json.dumps(first)


@pytest.mark.parametrize(("pair", "grade"), sorted(EXPECTED_PAIRS.items()))
def test_newark_then_and_now_pairs(newark, pair, grade):
    pairs = {(p.then.claim.id, p.now.claim.id): p for p in then_and_now_pairs(newark.ordered)}
    assert set(pairs) == set(EXPECTED_PAIRS)
    assert str(pairs[pair].grade) == grade, pairs[pair].reasons


def test_force_report_population_pair_shares_the_hispanic_benchmark(newark):
    pairs = {p.then.claim.id: p for p in then_and_now_pairs(newark.ordered)}
    pair = pairs["fr-2016-force-per-resident"]
    assert pair.now.recomputed and pair.now.value == pytest.approx(5.04, abs=0.01)
    # Both benchmarks now count Hispanic people apart, so that difference is no longer a reason.
    assert not any("inside the race groups (now)" in r for r in pair.reasons)


# Params errors.


def test_unknown_claim_key_names_claims_index_and_key():
    with pytest.raises(ParamsError) as err:
        load_params(FIXTURES / "unknown_key.yaml", check_files=False)
    assert err.value.key == "claims[0].wordng"
    assert "unknown key" in str(err.value)


def test_a_statistic_without_what_it_needs_names_the_claim(tmp_path):
    raw = yaml.safe_load((FIXTURES / "unknown_key.yaml").read_text())
    claim = raw["claims"][0]
    claim["wording"] = claim.pop("wordng")
    del claim["reference_group"]
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ParamsError) as err:
        load_params(path, check_files=False)
    assert err.value.key == "claims[0]"
    assert "reference_group" in str(err.value)
    del claim["wording"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ParamsError, match="required key `wording` is missing"):
        load_params(path, check_files=False)


def test_repeated_ids_and_unknown_pairs_are_refused(small_claims):
    claim = small_claims["ratio-reproduced"]
    with pytest.raises(ParamsError, match=r"claims\[1\]\.id"):
        grade_claims([claim, claim], _counts("small_city.csv"))
    orphan = claim.model_copy(update={"id": "then-x", "role": "then_figure", "pair_with": "nowhere"})
    with pytest.raises(ParamsError, match=r"claims\[0\]\.pair_with"):
        grade_claims([orphan], _counts("small_city.csv"))


# HTML fragments.


def test_ledger_escapes_claim_text(small_claims):
    evil = small_claims["count-of-stops"].model_copy(
        update={"wording": "<script>alert(1)</script> & 'quoted'", "citation": "<b>Op-ed</b>"}
    )
    report = SimpleNamespace(claims=[_grade(evil)])
    ledger = tables.claim_ledger(report).data
    assert "<script>" not in ledger and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in ledger
    assert "<li>&lt;b&gt;Op-ed&lt;/b&gt;</li>" in ledger
    assert "<td>160 (136–187; Garwood exact)</td>" in ledger
    summary = narrative.claims_summary(report).data
    assert summary.startswith("<p>1 published figure was graded: 1 claim and 0 earlier") and "<script>" not in summary


def test_then_and_now_table_and_summary(newark):
    report = SimpleNamespace(claims=newark.ordered)
    table = tables.then_and_now_published(report).data
    assert table.count("<tr>") == len(EXPECTED_PAIRS)
    assert "<td>partly comparable</td>" in table and "5.04 (3.76–6.92), 2021–2023" in table
    summary = narrative.claims_summary(report).data
    assert "<li>0 are reproduced" in summary and "<li>1 is contradicted" in summary
    assert "<li>0 are consistent" in summary and "<li>23 are not checkable" in summary
    assert "homicides down 32% year to date (no independent source)" in summary
