"""Residents by Hispanic origin and race from Census table B03002 (ACS) or P2 (decennial) → `residents` counts.

B03002 "Hispanic or Latino origin by race" and the decennial P2 "Hispanic or Latino, and not Hispanic or Latino
by race" count every resident once: Hispanic residents of any race as Hispanic, everyone else by race alone or
"two or more races". That is the Open Policing scheme, so these counts are the right denominators for police data
(docs/methods.md §7; docs/design.md "Denominators carry their definition"). Groups:

- `hispanic` = Hispanic or Latino (B03002 line 12; P2 line 2);
- `white`, `black` = not Hispanic, White alone / Black alone (lines 3, 4; P2 lines 5, 6);
- `asian/pacific islander` = not Hispanic, Asian alone + Native Hawaiian and Other Pacific Islander alone
  (lines 6 + 7; P2 8 + 9);
- `other` = not Hispanic, American Indian and Alaska Native alone + Some other race alone + Two or more races
  (lines 5 + 8 + 9; P2 7 + 10 + 11);
- `all` = Total (line 1). The groups must add up to it exactly, or the file is refused.

Three shapes are read (the first that fits):

- the Census API's JSON, a list of lists whose first row holds variable codes (`NAME`, `B03002_001E`,
  `B03002_001M`, … or `P2_001N`, … or 2010's `P002001`), optionally wrapped as `{"query": url, "retrieved":
  date, "response": [...]}` as `trustreport census` writes it;
- a data.census.gov CSV export whose first row holds the same codes (a second row of labels is skipped);
- an older American FactFinder CSV whose header holds labels (`Estimate; Not Hispanic or Latino: - White
  alone`, `Margin of Error; …`), as in the Open Policing Project's ACS tables.

ACS margins of error (90 %) are carried into the source's caveats, one per group; a group built from several
lines gets the root of the sum of squared margins (the Census Bureau's approximation for sums).
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from trustreport.caveat import Caveat, CaveatKind
from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources.base import AdapterContext, Dropped, SourceData, StrictOptions, finish, parse_options
from trustreport.vocab import Group, Measure

# group -> B03002 line numbers that make it up (each line used once; lines 10-11 and 13-21 are detail).
B03002_GROUPS: dict[Group, tuple[int, ...]] = {
    Group.HISPANIC: (12,),
    Group.WHITE: (3,),
    Group.BLACK: (4,),
    Group.ASIAN_PI: (6, 7),
    Group.OTHER: (5, 8, 9),
}
TOTAL_LINE = 1
# decennial P2 line -> the B03002 line with the same meaning
_P2_TO_B03002 = {1: 1, 2: 12, 3: 2, 5: 3, 6: 4, 7: 5, 8: 6, 9: 7, 10: 8, 11: 9}
# label path (without "Total") -> B03002 line, for label-headed exports
_LABELS = {
    (): 1,
    ("not hispanic or latino",): 2,
    ("not hispanic or latino", "white alone"): 3,
    ("not hispanic or latino", "black or african american alone"): 4,
    ("not hispanic or latino", "american indian and alaska native alone"): 5,
    ("not hispanic or latino", "asian alone"): 6,
    ("not hispanic or latino", "native hawaiian and other pacific islander alone"): 7,
    ("not hispanic or latino", "some other race alone"): 8,
    ("not hispanic or latino", "two or more races"): 9,
    ("hispanic or latino",): 12,
}
_B03002 = re.compile(r"^B03002_(\d{3})(E|M)$")
_P2_2020 = re.compile(r"^P2_(\d{3})N$")
_P2_2010 = re.compile(r"^P0?02(\d{3,4})$")
_NAME_COLUMNS = ("NAME", "Geography", "Geographic Area Name")
# The caveat's opening words, by which report code attaches it to every per-resident estimate (sections.py).
MARGIN_PREFIX = "ACS 90% margins of error on residents"
_LINE_NAMES = {
    1: "Total",
    3: "White alone",
    4: "Black alone",
    5: "American Indian and Alaska Native alone",
    6: "Asian alone",
    7: "Native Hawaiian and Other Pacific Islander alone",
    8: "Some other race alone",
    9: "Two or more races",
    12: "Hispanic or Latino",
}


class CensusPlacesOptions(StrictOptions):
    """`place` as spelled in the file's `place` column (e.g. "Newark city, New Jersey"); `vintage`: its year."""

    place: str
    vintage: int


class CensusB03002Options(StrictOptions):
    """`name`: the row's geography name (e.g. "Newark city, New Jersey"), needed when the file has several rows;
    `vintage`: the calendar year the snapshot is dated to (an ACS 5-year table's middle year, a census year)."""

    name: str | None = None
    vintage: int


@dataclass(frozen=True)
class Column:
    """One column of a Census table: the B03002 line it holds, and whether it is an estimate or a margin."""

    line: int
    margin: bool


