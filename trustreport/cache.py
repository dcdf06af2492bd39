"""A cache on disk of what reading a source produced, shared by cities, batch workers and notebook reruns.

Where the time of `build()` goes (pyinstrument, fresh process, 2 cores, 3 Dec 2026; seconds):

    city       import  file checks  adapters  sections  claims  prepare  build() total
    hartford     2.76         0.10      0.51      1.09       -     0.15     2.09 + import
    newark       1.46         0.78      0.74      0.77    0.57     0.09     3.32 (import inside)
    chicago      2.03         0.31      0.73      1.40       -     0.38     3.07 (import inside)
    baltimore    2.35         0.25      0.30      1.04       -     0.06     1.91 + import

The adapters (0.3–0.74 s) and the file checks params run at load (0.1–0.78 s; Newark's NJ use-of-force tables are
scanned line by line) are the two parts a cache can skip; the rest is arithmetic on the counts. Parsing the
national CSVs themselves is small: reading the WaPo homicides file (52,179 rows, every column as text) takes 0.04 s
warm, 0.05–0.07 s in a fresh process, of the 0.16–0.30 s its adapter takes, so a Parquet copy of the raw parse
shared by cities would save well under 0.1 s per city and source, and would need pyarrow, which the project does
not depend on. The cache therefore keeps two things, both keyed by the bytes of the files they came from:

- `sources`: each adapter's whole `SourceData` (counts, extras, coverage, dropped rows, caveats), so a rerun with
  unchanged sources runs no adapter at all (`sources.read_source`);
- `checks`: the verdict "this file reads as the CSV its kind expects" (`sources.checks.check_file`); only a pass
  is kept, a failure is recomputed so that its message is the checker's own.

Entries are pickles, not Parquet: a `SourceData` is a handful of small tables plus frozen dataclasses, and a pickle
gives back exactly the objects written (dtypes, None versus NaN in object columns, dates inside object columns,
categorical order), which a columnar round trip does not promise for every adapter's tables; the cache must never
change a number. Each entry carries the SHA-256 of its payload and is checked before it is unpickled, so a
truncated or damaged entry is a miss, logged, never an error. Pickles run code when loaded: the cache folder must
be writable only by its user (the default folder is in the user's own cache directory).

Keys: the digest of the source's files (its own and its companions, each with its absolute path, since an adapter
may print a file name), the adapter kind, its options as canonical JSON, the jurisdiction, source id, citation,
licence and URL, and the code version (the digest of this package's own `.py` files and of the pandas, NumPy,
DuckDB and pydantic versions, so editing the code or upgrading a library invalidates every entry). Writes go to a
temporary file renamed into place (`os.replace`), so parallel batch workers and Dask workers sharing the folder
never read half an entry.

Where: `TRUSTREPORT_CACHE` names the folder, or `off` disables the cache; by default it is
`$XDG_CACHE_HOME/trustreport` (or `~/.cache/trustreport`). `using()` overrides both for one `build()` call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("trustreport")

ENV_VAR = "TRUSTREPORT_CACHE"
OFF = "off"
# Bump when the layout of an entry changes; old entries then become misses, never errors.
FORMAT = 1
_MAGIC = b"trustreport-cache\n"
_SETTLED_NS = 3_000_000_000
_LIBRARIES = ("pandas", "numpy", "duckdb", "pydantic")
_DIGEST_BYTES = 32
# An entry (`entry_path`) or a temporary file `store` writes before renaming it into place.
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.pickle|\.[0-9a-f]{16}\..+\.tmp")

_R = TypeVar("_R")
_override: ContextVar[str | None] = ContextVar("trustreport_cache", default=None)
_digests: dict[tuple[str, int, int, int], str] = {}


def default_directory() -> Path:
    """`$XDG_CACHE_HOME/trustreport`, or `~/.cache/trustreport` when XDG_CACHE_HOME is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trustreport"


def setting_of(value: str | Path | bool | None) -> str | None:
    """A `cache=` argument as the string `TRUSTREPORT_CACHE` would hold: a folder, `off`, or None (not given)."""
    if value is None or value is True:
        return None
    if value is False:
        return OFF
    return str(value)


def directory() -> Path | None:
    """The folder entries live in, or None when the cache is off: `using()` first, then `TRUSTREPORT_CACHE`,
    then `default_directory()`."""
    setting = _override.get() or os.environ.get(ENV_VAR, "").strip()
    if setting.lower() == OFF:
        return None
    return Path(setting).expanduser() if setting else default_directory()


