"""Checks of a source before any adapter reads it: its options against the adapter's options model, and its file.

`trustreport validate` and `run` call these through `load_params`, so a source that would stop an adapter half
way through a report (a directory, a device, a symlink loop, a truncated gzip, a file that is not UTF-8 text, a
ragged or binary CSV) is refused up front with one line naming the file and the line. What each adapter makes of
the columns is still the adapter's business; these checks only promise that the file can be read as the CSV its
kind expects.

A big file is not read twice for this: the kinds in `CHECKED_IN_SCAN` (stop files, millions of rows) get only the
checks up to the header line here, and their adapter calls `check_rows` while it reads the file once, so the rows
are still all checked, with the same one-line messages (`SourceFileError`, refused at `sources[i].path`).
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import stat
import zlib
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import IO

from isal import isal_zlib
from pydantic import BaseModel, ValidationError

from trustreport import cache
from trustreport.errors import SourceFileError

GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE_BYTES = 1 << 20  # the longest line in the bundled data is under 10 KiB
MAX_FIELD_CHARS = csv.field_size_limit()

# How each kind's file is written, where it differs from the default (UTF-8, comma-separated).
ENCODINGS: dict[str, str] = {"wapo_homicides": "latin-1", "police_killings_2015": "latin-1"}
SEPARATORS: dict[str, str] = {"census_race": ";"}
# Kinds whose adapter checks every row during its one scan of the file (`check_rows`), not before it.
CHECKED_IN_SCAN = frozenset({"opp_stops"})
CHUNK_BYTES = 1 << 20
_QUOTE_THEN_TEXT = re.compile(rb'"[^",\r\n]')  # a quote that opens a field, or closes one followed by text


def options_model(kind: str) -> type[BaseModel] | None:
    """The options model of `kind`'s adapter (`sources.OPTIONS`), or None if the kind registers none."""
    from trustreport.sources import OPTIONS

    target = OPTIONS.get(kind)
    if target is None:
        return None
    module_name, class_name = target.split(":")
    return getattr(import_module(module_name), class_name)


def check_options(kind: str, options: dict) -> tuple[str, str] | None:
    """The first problem with a source's `options:` as (option key, message), or None when they fit the model."""
    model = options_model(kind)
    if model is None:
        return None
    try:
        model.model_validate(options)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        allowed = ", ".join(sorted(model.model_fields)) or "none"
        if first["type"] == "extra_forbidden":
            return key, f"unknown option for kind {kind!r}; allowed: {allowed}"
        if first["type"] == "missing":
            return key, f"required option for kind {kind!r} is missing"
        got = first.get("input")
        shown = f" (got {got!r:.80})" if first["type"] != "value_error" and not isinstance(got, dict | list) else ""
        return key, f"{first['msg'].removeprefix('Value error, ')}{shown}"
    return None


def companion_files(kind: str, options: dict, source: Path) -> list[tuple[str, Path]]:
    """The other files a source reads beside its own, as (option key, path): options named `*_file`, relative to
    the source's folder. A companion whose option may be null is optional: listed only when named or present."""
    model = options_model(kind)
    if model is None:
        return []
    parsed = model.model_validate(options)
    found = []
    for key, field in model.model_fields.items():
        value = getattr(parsed, key)
        if not key.endswith("_file") or not isinstance(value, str):
            continue
        optional = type(None) in getattr(field.annotation, "__args__", ())
        companion = source.parent / value
        if not optional or key in parsed.model_fields_set or os.path.lexists(companion):
            found.append((key, companion))
    return found


