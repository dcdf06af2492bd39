"""The few exceptions trustreport raises; each names the file and the key, row or column at fault."""

from __future__ import annotations

from pathlib import Path


class TrustReportError(Exception):
    """Base class: an error a user can act on, printed as one line without a traceback."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ParamsError(TrustReportError):
    """A params file is malformed: unknown key, wrong type, reversed window, missing source file."""

    def __init__(self, path: str | Path | None, key: str, message: str) -> None:
        self.key = key
        super().__init__(path, f"`{key}`: {message}" if key else message)


class SourceError(TrustReportError):
    """A source file cannot be read as its kind promises (missing column, bad value)."""

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.column = column
        self.row = row
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column `{column}`")
        super().__init__(path, f"{', '.join(where)}: {message}" if where else message)


class SchemaError(SourceError):
    """The canonical counts table built from a source breaks its contract (DESIGN §1)."""


class InsufficientDataError(TrustReportError):
    """A metric was asked for but the counts cannot support it (no denominator, empty window)."""
