"""The few exceptions trustreport raises; each names the file and the key, row or column at fault."""

from __future__ import annotations

import re
from pathlib import Path

# Terminal escape sequences (CSI: ESC [ … final byte) and any other control character a user could slip into a
# key, a value or a file name: echoed raw they would recolour or rewrite the user's terminal.
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` on one line with terminal escapes and control characters removed (newlines and tabs become spaces)."""
    text = _CSI.sub("", text)
    text = re.sub(r"[\t\n\r\v\f]+", " ", text)
    return _CONTROL.sub("", text)


class TrustReportError(Exception):
    """Base class: an error a user can act on, printed as one line without a traceback."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = printable(str(path)) if path is not None else None
        self.message = printable(message)
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


class SourceFileError(SourceError):
    """A source file cannot be read as the CSV its kind expects (gzip, encoding, line lengths, fields per row):
    refused at its `sources[i].path`, whether found before the adapter runs or during its one scan."""


class SchemaError(SourceError):
    """The canonical counts table built from a source breaks its contract (docs/design.md §1)."""


class InsufficientDataError(TrustReportError):
    """A metric was asked for but the counts cannot support it (no denominator, empty window)."""