@contextmanager
def using(value: str | Path | bool | None) -> Iterator[None]:
    """Within the block, use the cache folder `value` (`off` or False: no cache; None: unchanged)."""
    setting = setting_of(value)
    if setting is None:
        yield
        return
    token = _override.set(setting)
    try:
        yield
    finally:
        _override.reset(token)


def current_setting() -> str | None:
    """What decides the cache folder in this process: the `using()` value, else `TRUSTREPORT_CACHE`, else None."""
    return _override.get() or os.environ.get(ENV_VAR) or None


def call_with(setting: str | None, func: Callable[..., _R], /, *args: Any, **kwargs: Any) -> _R:
    """`func(*args, **kwargs)` with `TRUSTREPORT_CACHE` set to `setting` in this process's environment first (None:
    left as it is). For Dask workers, which do not inherit the client's environment: the notebook kernels a
    worker starts inherit the worker's."""
    if setting is not None:
        os.environ[ENV_VAR] = setting
    return func(*args, **kwargs)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, memoised in this process by (path, size, mtime, inode): a file edited or
    replaced in place gets a new stat and is read again. A file modified in the last few seconds is not memoised
    (as git treats "racily clean" files): file times tick coarsely, so a second edit of the same size within one
    tick would keep its stat."""
    info = os.stat(path)
    memo_key = (str(Path(path).absolute()), info.st_size, info.st_mtime_ns, info.st_ino)
    found = _digests.get(memo_key)
    if found is None:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        found = digest.hexdigest()
        if time.time_ns() - info.st_mtime_ns > _SETTLED_NS:
            _digests[memo_key] = found
    return found


@cache
def code_version() -> str:
    """Digest of every `.py` file of the trustreport package (relative path and bytes) and of the Python and
    parsing libraries' versions (a new pandas may parse or pickle differently), computed once per process."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=none".encode())
    for file in sorted(root.rglob("*.py")):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def entry_key(parts: dict[str, Any]) -> str:
    """The key of an entry: SHA-256 of `parts` as canonical JSON (sorted keys; dates and paths as strings) with
    the code version and the entry format."""
    body = {"format": FORMAT, "code": code_version(), **parts}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def entry_path(root: Path, namespace: str, key: str) -> Path:
    """Where the entry `key` of `namespace` lives: `<root>/<namespace>/<key[:2]>/<key>.pickle`."""
    return root / namespace / key[:2] / f"{key}.pickle"


def load(namespace: str, key: str) -> Any | None:
    """The value stored under `key`, or None on a miss: no entry, cache off, or an entry that cannot be read or
    whose payload digest does not match (logged)."""
    root = directory()
    if root is None:
        return None
    path = entry_path(root, namespace, key)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        log.warning("cache entry %s cannot be read (%s); computing it again", path, err)
        return None
    start = len(_MAGIC) + _DIGEST_BYTES
    head, digest, payload = blob[: len(_MAGIC)], blob[len(_MAGIC) : start], blob[start:]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        log.warning("cache entry %s is damaged (payload digest mismatch); computing it again", path)
        return None
    try:
        return pickle.loads(payload)
    except Exception as err:  # a payload written by another library version may fail in many ways: all are misses
        log.warning("cache entry %s cannot be unpickled (%s); computing it again", path, err)
        return None


def store(namespace: str, key: str, value: Any) -> None:
    """Write `value` under `key` atomically (temporary file, then `os.replace`); a cache that cannot be written
    is logged and skipped, never an error."""
    root = directory()
    if root is None:
        return
    path = entry_path(root, namespace, key)
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    blob = _MAGIC + hashlib.sha256(payload).digest() + payload
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:16]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        log.warning("cache entry %s cannot be written (%s); continuing without it", path, err)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def entries(root: Path) -> list[Path]:
    """Every entry (and half-written temporary file) under `root`, found by the names `entry_path` and `store`
    give; any other file in the folder is not the cache's and is left out."""
    return sorted(
        f
        for f in root.glob("*/??/*")
        if f.is_file() and _ENTRY_NAME.fullmatch(f.name) and f.name.lstrip(".")[:2] == f.parent.name
    )


def clear(root: Path) -> tuple[int, int]:
    """Delete every entry under `root` (`entries`) and the folders left empty; (files, bytes) removed. Entries of
    older code versions are never read again (the key holds the code version), so clearing is how they go."""
    files, size = 0, 0
    for path in entries(root):
        try:
            stat = path.stat()
            path.unlink()
        except FileNotFoundError:  # another process removed or replaced it meanwhile
            continue
        files, size = files + 1, size + stat.st_size
    for folder in [*root.glob("*/??"), *root.glob("*")]:  # key folders before their namespaces
        with suppress(OSError):  # not empty, or not a folder
            folder.rmdir()
    return files, size
