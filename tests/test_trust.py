"""Trust metrics: Chicago golden values through adapter and metric (City of Chicago data portal `28me-84fj`,
as listed in data/chicago-police-sentiment/SOURCE.md), the C11 scale conversion (NYPD trust 6.1 → 6.6 on
0–10 = 61 → 66 on 0–100), Welch's test matching scipy on a synthetic survey with known n and sd, and contacts
per 1,000 residents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
from sources_helpers import DATA, read

from trustreport.counts import concat_counts, validate_counts
from trustreport.estimate import EstimateSet
from trustreport.metrics import contacts, trust
from trustreport.metrics.prepared import prepare
from trustreport.sources.surveys import rescale
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

FIXTURES = Path(__file__).parent / "data" / "surveys"
CHICAGO = DATA / "chicago-police-sentiment" / "Police_Sentiment_Scores.csv.gz"
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]
SHOWN = [*GROUPS, Group.ALL]
Y2015, Y2018, Y2022 = ((date(y, 1, 1), date(y, 12, 31)) for y in (2015, 2018, 2022))


@pytest.fixture(scope="module")
def chicago() -> pd.DataFrame:
    data = read("chicago_police_sentiment", CHICAGO, source_id="chicago-sentiment")
    return trust.survey_frame(data.counts, [data])


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    data = read("survey_results", FIXTURES / "synthetic.csv", source_id="synthetic")
    return trust.survey_frame(data.counts, [data])


def _set(estimates) -> EstimateSet:
    return EstimateSet(tuple(estimates))


def test_c11_rescale_exact():
    assert (rescale(6.1, source="0-10"), rescale(6.6, source="0-10")) == (61.0, 66.0)
    assert rescale(61.0, source="0-100", target="0-10") == 6.1


def test_chicago_2018_and_2022_means(chicago):
    then = _set(trust.trust_in_window(chicago, Y2018, period=Period.THEN, groups=GROUPS))
    mean = {g: then.one(statistic="mean", measure="survey_trust_mean", group=g).value for g in SHOWN}
    assert round(mean[Group.ALL], 2) == 57.65
    assert (round(mean[Group.BLACK], 2), round(mean[Group.WHITE], 2)) == (51.65, 64.43)
    now = _set(trust.trust_in_window(chicago, Y2022, period=Period.NOW, groups=GROUPS))
    assert round(now.one(statistic="mean", measure="survey_trust_mean", group=Group.ALL).value, 2) == 56.82


def test_chicago_single_month_through_metric(chicago):
    jan = (date(2018, 1, 1), date(2018, 1, 31))
    est = _set(trust.trust_in_window(chicago, jan, period=Period.THEN, groups=GROUPS))
    values = {g: est.one(statistic="mean", measure="survey_trust_mean", group=g).value for g in SHOWN}
    assert (values[Group.ALL], values[Group.BLACK], values[Group.WHITE]) == (59.85, 55.97, 65.67)
    gap = est.one(statistic="mean_gap", measure="survey_trust_mean", group=Group.BLACK)
    assert gap.value == pytest.approx(55.97 - 65.67) and gap.reference_group == Group.WHITE


def test_chicago_has_no_sampling_interval(chicago):
    found = trust.trust_in_window(chicago, Y2018, period=Period.THEN, groups=GROUPS)
    found += trust.trust_change(chicago, Y2018, Y2022, groups=GROUPS)
    assert found and all(e.ci is None and e.p_value is None for e in found)
    assert all(any(n.startswith("no sampling interval") for n in e.notes) for e in found)
    assert all(e.denominator is None for e in found if e.statistic == "mean")
    change = _set(found).one(statistic="mean_difference", measure="survey_trust_mean", group=Group.ALL)
    assert round(change.value, 2) == round(56.82 - 57.65, 2) and change.significant is None


def test_welch_matches_scipy(synthetic):
    change = _set(trust.trust_change(synthetic, Y2015, Y2022, groups=GROUPS))
    e = change.one(statistic="mean_difference", measure="survey_trust_mean", group=Group.ALL)
    # 3.2 (sd 1.1, n 800) then, 3.4 (sd 1.0, n 900) now on 1–5 → 55 (27.5) and 60 (25) on 0–100.
    expected = ss.ttest_ind_from_stats(60, 25, 900, 55, 27.5, 800, equal_var=False)
    assert e.value == pytest.approx(5.0)
    assert e.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert e.test_method == trust.WELCH and e.significant


def test_gap_welch_and_gap_change(synthetic):
    then = _set(trust.trust_in_window(synthetic, Y2015, period=Period.THEN, groups=GROUPS))
    gap = then.one(statistic="mean_gap", group=Group.BLACK)
    # Black 2.8 (1.2, 300) vs white 3.5 (1.0, 400) on 1–5 → 45 (30) vs 62.5 (25).
    assert gap.value == pytest.approx(-17.5)
    assert gap.p_value == pytest.approx(ss.ttest_ind_from_stats(45, 30, 300, 62.5, 25, 400, equal_var=False).pvalue)
    did = _set(trust.trust_change(synthetic, Y2015, Y2022, groups=GROUPS)).one(statistic="mean_gap_difference")
    se = np.sqrt(30**2 / 300 + 25**2 / 400 + 27.5**2 / 350 + 22.5**2 / 420)
    assert did.value == pytest.approx(5.0)
    assert did.ci == pytest.approx((5 - 1.959964 * se, 5 + 1.959964 * se), rel=1e-6)


def test_pooled_waves_match_welch_on_raw_answers(tmp_path):
    """Three waves per window summarised as n, mean, sd: pooling them reproduces Welch on the raw answers."""
    rng = np.random.default_rng(7)
    raw = {
        "then": [rng.normal(55, 20, n).clip(0, 100) for n in (120, 150, 90)],
        "now": [rng.normal(59, 24, n).clip(0, 100) for n in (200, 80, 130)],
    }
    rows = []
    for side, year in (("then", 2015), ("now", 2022)):
        for month, answers in enumerate(raw[side], start=3):
            start = date(year, month, 1)
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            rows.append(
                f"{side}{month},{start},{end},all,trust,mean,{float(answers.mean())!r},{len(answers)},"
                f"{float(answers.std(ddof=1))!r},,0-100"
            )
    path = tmp_path / "waves.csv"
    path.write_text("wave,start,end,group,question,statistic,value,n,sd,design_effect,scale\n" + "\n".join(rows))
    data = read("survey_results", path)
    survey = trust.survey_frame(data.counts, [data])
    e = _set(trust.trust_change(survey, Y2015, Y2022, groups=[])).one(statistic="mean_difference")
    now, then = np.concatenate(raw["now"]), np.concatenate(raw["then"])
    expected = ss.ttest_ind(now, then, equal_var=False)
    assert e.value == pytest.approx(now.mean() - then.mean(), rel=1e-12)
    assert e.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert e.ci == pytest.approx(tuple(expected.confidence_interval(0.95)), rel=1e-9)


def test_mean_interval_and_design_effect(synthetic):
    then = _set(trust.trust_in_window(synthetic, Y2015, period=Period.THEN, groups=GROUPS))
    mean = then.one(statistic="mean", measure="survey_trust_mean", group=Group.ALL)
    half = ss.t.ppf(0.975, 799) * 27.5 / np.sqrt(800)
    assert mean.ci == pytest.approx((55 - half, 55 + half)) and mean.denominator == 800
    share = then.one(statistic="share", group=Group.ALL)
    assert share.value == 0.55 and "effective n" in share.ci_method
    width = share.ci[1] - share.ci[0]
    narrower = ss.norm.ppf(0.975) * 2 * np.sqrt(0.55 * 0.45 / 800)
    assert width > narrower  # a design effect of 1.5 widens the interval


def test_share_change_is_a_proportion_difference(synthetic):
    e = _set(trust.trust_change(synthetic, Y2015, Y2022, groups=GROUPS)).one(statistic="proportion_difference")
    assert e.value == pytest.approx(0.06) and e.ci[0] < 0.06 < e.ci[1] and e.p_value is not None


def test_group_without_waves_is_not_estimable(synthetic):
    change = _set(trust.trust_change(synthetic, Y2015, (date(2030, 1, 1), date(2030, 12, 31)), groups=GROUPS))
    e = change.one(statistic="mean_difference", group=Group.BLACK)
    assert Flag.NOT_ESTIMABLE in e.flags and e.value is None


def test_series_and_gap_series(chicago, synthetic):
    gaps = trust.gap_series(chicago)
    assert len(gaps) == 64
    assert gaps.loc[gaps["wave"] == "2018-01", "gap"].iloc[0] == pytest.approx(55.97 - 65.67)
    series = trust.wave_series(synthetic)
    w1 = series[(series["wave"] == "W1") & (series["group"] == "all") & (series["statistic"] == "mean")].iloc[0]
    assert w1["low"] < 55 < w1["high"]
    assert trust.wave_series(chicago)["low"].isna().all()


def test_loose_survey_counts_rows_are_read():
    counts = validate_counts(
        pd.DataFrame(
            {
                "jurisdiction": ["x"],
                "period_start": ["2019-01-01"],
                "period_end": ["2019-12-31"],
                "measure": ["survey_trust_mean"],
                "group": ["all"],
                "value": [61.0],
                "n": [float("nan")],
                "source_id": ["published"],
            }
        ),
        path=None,
    )
    frame = trust.survey_frame(counts, [])
    assert frame[["question", "statistic", "value"]].values.tolist() == [["trust", "mean", 61.0]]


def _with_residents(contacts_counts: pd.DataFrame) -> pd.DataFrame:
    residents = pd.DataFrame(
        {
            "jurisdiction": ["test-city"],
            "period_start": ["2015-01-01"],
            "period_end": ["2015-12-31"],
            "measure": ["residents"],
            "group": ["all"],
            "value": [100_000.0],
            "source_id": ["acs"],
        }
    )
    return concat_counts([contacts_counts, validate_counts(residents, path=None)])


def test_contacts_per_1000_residents():
    data = read("community_contacts", FIXTURES / "contacts.csv", source_id="contacts")
    counts = _with_residents(data.counts)
    then = _set(contacts.contacts_rates(counts, Y2015, period=Period.THEN, coverages=data.coverage))
    assert then.one(statistic="count").value == 200
    rate = then.one(statistic="rate")
    assert rate.value * rate.scale == pytest.approx(2.0)
    assert rate.denominator_kind == DenominatorKind.RESIDENTS and rate.ci[0] < rate.value < rate.ci[1]
    now = _set(contacts.contacts_rates(counts, Y2022, period=Period.NOW, coverages=data.coverage))
    assert now.one(statistic="rate").value * 1000 == pytest.approx(6.0)
    assert Flag.DENOMINATOR_VINTAGE in now.one(statistic="rate").flags


def test_contacts_partial_coverage():
    data = read("community_contacts", FIXTURES / "contacts.csv", source_id="contacts")
    counts = _with_residents(data.counts)
    window = (date(2014, 1, 1), date(2015, 12, 31))
    found = _set(contacts.contacts_rates(counts, window, period=Period.THEN, coverages=data.coverage))
    rate = found.one(statistic="rate")
    assert Flag.PARTIAL_COVERAGE in rate.flags and rate.window == Y2015
    assert rate.value * 1000 == pytest.approx(2.0)


# --- the table and the chart (tables.trust, figures.trust) on Chicago, as build() would wire them ----------------

CHICAGO_PARAMS = """
jurisdiction: chicago-il
name: Chicago, IL
state: IL
data_root: REPOSITORY
then: {label: "2018", start: 2018-01-01, end: 2018-12-31}
now: {label: "2022", start: 2022-01-01, end: 2022-12-31}
groups: [black, hispanic, white]
sources:
  - id: chicago-sentiment
    kind: chicago_police_sentiment
    path: data/chicago-police-sentiment/Police_Sentiment_Scores.csv.gz
    citation: City of Chicago Data Portal, Police Sentiment Scores (28me-84fj)
    licence: City of Chicago Data Portal terms of use
  - id: acs-chicago-2015
    kind: census_race
    path: data/us-cities-demographics/us-cities-demographics.csv.gz
    options: {city: Chicago, state: Illinois}
    citation: US Census Bureau, ACS 2015
    licence: Public domain
  - id: contacts
    kind: community_contacts
    path: CONTACTS
    citation: synthetic fixture
    licence: none
