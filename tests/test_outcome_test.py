"""The outcome (hit-rate) test (docs/methods.md §3.1): pooled and district-stratified hit-rate comparisons,
discretionary
searches as OPP defines them, and the test on Hartford's bundled OPP file against an independent pandas count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from sources_helpers import DATA, ROOT, read
from statsmodels.stats.contingency_tables import StratifiedTable

from trustreport import figures, fmt, tables
from trustreport.errors import InsufficientDataError
from trustreport.estimate import EstimateSet
from trustreport.metrics.outcome_test import (
    INFRA_MARGINALITY_NOTE,
    hit_rates_by_district,
    mh_risk_ratio,
    outcome_test,
)
from trustreport.metrics.prepared import prepare
from trustreport.params import load_params
from trustreport.report import Report
from trustreport.sources.base import SourceData, SourceInfo
from trustreport.stats import intervals as iv
from trustreport.vocab import Flag, Group, Period

HARTFORD_FILE = DATA / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
THEN = (date(2014, 1, 1), date(2014, 12, 31))
NOW = (date(2016, 1, 1), date(2016, 9, 29))
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]
DAY = pd.Timestamp("2015-06-01")


def _source(by_district: pd.DataFrame, search_basis: pd.DataFrame | None = None, source_id: str = "s") -> SourceData:
    info = SourceInfo(id=source_id, kind="opp_stops", path="x.csv", sha256="0" * 64, citation="c", licence="l")
    extras = {"by_district": by_district.assign(date=DAY, stops=by_district["searches"])}
    if search_basis is not None:
        extras["search_basis"] = search_basis.assign(date=DAY)
    return SourceData(info=info, counts=pd.DataFrame(), extras=extras)


def _cells(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["district", "group", "searches", "hits"])


WINDOW = (date(2015, 1, 1), date(2015, 12, 31))
# Two districts with different hit rates and different shares of each group (a Simpson-type setting).
TWO_DISTRICTS = _cells(
    [("A", "black", 400, 40), ("A", "white", 100, 12), ("B", "black", 100, 2), ("B", "white", 400, 12)]
)


def _by(found, statistic, group=Group.BLACK):
    return next(e for e in found if e.statistic == statistic and e.group == group)


# --- Mantel–Haenszel ------------------------------------------------------------------------------------------


def test_mh_risk_ratio_of_one_table_is_the_katz_interval():
    table = np.array([[[7.0, 27.0], [1.0, 33.0]]])  # docs/methods.md G4: 7/34 vs 1/34
    value, interval = mh_risk_ratio(table)
    katz = iv.risk_ratio_katz_ci(7, 34, 1, 34)
    assert value == pytest.approx(7.0)
    assert (interval.low, interval.high) == pytest.approx((katz.low, katz.high), rel=1e-12)


@pytest.mark.filterwarnings("ignore:The Log link function does not respect")
def test_mh_risk_ratio_is_close_to_the_log_binomial_glm_with_district_effects():
    rng = np.random.default_rng(3)
    rows = []
    for d, base in enumerate((0.05, 0.1, 0.2, 0.3)):
        for group, rr in (("black", 0.7), ("white", 1.0)):
            n = int(rng.integers(2000, 4000))
            rows.append((f"d{d}", group, n, int(rng.binomial(n, base * rr))))
    cells = _cells(rows)
    found = outcome_test([_source(cells)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    mh = _by(found, "hit_rate_ratio_mh")
    data = cells.assign(misses=cells["searches"] - cells["hits"], black=(cells["group"] == "black").astype(int))
    family = sm.families.Binomial(link=sm.families.links.Log())
    glm = smf.glm("hits + misses ~ black + C(district)", data=data, family=family).fit()
    assert np.log(mh.value) == pytest.approx(glm.params["black"], abs=0.01)
    width = np.log(mh.ci[1]) - np.log(mh.ci[0])
    assert width == pytest.approx(2 * 1.959964 * glm.bse["black"], rel=0.05)


def test_stratified_odds_ratio_and_tests_are_statsmodels_on_the_district_tables():
    found = outcome_test([_source(TWO_DISTRICTS)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    st = StratifiedTable([np.array([[40, 360], [12, 88]]), np.array([[2, 98], [12, 388]])])
    odds = _by(found, "hit_rate_odds_ratio_mh")
    assert odds.value == pytest.approx(st.oddsratio_pooled)
    assert odds.ci == pytest.approx(st.oddsratio_pooled_confint())
    assert odds.p_value == pytest.approx(st.test_null_odds(correction=False).pvalue)
    breslow_day = st.test_equal_odds().pvalue
    # The note prints the p-value as every p-value is printed (two significant digits, or '< 0.001').
    assert any(n.startswith("Breslow-Day") and f"p {fmt.p_value(breslow_day)}" in n for n in odds.notes)
    # Pooling hides the district difference: pooled ratio above 1, stratified below it.
    assert _by(found, "hit_rate_ratio").value > 1 > _by(found, "hit_rate_ratio_mh").value


def test_districts_without_information_are_left_out_of_the_strata():
    cells = pd.concat([TWO_DISTRICTS, _cells([("C", "black", 50, 0), ("C", "white", 50, 0), ("D", "black", 30, 3)])])
    found = outcome_test([_source(cells)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    base = outcome_test([_source(TWO_DISTRICTS)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    for stat in ("hit_rate_ratio_mh", "hit_rate_odds_ratio_mh"):
        assert _by(found, stat).value == pytest.approx(_by(base, stat).value)
        assert any("2 districts" in n for n in _by(found, stat).notes)


# --- estimates, small numbers, discretionary searches ---------------------------------------------------------


def test_every_estimate_has_a_unique_id_and_the_infra_marginality_caveat():
    found = outcome_test([_source(TWO_DISTRICTS)], WINDOW, period=Period.THEN, groups=GROUPS)
    assert len({e.id for e in found}) == len(found)
    assert all(INFRA_MARGINALITY_NOTE in e.notes for e in found)
    assert _by(found, "hit_rate").id == "hits.hit_rate.black.then"
    assert {e.statistic for e in found} == {
        "hit_rate",
        "hit_rate_ratio",
        "hit_rate_ratio_mh",
        "hit_rate_odds_ratio_mh",
    }


def test_small_counts_give_no_ratio_and_a_group_without_searches_no_rate():
    cells = _cells([("A", "black", 30, 3), ("A", "white", 40, 8)])
    found = outcome_test([_source(cells)], WINDOW, period=Period.NOW, groups=GROUPS)
    for stat in ("hit_rate_ratio", "hit_rate_ratio_mh", "hit_rate_odds_ratio_mh"):
        e = _by(found, stat)
        assert not e.estimable and e.notes[0].startswith("n too small: Black hits")
    rate = _by(found, "hit_rate")
    assert rate.value == pytest.approx(0.1) and Flag.UNSTABLE in rate.flags
    hispanic = _by(found, "hit_rate", Group.HISPANIC)
    assert not hispanic.estimable and hispanic.notes[0].startswith("no Hispanic searches")


def test_discretionary_searches_leave_out_basis_other():
    basis = pd.DataFrame(
        [
            ("black", "probable cause", 300, 30),
            ("black", "other", 200, 12),
            ("white", "consent", 400, 20),
            ("white", "unknown", 100, 4),
        ],
        columns=["group", "search_basis", "searches", "hits"],
    )
    found = outcome_test([_source(TWO_DISTRICTS, basis)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    black = _by(found, "hit_rate_discretionary")
    assert (black.numerator, black.denominator) == (30, 300)
    white = _by(found, "hit_rate_discretionary", Group.WHITE)
    assert (white.numerator, white.denominator) == (24, 500)  # a missing basis is kept, as OPP does
    assert _by(found, "hit_rate_ratio_discretionary").value == pytest.approx(0.1 / 0.048)


def test_discretionary_is_not_estimable_when_the_basis_is_mostly_missing():
    basis = pd.DataFrame(
        [("black", "unknown", 300, 30), ("white", "consent", 100, 10)],
        columns=["group", "search_basis", "searches", "hits"],
    )
    found = outcome_test([_source(TWO_DISTRICTS, basis)], WINDOW, period=Period.NOW, groups=[Group.BLACK])
    disc = [e for e in found if e.statistic.endswith("discretionary")]
    assert disc and all(not e.estimable and "recorded for 100 of 400 searches" in e.notes[0] for e in disc)


def test_no_district_counts_means_no_estimates_and_two_sources_in_a_window_are_refused():
    info = SourceInfo(id="x", kind="opp_stops", path="x", sha256="0", citation="c", licence="l")
    assert outcome_test([SourceData(info=info, counts=pd.DataFrame())], WINDOW, period=Period.NOW, groups=GROUPS) == []
    two = [_source(TWO_DISTRICTS, source_id="a"), _source(TWO_DISTRICTS, source_id="b")]
    with pytest.raises(InsufficientDataError, match="sources a, b"):
        outcome_test(two, WINDOW, period=Period.NOW, groups=GROUPS)


def test_district_scatter_table():
    cells = pd.concat([TWO_DISTRICTS, _cells([("unknown", "black", 50, 5), ("unknown", "white", 50, 5)])])
    table = hit_rates_by_district([_source(cells)], WINDOW, groups=[Group.BLACK], min_searches=5)
    assert list(table["district"]) == ["A", "B"]
    a = table.iloc[0]
    assert (a["hit_rate"], a["reference_hit_rate"], a["searches_total"]) == (0.1, 0.12, 500)
    assert hit_rates_by_district([_source(cells)], WINDOW, groups=[Group.BLACK], min_searches=101).empty


# --- Hartford, on the bundled OPP file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hartford():
    return read("opp_stops", HARTFORD_FILE, {"type": "vehicular"}, source_id="opp-hartford")


@pytest.fixture(scope="module")
def searched() -> pd.DataFrame:
    raw = pd.read_csv(HARTFORD_FILE, dtype=str)
    return raw[raw["date"].notna() & (raw["search_conducted"] == "TRUE")]


def _in(frame: pd.DataFrame, window) -> pd.DataFrame:
    return frame[frame["date"].between(window[0].isoformat(), window[1].isoformat())]


@pytest.mark.parametrize(("period", "window"), [(Period.THEN, THEN), (Period.NOW, NOW)])
def test_hartford_hit_rates_match_an_independent_count(hartford, searched, period, window):
    found = outcome_test([hartford], window, period=period, groups=GROUPS)
    rows = _in(searched, window)
    for group in GROUPS:
        mine = rows[rows["subject_race"] == str(group)]
        e = _by(found, "hit_rate", group)
        assert (e.numerator, e.denominator) == ((mine["contraband_found"] == "TRUE").sum(), len(mine))
        assert e.ci[0] <= e.value <= e.ci[1]
        disc = mine[mine["search_basis"] != "other"]
        d = _by(found, "hit_rate_discretionary", group)
        assert (d.numerator, d.denominator) == ((disc["contraband_found"] == "TRUE").sum(), len(disc))


def test_hartford_2014_ratios_are_finite_with_intervals(hartford):
    found = outcome_test([hartford], THEN, period=Period.THEN, groups=GROUPS)
    for stat in ("hit_rate_ratio", "hit_rate_ratio_mh", "hit_rate_odds_ratio_mh"):
        for group in (Group.BLACK, Group.HISPANIC):
            e = _by(found, stat, group)
            assert e.estimable and e.ci[0] < e.value < e.ci[1] and 0 < e.p_value <= 1
            assert Flag.UNSTABLE in e.flags  # 13 white hits in 2014


def test_hartford_2016_has_too_few_hits_for_ratios(hartford):
    found = outcome_test([hartford], NOW, period=Period.NOW, groups=GROUPS)
    ratios = [e for e in found if "ratio" in e.statistic]
    assert ratios and all(not e.estimable and e.notes[0].startswith("n too small") for e in ratios)


# --- the chart and the table --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hartford_report(hartford):
    loaded = load_params(ROOT / "params" / "hartford.yaml")
    p = loaded.params
    found = [
        e
        for period, win in ((Period.THEN, p.then), (Period.NOW, p.now))
        for e in outcome_test([hartford], win.dates, period=period, groups=p.groups, reference=p.reference_group)
    ]
    prepared = prepare(hartford.counts, [hartford], p, found)
    return Report(loaded, (hartford,), pd.DataFrame(), pd.DataFrame(), EstimateSet(tuple(found)), prepared=prepared)


def test_outcome_scatter_has_a_panel_per_period_and_names_city_and_windows(hartford_report):
    fig = figures.outcome_scatter(hartford_report)
    then, now = fig.axes
    assert then.get_title(loc="left") == "then (2014)" and now.get_title(loc="left").startswith("now (2016-01-01")
    assert "Hartford, CT" in fig.get_suptitle() and "2014" in fig.get_suptitle()
    assert then.get_xlabel() == "white hit rate" and then.get_ylabel() == "group hit rate"
    districts = hit_rates_by_district(hartford_report.sources, THEN, groups=GROUPS)
    assert sum(len(c.get_offsets()) for c in then.collections) == len(districts)


def test_outcome_table_shows_hit_rates_and_ratios_from_the_estimates(hartford_report):
    text = tables.outcome_test(hartford_report).data
    # Black drivers, 2014: 16 hits in 1,689 searches = 0.947 %, Wilson 95 % interval 0.584 %–1.533 % (one
    # decimal: 0.9 %, 0.6 %–1.5 %); district-stratified MH ratio 0.772, Greenland–Robins 0.383–1.554.
    assert "0.9% (0.6%–1.5%)" in text
    assert "0.77 (0.38–1.55)" in text
    assert "infra-marginality" in text and "ratio within districts (MH)" in text and "discretionary" in text


def test_outcome_chart_and_table_without_search_data(hartford_report):
    bare = SourceData(info=hartford_report.sources[0].info, counts=pd.DataFrame())
    no_counts = hartford_report.sources[0].counts.iloc[0:0]
    prepared = prepare(no_counts, (bare,), hartford_report.params.params, [])
    empty = replace(hartford_report, sources=(bare,), estimates=EstimateSet(()), prepared=prepared)
    assert figures.outcome_scatter(empty) is None
    assert "not available" in tables.outcome_test(empty).data