def read_census_b03002(ctx: AdapterContext) -> SourceData:
    """Residents by mutually exclusive Hispanic origin and race from one row of a B03002 or P2 table."""
    opts = parse_options(CensusB03002Options, ctx)
    path = ctx.path
    header, rows = read_table(path)
    columns = {i: col for i, h in enumerate(header) if (col := classify(h)) is not None}
    lines = {c.line for c in columns.values() if not c.margin}
    needed = {TOTAL_LINE, *(n for ns in B03002_GROUPS.values() for n in ns)}
    if not needed <= lines:
        missing = ", ".join(f"B03002_{n:03d}E ({_LINE_NAMES[n]})" for n in sorted(needed - lines))
        raise SourceError(path, f"not a B03002/P2 table: no column for {missing}")
    line_no, row = pick_row(path, header, rows, opts.name)
    estimates, margins = _values(path, header, columns, row, line_no)

    total = estimates[TOTAL_LINE]
    values = {Group.ALL: total} | {g: sum(estimates[n] for n in ns) for g, ns in B03002_GROUPS.items()}
    parts = sum(values[g] for g in B03002_GROUPS)
    if parts != total:
        raise SourceError(
            path,
            f"groups sum to {parts:,.0f}, not to the total {total:,.0f} (Hispanic + non-Hispanic races must "
            "count every resident once)",
            row=line_no,
        )
    where = row[header.index(name_col)] if (name_col := _name_column(header)) else path.name
    merged = "; ".join(f"{g} = {' + '.join(_LINE_NAMES[n] for n in ns)}" for g, ns in B03002_GROUPS.items())
    dropped = [Dropped(ctx.source_id, "combine Census lines into Open Policing groups", 1, 1, merged)]
    caveats = [
        f"Residents of {where} by Hispanic origin and race, mutually exclusive (Hispanic residents of any race "
        "counted once, as Hispanic; the other groups are non-Hispanic), as in police data."
    ]
    if margins:
        caveats.append(margin_note(margins, opts.vintage))
    counts = common.sort_counts(common.snapshot_counts(values, Measure.RESIDENTS, opts.vintage))
    start, end = common.vintage_period(opts.vintage)
    coverage = [Coverage(ctx.source_id, Measure.RESIDENTS, start, end, f"{opts.vintage} vintage (a snapshot)")]
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=caveats)


PLACE_COLUMNS: dict[Group, str] = {g: str(g) for g in B03002_GROUPS}


def read_census_places(ctx: AdapterContext) -> SourceData:
    """Residents by Hispanic origin and race for one place and vintage from a table of published Census figures.

    The file (`data/census/places.csv`) has one row per place × vintage, entered by hand from a cited
    publication of B03002 or P2 (columns `place`, `vintage`, `table`, `all`, the five group columns, `citation`,
    `url`); the groups must add up to `all`, as in `read_census_b03002`.
    """
    opts = parse_options(CensusPlacesOptions, ctx)
    path = ctx.path
    header, rows = read_table(path)
    required = ["place", "vintage", "table", "all", *PLACE_COLUMNS.values(), "citation"]
    if missing := [c for c in required if c not in header]:
        raise SourceError(path, f"missing column(s) {', '.join(missing)}; expected {', '.join(required)}")
    ix = {c: header.index(c) for c in required}
    hits = [
        (n, r)
        for n, r in rows
        if r[ix["place"]].strip() == opts.place and r[ix["vintage"]].strip() == str(opts.vintage)
    ]
    if len(hits) != 1:
        have = sorted({f"{r[ix['place']].strip()} ({r[ix['vintage']].strip()})" for _, r in rows})
        near = difflib.get_close_matches(f"{opts.place} ({opts.vintage})", have, n=3)
        hint = f"; nearest: {', '.join(repr(x) for x in near)}" if near else ""
        raise SourceError(
            path, f"{len(hits)} rows for place {opts.place!r}, vintage {opts.vintage}{hint}", column="place"
        )
    line_no, row = hits[0]
    values = {Group.ALL: _count(path, row[ix["all"]], "all", line_no)}
    values |= {g: _count(path, row[ix[c]], c, line_no) for g, c in PLACE_COLUMNS.items()}
    parts = sum(values[g] for g in PLACE_COLUMNS)
    if parts != values[Group.ALL]:
        raise SourceError(
            path, f"groups sum to {parts:,.0f}, not to the total {values[Group.ALL]:,.0f}", column="all", row=line_no
        )
    caveats = [
        f"Residents of {opts.place} by Hispanic origin and race ({row[ix['table']].strip()}), mutually exclusive "
        "(Hispanic residents of any race counted once, as Hispanic; the other groups are non-Hispanic), as in "
        f"police data. Figures as published by: {row[ix['citation']].strip()}."
    ]
    counts = common.sort_counts(common.snapshot_counts(values, Measure.RESIDENTS, opts.vintage))
    start, end = common.vintage_period(opts.vintage)
    coverage = [Coverage(ctx.source_id, Measure.RESIDENTS, start, end, f"{opts.vintage} vintage (a snapshot)")]
    return finish(ctx, counts, coverage=coverage, caveats=caveats)


