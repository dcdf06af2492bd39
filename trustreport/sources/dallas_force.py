"""Dallas Police Department use-of-force reports, 2016 (Center for Policing Equity "prepped" file) → daily force
incidents and people subjected to force, by subject race, with force severity and injuries as extras.

The file has one row per **officer–subject force report**; `UOF_NUMBER` identifies the incident. Its second
line repeats the header in Dallas's raw field names (`OCCURRED_D, UOFNum, …`): such lines are dropped and
recorded. Values carry stray spaces, which are stripped. Counting rules:

- `force_incidents`: distinct `UOF_NUMBER`s, dated by the earliest `INCIDENT_DATE` (m/d/yy) of their rows;
  each incident counted once in each race group of its subjects (so groups can add up to more than `all`,
  which counts it once).
- `force_subjects`: distinct (`UOF_NUMBER`, `SUBJECT_ID`) pairs; a missing, `NULL` or `0` subject id is a
  placeholder, so such a row is its own subject (this can overcount people).
- Subject race: Black → black, Hispanic → hispanic, White → white, Asian → asian/pacific islander,
  American Ind / Other → other, missing or NULL → unknown; any other label is refused.
- Extras, per incident and race group (the `force_incidents` rule), as the NJ adapter makes them:
  `force_severity` (the most severe `ForceSeverity` of `TYPE_OF_FORCE_USED1..10` over the incident's rows,
  grouped by `DALLAS_FORCE_SEVERITY`; an unlisted type ranks as `other or unrecorded` and is recorded) and
  `force_injuries` (`SUBJECT_INJURY` = Yes on any row; serious if an injury type is in `SERIOUS_INJURIES`).

Not emitted: arrests (`SUBJECT_WAS_ARRESTED` covers only people force was used on). Only the columns named here
are read; the file has no officer or subject names, and officer ids, addresses and coordinates are never
selected. Coverage: the calendar years the rows span (a day without a row is a true zero).
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources._force import ForceSeverity, most_severe, severity_and_injury_extras
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
    ExtrasTable("force_severity", {"date": "date", "group": "text", "severity": "text", "incidents": "number"},
                "incidents per day, group and most severe force used"),
    ExtrasTable("force_injuries", {"date": "date", "group": "text", "incidents": "number", "injured": "number",
                                   "serious": "number"},
                "incidents per day and group, and how many injured the person"),
    ExtrasTable("force_type_map", {"force_type": "text", "severity": "text", "rows": "number"},
                "each force type in the file, the severity it maps to, and how many rows carry it"),
)  # fmt: skip

log = logging.getLogger("trustreport")

FORCE_TYPE_COLUMNS = tuple(f"TYPE_OF_FORCE_USED{i}" for i in range(1, 11))
COLUMNS = (
    "INCIDENT_DATE",
    "UOF_NUMBER",
    "SUBJECT_ID",
    "SUBJECT_RACE",
    "SUBJECT_INJURY",
    "SUBJECT_INJURY_TYPE",
    *FORCE_TYPE_COLUMNS,
)
RAW_HEADER_MARK = "UOFNum"  # the UOF_NUMBER cell of the repeated raw-name header line
PLACEHOLDER_IDS = frozenset({"", "0", "NULL"})
RACES: dict[str, Group] = {
    "black": Group.BLACK,
    "hispanic": Group.HISPANIC,
    "white": Group.WHITE,
    "asian": Group.ASIAN_PI,
    "american ind": Group.OTHER,
    "other": Group.OTHER,
    "": Group.UNKNOWN,
    "null": Group.UNKNOWN,
}
DALLAS_FORCE_SEVERITY: dict[str, ForceSeverity] = {
    **dict.fromkeys(
        ("Verbal Command", "Weapon display at Person", "Taser Display at Person", "Baton Display", "Combat Stance"),
        ForceSeverity.DISPLAY,
    ),
    **dict.fromkeys(
        (
            "Held Suspect Down",
            "BD - Grabbed",
            "Joint Locks",
            "Hand Controlled Escort",
            "Pressure Points",
            "Leg Restraint System",
        ),
        ForceSeverity.CONTROL,
    ),
    **dict.fromkeys(
        (
            "Take Down - Arm",
            "Take Down - Body",
            "Take Down - Head",
            "Take Down - Group",
            "Handcuffing Take Down",
            "BD - Pushed",
            "BD - Tripped",
            "Hand/Arm/Elbow Strike",
            "Feet/Leg/Knee Strike",
            "LVNR",
        ),
        ForceSeverity.BODILY,
    ),
    **dict.fromkeys(
        (
            "Taser",
            "OC Spray",
            "K-9 Deployment",
            "Baton Strike/Open Mode",
            "Baton Strike/Closed Mode",
            "Other Impact Weapon",
            "Pepperball Saturation",
            "Pepperball Impact",
        ),
        ForceSeverity.WEAPON,
    ),
}
SERIOUS_INJURIES = frozenset({"hospitalized", "fracture", "internal injury", "unconscious state", "broken teeth"})
CAVEATS = (
    "Dallas force reports are filed per officer and subject; rows sharing a use-of-force number are one incident, "
    "counted once in each race group of its subjects.",
    "The Dallas use-of-force file does not include police shootings (reported separately), so no incident "
    "reaches the severity 'firearm discharged'.",
    "Subjects without an id (empty, NULL or 0) are each counted as a separate person, which can overcount people.",
)


class DallasForceOptions(StrictOptions):
    """No options: the file holds one department (Dallas PD) and one year."""


def read_dallas_use_of_force(ctx: AdapterContext) -> SourceData:
    """Daily force incidents and people subjected to force by subject race, with severity and injury extras
    (rules: module doc)."""
    parse_options(DallasForceOptions, ctx)
    header = common.csv_header(ctx.path)
    require_columns(pd.DataFrame(columns=header), COLUMNS, ctx.path)
    with common.open_text(ctx.path) as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False, usecols=list(COLUMNS))
    raw = raw.apply(lambda col: col.str.strip())
    raw["line"] = raw.index + 2
    rows = raw[raw["UOF_NUMBER"] != RAW_HEADER_MARK].copy()
    dropped = [
        Dropped(ctx.source_id, "drop repeated header lines", len(raw), len(rows), "raw Dallas field names"),
    ]
    rows["day"] = _dates(rows, ctx)
    rows["group"] = _groups(rows, ctx)
    rows["incident_day"] = rows.groupby("UOF_NUMBER")["day"].transform("min")
    rows["subject"] = rows["SUBJECT_ID"].where(
        ~rows["SUBJECT_ID"].isin(PLACEHOLDER_IDS), "row " + rows["line"].astype(str)
    )
    incidents = _incident_groups(rows)
    subjects = rows.drop_duplicates(["UOF_NUMBER", "subject"])
    dropped.append(
        Dropped(
            ctx.source_id,
            "count each person once per incident",
            len(rows),
            len(subjects),
            "rows are per officer and subject; one row kept per use-of-force number and subject id",
        )
    )
    counts = pd.concat([_daily(incidents, Measure.FORCE_INCIDENTS), _daily(_people(subjects), Measure.FORCE_SUBJECTS)])
    extras, unmapped = _extras(rows, incidents)
    if unmapped:
        dropped.append(Dropped(ctx.source_id, "rank unlisted force types as other", len(rows), len(rows), unmapped))
    years = rows["day"].dt.year
    start, end = date(int(years.min()), 1, 1), date(int(years.max()), 12, 31)
    note = "the calendar years the file's rows span"
    coverage = [Coverage(ctx.source_id, m, start, end, note) for m in (Measure.FORCE_INCIDENTS, Measure.FORCE_SUBJECTS)]
    log.info("%s: %d reports → %d incidents", ctx.source_id, len(rows), rows["UOF_NUMBER"].nunique())
    return finish(ctx, common.sort_counts(counts), coverage=coverage, dropped=dropped, caveats=CAVEATS, extras=extras)


def _dates(rows: pd.DataFrame, ctx: AdapterContext) -> pd.Series:
    days = pd.to_datetime(rows["INCIDENT_DATE"], format="%m/%d/%y", errors="coerce")
    if days.isna().any():
        bad = rows[days.isna()].iloc[0]
        raise SourceError(
            ctx.path, f"expected a date m/d/yy, got {bad['INCIDENT_DATE']!r}", column="INCIDENT_DATE", row=bad["line"]
        )
    return days


def _groups(rows: pd.DataFrame, ctx: AdapterContext) -> pd.Series:
    labels = rows["SUBJECT_RACE"].str.lower()
    unknown = ~labels.isin(list(RACES))
    if unknown.any():
        bad = rows[unknown].iloc[0]
        raise SourceError(
            ctx.path, f"unrecognised value {bad['SUBJECT_RACE']!r}", column="SUBJECT_RACE", row=bad["line"]
        )
    return labels.map(lambda v: str(RACES[v]))


def _incident_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (incident, group), and one per incident in `all`; columns incident, incident_day, group."""
    keys = rows[["UOF_NUMBER", "incident_day", "group"]].drop_duplicates()
    every = keys.drop_duplicates("UOF_NUMBER").assign(group=str(Group.ALL))
    out = pd.concat([keys, every], ignore_index=True).rename(columns={"UOF_NUMBER": "incident"})
    return out.assign(value=1)


