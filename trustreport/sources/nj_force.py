"""NJ Attorney General use-of-force reports (`njoaguof` tables) → daily force incidents and people, by race.

The release has one **form per officer per incident** (`incident` table, key `form_id`) and one row per
subject listed on a form (`subject` table). Counting rules, for one agency (`agency` option, matched to
`agency_name`):

- Incidents. Forms of the agency that share an incident case number (`incident_case_number`, compared in upper
  case with punctuation removed; values shorter than 4 characters are treated as missing) are one incident if
  their dates are at most 1 day apart (an event can cross midnight); the same number reused months later
  starts a new incident. A form without a usable case number is its own incident (this can overcount). An
  incident is dated by its earliest form. Incidents whose only subjects are animals are dropped.
- Race of an incident. The races of the people (subjects of type Person) force was used on, over all its
  forms: an incident is counted once in each of their groups, so group counts can add up to more than `all`,
  which counts each incident once. A person without a recorded race counts as `unknown`, and so does an
  incident with no Person subject (e.g. only "Unknown Subject(s)").
- `force_incidents`: incidents by that rule, on the incident's date.
- `force_subjects`: people of type Person. The same person appears on every officer's form, so within an
  incident each race counts the largest number of Person subjects of that race on any one form (a lower bound
  when different officers used force on different people of the same race); `all` is the sum over groups.
- Subject race: Black → black, Hispanic → hispanic, White → white, Asian / Pacific Islander variants →
  asian/pacific islander, Other / Two or more races / American Indian → other, missing → unknown.

Not emitted: arrests. The subject's `arrested` flag says whether a person force was used on was arrested; it
is not a count of arrests. `extras["forms"]` (columns date, group, forms, person_rows) keeps the per-officer
form counts by form date, for checking against published figures; `all` there counts every form of the agency.

Severity and injuries (extras, not canonical measures: they describe force incidents already counted, so a
second measure would double count them). `extras["force_severity"]` (date, group, severity, incidents): each
incident once per race group (the `force_incidents` rule), in the most severe `ForceSeverity` of any force type
on any of its forms (`incident_subject_force_type`, grouped by `NJ_FORCE_SEVERITY`; no recorded type → `other
or unrecorded`). `extras["force_injuries"]` (date, group, incidents, injured, serious): incidents, and those with
any subject injury row (`incident_subject_injury`) or a serious one (`SERIOUS_INJURIES`). Force types and
injuries are per form and cannot be tied to one subject (njoaguof README), so they are counted per incident.
`extras["force_type_map"]` lists each raw force type, its severity and its rows for the agency.

Option `unit: forms` counts `force_incidents` as forms instead (a form in each group of its Person subjects,
`unknown` if none; `all` every form), for comparison with sources that count forms (NJ.com's Force Report).

Only the columns named above are read: officer names (`officer_name`, `officer_name_id`) are never selected,
so no name can reach any output. Coverage is the file's reporting period (first to last form date statewide):
a day without a form from the agency is a true zero.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import pandas as pd

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources._force import ForceSeverity, most_severe, severity_and_injury_extras
from trustreport.sources._nj import NJ_FORCE_SEVERITY, SERIOUS_INJURIES, nj_group
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
    ExtrasTable("forms", {"date": "date", "group": "text", "forms": "number", "person_rows": "number"},
                "use-of-force forms and person rows per day and group (before grouping forms into incidents)"),
    ExtrasTable("force_severity", {"date": "date", "group": "text", "severity": "text", "incidents": "number"},
                "incidents per day, group and most severe force used", required=False),
    ExtrasTable("force_injuries", {"date": "date", "group": "text", "incidents": "number", "injured": "number",
                                   "serious": "number"},
                "incidents per day and group, and how many injured the person", required=False),
    ExtrasTable("force_type_map", {"force_type": "text", "severity": "text", "rows": "number"},
                "each force type in the file, the severity it maps to, and how many rows carry it", required=False),
)  # fmt: skip

log = logging.getLogger("trustreport")


INCIDENT_COLUMNS = ("form_id", "incident_case_number", "incident_date_1", "agency_name")
SUBJECT_COLUMNS = ("form_id", "type", "race")
# Forms sharing a case number belong to one incident if their dates are at most this many days apart.
SAME_INCIDENT_MAX_GAP_DAYS = 1
# Shorter normalised case numbers ("21-", "P22") are placeholders, not identifiers.
MIN_CASE_NUMBER_LENGTH = 4

CAVEATS = (
    "Use-of-force forms are filed per officer: forms of one agency sharing an incident case number "
    "(dated at most a day apart) are counted as one incident; forms without a usable case number count "
    "as separate incidents.",
    "A force incident is counted once in each race group of the people force was used on, so the group "
    "counts can add up to more than the total.",
    "This file's `arrested` flag covers only people force was used on; it is not an arrest count, and "
    "arrests are not taken from it.",
)

FORMS_CAVEAT = (
    "Use-of-force incidents are counted here as officers' forms (option unit: forms), one per officer per "
    "incident, to match sources that count forms; a form is counted in each race group of its people."
)


def persons_caveat(agency: str, persons: int, person_rows: int) -> str:
    """The spread between the lower and upper bound on people subjected to force, stated with both numbers."""
    return (
        "People subjected to force are counted once per incident (per race, the most listed on any one "
        f"officer's form): {persons:,} for {agency}, a lower bound when different officers used force on "
        f"different people of the same race. Counting every officer's form instead gives {person_rows:,}, an "
        "upper bound."
    )


class NjForceOptions(StrictOptions):
    """`agency`: the `agency_name` to count (e.g. "Newark PD"); `subject_file`, `force_type_file`,
    `injury_file`: the other tables, relative to the incident file's folder (a default file that is absent, or
    null, skips its extras; a named one must exist); `unit`: count `force_incidents` as incidents or forms."""

    agency: str
    subject_file: str = "subject.csv.gz"
    force_type_file: str | None = "incident_subject_force_type.csv.gz"
    injury_file: str | None = "incident_subject_injury.csv.gz"
    unit: Literal["incidents", "forms"] = "incidents"


def read_nj_use_of_force(ctx: AdapterContext) -> SourceData:
    """Daily force incidents and people subjected to force, by race, for one NJ agency (rules: module doc)."""
    opts = parse_options(NjForceOptions, ctx)
    incident_path, subject_path = ctx.path, ctx.path.parent / opts.subject_file
    incident_header = common.csv_header(incident_path)
    require_columns(pd.DataFrame(columns=incident_header), INCIDENT_COLUMNS, incident_path)
    subject_header = common.csv_header(subject_path)
    require_columns(pd.DataFrame(columns=subject_header), SUBJECT_COLUMNS, subject_path)

    con = common.connect()
    common.csv_view(con, "incidents", incident_path, incident_header, nulls=("", "NA"))
    common.csv_view(con, "subjects", subject_path, subject_header, nulls=("", "NA"))
    _check_incidents(con, incident_path, opts.agency)
    start, end = _file_period(con, incident_path)

    forms = _forms_with_incidents(con, incident_path, opts.agency)
    subjects = _subjects_of(con, subject_path, forms)
    race_map = common.map_labels(subjects["race"].drop_duplicates(), nj_group, path=subject_path, column="race")
    subjects["group"] = subjects["race"].map(lambda r: str(race_map[None if pd.isna(r) else r]))

    dropped = _form_record(con, ctx, incident_path, opts.agency, forms)
    incidents, persons, more = _incidents_and_persons(forms, subjects, ctx.source_id)
    dropped += more
    extras = {"forms": _forms_table(forms, subjects)}
    extras |= _force_extras(con, ctx, opts, forms, incidents)
    if opts.unit == "forms":
        by_form = extras["forms"].rename(columns={"date": "incident_day", "forms": "value"})
        incidents = by_form[by_form["value"] > 0]
    counts = pd.concat(
        [_daily(incidents, Measure.FORCE_INCIDENTS), _daily(persons, Measure.FORCE_SUBJECTS)],
        ignore_index=True,
    )
    note = "the file's reporting period (first to last form date statewide)"
    coverage = [Coverage(ctx.source_id, m, start, end, note) for m in (Measure.FORCE_INCIDENTS, Measure.FORCE_SUBJECTS)]
    persons_total = int(persons.loc[persons["group"] == str(Group.ALL), "value"].sum())
    person_rows = int((subjects["kind"] == "PERSON").sum())
    caveats = (*CAVEATS, persons_caveat(opts.agency, persons_total, person_rows))
    if opts.unit == "forms":
        caveats += (FORMS_CAVEAT,)
    if "force_severity" not in extras:
        caveats += ("No force-type or injury table was read: force severity and injuries are not shown.",)
    log.info("%s: %s: %d forms → %d incidents", ctx.source_id, opts.agency, len(forms), forms["incident"].nunique())
    return finish(ctx, common.sort_counts(counts), coverage=coverage, dropped=dropped, caveats=caveats, extras=extras)


def _check_incidents(con, path: Path, agency: str) -> None:
    """The agency exists; its forms have unique ids and parseable dates (else SourceError with the line)."""
    agencies = common.query_df(con, "SELECT DISTINCT agency_name AS v FROM incidents", path)["v"].dropna()
    common.check_option_value(path, "agency", agency, agencies, "agency_name")
    bad = common.query_df(
        con,
        "SELECT incident_date_1 AS v FROM incidents WHERE incident_date_1 IS NOT NULL "
        "AND TRY_CAST(incident_date_1 AS DATE) IS NULL LIMIT 1",
        path,
    )
    if len(bad):
        value = bad["v"].iloc[0]
        line = common.first_line_where(path, "incident_date_1", lambda v: v == value.strip())
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {value!r}", column="incident_date_1", row=line)
    ids = common.query_df(
        con,
        "SELECT count(*) FILTER (WHERE form_id IS NULL) AS missing, "
        "count(form_id) - count(DISTINCT form_id) AS dup FROM incidents WHERE agency_name = ?",
        path,
        [agency],
    ).iloc[0]
    if ids["missing"] or ids["dup"]:
        raise SourceError(
            path,
            f"{int(ids['missing'])} forms lack a form_id and {int(ids['dup'])} repeat one",
            column="form_id",
        )


def _file_period(con, path: Path):
    row = common.query_df(
        con,
        "SELECT min(CAST(incident_date_1 AS DATE)) AS lo, max(CAST(incident_date_1 AS DATE)) AS hi FROM incidents",
        path,
    ).iloc[0]
    if pd.isna(row["lo"]):
        raise SourceError(path, "no form has a date", column="incident_date_1")
    return pd.Timestamp(row["lo"]).date(), pd.Timestamp(row["hi"]).date()


def _forms_with_incidents(con, path: Path, agency: str) -> pd.DataFrame:
    """The agency's dated forms with columns form_id, day, has_case_number, incident, incident_day."""
    sql = f"""
        WITH forms AS (
            SELECT form_id, CAST(incident_date_1 AS DATE) AS day,
                   regexp_replace(upper(coalesce(incident_case_number, '')), '[^A-Z0-9]', '', 'g') AS k
            FROM incidents WHERE agency_name = ? AND incident_date_1 IS NOT NULL
        ), keyed AS (
            SELECT form_id, day, CASE WHEN length(k) >= {MIN_CASE_NUMBER_LENGTH} THEN k END AS case_key
            FROM forms
        ), starts AS (
            SELECT *, CASE WHEN case_key IS NULL OR lag(day) OVER w IS NULL
                                OR day - lag(day) OVER w > {SAME_INCIDENT_MAX_GAP_DAYS}
                           THEN 1 ELSE 0 END AS new
            FROM keyed WINDOW w AS (PARTITION BY case_key ORDER BY day, form_id)
        ), numbered AS (
            SELECT form_id, day, case_key IS NOT NULL AS has_case_number,
                   CASE WHEN case_key IS NULL THEN 'form ' || form_id
                        ELSE case_key || ' #' || sum(new) OVER (PARTITION BY case_key ORDER BY day, form_id
                                                                ROWS UNBOUNDED PRECEDING)
                   END AS incident
            FROM starts
        )
        SELECT *, min(day) OVER (PARTITION BY incident) AS incident_day FROM numbered ORDER BY day, form_id
    """
    forms = common.query_df(con, sql, path, [agency])
    forms["day"] = pd.to_datetime(forms["day"])
    forms["incident_day"] = pd.to_datetime(forms["incident_day"])
    return forms