def classify(header: str) -> Column | None:
    """The B03002 line (estimate or margin) a column holds, from its variable code or its label; None if neither."""
    text = header.strip()
    if m := _B03002.match(text):
        return Column(int(m.group(1)), m.group(2) == "M")
    if m := _P2_2020.match(text):
        line = _P2_TO_B03002.get(int(m.group(1)))
        return Column(line, False) if line else None
    if m := _P2_2010.match(text):
        line = _P2_TO_B03002.get(int(m.group(1)))
        return Column(line, False) if line else None
    for prefix, margin in (("estimate", False), ("margin of error", True)):
        if text.lower().startswith(prefix):
            path = tuple(
                p.strip(" :").lower()
                for p in re.split(r";|!!| - ", text[len(prefix) :])
                if p.strip(" :") and p.strip(" :").lower() != "total"
            )
            line = _LABELS.get(path)
            return Column(line, margin) if line else None
    return None


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) rows of a Census API JSON response or a CSV export."""
    common.require_file(path)
    name = path.name.removesuffix(".gz")
    if name.endswith(".json"):
        try:
            with common.open_text(path) as fh:
                data = json.load(fh)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SourceError(path, f"not a Census API JSON response: {err}") from err
        if isinstance(data, dict):
            data = data.get("response")
        if not isinstance(data, list) or len(data) < 2 or not all(isinstance(r, list) for r in data):
            raise SourceError(path, "expected a Census API response: a list of rows, the first of variable codes")
        table = [[("" if c is None else str(c)) for c in r] for r in data]
    else:
        try:
            with common.open_text(path) as fh:
                table = list(csv.reader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            raise SourceError(path, f"cannot read as CSV: {err}") from err
        if len(table) < 2:
            raise SourceError(path, "expected a header row and at least one data row")
    header = [h.strip() for h in table[0]]
    rows = [(i + 1, r) for i, r in enumerate(table[1:], start=1)]
    # data.census.gov exports repeat the header as labels on the second row ("Estimate!!Total:").
    if rows and any(c.strip().startswith("Estimate!!") for c in rows[0][1]):
        rows = rows[1:]
    return header, rows


def pick_row(
    path: Path, header: list[str], rows: list[tuple[int, list[str]]], name: str | None
) -> tuple[int, list[str]]:
    """The one data row, or the row whose geography name is `name`."""
    if name is None:
        if len(rows) != 1:
            raise SourceError(path, f"{len(rows)} data rows: set option `name` to the geography to read")
        return rows[0]
    col = _name_column(header)
    if col is None:
        raise SourceError(path, f"option `name` given but the file has no {' / '.join(_NAME_COLUMNS)} column")
    i = header.index(col)
    hits = [(n, r) for n, r in rows if len(r) > i and r[i].strip() == name.strip()]
    if len(hits) != 1:
        names = [r[i].strip() for _, r in rows if len(r) > i]
        near = difflib.get_close_matches(name, names, n=3)
        hint = f"; nearest: {', '.join(repr(x) for x in near)}" if near else ""
        found = "no row" if not hits else f"{len(hits)} rows"
        raise SourceError(path, f"{found} with {col} = {name!r}{hint}", column=col)
    return hits[0]


def margin_note(margins: dict[Group, float], vintage: int) -> Caveat:
    """One caveat line giving each group's 90 % margin of error."""
    text = ", ".join(f"{g} ±{m:,.0f}" for g, m in margins.items())
    return Caveat(
        CaveatKind.RESIDENT_MARGINS,
        f"{MARGIN_PREFIX} (dated {vintage}): {text}; per-resident intervals treat residents as fixed.",
    )


def _values(
    path: Path, header: list[str], columns: dict[int, Column], row: list[str], line_no: int
) -> tuple[dict[int, float], dict[Group, float]]:
    estimates: dict[int, float] = {}
    raw_margins: dict[int, float] = {}
    for i, col in columns.items():
        cell = row[i].strip() if i < len(row) else ""
        if col.margin:
            value = _margin(cell)
            if value is not None:
                raw_margins[col.line] = value
            continue
        estimates[col.line] = _count(path, cell, header[i], line_no)
    margins = {
        g: math.sqrt(sum(raw_margins[n] ** 2 for n in ns))
        for g, ns in B03002_GROUPS.items()
        if all(n in raw_margins for n in ns)
    }
    return estimates, margins


def _count(path: Path, cell: str, column: str, line_no: int) -> float:
    text = cell.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or value != int(value):
        raise SourceError(path, f"expected a whole non-negative count, got {cell!r}", column=column, row=line_no)
    return value


def _margin(cell: str) -> float | None:
    """A margin of error; None for the Census's markers of a controlled estimate ("*****", blank, negative codes)."""
    text = cell.replace(",", "").replace("±", "").replace("+/-", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def _name_column(header: list[str]) -> str | None:
    return next((c for c in _NAME_COLUMNS if c in header), None)
