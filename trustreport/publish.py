"""Publish a city's report atomically: build it in a staging folder, check it, swap it into place.

A report is written to `out_root/.staging-<jurisdiction>-<pid>-…` and renamed to `out_root/<jurisdiction>/`
only when all four files exist and are valid (docs/design.md §4), so a failure never leaves half a report and never
touches the previous good one. The pid in the folder names lets a later run tell a crashed run's leftovers from
a live one's (`recover_stale`, `crashed_runs`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trustreport.errors import TrustReportError

log = logging.getLogger(__name__)

REPORT_FILES = {
    "html": "report.html",
    "pdf": "report.pdf",
    "metrics": "metrics.json",
    "notebook": "report.ipynb",
}


@contextmanager
def staging_folder(out_root: Path, jurisdiction: str) -> Iterator[Path]:
    """A fresh folder in `out_root` to build this city's report in; removed on exit unless it was swapped in."""
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{jurisdiction}-{os.getpid()}-", dir=out_root))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would hide the published report from a web server
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_report(folder: Path) -> None:
    """Refuse to publish a folder unless all four files exist and look like what they claim to be."""
    for name in REPORT_FILES.values():
        path = folder / name
        if not path.is_file() or path.stat().st_size == 0:
            raise TrustReportError(path.name, "was not written")
    with open(folder / REPORT_FILES["pdf"], "rb") as f:
        if f.read(5) != b"%PDF-":
            raise TrustReportError(REPORT_FILES["pdf"], "is not a PDF")
    if "</html>" not in (folder / REPORT_FILES["html"]).read_text(encoding="utf-8")[-2000:]:
        raise TrustReportError(REPORT_FILES["html"], "is truncated")
    for name in (REPORT_FILES["metrics"], REPORT_FILES["notebook"]):
        try:
            json.loads((folder / name).read_text(encoding="utf-8"))
        except ValueError as err:
            raise TrustReportError(name, f"is not valid JSON: {err}") from None


def swap_into_place(staging: Path, final: Path) -> None:
    """Rename the old folder aside, the new one into place, then delete the old (a crash keeps one of them).

    A process that dies between the two renames leaves the old folder set aside; `recover_stale` puts it back.
    """
    aside = None
    if final.exists():
        aside = final.with_name(f".old-{final.name}-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(final, aside)
    try:
        os.rename(staging, final)
    except BaseException:
        if aside is not None:
            os.rename(aside, final)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temp file beside `path`, fsync it, and rename it over `path`."""
    write_together({path: text})


def write_together(files: dict[Path, str]) -> None:
    """Replace several files at once, all or none: every text is written and fsynced to a temp file beside its
    target first (where a full or read-only disk fails), then the temps are renamed over the targets; if a
    rename fails, the targets already replaced get their old content back."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    try:
        for path, text in files.items():
            temps[path] = _written_temp(path, text)
        for path in files:
            if path.exists():
                backups[path] = path.with_name(f".{path.name}-{os.getpid()}-{secrets.token_hex(4)}.bak")
                os.link(path, backups[path])
        replaced: list[Path] = []
        try:
            for path in files:
                os.replace(temps[path], path)
                replaced.append(path)
        except BaseException:
            for path in replaced:
                if path in backups:
                    os.replace(backups.pop(path), path)
                else:
                    path.unlink(missing_ok=True)
            raise
    finally:
        for leftover in [*temps.values(), *backups.values()]:
            leftover.unlink(missing_ok=True)


def _written_temp(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def relative_path(path: Path, root: Path) -> str:
    """`path` as written in `index.json` and the index page: relative to `root` if inside it, else as it is."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------------------------------------
# Crash recovery


def recover_stale(out_root: Path, jurisdiction: str) -> None:
    """Clean up after a process that died mid-render: drop its staging folder, put back a report set aside."""
    final = out_root / jurisdiction
    for prefix in (".old", ".staging"):
        for path in sorted(out_root.glob(f"{prefix}-{jurisdiction}-*")):
            pid = _pid_of(path.name, prefix, jurisdiction)
            if pid is None or _pid_alive(pid):
                continue
            if prefix == ".old" and not final.exists():
                log.warning("%s: restoring the previous report set aside by a crashed run", jurisdiction)
                os.rename(path, final)
            else:
                log.info("%s: removing %s left by a crashed run", jurisdiction, path.name)
                shutil.rmtree(path, ignore_errors=True)


def crashed_runs(out_root: Path, jurisdiction: str) -> list[Path]:
    """Staging folders for this city left by processes that are no longer running."""
    found = []
    for path in sorted(out_root.glob(f".staging-{jurisdiction}-*")):
        pid = _pid_of(path.name, ".staging", jurisdiction)
        if pid is not None and not _pid_alive(pid):
            found.append(path)
    return found


def _pid_of(name: str, prefix: str, jurisdiction: str) -> int | None:
    rest = name.removeprefix(f"{prefix}-{jurisdiction}-")
    pid, _, _ = rest.partition("-")
    return int(pid) if pid.isdigit() else None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    try:  # a zombie (dead, not yet reaped by its parent) still answers kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
