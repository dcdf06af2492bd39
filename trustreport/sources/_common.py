"""Helpers the adapters share: checking files and headers, DuckDB views of CSVs, daily and snapshot counts.

Nothing here knows about a particular source; each adapter module holds its own label mappings and rules.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
from pydantic import AfterValidator

from trustreport.errors import SourceError
from trustreport.vocab import Group, Measure

log = logging.getLogger("trustreport")

COUNT_COLUMNS: tuple[str, ...] = ("period_start", "period_end", "measure", "group", "value")


def _postal(value: str) -> str:
    if len(value) != 2 or not value.isalpha() or not value.isupper():
        raise ValueError(f"expected a two-letter postal code such as 'NJ', got {value!r}")
    return value


# A `state` option: a two-letter postal code such as 'NJ'.
PostalCode = Annotated[str, AfterValidator(_postal)]


def require_file(path: Path) -> None:
    """Raise `SourceError` if `path` is not a readable file."""
    if not path.is_file():
        raise SourceError(path, "file not found")


def open_text(path: Path, *, encoding: str = "utf-8-sig") -> io.TextIOBase:
    """Open a plain or gzipped text file; a UTF-8 byte-order mark is dropped."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def csv_header(path: Path, *, sep: str = ",") -> list[str]:
    """The column names on the first line of a CSV (plain or gzipped), without reading the rest."""
    require_file(path)
    try:
        with open_text(path) as fh:
            header = next(csv.reader(fh, delimiter=sep), None)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise SourceError(path, f"cannot read the header line: {err}") from err
    if not header:
        raise SourceError(path, "file is empty (no header line)")
    return [h.strip() for h in header]


