"""Workforce vs residents (docs/methods.md §7). Golden values: R `segregation::dissimilarity` docs example
(docs/methods.md §7,
D = 0.6); docs/methods.md §2.1 illustration (40/500 then vs 90/250 now: difference 0.28, Newcombe (0.217, 0.345), score
z 9.54, risk-ratio score interval (3.21, 6.32)); NJ officer diversity 2021, Newark PD (docs/checkable-numbers.md
item 7);
FiveThirtyEight police-locals (docs/checkable-numbers.md item 3)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import by_id
from sources_helpers import DATA, ROOT, read

from trustreport import sections
from trustreport.counts import concat_counts, validate_counts
from trustreport.estimate import EstimateSet
from trustreport.metrics.workforce import (
    BENCHMARK_NOTE,
    dissimilarity_index,
    duncan_dissimilarity,
    officer_residency,
    representation,
    representation_change,
)
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

ROSTER = DATA / "nj-officer-diversity-2021" / "2021_NJOAGLEOD_Officer_Information.csv.gz"
CITIES = DATA / "us-cities-demographics" / "us-cities-demographics.csv.gz"
LOCALS = DATA / "fivethirtyeight-police-locals" / "police-locals.csv.gz"
Y2021 = (date(2021, 1, 1), date(2021, 12, 31))
NEWARK_GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]


def table(*rows: tuple[str, str, str, float, str]) -> pd.DataFrame:
    """Snapshot rows (year, measure, group, value, source_id), dated to the calendar year."""
    frame = pd.DataFrame(
        [(f"{y}-01-01", f"{y}-12-31", m, g, v, s) for y, m, g, v, s in rows],
        columns=["period_start", "period_end", "measure", "group", "value", "source_id"],
    )
    return validate_counts(frame.assign(jurisdiction="test-city"), path=None)


# --- dissimilarity ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "units",
    [
        [(100, 0), (60, 40), (40, 60), (0, 100)],  # R segregation docs, m1
        [(80, 20), (80, 20), (20, 80), (20, 80)],  # R segregation docs, m2
    ],
)
def test_duncan_dissimilarity_matches_the_segregation_example(units):
    a, b = zip(*units, strict=True)
    assert duncan_dissimilarity(a, b) == pytest.approx(0.6, abs=1e-12)


def test_dissimilarity_is_the_sum_of_positive_gaps():
    p, q = [0.33, 0.46, 0.20, 0.01], [0.50, 0.35, 0.10, 0.05]
    assert dissimilarity_index(p, q) == pytest.approx(sum(max(a - b, 0) for a, b in zip(p, q, strict=True)))
    with pytest.raises(ValueError):
        dissimilarity_index([0.5, 0.5], [1.0])


# --- Newark 2021: officers (NJ roster) vs residents (ACS 2015, overlapping categories) ------------------------


@pytest.fixture(scope="module")
def newark_sources():
    officers = read("nj_officer_diversity", ROSTER, {"agency": "Newark PD"}, source_id="nj-officers")
    residents = read("census_race", CITIES, {"city": "Newark", "state": "New Jersey"}, source_id="acs-newark")
    return [officers, residents]


@pytest.fixture(scope="module")
def newark(newark_sources):
    counts = concat_counts(s.counts for s in newark_sources)
    found = representation(counts, Y2021, period=Period.NOW, groups=NEWARK_GROUPS)
    return sections.with_source_caveats(found, newark_sources)


@pytest.fixture(scope="module")
def newark_residents() -> dict[str, float]:
    """Resident shares read from the census file independently of the adapter."""
    raw = pd.read_csv(CITIES, sep=";")
    city = raw[(raw["City"] == "Newark") & (raw["State"] == "New Jersey")]
    total = city["Total Population"].iloc[0]
    races = {"Black or African-American": "black", "Hispanic or Latino": "hispanic", "White": "white"}
    return {races[r]: c / total for r, c in zip(city["Race"], city["Count"], strict=True) if r in races}


def test_newark_officer_shares_are_the_rosters_counts(newark):
    """Newark PD 2021: 1,034 officers, 476 Hispanic, 341 Black, 211 White (docs/checkable-numbers.md item 7)."""
    est = by_id(newark)
    for group, k in (("hispanic", 476), ("black", 341), ("white", 211)):
        share = est[f"officers.share.{group}.now"]
        assert (share.numerator, share.denominator) == (k, 1034)
        assert share.value == pytest.approx(k / 1034)
        assert share.ci[0] < share.value < share.ci[1]


def test_newark_ratios_gaps_and_dissimilarity_are_refused_on_overlapping_residents(newark, newark_residents):
    """The ACS 2015 city table counts Hispanic residents in a race as well: its groups add up to 117 % of the
    total (144,961 + 100,432 + 76,402 + 7,349 of 281,913), so no representation ratio, gap or D is built on it."""
    est = by_id(newark)
    assert sum(newark_residents.values()) > 1.1  # black + hispanic + white alone already exceed 100 %
    for stat in ("representation_ratio", "percentage_point_gap"):
        for group in ("hispanic", "black", "white"):
            e = est[f"officers.{stat}.{group}.now"]
            assert e.value is None and Flag.NOT_ESTIMABLE in e.flags
            assert e.notes[0].startswith("not estimable: the resident groups add up to 117% of the total")
    assert est["officers.dissimilarity_index.all.now"].value is None
    assert est["officers.share.black.now"].value == pytest.approx(341 / 1034)  # officer shares stand


def test_ratios_gaps_and_dissimilarity_on_residents_that_add_up():
    """Residents counted once each (Hispanic separate): shares 50/30/20 %; officers 40/40/20 % (hand-computed:
    ratios 0.8, 1.33, 1.0; gaps −10, +10, 0 points; D = ½(0.1 + 0.1 + 0) = 0.1)."""
    counts = table(
        (2021, "officers", "black", 40, "roster"),
        (2021, "officers", "hispanic", 40, "roster"),
        (2021, "officers", "white", 20, "roster"),
        (2021, "officers", "all", 100, "roster"),
        (2021, "residents", "black", 5000, "b03002"),
        (2021, "residents", "hispanic", 3000, "b03002"),
        (2021, "residents", "white", 2000, "b03002"),
        (2021, "residents", "all", 10000, "b03002"),
    )
    est = by_id(representation(counts, Y2021, period=Period.NOW, groups=NEWARK_GROUPS))
    for group, ratio, gap in (("black", 0.8, -0.1), ("hispanic", 4 / 3, 0.1), ("white", 1.0, 0.0)):
        assert est[f"officers.representation_ratio.{group}.now"].value == pytest.approx(ratio)
        assert est[f"officers.percentage_point_gap.{group}.now"].value == pytest.approx(gap, abs=1e-12)
    assert est["officers.dissimilarity_index.all.now"].value == pytest.approx(0.1)


def test_newark_estimates_on_residents_carry_the_overlap_caveat_and_benchmark(newark):
    """The census table overlaps Hispanic with race: every estimate built on residents names that source, so
    the report's overlap flag reaches the ratios, gaps and D, but not the officer shares."""
    for e in newark:
        on_residents = e.measure == Measure.RESIDENTS or e.denominator_kind == DenominatorKind.RESIDENTS
        assert "acs-newark" in e.sources
        assert (Flag.OVERLAPPING_CATEGORIES in e.flags) == on_residents, e.id
        if e.statistic in ("representation_ratio", "percentage_point_gap", "dissimilarity_index"):
            assert BENCHMARK_NOTE in e.notes
    assert Flag.DENOMINATOR_VINTAGE in by_id(newark)["officers.share.black.now"].flags


