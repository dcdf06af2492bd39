"""Money over time in constant dollars (docs/methods.md §6): nominal × CPI(base year) / CPI(year paid), with the CPI-U
annual averages (BLS series CUUR0000SA0) bundled in `trustreport/reference/cpi_u_annual.csv`.

Each payment is deflated by the CPI of its own year before any sum (docs/methods.md §6); the table is read once, from
the package, so a report builds offline.
"""

from __future__ import annotations

import csv
import io
import math
import operator
from functools import cache
from importlib.resources import files
from types import MappingProxyType

from trustreport.errors import InsufficientDataError

CPI_SERIES = "CUUR0000SA0"
CPI_TABLE = "trustreport/reference/cpi_u_annual.csv"


@cache
def cpi_u_annual() -> MappingProxyType[int, float]:
    """The bundled CPI-U annual averages, year → index (1982–84 = 100), checked to be consecutive years with
    positive values."""
    text = files("trustreport").joinpath("reference", "cpi_u_annual.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table: dict[int, float] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        year, value = int(row["year"]), float(row["cpi_u"])
        if not (math.isfinite(value) and value > 0):
            raise InsufficientDataError(CPI_TABLE, f"CPI-U for {year} must be a positive number, got {value}")
        table[year] = value
    years = sorted(table)
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise InsufficientDataError(CPI_TABLE, f"expected consecutive years, got {years}")
    return MappingProxyType(table)


def cpi_years() -> tuple[int, int]:
    """The first and last year the bundled CPI-U table covers."""
    years = cpi_u_annual().keys()
    return min(years), max(years)


def cpi_u(year: int) -> float:
    """The CPI-U annual average of `year`; an error naming the year and the table's range if it is not held."""
    year = operator.index(year)
    table = cpi_u_annual()
    if year not in table:
        first, last = cpi_years()
        raise InsufficientDataError(
            CPI_TABLE,
            f"no CPI-U annual average for {year}: the bundled table (BLS {CPI_SERIES}) covers {first}–{last}",
        )
    return table[year]


def to_constant_dollars(amount: float, year: int, *, base_year: int) -> float:
    """`amount` paid in `year`, in `base_year` dollars: amount × CPI-U(base_year) / CPI-U(year) (docs/methods.md §6,
    G16: $1,400,000 in 2012 = $1,912,788 in 2024 dollars)."""
    if not math.isfinite(amount):
        raise ValueError(f"amount must be a finite number of dollars, got {amount}")
    return amount * cpi_u(base_year) / cpi_u(year)
