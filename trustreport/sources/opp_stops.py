"""Stanford Open Policing Project stop files (standard format) → daily counts of stops and their outcomes.

One row of the file is one stop. Measures, by `subject_race` (already on the Open Policing value set):

- `stops`: every stop with a date;
- `searches`: `search_conducted` is TRUE;
- `hits`: searched and `contraband_found` is TRUE (a searched stop with contraband NA counts as a search, not
  a hit);
- `arrests`: `arrest_made` is TRUE;  `citations`: `citation_issued` is TRUE;
- `frisks`: `frisk_performed` is TRUE (a conditional stage of stops: frisks per stop);
- `person_searches` / `vehicle_searches`: searched and `search_person` / `search_vehicle` is TRUE, emitted only
  when the file has both columns (their shares of searches say what was searched).

Booleans are the strings TRUE/FALSE (any case) and NA is missing. A measure whose column the file lacks is not
emitted (for searches, hits, arrests and citations a caveat says so). Stops without a date cannot be placed in a
window and are dropped (recorded); `subject_race` NA is counted as `unknown` (recorded). Counts are daily, so any
window can be cut exactly; stops are covered from the first to the last stop date in the file (after the
`type`/`department` filters).

Blank is not "no": an outcome column that is NA for every stop of a calendar month is *not recorded* that month
(for hits and search types: NA for every searched stop of a month that has searches, or searches not recorded).
The measure's coverage then leaves that month out and its rows there are not emitted, so a window where the field is
blank is *not available* for the measure and a partly blank window is *partial coverage* (the covered span narrows,
and conditional rates use the stops of the same span). NA values in a recorded month count as not TRUE. Both are
recorded in the dropped-rows appendix.

`extras["stop_mode"]`: columns type, stops: the kept stops by OPP `type` (NA or no column: "unknown"), which
decides the noun the report uses for the people stopped (`trustreport.stop_mode`).

`extras["by_district"]`: columns date, district, group, stops, searches, hits (daily; a missing district is
"unknown"), present when the file has a `district` column.

`extras["stop_times"]`: columns date, minute, district, group, stops: stops counted by date, local clock minute
(hour × 60 + minute, seconds dropped, as OPP's `time_to_minute`) and district, for the veil-of-darkness test
(docs/methods.md §4.1). Present when the file has a `time` column; stops without a time are left out of this table only
(recorded). Without a `district` column every district is "unknown". The test is about seeing a driver's race, so
when the file has a `type` column only vehicular stops enter this table (none: no table).

`extras["search_basis"]`: columns date, group, search_basis, searches, hits: searched stops by the OPP
`search_basis` value (a missing basis is "unknown"), so discretionary searches can be separated for the outcome
test (docs/methods.md §3.1). Present when the file has `search_conducted` and `search_basis` columns. Both hit-rate
tables
leave out the months searches or contraband are not recorded.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from trustreport.counts import Coverage
from trustreport.errors import SourceError, SourceFileError
from trustreport.sources import _common as common
from trustreport.sources import checks
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
    ExtrasTable("stop_mode", {"type": "text", "stops": "number"}, "stops per OPP `type` kept (decides the nouns)"),
    ExtrasTable("by_district", {"date": "date", "district": "text", "group": "text", "stops": "number"},
                "stops, and searches and hits where recorded, per day, district and group (outcome test within "
                "districts)", required=False),
    ExtrasTable("stop_times", {"date": "date", "minute": "number", "district": "text", "group": "text",
                               "stops": "number"}, "vehicular stops per day, minute of day, district and group "
                "(veil of darkness)", required=False),
    ExtrasTable("search_basis", {"date": "date", "group": "text", "search_basis": "text", "searches": "number"},
                "searches, and hits where recorded, per day, group and basis (discretionary searches)", required=False),
)  # fmt: skip

log = logging.getLogger("trustreport")

_REQUIRED = ("date", "subject_race")
# measure -> the boolean columns that must all be TRUE (stops need none).
_OUTCOMES: dict[Measure, tuple[str, ...]] = {
    Measure.SEARCHES: ("search_conducted",),
    Measure.HITS: ("search_conducted", "contraband_found"),
    Measure.ARRESTS: ("arrest_made",),
    Measure.CITATIONS: ("citation_issued",),
    Measure.FRISKS: ("frisk_performed",),
    Measure.PERSON_SEARCHES: ("search_conducted", "search_person"),
    Measure.VEHICLE_SEARCHES: ("search_conducted", "search_vehicle"),
}
# Measures whose missing column is said in a caveat (frisks and search types are extras few files hold).
_CORE_OUTCOMES = (Measure.SEARCHES, Measure.HITS, Measure.ARRESTS, Measure.CITATIONS)
_SEARCH_TYPES = (Measure.PERSON_SEARCHES, Measure.VEHICLE_SEARCHES)
_SEARCH_TYPE_COLUMNS = {"search_conducted", "search_person", "search_vehicle"}
# Columns OPP leaves NA on stops without a search: their blanks only count among searched stops.
_SEARCH_DEPENDENT = frozenset({"contraband_found", "search_person", "search_vehicle"})
_OPP_RACES: dict[str, Group] = {
    g.value: g for g in (Group.BLACK, Group.HISPANIC, Group.WHITE, Group.ASIAN_PI, Group.OTHER, Group.UNKNOWN)
}


class OppStopsOptions(StrictOptions):
    """`type`: keep only stops of this type (e.g. "vehicular"); `department`: only this department_name."""

    type: str | None = None
    department: str | None = None


def read_opp_stops(ctx: AdapterContext) -> SourceData:
    """Daily stops, searches, hits, arrests and citations by race from an OPP standard-format stop CSV.

    The file is read once (`_read`); its rows are checked as `sources.checks` would check them beside that scan.
    """
    try:
        return _read(ctx)
    except SourceError as err:
        # A file that cannot be read as a CSV is said first, as when `load_params` checked every row: the full
        # check runs only on this error path and raises its own error (naming the line) if it finds one.
        if not isinstance(err, SourceFileError):
            checks.check_file(ctx.path, ctx.kind)
        raise


def _read(ctx: AdapterContext) -> SourceData:
    opts = parse_options(OppStopsOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    require_columns(pd.DataFrame(columns=header), _REQUIRED, path)
    filters = {col: val for col, val in (("type", opts.type), ("department_name", opts.department)) if val}
    require_columns(pd.DataFrame(columns=header), filters, path)

    measures = [Measure.STOPS] + [m for m, cols in _OUTCOMES.items() if set(cols) <= set(header)]
    if not _SEARCH_TYPE_COLUMNS.issubset(header):
        measures = [m for m in measures if m not in _SEARCH_TYPES]
    booleans = sorted({c for m in measures for c in _OUTCOMES.get(m, ())})
    caveats = [
        f"This stop file has no `{_OUTCOMES[m][-1]}` column, so {m.value} are not available from it."
        for m in _CORE_OUTCOMES
        if m not in measures
    ]

    with common.scan_database() as con, ThreadPoolExecutor(max_workers=1) as pool:
        # The byte checks of every line run beside the one DuckDB scan (both mostly outside the GIL).
        checked = pool.submit(checks.check_rows, path, ctx.kind)
        columns = _needed_columns(header, measures, booleans, filters)
        common.csv_table(con, "stops", path, header, columns, nulls=("NA", ""))
        checked.result()
        return _read_table(con, ctx, header, filters, measures, booleans, caveats)


def _needed_columns(header: list[str], measures: list[Measure], booleans: list[str], filters: dict) -> list[str]:
    """The columns any check, count or extras table reads, in the file's order."""
    wanted = {*_REQUIRED, *booleans, *filters, "type", "district", "time"}
    if Measure.SEARCHES in measures:
        wanted.add("search_basis")
    return [c for c in header if c in wanted]