# --- then vs now: a published "then" snapshot against the 2021 roster -----------------------------------------


def published_then(tmp_path, black: int, white: int, year: int = 2010):
    """A "then" officer snapshot entered as published aggregates (illustrative figures, cited in the row)."""
    path = tmp_path / "officers_then.csv"
    cite = "Illustrative department annual report (test fixture)"
    rows = [("black", black), ("white", white), ("all", black + white)]
    lines = ["period_start,period_end,measure,group,value,statistic,citation"]
    lines += [f"{year}-01-01,{year}-12-31,officers,{g},{v},total,{cite}" for g, v in rows]
    path.write_text("\n".join(lines) + "\n")
    return read("published_aggregates", path, source_id="published-then").counts


def residents(year: int, black: float, white: float, source: str):
    return [
        (year, "residents", "black", black, source),
        (year, "residents", "white", white, source),
        (year, "residents", "all", black + white, source),
    ]


def now_officers(black: int, white: int):
    return [
        (2021, "officers", "black", black, "roster"),
        (2021, "officers", "white", white, "roster"),
        (2021, "officers", "all", black + white, "roster"),
    ]


THEN, NOW = (date(2009, 1, 1), date(2013, 12, 31)), (date(2021, 1, 1), date(2023, 12, 31))


def test_change_reproduces_the_methods_illustration(tmp_path):
    """docs/methods.md §2.1: 40/500 then vs 90/250 now → +0.28, Newcombe (0.217, 0.345), score z 9.54; risk ratio 4.5
    with score interval (3.21, 6.32). One resident snapshot, so the representation ratio changes as the share."""
    counts = concat_counts(
        [published_then(tmp_path, 40, 460), table(*now_officers(90, 160), *residents(2015, 1000, 1000, "acs"))]
    )
    est = by_id(representation_change(counts, THEN, NOW, groups=[Group.BLACK, Group.WHITE]))
    diff = est["officers.proportion_difference.black.change"]
    assert diff.value == pytest.approx(0.28)
    assert diff.ci == pytest.approx((0.217, 0.345), abs=5e-4)
    assert diff.p_value < 1e-15 and diff.test_method == "two-proportion score test"
    assert (diff.window, diff.then_window) == (
        (date(2021, 1, 1), date(2021, 12, 31)),
        (date(2010, 1, 1), date(2010, 12, 31)),
    )
    ratio = est["officers.representation_ratio_change.black.change"]
    assert ratio.value == pytest.approx(4.5)
    assert ratio.ci == pytest.approx((3.21, 6.32), abs=5e-3)
    assert ratio.significant and ratio.p_value < 1e-10
    assert set(ratio.sources) == {"published-then", "roster", "acs"}


