"""Washington Post "Fatal Force" (v2) → daily people shot and killed by police, by race (`police_killings`).

One row of `fatal-police-shootings-data.csv` is one person shot and killed by an on-duty officer. Which rows
count (options, validated by `WapoShootingsOptions`):

- `city` + `state`: shootings that happened in that city (the incident's `city` and two-letter `state`),
  whichever agency fired: state police, transit or sheriff's shootings inside the city count, a city
  department's shootings outside it do not.
- `state` alone: every shooting in that state.
- `agency_ids` (WaPo agency ids) or `agency_name` (an exact `name` in the agencies file; with `state`, the
  agency of that state): shootings linked to those agencies through the death record's `;`-separated
  `agency_ids`, wherever they happened; a shooting involving several of them counts once. With `city` as well,
  both conditions hold.
- `national: true`: every row (all of the US), e.g. for checking the Post's annual totals.

Race (`race`, `;`-separated codes, methods: the Open Policing value set, where Hispanic overrides race): a
record with `H` among its codes → hispanic; a single `W` → white, `B` → black, `A` → asian/pacific islander,
`N` (Native American) or `O` → other; several codes without `H` → other; empty or `--` → unknown. Groups are
exclusive, so `all` is their sum. Every recode is recorded. The Post codes race for every death, so a coded
group (white, black, hispanic, asian/pacific islander, other) with no death in the selection gets one zero row on
2015-01-01: it is a true zero, not a group the source does not record.

Coverage is 2015-01-01 (the start of the Post's count) to the last date in the file, nationally: a day without
a row is a true zero for the selection. `extras["agencies"]` (agency_id, agency, type, state, shootings,
total_shootings) lists the agencies linked to the selected shootings, with how many of them each was involved
in (`total_shootings` is the Post's all-time figure). Only the columns named here are read: the victim's
`name` is never selected.
"""

from __future__ import annotations

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
    ExtrasTable("agencies", {"agency_id": "number", "agency": "text", "state": "text", "shootings": "number"},
                "the agencies the selected deaths are linked to, with their counts"),
)  # fmt: skip

log = logging.getLogger("trustreport")

DEATH_COLUMNS = ("id", "date", "city", "state", "race", "agency_ids")
AGENCY_COLUMNS = ("id", "name", "type", "state", "total_shootings")
COUNT_START = date(2015, 1, 1)
_SINGLE_CODES: dict[str, Group] = {
    "W": Group.WHITE,
    "B": Group.BLACK,
    "H": Group.HISPANIC,
    "A": Group.ASIAN_PI,
    "N": Group.OTHER,
    "O": Group.OTHER,
}
_UNKNOWN_CODES = frozenset({"", "--"})

LICENCE_CAVEAT = (
    "The Washington Post's Fatal Force data are licensed CC BY-NC-SA 4.0: a report that includes them may not be "
    "used commercially and must be shared under the same licence, crediting The Washington Post."
)
SHOOTINGS_CAVEAT = (
    "Fatal Force counts only people shot and killed by on-duty police officers. Deaths from Tasers, restraint, "
    "vehicles or in custody are not included, so these are fatal police shootings, not all killings by police."
)
REVISION_CAVEAT = (
    "The Post revises past records as it learns more, so yearly counts can differ by a few from figures it "
    "published at the time (it reported 1,096 deaths for 2022; this snapshot has 1,095)."
)


class WapoShootingsOptions(StrictOptions):
    """Which shootings to count (module doc): `city` + `state`, `state`, `agency_ids`, `agency_name` (with an
    optional `state`), or `national: true`; `agencies_file` is the agencies table, relative to the data file's
    folder."""

    city: str | None = None
    state: common.PostalCode | None = None
    agency_ids: list[int] | None = None
    agency_name: str | None = None
    national: bool = False
    agencies_file: str = "fatal-police-shootings-agencies.csv.gz"


