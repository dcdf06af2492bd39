"""NJ use-of-force adapter on the bundled statewide tables (golden values: data/nj-use-of-force/SOURCE.md and
docs/checkable-numbers.md item 7), plus an independent pandas recount of the incident rules."""

from __future__ import annotations

import csv
import gzip
from datetime import date

import pandas as pd
import pytest
from sources_helpers import DATA, FIXTURES, GROUPS, read, string_cells, totals

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FOLDER = DATA / "nj-use-of-force"
INCIDENTS = FOLDER / "incident.csv.gz"
NEWARK = {"agency": "Newark PD"}
RACES = {
    "Black": "black",
    "Hispanic": "hispanic",
    "White": "white",
    "Asian": "asian/pacific islander",
    "Other": "other",
    "Two or more races": "other",
    "American Indian": "other",
}


@pytest.fixture(scope="module")
def newark():
    return read("nj_use_of_force", INCIDENTS, NEWARK, source_id="nj-force")


@pytest.fixture(scope="module")
def forms() -> pd.DataFrame:
    return pd.read_csv(INCIDENTS, dtype=str)


@pytest.fixture(scope="module")
def subjects() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "subject.csv.gz", dtype=str)


@pytest.fixture(scope="module")
def newark_incidents(forms) -> pd.DataFrame:
    """Newark forms with an incident id assigned by the documented rule, written independently of the SQL."""
    out = forms[forms["agency_name"] == "Newark PD"].copy()
    out["day"] = pd.to_datetime(out["incident_date_1"])
    key = out["incident_case_number"].fillna("").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    out["key"] = key.where(key.str.len() >= 4)
    ids, next_id = {}, 0
    for _, group in out[out["key"].notna()].sort_values("day").groupby("key"):
        previous = None
        for form_id, day in zip(group["form_id"], group["day"], strict=True):
            if previous is None or (day - previous).days > 1:
                next_id += 1
            ids[form_id], previous = next_id, day
    for form_id in out.loc[out["key"].isna(), "form_id"]:
        next_id += 1
        ids[form_id] = next_id
    out["incident"] = out["form_id"].map(ids)
    out["incident_day"] = out.groupby("incident")["day"].transform("min")
    return out


def test_statewide_and_newark_form_counts(forms):
    assert len(forms) == 72743
    assert (forms["agency_name"] == "Newark PD").sum() == 4150
    assert (forms["incident_date_1"].min(), forms["incident_date_1"].max()) == ("2020-10-01", "2024-10-31")


def test_newark_subject_rows(forms, subjects):
    newark = subjects[subjects["form_id"].isin(forms.loc[forms["agency_name"] == "Newark PD", "form_id"])]
    assert len(newark) == 4324
    assert newark["type"].value_counts().to_dict() == {"Person": 4119, "Unknown Subject(s)": 27, "Animal": 4}
    shares = newark[newark["type"] == "Person"]["race"].value_counts(normalize=True).round(3)
    assert (shares["Black"], shares["Hispanic"], shares["White"]) == (0.791, 0.173, 0.023)


def test_bundled_tables_hold_no_officer_names():
    for name in ("incident.csv.gz", "subject.csv.gz"):
        with gzip.open(FOLDER / name, "rt") as fh:
            header = next(csv.reader(fh))
        assert not [c for c in header if "name" in c and c != "agency_name"], header


def test_forms_extras_reproduce_published_figures(newark):
    table = newark.extras["forms"]
    every = table[table["group"] == "all"]
    assert every["forms"].sum() == 4150 and every["person_rows"].sum() == 4119
    per_year = every.groupby(every["date"].dt.year)["forms"].sum().to_dict()
    assert per_year == {2020: 274, 2021: 1007, 2022: 829, 2023: 1049, 2024: 991}
    # SOURCE.md's shares are of the 4,065 Person rows with a recorded race.
    people = table[~table["group"].isin(["all", "unknown"])].groupby("group")["person_rows"].sum()
    assert people.sum() == 4065
    shares = (people / people.sum()).round(3)
    assert (shares["black"], shares["hispanic"], shares["white"]) == (0.791, 0.173, 0.023)