events:
  - {date: 2019-01-31, label: "Consent decree <approved>"}
"""


@pytest.fixture(scope="module")
def chicago_report(tmp_path_factory):
    from trustreport.params import load_params
    from trustreport.report import Report, read_sources

    path = tmp_path_factory.mktemp("params") / "chicago.yaml"
    path.write_text(
        CHICAGO_PARAMS.replace("CONTACTS", str(FIXTURES / "contacts.csv")).replace(
            "REPOSITORY", str(FIXTURES.parents[2])
        )
    )
    loaded = load_params(path)
    p = loaded.params
    sources = read_sources(loaded)
    counts = concat_counts(s.counts for s in sources)
    found = trust.trust_and_contacts(
        counts,
        sources,
        then=p.then.dates,
        now=p.now.dates,
        groups=p.groups,
        reference=p.reference_group,
        coverages=[c for s in sources for c in s.coverage],
    )
    prepared = prepare(counts, sources, p, found)
    return Report(loaded, tuple(sources), counts, pd.DataFrame(), EstimateSet(tuple(found)), prepared=prepared)


def test_wiring_ids_are_unique(chicago_report):
    ids = [e.id for e in chicago_report.estimates]
    assert len(ids) == len(set(ids))
    assert "survey_trust_mean.mean_gap.black.then" in ids and "contacts.rate.all.now" in ids


def test_trust_table(chicago_report):
    from trustreport import fmt, tables

    page = tables.trust(chicago_report).data
    # Trust, safety and contacts, and Chicago's two other items (listen, respect) under their own labels.
    assert page.count('<table class="dataframe tr-table">') == 5
    assert "<h3>Listen: mean score (0–100)</h3>" in page
    # The Black mean trust score, then: 51.6525 on the 0-100 scale, shown to one decimal.
    black_then = chicago_report.estimates.one(statistic="mean", group=Group.BLACK, period=Period.THEN)
    assert black_then.value == pytest.approx(51.6525)
    assert "<td>51.7</td>" in page
    assert "gap vs white, then" in page and "No sampling interval: the scores are model-based" in page
    from trustreport.tables.trust import survey_frame

    frame = survey_frame(chicago_report, Measure.SURVEY_TRUST_MEAN)
    assert frame.set_index("group").loc["white", "gap vs white, now"] == fmt.DASH
    assert "non-enforcement contacts" in page and "per 1,000 residents a year" in page


def test_trust_table_empty(chicago_report):
    from dataclasses import replace

    from trustreport import tables
    from trustreport.metrics.prepared import Prepared

    empty = replace(chicago_report, estimates=EstimateSet(()), prepared=Prepared())
    assert tables.trust(empty).data.startswith("<p>No trust survey")


def test_trust_chart(chicago_report):
    from dataclasses import replace

    from trustreport import figures

    fig = figures.trust(chicago_report)
    levels, gaps = fig.axes
    assert fig.get_suptitle() == "Chicago, IL: trust in police by group, then (2018) and now (2022)"
    assert levels.get_ylabel() == "mean trust score (0–100)" and gaps.get_xlabel() == "survey wave"
    # four group lines plus the event line; windows shaded on both panels
    assert len(levels.get_lines()) == 5 and len(levels.patches) >= 2 and len(gaps.patches) >= 2
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Black", "Hispanic", "white", "all"]
    assert "Consent decree <approved>" in fig.legends[0].get_title().get_text()
    no_counts = chicago_report.counts.iloc[0:0]
    nothing = prepare(no_counts, (), chicago_report.params.params, list(chicago_report.estimates))
    no_survey = replace(chicago_report, sources=(), counts=no_counts, prepared=nothing)
    assert figures.trust(no_survey) is None
