"""Stanford Open Policing Project stop files (standard format) → daily counts of stops and their outcomes.

One row of the file is one stop. Measures, by `subject_race` (already on the Open Policing value set):

- `stops`: every stop with a date;
- `searches`: `search_conducted` is TRUE;
- `hits`: searched and `contraband_found` is TRUE (a searched stop with contraband NA counts as a search, not
  a hit);
- `arrests`: `arrest_made` is TRUE;  `citations`: `citation_issued` is TRUE.

Booleans are the strings TRUE/FALSE (any case) and NA is missing. A measure whose column the file lacks is not
emitted and a caveat says so. Stops without a date cannot be placed in a window and are dropped (recorded);
`subject_race` NA is counted as `unknown` (recorded). Counts are daily, so any window can be cut exactly;
coverage runs from the first to the last stop date in the file (after the `type`/`department` filters).

`extras["by_district"]`: columns date, district, group, stops, searches, hits (daily; a missing district is
"unknown"), present when the file has a `district` column.

`extras["stop_times"]`: columns date, minute, district, group, stops: stops counted by date, local clock minute
(hour × 60 + minute, seconds dropped, as OPP's `time_to_minute`) and district, for the veil-of-darkness test
(methods §4.1). Present when the file has a `time` column; stops without a time are left out of this table only
(recorded). Without a `district` column every district is "unknown".

`extras["search_basis"]`: columns date, group, search_basis, searches, hits: searched stops by the OPP
`search_basis` value (a missing basis is "unknown"), so discretionary searches can be separated for the outcome
test (methods §3.1). Present when the file has `search_conducted` and `search_basis` columns.
"""

from __future__ import annotations

import logging
from pathlib import Path

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
from trustreport.vocab import Group, Measure

log = logging.getLogger("trustreport")

_REQUIRED = ("date", "subject_race")
# measure -> the boolean columns that must all be TRUE (stops need none).
_OUTCOMES: dict[Measure, tuple[str, ...]] = {
    Measure.SEARCHES: ("search_conducted",),
    Measure.HITS: ("search_conducted", "contraband_found"),
    Measure.ARRESTS: ("arrest_made",),
    Measure.CITATIONS: ("citation_issued",),
}
_OPP_RACES: dict[str, Group] = {
    g.value: g for g in (Group.BLACK, Group.HISPANIC, Group.WHITE, Group.ASIAN_PI, Group.OTHER, Group.UNKNOWN)
}


class OppStopsOptions(StrictOptions):
    """`type`: keep only stops of this type (e.g. "vehicular"); `department`: only this department_name."""

    type: str | None = None
    department: str | None = None


