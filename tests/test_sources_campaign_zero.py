"""The `campaign_zero_ca_scorecard` adapter on the bundled scorecard inputs (data/campaignzero-ca-police-scorecard).

Expected numbers are the file's own cells (read by eye from the CSV) and the scorecard's published ratios
(docs/anchors.md C1, C3: Oakland Black drug-possession arrest disparity 9.190755; Los Angeles Black deadly force
disparity per population (46/335,334)/(27/1,128,234) = 5.732125).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from conftest import by_id, counts_table
from sources_helpers import DATA, read

from trustreport.errors import SchemaError, SourceError
from trustreport.metrics.disparity import per_resident_disparity
from trustreport.sources.campaign_zero import EXTRAS
from trustreport.sources.extras import check_extras
from trustreport.vocab import Group, Measure, Period

FILE = DATA / "campaignzero-ca-police-scorecard" / "disparity_analysis_2016-2018.csv"
SPAN = (date(2016, 1, 1), date(2018, 12, 31))
GROUPS = [Group.BLACK, Group.HISPANIC, Group.WHITE]


def scorecard(agency: str):
    return read("campaign_zero_ca_scorecard", FILE, {"agency": agency}, source_id="cz")


def value(source, measure: Measure, group: Group) -> float:
    rows = source.counts[(source.counts["measure"] == measure) & (source.counts["group"] == group)]
    assert len(rows) == 1
    return float(rows["value"].iloc[0])


def test_oakland_counts_are_the_file_cells():
    oakland = scorecard("Oakland Police Department")
    assert value(oakland, Measure.ARRESTS, Group.BLACK) == pytest.approx(19172.424477, abs=1e-6)
    assert value(oakland, Measure.ARRESTS, Group.WHITE) == pytest.approx(3051.563499, abs=1e-6)
    assert value(oakland, Measure.FORCE_SUBJECTS, Group.BLACK) == 1
    assert value(oakland, Measure.FORCE_SUBJECTS, Group.HISPANIC) == 0  # a true zero, as a row
    assert value(oakland, Measure.RESIDENTS, Group.BLACK) == 100_523
    assert value(oakland, Measure.RESIDENTS, Group.WHITE) == 118_302
    arrests = oakland.counts[oakland.counts["measure"] == Measure.ARRESTS]
    assert set(arrests["period_start"]) == {pd.Timestamp("2016-01-01")}
    assert set(arrests["period_end"]) == {pd.Timestamp("2018-12-31")}
    assert {c.measure for c in oakland.coverage} == {Measure.ARRESTS, Measure.FORCE_SUBJECTS, Measure.RESIDENTS}
    assert "imputed" in oakland.caveats[0]


def test_c1_oakland_drug_arrest_disparity_from_extras():
    """C1: (656/100,523)/(84/118,302) = 9.190755, from the drug-possession extras and the residents."""
    oakland = scorecard("Oakland Police Department")
    drug = oakland.extras["drug_possession_arrests"].set_index("group")["value"]
    assert drug[Group.BLACK] == 656 and drug[Group.WHITE] == 84
    published = oakland.extras["published_disparities"].set_index(["group", "statistic"])["value"]
    assert published[(Group.BLACK, "drug_possession_arrest_disparity")] == pytest.approx(9.190755, abs=1e-6)
    counts = counts_table(
        ("2016-01-01", "2018-12-31", "arrests", "black", drug[Group.BLACK], "cz"),
        ("2016-01-01", "2018-12-31", "arrests", "white", drug[Group.WHITE], "cz"),
        ("2016-01-01", "2016-12-31", "residents", "black", 100_523, "cz"),
        ("2016-01-01", "2016-12-31", "residents", "white", 118_302, "cz"),
    )
    est = by_id(per_resident_disparity(counts, Measure.ARRESTS, SPAN, period=Period.NOW, groups=[Group.BLACK]))
    assert est["arrests.rate_ratio.black.now"].value == pytest.approx(9.190755, abs=1e-6)


def test_c3_los_angeles_deadly_force_per_resident_from_the_counts():
    """C3: (46/335,334)/(27/1,128,234) = 5.732125, straight from the adapter's counts."""
    la = scorecard("Los Angeles Police Department")
    found = per_resident_disparity(la.counts, Measure.FORCE_SUBJECTS, SPAN, period=Period.NOW, groups=GROUPS)
    assert by_id(found)["force_subjects.rate_ratio.black.now"].value == pytest.approx(5.732125, abs=1e-6)


def test_blank_drug_arrests_are_zero_and_recorded():
    """San Francisco's Hispanic drug-possession cell is blank; the scorecard reads it as 0."""
    sf = scorecard("San Francisco Police Department")
    drug = sf.extras["drug_possession_arrests"].set_index("group")["value"]
    assert drug[Group.HISPANIC] == 0
    assert [d.step for d in sf.dropped if d.step.startswith("blank")] == ["blank Hispanic Drug Possession Arrests"]


def test_published_ratios_blank_where_there_were_no_white_victims():
    oakland = scorecard("Oakland Police Department")  # 2 white victims: ratios published
    alameda = scorecard("Alameda Police Department")
    assert not oakland.extras["published_disparities"]["value"].isna().any()
    blank = alameda.extras["published_disparities"].set_index(["group", "statistic"])["value"]
    assert blank[(Group.BLACK, "deadly_force_disparity_per_arrest")] == 0  # the file says 0
    alhambra = scorecard("Alhambra Police Department").extras["published_disparities"]
    per_pop = alhambra.set_index(["group", "statistic"])["value"]
    assert math.isnan(per_pop[(Group.BLACK, "deadly_force_disparity_per_population")])


def test_unknown_agency_names_the_option_and_suggests():
    expected = r"option `agency` = 'Oakland Police Dept' matches no row; did you mean 'Oakland Police Department'"
    with pytest.raises(SourceError, match=expected):
        scorecard("Oakland Police Dept")


def test_extras_are_checked_against_their_declared_schema():
    oakland = scorecard("Oakland Police Department")
    check_extras(FILE, oakland.extras, EXTRAS)
    with pytest.raises(SchemaError, match="not declared"):
        check_extras(FILE, {**oakland.extras, "other": pd.DataFrame()}, EXTRAS)
    wrong = oakland.extras["drug_possession_arrests"].assign(value="many")
    with pytest.raises(SchemaError, match="expected number"):
        check_extras(FILE, {**oakland.extras, "drug_possession_arrests": wrong}, EXTRAS)
