"""FiveThirtyEight settlements adapter on the bundled city files: FiveThirtyEight's published Cleveland totals
(data/fivethirtyeight-police-settlements/SOURCE.md, "Checks"), an independent pandas recount of Paterson and
Chicago, the city quirks (fiscal years, missing years, cases vs payments), names never read, and bad input."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, read, totals

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FOLDER = DATA / "fivethirtyeight-police-settlements"
KIND = "fivethirtyeight_settlements"
PATERSON = FOLDER / "paterson_nj" / "paterson_edited.csv.gz"
CLEVELAND = FOLDER / "cleveland_oh" / "cleveland_edited.csv.gz"
CHICAGO = FOLDER / "chicago_il" / "chicago_edited.csv.gz"
NAME_COLUMNS = ("plaintiff_name", "plaintiff", "matter_name", "plaintiff_attorney", "defendant", "police_officer")


def by_year(data, measure: Measure) -> dict[int, float]:
    rows = data.counts[data.counts["measure"] == measure.value]
    return rows.groupby(rows["period_end"].dt.year)["value"].sum().round(2).to_dict()


def test_cleveland_reproduces_fivethirtyeights_published_totals():
    """FiveThirtyEight (2021-02-22): Cleveland paid "$7.9 million" in 2017, "$6 million" in 2019, and 2019 alone
    more than all of 2010-2014 (SOURCE.md: $7,934,438, $6,046,547 and $4,507,589 in the file)."""
    data = read(KIND, CLEVELAND, {"date_column": "calendar_year"})
    dollars = by_year(data, Measure.SETTLEMENT_USD)
    assert round(dollars[2017]) == 7_934_438
    assert round(dollars[2019]) == 6_046_547
    assert round(sum(dollars[y] for y in range(2010, 2015))) == 4_507_589
    assert dollars[2019] > sum(dollars[y] for y in range(2010, 2015))
    # Year-only file: one row per year spanning it; 142 payments.
    rows = data.counts
    assert (
        (rows["period_start"].dt.strftime("%m-%d") == "01-01") & (rows["period_end"].dt.strftime("%m-%d") == "12-31")
    ).all()
    assert totals(data, Measure.LAWSUITS) == {"all": 142}


def test_paterson_yearly_counts_and_dollars_match_pandas():
    """Independent recount on the bundled file: paid rows (with a closed_date) by year of closed_date."""
    raw = pd.read_csv(PATERSON, dtype=str)
    paid = raw[raw["closed_date"].notna()].assign(amount=lambda d: pd.to_numeric(d["amount_awarded"]))
    year = pd.to_datetime(paid["closed_date"]).dt.year
    data = read(KIND, PATERSON)
    assert by_year(data, Measure.LAWSUITS) == paid.groupby(year).size().astype(float).to_dict()
    assert by_year(data, Measure.SETTLEMENT_USD) == paid.groupby(year)["amount"].sum().round(2).to_dict()
    # Daily rows: each day's count sits on that day.
    assert (data.counts["period_start"] == data.counts["period_end"]).all()
    steps = {d.step: (d.rows_in, d.rows_out) for d in data.dropped}
    assert steps["drop rows without closed_date"] == (69, 56)


def test_paterson_by_incident_date_keeps_the_year_paid():
    raw = pd.read_csv(PATERSON, dtype=str)
    paid = raw[raw["closed_date"].notna()]
    data = read(KIND, PATERSON, {"date_column": "incident_date", "first_year": 2010, "last_year": 2019})
    expected = paid.groupby(pd.to_datetime(paid["incident_date"]).dt.year).size().astype(float).to_dict()
    assert by_year(data, Measure.LAWSUITS) == expected
    payments = data.extras["payments"]
    assert (payments["paid_year"] == pd.to_datetime(payments["closed_date"]).dt.year).all()
    assert data.coverage[0].start == date(2010, 1, 1) and data.coverage[0].end == date(2019, 12, 31)
    assert any("recent years are undercounted" in c or "undercounted" in c for c in data.caveats)


def test_chicago_case_key_counts_dockets_once_and_keeps_every_dollar():
    raw = pd.read_csv(CHICAGO, dtype=str)
    data = read(KIND, CHICAGO, {"case_key": "docket_number", "category_column": "summary_allegations"})
    dockets = raw["docket_number"].str.strip().str.upper().nunique()
    assert totals(data, Measure.LAWSUITS) == {"all": dockets} == {"all": 1427}
    assert totals(data, Measure.SETTLEMENT_USD)["all"] == pytest.approx(pd.to_numeric(raw["amount_awarded"]).sum())
    categories = set(data.extras["payments"]["category"])
    assert "Dispute:General:Police Matters:False Arrest" in categories and len(categories) == 12


def test_los_angeles_fiscal_years_run_july_to_june():
    data = read(
        KIND,
        FOLDER / "los_angeles_ca" / "los_angeles_edited.csv.gz",
        {"date_column": "calendar_year", "year_start_month": 7},
    )
    first = data.counts.sort_values("period_start").iloc[0]
    assert (first["period_start"].date(), first["period_end"].date()) == (date(2009, 7, 1), date(2010, 6, 30))
    assert data.coverage[0].end == date(2020, 6, 30)
    assert totals(data, Measure.LAWSUITS) == {"all": 997}


def test_detroit_missing_year_splits_coverage_and_is_otherwise_flagged():
    path = FOLDER / "detroit_mi" / "detroit_edited.csv.gz"
    plain = read(KIND, path)
    assert any("2014" in c and "missing_years" in c for c in plain.caveats)
    marked = read(KIND, path, {"missing_years": [2014]})
    spans = sorted({(c.start, c.end) for c in marked.coverage})
    assert spans == [(date(2010, 1, 1), date(2013, 12, 31)), (date(2015, 1, 1), date(2019, 12, 31))]
    assert not any("missing_years" in c for c in marked.caveats)


def test_zero_amounts_are_dropped_and_recorded():
    data = read(KIND, FOLDER / "charleston_sc" / "charleston_edited.csv.gz")
    step = next(d for d in data.dropped if "zero" in d.step)
    assert (step.rows_in, step.rows_out) == (59, 32)
    assert totals(data, Measure.LAWSUITS) == {"all": 32}


@pytest.mark.parametrize("city", sorted(p.name for p in FOLDER.iterdir() if p.is_dir()))
def test_bundled_copy_has_no_name_column_and_still_reads(city):
    """The bundled copies dropped plaintiffs', defendants', officers' and attorneys' names and case captions
    (data/fivethirtyeight-police-settlements/SOURCE.md); every file still reads."""
    folder = FOLDER / city
    for path in sorted(folder.glob("*_edited.csv.gz")):
        raw = pd.read_csv(path, dtype=str)
        if "amount_awarded" not in raw.columns:
            continue
        column = "closed_date" if raw.get("closed_date", pd.Series(dtype=str)).notna().any() else "calendar_year"
        if raw.get(column, pd.Series(dtype=str)).notna().sum() == 0:
            continue
        assert not set(NAME_COLUMNS) & set(raw.columns), f"{path.name}: the bundled copy carries a name column"
        data = read(KIND, path, {"date_column": column})
        assert sum(totals(data, Measure.LAWSUITS).values()) > 0, path.name


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"category_column": "plaintiff_name"}, "holds names of people"),
        ({"case_key": "matter_name"}, "holds names of people"),
        ({"amount_column": "no_such_column"}, "missing column"),
        ({"year_start_month": 7}, "fiscal years apply only"),
        ({"colour": "red"}, "unknown key"),
        ({"first_year": 2019, "last_year": 2012}, "is after"),
    ],
)
def test_bad_options_name_the_source_and_option(options, message):
    with pytest.raises(SourceError, match=message):
        read(KIND, PATERSON, options)


def test_free_text_category_is_refused(tmp_path):
    """Free text can quote names (the bundled copies dropped such columns; a user's file may still have one)."""
    path = tmp_path / "city.csv"
    rows = [
        f"2015-01-{d:02d},100,Plaintiff alleges that on day {d} an officer used force during an arrest at the home"
        " of the plaintiff"
        for d in range(1, 29)
    ]
    path.write_text("closed_date,amount_awarded,summary_allegations\n" + "\n".join(rows) + "\n")
    with pytest.raises(SourceError, match="free text"):
        read(KIND, path, {"category_column": "summary_allegations"})


def test_bad_date_names_the_file_row_and_column(tmp_path):
    path = tmp_path / "city.csv"
    path.write_text("closed_date,amount_awarded\n2015-01-02,100\n03/04/2016,200\n")
    with pytest.raises(SourceError) as err:
        read(KIND, path)
    assert (err.value.column, err.value.row) == ("closed_date", 3)
    assert "city.csv" in str(err.value) and "03/04/2016" in str(err.value)


def test_missing_date_column_is_named(tmp_path):
    path = tmp_path / "city.csv"
    path.write_text("calendar_year,amount_awarded\n2015,100\n")
    with pytest.raises(SourceError, match="closed_date"):
        read(KIND, path)
