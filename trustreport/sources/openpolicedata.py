"""OpenPoliceData tables saved as CSV (or Parquet) → daily stops or use-of-force counts, or an officer roster, by
race (`pip install 'trustreport[opd]'` for the package; reading a saved table needs only this adapter).

OpenPoliceData (PyPI `openpolicedata`) downloads a department's table and standardises some of its columns
(`openpolicedata.preproc.standardize`, names in `openpolicedata.defs.columns`); this adapter reads only those:

- `DATE`: the day (`YYYY-MM-DD`, optionally with a time); a row without one is dropped (recorded).
- Race of the person (`SUBJECT_…`, or `OFFICER_…` for an `employee` table), the first present of:
  `…_RACE/ETHNICITY` (OPD's merge of race and ethnicity), `…_RACE` with `…_ETHNICITY` (a `HISPANIC/LATINO`
  ethnicity overrides the race, as in the Open Policing value set), `…_RACE` alone (then Hispanic people are
  counted by their race; a caveat says so), `…_RE_GROUP`.
- `AGENCY`: with the `agency` option, a filter (tables that combine several departments).

OPD's race labels → groups: `BLACK` → black; `WHITE` → white; `HISPANIC/LATINO` → hispanic; `ASIAN`,
`ASIAN/PACIFIC ISLANDER`, `HAWAIIAN/PACIFIC ISLANDER`, `SOUTH ASIAN` → asian/pacific islander; `INDIGENOUS`,
`MULTIPLE`, `OTHER`, `MIDDLE EASTERN`, `MIDDLE EASTERN/SOUTH ASIAN` → other; `UNKNOWN`, `UNSPECIFIED`,
`OTHER OR UNKNOWN` and empty → unknown. Any other label is refused (map it with `race_labels`).

Option `table` says what a row is and what it becomes:

- `stops` (OPD table types `STOPS`, `TRAFFIC STOPS`, `PEDESTRIAN STOPS`): one row per stop (or per person
  stopped) → `stops`. OPD does not standardise outcomes, so `outcomes` maps `searches`, `hits`, `arrests`,
  `citations` or `frisks` to the table's own column, counted where its value is one of `true_values`.
  `stop_type` (`vehicular`, `pedestrian`, `mixed`; default mixed) decides "drivers" / "pedestrians" / "people
  stopped".
- `use_of_force` (`USE OF FORCE`, `… - SUBJECTS`): one row per person force was used on → `force_subjects`;
  with `incident_column` (an id column), distinct incidents → `force_incidents`, dated by their earliest row and
  counted once in each group of their subjects.
- `employee` (`EMPLOYEE`): one row per officer → `officers`, a snapshot dated to the `vintage` year.

Coverage: the calendar years the dates span (OPD tables are requested by year), or `coverage_start` /
`coverage_end`; a day without a row inside it is a true zero. Every other column (names, addresses, raw
`RAW_…` copies) is ignored.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources.base import AdapterContext, Dropped, SourceData, StrictOptions, finish, parse_options
from trustreport.sources.extras import ExtrasTable
from trustreport.vocab import Group, Measure

log = logging.getLogger("trustreport")

EXTRAS = (
    ExtrasTable(
        "stop_mode",
        {"type": "text", "stops": "number"},
        "stops kept, under the `stop_type` option (decides the nouns); only a `stops` table has one",
        required=False,
    ),
)

OPD_GROUPS: dict[str, Group] = {
    "BLACK": Group.BLACK,
    "WHITE": Group.WHITE,
    "HISPANIC/LATINO": Group.HISPANIC,
    "ASIAN": Group.ASIAN_PI,
    "ASIAN/PACIFIC ISLANDER": Group.ASIAN_PI,
    "HAWAIIAN/PACIFIC ISLANDER": Group.ASIAN_PI,
    "SOUTH ASIAN": Group.ASIAN_PI,
    "INDIGENOUS": Group.OTHER,
    "MULTIPLE": Group.OTHER,
    "OTHER": Group.OTHER,
    "MIDDLE EASTERN": Group.OTHER,
    "MIDDLE EASTERN/SOUTH ASIAN": Group.OTHER,
    "UNKNOWN": Group.UNKNOWN,
    "UNSPECIFIED": Group.UNKNOWN,
    "OTHER OR UNKNOWN": Group.UNKNOWN,
    "": Group.UNKNOWN,
}
HISPANIC = "HISPANIC/LATINO"
OUTCOMES: dict[str, Measure] = {
    "searches": Measure.SEARCHES,
    "hits": Measure.HITS,
    "arrests": Measure.ARRESTS,
    "citations": Measure.CITATIONS,
    "frisks": Measure.FRISKS,
}
RACE_ONLY_CAVEAT = (
    "The OpenPoliceData table records race without ethnicity: Hispanic people are counted under their race, "
    "not as Hispanic, so per-resident ratios against census groups (Hispanic separate) mix two schemes."
)


class OpenPoliceDataOptions(StrictOptions):
    """`table` (stops, use_of_force, employee), `agency`, `race_labels`, `outcomes`, `true_values`, `stop_type`,
    `incident_column`, `vintage`, `coverage_start`, `coverage_end`: see the module docstring."""

    table: Literal["stops", "use_of_force", "employee"]
    agency: str | None = None
    race_labels: dict[str, Group] = Field(default_factory=dict)
    outcomes: dict[Literal["searches", "hits", "arrests", "citations", "frisks"], str] = Field(default_factory=dict)
    true_values: tuple[str, ...] = ("TRUE", "True", "true", "YES", "Yes", "yes", "Y", "1")
    stop_type: Literal["vehicular", "pedestrian", "mixed"] = "mixed"
    incident_column: str | None = None
    vintage: int | None = Field(default=None, ge=1900, le=2100)
    coverage_start: date | None = None
    coverage_end: date | None = None


def read_openpolicedata(ctx: AdapterContext) -> SourceData:
    """Daily counts (stops, force) or a roster snapshot (officers) by race from a saved OPD table (module doc)."""
    opts = parse_options(OpenPoliceDataOptions, ctx)
    path = ctx.path
    common.require_file(path)
    raw = _read(path)
    sid = ctx.source_id
    rows, dropped = _agency(raw, opts, path, sid)
    person = "OFFICER" if opts.table == "employee" else "SUBJECT"
    groups, race_caveats = _groups(rows, person, opts, path)
    rows = rows.assign(group=groups)
    if opts.table == "employee":
        return _roster(ctx, rows, opts, dropped, race_caveats)
    rows, dropped = _dated(rows, path, sid, dropped)
    counts, measures = _events(rows, opts, path)
    start, end = _coverage(rows, opts)
    coverage = [Coverage(sid, m, start, end, "OpenPoliceData table (a day without a row is a zero)") for m in measures]
    extras = {}
    if opts.table == "stops":
        extras["stop_mode"] = pd.DataFrame({"type": [opts.stop_type], "stops": [len(rows)]})
    log.info("%s: %d rows, %s", sid, len(rows), ", ".join(str(m) for m in measures))
    return finish(
        ctx, common.sort_counts(counts), coverage=coverage, dropped=dropped, caveats=race_caveats, extras=extras
    )


def _read(path: Path) -> pd.DataFrame:
    """The saved table, every column as text (Parquet needs pyarrow, installed with the `opd` extra)."""
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path).astype("string").fillna("")
        else:
            with common.open_text(path) as fh:
                frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except ImportError as err:
        raise SourceError(path, f"reading Parquet needs pyarrow (pip install 'trustreport[opd]'): {err}") from err
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as err:
        raise SourceError(path, f"cannot read the table: {str(err).splitlines()[0]}") from err
    return frame.rename(columns=str.strip)


def _agency(raw: pd.DataFrame, opts: OpenPoliceDataOptions, path: Path, sid: str):
    if not opts.agency:
        return raw, []
    if "AGENCY" not in raw.columns:
        raise SourceError(path, "option `agency` needs an AGENCY column, which the table lacks", column="AGENCY")
    common.check_option_value(path, "agency", opts.agency, raw["AGENCY"], "AGENCY")
    kept = raw[raw["AGENCY"].str.strip() == opts.agency]
    return kept, [Dropped(sid, "keep the agency's rows", len(raw), len(kept), f"AGENCY is {opts.agency!r}")]


def _groups(rows: pd.DataFrame, person: str, opts: OpenPoliceDataOptions, path: Path) -> tuple[pd.Series, list]:
    """Each row's group from the standardised race columns (module doc), and the caveats the choice carries."""
    merged, race, eth, group = (
        f"{person}_RACE/ETHNICITY",
        f"{person}_RACE",
        f"{person}_ETHNICITY",
        f"{person}_RE_GROUP",
    )
    cols = set(rows.columns)
    caveats: list[str] = []
    if merged in cols:
        column, labels = merged, rows[merged]
    elif race in cols and eth in cols:
        column = race
        labels = rows[race].where(rows[eth].str.strip().str.upper() != HISPANIC, HISPANIC)
    elif race in cols:
        column, labels = race, rows[race]
        caveats.append(RACE_ONLY_CAVEAT)
    elif group in cols:
        column, labels = group, rows[group]
    else:
        raise SourceError(path, f"needs a race column: one of {merged}, {race}, {group}", column=race)
    mapping = {**OPD_GROUPS, **{k.strip().upper(): g for k, g in opts.race_labels.items()}}
    upper = labels.str.strip().str.upper()
    unknown = sorted(set(upper) - set(mapping))
    if unknown:
        raise SourceError(
            path, f"unrecognised race label {unknown[0]!r}; map it with the `race_labels` option", column=column
        )
    return upper.map(lambda v: str(mapping[v])), caveats