def test_change_scales_by_the_resident_shares(tmp_path):
    """With residents re-counted (Black 50% → 40%), RI_now/RI_then = (p_now/p_then)·(r_then/r_now)."""
    counts = concat_counts(
        [
            published_then(tmp_path, 40, 460),
            table(
                *now_officers(90, 160),
                *residents(2010, 1000, 1000, "census-2010"),
                *residents(2021, 800, 1200, "acs-2021"),
            ),
        ]
    )
    ratio = by_id(representation_change(counts, THEN, NOW, groups=[Group.BLACK]))[
        "officers.representation_ratio_change.black.change"
    ]
    assert ratio.value == pytest.approx(4.5 * 0.5 / 0.4)
    assert ratio.ci == pytest.approx((3.21 * 1.25, 6.32 * 1.25), abs=5e-3)


def test_no_change_with_one_officer_snapshot():
    counts = table(*now_officers(90, 160), *residents(2015, 1000, 1000, "acs"))
    assert representation_change(counts, THEN, NOW, groups=[Group.BLACK]) == []


def test_no_ratio_change_under_five_officers(tmp_path):
    counts = concat_counts(
        [published_then(tmp_path, 3, 497), table(*now_officers(90, 160), *residents(2015, 1000, 1000, "acs"))]
    )
    est = by_id(representation_change(counts, THEN, NOW, groups=[Group.BLACK]))
    ratio = est["officers.representation_ratio_change.black.change"]
    assert Flag.NOT_ESTIMABLE in ratio.flags and ratio.value is None and "n too small" in ratio.notes[0]
    diff = est["officers.proportion_difference.black.change"]
    assert Flag.UNSTABLE in diff.flags and diff.p_value is not None


# --- officers living in the city (FiveThirtyEight police-locals) --------------------------------------------


def locals_for(city: str):
    return [read("police_locals", LOCALS, {"city": city}, source_id="538-locals")]


def residency(city: str, groups=NEWARK_GROUPS, window=THEN):
    return by_id(officer_residency(locals_for(city), window, period=Period.THEN, groups=groups))


def test_new_york_residency_shares():
    """NYC: 62% of the force lives in the city (0.618); Black 77%, Hispanic 76%, white 45%."""
    est = residency("New York")
    assert est["officers_living_in_city.share.all.then"].value == pytest.approx(0.618, abs=5e-4)
    assert est["officers_living_in_city.share.black.then"].value == pytest.approx(0.771, abs=5e-4)
    assert est["officers_living_in_city.share.hispanic.then"].value == pytest.approx(0.763, abs=5e-4)
    assert est["officers_living_in_city.share.white.then"].value == pytest.approx(0.446, abs=5e-4)


def test_counts_get_wilson_intervals_shares_get_none():
    est = residency("Detroit")
    white, black = est["officers_living_in_city.share.white.then"], est["officers_living_in_city.share.black.then"]
    assert (round(black.value, 3), round(white.value, 3)) == (0.568, 0.082)
    assert white.ci[0] < white.value < white.ci[1] and white.ci_method.startswith("Wilson score")
    assert white.denominator_kind == DenominatorKind.OFFICERS and white.numerator / white.denominator == pytest.approx(
        white.value
    )
    assert black.ci is None and black.numerator is None
    assert any(n.startswith("share only") for n in black.notes)
    assert est["officers_living_in_city.share.all.then"].window == (date(2006, 1, 1), date(2010, 12, 31))


