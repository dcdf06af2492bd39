"""Police-killings metrics: annual counts, the pooled per-resident disparity (golden: docs/methods.md §8 G13 and G6)
and the 2015 coverage check of the Guardian vs the Washington Post (recounted independently from the bundled
raw files)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import by_id, counts_table
from sources_helpers import DATA, read

from trustreport.counts import Coverage, concat_counts
from trustreport.metrics import police_killings as pk
from trustreport.vocab import Flag, Group, Measure, Period

GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]
NOW = (date(2021, 1, 1), date(2023, 12, 31))
WAPO = DATA / "wapo-police-shootings" / "fatal-police-shootings-data.csv.gz"
GUARDIAN = DATA / "fivethirtyeight-police-killings" / "police_killings.csv.gz"
LA = {"city": "Los Angeles", "state": "CA"}


def cover(source: str, start: date, end: date) -> Coverage:
    return Coverage(source, Measure.POLICE_KILLINGS, start, end)


@pytest.fixture(scope="module")
def wapo_la():
    return read("wapo_police_shootings", WAPO, LA, source_id="wapo-la")


@pytest.fixture(scope="module")
def guardian_la():
    return read("police_killings_2015", GUARDIAN, {**LA, "emit_counts": False}, source_id="guardian-la")


def test_annual_count_of_2022_is_the_posts_national_total_with_a_garwood_interval():
    # Washington Post, Feb 2023: 1,096 killed in 2022; this snapshot 1,095 (docs/checkable-numbers.md item 4).
    national = read("wapo_police_shootings", WAPO, {"national": True}, source_id="wapo")
    est = by_id(pk.annual_counts(national.counts, national.coverage, groups=GROUPS, now=NOW))
    e2022 = est["police_killings.annual_count.all.2022"]
    assert e2022.value == pytest.approx(1096, rel=0.005)
    assert e2022.period == Period.NOW and e2022.ci_method == "Garwood exact"
    assert e2022.ci[0] < 1095 < e2022.ci[1]
    assert est["police_killings.annual_count.all.2016"].period == Period.THEN
    partial = est["police_killings.annual_count.all.2024"]
    assert Flag.PARTIAL_COVERAGE in partial.flags and partial.window == (date(2024, 1, 1), date(2024, 4, 4))
    assert Flag.PARTIAL_COVERAGE not in e2022.flags


def test_annual_counts_equal_an_independent_recount(wapo_la):
    raw = pd.read_csv(WAPO, dtype=str, keep_default_na=False)
    la = raw[(raw["city"] == "Los Angeles") & (raw["state"] == "CA")]
    expected = la[la["race"] == "B"]["date"].str[:4].astype(int).value_counts()
    est = by_id(pk.annual_counts(wapo_la.counts, wapo_la.coverage, groups=GROUPS, now=NOW))
    for year in range(2015, 2025):
        assert est[f"police_killings.annual_count.black.{year}"].value == expected.get(year, 0)


def test_g6_garwood_interval_on_a_count_of_19():
    counts = counts_table(("2020-03-01", "2020-03-01", "police_killings", "black", 19, "s"))
    coverage = [cover("s", date(2020, 1, 1), date(2020, 12, 31))]
    est = by_id(pk.annual_counts(counts, coverage, groups=[Group.BLACK], now=NOW))[
        "police_killings.annual_count.black.2020"
    ]
    assert est.ci == pytest.approx((11.43924, 29.67085), abs=5e-6)
    assert Flag.UNSTABLE in est.flags


def test_g13_pooled_rate_ratio_is_exact_conditional():
    """G13 (docs/methods.md §8): 19 vs 28 events on equal exposure → ratio 0.679, exact CI (0.3581, 1.2591), exact
    conditional p 0.2430; here as Black vs white deaths with equal resident counts over one covered year."""
    counts = counts_table(
        ("2020-05-01", "2020-05-01", "police_killings", "black", 19, "s"),
        ("2020-06-01", "2020-06-01", "police_killings", "white", 28, "s"),
        ("2020-01-01", "2020-12-31", "residents", "black", 500_000, "acs"),
        ("2020-01-01", "2020-12-31", "residents", "white", 500_000, "acs"),
    )
    coverage = [cover("s", date(2020, 1, 1), date(2020, 12, 31))]
    est = by_id(pk.pooled_disparity(counts, coverage, groups=[Group.BLACK]))
    rr = est["police_killings.pooled_rate_ratio.black.now"]
    assert rr.value == pytest.approx(19 / 28)
    assert rr.ci == pytest.approx((0.3581, 1.2591), abs=5e-5)
    assert rr.p_value == pytest.approx(0.2430, abs=5e-5)
    assert rr.ci_method == "exact conditional (Clopper-Pearson)"
    rate = est["police_killings.pooled_rate.black.now"]
    assert rate.value == pytest.approx(19 / 500_000) and rate.scale == 100_000
    assert rate.window == (date(2020, 1, 1), date(2020, 12, 31))


def test_pooled_ratio_under_five_is_not_estimable():
    counts = counts_table(
        ("2020-05-01", "2020-05-01", "police_killings", "black", 4, "s"),
        ("2020-06-01", "2020-06-01", "police_killings", "white", 9, "s"),
        ("2020-01-01", "2020-12-31", "residents", "black", 1000, "acs"),
        ("2020-01-01", "2020-12-31", "residents", "white", 1000, "acs"),
    )
    est = by_id(pk.pooled_disparity(counts, [cover("s", date(2020, 1, 1), date(2020, 12, 31))], groups=GROUPS))
    rr = est["police_killings.pooled_rate_ratio.black.now"]
    assert rr.value is None and Flag.NOT_ESTIMABLE in rr.flags


def test_no_coverage_no_estimates():
    counts = counts_table(("2020-01-01", "2020-12-31", "residents", "black", 1000, "acs"))
    assert pk.pooled_disparity(counts, [], groups=GROUPS) == []
    assert pk.annual_counts(counts, [], groups=GROUPS, now=NOW) == []


def test_two_sources_counting_the_same_days_are_flagged(wapo_la):
    guardian = read("police_killings_2015", GUARDIAN, LA, source_id="guardian-la")
    counts = concat_counts([wapo_la.counts, guardian.counts])
    coverage = [*wapo_la.coverage, *guardian.coverage]
    est = by_id(pk.annual_counts(counts, coverage, groups=GROUPS, now=NOW))
    assert Flag.NOT_COMPARABLE in est["police_killings.annual_count.all.2015"].flags
    assert Flag.NOT_COMPARABLE not in est["police_killings.annual_count.all.2016"].flags
    pooled = pk.pooled_disparity(counts, coverage, groups=GROUPS)
    assert all(Flag.NOT_COMPARABLE in e.flags for e in pooled)
    assert any("emit_counts: false" in n for n in pooled[0].notes)


def test_source_comparison_recounts_both_files(wapo_la, guardian_la):
    est = by_id(pk.source_comparison([wapo_la, guardian_la], groups=GROUPS))
    g = pd.read_csv(GUARDIAN, dtype=str, keep_default_na=False, encoding="latin-1")
    g = g[(g["city"] == "Los Angeles") & (g["state"] == "CA")]
    w = pd.read_csv(WAPO, dtype=str, keep_default_na=False)
    w = w[(w["city"] == "Los Angeles") & (w["state"] == "CA") & w["date"].between("2015-01-01", "2015-06-01")]
    assert est["police_killings.guardian_killings.all.then"].value == len(g) == 9
    assert est["police_killings.guardian_gunshot_deaths.all.then"].value == (g["cause"] == "Gunshot").sum()
    assert est["police_killings.wapo_fatal_shootings.all.then"].value == len(w)
    assert est["police_killings.wapo_fatal_shootings.black.then"].value == (w["race"] == "B").sum()
    share = est["police_killings.wapo_share_of_guardian_gunshots.all.then"]
    assert share.value == pytest.approx(len(w) / (g["cause"] == "Gunshot").sum())
    assert share.ci is None and share.significant is None
    assert share.window == (date(2015, 1, 1), date(2015, 6, 1))
    assert any(n.startswith("Coverage check") for n in share.notes)
    assert any(n.startswith("wapo-la: Counted here") for n in share.notes)


def test_source_comparison_needs_both_sources(wapo_la):
    assert pk.source_comparison([wapo_la], groups=GROUPS) == []


def test_source_comparison_share_without_gunshots_is_not_estimable(wapo_la):
    guardian = read("police_killings_2015", GUARDIAN, {"city": "Newark", "state": "NJ"}, source_id="g")
    newark = read("wapo_police_shootings", WAPO, {"city": "Newark", "state": "NJ"}, source_id="w")
    est = by_id(pk.source_comparison([newark, guardian], groups=GROUPS))
    share = est["police_killings.wapo_share_of_guardian_gunshots.all.then"]
    assert share.value is None and Flag.NOT_ESTIMABLE in share.flags
    assert est["police_killings.guardian_killings.all.then"].value == 0


# Presentation: the section's table and chart on a Los Angeles report (WaPo by place, the Guardian for the
# coverage check only, ACS 2015 residents), with this module's estimates added as report.build() will add them.

PARAMS = """
jurisdiction: los-angeles-ca
name: Los Angeles, CA <script>
state: CA
data_root: {data}
then: {{label: "2015–2016", start: 2015-01-01, end: 2016-12-31}}
now: {{label: "2022–2023", start: 2022-01-01, end: 2023-12-31}}
groups: [black, hispanic, white]
sources:
  - {{id: wapo-la, kind: wapo_police_shootings, path: {wapo}, options: {{city: Los Angeles, state: CA}},
     citation: Washington Post Fatal Force, licence: CC BY-NC-SA 4.0}}
  - {{id: guardian-la, kind: police_killings_2015, path: {guardian},
     options: {{city: Los Angeles, state: CA, emit_counts: false}}, citation: The Guardian via 538, licence: CC BY 4.0}}
  - {{id: acs-la, kind: census_race, path: {acs}, options: {{city: Los Angeles, state: California}},
     citation: ACS 2015, licence: Public domain}}
