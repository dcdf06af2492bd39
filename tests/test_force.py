"""metrics.force on the bundled sources and on small hand-made extras. Golden: NJ.com's Force Report, Jersey City
(force.nj.com, 2018): 15.9 uses of force per 1,000 arrests, 2012-2016; subjects Black 53.6 %. Other expected
values are computed here by hand or with statsmodels directly, never copied from the metric's output."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, read
from statsmodels.stats.proportion import proportion_confint

from trustreport.counts import concat_counts, empty_counts
from trustreport.metrics.force import force_estimates, force_per_arrest, injury_rates, severity_mix
from trustreport.sources.base import SourceData, SourceInfo
from trustreport.vocab import DenominatorKind, Flag, Group, Period

THEN = (date(2012, 1, 1), date(2016, 12, 31))
NOW = (date(2021, 1, 1), date(2023, 12, 31))
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]


@pytest.fixture(scope="module")
def jersey_city():
    report = read(
        "nj_force_report",
        DATA / "nj-force-report-2012-2016" / "force_report_departments_parsed.csv.gz",
        {"department": "Jersey City", "county": "Hudson"},
        source_id="force-report",
    )
    portal = read("nj_use_of_force", DATA / "nj-use-of-force" / "incident.csv.gz", {"agency": "Jersey City PD"})
    return [report, portal]


def _source(extras: dict[str, pd.DataFrame]) -> SourceData:
    info = SourceInfo("fixture", "fixture", "fixture.csv", "0", "test", "test")
    return SourceData(info=info, counts=empty_counts(), extras=extras)


def test_jersey_city_per_1000_arrests_reproduces_the_force_report(jersey_city):
    counts = concat_counts(s.counts for s in jersey_city)
    (rate,) = force_per_arrest(counts, THEN, period=Period.THEN, groups=GROUPS)
    assert rate.id == "force_incidents.per_arrest.all.then" and rate.denominator_kind == DenominatorKind.ARRESTS
    assert round(rate.value * rate.scale, 1) == 15.9 and rate.numerator == 1150
    assert rate.ci[0] < rate.value < rate.ci[1]


def test_then_vs_now_shares_with_comparability_notes(jersey_city):
    counts = concat_counts(s.counts for s in jersey_city)
    found = force_estimates(counts, jersey_city, then=THEN, now=NOW, groups=GROUPS)
    then = next(e for e in found if e.id == "force_subjects.subject_share.black.then")
    assert then.value == pytest.approx(round(0.536 * 1150) / 1150)
    change = next(e for e in found if e.id == "force_subjects.subject_share_difference.black.change")
    now = next(e for e in found if e.id == "force_subjects.subject_share.black.now")
    assert change.value == pytest.approx(now.value - then.value) and change.then_window == THEN
    assert all(any("Comparable as shares only" in n for n in e.notes) for e in (then, now, change))
    assert not [e for e in found if e.statistic == "per_arrest" and e.period == Period.NOW]  # no arrests now


SEVERITY = pd.DataFrame(
    {
        "date": pd.to_datetime(["2022-01-01"] * 6),
        "group": ["black", "black", "black", "white", "white", "all"],
        "severity": [
            "control hold",
            "less-lethal weapon",
            "firearm discharged",
            "control hold",
            "less-lethal weapon",
            "control hold",
        ],
        "incidents": [60, 30, 10, 90, 10, 150],
    }
)
INJURIES = pd.DataFrame(
    {
        "date": pd.to_datetime(["2022-01-01", "2022-01-01", "2030-01-01"]),
        "group": ["black", "white", "black"],
        "incidents": [100, 100, 50],
        "injured": [40, 20, 50],
        "serious": [4, 1, 50],
    }
)


def test_severity_shares_and_weapon_risk_ratio_by_hand():
    found = severity_mix([_source({"force_severity": SEVERITY})], NOW, period=Period.NOW, groups=GROUPS)
    by_id = {e.id: e for e in found}
    weapon = by_id["force_incidents.weapon_share.black.now"]
    assert (weapon.numerator, weapon.denominator, weapon.value) == (40, 100, 0.4)
    assert weapon.ci == pytest.approx(proportion_confint(40, 100, method="wilson"))
    ratio = by_id["force_incidents.weapon_risk_ratio.black.now"]
    assert ratio.value == pytest.approx(0.4 / 0.1) and ratio.ci[0] > 1 and ratio.p_value < 0.05
    firearm = by_id["force_incidents.severity_share_firearm_discharged.black.now"]
    assert firearm.value == 0.1 and Flag.UNSTABLE in firearm.flags
    assert "force_incidents.weapon_risk_ratio.hispanic.now" not in by_id  # no Hispanic rows: nothing invented


def test_injury_shares_keep_to_the_window_and_refuse_small_ratios():
    found = injury_rates([_source({"force_injuries": INJURIES})], NOW, period=Period.NOW, groups=GROUPS)
    by_id = {e.id: e for e in found}
    assert by_id["force_incidents.injury_share.black.now"].value == 0.4  # the 2030 row is outside the window
    assert by_id["force_incidents.injury_risk_ratio.black.now"].value == pytest.approx(2.0)
    serious = by_id["force_incidents.serious_injury_share.white.now"]
    assert serious.value == 0.01 and Flag.UNSTABLE in serious.flags


def test_no_extras_no_estimates():
    assert severity_mix([_source({})], NOW, period=Period.NOW, groups=GROUPS) == []
    assert force_estimates(empty_counts(), [_source({})], then=THEN, now=NOW, groups=GROUPS) == []


def test_force_table_and_chart_on_jersey_city(tmp_path):
    import dataclasses

    from trustreport.estimate import EstimateSet
    from trustreport.figures.force import force as force_chart
    from trustreport.report import build
    from trustreport.tables.force import force as force_table

    params = tmp_path / "jc.yaml"
    params.write_text(
        f"""jurisdiction: jersey-city-nj
name: Jersey <City>, NJ
state: NJ
data_root: {DATA}
then: {{label: "2012-2016", start: 2012-01-01, end: 2016-12-31}}
now: {{label: "2021-2023", start: 2021-01-01, end: 2023-12-31}}
groups: [black, hispanic, white]
sources:
  - {{id: fr, kind: nj_force_report, citation: NJ.com, licence: none,
     path: {DATA}/nj-force-report-2012-2016/force_report_departments_parsed.csv.gz,
     options: {{department: Jersey City, county: Hudson}}}}
  - {{id: oag, kind: nj_use_of_force, citation: NJ OAG, licence: CC0,
     path: {DATA}/nj-use-of-force/incident.csv.gz, options: {{agency: Jersey City PD}}}}
"""
    )
    report = build(params)
    p = report.params.params
    found = force_estimates(report.counts, report.sources, then=p.then.dates, now=p.now.dates, groups=p.groups)
    report = dataclasses.replace(report, estimates=EstimateSet((*report.estimates, *found)))
    html = force_table(report).data
    assert "15.9 (" in html and "Comparable as shares only" in html and "<City>" not in html
    fig = force_chart(report)
    assert fig._suptitle.get_text().startswith("Jersey <City>, NJ: use of force, then (2012–2016)")
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "use-of-force incidents per month",
        "share of people force was used on",
    ]