def _people(subjects: pd.DataFrame) -> pd.DataFrame:
    """People per incident day and group (a person's race is the group of their row); `all` sums them."""
    people = subjects.groupby(["incident_day", "group"], as_index=False).size().rename(columns={"size": "value"})
    every = people.groupby("incident_day", as_index=False)["value"].sum().assign(group=str(Group.ALL))
    return pd.concat([people, every], ignore_index=True)


def _daily(rows: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    daily = rows.groupby(["incident_day", "group"], as_index=False)["value"].sum()
    daily = daily.assign(period_start=daily["incident_day"], period_end=daily["incident_day"], measure=str(measure))
    return daily.loc[:, list(common.COUNT_COLUMNS)]


def _extras(rows: pd.DataFrame, incidents: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], str]:
    """Severity and injury extras per incident, and a note on force types without a severity ('' if none)."""
    types = rows.melt(id_vars=["UOF_NUMBER"], value_vars=list(FORCE_TYPE_COLUMNS), value_name="type")
    types = types[types["type"] != ""]
    unmapped = sorted(set(types["type"]) - set(DALLAS_FORCE_SEVERITY))
    types = types.assign(severity=types["type"].map(DALLAS_FORCE_SEVERITY).fillna(ForceSeverity.OTHER).astype(str))
    severity = types.groupby("UOF_NUMBER")["severity"].agg(lambda s: str(most_severe(s)))
    injury_types = rows["SUBJECT_INJURY_TYPE"].str.lower().str.split(",")
    rows = rows.assign(
        injured=rows["SUBJECT_INJURY"].str.lower() == "yes",
        serious=injury_types.map(lambda ts: any(t.strip() in SERIOUS_INJURIES for t in ts)),
    )
    per_incident = rows.groupby("UOF_NUMBER")
    extras = severity_and_injury_extras(
        incidents, severity, per_incident["injured"].any(), per_incident["serious"].any()
    )
    type_map = types.groupby("type", as_index=False).agg(severity=("severity", "first"), rows=("UOF_NUMBER", "size"))
    extras["force_type_map"] = type_map.rename(columns={"type": "force_type"})
    note = f"{len(unmapped)} force types have no severity: {', '.join(unmapped)}" if unmapped else ""
    return extras, note
