"""The race/ethnicity labels of New Jersey Attorney General releases (use of force, officer diversity).

Both releases use one mutually exclusive race/ethnicity field (Hispanic is a category of it), with
inconsistent case and spacing. `nj_group` maps a label to the Open Policing value set, or returns None for a
label it does not know, so the adapter can refuse the file loudly rather than guess.
"""

from __future__ import annotations

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
