"""Shared helpers for the source-adapter tests: paths to bundled data and fixtures, and a one-call reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trustreport.sources import read_source
from trustreport.sources.base import SourceData
from trustreport.vocab import Group, Measure

ROOT = Path(__file__).parents[1]
DATA = ROOT / "data"
FIXTURES = Path(__file__).parent / "data" / "sources"

GROUPS = frozenset(g.value for g in Group)
MEASURES = frozenset(m.value for m in Measure)


def read(
    kind: str,
    path: Path,
    options: dict | None = None,
    *,
    source_id: str = "test-source",
    citation: str = "test citation",
) -> SourceData:
    """Run one adapter on a file, as the report would."""
    return read_source(
        source_id=source_id,
        kind=kind,
        path=path,
        jurisdiction="test-city",
        options=options or {},
        citation=citation,
        licence="test licence",
    )


def totals(data: SourceData, measure: Measure) -> dict[str, float]:
    """Sum of a measure's rows by group."""
    rows = data.counts[data.counts["measure"] == measure.value]
    return rows.groupby("group")["value"].sum().to_dict()


def string_cells(data: SourceData) -> set[str]:
    """Every string that reaches an output: counts and extras cells, column names, dropped steps, caveats."""
    found: set[str] = set()
    frames = [data.counts, *data.extras.values()]
    for frame in frames:
        found.update(str(c) for c in frame.columns)
        for col in frame.columns:
            values = frame[col]
            if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
                found.update(str(v) for v in values.dropna().unique())
    for d in data.dropped:
        found.update({d.step, d.reason})
    found.update(data.caveats)
    return found
