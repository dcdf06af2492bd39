"""NJ.com Force Report adapter. Golden: the Jersey City department page as published on force.nj.com (NJ Advance
Media, "The Force Report", 2018) — 1,150 uses of force 2012-2016, 15.9 per 1,000 arrests, subjects Black 53.6 % —
and the Newark headline comparison (Black people 133 % more likely, population basis; 203 %, arrest basis)."""

from __future__ import annotations

from datetime import date

import pytest
from sources_helpers import DATA, read, totals

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FILE = DATA / "nj-force-report-2012-2016" / "force_report_departments_parsed.csv.gz"


@pytest.fixture(scope="module")
def jersey_city():
    return read("nj_force_report", FILE, {"department": "Jersey City"}, source_id="force-report")


def _figure(data, quantity, group="all"):
    table = data.extras["force_report"]
    return table.loc[(table["quantity"] == quantity) & (table["group"] == group), "value"].item()


def test_jersey_city_published_figures(jersey_city):
    assert _figure(jersey_city, "uses_of_force") == 1150
    assert _figure(jersey_city, "per_1000_arrests") == pytest.approx(15.9)
    assert _figure(jersey_city, "subjects_share", "black") == pytest.approx(0.536)
    assert _figure(jersey_city, "population_share", "hispanic") == pytest.approx(0.270)


def test_counts_published_and_derived(jersey_city):
    incidents = totals(jersey_city, Measure.FORCE_INCIDENTS)
    assert incidents["all"] == 1150
    assert incidents["black"] == round(0.536 * 1150)
    arrests = totals(jersey_city, Measure.ARRESTS)
    assert set(arrests) == {"all"}  # UCR arrest shares have no Hispanic group: no arrests by race
    assert 1150 / arrests["all"] * 1000 == pytest.approx(15.9, abs=0.005)
    table = jersey_city.extras["force_report"]
    assert set(table.loc[table["derived"], "quantity"]) == {"force_incidents_count", "arrests_count"}
    rows = jersey_city.counts
    assert set(zip(rows["period_start"].dt.date, rows["period_end"].dt.date, strict=True)) == {
        (date(2012, 1, 1), date(2016, 12, 31))
    }


def test_caveats_say_compare_shares_not_counts(jersey_city):
    assert any("Compare shares and rates" in c for c in jersey_city.caveats)
    assert any("derived" in c for c in jersey_city.caveats)


def test_newark_has_only_the_headline_comparisons():
    newark = read("nj_force_report", FILE, {"department": "Newark", "county": "Essex"})
    assert newark.counts.empty
    assert _figure(newark, "black_vs_white_ratio_population", "black") == pytest.approx(2.33)
    assert _figure(newark, "black_vs_white_ratio_arrests", "black") == pytest.approx(3.03)
    assert any("not parsed" in c for c in newark.caveats)


def test_unknown_or_ambiguous_department():
    with pytest.raises(SourceError, match="Jersey City"):
        read("nj_force_report", FILE, {"department": "Jersey Cty"})
    with pytest.raises(SourceError, match="set option `county`"):
        read("nj_force_report", FILE, {"department": "Franklin"})
    with pytest.raises(SourceError, match="option `dept`"):
        read("nj_force_report", FILE, {"department": "Newark", "dept": "x"})


def test_missing_column_names_file(tmp_path):
    bad = tmp_path / "parsed.csv"
    bad.write_text("patrol_area,dept_county\nJersey City,Jersey City Hudson County\n")
    with pytest.raises(SourceError) as err:
        read("nj_force_report", bad, {"department": "Jersey City", "scrape_file": str(FILE.parent / "x")})
    assert err.value.column == "total_uses_of_force_2012_2016" and "parsed.csv" in str(err.value)
