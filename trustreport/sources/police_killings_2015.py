"""The Guardian's "The Counted" as published by FiveThirtyEight (`police_killings.csv`, January 1 – June 1,
2015) → daily people killed by police, by race (`police_killings`).

One row is one person killed by police, by any cause (gunshot, Taser, struck by a vehicle, death in custody), as
the Guardian had counted them on 2015-06-02 when FiveThirtyEight downloaded the data. Which rows count (options,
validated by `PoliceKillings2015Options`): `city` + `state` (where it happened, the two-letter `state`),
`state` alone, or `national: true` (every row).

Race (`raceethnicity`, one value per person; the Open Policing value set): White → white, Black → black,
Hispanic/Latino → hispanic, Asian/Pacific Islander → asian/pacific islander, Native American → other, Unknown
or empty → unknown. Groups are exclusive, so `all` is their sum. The date is `year`, `month` (an English month
name) and `day`.

Coverage is 2015-01-01 to the last date in the file. `extras["by_cause"]` (date, group, cause,
police_killings) splits each day's count by the Guardian's `cause`, so the gunshot deaths can be set beside
the Washington Post's count of fatal shootings (`metrics.police_killings.source_comparison`);
`extras["coverage"]` (start, end) holds the covered dates.

With `emit_counts: false` the killings go into `extras["by_cause"]` only, not into the counts table: a report
that also reads the Post's shootings then keeps the comparison without counting early 2015 twice. The file is
not UTF-8 (some names and places carry mis-encoded bytes), so it is read as Latin-1; only the columns named
here are read, never `name` or `streetaddress`.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import logging
from datetime import date
from pathlib import Path

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
from trustreport.sources.extras import ExtrasTable
from trustreport.vocab import Group, Measure

EXTRAS = (
    ExtrasTable("by_cause", {"date": "date", "group": "text", "cause": "text", "police_killings": "number"},
                "deaths per day, group and cause (gunshot, taser, custody, struck by vehicle)"),
    ExtrasTable("coverage", {"start": "date", "end": "date"}, "the span the file covers"),
)  # fmt: skip

log = logging.getLogger("trustreport")

COLUMNS = ("raceethnicity", "month", "day", "year", "city", "state", "cause")
ENCODING = "latin-1"
COUNT_START = date(2015, 1, 1)
_RACES: dict[str, Group] = {
    "white": Group.WHITE,
    "black": Group.BLACK,
    "hispanic/latino": Group.HISPANIC,
    "asian/pacific islander": Group.ASIAN_PI,
    "native american": Group.OTHER,
    "unknown": Group.UNKNOWN,
    "": Group.UNKNOWN,
}

LICENCE_CAVEAT = (
    "The Guardian's 2015 count of killings by police is used as FiveThirtyEight published it (CC BY 4.0): "
    "credit The Guardian (The Counted) and FiveThirtyEight."
)
ALL_KILLINGS_CAVEAT = (
    "The Guardian counted every person killed by police in 2015, by any means (gunshot, Taser, vehicle, death in "
    "custody), not only shootings. This copy stops on 2015-06-01 (downloaded by FiveThirtyEight on 2015-06-02) "
    "and was later revised by the Guardian, so it is a partial-year snapshot."
)


class PoliceKillings2015Options(StrictOptions):
    """`city` + `state`, `state`, or `national: true` (module doc); `emit_counts: false` keeps the killings out
    of the counts table (extras only)."""

    city: str | None = None
    state: common.PostalCode | None = None
    national: bool = False
    emit_counts: bool = True


def read_police_killings_2015(ctx: AdapterContext) -> SourceData:
    """Daily killings by police by race for the selected city, state or nation, January–May 2015 (module doc)."""
    opts = parse_options(PoliceKillings2015Options, ctx)
    _check_combination(opts, ctx)
    rows = _read(ctx.path)
    rows["day"] = _dates(rows, ctx.path)
    coverage_end = rows["day"].max().date()

    selected, dropped, description = _select(rows, opts, ctx)
    selected = selected.assign(
        group=_groups(selected["raceethnicity"], ctx.path),
        cause=selected["cause"].str.strip().replace("", "Unknown"),
    )
    dropped += _race_record(ctx.source_id, selected)
    by_cause = _by_cause(selected)
    caveats = [LICENCE_CAVEAT, ALL_KILLINGS_CAVEAT, description]
    coverage: list[Coverage] = []
    if opts.emit_counts:
        daily = by_cause.assign(day=by_cause["date"].dt.date).drop(columns=["date", "cause"])
        daily = daily.groupby(["day", "group"], as_index=False, sort=True).sum()
        counts = common.with_all_totals(common.daily_counts(daily, [Measure.POLICE_KILLINGS]))
        note = "the Guardian's count from 2015-01-01 to the last date in FiveThirtyEight's copy"
        coverage = [Coverage(ctx.source_id, Measure.POLICE_KILLINGS, COUNT_START, coverage_end, note)]
    else:
        counts = pd.DataFrame(columns=list(common.COUNT_COLUMNS))
        caveats.append(
            "These 2015 killings are used only to check coverage against the Post's shootings "
            "(`emit_counts: false`); they are not in the report's counts."
        )
    log.info("%s: %d of %d killings selected", ctx.source_id, len(selected), len(rows))
    return finish(
        ctx,
        common.sort_counts(counts),
        coverage=coverage,
        dropped=dropped,
        caveats=caveats,
        extras={"by_cause": by_cause, "coverage": _coverage_table(coverage_end)},
    )


def guardian_group(label: str | None) -> Group | None:
    """The Open Policing group of a `raceethnicity` value; None for a value the file does not use."""
    return _RACES.get((label or "").strip().lower())


def _groups(races: pd.Series, path: Path) -> pd.Series:
    """Each row's group; a value the mapping does not know is a SourceError naming its line (one physical line
    per row in this file)."""
    groups = races.map(guardian_group)
    if groups.isna().any():
        row = int(groups.isna().to_numpy().argmax())
        value = races.iloc[row]
        raise SourceError(path, f"unrecognised value {value!r}", column="raceethnicity", row=int(races.index[row]) + 2)
    return groups.map(str)


def _check_combination(opts: PoliceKillings2015Options, ctx: AdapterContext) -> None:
    where = ctx.params_path or ctx.path
    prefix = f"source `{ctx.source_id}` options"
    if opts.national and (opts.city or opts.state):
        raise SourceError(where, f"{prefix}: `national: true` selects every row; drop `city` and `state`")
    if not opts.national and not opts.state:
        raise SourceError(where, f"{prefix}: give `city` and `state`, `state`, or `national: true`")


def _read(path: Path) -> pd.DataFrame:
    """The named columns as strings (empty for missing), decoded as Latin-1, after checking the header."""
    common.require_file(path)
    require_columns(pd.DataFrame(columns=_header(path)), COLUMNS, path)
    try:
        return pd.read_csv(path, usecols=list(COLUMNS), dtype=str, keep_default_na=False, encoding=ENCODING)
    except (ValueError, OSError) as err:
        raise SourceError(path, f"cannot read as CSV: {str(err).splitlines()[0]}") from err


def _header(path: Path) -> list[str]:
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as raw:
            header = next(csv.reader(io.TextIOWrapper(raw, encoding=ENCODING, newline="")), None)
    except (OSError, csv.Error) as err:
        raise SourceError(path, f"cannot read the header line: {err}") from err
    if not header:
        raise SourceError(path, "file is empty (no header line)")
    return [h.strip() for h in header]


def _dates(rows: pd.DataFrame, path: Path) -> pd.Series:
    """`year`, `month` (name) and `day` as a date; a row whose parts do not make one is a SourceError.

    The line number assumes one physical line per row, which holds for this file (no quoted line breaks)."""
    text = rows["year"].str.strip() + " " + rows["month"].str.strip() + " " + rows["day"].str.strip()
    days = pd.to_datetime(text, format="%Y %B %d", errors="coerce")
    if days.isna().any():
        first = int(days.isna().to_numpy().argmax())
        raise SourceError(path, f"expected a date (year, month name, day), got {text.iloc[first]!r}", row=first + 2)
    return days


def _select(
    rows: pd.DataFrame, opts: PoliceKillings2015Options, ctx: AdapterContext
) -> tuple[pd.DataFrame, list[Dropped], str]:
    sid, path = ctx.source_id, ctx.path
    if opts.national:
        reason = "national: every killing in the file"
        caveat = Caveat(
            CaveatKind.COUNTED_HERE, "Counted here: killings by police in the whole United States (no city selected)."
        )
        return rows, [Dropped(sid, "select all rows", len(rows), len(rows), reason)], caveat
    common.check_option_value(path, "state", opts.state, rows["state"], "state")
    keep = rows["state"] == opts.state
    caveat = ""
    if opts.city:
        caveat = _absent_city(opts.city, rows.loc[keep, "city"], opts.state)
        keep &= rows["city"] == opts.city
    place = f"{opts.city}, {opts.state}" if opts.city else opts.state
    dropped = [Dropped(sid, "filter city/state", len(rows), int(keep.sum()), f"kept killings in {place}")]
    caveat = Caveat(
        CaveatKind.COUNTED_HERE, f"Counted here: killings by police that happened in {place}, by any agency.{caveat}"
    )
    return rows[keep], dropped, caveat


def _absent_city(city: str, in_state: pd.Series, state: str) -> str:
    """A city with no row had no killing in these five months (a true zero), or is misspelt: say which names
    are close, and log it, rather than fail."""
    if (in_state == city).any():
        return ""
    close = difflib.get_close_matches(city, sorted(set(in_state)), n=3, cutoff=0.6)
    log.warning("police_killings_2015: no row for %s, %s; close names: %s", city, state, close or "none")
    hint = f" (names in the file close to it: {', '.join(close)})" if close else ""
    return f" The file has no killing in {city}, {state}{hint}: counted as zero."


def _race_record(sid: str, selected: pd.DataFrame) -> list[Dropped]:
    n = len(selected)
    race = selected["raceethnicity"].str.strip().str.lower()
    steps = [
        ("recode raceethnicity Unknown", int((selected["group"] == str(Group.UNKNOWN)).sum()), "as unknown"),
        ("recode raceethnicity Native American", int((race == "native american").sum()), "as other"),
    ]
    return [Dropped(sid, step, n, n, f"{k} people counted {why}") for step, k, why in steps if k]


def _coverage_table(end: date) -> pd.DataFrame:
    """The dates the file covers, kept even with `emit_counts: false` (when there is no `Coverage` record) so the
    coverage check knows its window."""
    return pd.DataFrame({"start": [pd.Timestamp(COUNT_START)], "end": [pd.Timestamp(end)]})


def _by_cause(selected: pd.DataFrame) -> pd.DataFrame:
    """Killings by date, group and the Guardian's cause of death."""
    out = selected.groupby(["day", "group", "cause"], as_index=False, sort=True).size()
    out = out.rename(columns={"day": "date", "size": str(Measure.POLICE_KILLINGS)})
    out["date"] = pd.to_datetime(out["date"])
    return out.astype({str(Measure.POLICE_KILLINGS): "int64"}).reset_index(drop=True)