def _read_table(
    con, ctx: AdapterContext, header: list[str], filters: dict[str, str], measures, booleans, caveats
) -> SourceData:
    """Every check, count and extras table of `read_opp_stops`, as queries of the materialised table `stops`."""
    path = ctx.path
    dropped, where = _apply_filters(con, ctx, filters)
    _check_values(con, path, where, booleans)
    races = common.query_df(con, f"SELECT DISTINCT subject_race FROM stops WHERE {where}", path)["subject_race"]
    race_map = common.map_labels(races, _opp_group, path=path, column="subject_race")

    daily = _daily_by_race(con, path, measures, where, race_map)
    blank = _blank_months(con, path, measures, where)
    dropped += _cleaning_record(con, ctx, where, booleans, blank)
    counts = common.daily_counts(daily, measures)
    counts = common.sort_counts(common.with_all_totals(_without_blank_months(counts, blank)))

    coverage = []
    if len(daily):
        coverage = _coverage(ctx.source_id, measures, daily["day"].min(), daily["day"].max(), blank)
    extras, extra_dropped = _extras(con, ctx, header, measures, where, race_map, blank)
    dropped += extra_dropped
    log.info("%s: %d stops read from %s", ctx.source_id, int(daily["stops"].sum()), path.name)
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=caveats, extras=extras)