def test_incident_grouping_matches_an_independent_recount(newark, newark_incidents):
    (step,) = [d for d in newark.dropped if d.step == "group officers' forms into incidents"]
    assert (step.rows_in, step.rows_out) == (4150, newark_incidents["incident"].nunique()) == (4150, 2419)


def test_incidents_and_people_by_race_match_an_independent_recount(newark, newark_incidents, subjects):
    subj = subjects.merge(newark_incidents[["form_id", "incident", "incident_day"]], on="form_id")
    animal_only = subj.groupby("incident")["type"].agg(lambda t: set(t.dropna()) == {"Animal"} and t.notna().all())
    kept = set(newark_incidents["incident"]) - set(animal_only[animal_only].index)
    person = subj[subj["type"] == "Person"].assign(group=lambda f: f["race"].map(RACES).fillna("unknown"))
    per_form = person.groupby(["incident", "form_id", "group"]).size()
    people = per_form.groupby(["incident", "group"]).max()

    groups_of = people.reset_index().groupby("incident")["group"].agg(set)
    expected_incidents = {"all": len(kept)}
    for incident in kept:
        for group in groups_of.get(incident, {"unknown"}):
            expected_incidents[group] = expected_incidents.get(group, 0) + 1
    assert totals(newark, Measure.FORCE_INCIDENTS) == expected_incidents
    assert expected_incidents["all"] == 2415 and expected_incidents["black"] == 1920

    expected_people = people.groupby("group").sum().to_dict()
    expected_people["all"] = int(people.sum())
    assert totals(newark, Measure.FORCE_SUBJECTS) == expected_people


def test_people_lie_between_the_bounds(newark):
    people = totals(newark, Measure.FORCE_SUBJECTS)
    incidents = totals(newark, Measure.FORCE_INCIDENTS)
    assert incidents["all"] <= people["all"] <= 4119
    assert sum(v for g, v in incidents.items() if g != "all") >= incidents["all"]
    assert any("2,526" in c and "4,119" in c for c in newark.caveats)


def test_rows_are_daily_and_dated_by_the_incident(newark, newark_incidents):
    counts = newark.counts
    assert (counts["period_start"] == counts["period_end"]).all()
    assert set(counts["group"]) <= GROUPS
    incidents = counts[(counts["measure"] == "force_incidents") & (counts["group"] == "all")]
    first_days = newark_incidents.drop_duplicates("incident").groupby("incident_day").size()
    assert incidents.set_index("period_start")["value"].sum() == 2415
    assert set(incidents["period_start"]) <= set(first_days.index)


def test_measures_and_coverage(newark):
    assert set(newark.counts["measure"]) == {"force_incidents", "force_subjects"}  # no arrests
    assert {(c.measure, c.start, c.end) for c in newark.coverage} == {
        (Measure.FORCE_INCIDENTS, date(2020, 10, 1), date(2024, 10, 31)),
        (Measure.FORCE_SUBJECTS, date(2020, 10, 1), date(2024, 10, 31)),
    }
    assert any("not an arrest count" in c for c in newark.caveats)


def test_cleaning_steps_are_recorded(newark):
    steps = {d.step: (d.rows_in, d.rows_out) for d in newark.dropped}
    assert steps["filter agency_name"] == (72743, 4150)
    assert steps["drop incidents whose only subjects are animals"] == (2419, 2415)
    assert steps["keep subjects of type Person"] == (4324, 4119)
    assert steps["recode missing race"] == (4119, 4119)


def test_small_file_rules_and_no_names_in_any_output():
    data = read(
        "nj_use_of_force",
        FIXTURES / "nj_names" / "incident.csv",
        {"agency": "Town PD", "subject_file": "subject.csv"},
    )
    assert totals(data, Measure.FORCE_INCIDENTS) == {
        "all": 3,
        "black": 1,
        "white": 1,
        "hispanic": 1,
        "unknown": 1,
    }
    assert totals(data, Measure.FORCE_SUBJECTS) == {
        "all": 4,
        "black": 1,
        "white": 1,
        "hispanic": 1,
        "unknown": 1,
    }
    forms = data.extras["forms"]
    assert forms.loc[forms["group"] == "all", ["forms", "person_rows"]].sum().to_dict() == {
        "forms": 5,
        "person_rows": 5,
    }
    with open(FIXTURES / "nj_names" / "incident.csv") as fh:
        names = {row["officer_name"] for row in csv.DictReader(fh)}
    text = " ".join(string_cells(data))
    assert not [n for n in names if n in text or n.split()[-1] in text]