def iter_rows(path: Path, *, sep: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data line of a CSV; the header is line 1. Used to locate bad values."""
    with open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter=sep)
        for row in reader:
            yield reader.line_num, row


def first_line_where(path: Path, column: str, predicate: Callable[[str], bool], *, sep: str = ",") -> int | None:
    """Line number of the first row whose `column` value satisfies `predicate` (None if there is none)."""
    for line, row in iter_rows(path, sep=sep):
        if predicate((row.get(column) or "").strip()):
            return line
    return None


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection for one adapter call."""
    return duckdb.connect(database=":memory:")


# A big file's materialised columns stay under this much memory; the rest spills to the temporary folder.
SCAN_MEMORY_LIMIT = "1GB"
SCAN_THREADS = 2


@contextmanager
def scan_database() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB database in a temporary folder for one adapter call, removed afterwards.

    On disk rather than in memory so that a materialised file is stored compressed (its columns are few and
    repetitive) and memory stays under `SCAN_MEMORY_LIMIT`, spilling to the same folder beyond it.
    """
    with tempfile.TemporaryDirectory(prefix="trustreport-scan-") as folder:
        con = duckdb.connect(database=str(Path(folder) / "scan.duckdb"))
        try:
            con.execute(f"SET threads = {SCAN_THREADS}")
            con.execute(f"SET memory_limit = {sql_literal(SCAN_MEMORY_LIMIT)}")
            con.execute(f"SET temp_directory = {sql_literal(folder)}")
            con.execute("SET preserve_insertion_order = false")
            yield con
        finally:
            con.close()


def sql_literal(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_view(
    con: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    header: list[str],
    *,
    nulls: Iterable[str] = ("",),
) -> None:
    """Create view `name` over a CSV with every column declared VARCHAR (no type sniffing).

    Types are cast explicitly by the adapter, so a bad value is reported by the adapter, not guessed around.
    DuckDB reads `.gz` transparently and only materialises the columns a query selects.
    """
    columns = "{" + ", ".join(f"{sql_literal(c)}: 'VARCHAR'" for c in header) + "}"
    nullstr = "[" + ", ".join(sql_literal(n) for n in nulls) + "]"
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {sql_ident(name)} AS SELECT * "
            f"FROM read_csv({sql_literal(str(path))}, header=true, auto_detect=false, delim=',', "
            f"quote='\"', escape='\"', nullstr={nullstr}, columns={columns})"
        )
    except duckdb.Error as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err


def csv_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    header: list[str],
    columns: Iterable[str],
    *,
    nulls: Iterable[str] = ("",),
) -> None:
    """Read a CSV once into table `name`, keeping only `columns` (as the VARCHAR text `csv_view` gives).

    Every later query reads the table, not the file: a big gzip file is decompressed and parsed once.
    """
    view = f"{name}_file"
    csv_view(con, view, path, header, nulls=nulls)
    kept = ", ".join(sql_ident(c) for c in columns)
    try:
        con.execute(f"CREATE TABLE {sql_ident(name)} AS SELECT {kept} FROM {sql_ident(view)}")
    except duckdb.Error as err:
        raise SourceError(path, f"cannot read as CSV: {str(err).splitlines()[0]}") from err


def query_df(con: duckdb.DuckDBPyConnection, sql: str, path: Path, params: list | None = None) -> pd.DataFrame:
    """Run a query and return a DataFrame; a CSV parse failure becomes a `SourceError` naming the file."""
    try:
        return con.execute(sql, params or []).df()
    except duckdb.Error as err:
        raise SourceError(path, f"cannot read as CSV: {str(err).splitlines()[0]}") from err


def check_option_value(
    path: Path, option: str, value: str, found: Iterable[str], column: str, *, where: str = ""
) -> None:
    """Raise `SourceError` if an option (an agency, a city) names a value that is not in the file."""
    found = sorted({f for f in found if f})
    if value in found:
        return
    close = difflib.get_close_matches(value, found, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise SourceError(path, f"option `{option}` = {value!r} matches no row{where}{hint}", column=column)


def map_labels(
    labels: Iterable[str | None],
    mapping: Callable[[str | None], Group | None],
    *,
    path: Path,
    column: str,
    sep: str = ",",
) -> dict[str | None, Group]:
    """Map each distinct raw label to a group; an unknown label is a `SourceError` naming its first line."""
    out: dict[str | None, Group] = {}
    for label in labels:
        label = None if pd.isna(label) else label
        group = mapping(label)
        if group is None:
            line = first_line_where(path, column, lambda v, lab=label: v == (lab or "").strip(), sep=sep)
            raise SourceError(path, f"unrecognised value {label!r}", column=column, row=line)
        out[label] = group
    return out


def with_all_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Add group `all` rows: the sum over groups of each (period, measure). Use only for exclusive groups."""
    keys = ["period_start", "period_end", "measure"]
    totals = counts.groupby(keys, as_index=False, sort=True)["value"].sum().assign(group=str(Group.ALL))
    return pd.concat([counts, totals], ignore_index=True).loc[:, list(COUNT_COLUMNS)]


def daily_counts(frame: pd.DataFrame, measures: Iterable[Measure]) -> pd.DataFrame:
    """Long-form daily counts from a wide frame with columns day, group and one column per measure.

    Each (day, measure, group) with a non-zero count becomes one row with period_start == period_end == day;
    days without a row are true zeros inside the coverage.
    """
    measures = [str(m) for m in measures]
    long = frame.melt(id_vars=["day", "group"], value_vars=measures, var_name="measure", value_name="value")
    long = long[long["value"] > 0]
    long = long.assign(period_start=long["day"], period_end=long["day"])
    return long.loc[:, list(COUNT_COLUMNS)].reset_index(drop=True)


def vintage_period(year: int) -> tuple[date, date]:
    """The calendar year a snapshot (census vintage, roster year) is taken to describe."""
    return date(year, 1, 1), date(year, 12, 31)


def snapshot_counts(values: dict[Group, float], measure: Measure, year: int) -> pd.DataFrame:
    """Counts rows for a snapshot measure (residents, officers), one per group, dated to the vintage year."""
    start, end = vintage_period(year)
    rows = [
        {
            "period_start": start,
            "period_end": end,
            "measure": str(measure),
            "group": str(g),
            "value": float(v),
        }
        for g, v in values.items()
    ]
    return pd.DataFrame(rows, columns=list(COUNT_COLUMNS))


def sort_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """A stable row order, so the same file always gives the same table."""
    return counts.sort_values(["measure", "period_start", "group"], kind="stable").reset_index(drop=True)