def _opp_group(label: str | None) -> Group | None:
    if label is None:
        return Group.UNKNOWN
    return _OPP_RACES.get(label.strip().lower())


def _apply_filters(con, ctx: AdapterContext, filters: dict[str, str]) -> tuple[list[Dropped], str]:
    """Check each filter value occurs in the file, record the rows it removes, and return the WHERE clause."""
    dropped: list[Dropped] = []
    where = "TRUE"
    rows_in = _count(con, ctx.path, where)
    option_of = {"type": "type", "department_name": "department"}
    for col, value in filters.items():
        found = common.query_df(con, f"SELECT DISTINCT {common.sql_ident(col)} AS v FROM stops", ctx.path)["v"]
        common.check_option_value(ctx.path, option_of[col], value, found.dropna(), col)
        where += f" AND {common.sql_ident(col)} = {common.sql_literal(value)}"
        rows_out = _count(con, ctx.path, where)
        dropped.append(
            Dropped(ctx.source_id, f"filter {col}", rows_in, rows_out, f"kept only stops with {col} = {value!r}")
        )
        rows_in = rows_out
    return dropped, where


def _count(con, path: Path, where: str) -> int:
    return int(common.query_df(con, f"SELECT count(*) AS n FROM stops WHERE {where}", path)["n"].iloc[0])


def _check_values(con, path: Path, where: str, booleans: list[str]) -> None:
    """Refuse the first date that is not YYYY-MM-DD, then the first boolean that is not TRUE, FALSE or NA (in
    `booleans` order), naming its line; one query of the table for all the columns."""
    conditions = {"date": "date IS NOT NULL AND TRY_CAST(date AS DATE) IS NULL"}
    for column in booleans:
        col = common.sql_ident(column)
        conditions[column] = f"{col} IS NOT NULL AND upper(trim({col})) NOT IN ('TRUE', 'FALSE')"
    firsts = ", ".join(f"first({common.sql_ident(c)}) FILTER (WHERE {cond})" for c, cond in conditions.items())
    row = con.execute(f"SELECT {firsts} FROM stops WHERE {where}").fetchone()
    for column, value in zip(conditions, row, strict=True):
        if value is None:
            continue
        line = common.first_line_where(path, column, lambda v, bad=value: v == bad.strip())
        expected = "a date YYYY-MM-DD" if column == "date" else "TRUE, FALSE or NA"
        raise SourceError(path, f"expected {expected}, got {value!r}", column=column, row=line)


def _true(column: str) -> str:
    return f"upper(trim({common.sql_ident(column)})) = 'TRUE'"


def _measure_sql(measures: list[Measure]) -> str:
    parts = ["count(*) AS stops"]
    for m in measures[1:]:
        cond = " AND ".join(_true(c) for c in _OUTCOMES[m])
        parts.append(f"count(*) FILTER (WHERE {cond}) AS {m.value}")
    return ", ".join(parts)


def _daily_by_race(con, path: Path, measures, where: str, race_map: dict) -> pd.DataFrame:
    """Columns day, group and one per measure: stops with a date, summed by day and mapped race."""
    raw = common.query_df(
        con,
        f"SELECT CAST(date AS DATE) AS day, subject_race, {_measure_sql(measures)} "
        f"FROM stops WHERE {where} AND date IS NOT NULL GROUP BY ALL",
        path,
    )
    return _to_groups(raw, ["day"], measures, race_map)


def _by_district(con, path: Path, measures, where: str, race_map: dict) -> pd.DataFrame:
    kept = [m for m in (Measure.STOPS, Measure.SEARCHES, Measure.HITS) if m in measures]
    raw = common.query_df(
        con,
        f"SELECT CAST(date AS DATE) AS day, coalesce(district, 'unknown') AS district, subject_race, "
        f"{_measure_sql(kept)} FROM stops WHERE {where} AND date IS NOT NULL GROUP BY ALL",
        path,
    )
    out = _to_groups(raw, ["day", "district"], kept, race_map).rename(columns={"day": "date"})
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["date", "district", "group"], kind="stable").reset_index(drop=True)


