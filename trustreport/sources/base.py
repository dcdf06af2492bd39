"""What every source adapter returns, and the helpers they share.

Adapters are the only code that reads files. Each returns a `SourceData`: the canonical counts (validated),
the dates each measure covers, and a record of every row it dropped or recoded and why (docs/style.md habit 5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from trustreport import cache
from trustreport.counts import Coverage, validate_counts
from trustreport.errors import SourceError

_T = TypeVar("_T", bound=BaseModel)


@dataclass(frozen=True)
class SourceInfo:
    """Where a number came from: the `metrics.json` `sources` entry."""

    id: str
    kind: str
    path: str
    sha256: str
    citation: str
    licence: str
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "sha256": self.sha256,
            "citation": self.citation,
            "licence": self.licence,
            "url": self.url,
        }


@dataclass(frozen=True)
class Dropped:
    """One cleaning step: how many rows went in, how many came out, and why."""

    source_id: str
    step: str
    rows_in: int
    rows_out: int
    reason: str


@dataclass(frozen=True)
class SourceData:
    """An adapter's result: validated counts, coverage per measure, the cleaning record, and caveats."""

    info: SourceInfo
    counts: pd.DataFrame
    coverage: tuple[Coverage, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    caveats: tuple[str, ...] = ()
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter is told about the source it reads."""

    source_id: str
    kind: str
    path: Path
    jurisdiction: str
    options: dict[str, Any]
    citation: str
    licence: str
    url: str | None = None
    params_path: Path | None = None

    def info(self) -> SourceInfo:
        return SourceInfo(
            id=self.source_id,
            kind=self.kind,
            path=_display_path(self.path),
            sha256=file_sha256(self.path),
            citation=self.citation,
            licence=self.licence,
            url=self.url,
        )


Adapter = Callable[[AdapterContext], SourceData]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks once per process and file version (`cache.file_digest`)."""
    return cache.file_digest(path)


def parse_options(model: type[_T], ctx: AdapterContext) -> _T:
    """Validate an adapter's `options:` mapping; unknown or missing keys name the source and key."""
    try:
        return model.model_validate(ctx.options)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        msg = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise SourceError(ctx.params_path or ctx.path, f"source `{ctx.source_id}` option `{key}`: {msg}") from None


class StrictOptions(BaseModel):
    """Base for adapter options: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    """Raise `SourceError` naming the file and the first missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(path, f"missing column(s) {missing}; found {list(frame.columns)[:12]}", column=missing[0])


def finish(
    ctx: AdapterContext,
    counts: pd.DataFrame,
    *,
    coverage: Iterable[Coverage] = (),
    dropped: Iterable[Dropped] = (),
    caveats: Iterable[str] = (),
    extras: dict[str, pd.DataFrame] | None = None,
) -> SourceData:
    """Stamp jurisdiction and source id on adapter counts, validate them, and bundle the result."""
    counts = counts.assign(jurisdiction=ctx.jurisdiction, source_id=ctx.source_id)
    return SourceData(
        info=ctx.info(),
        counts=validate_counts(counts, path=ctx.path),
        coverage=tuple(coverage),
        dropped=tuple(dropped),
        caveats=tuple(caveats),
        extras=extras or {},
    )


def _display_path(path: Path) -> str:
    """A path relative to the working directory where possible, so metrics.json does not leak home folders."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name