events:
  - {{date: 2020-06-01, label: "An event"}}
"""


@pytest.fixture(scope="module")
def la_report(tmp_path_factory):
    from dataclasses import replace

    from trustreport.estimate import EstimateSet
    from trustreport.report import build

    path = tmp_path_factory.mktemp("params") / "la.yaml"
    acs = DATA / "us-cities-demographics" / "us-cities-demographics.csv.gz"
    path.write_text(PARAMS.format(wapo=WAPO, guardian=GUARDIAN, acs=acs, data=DATA))
    report = build(path)
    p = report.params.params
    coverage = [c for s in report.sources for c in s.coverage]
    common = dict(groups=p.groups, level=p.options.level)
    extra = [
        *pk.annual_counts(report.counts, coverage, now=p.now.dates, **common),
        *pk.pooled_disparity(report.counts, coverage, reference=p.reference_group, **common),
        *pk.source_comparison(report.sources, **common),
    ]
    return replace(report, estimates=EstimateSet((*report.estimates, *extra)))


def test_table_fragments(la_report):
    from trustreport import tables

    html = tables.police_killings(la_report).data
    assert "<h3>Over the whole data span (2015-01-01 to 2024-04-04)</h3>" in html
    assert "<th>ratio vs white</th>" in html
    assert "<td>Los Angeles Police Department</td>" in html
    assert "<h3>Coverage check: two counts of 2015-01-01 to 2015-06-01</h3>" in html
    assert "<td>0 [p,u]</td>" in html  # 2024, Black: part of the year, unstable
    assert "p = data cover only part of the window" in html
    assert "<script>" not in html


def test_table_without_data_says_so(la_report):
    from dataclasses import replace

    from trustreport import tables
    from trustreport.estimate import EstimateSet

    empty = replace(la_report, estimates=EstimateSet(()), sources=())
    assert "No data on people killed by police" in tables.police_killings(empty).data


def test_chart_title_axes_and_windows(la_report):
    from trustreport import figures

    fig = figures.police_killings(la_report)
    left, right = fig.axes
    assert (
        fig._suptitle.get_text()
        == "Los Angeles, CA <script>: people killed by police, then (2015–2016) and now (2022–2023)"
    )
    assert left.get_ylabel() == "people killed by police per year" and left.get_xlabel().startswith("year")
    assert right.get_ylabel() == "per 100,000 residents per year"
    # mark_windows_and_events drew the event: a numbered badge on the panel, its label in the legend's key
    assert [t.get_text() for t in left.texts] == ["1"]
    assert "1  An event" in fig.legends[0].get_title().get_text()
    assert len(left.patches) >= 2  # then and now shading
