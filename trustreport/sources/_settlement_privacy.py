"""What the settlement adapter may read: columns holding names of people or case captions are never read, and a
category column that looks like free text (which can quote names) is refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trustreport.errors import SourceError
from trustreport.sources.base import AdapterContext

# Columns that hold names of people or case captions ("Doe v. City"); never read, never a category.
NAME_COLUMNS = frozenset(
    {
        "plaintiff_name",
        "plaintiff",
        "matter_name",
        "plaintiff_attorney",
        "plaintiff_lawfirm",
        "defendant",
        "defendant_name",
        "defendant_attorney",
        "police_officer",
        "Police Officer",
        "longer_description",
    }
)
# A category has few short values; more or longer ones are free text, which can name people.
MAX_CATEGORIES = 60
MAX_CATEGORY_LENGTH = 80


def refuse_name_columns(options: dict[str, str | None], ctx: AdapterContext) -> None:
    """Refuse an option (name → column) that names a column of names."""
    for option, column in options.items():
        if column in NAME_COLUMNS:
            raise SourceError(
                ctx.params_path or ctx.path,
                f"source `{ctx.source_id}` option `{option}`: {column!r} holds names of people and is never read",
            )


def categories(frame: pd.DataFrame, column: str | None, path: Path) -> list[str | None]:
    """The category column, whitespace collapsed; refused when it looks like free text (can name people)."""
    if column is None:
        return [None] * len(frame)
    values = frame[column].str.replace(r"\s+", " ", regex=True).str.strip()
    distinct = values.dropna().unique()
    longest = max((len(v) for v in distinct), default=0)
    if len(distinct) > MAX_CATEGORIES or longest > MAX_CATEGORY_LENGTH:
        raise SourceError(
            path,
            f"option `category_column`: {len(distinct)} distinct values, the longest {longest} characters; a "
            f"category has at most {MAX_CATEGORIES} values of at most {MAX_CATEGORY_LENGTH} characters (free text "
            "can name people)",
            column=column,
        )
    return [None if pd.isna(v) else v for v in values]
