"""Residents by race from census tables → `residents` counts for one vintage (a snapshot, never summed).

Two kinds of table:

- `census_race` (`read_census_race`): the OpenDataSoft "US City Demographic Data" file (ACS 2015): semicolon-
  separated, one row per city × race, with `Total Population` repeated on every row. Its categories
  **overlap**: "Hispanic or Latino" is an ethnicity and those residents are also counted in a race, so `white`
  includes Hispanic white residents and the groups do not sum to `all`. Every result carries the caveat
  `OVERLAP_CAVEAT` (kind `overlapping categories`) so that report code can flag per-resident ratios built on
  it. "American Indian and Alaska Native" is dropped (recorded): alone it is only part of the Open Policing
  `other` group, which also holds multiracial and some-other-race residents that this file does not give, so calling it
  `other` would understate that group. `asian/pacific islander` is the file's "Asian" row (it has no Pacific
  Islander row).
- `acs_demographics` (`read_acs_demographics`): a one-row wide ACS table (e.g. `hartford_2015_demo.csv`) whose
  race columns are non-Hispanic and mutually exclusive: hispanic, white, black, asian/pacific islander (Asian
  + Native Hawaiian and Other Pacific Islander), other (American Indian + Some other race + Two or more
  races), all (Total population). The race columns must sum to the total, or the table is refused.

Both date the snapshot to the calendar year of `vintage` (e.g. 2015-01-01 … 2015-12-31).
"""

from __future__ import annotations

import pandas as pd

from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources.base import (
    AdapterContext,
    Dropped,
    SourceData,
    StrictOptions,
    finish,
    parse_options,
    require_columns,
)
from trustreport.vocab import Group, Measure

OVERLAP_CAVEAT = Caveat(
    CaveatKind.OVERLAPPING_CATEGORIES,
    "Overlapping categories: in this census table 'Hispanic or Latino' is an ethnicity and Hispanic "
    "residents are also counted in a race (White, Black, Asian), so the groups overlap, do not add up to "
    "the total, and 'white' includes Hispanic white residents. Police data count Hispanic people only as "
    "Hispanic, so per-resident ratios built on these counts are approximate.",
)

_CITY_COLUMNS = ("City", "State", "Race", "Count", "Total Population")
_CITY_RACES: dict[str, Group | None] = {
    "black or african-american": Group.BLACK,
    "hispanic or latino": Group.HISPANIC,
    "white": Group.WHITE,
    "asian": Group.ASIAN_PI,
    "american indian and alaska native": None,  # dropped: see the module docstring
}

# group -> the wide table's columns that make it up (each column used exactly once).
_ACS_GROUPS: dict[Group, tuple[str, ...]] = {
    Group.HISPANIC: ("Hispanic",),
    Group.WHITE: ("White",),
    Group.BLACK: ("Black",),
    Group.ASIAN_PI: ("Asian", "Native Hawaiian and Other Pacific Islander"),
    Group.OTHER: ("American Indian", "Some other race", "Two or more races"),
}
_ACS_TOTAL = "Total population"


class CensusRaceOptions(StrictOptions):
    """`city` and `state` (full name, e.g. "New Jersey") as spelled in the file; `vintage`: survey year."""

    city: str
    state: str
    vintage: int = 2015


class AcsDemographicsOptions(StrictOptions):
    """`vintage`: the survey year the one-row table describes."""

    vintage: int = 2015


