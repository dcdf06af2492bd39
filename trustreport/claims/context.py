"""What grading needs besides the claims: the counts table, what each source covers and is, the published rows
with their citations, the report's jurisdiction and the confidence level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from trustreport.caveat import CaveatKind, of_kind
from trustreport.claim_schema import Claim, ClaimWindow
from trustreport.counts import Coverage
from trustreport.vocab import Period

PUBLISHED_KIND = "published_aggregates"


@dataclass(frozen=True)
class Context:
    """The data a claim is graded against."""

    counts: pd.DataFrame
    level: float = 0.95
    jurisdiction: str | None = None
    coverage: tuple[Coverage, ...] = ()
    record_sources: frozenset[str] = frozenset()
    overlapping_sources: frozenset[str] = frozenset()
    citations: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_sources(
        cls, counts: pd.DataFrame, sources: Sequence, *, level: float, jurisdiction: str | None
    ) -> Context:
        """Read coverage, source kinds, overlapping census tables and published citations off `SourceData`s."""
        cited = [s.extras["citations"].assign(source_id=s.info.id) for s in sources if "citations" in s.extras]
        return cls(
            counts=counts,
            level=level,
            jurisdiction=jurisdiction,
            coverage=tuple(c for s in sources for c in s.coverage),
            record_sources=frozenset(s.info.id for s in sources if s.info.kind != PUBLISHED_KIND),
            overlapping_sources=frozenset(
                s.info.id for s in sources if of_kind(s.caveats, CaveatKind.OVERLAPPING_CATEGORIES)
            ),
            citations=pd.concat(cited, ignore_index=True) if cited else pd.DataFrame(),
        )


def period_of(claim: Claim) -> Period:
    """Then figures describe the 'then'; every other single-window claim describes the 'now'."""
    return Period.THEN if claim.role == "then_figure" else Period.NOW


def data_window(claim: Claim) -> ClaimWindow:
    """The window the data are read in: `check_window` when given, else the claim's `period`."""
    window = claim.check_window or claim.period
    if window is None:
        raise ValueError(f"claim {claim.id} has no `period` to check")
    return window


def span(window: tuple[date, date]) -> str:
    return f"{window[0].isoformat()} to {window[1].isoformat()}"
