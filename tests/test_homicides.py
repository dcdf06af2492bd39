"""metrics.homicides: ratios vs all other people, clearance gaps, year to date on the latest date, annual counts.

Golden values: Newcombe 1998 (Stat Med 17:873) example (a), 56/70 vs 48/80 → difference CI (0.0524, 0.3339)
(docs/methods.md G5); the year-to-date illustration of docs/methods.md G13, 19 now vs 28 then in equal windows →
ratio 0.679,
exact CI (0.3581, 1.2591), p 0.2430. Other expected values are computed independently with scipy / statsmodels
calls named in docs/methods.md §1.2."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from scipy.stats import binomtest
from sources_helpers import DATA, read
from statsmodels.stats.proportion import confint_proportions_2indep

from trustreport.counts import Coverage, validate_counts
from trustreport.metrics.homicides import (
    annual_counts,
    homicide_disparities,
    homicides_year_to_date,
    latest_date,
)
from trustreport.metrics.year_to_date import YTD_CAVEAT
from trustreport.vocab import Flag, Group, Measure, Period

YEAR = (date(2015, 1, 1), date(2015, 12, 31))
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]


def _rows(measure: Measure, values: dict[Group, float], day: date = date(2015, 6, 1)) -> list[dict]:
    return [
        {"period_start": day, "period_end": day, "measure": str(measure), "group": str(g), "value": v}
        for g, v in values.items()
    ]


def _counts(victims: dict, cleared: dict, residents: dict) -> pd.DataFrame:
    rows = _rows(Measure.HOMICIDE_VICTIMS, victims) + _rows(Measure.HOMICIDES_CLEARED, cleared)
    rows += [
        {"period_start": YEAR[0], "period_end": YEAR[1], "measure": "residents", "group": str(g), "value": v}
        for g, v in residents.items()
    ]
    frame = pd.DataFrame(rows).assign(jurisdiction="x", source_id="s")
    return validate_counts(frame, path=None)


@pytest.fixture
def small_city() -> pd.DataFrame:
    """Black 70 victims (56 cleared) of 10,000 residents; white 40 (24 cleared) of 20,000; Hispanic 20 (16)
    of 10,000; all 130 (96) of 40,000, so all others than Black: 60 victims (40 cleared) of 30,000."""
    return _counts(
        {Group.BLACK: 70, Group.WHITE: 40, Group.HISPANIC: 20, Group.ALL: 130},
        {Group.BLACK: 56, Group.WHITE: 24, Group.HISPANIC: 16, Group.ALL: 96},
        {Group.BLACK: 10_000, Group.WHITE: 20_000, Group.HISPANIC: 10_000, Group.ALL: 40_000},
    )


def _one(estimates, statistic: str, group: Group):
    return next(e for e in estimates if e.statistic == statistic and e.group == group)


def test_victims_vs_all_others_is_the_complement_rate_ratio(small_city):
    found = homicide_disparities(small_city, YEAR, period=Period.NOW, groups=GROUPS)
    est = _one(found, "vs_all_others_rate_ratio", Group.BLACK)
    # (70 / 10,000) / ((130 − 70) / (40,000 − 10,000)) = 0.007 / 0.002
    assert est.value == pytest.approx(3.5)
    assert (est.numerator, est.denominator) == (pytest.approx(0.007), pytest.approx(0.002))
    assert est.reference_group is None and "all other people (not Black)" in est.notes[0]
    # Exact conditional interval (docs/methods.md §1.2B): Clopper–Pearson on 70 of 130 mapped to the ratio.
    low, high = binomtest(70, 130).proportion_ci(confidence_level=0.95, method="exact")
    assert est.ci == pytest.approx((low / (1 - low) * 3, high / (1 - high) * 3))
    assert est.ci_method.startswith("exact conditional") and est.significant


def test_clearance_gap_vs_reference_and_vs_all_others_reproduce_newcombe_example_a():
    """Newcombe 1998 example (a): 56/70 vs 48/80 → (0.0524, 0.3339), both as 'vs white' and as 'vs all others'."""
    counts = _counts(
        {Group.BLACK: 70, Group.WHITE: 80, Group.ALL: 150},
        {Group.BLACK: 56, Group.WHITE: 48, Group.ALL: 104},
        {Group.BLACK: 10_000, Group.WHITE: 20_000, Group.ALL: 30_000},
    )
    found = homicide_disparities(counts, YEAR, period=Period.THEN, groups=[Group.BLACK, Group.WHITE])
    for statistic in ("clearance_gap", "vs_all_others_clearance_gap"):
        est = _one(found, statistic, Group.BLACK)
        assert est.value == pytest.approx(0.8 - 0.6)
        assert est.ci == pytest.approx((0.0524, 0.3339), abs=5e-5)
        assert est.ci_method == "Newcombe hybrid score" and est.significant
    assert _one(found, "clearance_gap", Group.BLACK).reference_group == Group.WHITE
    assert not [e for e in found if e.statistic == "clearance_gap" and e.group == Group.WHITE]


def test_clearance_ratio_vs_all_others_uses_the_score_interval_for_small_counts(small_city):
    est = _one(
        homicide_disparities(small_city, YEAR, period=Period.NOW, groups=GROUPS),
        "vs_all_others_risk_ratio",
        Group.HISPANIC,
    )
    # Hispanic 16/20 vs all others 80/110 (Koopman score, statsmodels' method="score", compare="ratio").
    assert est.value == pytest.approx((16 / 20) / (80 / 110))
    expected = confint_proportions_2indep(16, 20, 80, 110, method="score", compare="ratio")
    assert est.ci == pytest.approx(expected, rel=1e-4)
    assert Flag.UNSTABLE in est.flags  # 16 cleared, fewer than 20


def test_small_counts_refuse_a_ratio_and_missing_residents_say_so():
    counts = _counts(
        {Group.BLACK: 3, Group.WHITE: 40, Group.ALL: 43},
        {Group.BLACK: 1, Group.WHITE: 20, Group.ALL: 21},
        {Group.BLACK: 10_000, Group.ALL: 30_000},
    )
    found = homicide_disparities(counts, YEAR, period=Period.NOW, groups=[Group.BLACK, Group.WHITE])
    black = _one(found, "vs_all_others_rate_ratio", Group.BLACK)
    assert not black.estimable and black.notes[0].startswith("n too small")
    white = _one(found, "vs_all_others_rate_ratio", Group.WHITE)
    assert not white.estimable and "no residents count for white" in white.notes[0]


def _daily(counts_by_year: dict[int, int], end: tuple[int, int]) -> pd.DataFrame:
    """`n` victims (group all) spread over the first days of each year, all before month-day `end`."""
    rows = []
    for year, n in counts_by_year.items():
        for k in range(n):
            day = date(year, 1, 1) + timedelta(days=k % 150)
            rows += _rows(Measure.HOMICIDE_VICTIMS, {Group.ALL: 1}, day)
        rows += _rows(Measure.HOMICIDE_VICTIMS, {Group.ALL: 5}, date(year, *end) + timedelta(days=1))
    frame = pd.DataFrame(rows).groupby(["period_start", "period_end", "measure", "group"], as_index=False).sum()
    return validate_counts(frame.assign(jurisdiction="x", source_id="s"), path=None)


def test_year_to_date_on_the_latest_covered_day_reproduces_g13():
    counts = _daily({2022: 28, 2023: 19}, end=(7, 13))
    coverage = [Coverage("s", Measure.HOMICIDE_VICTIMS, date(2022, 1, 1), date(2023, 7, 13))]
    assert latest_date(counts, coverage) == date(2023, 7, 13)
    found = homicides_year_to_date(counts, coverage)
    ratio = next(e for e in found if e.statistic == "ytd_rate_ratio")
    assert ratio.id == "homicide_victims.ytd_rate_ratio.all.change"
    assert ratio.value == pytest.approx(19 / 28)
    assert ratio.ci == pytest.approx((0.3581, 1.2591), abs=5e-5)
    assert ratio.p_value == pytest.approx(0.2430, abs=5e-5)
    assert all(YTD_CAVEAT in e.notes for e in found)
    assert all("as of 2023-07-13" in " ".join(e.notes) for e in found)


def test_year_to_date_baseline_outside_coverage_is_not_estimable():
    counts = _daily({2022: 28, 2023: 19}, end=(7, 13))
    coverage = [Coverage("s", Measure.HOMICIDE_VICTIMS, date(2022, 3, 1), date(2023, 7, 13))]
    found = {e.id: e for e in homicides_year_to_date(counts, coverage, as_of=date(2023, 7, 13))}
    assert found["homicide_victims.ytd_count.all.now"].estimable
    for key in ("ytd_count.all.then", "ytd_rate_ratio.all.change", "ytd_relative_difference.all.change"):
        est = found[f"homicide_victims.{key}"]
        assert not est.estimable and "2022-01-01 to 2022-07-13" in est.notes[0]


def test_no_homicide_data_gives_no_year_to_date():
    assert homicides_year_to_date(_counts({}, {}, {Group.ALL: 1})) == []


def test_annual_counts_match_the_bundled_file_for_chicago():
    chicago = read(
        "wapo_homicides", DATA / "wapo-homicides" / "homicide-data.csv.gz", {"city": "Chicago", "state": "IL"}
    )
    table = annual_counts(chicago.counts, chicago.coverage)
    raw = pd.read_csv(DATA / "wapo-homicides" / "homicide-data.csv.gz", encoding="latin-1", dtype=str)
    raw = raw[raw["city"] == "Chicago"]
    expected = raw["reported_date"].str[:4].astype(int).value_counts().sort_index()
    every = table[table["group"] == "all"].set_index("year")
    assert every["victims"].astype(int).to_dict() == expected.to_dict()
    assert every.loc[2016, "victims"] == 765
    assert every.loc[2017, "covered"] == pytest.approx(363 / 365)
    assert every.loc[2010, "covered"] == 1.0


@pytest.fixture(scope="module")
def chicago_report(tmp_path_factory):
    """A Chicago report (bundled WaPo and census files) with the homicide estimates added as the proposed
    `sections.homicides` would add them; user strings carry HTML to check escaping."""
    from dataclasses import replace

    import trustreport as tr
    from trustreport.estimate import EstimateSet

    params = tmp_path_factory.mktemp("params") / "chicago.yaml"
    params.write_text(
        f"""