def _subjects_of(con, path: Path, forms: pd.DataFrame) -> pd.DataFrame:
    """Subject rows of the given forms: form_id, kind (PERSON, ANIMAL, … or MISSING), race."""
    con.register("agency_forms", forms[["form_id"]])
    return common.query_df(
        con,
        "SELECT s.form_id, upper(trim(coalesce(s.type, 'missing'))) AS kind, s.race "
        "FROM subjects s JOIN agency_forms f USING (form_id)",
        path,
    )


def _form_record(con, ctx: AdapterContext, path: Path, agency: str, forms: pd.DataFrame) -> list[Dropped]:
    row = common.query_df(
        con,
        "SELECT count(*) AS total, count(*) FILTER (WHERE agency_name = ?) AS agency, "
        "count(*) FILTER (WHERE agency_name = ? AND incident_date_1 IS NULL) AS undated FROM incidents",
        path,
        [agency, agency],
    ).iloc[0]
    sid, n_agency = ctx.source_id, int(row["agency"])
    no_case = int((~forms["has_case_number"]).sum())
    return [
        Dropped(sid, "filter agency_name", int(row["total"]), n_agency, f"kept only forms of {agency!r}"),
        Dropped(
            sid,
            "drop forms without a date",
            n_agency,
            len(forms),
            f"{n_agency - len(forms)} forms have no incident_date_1 and cannot be placed in any window",
        ),
        Dropped(
            sid,
            "group officers' forms into incidents",
            len(forms),
            int(forms["incident"].nunique()),
            f"forms sharing a case number within {SAME_INCIDENT_MAX_GAP_DAYS} day are one incident; "
            f"{no_case} forms without a usable case number each count as one incident",
        ),
    ]


