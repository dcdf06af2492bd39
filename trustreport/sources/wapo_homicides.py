"""Washington Post homicides in 50 large US cities (`homicide-data.csv`) → daily homicide victims and homicides
cleared by arrest, by victim race, for one city.

One row of the file is one homicide victim. For the city chosen by the `city` and `state` options (spelled as the
file spells them, e.g. Milwaukee's state is `wI`):

- `homicide_victims`: every victim with a valid `reported_date`, on that date;
- `homicides_cleared`: victims whose `disposition` is "Closed by arrest" (the Post's "arrest rate"). "Closed
  without arrest" (exceptionally cleared, e.g. the suspect died) is **not** counted as cleared, as the Post did;
  a caveat gives its count.
- Victim race: Black → black, Hispanic → hispanic, White → white, Asian → asian/pacific islander, Other → other,
  Unknown or empty → unknown (recorded). The Post's race values are exclusive (Hispanic is its own value), so
  `all` is the sum over groups.

`reported_date` is an integer YYYYMMDD; a value that is not a calendar date (the file has two, e.g.
`201511105`) is dropped and recorded. Coverage runs from the city's first to its last reported date, or from
`coverage_start` / `coverage_end` when given (rows outside them are dropped and recorded); a calendar year with
far fewer victims than the city's median year gets a caveat, since the file then probably does not cover it.

`extras["dispositions"]`: columns date, group, closed_by_arrest, closed_without_arrest, open_no_arrest (daily
victims by disposition; group `all` included), for checking against the Post's published figures.

Only `uid`, `reported_date`, `victim_race`, `city`, `state` and `disposition` are read: the victim name columns
(`victim_last`, `victim_first`) are never selected, so no name can reach any output. The file is not valid UTF-8
(accented names) and is read as Latin-1. Licence: CC BY-NC-SA 4.0 (The Washington Post), carried as a caveat.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd
from pydantic import model_validator

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
    ExtrasTable("dispositions", {"date": "date", "group": "text", "closed_by_arrest": "number",
                                 "closed_without_arrest": "number", "open_no_arrest": "number"},
                "homicides per day and victim group by disposition"),
)  # fmt: skip

log = logging.getLogger("trustreport")

COLUMNS = ("uid", "reported_date", "victim_race", "city", "state", "disposition")
ENCODING = "latin-1"
CLOSED_BY_ARREST = "Closed by arrest"
CLOSED_WITHOUT_ARREST = "Closed without arrest"
OPEN_NO_ARREST = "Open/No arrest"
DISPOSITIONS: dict[str, str] = {
    CLOSED_BY_ARREST: "closed_by_arrest",
    CLOSED_WITHOUT_ARREST: "closed_without_arrest",
    OPEN_NO_ARREST: "open_no_arrest",
}
RACES: dict[str, Group] = {
    "black": Group.BLACK,
    "hispanic": Group.HISPANIC,
    "white": Group.WHITE,
    "asian": Group.ASIAN_PI,
    "other": Group.OTHER,
    "unknown": Group.UNKNOWN,
    "": Group.UNKNOWN,
}
# A calendar year with fewer victims than this share of the city's median year is probably not fully covered.
SPARSE_YEAR_SHARE = 0.25

LICENCE_CAVEAT = (
    "Homicide data: The Washington Post, 'Where killings go unsolved' (2018-06-06) homicide database, licensed "
    "CC BY-NC-SA 4.0 (NonCommercial, ShareAlike): a report or dataset that includes them passes these terms on."
)
CENSORING_CAVEAT = (
    "Clearance is as of the Post's 2018 extract: the most recent homicides had the least time to be solved, so "
    "clearance in the last year or two is biased down against earlier years, and a then-vs-now fall in clearance "
    "is partly this lag."
)
DATE_CAVEAT = "Homicides are dated by the Post's `reported_date`, the date the homicide was reported."


class WapoHomicidesOptions(StrictOptions):
    """`city`, `state`: as spelled in the file (e.g. "Chicago", "IL"); `coverage_start`, `coverage_end`: the
    dates the file is taken to cover for the city (default: its first and last reported date)."""

    city: str
    state: str
    coverage_start: date | None = None
    coverage_end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WapoHomicidesOptions:
        if self.coverage_start and self.coverage_end and self.coverage_end < self.coverage_start:
            raise ValueError(f"coverage_end ({self.coverage_end}) is before coverage_start ({self.coverage_start})")
        return self


def read_wapo_homicides(ctx: AdapterContext) -> SourceData:
    """Daily homicide victims and homicides cleared by arrest, by victim race, for one city (rules: module
    doc)."""
    opts = parse_options(WapoHomicidesOptions, ctx)
    path = ctx.path
    table = read_table(path)
    _check_values(table, path)
    city, caveats = _city_rows(table, path, opts)
    dropped = [
        Dropped(ctx.source_id, "filter city and state", len(table), len(city), f"kept {opts.city}, {opts.state}")
    ]
    city, more = _dated(city, ctx.source_id)
    dropped += more
    if city.empty:
        raise SourceError(path, f"no homicide of {opts.city}, {opts.state} has a valid reported_date")
    city, start, end, more = _within_coverage(city, ctx.source_id, opts)
    dropped += more
    dropped += _race_record(city, ctx.source_id)

    city = city.assign(group=city["victim_race"].str.strip().str.lower().map(lambda r: str(RACES[r])))
    counts = _daily(city)
    coverage = [
        Coverage(ctx.source_id, m, start, end, _coverage_note(opts))
        for m in (Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED)
    ]
    caveats += [LICENCE_CAVEAT, _exceptional_caveat(city, opts.city), CENSORING_CAVEAT, DATE_CAVEAT]
    caveats += _unknown_race_caveat(city, opts.city) + _sparse_year_caveats(city, opts.city, start, end)
    extras = {"dispositions": _dispositions(city)}
    log.info("%s: %d homicides in %s, %s read from %s", ctx.source_id, len(city), opts.city, opts.state, path.name)
    return finish(ctx, common.sort_counts(counts), coverage=coverage, dropped=dropped, caveats=caveats, extras=extras)


def read_table(path: Path) -> pd.DataFrame:
    """The file's `COLUMNS` as strings (empty cells as ""), every city; the name columns are never
    selected."""
    common.require_file(path)
    try:
        header = pd.read_csv(path, encoding=ENCODING, nrows=0).columns.str.strip()
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err
    require_columns(pd.DataFrame(columns=header), COLUMNS, path)
    try:
        table = pd.read_csv(
            path, encoding=ENCODING, dtype=str, keep_default_na=False, usecols=lambda c: c.strip() in COLUMNS
        )
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err
    table.columns = table.columns.str.strip()
    return table.loc[:, list(COLUMNS)]


def _line(table: pd.DataFrame, mask: pd.Series) -> int:
    """File line of the first row where `mask` holds (header is line 1; the file has no multi-line fields)."""
    return int(mask.to_numpy().nonzero()[0][0]) + 2


def _check_values(table: pd.DataFrame, path: Path) -> None:
    """Every race and disposition is one the adapter knows, and uids are unique (else SourceError with the
    line)."""
    race = table["victim_race"].str.strip().str.lower()
    bad = ~race.isin(RACES)
    if bad.any():
        value = table.loc[bad, "victim_race"].iloc[0]
        raise SourceError(
            path,
            f"unrecognised value {value!r}; expected one of {sorted(RACES)[1:]}",
            column="victim_race",
            row=_line(table, bad),
        )
    bad = ~table["disposition"].str.strip().isin(DISPOSITIONS)
    if bad.any():
        value = table.loc[bad, "disposition"].iloc[0]
        raise SourceError(
            path,
            f"unrecognised value {value!r}; expected one of {sorted(DISPOSITIONS)}",
            column="disposition",
            row=_line(table, bad),
        )
    dup = table["uid"].duplicated()
    if dup.any():
        raise SourceError(
            path, f"uid {table.loc[dup, 'uid'].iloc[0]!r} appears twice", column="uid", row=_line(table, dup)
        )


def _city_rows(table: pd.DataFrame, path: Path, opts: WapoHomicidesOptions) -> tuple[pd.DataFrame, list[str]]:
    """The rows of the city and state asked for; a caveat when rows of that city carry another state."""
    city_name = table["city"].str.strip()
    common.check_option_value(path, "city", opts.city, city_name.unique(), "city")
    of_city = table[city_name == opts.city]
    states = of_city["state"].str.strip()
    if opts.state not in set(states):
        spelt = ", ".join(repr(s) for s in sorted(states.unique()))
        raise SourceError(
            path,
            f"option `state` = {opts.state!r} matches no row of city {opts.city!r}; the file spells it {spelt}",
            column="state",
        )
    others = states[states != opts.state].value_counts().sort_index()
    caveats = [
        f"{n} row(s) with city {opts.city!r} carry state {s!r} (a coding error in the file) and are not counted."
        for s, n in others.items()
    ]
    return of_city[states == opts.state].copy(), caveats


def _dated(rows: pd.DataFrame, sid: str) -> tuple[pd.DataFrame, list[Dropped]]:
    """Rows with a valid YYYYMMDD `reported_date`, as column `day`; the others dropped and recorded."""
    day = pd.to_datetime(rows["reported_date"].str.strip(), format="%Y%m%d", errors="coerce")
    bad = rows.loc[day.isna(), ["uid", "reported_date"]]
    kept = rows.assign(day=day)[day.notna()]
    if bad.empty:
        return kept, []
    listed = ", ".join(f"{r.reported_date!r} ({r.uid})" for r in bad.itertuples())
    reason = f"reported_date is not a calendar date YYYYMMDD: {listed}"
    return kept, [Dropped(sid, "drop rows with a malformed reported_date", len(rows), len(kept), reason)]


def _within_coverage(
    rows: pd.DataFrame, sid: str, opts: WapoHomicidesOptions
) -> tuple[pd.DataFrame, date, date, list[Dropped]]:
    """Rows inside the coverage options (if any), and the coverage: the options or first to last date."""
    start = opts.coverage_start or rows["day"].min().date()
    end = opts.coverage_end or rows["day"].max().date()
    inside = rows["day"].between(pd.Timestamp(start), pd.Timestamp(end))
    if inside.all():
        return rows, start, end, []
    outside = rows.loc[~inside, "day"].dt.year.value_counts().sort_index()
    years = ", ".join(f"{y}: {n}" for y, n in outside.items())
    reason = f"outside the coverage set in the options ({start} to {end}); by year {years}"
    return rows[inside], start, end, [Dropped(sid, "drop rows outside coverage", len(rows), int(inside.sum()), reason)]


def _race_record(rows: pd.DataFrame, sid: str) -> list[Dropped]:
    unknown = int(rows["victim_race"].str.strip().str.lower().isin(["unknown", ""]).sum())
    if not unknown:
        return []
    reason = f"{unknown} victims of race Unknown or blank: counted in `all`, in no race group"
    return [Dropped(sid, "recode victim_race Unknown", len(rows), len(rows), reason)]


def _daily(rows: pd.DataFrame) -> pd.DataFrame:
    cleared = rows["disposition"].str.strip() == CLOSED_BY_ARREST
    wide = (
        rows.assign(**{str(Measure.HOMICIDE_VICTIMS): 1, str(Measure.HOMICIDES_CLEARED): cleared.astype(int)})
        .groupby(["day", "group"], as_index=False)[[str(Measure.HOMICIDE_VICTIMS), str(Measure.HOMICIDES_CLEARED)]]
        .sum()
    )
    daily = common.daily_counts(wide, [Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED])
    return common.with_all_totals(daily)


def _dispositions(rows: pd.DataFrame) -> pd.DataFrame:
    """Daily victims by group and disposition, with group `all`."""
    kind = rows["disposition"].str.strip().map(DISPOSITIONS)
    table = pd.crosstab([rows["day"], rows["group"]], kind).reindex(columns=list(DISPOSITIONS.values()), fill_value=0)
    table = table.reset_index().rename(columns={"day": "date"})
    every = table.groupby("date", as_index=False)[list(DISPOSITIONS.values())].sum().assign(group=str(Group.ALL))
    out = pd.concat([table, every], ignore_index=True)
    out.columns.name = None
    return out.sort_values(["date", "group"], kind="stable").reset_index(drop=True)[
        ["date", "group", *DISPOSITIONS.values()]
    ]


def _coverage_note(opts: WapoHomicidesOptions) -> str:
    if opts.coverage_start or opts.coverage_end:
        return "coverage set in the params options (otherwise the city's first to last reported date)"
    return "the city's first to last reported date in the file"


def _exceptional_caveat(rows: pd.DataFrame, city: str) -> str:
    n = int((rows["disposition"].str.strip() == CLOSED_WITHOUT_ARREST).sum())
    share = n / len(rows) if len(rows) else 0.0
    return (
        f"'Closed without arrest' (exceptionally cleared: police name a suspect but cannot arrest, e.g. the suspect "
        f"died): {n:,} of {len(rows):,} homicides in {city} ({100 * share:.1f}%). They are not counted as cleared, "
        "as in the Post's arrest rate; police-reported clearance rates that include them are higher."
    )


def _unknown_race_caveat(rows: pd.DataFrame, city: str) -> list[str]:
    n = int((rows["group"] == str(Group.UNKNOWN)).sum())
    if not n:
        return []
    if n == len(rows):
        return [
            f"The file records no victim race for {city} (all {n:,} are Unknown): homicides can be counted and "
            "cleared in total, but no rate, ratio or clearance by race can be computed."
        ]
    return [
        f"{n:,} of {len(rows):,} homicide victims in {city} ({100 * n / len(rows):.1f}%) have no recorded race: they "
        "count in the total but in no group, so group rates are lower bounds."
    ]


def _sparse_year_caveats(rows: pd.DataFrame, city: str, start: date, end: date) -> list[str]:
    """A caveat naming calendar years with far fewer victims than the city's median year (probably not
    covered)."""
    years = pd.RangeIndex(start.year, end.year + 1)
    per_year = rows["day"].dt.year.value_counts().reindex(years, fill_value=0)
    median = float(per_year.median())
    sparse = per_year[per_year < SPARSE_YEAR_SHARE * median]
    if sparse.empty:
        return []
    listed = ", ".join(f"{y} ({n})" for y, n in sparse.items())
    log.warning("%s: sparse years in the homicide file: %s", city, listed)
    return [
        f"The file has far fewer homicides in {city} for {listed} than in its median year ({median:g}): those years "
        "are probably not fully covered; set `coverage_start` / `coverage_end` to leave them out."
    ]