def _to_groups(raw: pd.DataFrame, keys: list[str], measures, race_map: dict) -> pd.DataFrame:
    names = [str(m) for m in measures]
    raw = raw.assign(
        group=raw["subject_race"].map(lambda r: str(race_map[None if pd.isna(r) else r])),
        day=pd.to_datetime(raw["day"]).dt.date,
    )
    out = raw.groupby([*keys, "group"], as_index=False, sort=True)[names].sum()
    return out.astype({n: "int64" for n in names})


def _cleaning_record(con, ctx: AdapterContext, where: str, booleans: list[str], blank: _Blank) -> list[Dropped]:
    """Rows dropped for a missing date; rows whose race or outcome was missing, and how they were counted."""
    checks = {
        "no_date": "date IS NULL",
        "race_na": "subject_race IS NULL",
    }
    for col in booleans:
        if col in _SEARCH_DEPENDENT:
            checks[f"{col}_na"] = f"{_true('search_conducted')} AND {common.sql_ident(col)} IS NULL"
        else:
            checks[f"{col}_na"] = f"{common.sql_ident(col)} IS NULL"
    # Everything but the missing-date count is among the stops that are kept.
    checks = {k: v if k == "no_date" else f"date IS NOT NULL AND {v}" for k, v in checks.items()}
    sql = ", ".join(f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in checks.items())
    row = common.query_df(con, f"SELECT count(*) AS total, {sql} FROM stops WHERE {where}", ctx.path).iloc[0]
    total, sid = int(row["total"]), ctx.source_id
    n_no_date = int(row["no_date"])
    reason = f"{n_no_date} stops have no date (NA) and cannot be placed in any window"
    out = [Dropped(sid, "drop stops without a date", total, total - n_no_date, reason)]
    kept = total - int(row["no_date"])
    if row["race_na"]:
        out.append(
            Dropped(sid, "recode subject_race NA", kept, kept, f"{int(row['race_na'])} stops counted as unknown")
        )
    # Columns read on every stop first, then those read on searched stops (the order of the appendix).
    for col in sorted(booleans, key=lambda c: c in _SEARCH_DEPENDENT):
        n = int(row[f"{col}_na"]) - blank.na_in_blank_months(col)
        if not n:
            continue
        if col == "contraband_found":
            out.append(
                Dropped(
                    sid,
                    "recode contraband_found NA among searches",
                    kept,
                    kept,
                    f"{n} searched stops have contraband_found NA: counted as searches, not as hits",
                )
            )
        elif col in _SEARCH_DEPENDENT:
            out.append(Dropped(sid, f"recode {col} NA among searches", kept, kept, f"{n} searches counted as not TRUE"))
        else:
            out.append(Dropped(sid, f"recode {col} NA", kept, kept, f"{n} stops counted as not TRUE"))
    for measure, months in blank.months.items():
        col = _OUTCOMES[measure][-1]
        n = blank.stops_in(months)
        out.append(
            Dropped(
                sid,
                f"{measure}: months with {col} blank",
                kept,
                kept - n,
                f"{n} stops in {_month_runs(months)}, where {col} is blank (NA) for every "
                f"{'searched ' if col in _SEARCH_DEPENDENT else ''}stop: not recorded then, so {measure} are "
                "not available for those months (not counted as zero)",
            )
        )
    return out


@dataclass(frozen=True)
class _Blank:
    """Per calendar month: stops, searched stops and non-NA values of each outcome column; and, by measure, the
    months in which the measure is not recorded."""

    stats: pd.DataFrame
    months: dict[Measure, list[pd.Timestamp]]

    def stops_in(self, months: list[pd.Timestamp]) -> int:
        return int(self.stats.loc[self.stats["month"].isin(months), "stops"].sum())

    def na_in_blank_months(self, col: str) -> int:
        """NA values of `col` (among searched stops for the search-dependent columns) in its not-recorded months."""
        months = next((m for measure, m in self.months.items() if _OUTCOMES[measure][-1] == col), [])
        rows = self.stats[self.stats["month"].isin(months)]
        return int(rows["searched" if col in _SEARCH_DEPENDENT else "stops"].sum())