def read_census_race(ctx: AdapterContext) -> SourceData:
    """Residents of one city by race (overlapping categories) from the US City Demographic Data file."""
    opts = parse_options(CensusRaceOptions, ctx)
    path = ctx.path
    header = common.csv_header(path, sep=";")
    require_columns(pd.DataFrame(columns=header), _CITY_COLUMNS, path)
    table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, usecols=list(_CITY_COLUMNS))
    table = table.apply(lambda s: s.str.strip())

    city = table[(table["City"] == opts.city.strip()) & (table["State"] == opts.state.strip())]
    if city.empty:
        _raise_not_found(path, table, opts)
    if city["Race"].duplicated().any():
        race = city.loc[city["Race"].duplicated(), "Race"].iloc[0]
        raise SourceError(path, f"{opts.city}, {opts.state} has more than one row for {race!r}", column="Race")

    total = _one_total(path, city)
    values: dict[Group, float] = {Group.ALL: total}
    dropped: list[Dropped] = []
    for _, row in city.iterrows():
        label = row["Race"].lower()
        if label not in _CITY_RACES:
            line = common.first_line_where(path, "Race", lambda v, r=row["Race"]: v == r, sep=";")
            raise SourceError(path, f"unrecognised value {row['Race']!r}", column="Race", row=line)
        group = _CITY_RACES[label]
        if group is None:
            dropped.append(
                Dropped(
                    ctx.source_id,
                    f"drop {row['Race']}",
                    len(city),
                    len(city) - 1,
                    f"{_number(path, row, 'Count'):,.0f} residents: alone they are only part of the Open "
                    "Policing 'other' group (this file has no multiracial or some-other-race rows), so "
                    "they are not counted as other",
                )
            )
            continue
        values[group] = _number(path, row, "Count")

    caveats = [
        OVERLAP_CAVEAT,
        "'asian/pacific islander' residents are the table's Asian row only (no Pacific Islander row).",
    ]
    missing = [g for g in (Group.BLACK, Group.HISPANIC, Group.WHITE, Group.ASIAN_PI) if g not in values]
    if missing:
        names = ", ".join(str(g) for g in missing)
        caveats.append(f"The table has no row for {names} in {opts.city}: those residents are missing, not zero.")
    return _snapshot(ctx, values, opts.vintage, dropped, caveats)


def read_acs_demographics(ctx: AdapterContext) -> SourceData:
    """Residents by mutually exclusive race/ethnicity from a one-row wide ACS table; race columns must sum."""
    opts = parse_options(AcsDemographicsOptions, ctx)
    path = ctx.path
    common.require_file(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.columns = [c.strip() for c in table.columns]
    race_columns = [c for cols in _ACS_GROUPS.values() for c in cols]
    require_columns(table, [_ACS_TOTAL, *race_columns], path)
    if len(table) != 1:
        raise SourceError(path, f"expected exactly one data row, found {len(table)}")
    row = table.iloc[0]

    total = _number(path, row, _ACS_TOTAL, line=2)
    parts = {c: _number(path, row, c, line=2) for c in race_columns}
    if sum(parts.values()) != total:
        raise SourceError(
            path,
            f"race/ethnicity columns sum to {sum(parts.values()):,.0f}, not to the total {total:,.0f}; "
            "they are expected to be mutually exclusive (non-Hispanic races plus Hispanic)",
            column=_ACS_TOTAL,
        )
    values = {Group.ALL: total} | {g: sum(parts[c] for c in cols) for g, cols in _ACS_GROUPS.items()}
    merged = "; ".join(f"{g} = {' + '.join(cols)}" for g, cols in _ACS_GROUPS.items() if len(cols) > 1)
    dropped = [Dropped(ctx.source_id, "combine race columns", 1, 1, merged)]
    caveats = [
        "Residents by race are non-Hispanic and mutually exclusive (Hispanic residents of any race are "
        "counted only as Hispanic), as in police data."
    ]
    return _snapshot(ctx, values, opts.vintage, dropped, caveats)


def _snapshot(ctx: AdapterContext, values, vintage: int, dropped, caveats) -> SourceData:
    counts = common.sort_counts(common.snapshot_counts(values, Measure.RESIDENTS, vintage))
    start, end = common.vintage_period(vintage)
    coverage = [Coverage(ctx.source_id, Measure.RESIDENTS, start, end, f"{vintage} vintage (a snapshot)")]
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=caveats)


def _number(path, row: pd.Series, column: str, *, line: int | None = None) -> float:
    """A non-negative whole count from a cell (thousands separators allowed)."""
    text = str(row[column]).replace(",", "").strip()
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or value != int(value):
        raise SourceError(path, f"expected a whole non-negative count, got {row[column]!r}", column=column, row=line)
    return value


def _one_total(path, city: pd.DataFrame) -> float:
    totals = {_number(path, row, "Total Population") for _, row in city.iterrows()}
    if len(totals) != 1:
        raise SourceError(path, f"rows of one city disagree on the total: {sorted(totals)}", column="Total Population")
    return totals.pop()


def _raise_not_found(path, table: pd.DataFrame, opts: CensusRaceOptions) -> None:
    """Say which of `city`/`state` matches nothing, with the nearest spellings in the file."""
    if opts.state.strip() not in set(table["State"]):
        common.check_option_value(
            path,
            "state",
            opts.state,
            table["State"],
            "State",
            where=" (the full state name, e.g. 'New Jersey')",
        )
    in_state = table.loc[table["State"] == opts.state.strip(), "City"]
    common.check_option_value(path, "city", opts.city, in_state, "City", where=f" in state {opts.state!r}")
    raise AssertionError("unreachable: the city was found after all")