def check_file(path: Path, kind: str, *, rows: bool = True) -> None:
    """Refuse `path` unless it is a regular, readable, non-empty CSV as `kind` expects: gzip intact (for `.gz`),
    every line decodable in the kind's encoding and under `MAX_LINE_BYTES`, no NUL bytes, a header with at least
    two columns, and no row with more fields than the header. Raises `SourceFileError` naming the file and line.

    With `rows=False` the checks stop after the header line (the adapter of a `CHECKED_IN_SCAN` kind checks the
    rows in its own scan)."""
    try:
        info = path.stat()
    except OSError as err:
        raise SourceFileError(path, f"cannot be opened: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
        raise SourceFileError(path, f"is {what}, not a regular file")
    if not os.access(path, os.R_OK):
        raise SourceFileError(path, "cannot be read: permission denied")
    if info.st_size == 0:
        raise SourceFileError(path, "file is empty (0 bytes); expected a CSV with a header line")
    gzipped = path.name.endswith(".gz")
    with open(path, "rb") as fh:
        first = fh.read(2)
    if gzipped and first != GZIP_MAGIC:
        raise SourceFileError(path, f"named .gz but is not gzip (first bytes 0x{first.hex()}; expected 0x1f8b)")
    if not gzipped and first == GZIP_MAGIC:
        raise SourceFileError(path, "is gzip-compressed but not named .gz")
    encoding, sep = ENCODINGS.get(kind, "utf-8"), SEPARATORS.get(kind, ",")
    key = _verdict_key(path, gzipped, encoding, sep, rows)
    if key and cache.load("checks", key) is True:
        return
    try:
        _check_csv(path, gzipped, encoding, sep, rows=rows)
    except (OSError, EOFError, zlib.error) as err:
        if not gzipped:
            raise SourceFileError(path, f"cannot be read: {err}") from None
        raise SourceFileError(path, f"corrupt or truncated gzip: {err}") from None
    if key:
        cache.store("checks", key, True)


def _verdict_key(path: Path, gzipped: bool, encoding: str, sep: str, rows: bool) -> str | None:
    """The cache key of a file's passing verdict: its bytes and how it is read (only passes are kept, so that a
    failure's message is always the checker's own); None when the cache is off or the file cannot be read."""
    if cache.directory() is None or not rows:  # the header alone is quicker to check than the file to hash
        return None
    try:
        digest = cache.file_digest(path)
    except OSError:
        return None
    return cache.entry_key(
        {"what": "check_file", "file": digest, "gzip": gzipped, "encoding": encoding, "sep": sep, "rows": rows}
    )


def check_rows(path: Path, kind: str) -> None:
    """The row checks of `check_file`, for an adapter reading the file in one scan beside it: a fast pass over the
    decompressed bytes (gzip CRC and length, NUL bytes, decoding, line lengths); on any doubt, the full
    `check_file`, which names the line. Fields per row are left to the adapter's strict CSV reader, which stops
    on a row with more fields than the header; it then calls `check_file` for the message."""
    if not _bytes_clean(path, path.name.endswith(".gz"), ENCODINGS.get(kind, "utf-8")):
        check_file(path, kind)


def _bytes_clean(path: Path, gzipped: bool, encoding: str) -> bool:
    """True when every line decodes, holds no NUL byte and is shorter than `MAX_LINE_BYTES`, and the gzip stream
    (if any) is whole with a matching CRC. Whole chunks at a time, so a false answer only says "look closer"."""
    try:
        rest, first = b"", True
        for data in _decompressed(path) if gzipped else _raw(path):
            chunk = rest + data
            cut = chunk.rfind(b"\n") + 1
            chunk, rest = chunk[:cut], chunk[cut:]
            if not _chunk_clean(chunk, encoding, first) or len(rest) >= MAX_LINE_BYTES:
                return False
            first = first and not chunk
        return _chunk_clean(rest, encoding, first)
    except (OSError, EOFError, zlib.error, isal_zlib.error):
        return False


def _raw(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while data := fh.read(CHUNK_BYTES):
            yield data


def _decompressed(path: Path) -> Iterator[bytes]:
    """The bytes of a gzip file, member after member; each member's CRC and length are checked (wbits 31).
    Anything after a member that is not another member, or a stream that stops early, raises `EOFError`.
    ISA-L's inflate (`isal`, zlib-compatible) is about 5× faster than zlib's here, so the checks keep pace with
    DuckDB's own read of the file."""
    member = isal_zlib.decompressobj(wbits=31)
    for raw in _raw(path):
        data = member.decompress(raw)
        while member.eof and member.unused_data:
            if not member.unused_data.startswith(GZIP_MAGIC):
                raise EOFError("data after the last gzip member")
            tail, member = member.unused_data, isal_zlib.decompressobj(wbits=31)
            data += member.decompress(tail)
        yield data
    if not member.eof:
        raise EOFError("the gzip stream stops before its end")


def _chunk_clean(chunk: bytes, encoding: str, first: bool) -> bool:
    if b"\x00" in chunk or _may_hold_long_line(chunk, min(MAX_LINE_BYTES, MAX_FIELD_CHARS)):
        return False
    # What the strict CSV reader refuses and a DuckDB scan lets through: a lone carriage return, and a closing
    # quote followed by text (`"x" ,`). The pattern also matches harmless text (`x"y`, `""b`): then look closer.
    if (b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")) or _closing_quote_then_text(chunk):
        return False
    if chunk.isascii():  # ASCII decodes in every encoding read here; decoding the rest is slower
        return True
    try:
        chunk.decode("utf-8-sig" if first and encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        return False
    return True


def _may_hold_long_line(chunk: bytes, limit: int) -> bool:
    """False when no line reaches `limit` bytes: every aligned window of limit/2 bytes holds a newline (a line of
    `limit` bytes would span a whole window). Cheaper than splitting the chunk into lines."""
    step = limit // 2
    starts = [*range(0, len(chunk) - step + 1, step), max(len(chunk) - step, 0)] if len(chunk) >= limit else []
    return any(chunk.find(b"\n", i, i + step) < 0 for i in starts)


def _closing_quote_then_text(chunk: bytes) -> bool:
    return any(m.start() and chunk[m.start() - 1] not in b",\n" for m in _QUOTE_THEN_TEXT.finditer(chunk))


def _check_csv(path: Path, gzipped: bool, encoding: str, sep: str, *, rows: bool) -> None:
    with gzip.open(path, "rb") if gzipped else open(path, "rb") as raw:
        reader = csv.reader(_text_lines(path, raw, encoding), delimiter=sep, strict=True)
        try:
            header = next(reader, None)
            if not header or (len(header) == 1 and not header[0].strip()):
                raise SourceFileError(path, "no header line (the first line is blank)", row=1)
            if len(header) < 2:
                raise SourceFileError(
                    path, f"the first line has no {sep!r}-separated column names; expected a CSV header", row=1
                )
            for row in reader if rows else ():
                if len(row) > len(header):
                    message = f"{len(row)} fields but the header has {len(header)}"
                    raise SourceFileError(path, message, row=reader.line_num)
        except csv.Error as err:
            raise SourceFileError(path, f"not a readable CSV: {err}", row=max(reader.line_num, 1)) from None


def _text_lines(path: Path, raw: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded physical lines; a line that is too long, holds NUL bytes or does not decode is named by number."""
    number = 0
    while True:
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise SourceFileError(path, f"line is longer than {MAX_LINE_BYTES:,} bytes: not a CSV", row=number)
        if b"\x00" in line:
            raise SourceFileError(path, "holds NUL bytes: a binary file, not a CSV", row=number)
        try:
            yield line.decode("utf-8-sig" if number == 1 and encoding == "utf-8" else encoding)
        except UnicodeDecodeError as err:
            raise SourceFileError(
                path, f"not {encoding.upper()} text (byte 0x{line[err.start : err.start + 1].hex()})", row=number
            ) from None
