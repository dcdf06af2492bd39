"""Declared schemas for an adapter's `extras` tables, checked where the adapter produces them.

An adapter module that returns tables beside the canonical counts declares each one next to its code, as
`EXTRAS = (ExtrasTable(name, {column: kind, ...}, doc), ...)`; `read_source` checks every adapter's output
against its module's `EXTRAS` (an adapter may also call `check_extras` itself). The kinds are `text`, `number`
(float or integer, NaN allowed), `date` and `bool`. A table that is undeclared, missing (unless declared
`required=False`: a table the file's columns may not allow, such as stop times), lacks a column or holds the
wrong kind is a `SchemaError` naming the file, the table and the column. Columns beyond the declared ones are
allowed (a reader may only rely on the declared ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from pandas.api import types as ptypes

from trustreport.errors import SchemaError

_KINDS = ("text", "number", "date", "bool")


@dataclass(frozen=True)
class ExtrasTable:
    """One `extras` table: its name, its columns with their kinds, and what a row means."""

    name: str
    columns: Mapping[str, str]
    doc: str = field(default="", compare=False)
    required: bool = True

    def __post_init__(self) -> None:
        unknown = {k for k in self.columns.values() if k not in _KINDS}
        if unknown:
            raise ValueError(f"extras table {self.name!r}: unknown column kind(s) {sorted(unknown)}; use {_KINDS}")


def check_extras(path: Path, extras: Mapping[str, pd.DataFrame], declared: Sequence[ExtrasTable]) -> None:
    """Raise `SchemaError` unless `extras` holds exactly the declared tables, each with its columns and kinds."""
    names = {t.name for t in declared}
    extra = sorted(set(extras) - names)
    if extra:
        raise SchemaError(path, f"extras table(s) {extra} are not declared; declared: {sorted(names)}")
    for table in declared:
        if table.name not in extras:
            if not table.required:
                continue
            raise SchemaError(path, f"extras table {table.name!r} is declared but missing")
        frame = extras[table.name]
        for column, kind in table.columns.items():
            if column not in frame.columns:
                raise SchemaError(path, f"extras table {table.name!r} lacks its column", column=column)
            if len(frame) and not _is_kind(frame[column].dropna(), kind):
                raise SchemaError(
                    path, f"extras table {table.name!r}: expected {kind}, got {frame[column].dtype}", column=column
                )


def _is_kind(values: pd.Series, kind: str) -> bool:
    if kind == "bool":
        return ptypes.is_bool_dtype(values) or all(isinstance(v, bool) for v in values)
    if kind == "number":
        return ptypes.is_float_dtype(values) or ptypes.is_integer_dtype(values)
    if kind == "date":
        return ptypes.is_datetime64_any_dtype(values) or all(isinstance(v, date) for v in values)
    return ptypes.is_string_dtype(values) or all(isinstance(v, str) for v in values)