def read_wapo_police_shootings(ctx: AdapterContext) -> SourceData:
    """Daily fatal police shootings by race for the selected city, state, agencies or nation (module doc)."""
    opts = parse_options(WapoShootingsOptions, ctx)
    _check_combination(opts, ctx)
    deaths = _read(ctx.path, DEATH_COLUMNS)
    agencies = _read(ctx.path.parent / opts.agencies_file, AGENCY_COLUMNS)
    days = _dates(deaths, ctx.path)
    coverage_end = days.max().date()

    selected, dropped, description = _select(deaths, agencies, opts, ctx)
    undated = selected[days[selected.index].isna()]
    if len(undated):
        dropped.append(
            Dropped(
                ctx.source_id,
                "drop rows without a date",
                len(selected),
                len(selected) - len(undated),
                f"{len(undated)} shootings have no date and cannot be placed in any window",
            )
        )
        selected = selected.drop(undated.index)
    race_map = common.map_labels(selected["race"].drop_duplicates(), wapo_group, path=ctx.path, column="race")
    groups = selected["race"].map(lambda r: str(race_map[r]))
    dropped += _race_record(ctx.source_id, selected["race"], groups)

    daily = (
        pd.DataFrame({"day": days[selected.index].dt.date, "group": groups, str(Measure.POLICE_KILLINGS): 1})
        .groupby(["day", "group"], as_index=False, sort=True)
        .sum()
    )
    counts = common.with_all_totals(common.daily_counts(daily, [Measure.POLICE_KILLINGS]))
    counts = _with_coded_groups(counts)
    note = "the Post's count starts 2015-01-01; to the last date in the file"
    coverage = [Coverage(ctx.source_id, Measure.POLICE_KILLINGS, COUNT_START, coverage_end, note)]
    caveats = (LICENCE_CAVEAT, SHOOTINGS_CAVEAT, description, _race_caveat(groups), REVISION_CAVEAT)
    extras = {"agencies": agency_table(selected, agencies)}
    log.info("%s: %d of %d fatal shootings selected", ctx.source_id, len(selected), len(deaths))
    return finish(ctx, common.sort_counts(counts), coverage=coverage, dropped=dropped, caveats=caveats, extras=extras)


def _with_coded_groups(counts: pd.DataFrame) -> pd.DataFrame:
    """Add a zero row on the count's first day for each group the Post codes that the selection never reached.

    The Post records race for every death it counts, so a group with no death in a covered place and period is a
    true zero (Hartford 2015–2024: no white victim among 4), not a group the source does not record; without a
    row the metrics could not tell the two apart and would call it missing."""
    held = set(counts["group"])
    absent = [str(g) for g in dict.fromkeys(_SINGLE_CODES.values()) if str(g) not in held]
    if not absent:
        return counts
    day = COUNT_START
    zeros = pd.DataFrame(
        {
            "period_start": day,
            "period_end": day,
            "measure": str(Measure.POLICE_KILLINGS),
            "group": absent,
            "value": 0,
        }
    )
    return pd.concat([counts, zeros.loc[:, list(common.COUNT_COLUMNS)]], ignore_index=True)


def wapo_group(label: str | None) -> Group | None:
    """The Open Policing group of a WaPo `race` value (module doc); None for a code the Post does not use."""
    codes = {c.strip() for c in (label or "").split(";")} - _UNKNOWN_CODES
    if not codes:
        return Group.UNKNOWN
    if not codes <= set(_SINGLE_CODES):
        return None
    if "H" in codes:
        return Group.HISPANIC
    if len(codes) == 1:
        return _SINGLE_CODES[codes.pop()]
    return Group.OTHER


def agency_ids_of(value: str) -> list[int]:
    """The agency ids of a death record's `agency_ids` value ("1;2" → [1, 2]); non-numeric parts are skipped."""
    return [int(p) for p in (s.strip() for s in value.split(";")) if p.isdigit()]