def _incidents_and_persons(
    forms: pd.DataFrame, subjects: pd.DataFrame, sid: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[Dropped]]:
    """Rows (incident, incident_day, group, value) for force_incidents and force_subjects, and the record."""
    subjects = subjects.merge(forms[["form_id", "incident", "incident_day"]], on="form_id")
    person = subjects[subjects["kind"] == "PERSON"]
    persons = _persons(person)
    all_incidents = forms[["incident", "incident_day"]].drop_duplicates()
    incidents = _incident_groups(all_incidents, subjects, persons)
    n_kept = int((incidents["group"] == str(Group.ALL)).sum())
    n_persons = int(persons.loc[persons["group"] != str(Group.ALL), "value"].sum())

    other_kinds = subjects.loc[subjects["kind"] != "PERSON", "kind"].value_counts().sort_index()
    not_people = ", ".join(f"{k.lower()} {n}" for k, n in other_kinds.items()) or "none"
    dropped = [
        Dropped(sid, "drop incidents whose only subjects are animals", len(all_incidents), n_kept, "no person"),
        Dropped(sid, "keep subjects of type Person", len(subjects), len(person), f"not people: {not_people}"),
        Dropped(
            sid,
            "count each person once per incident",
            len(person),
            n_persons,
            "per incident and race, the most Person subjects listed on any one officer's form",
        ),
    ]
    recoded = int(person["race"].isna().sum())
    if recoded:
        dropped.append(Dropped(sid, "recode missing race", len(person), len(person), f"{recoded} people as unknown"))
    return incidents, persons, dropped