def _blank_months(con, path: Path, measures: list[Measure], where: str) -> _Blank:
    """The months in which each outcome measure is not recorded: its column is NA for every stop of the month
    (for hits and search types: for every searched stop of a month with searches, or searches are not recorded)."""
    cols = sorted({c for m in measures for c in _OUTCOMES.get(m, ())})
    searched = _true("search_conducted") if "search_conducted" in cols else "FALSE"
    parts = ["count(*) AS stops", f"count(*) FILTER (WHERE {searched}) AS searched"]
    for col in cols:
        ident = common.sql_ident(col)
        cond = f"WHERE {searched}" if col in _SEARCH_DEPENDENT else "WHERE TRUE"
        parts.append(f"count({ident}) FILTER ({cond}) AS {ident}")
    stats = common.query_df(
        con,
        f"SELECT date_trunc('month', CAST(date AS DATE)) AS month, {', '.join(parts)} "
        f"FROM stops WHERE {where} AND date IS NOT NULL GROUP BY ALL ORDER BY month",
        path,
    )
    stats["month"] = pd.to_datetime(stats["month"])
    blank: dict[Measure, list[pd.Timestamp]] = {}
    for measure in measures:
        if measure == Measure.STOPS:
            continue
        col = _OUTCOMES[measure][-1]
        if col in _SEARCH_DEPENDENT:
            not_recorded = (stats[col] == 0) & (stats["searched"] > 0) | (stats["search_conducted"] == 0)
        else:
            not_recorded = stats[col] == 0
        if not_recorded.any():
            blank[measure] = list(stats.loc[not_recorded, "month"])
    return _Blank(stats, blank)


def _without_blank_months(counts: pd.DataFrame, blank: _Blank) -> pd.DataFrame:
    """Drop each measure's rows in the months it is not recorded (they are unknown, not zero)."""
    if not blank.months:
        return counts
    month = pd.to_datetime(counts["period_start"]).dt.to_period("M").dt.start_time
    drop = pd.Series(False, index=counts.index)
    for measure, months in blank.months.items():
        drop |= (counts["measure"] == str(measure)) & month.isin(months)
    return counts[~drop].reset_index(drop=True)


def _coverage(source_id: str, measures: list[Measure], first: date, last: date, blank: _Blank) -> list[Coverage]:
    """Each measure's covered spans: first to last stop date, less the months it is not recorded."""
    out = []
    for measure in measures:
        months = blank.months.get(measure)
        if not months:
            out.append(Coverage(source_id, measure, first, last, "first to last stop date in the file"))
            continue
        col = _OUTCOMES[measure][-1]
        note = f"{col} recorded; blank for every stop in {_month_runs(months)}"
        gaps = {m.date() for m in months}
        day, span_start = first, None
        while day <= last:
            month_start = day.replace(day=1)
            month_end = (pd.Timestamp(month_start) + pd.offsets.MonthEnd(0)).date()
            if month_start in gaps:
                if span_start is not None:
                    out.append(Coverage(source_id, measure, span_start, day - timedelta(days=1), note))
                span_start = None
            elif span_start is None:
                span_start = day
            day = month_end + timedelta(days=1)
        if span_start is not None:
            out.append(Coverage(source_id, measure, span_start, last, note))
    return out


def _month_runs(months: list[pd.Timestamp]) -> str:
    """Months as runs of consecutive months: "2016-01 to 2016-06, 2016-09"."""
    periods = sorted(pd.Timestamp(m).to_period("M") for m in months)
    runs: list[list] = []
    for p in periods:
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ", ".join(str(a) if a == b else f"{a} to {b}" for a, b in runs)


def _extras(
    con, ctx: AdapterContext, header: list[str], measures, where: str, race_map: dict, blank: _Blank
) -> tuple[dict[str, pd.DataFrame], list[Dropped]]:
    """The extra tables the file's columns allow (district, stop times, search basis), and what they drop.

    The hit-rate tables leave out the months searches or contraband are not recorded (hits and searches both, so
    the hit rate of the other months is unchanged)."""
    extras: dict[str, pd.DataFrame] = {"stop_mode": _stop_mode(con, ctx.path, header, where)}
    dropped: list[Dropped] = []
    if "district" in header:
        extras["by_district"] = _by_district(con, ctx.path, measures, where, race_map)
    # The veil of darkness is about seeing a driver's race: pedestrian stops never enter it.
    vehicular = f"{where} AND lower(trim(type)) = 'vehicular'" if "type" in header else where
    if "time" in header and _count(con, ctx.path, vehicular):
        _check_times(con, ctx.path, vehicular)
        extras["stop_times"] = _stop_times(con, ctx.path, vehicular, race_map, district="district" in header)
        dropped.append(_no_time_record(con, ctx, vehicular))
    if "search_basis" in header and Measure.SEARCHES in measures:
        extras["search_basis"] = _search_basis(con, ctx.path, measures, where, race_map)
    unrecorded = [*blank.months.get(Measure.SEARCHES, []), *blank.months.get(Measure.HITS, [])]
    for name in ("by_district", "search_basis"):
        if name in extras and unrecorded:
            frame = extras[name]
            month = frame["date"].dt.to_period("M").dt.start_time
            extras[name] = frame[~month.isin(unrecorded)].reset_index(drop=True)
    return extras, dropped


