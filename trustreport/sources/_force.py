"""The severity order every force adapter shares (the `ForceSeverity` vocabulary is in `vocab`), and the severity
and injury extras they build from it (one row per incident and race group; see `sources.nj_force` and
`sources.dallas_force`)."""

from __future__ import annotations

import pandas as pd

from trustreport.vocab import ForceSeverity

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