def _persons(person: pd.DataFrame) -> pd.DataFrame:
    """People per incident and group: the most Person subjects of the group on one form; `all` sums them."""
    per_form = person.groupby(["incident", "incident_day", "form_id", "group"], as_index=False).size()
    persons = per_form.groupby(["incident", "incident_day", "group"], as_index=False)["size"].max()
    persons = persons.rename(columns={"size": "value"})
    every = persons.groupby(["incident", "incident_day"], as_index=False)["value"].sum()
    return pd.concat([persons, every.assign(group=str(Group.ALL))], ignore_index=True)


def _incident_groups(all_incidents: pd.DataFrame, subjects: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """One row per (incident, group) with value 1: each group of its people, `unknown` if it has none, and
    `all` once; incidents whose only subjects are animals are left out."""
    kinds = subjects.groupby("incident")["kind"].agg(set)
    animal_only = kinds[kinds.map(lambda k: k == {"ANIMAL"})].index
    kept = all_incidents[~all_incidents["incident"].isin(animal_only)]
    people = persons.loc[persons["group"] != str(Group.ALL), ["incident", "incident_day", "group"]]
    no_person = kept[~kept["incident"].isin(people["incident"])].assign(group=str(Group.UNKNOWN))
    rows = [people, no_person, kept.assign(group=str(Group.ALL))]
    return pd.concat(rows, ignore_index=True).assign(value=1)


def _daily(per_incident: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    daily = per_incident.groupby(["incident_day", "group"], as_index=False)["value"].sum()
    daily = daily.assign(period_start=daily["incident_day"], period_end=daily["incident_day"], measure=str(measure))
    return daily.loc[:, list(common.COUNT_COLUMNS)]


def _forms_table(forms: pd.DataFrame, subjects: pd.DataFrame) -> pd.DataFrame:
    """Per form date and group: forms (each in every group of its Person subjects; unknown if none) and Person
    subject rows; group `all` counts every form and every Person row once."""
    subjects = subjects.merge(forms[["form_id", "day"]], on="form_id")
    person = subjects[subjects["kind"] == "PERSON"]
    rows = person.groupby(["day", "group"]).size().rename("person_rows")
    groups = person[["form_id", "day", "group"]].drop_duplicates()
    bare = forms.loc[~forms["form_id"].isin(person["form_id"]), ["form_id", "day"]]
    bare = bare.assign(group=str(Group.UNKNOWN))
    by_group = pd.concat([groups, bare]).groupby(["day", "group"]).size().rename("forms")
    table = pd.concat([by_group, rows], axis=1).fillna(0).reset_index()
    totals = (
        pd.DataFrame(
            {
                "forms": forms.groupby("day").size(),
                "person_rows": person.groupby("day").size(),
            }
        )
        .fillna(0)
        .reset_index()
        .assign(group=str(Group.ALL))
    )
    out = pd.concat([table, totals], ignore_index=True).rename(columns={"day": "date"})
    out = out.astype({"forms": "int64", "person_rows": "int64"})
    return out.sort_values(["date", "group"], kind="stable").reset_index(drop=True)[
        ["date", "group", "forms", "person_rows"]
    ]


def _force_extras(con, ctx: AdapterContext, opts: NjForceOptions, forms: pd.DataFrame, incidents: pd.DataFrame):
    """Severity and injury extras per incident (module doc), or {} when a table is absent or switched off."""
    values = []
    for key, column in (("force_type_file", "force_type"), ("injury_file", "subject_injury")):
        name = getattr(opts, key)
        path = None if name is None else ctx.path.parent / name
        if path is None or (not path.is_file() and key not in opts.model_fields_set):
            log.info("%s: no %s next to %s; force severity and injuries skipped", ctx.source_id, name, ctx.path)
            return {}
        header = common.csv_header(path)
        require_columns(pd.DataFrame(columns=header), ("form_id", column), path)
        common.csv_view(con, column, path, header, nulls=("", "NA"))
        sql = f"SELECT t.form_id, t.{column} AS v FROM {column} t JOIN agency_forms USING (form_id) WHERE v IS NOT NULL"
        values.append(common.query_df(con, sql, path).merge(forms[["form_id", "incident"]], on="form_id"))
    types, injuries = values
    unknown = sorted(set(types["v"]) - set(NJ_FORCE_SEVERITY))
    if unknown:
        log.warning("%s: force types without a severity, counted as other: %s", ctx.source_id, unknown)
    types = types.assign(severity=types["v"].map(NJ_FORCE_SEVERITY).fillna(ForceSeverity.OTHER).astype(str))
    serious = injuries.assign(serious=injuries["v"].isin(SERIOUS_INJURIES)).groupby("incident")["serious"]
    extras = severity_and_injury_extras(
        incidents,
        types.groupby("incident")["severity"].agg(lambda s: str(most_severe(s))),
        serious.size() > 0,
        serious.any(),
    )
    type_map = types.groupby("v", as_index=False).agg(severity=("severity", "first"), rows=("form_id", "size"))
    extras["force_type_map"] = type_map.rename(columns={"v": "force_type"})
    return extras
