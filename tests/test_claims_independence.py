"""Issue 8, item 4: the claim ledger grades honestly, on the real Newark params and data/published/newark.csv.

One test per rule: a claim whose only evidence is its own publication is not checkable (no independent
source); missing data never support a claim; verdicts follow the stated rule (inside the interval =
consistent) and a text that contradicts itself is a separate flag; published lower bounds are one-sided; counts
derived from rounded shares carry their rounding; a claim belongs to its city. Then the issue's done means."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from trustreport import tables
from trustreport.claims import Claim, ClaimWindow, Statistic
from trustreport.claims.context import Context
from trustreport.claims.grade import grade_claim
from trustreport.claims.verdict import ClaimFlag, Verdict
from trustreport.counts import validate_counts
from trustreport.metrics.inputs import residents_for
from trustreport.params import load_params
from trustreport.report import build
from trustreport.vocab import Group, Measure

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "claims"
R, C, X, N = Verdict.REPRODUCED, Verdict.CONSISTENT, Verdict.CONTRADICTED, Verdict.NOT_CHECKABLE
OWN_ONLY = (
    "c06a-lawsuits-2010-2014",
    "c06b-settlements-2010-2014",
    "c07a-lawsuits-since-2014",
    "c07b-settlements-since-2014",
    "c08-homicides-ytd",
)
ELSEWHERE = "A newspaper that is not the op-ed, 2021"


@pytest.fixture(scope="module")
def newark():
    report = build(ROOT / "params" / "newark.yaml")
    ctx = Context.from_sources(report.counts, report.sources, level=0.95, jurisdiction="newark-nj")
    claims = {c.id: c for c in report.params.params.claims}
    return SimpleNamespace(report=report, ctx=ctx, claims=claims)


def _other_publication(claim: Claim, **update) -> Claim:
    """The same claim, as if another publication had made it (so the op-ed's rows are independent of it)."""
    return claim.model_copy(update={"citation": ELSEWHERE, "url": None, **update})


def _count_claim(measure: Measure, group: Group, start: date, end: date, value: float, **more) -> Claim:
    return Claim(
        id="independent-count",
        wording="a count from another publication",
        citation=ELSEWHERE,
        statistic=Statistic.COUNT,
        measure=measure,
        group=group,
        period=ClaimWindow(start=start, end=end),
        published_value=value,
        **more,
    )


# Every claim records its sources; its own publication alone checks nothing.


@pytest.mark.parametrize("claim_id", OWN_ONLY)
def test_a_claim_checked_only_against_its_own_publication_is_not_checkable(newark, claim_id):
    result = grade_claim(newark.claims[claim_id], newark.ctx)
    assert result.verdict == N
    assert result.flags[0] == ClaimFlag.NO_INDEPENDENT_SOURCE
    assert result.verdict_text.startswith("not checkable (no independent source)")
    assert result.reason.startswith("no independent source")
    # The arithmetic on the op-ed's own figures is kept in the reason, not promoted to a verdict.
    assert "on its own figures it would be reproduced" in result.reason
    published = [e for e in result.evidence if e.published]
    assert [e.source_id for e in published] == ["newark-published"]
    assert published[0].own and not published[0].independent
    assert published[0].publications == ("Anthony F. Ambrose and Darnell Henry",)


def test_the_same_figures_check_a_claim_made_by_another_publication(newark):
    """Independence is about who published the evidence: 48 lawsuits claimed elsewhere is reproduced by the
    op-ed's rows."""
    result = grade_claim(_other_publication(newark.claims["c06a-lawsuits-2010-2014"]), newark.ctx)
    assert result.verdict == R and not result.flags
    assert result.evidence[0].independent
    assert result.to_json()["evidence"][0] == {
        "source": "newark-published",
        "kind": "published figures",
        "publications": ["Anthony F. Ambrose and Darnell Henry"],
        "own_publication": False,
        "counts_the_measure": True,
        "independent": True,
    }


def test_a_denominator_source_does_not_make_the_evidence_independent(newark):
    """c09 reads census residents (independent) but its homicide counts are the op-ed's own."""
    result = grade_claim(newark.claims["c09-homicide-ratio"], newark.ctx)
    census = [e for e in result.evidence if not e.published]
    assert census and not any(e.counts_measure for e in census)
    assert result.verdict == N and ClaimFlag.NO_INDEPENDENT_SOURCE in result.flags


# Missing data never support a claim.


def test_missing_data_do_not_support_a_claim_that_data_are_missing(newark):
    result = grade_claim(newark.claims["c13-no-stop-data-before-2014"], newark.ctx)
    assert result.verdict == N
    assert [c.verdict for c in result.checks] == [N, N]
    assert all("absence of data here is not evidence that none existed" in c.reason for c in result.checks)
    # The published 2013 figures are named, not taken as support.
    assert "only published figures: 2013: 3 figures (count, at least)" in result.reason
    (consulted,) = result.evidence
    assert consulted.source_id == "newark-published" and consulted.independent
    assert consulted.publications == ("ACLU of New Jersey", "Cyril Josh Barker")


# Verdicts follow the stated rule; internal inconsistency is a flag.


def test_a_ratio_inside_its_one_sided_interval_is_consistent_and_flagged_inconsistent(newark):
    """19 Black homicide victims and none of anyone else: no finite ratio, but an exact one-sided interval.
    With no events in the reference group the exact conditional lower bound is the Clopper–Pearson bound
    p = (α/2)^(1/19) turned into a rate ratio, p/(1 − p) · (other residents / Black residents)."""
    claim = _other_publication(newark.claims["c09-homicide-ratio"])
    result = grade_claim(claim, newark.ctx)
    check = result.checks[0]
    residents = residents_for(newark.report.counts, claim.period.dates)
    black, everyone = residents.person_years(Group.BLACK), residents.person_years(Group.ALL)
    p = 0.025 ** (1 / 19)
    expected_low = p / (1 - p) * (everyone - black) / black
    assert check.ci[0] == pytest.approx(expected_low, rel=1e-4)
    assert check.ci[1] is None and check.value is None
    assert 4 < check.ci[0] < 19  # issue 8 measured 4.41 on the ACS 2015 table
    assert result.verdict == C and check.verdict == C
    assert result.flags == (ClaimFlag.INTERNALLY_INCONSISTENT,)
    assert "lies inside our interval" in result.reason and "internally inconsistent" in result.reason
    below = grade_claim(claim.model_copy(update={"published_value": 2.0}), newark.ctx)
    assert below.verdict == X and "lies below our interval" in below.reason


# Lower bounds are one-sided; derived counts carry their rounding.


def test_a_count_published_as_a_lower_bound_is_one_sided(newark):
    """The Amsterdam News: 'over 15,500 stops' in 2013, a lower bound in newark.csv."""
    window = (date(2013, 1, 1), date(2013, 12, 31))
    exact = grade_claim(_count_claim(Measure.STOPS, Group.ALL, *window, 15500), newark.ctx)
    assert exact.verdict == C  # only "at least" can be reproduced by a lower bound
    assert exact.checks[0].ci[1] is None and exact.checks[0].ci[0] < 15500
    assert "only a lower bound" in exact.reason
    at_least = grade_claim(_count_claim(Measure.STOPS, Group.ALL, *window, 15500, bound="at least"), newark.ctx)
    assert at_least.verdict == R and ClaimFlag.LOWER_BOUND in at_least.flags
    at_most = grade_claim(_count_claim(Measure.STOPS, Group.ALL, *window, 10000, bound="at most"), newark.ctx)
    assert at_most.verdict == X and "lies wholly above at most 10,000" in at_most.reason


def test_a_share_built_on_lower_bounds_is_not_checkable(newark):
    """Over 8,700 of over 15,500 stops were of Black people: 56% as if exact, but bounds on both parts bound
    the share in neither direction."""
    claim = _count_claim(Measure.STOPS, Group.BLACK, date(2013, 1, 1), date(2013, 12, 31), 0.56)
    claim = claim.model_copy(update={"statistic": Statistic.SHARE})
    result = grade_claim(claim, newark.ctx)
    assert result.checks[0].value == pytest.approx(8700 / 15500)
    assert result.checks[0].verdict == R  # the arithmetic, as if the bounds were exact
    assert result.verdict == N and result.reason.startswith("built on counts published as bounds")


def test_one_sided_claims_follow_the_rule_on_exact_counts():
    """160 stops of Black people in the small fixture (Garwood 95% 136.2–186.8): at least 150 holds, at least
    180 is within reach of the interval, at least 200 is beyond it."""
    raw = yaml.safe_load((FIXTURES / "claims.yaml").read_text())
    claim = Claim.model_validate(next(c for c in raw if c["id"] == "count-of-stops"))
    table = FIXTURES / "small_city.csv"
    ctx = Context(validate_counts(pd.read_csv(table), path=table))
    verdicts = {
        v: grade_claim(claim.model_copy(update={"published_value": v, "bound": "at least"}), ctx).verdict
        for v in (150, 180, 200)
    }
    assert verdicts == {150: R, 180: C, 200: X}
    assert grade_claim(claim.model_copy(update={"published_value": 150, "bound": "at least"}), ctx).flags == (
        ClaimFlag.LOWER_BOUND,
    )


def test_a_count_derived_from_a_rounded_share_carries_the_rounding(newark):
    """US DOJ 2014: 79.3% of 84,396 arrests were of Black people. 79.25% … 79.35% of 84,396 is 66,883.8 …
    66,968.2, so the count is 66,884 to 66,968, not exactly 66,926."""
    window = (date(2009, 1, 1), date(2012, 6, 30))
    low, high = 0.7925 * 84396, 0.7935 * 84396
    same = grade_claim(_count_claim(Measure.ARRESTS, Group.BLACK, *window, 66926), newark.ctx)
    assert same.checks[0].ci == (pytest.approx(66884), pytest.approx(66968))
    assert 66883 < low < 66884 and 66968 < high < 66969
    assert same.verdict == R and "rounding of a published share" in same.checks[0].method
    inside = grade_claim(_count_claim(Measure.ARRESTS, Group.BLACK, *window, 66900), newark.ctx)
    outside = grade_claim(_count_claim(Measure.ARRESTS, Group.BLACK, *window, 67000), newark.ctx)
    assert (inside.verdict, outside.verdict) == (C, X)


# A claim belongs to its city.


def test_the_lapd_claim_is_graded_in_los_angeles_not_newark():
    newark_claims = load_params(ROOT / "params" / "newark.yaml", check_files=False).params.claims
    assert not [c.id for c in newark_claims if c.about or "lapd" in c.id]
    la = load_params(ROOT / "params" / "los-angeles.yaml", check_files=False).params
    (csp,) = [c for c in la.claims if c.id == "c14-lapd-csp"]
    assert csp.statistic == Statistic.EVENT and csp.about is None


# The issue's done means, and the rendered ledger.


def test_issue_8_done_means_for_newark(newark):
    results = {cid: grade_claim(c, newark.ctx) for cid, c in newark.claims.items()}
    assert all(results[cid].verdict != R for cid in OWN_ONLY)
    assert results["c09-homicide-ratio"].verdict != X
    assert results["c13-no-stop-data-before-2014"].verdict != C
    ledger = tables.claim_ledger(SimpleNamespace(claims=list(results.values()))).data
    assert "<td>not checkable (no independent source)</td>" in ledger
    assert "<td>not checkable (no independent source); internally inconsistent</td>" in ledger
    assert "<th>evidence from</th>" in ledger
    assert "newark-published (the claim's own publication)" in ledger
