"""Constant dollars from the bundled CPI-U table (docs/methods.md §6, golden test G16)."""

from __future__ import annotations

from importlib.resources import files

import pytest

from trustreport.errors import InsufficientDataError
from trustreport.stats.dollars import cpi_u, cpi_u_annual, cpi_years, to_constant_dollars

# docs/methods.md §6, BLS CUUR0000SA0 annual averages.
METHODS_TABLE = {
    2000: 172.2, 2001: 177.1, 2002: 179.9, 2003: 184.0, 2004: 188.9,
    2005: 195.3, 2006: 201.6, 2007: 207.342, 2008: 215.303, 2009: 214.537, 2010: 218.056, 2011: 224.939,
    2012: 229.594, 2013: 232.957, 2014: 236.736, 2015: 237.017, 2016: 240.007, 2017: 245.120, 2018: 251.107,
    2019: 255.657, 2020: 258.811, 2021: 270.970, 2022: 292.655, 2023: 304.702, 2024: 313.689, 2025: 321.943,
}  # fmt: skip


def test_g16_settlement_in_2024_dollars() -> None:
    """G16 (docs/methods.md §8): 1,400,000 paid in 2012 = 1,912,788 in 2024 dollars (`value*313.689/229.594`),
    within $1;
    the same as the `cpi` package's `cpi.inflate(1_400_000, 2012, to=2024)`."""
    real = to_constant_dollars(1_400_000, 2012, base_year=2024)
    assert real == pytest.approx(1_912_788, abs=1.0)
    assert real == pytest.approx(1_400_000 * 313.689 / 229.594, rel=1e-15)


def test_table_is_the_methods_table() -> None:
    assert dict(cpi_u_annual()) == METHODS_TABLE
    assert cpi_years() == (2000, 2025)


def test_same_year_is_unchanged_and_round_trip() -> None:
    assert to_constant_dollars(51_000, 2016, base_year=2016) == 51_000
    there = to_constant_dollars(51_000, 2016, base_year=2005)
    assert to_constant_dollars(there, 2005, base_year=2016) == pytest.approx(51_000, rel=1e-12)
    assert to_constant_dollars(0.0, 2010, base_year=2024) == 0.0


def test_deflation_2009_the_one_year_prices_fell() -> None:
    """2009 CPI-U (214.537) is below 2008 (215.303): a 2008 dollar is worth more than one 2009 dollar."""
    assert to_constant_dollars(1.0, 2008, base_year=2009) < 1.0


@pytest.mark.parametrize(("year", "base_year", "missing"), [(1999, 2024, 1999), (2012, 2026, 2026)])
def test_year_outside_the_table_names_year_and_range(year: int, base_year: int, missing: int) -> None:
    with pytest.raises(InsufficientDataError) as err:
        to_constant_dollars(1_000, year, base_year=base_year)
    message = str(err.value)
    assert str(missing) in message
    assert "2000–2025" in message
    assert "CUUR0000SA0" in message
    assert "cpi_u_annual.csv" in message


def test_year_must_be_an_integer() -> None:
    with pytest.raises(TypeError):
        cpi_u(2012.5)  # type: ignore[arg-type]


def test_amount_must_be_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        to_constant_dollars(float("nan"), 2012, base_year=2024)


def test_table_ships_inside_the_package_with_its_source() -> None:
    """The CPI table is package data (read through importlib.resources, not a path under the repo), and
    names its series and licence."""
    ref = files("trustreport").joinpath("reference")
    table = ref.joinpath("cpi_u_annual.csv").read_text(encoding="utf-8")
    assert "CUUR0000SA0" in table.splitlines()[0]
    assert "public domain" in table.lower()
    source = ref.joinpath("SOURCE.md").read_text(encoding="utf-8")
    assert "CUUR0000SA0" in source and "public domain" in source.lower()