def test_withheld_share_is_not_estimable():
    est = residency("Newark, N.J.", groups=[Group.ASIAN_PI, Group.OTHER])
    asian = est["officers_living_in_city.share.asian/pacific islander.then"]
    assert Flag.NOT_ESTIMABLE in asian.flags and "fewer than 100" in asian.notes[0]
    assert "officers_living_in_city.share.other.then" not in est, "a group the file does not give is not shown"


def test_residency_is_reported_from_the_nearest_snapshot_and_only_with_a_source():
    later = residency("Chicago", window=NOW)
    assert later["officers_living_in_city.share.all.then"].value == pytest.approx(0.875, abs=5e-4)
    assert officer_residency([], NOW, period=Period.NOW, groups=NEWARK_GROUPS) == []


# --- the table and the chart (tables.workforce, figures.workforce) on Newark with a "then" snapshot ----------


@pytest.fixture(scope="module")
def newark_report(newark_sources, tmp_path_factory):
    """Newark as `build()` would make it with the workforce wiring: the 2021 roster, an illustrative published
    2010 snapshot, ACS 2015 residents and FiveThirtyEight residency."""
    from trustreport.params import load_params
    from trustreport.report import Report

    loaded = load_params(ROOT / "params" / "newark.yaml")
    p = loaded.params
    then_counts = published_then(tmp_path_factory.mktemp("then"), 300, 500)
    locals_ = read("police_locals", LOCALS, {"city": "Newark, N.J."}, source_id="538-locals")
    sources = [*newark_sources, locals_]
    counts = concat_counts([*(s.counts for s in sources), then_counts])
    groups = [Group.BLACK, Group.WHITE]
    found = [
        *representation(counts, p.then.dates, period=Period.THEN, groups=groups),
        *representation(counts, p.now.dates, period=Period.NOW, groups=groups),
        *representation_change(counts, p.then.dates, p.now.dates, groups=groups),
        *officer_residency(sources, p.then.dates, period=Period.THEN, groups=NEWARK_GROUPS),
    ]
    found = sections.with_source_caveats(found, sources)
    return Report(loaded, tuple(sources), counts, pd.DataFrame(), EstimateSet(tuple(found)))


def test_workforce_table_shows_change_and_residency(newark_report):
    from trustreport import tables

    page = tables.workforce(newark_report).data
    assert page.count('<table class="dataframe tr-table">') == 3
    # Black share of officers: 300 of 800 = 0.375 in 2010 (the fixture), 0.3298 in the 2021 roster: -4.52
    # points, one decimal "-4.5 pp"; the interval (-8.93, -0.12) is negative at both ends, so it reads "to"
    # (fmt.interval); p = 0.0441 to three decimals.
    diff = newark_report.estimates.one(statistic="proportion_difference", group=Group.BLACK)
    assert diff.denominator == pytest.approx(300 / 800)
    assert "-4.5 pp (-8.9 pp to -0.1 pp), p 0.044" in page
    assert "officer share 2010" in page and "officer share 2021" in page
    from trustreport.tables.workforce import residency_frame

    rows = residency_frame(newark_report.estimates).set_index("group")
    assert rows.loc["all", "officers living / working in the city"] == "560 of 2,005"
    assert rows.loc["all", "living in the city"].startswith("27.9% (")
    assert rows.loc["Black", "officers living / working in the city"] == "share only (no count in the source)"
    assert rows.loc["Black", "living in the city"] == "51.9%"
    assert "Benchmark: residents of all ages" in page and "Marks: o = census race groups overlap" in page


def test_workforce_table_escapes_and_handles_missing(newark_report):
    from dataclasses import replace

    from trustreport import tables

    empty = replace(newark_report, estimates=EstimateSet(()))
    assert tables.workforce(empty).data.startswith("<p>No officer demographics are available")
    one = EstimateSet(tuple(e for e in newark_report.estimates if e.period == Period.NOW))
    assert "Only one officer snapshot" in tables.workforce(replace(newark_report, estimates=one)).data


def test_workforce_chart_panels_titles_and_windows(newark_report):
    from dataclasses import replace

    from trustreport import figures

    fig = figures.workforce(newark_report)
    composition, over_time, living = fig.axes
    assert fig.get_suptitle() == ("Newark, NJ: who polices and who lives there, then (2009–2013) and now (2021–2023)")
    assert composition.get_ylabel() and over_time.get_xlabel() == "officer snapshot"
    # the then/now windows are shaded and the params' three events drawn on the time panel
    assert len(over_time.patches) >= 2 and len(over_time.get_lines()) >= 3
    assert [t.get_text() for t in living.get_xticklabels()] == ["all", "Black", "Hispanic", "white"]
    assert living.get_ylabel() == "share living in the city"
    assert figures.workforce(replace(newark_report, estimates=EstimateSet(()))) is None