def test_unknown_agency_names_file_and_option():
    with pytest.raises(SourceError) as err:
        read("nj_use_of_force", INCIDENTS, {"agency": "Newark"})
    message = str(err.value)
    assert "incident.csv.gz" in message and "`agency` = 'Newark'" in message and "Newark PD" in message


def test_missing_agency_column_names_file_and_column():
    with pytest.raises(SourceError) as err:
        read(
            "nj_use_of_force",
            FIXTURES / "nj_no_agency" / "incident.csv",
            {"agency": "Town PD", "subject_file": "subject.csv"},
        )
    assert err.value.column == "agency_name" and "nj_no_agency/incident.csv" in str(err.value)


def test_missing_subject_file_is_named():
    with pytest.raises(SourceError) as err:
        read("nj_use_of_force", INCIDENTS, {"agency": "Newark PD", "subject_file": "nope.csv.gz"})
    assert "nope.csv.gz" in str(err.value) and "not found" in str(err.value)


def test_agency_is_required():
    with pytest.raises(SourceError, match="option `agency`"):
        read("nj_use_of_force", INCIDENTS, {})


# --- force severity, injuries and the forms unit (extras) ---


def test_severity_and_injury_extras_count_each_incident_once(newark):
    severity = newark.extras["force_severity"]
    by_group = severity.groupby("group")["incidents"].sum().to_dict()
    assert by_group == totals(newark, Measure.FORCE_INCIDENTS)  # one most-severe level per incident and group
    injuries = newark.extras["force_injuries"].groupby("group")[["incidents", "injured", "serious"]].sum()
    assert injuries["incidents"].to_dict() == by_group
    assert (injuries["serious"] <= injuries["injured"]).all() and (injuries["injured"] <= injuries["incidents"]).all()


def test_injured_incidents_match_an_independent_recount(newark, newark_incidents, subjects):
    injury = pd.read_csv(FOLDER / "incident_subject_injury.csv.gz", dtype=str)
    animal_only = {
        i
        for i, t in subjects.merge(newark_incidents, on="form_id").groupby("incident")["type"]
        if t.notna().all() and set(t) == {"Animal"}
    }
    hit = set(newark_incidents.loc[newark_incidents["form_id"].isin(injury["form_id"]), "incident"]) - animal_only
    every = newark.extras["force_injuries"]
    assert every.loc[every["group"] == "all", "injured"].sum() == len(hit)


def test_every_newark_force_type_has_a_severity(newark):
    types = newark.extras["force_type_map"]
    raw = pd.read_csv(FOLDER / "incident_subject_force_type.csv.gz", dtype=str)
    assert types["rows"].sum() == raw["form_id"].isin(set(pd.read_csv(INCIDENTS, dtype=str).query(
        "agency_name == 'Newark PD'")["form_id"])).sum()  # fmt: skip
    assert set(types.loc[types["force_type"] == "Discharged Firearm at", "severity"]) <= {"firearm discharged"}


def test_any_agency_and_the_forms_unit():
    jc = read("nj_use_of_force", INCIDENTS, {"agency": "Jersey City PD", "unit": "forms"})
    forms = jc.extras["forms"]
    assert totals(jc, Measure.FORCE_INCIDENTS)["all"] == forms.loc[forms["group"] == "all", "forms"].sum()
    assert any("unit: forms" in c for c in jc.caveats)
    paterson = read("nj_use_of_force", INCIDENTS, {"agency": "Paterson PD"})
    assert "force_severity" in paterson.extras and totals(paterson, Measure.FORCE_INCIDENTS)["all"] > 0


def test_missing_named_force_type_file_is_an_error_and_default_absent_is_skipped():
    with pytest.raises(SourceError, match=r"nope\.csv\.gz"):
        read("nj_use_of_force", INCIDENTS, {"agency": "Newark PD", "force_type_file": "nope.csv.gz"})
    small = read(
        "nj_use_of_force", FIXTURES / "nj_names" / "incident.csv", {"agency": "Town PD", "subject_file": "subject.csv"}
    )
    assert "force_severity" not in small.extras and any("severity" in c for c in small.caveats)
