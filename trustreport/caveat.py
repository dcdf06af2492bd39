"""Caveats and notes that code acts on, as structured values: a `Caveat` is its text (what the reader sees and
`metrics.json` holds, unchanged) with a `CaveatKind` (what code matches). Code finds a caveat by its kind, never
by its wording, so a caveat can be reworded without breaking the code that looks for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CaveatKind(StrEnum):
    """What a caveat or note says, for the code that looks for it (producer → reader)."""

    # sources.census → sections.with_source_caveats, claims.context: Hispanic overlaps the race groups
    OVERLAPPING_CATEGORIES = "overlapping categories"
    # sources.census_b03002 → sections.with_source_caveats: the ACS margins of error of the resident counts
    RESIDENT_MARGINS = "resident margins of error"
    # police-killing sources → metrics.police_killings: which deaths a source selects
    COUNTED_HERE = "counted here"
    # metrics.veil_of_darkness → tables.outcome: the inter-twilight window and the stops in it
    VOD_SAMPLE = "veil-of-darkness sample"
    # stats.small_numbers → claims.grade: a count under the stability threshold
    UNSTABLE = "unstable"
    # metrics._inputs, metrics.workforce → claims.grade: a snapshot from other years than the window
    DENOMINATOR_VINTAGE = "denominator vintage"
    # metrics.trust → tables.trust: a survey level without a sampling interval
    NO_INTERVAL = "no sampling interval"
    # metrics.contacts → tables.trust: data covering only part of a window
    PARTIAL_COVERAGE = "partial coverage"
    # metrics._inputs → tables.trust: no resident count for a window or group
    NO_RESIDENTS = "no residents"
    # metrics.year_to_date → metrics.homicides: year-to-date counts are seasonal
    YTD_SEASONALITY = "year-to-date seasonality"


class Caveat(str):
    """A caveat's text with its kind. It is a `str`, so it prints, escapes, deduplicates and serialises exactly as
    its text; `kind` is read by code (`of_kind`). String operations on it (f-strings, slicing) give plain text."""

    kind: CaveatKind

    def __new__(cls, kind: CaveatKind, text: str) -> Caveat:
        caveat = super().__new__(cls, text)
        caveat.kind = CaveatKind(kind)
        return caveat

    def __reduce__(self):
        return (Caveat, (self.kind, str(self)))

    def __repr__(self) -> str:
        return f"Caveat({self.kind!s}, {str(self)!r})"


def kind_of(text: str) -> CaveatKind | None:
    """The kind of a caveat, None for plain text."""
    return text.kind if isinstance(text, Caveat) else None


def of_kind(texts: Iterable[str], kind: CaveatKind) -> list[Caveat]:
    """The caveats among `texts` of one kind, in order."""
    return [t for t in texts if isinstance(t, Caveat) and t.kind is kind]