def agency_table(selected: pd.DataFrame, agencies: pd.DataFrame) -> pd.DataFrame:
    """Agencies linked to the selected shootings: id, name, type, state, shootings among them, the Post's
    all-time total. No person names: the agencies file holds none."""
    links = selected["agency_ids"].map(agency_ids_of).explode().dropna().astype(int)
    linked = links.value_counts().rename_axis("agency_id").reset_index(name="shootings")
    table = agencies.assign(agency_id=pd.to_numeric(agencies["id"], errors="coerce")).dropna(subset=["agency_id"])
    table = table.astype({"agency_id": int}).merge(linked, on="agency_id", how="inner")
    table = table.rename(columns={"name": "agency"})
    table["total_shootings"] = pd.to_numeric(table["total_shootings"], errors="coerce").astype("Int64")
    table = table.loc[:, ["agency_id", "agency", "type", "state", "shootings", "total_shootings"]]
    return table.sort_values(["shootings", "agency_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _check_combination(opts: WapoShootingsOptions, ctx: AdapterContext) -> None:
    """Refuse option sets that select nothing, or two things at once."""
    where = ctx.params_path or ctx.path
    prefix = f"source `{ctx.source_id}` options"
    chosen = [k for k in ("city", "state", "agency_ids", "agency_name") if getattr(opts, k)]
    if opts.national and chosen:
        raise SourceError(where, f"{prefix}: `national: true` selects every row; drop {chosen}")
    if not opts.national and not chosen:
        raise SourceError(
            where, f"{prefix}: give `city` and `state`, `state`, `agency_ids` or `agency_name`, or `national: true`"
        )
    if opts.city and not opts.state:
        raise SourceError(where, f"{prefix}: `city` {opts.city!r} needs `state` (several states have one)")
    if opts.agency_ids and opts.agency_name:
        raise SourceError(where, f"{prefix}: give `agency_ids` or `agency_name`, not both")


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The named columns of a WaPo CSV as strings (empty for missing), after checking the header."""
    header = common.csv_header(path)
    require_columns(pd.DataFrame(columns=header), columns, path)
    try:
        return pd.read_csv(path, usecols=list(columns), dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError, OSError) as err:
        raise SourceError(path, f"cannot read as CSV: {str(err).splitlines()[0]}") from err


def _dates(deaths: pd.DataFrame, path: Path) -> pd.Series:
    """`date` parsed as YYYY-MM-DD (NaT where empty); a value that is not a date is a SourceError."""
    days = pd.to_datetime(deaths["date"], format="%Y-%m-%d", errors="coerce")
    bad = days.isna() & (deaths["date"].str.strip() != "")
    if bad.any():
        value = deaths.loc[bad, "date"].iloc[0]
        line = common.first_line_where(path, "date", lambda v: v == value.strip())
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {value!r}", column="date", row=line)
    if days.isna().all():
        raise SourceError(path, "no row has a date", column="date")
    return days


def _select(
    deaths: pd.DataFrame, agencies: pd.DataFrame, opts: WapoShootingsOptions, ctx: AdapterContext
) -> tuple[pd.DataFrame, list[Dropped], str]:
    """The selected rows, the record of each filter, and a caveat saying how they were selected."""
    sid, path = ctx.source_id, ctx.path
    if opts.national:
        reason = "national: every fatal police shooting in the file"
        return deaths, [Dropped(sid, "select all rows", len(deaths), len(deaths), reason)], _NATIONAL
    rows, dropped, agency_part, place_part = deaths, [], "", ""
    if opts.agency_ids or opts.agency_name:
        ids = _agency_ids(agencies, opts, ctx)
        keep = rows["agency_ids"].map(lambda v: bool(set(agency_ids_of(v)) & set(ids)))
        names = agencies.loc[pd.to_numeric(agencies["id"], errors="coerce").isin(ids), "name"]
        id_list = ", ".join(str(i) for i in sorted(ids))
        label = f"{'; '.join(sorted(set(names)))} (WaPo agency ids {id_list})"
        dropped.append(Dropped(sid, "filter agency_ids", len(rows), int(keep.sum()), f"kept shootings by {label}"))
        rows, agency_part = rows[keep], f"linked to {label}"
    if opts.state and (opts.city or not (opts.agency_ids or opts.agency_name)):
        common.check_option_value(path, "state", opts.state, deaths["state"], "state")
        keep = rows["state"] == opts.state
        if opts.city:
            in_state = deaths.loc[deaths["state"] == opts.state, "city"]
            common.check_option_value(path, "city", opts.city, in_state, "city", where=f" in {opts.state}")
            keep &= rows["city"] == opts.city
        place = f"{opts.city}, {opts.state}" if opts.city else opts.state
        dropped.append(Dropped(sid, "filter city/state", len(rows), int(keep.sum()), f"kept shootings in {place}"))
        rows = rows[keep]
        place_part = f"that happened in {place}"
    return rows, dropped, _selection_caveat(agency_part, place_part)


def _selection_caveat(agency_part: str, place_part: str) -> Caveat:
    if agency_part and place_part:
        return _counted(f"fatal police shootings {agency_part} {place_part}.")
    if agency_part:
        return _counted(f"fatal police shootings {agency_part}, wherever they happened.")
    return _counted(f"fatal police shootings {place_part}, whichever agency fired.")


def _counted(what: str) -> Caveat:
    return Caveat(CaveatKind.COUNTED_HERE, f"Counted here: {what}")


_NATIONAL = _counted("fatal police shootings in the whole United States (no city or agency selected).")


def _agency_ids(agencies: pd.DataFrame, opts: WapoShootingsOptions, ctx: AdapterContext) -> list[int]:
    """The agency ids the options name, each checked against the agencies file."""
    path = ctx.path.parent / opts.agencies_file
    known = pd.to_numeric(agencies["id"], errors="coerce")
    if opts.agency_ids:
        missing = sorted(set(opts.agency_ids) - set(known.dropna().astype(int)))
        if missing:
            raise SourceError(path, f"option `agency_ids`: {missing} match no agency `id`", column="id")
        return sorted(set(opts.agency_ids))
    matches = agencies[agencies["name"] == opts.agency_name]
    if opts.state:
        matches = matches[matches["state"] == opts.state]
    if matches.empty:
        where = f" in {opts.state}" if opts.state else ""
        pool = agencies.loc[agencies["state"] == opts.state, "name"] if opts.state else agencies["name"]
        common.check_option_value(path, "agency_name", opts.agency_name, pool, "name", where=where)
    if len(matches) > 1:
        found = ", ".join(f"id {i} ({s})" for i, s in zip(matches["id"], matches["state"], strict=True))
        raise SourceError(
            path, f"option `agency_name` {opts.agency_name!r} names {len(matches)} agencies: {found}; add `state`"
        )
    return [int(matches["id"].iloc[0])]


def _race_record(sid: str, races: pd.Series, groups: pd.Series) -> list[Dropped]:
    """One record per kind of race recode: unknown, multiple codes, Native American into other."""
    n = len(races)
    codes = races.str.strip()
    multi = codes.str.contains(";")
    steps = [
        ("recode empty race", int((groups == str(Group.UNKNOWN)).sum()), "counted as unknown"),
        ("recode multiple race codes", int(multi.sum()), "with H → hispanic, otherwise → other"),
        ("recode race N (Native American)", int((codes == "N").sum()), "→ other (Open Policing value set)"),
    ]
    return [Dropped(sid, step, n, n, f"{k} people {why}") for step, k, why in steps if k]


def _race_caveat(groups: pd.Series) -> str:
    unknown = int((groups == str(Group.UNKNOWN)).sum())
    share = f"{unknown / len(groups):.0%}" if len(groups) else "0%"
    return (
        "Race is as the Post recorded it (from public records, news reports or photographs); it is unknown for "
        f"{unknown:,} of the {len(groups):,} people counted here ({share}). A person recorded with several codes "
        "counts once: Hispanic if H is among them, otherwise other; Native American counts as other."
    )
