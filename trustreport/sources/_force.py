"""The force-severity vocabulary every force adapter shares, and the severity and injury extras they build
from it (one row per incident and race group; see `sources.nj_force` and `sources.dallas_force`)."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd


class ForceSeverity(StrEnum):
    """Force types grouped by severity, shared by every force adapter (lowest to highest; `OTHER` ranks below
    all, so an incident with a known type is placed by it). Display or threat: a weapon pointed, a Taser sparked,
    no contact. Control hold: hands-on control without a blow (arm bars, pressure points, escorts, holding down).
    Takedown or strike: force against the body (takedowns, punches, kicks, strikes). Less-lethal weapon: chemical
    spray, conducted energy (Taser), batons and impact weapons, police dogs. Firearm discharged: a gun fired at a
    person."""

    OTHER = "other or unrecorded"
    DISPLAY = "display or threat"
    CONTROL = "control hold"
    BODILY = "takedown or strike"
    WEAPON = "less-lethal weapon"
    FIREARM = "firearm discharged"


SEVERITY_ORDER: tuple[ForceSeverity, ...] = tuple(ForceSeverity)


def most_severe(severities: pd.Series) -> ForceSeverity:
    """The highest `ForceSeverity` among an incident's force types (SEVERITY_ORDER)."""
    return max((ForceSeverity(s) for s in severities), key=SEVERITY_ORDER.index, default=ForceSeverity.OTHER)


def severity_and_injury_extras(
    incident_groups: pd.DataFrame, severity: pd.Series, injured: pd.Series, serious: pd.Series
) -> dict[str, pd.DataFrame]:
    """`force_severity` and `force_injuries` extras from per-incident rows (incident, incident_day, group) and
    per-incident Series indexed by incident (missing → `other or unrecorded` / not injured)."""
    rows = incident_groups[["incident", "incident_day", "group"]].rename(columns={"incident_day": "date"})
    rows = rows.assign(
        severity=rows["incident"].map(severity).fillna(str(ForceSeverity.OTHER)).astype(str),
        injured=rows["incident"].map(injured).fillna(False).astype(int),
        serious=rows["incident"].map(serious).fillna(False).astype(int),
    )
    sev = rows.groupby(["date", "group", "severity"], as_index=False).size().rename(columns={"size": "incidents"})
    inj = rows.groupby(["date", "group"], as_index=False).agg(
        incidents=("incident", "size"), injured=("injured", "sum"), serious=("serious", "sum")
    )
    return {"force_severity": sev, "force_injuries": inj.astype({"injured": "int64", "serious": "int64"})}
