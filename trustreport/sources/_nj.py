"""The labels of New Jersey Attorney General releases: race/ethnicity (use of force, officer diversity), and the
use-of-force release's force types and injuries.

Both releases use one mutually exclusive race/ethnicity field (Hispanic is a category of it), with
inconsistent case and spacing. `nj_group` maps a label to the Open Policing value set, or returns None for a
label it does not know, so the adapter can refuse the file loudly rather than guess. `NJ_FORCE_SEVERITY` groups
the force types (`incident_subject_force_type`) by `ForceSeverity`; `SERIOUS_INJURIES` names the injuries
(`incident_subject_injury`) counted as serious.
"""

from __future__ import annotations

from trustreport.sources._force import ForceSeverity
from trustreport.vocab import Group

_UNKNOWN = frozenset({"", "na", "n/a", "unknown", "not provided", "not reported"})
_EXACT: dict[str, Group] = {
    "black": Group.BLACK,
    "black or african american": Group.BLACK,
    "black or african-american": Group.BLACK,
    "hispanic": Group.HISPANIC,
    "hispanic or latino": Group.HISPANIC,
    "white": Group.WHITE,
    "other": Group.OTHER,
    "two or more races": Group.OTHER,
    "american indian": Group.OTHER,
    "american indian or alaska native": Group.OTHER,
    "american indian and alaska native": Group.OTHER,
}


def nj_group(label: str | None) -> Group | None:
    """Open Policing group of an NJ OAG race label (missing → unknown; Asian and Pacific Islander variants →
    asian/pacific islander; American Indian, two or more races and other → other)."""
    if label is None:
        return Group.UNKNOWN
    text = " ".join(label.split()).lower()
    if text in _UNKNOWN:
        return Group.UNKNOWN
    if text in _EXACT:
        return _EXACT[text]
    if "asian" in text or "pacific islander" in text or "hawaiian" in text:
        return Group.ASIAN_PI
    return None


NJ_FORCE_SEVERITY: dict[str, ForceSeverity] = {
    "Pointing Firearm": ForceSeverity.DISPLAY,
    "CED Spark Display": ForceSeverity.DISPLAY,
    "Used arms/hands": ForceSeverity.CONTROL,
    "Used arms": ForceSeverity.CONTROL,
    "Used arm bar on": ForceSeverity.CONTROL,
    "Used pressure points on": ForceSeverity.CONTROL,
    "Compliance hold with impact weapon- not a strike": ForceSeverity.CONTROL,
    "Used take down on": ForceSeverity.BODILY,
    "Used fists/punch": ForceSeverity.BODILY,
    "Used legs/kicks": ForceSeverity.BODILY,
    "Struck": ForceSeverity.BODILY,
    "Used head": ForceSeverity.BODILY,
    "Discharged Chemical at": ForceSeverity.WEAPON,
    "High Volume OC Spray": ForceSeverity.WEAPON,
    "CS Gas": ForceSeverity.WEAPON,
    "Used CED on": ForceSeverity.WEAPON,
    "Used Less-lethal device on": ForceSeverity.WEAPON,
    "Canine bit (apprehension)": ForceSeverity.WEAPON,
    "Canine bit (spontaneous)": ForceSeverity.WEAPON,
    "Discharged Firearm at": ForceSeverity.FIREARM,
    # A vehicle used as a weapon is neither less-lethal nor a firearm: kept apart rather than ranked.
    "Intent to strike with a motor vehicle": ForceSeverity.OTHER,
    "Other": ForceSeverity.OTHER,
}
SERIOUS_INJURIES = frozenset({"Gunshot wound", "Fracture/dislocation", "Concussion"})
