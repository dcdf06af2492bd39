"""FiveThirtyEight "police-locals" → `officers_living_in_city` for one city: where its police officers live.

The file (FiveThirtyEight, "Most Police Don't Live In The Cities They Serve", 2014-08-20) has one row per city
for the 75 cities with the largest police forces: `police_force_size` (officers working in the city) and, as
shares 0–1, the part of the force living inside city limits: `all`, `white` (non-Hispanic), `non-white`,
`black`, `hispanic`, `asian`. `**` marks a race with fewer than 100 officers in that city (withheld). The numbers
are Census Bureau estimates (American Community Survey 2006–2010, per FiveThirtyEight's README) for the census
occupation "police officers", which also holds sheriffs, transit police and other agencies working in the city:
this is residency of officers, not the department's roster and not its racial make-up.

What is a count and what is not:

- `all`: share × force size is a count of officers living in the city (whole to 1e-6 in every row).
- `white`: the force splits into white and non-white officers, so all = w·s_white + (1 − w)·s_non-white gives
  the white part of the force, w = (s_non-white − s_all) / (s_non-white − s_white); white officers = w × force
  size and white officers living in the city = s_white × that. Both come out whole (multiples of 5, as the
  census rounds) in every row; where they do not, or the two shares are equal, no white count is emitted.
- `black`, `hispanic`, `asian`: shares only. The file gives no number of officers of these groups, so they are
  not counts and stay out of the counts table; they are in `extras["officer_residency"]`.

Counts rows (`all`, and `white` where derivable): value = officers living in the city, `n` = officers of that
group working there; the period is the survey's vintage, 2006-01-01 … 2010-12-31 (a snapshot).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

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
from trustreport.sources.extras import ExtrasTable
from trustreport.vocab import Group, Measure

EXTRAS = (
    ExtrasTable("officer_residency", {"column": "text", "group": "text", "share": "number", "officers": "number",
                                      "living": "number", "status": "text"},
                "share of officers living in the city, by group, with the officer counts behind it"),
)  # fmt: skip

CITY = "city"
FORCE_SIZE = "police_force_size"
ALL, WHITE, NON_WHITE = "all", "white", "non-white"
# file column -> group; `non-white` has no group on the Open Policing value set and is kept in extras only.
SHARE_COLUMNS: dict[str, Group | None] = {
    ALL: Group.ALL,
    WHITE: Group.WHITE,
    NON_WHITE: None,
    "black": Group.BLACK,
    "hispanic": Group.HISPANIC,
    "asian": Group.ASIAN_PI,
}
WITHHELD = "**"
VINTAGE: tuple[date, date] = (date(2006, 1, 1), date(2010, 12, 31))
# Derived counts must be whole to this tolerance, or they are not treated as counts.
_WHOLE = 1e-3

CAVEAT = (
    "Officers living in the city (FiveThirtyEight, 2014): Census Bureau estimates from the American Community "
    "Survey 2006–2010 for the occupation 'police officers' working in the city, which also counts sheriffs, "
    "transit police and other agencies, so this is not the department's own roster; survey estimates rounded to "
    "5, with no margin of error in the file, so intervals treat them as counts and understate the uncertainty. "
    "It describes where officers live, not the force's racial make-up. 'white' means non-Hispanic white. "
    "Counts exist for all officers and (derived) white officers; Black, Hispanic and Asian figures are shares "
    "only, and groups with fewer than 100 officers were withheld by FiveThirtyEight."
)


class PoliceLocalsOptions(StrictOptions):
    """`city`: the file's `city` value, as FiveThirtyEight spells it (e.g. "Newark, N.J.", "Chicago")."""

    city: str


def read_police_locals(ctx: AdapterContext) -> SourceData:
    """Officers living in the city by group for one city, with the share table in extras (see module doc)."""
    opts = parse_options(PoliceLocalsOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    columns = [CITY, FORCE_SIZE, *SHARE_COLUMNS]
    require_columns(pd.DataFrame(columns=header), columns, path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, encoding="utf-8-sig")
    table = table.apply(lambda s: s.str.strip())
    common.check_option_value(path, "city", opts.city, table[CITY], CITY)
    matches = table.index[table[CITY] == opts.city]
    if len(matches) > 1:
        raise SourceError(path, f"option `city` = {opts.city!r} matches {len(matches)} rows", column=CITY)
    line = int(matches[0]) + 2  # the header is line 1
    row = table.loc[matches[0]]

    size = _number(path, row, FORCE_SIZE, line)
    shares = {col: _share(path, row, col, line) for col in SHARE_COLUMNS}
    residency = residency_table(size, shares)
    counts = _counts(residency)
    dropped = [
        Dropped(ctx.source_id, f"filter {CITY}", len(table), 1, f"kept {opts.city!r}"),
        *_record(ctx.source_id, residency),
    ]
    coverage = [Coverage(ctx.source_id, Measure.OFFICERS_LIVING_IN_CITY, *VINTAGE, "ACS 2006–2010 (a snapshot)")]
    extras = {"officer_residency": residency}
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=[CAVEAT], extras=extras)