def read_opp_stops(ctx: AdapterContext) -> SourceData:
    """Daily stops, searches, hits, arrests and citations by race from an OPP standard-format stop CSV."""
    opts = parse_options(OppStopsOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    require_columns(pd.DataFrame(columns=header), _REQUIRED, path)
    filters = {col: val for col, val in (("type", opts.type), ("department_name", opts.department)) if val}
    require_columns(pd.DataFrame(columns=header), filters, path)

    measures = [Measure.STOPS] + [m for m, cols in _OUTCOMES.items() if set(cols) <= set(header)]
    booleans = sorted({c for m in measures for c in _OUTCOMES.get(m, ())})
    caveats = [
        f"This stop file has no `{_OUTCOMES[m][-1]}` column, so {m.value} are not available from it."
        for m in _OUTCOMES
        if m not in measures
    ]

    con = common.connect()
    common.csv_view(con, "stops", path, header, nulls=("NA", ""))
    dropped, where = _apply_filters(con, ctx, filters)
    _check_dates(con, path, where)
    for col in booleans:
        _check_booleans(con, path, col, where)
    races = common.query_df(con, f"SELECT DISTINCT subject_race FROM stops WHERE {where}", path)["subject_race"]
    race_map = common.map_labels(races, _opp_group, path=path, column="subject_race")

    dropped += _cleaning_record(con, ctx, where, booleans)
    daily = _daily_by_race(con, path, measures, where, race_map)
    counts = common.sort_counts(common.with_all_totals(common.daily_counts(daily, measures)))

    coverage = []
    if len(daily):
        start, end = daily["day"].min(), daily["day"].max()
        note = "first to last stop date in the file"
        coverage = [Coverage(ctx.source_id, m, start, end, note) for m in measures]
    extras, extra_dropped = _extras(con, ctx, header, measures, where, race_map)
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


def _check_dates(con, path: Path, where: str) -> None:
    bad = common.query_df(
        con,
        f"SELECT date FROM stops WHERE {where} AND date IS NOT NULL AND TRY_CAST(date AS DATE) IS NULL LIMIT 1",
        path,
    )
    if len(bad):
        value = bad["date"].iloc[0]
        line = common.first_line_where(path, "date", lambda v: v == value.strip())
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {value!r}", column="date", row=line)


def _check_booleans(con, path: Path, column: str, where: str) -> None:
    col = common.sql_ident(column)
    bad = common.query_df(
        con,
        f"SELECT {col} AS v FROM stops WHERE {where} AND {col} IS NOT NULL "
        f"AND upper(trim({col})) NOT IN ('TRUE', 'FALSE') LIMIT 1",
        path,
    )
    if len(bad):
        value = bad["v"].iloc[0]
        line = common.first_line_where(path, column, lambda v: v == value.strip())
        raise SourceError(path, f"expected TRUE, FALSE or NA, got {value!r}", column=column, row=line)


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


def _cleaning_record(con, ctx: AdapterContext, where: str, booleans: list[str]) -> list[Dropped]:
    """Rows dropped for a missing date; rows whose race or outcome was missing, and how they were counted."""
    checks = {
        "no_date": "date IS NULL",
        "race_na": "subject_race IS NULL",
    }
    for col in booleans:
        checks[f"{col}_na"] = f"{common.sql_ident(col)} IS NULL"
    if "contraband_found" in booleans:
        checks["searched_contraband_na"] = f"{_true('search_conducted')} AND contraband_found IS NULL"
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
    for col in booleans:
        if col == "contraband_found":
            continue
        if row[f"{col}_na"]:
            out.append(
                Dropped(sid, f"recode {col} NA", kept, kept, f"{int(row[f'{col}_na'])} stops counted as not TRUE")
            )
    if "contraband_found" in booleans and row["searched_contraband_na"]:
        n = int(row["searched_contraband_na"])
        out.append(
            Dropped(
                sid,
                "recode contraband_found NA among searches",
                kept,
                kept,
                f"{n} searched stops have contraband_found NA: counted as searches, not as hits",
            )
        )
    return out


def _extras(
    con, ctx: AdapterContext, header: list[str], measures, where: str, race_map: dict
) -> tuple[dict[str, pd.DataFrame], list[Dropped]]:
    """The extra tables the file's columns allow (district, stop times, search basis), and what they drop."""
    extras: dict[str, pd.DataFrame] = {}
    dropped: list[Dropped] = []
    if "district" in header:
        extras["by_district"] = _by_district(con, ctx.path, measures, where, race_map)
    if "time" in header:
        _check_times(con, ctx.path, where)
        extras["stop_times"] = _stop_times(con, ctx.path, where, race_map, district="district" in header)
        dropped.append(_no_time_record(con, ctx, where))
    if "search_basis" in header and Measure.SEARCHES in measures:
        extras["search_basis"] = _search_basis(con, ctx.path, measures, where, race_map)
    return extras, dropped


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
    """Stops by date, clock minute, district and group (methods §4.1: the minute OPP's `time_to_minute` gives)."""
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
    """Searched stops and hits by date, group and OPP `search_basis` (methods §3.1)."""
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
