"""metrics.lawsuits: golden values G14 (count change, docs/methods.md §2.2/§8) and G16 (CPI-U, docs/methods.md
§6/§8) through the
metric, Paterson's yearly counts and constant-dollar totals against an independent pandas computation on the
bundled file, the bootstrap's determinism, and the censoring (lag) estimates."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import by_id
from sources_helpers import DATA, ROOT, read

from trustreport.counts import validate_counts
from trustreport.metrics.lawsuits import lawsuit_count_change, lawsuits
from trustreport.metrics.settlement_lag import incomplete_from
from trustreport.vocab import Flag, Period

KIND = "fivethirtyeight_settlements"
PATERSON = DATA / "fivethirtyeight-police-settlements" / "paterson_nj" / "paterson_edited.csv.gz"
THEN = (date(2010, 1, 1), date(2014, 12, 31))
NOW = (date(2015, 1, 1), date(2019, 12, 31))
# BLS CPI-U annual averages (docs/methods.md §6 table), written out here so the test does not read the package's copy.
CPI = {2011: 224.939, 2012: 229.594, 2013: 232.957, 2014: 236.736, 2015: 237.017, 2016: 240.007}
CPI |= {2017: 245.120, 2018: 251.107, 2019: 255.657, 2020: 258.811, 2024: 313.689}


def write_csv(tmp_path, rows: list[tuple[str, float]]):
    path = tmp_path / "city.csv"
    pd.DataFrame(rows, columns=["closed_date", "amount_awarded"]).to_csv(path, index=False)
    return path


def test_g16_constant_dollars_through_the_metric(tmp_path):
    """docs/methods.md §8 G16: $1,400,000 paid in 2012 is $1,912,788 in 2024 dollars (base = the latest year paid)."""
    data = read(KIND, write_csv(tmp_path, [("2012-06-01", 1_400_000), ("2024-03-01", 1_000)]), source_id="s")
    found = by_id(lawsuits(data.counts, [data], THEN, (date(2020, 1, 1), date(2024, 12, 31))))
    total = found["settlement_usd.total_constant_usd.all.2012"]
    assert round(total.value) == 1_912_788
    assert "in 2024 dollars" in total.notes[0]
    assert found["settlement_usd.total_nominal_usd.all.2012"].value == 1_400_000


def lawsuit_counts(then_n: int, now_n: int) -> pd.DataFrame:
    """One row per case, spread over two equal five-year windows."""
    rows = [
        {"period_start": d, "period_end": d, "measure": "lawsuits", "group": "all", "value": 1.0}
        for n, start in ((then_n, THEN[0]), (now_n, NOW[0]))
        for d in pd.date_range(start, periods=n, freq="30D")
    ]
    return validate_counts(pd.DataFrame(rows).assign(jurisdiction="x", source_id="s"), path=None)


def test_g14_count_change_through_the_metric():
    """docs/methods.md §2.2 / §8 G14: 48 lawsuits in 5 years then, 18 in 5 years now → ratio 0.375, exact conditional
    p 0.000287, exact CI 0.2053–0.6566."""
    (est,) = lawsuit_count_change(lawsuit_counts(48, 18), THEN, NOW)
    assert est.statistic == "rate_change_ratio" and est.period == Period.CHANGE
    assert est.value == pytest.approx(0.375)
    assert est.p_value == pytest.approx(0.000287, abs=5e-7)
    assert est.ci == pytest.approx((0.2053, 0.6566), abs=5e-5)
    assert est.numerator == pytest.approx(18 / 5) and est.denominator == pytest.approx(48 / 5)


@pytest.fixture(scope="module")
def paterson():
    data = read(KIND, PATERSON, source_id="538-paterson")
    return data, by_id(lawsuits(data.counts, [data], THEN, NOW))


def test_paterson_years_match_pandas(paterson):
    """Independent computation on the bundled file: paid rows by year of closed_date, each deflated by the
    CPI-U of its year to 2020 dollars (the latest year paid)."""
    _, found = paterson
    raw = pd.read_csv(PATERSON, dtype=str).dropna(subset=["closed_date"])
    raw["year"] = pd.to_datetime(raw["closed_date"]).dt.year
    raw["amount"] = pd.to_numeric(raw["amount_awarded"])
    raw["constant"] = raw["amount"] * CPI[2020] / raw["year"].map(CPI)
    for year, rows in raw.groupby("year"):
        assert found[f"lawsuits.count_per_year.all.{year}"].value == len(rows)
        assert found[f"settlement_usd.total_nominal_usd.all.{year}"].value == pytest.approx(rows["amount"].sum())
        assert found[f"settlement_usd.total_constant_usd.all.{year}"].value == pytest.approx(rows["constant"].sum())
        assert found[f"settlement_usd.median_constant_usd.all.{year}"].value == pytest.approx(rows["constant"].median())
    # Coverage starts in 2011 (the first settlement), so the then window is cut to 4 years and says so.
    then = raw[raw["year"].between(2011, 2014)]
    level = found["lawsuits.count_per_year.all.then"]
    assert level.value == pytest.approx(len(then) / 4) and level.denominator == pytest.approx(4)
    assert Flag.PARTIAL_COVERAGE in level.flags and level.window == (date(2011, 1, 1), THEN[1])


def test_median_has_a_bca_interval_and_reruns_identically(paterson):
    data, found = paterson
    median = found["settlement_usd.median_constant_usd.all.now"]
    assert median.ci_method.startswith("BCa") and median.ci[0] <= median.value <= median.ci[1]
    again = lawsuits(data.counts, [data], THEN, NOW)
    first = json.dumps([e.to_json() for e in found.values()])
    assert json.dumps([e.to_json() for e in again]) == first
    ratio = found["settlement_usd.payout_change_ratio.all.change"]
    assert ratio.value == pytest.approx(ratio.numerator / ratio.denominator)
    assert 0 < ratio.p_value <= 1 and ratio.test_method.startswith("permutation")


def test_a_window_without_data_is_not_estimable(paterson):
    data, _ = paterson
    found = by_id(lawsuits(data.counts, [data], (date(2000, 1, 1), date(2004, 12, 31)), NOW))
    assert not found["lawsuits.count.all.then"].estimable
    assert "no lawsuit data in the then window" in found["lawsuits.count.all.then"].notes[0]
    assert not found["lawsuits.rate_change_ratio.all.change"].estimable


def test_lag_and_incomplete_years_when_incident_dates_exist(paterson):
    _, found = paterson
    raw = pd.read_csv(PATERSON, dtype=str).dropna(subset=["closed_date"])
    lags = (pd.to_datetime(raw["closed_date"]) - pd.to_datetime(raw["incident_date"])).dt.days / 365.25
    lag = found["lawsuits.lag_median_years.all.2011-2020"]
    assert lag.value == pytest.approx(lags.median()) and lag.numerator == len(lags)
    assert found["lawsuits.incomplete_from_year.all.2011-2020"].value == incomplete_from(
        lags.to_numpy(), date(2020, 12, 31)
    )


def test_incomplete_from_uses_the_lag_distribution():
    lags = np.array([1.0, 2.0, 3.0, 4.0])  # 75 % settle within 3 years
    assert incomplete_from(lags, date(2019, 12, 31)) == 2017  # 2017-07-01 → 2.5 years elapsed: 50 % settled
    assert incomplete_from(np.array([0.1]), date(2019, 12, 31)) is None


def test_no_settlement_source_gives_no_estimates():
    assert lawsuits(lawsuit_counts(48, 18), [], THEN, NOW) == []


# --- the table and the chart ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paterson_report(paterson):
    from trustreport.estimate import EstimateSet
    from trustreport.params import load_params
    from trustreport.report import Report

    data, found = paterson
    loaded = load_params(ROOT / "params" / "paterson.yaml")
    return Report(loaded, (data,), data.counts, pd.DataFrame(), EstimateSet(tuple(found.values())))


def test_lawsuits_table_shows_years_dollars_and_tests_from_the_estimates(paterson_report):
    from trustreport import tables

    text = tables.lawsuits(paterson_report).data
    found = paterson_report.estimates
    total_2017 = found.one(id="settlement_usd.total_constant_usd.all.2017")
    assert f"${total_2017.value:,.0f}" in text
    change = found.one(id="lawsuits.rate_change_ratio.all.change")
    assert f"p {change.p_value:.3f}" in text
    assert "in 2020 dollars" in text and "Recent years are incomplete" in text
    assert "Permutation test".lower() in text.lower() and "BCa bootstrap" in text


def test_lawsuits_chart_names_city_and_windows_and_marks_the_incomplete_band(paterson_report):
    from trustreport import figures

    fig = figures.lawsuits(paterson_report)
    top, bottom = fig.axes
    assert "Paterson, NJ" in fig.get_suptitle() and "2021-01-01" in fig.get_suptitle()
    assert top.get_ylabel() == "settled cases per year" and bottom.get_xlabel() == "year"
    assert len(top.patches) >= 10  # one bar per year, plus the window and band spans
    assert any(t.get_text().startswith("likely incomplete") for t in fig.legends[0].get_texts())


def test_a_missing_year_inside_a_window_is_not_counted_as_exposure():
    from trustreport.counts import Coverage
    from trustreport.metrics.lawsuits import covered
    from trustreport.vocab import Measure

    runs = [Coverage("s", Measure.LAWSUITS, date(2010, 1, 1), date(2013, 12, 31))]
    runs.append(Coverage("s", Measure.LAWSUITS, date(2015, 1, 1), date(2019, 12, 31)))
    window, note = covered((date(2012, 1, 1), date(2019, 12, 31)), runs)
    assert window == (date(2015, 1, 1), date(2019, 12, 31)) and "rates use that span" in note
    assert covered(NOW, runs) == (NOW, None)