def residency_table(size: float, shares: dict[str, float | None]) -> pd.DataFrame:
    """One row per file column: `column`, `group` ('' for non-white), `share`, `officers` and `living` (counts,
    NaN where the file gives none), `status` ('count', 'share only' or 'withheld'), and the vintage."""
    bases = _bases(size, shares)
    rows = []
    for col, group in SHARE_COLUMNS.items():
        share, base = shares[col], bases.get(col)
        living = _whole(share * base) if share is not None and base is not None else None
        if living is None:
            base = None
        status = "withheld" if share is None else "count" if base is not None else "share only"
        rows.append(
            {
                "column": col,
                "group": "" if group is None else str(group),
                "share": math.nan if share is None else share,
                "officers": math.nan if base is None else base,
                "living": math.nan if living is None else living,
                "status": status,
                "period_start": VINTAGE[0],
                "period_end": VINTAGE[1],
            }
        )
    return pd.DataFrame(rows)


def _bases(size: float, shares: dict[str, float | None]) -> dict[str, float]:
    """Officers of each group working in the city, where the file determines it: all, and white / non-white
    from the two-part mixture identity (module doc)."""
    out = {ALL: size}
    s_all, s_w, s_nw = shares[ALL], shares[WHITE], shares[NON_WHITE]
    if None in (s_all, s_w, s_nw) or s_w == s_nw:
        return out
    white = _whole(size * (s_nw - s_all) / (s_nw - s_w))
    if white is not None and 0 <= white <= size:
        out[WHITE], out[NON_WHITE] = white, size - white
    return out


def _whole(x: float) -> float | None:
    """x rounded to a whole number, or None when it is not within `_WHOLE` of one (then it is no count)."""
    nearest = round(x)
    return float(nearest) if abs(x - nearest) < _WHOLE else None


def _counts(residency: pd.DataFrame) -> pd.DataFrame:
    rows = residency[(residency["status"] == "count") & (residency["group"] != "")]
    out = pd.DataFrame(
        {
            "period_start": rows["period_start"],
            "period_end": rows["period_end"],
            "measure": str(Measure.OFFICERS_LIVING_IN_CITY),
            "group": rows["group"],
            "value": rows["living"],
            "n": rows["officers"],
        }
    )
    return common.sort_counts(out)


def _record(source_id: str, residency: pd.DataFrame) -> list[Dropped]:
    """What became a count, what stayed a share, and what FiveThirtyEight withheld."""
    out = []
    for r in residency.itertuples():
        if r.status == "withheld":
            reason = f"'{WITHHELD}': fewer than 100 {r.column} officers; no share given"
            out.append(Dropped(source_id, f"withheld {r.column}", 1, 0, reason))
        elif r.status == "share only":
            reason = "a share with no count of officers of that group: kept in extras, not in the counts"
            out.append(Dropped(source_id, f"share only {r.column}", 1, 0, reason))
        elif r.column == WHITE:
            reason = f"white officers {r.officers:,.0f} derived from the all / white / non-white shares"
            out.append(Dropped(source_id, "derive white count", 1, 1, reason))
    return out


def _number(path, row: pd.Series, column: str, line: int) -> float:
    try:
        value = float(row[column].replace(",", ""))
    except ValueError:
        raise SourceError(path, f"expected a number, got {row[column]!r}", column=column, row=line) from None
    if not math.isfinite(value) or value <= 0:
        raise SourceError(path, f"expected a positive number, got {row[column]!r}", column=column, row=line)
    return value


def _share(path, row: pd.Series, column: str, line: int) -> float | None:
    """A share 0–1, or None where the file withholds it (`**`)."""
    if row[column] == WITHHELD:
        return None
    try:
        value = float(row[column])
    except ValueError:
        raise SourceError(
            path, f"expected a share 0–1 or {WITHHELD!r}, got {row[column]!r}", column=column, row=line
        ) from None
    if not 0 <= value <= 1:
        raise SourceError(path, f"a share must lie between 0 and 1, got {value}", column=column, row=line)
    return value