def _stop_mode(con, path: Path, header: list[str], where: str) -> pd.DataFrame:
    """Kept stops with a date by OPP `type` (vehicular, pedestrian; NA or no column: unknown)."""
    kind = "coalesce(lower(trim(type)), 'unknown')" if "type" in header else "'unknown'"
    return common.query_df(
        con,
        f"SELECT {kind} AS type, count(*) AS stops FROM stops WHERE {where} AND date IS NOT NULL "
        "GROUP BY ALL ORDER BY type",
        path,
    )


def _check_times(con, path: Path, where: str) -> None:
    bad = common.query_df(
        con,
        f"SELECT time FROM stops WHERE {where} AND date IS NOT NULL AND time IS NOT NULL "
        "AND TRY_CAST(time AS TIME) IS NULL LIMIT 1",
        path,
    )
    if len(bad):
        value = bad["time"].iloc[0]
        line = common.first_line_where(path, "time", lambda v: v == value.strip())
        raise SourceError(path, f"expected a clock time HH:MM:SS, got {value!r}", column="time", row=line)


def _stop_times(con, path: Path, where: str, race_map: dict, *, district: bool) -> pd.DataFrame:
    """Stops by date, clock minute, district and group (docs/methods.md §4.1: the minute OPP's `time_to_minute`
    gives)."""
    district_sql = "coalesce(district, 'unknown')" if district else "'unknown'"
    raw = common.query_df(
        con,
        "SELECT CAST(date AS DATE) AS day, "
        "hour(CAST(time AS TIME)) * 60 + minute(CAST(time AS TIME)) AS minute, "
        f"{district_sql} AS district, subject_race, count(*) AS stops "
        f"FROM stops WHERE {where} AND date IS NOT NULL AND time IS NOT NULL GROUP BY ALL",
        path,
    )
    out = _to_groups(raw, ["day", "minute", "district"], [Measure.STOPS], race_map).rename(columns={"day": "date"})
    out["date"] = pd.to_datetime(out["date"])
    out["minute"] = out["minute"].astype("int64")
    return out.sort_values(["date", "minute", "district", "group"], kind="stable").reset_index(drop=True)


def _no_time_record(con, ctx: AdapterContext, where: str) -> Dropped:
    row = common.query_df(
        con,
        "SELECT count(*) AS dated, count(*) FILTER (WHERE time IS NULL) AS no_time "
        f"FROM stops WHERE {where} AND date IS NOT NULL",
        ctx.path,
    ).iloc[0]
    dated, no_time = int(row["dated"]), int(row["no_time"])
    return Dropped(
        ctx.source_id,
        "stop_times: drop stops without a time",
        dated,
        dated - no_time,
        f"{no_time} dated stops have no time (NA): left out of the stop-times table used by the "
        "veil-of-darkness test only",
    )


def _search_basis(con, path: Path, measures, where: str, race_map: dict) -> pd.DataFrame:
    """Searched stops and hits by date, group and OPP `search_basis` (docs/methods.md §3.1)."""
    kept = [m for m in (Measure.SEARCHES, Measure.HITS) if m in measures]
    counts = [f"count(*) FILTER (WHERE {' AND '.join(_true(c) for c in _OUTCOMES[m])}) AS {m.value}" for m in kept]
    raw = common.query_df(
        con,
        "SELECT CAST(date AS DATE) AS day, coalesce(lower(trim(search_basis)), 'unknown') AS search_basis, "
        f"subject_race, {', '.join(counts)} FROM stops "
        f"WHERE {where} AND date IS NOT NULL AND {_true('search_conducted')} GROUP BY ALL",
        path,
    )
    out = _to_groups(raw, ["day", "search_basis"], kept, race_map).rename(columns={"day": "date"})
    out["date"] = pd.to_datetime(out["date"])
    out = out.loc[:, ["date", "group", "search_basis", *[m.value for m in kept]]]
    return out.sort_values(["date", "group", "search_basis"], kind="stable").reset_index(drop=True)