jurisdiction: chicago-il
name: "Chicago <b>IL</b>"
state: IL
data_root: {DATA}
then: {{label: "2007–2011 <i>then</i>", start: 2007-01-01, end: 2011-12-31}}
now: {{label: "2013–2017", start: 2013-01-01, end: 2017-12-31}}
sources:
  - id: wapo-homicides-chicago
    kind: wapo_homicides
    path: {DATA / "wapo-homicides" / "homicide-data.csv.gz"}
    options: {{city: Chicago, state: IL, coverage_end: 2017-12-31}}
    citation: The Washington Post
    licence: CC BY-NC-SA 4.0
  - id: census-chicago-2015
    kind: census_race
    path: {DATA / "us-cities-demographics" / "us-cities-demographics.csv.gz"}
    options: {{city: Chicago, state: Illinois}}
    citation: ACS 2015
    licence: Public domain
events:
  - {{date: 2015-11-24, label: "video <released>"}}
""",
        encoding="utf-8",
    )
    report = tr.build(params)
    p = report.params.params
    coverages = [c for s in report.sources for c in s.coverage]
    extra = []
    for period, win in ((Period.THEN, p.then), (Period.NOW, p.now)):
        extra += homicide_disparities(report.counts, win.dates, period=period, groups=p.groups)
    extra += homicides_year_to_date(report.counts, coverages, groups=[Group.ALL, *p.groups])
    return replace(report, estimates=EstimateSet(report.estimates.items + tuple(extra)))


def test_homicide_tables_show_both_references_and_escape_user_strings(chicago_report):
    from trustreport.tables.homicides import clearance_frame, homicides, victims_frame

    raw = pd.read_csv(DATA / "wapo-homicides" / "homicide-data.csv.gz", encoding="latin-1", dtype=str)
    now = raw[(raw["city"] == "Chicago") & raw["reported_date"].str[:4].between("2013", "2017")]
    black, cleared = (now["victim_race"] == "Black").sum(), (now["disposition"] == "Closed by arrest").sum()
    res = chicago_report.counts[chicago_report.counts["measure"] == "residents"].set_index("group")["value"]
    expected = (black / res["black"]) / ((len(now) - black) / (res["all"] - res["black"]))

    victims = victims_frame(chicago_report).set_index("victim race")
    assert victims.loc["white", "now (2013–2017): ratio vs white"] == "reference"
    assert victims.loc["Black", "now (2013–2017): ratio vs all others"].startswith(f"{expected:.2f} (")
    assert victims.loc["all", "now (2013–2017): victims"] == f"{len(now):,}"
    clearance = clearance_frame(chicago_report).set_index("victim race")
    assert clearance.loc["all", "now (2013–2017): cleared / victims"] == f"{cleared:,} / {len(now):,}"
    assert clearance.loc["Black", "now (2013–2017): gap vs all others"].endswith("pp)")
    page = homicides(chicago_report).data
    assert "<i>then</i>" not in page and "&lt;i&gt;then&lt;/i&gt;" in page
    assert "Homicide victims, year to date" in page and "vs all others" in page


def test_homicide_figure_titles_the_city_and_windows(chicago_report):
    from trustreport.figures.homicides import homicides

    fig = homicides(chicago_report)
    assert "Chicago <b>IL</b>" in fig._suptitle.get_text() and "2007–2011" in fig._suptitle.get_text()
    left, right = fig.axes
    assert left.get_ylabel() == "homicide victims per year" and right.get_xlabel() == "victim race"
    # The event's label is drawn as written (in the legend's numbered key), never parsed or escaped.
    assert "1  video <released>" in fig.legends[0].get_title().get_text()


def test_year_to_date_runs_to_the_params_day() -> None:
    """`options.ytd_as_of` moves the year-to-date window: Jan 1 … Jul 13 of that year vs the year before."""
    from datetime import date as _date
    from pathlib import Path as _Path

    import yaml

    from trustreport.params import load_params
    from trustreport.report import build

    root = _Path(__file__).resolve().parents[1]
    raw = yaml.safe_load((root / "params" / "baltimore.yaml").read_text())
    for source in raw["sources"]:
        source["path"] = str(root / source["path"])
    raw["options"] = {"ytd_as_of": "2016-07-13"}
    raw["data_root"] = str(root)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = _Path(tmp) / "baltimore.yaml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
        report = build(load_params(path))
    ytd = [e for e in report.estimates if e.statistic == "ytd_count" and str(e.group) == "all"]
    assert {e.window for e in ytd} == {(_date(2016, 1, 1), _date(2016, 7, 13)), (_date(2015, 1, 1), _date(2015, 7, 13))}