def _dated(rows: pd.DataFrame, path: Path, sid: str, dropped: list):
    if "DATE" not in rows.columns:
        raise SourceError(path, "needs OpenPoliceData's standardised DATE column", column="DATE")
    day = pd.to_datetime(rows["DATE"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    bad = day.isna() & (rows["DATE"].str.strip() != "")
    if bad.any():
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {rows.loc[bad, 'DATE'].iloc[0]!r}", column="DATE")
    kept = rows.assign(day=day)[day.notna()]
    dropped = [*dropped, Dropped(sid, "drop rows without a date", len(rows), len(kept), "DATE is empty")]
    return kept, dropped


def _events(rows: pd.DataFrame, opts: OpenPoliceDataOptions, path: Path) -> tuple[pd.DataFrame, list[Measure]]:
    if opts.table == "stops":
        wide = rows.loc[:, ["day", "group"]].assign(stops=1)
        for name, column in opts.outcomes.items():
            if column not in rows.columns:
                raise SourceError(path, f"option `outcomes.{name}` names a column the table lacks", column=column)
            wide[str(OUTCOMES[name])] = rows[column].str.strip().isin(opts.true_values).astype(int)
        measures = [Measure.STOPS, *(OUTCOMES[n] for n in opts.outcomes)]
        daily = wide.groupby(["day", "group"], as_index=False).sum()
        return common.with_all_totals(common.daily_counts(daily, measures)), measures
    subjects = rows.loc[:, ["day", "group"]].assign(**{str(Measure.FORCE_SUBJECTS): 1})
    counts = common.with_all_totals(
        common.daily_counts(subjects.groupby(["day", "group"], as_index=False).sum(), [Measure.FORCE_SUBJECTS])
    )
    if not opts.incident_column:
        return counts, [Measure.FORCE_SUBJECTS]
    if opts.incident_column not in rows.columns:
        raise SourceError(path, "option `incident_column` names a column the table lacks", column=opts.incident_column)
    incidents = rows.assign(incident=rows[opts.incident_column].str.strip())
    incidents["day"] = incidents.groupby("incident")["day"].transform("min")
    per_group = incidents.drop_duplicates(["incident", "group"]).groupby(["day", "group"], as_index=False).size()
    per_all = incidents.drop_duplicates("incident").groupby("day", as_index=False).size().assign(group=str(Group.ALL))
    force = pd.concat([per_group, per_all], ignore_index=True).rename(columns={"size": str(Measure.FORCE_INCIDENTS)})
    return pd.concat([counts, common.daily_counts(force, [Measure.FORCE_INCIDENTS])], ignore_index=True), [
        Measure.FORCE_SUBJECTS,
        Measure.FORCE_INCIDENTS,
    ]


def _coverage(rows: pd.DataFrame, opts: OpenPoliceDataOptions) -> tuple[date, date]:
    start = opts.coverage_start or date(int(rows["day"].min().year), 1, 1)
    end = opts.coverage_end or date(int(rows["day"].max().year), 12, 31)
    return start, end


def _roster(ctx: AdapterContext, rows: pd.DataFrame, opts, dropped, caveats) -> SourceData:
    if opts.vintage is None:
        raise SourceError(ctx.path, "an employee table needs the `vintage` option (the roster's year)")
    values = {Group(g): float(n) for g, n in rows["group"].value_counts().items()}
    values[Group.ALL] = float(len(rows))
    counts = common.sort_counts(common.snapshot_counts(values, Measure.OFFICERS, opts.vintage))
    start, end = common.vintage_period(opts.vintage)
    note = f"{opts.vintage} roster (an OpenPoliceData employee table; a snapshot)"
    coverage = [Coverage(ctx.source_id, Measure.OFFICERS, start, end, note)]
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=caveats)
