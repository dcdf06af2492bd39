"""Batch I/O faults (issue 11): a read-only or full output folder gives one line naming the folder, the per-city
summary is still printed, and index.json / index.html change together or not at all; a city whose worker died
and that was run again is reported as retried.

The faults are real file-system conditions: a tmpfs remounted read-only, a tmpfs filled to the last byte (ENOSPC),
or, for a user who is not root, a folder without write permission (root ignores permissions).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from trustreport.cli import main
from trustreport.errors import TrustReportError
from trustreport.index_page import INDEX_HTML, INDEX_JSON, write_index
from trustreport.publish import write_together
from trustreport.render import CityResult

DATA = Path(__file__).parent / "data"
FIXTURE_PARAMS = DATA / "notebooks" / "params"
OK_NB = DATA / "notebooks" / "report_ok.ipynb"


def _params_dir(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "params"
    folder.mkdir()
    for data in FIXTURE_PARAMS.glob("*.csv"):
        shutil.copy(data, folder)
    for name in names:
        shutil.copy(FIXTURE_PARAMS / name, folder)
    return folder


def _batch(folder: Path, out: Path, capsys) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the lines of stderr that are not the progress bar."""
    code = main(["batch", str(folder), "--out", str(out), "--template", str(OK_NB), "--workers", "1"])
    captured = capsys.readouterr()
    errors = [line for line in captured.err.split("\n") if "\r" not in line and line.strip()]
    return code, captured.out, errors


@contextmanager
def _tmpfs(folder: Path, size: str):
    """A tmpfs of `size` mounted at `folder` (root only); unmounted on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _make_read_only(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
            path.chmod(0o555)


def _fill(folder: Path) -> None:
    """Write zeros into `folder` until the file system says it is full."""
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC


@contextmanager
def _output_folder(tmp_path: Path, size: str = "32m"):
    """An output folder on its own file system where one is possible (root), else a plain folder."""
    out = tmp_path / "outputs"
    if os.geteuid() == 0:
        with _tmpfs(out, size):
            yield out
    else:
        out.mkdir()
        yield out
        for path in [out, *(p for p in out.rglob("*") if p.is_dir())]:
            path.chmod(0o755)


def _index_bytes(out: Path) -> tuple[bytes, bytes]:
    return (out / INDEX_JSON).read_bytes(), (out / INDEX_HTML).read_bytes()


@pytest.mark.e2e
def test_a_read_only_output_folder_fails_each_city_in_one_line_and_keeps_the_index(tmp_path, capsys):
    folder = _params_dir(tmp_path, "alpha.yaml", "beta.yaml")
    with _output_folder(tmp_path) as out:
        assert _batch(folder, out, capsys)[0] == 0
        before = _index_bytes(out)
        _make_read_only(out)

        code, stdout, stderr = _batch(folder, out, capsys)

        assert code == 1
        assert len(stderr) == 1 and stderr[0].startswith(f"trustreport: {out}: cannot write index.json and ")
        assert stderr[0].endswith("(Read-only file system); neither was changed") or os.geteuid() != 0
        assert stdout.startswith("2 cities: 0 ok, 2 failed")
        for city in ("alpha-tx", "beta-nj"):
            assert f"  failed {city} (previous report kept): {out}: cannot write the report (" in stdout
        assert _index_bytes(out) == before
        assert sorted(p.name for p in out.iterdir()) == ["alpha-tx", "beta-nj", INDEX_HTML, INDEX_JSON]


@pytest.mark.e2e
def test_a_full_output_folder_fails_in_one_line_and_changes_neither_index_file(tmp_path, capsys):
    if os.geteuid() != 0:
        pytest.skip("filling a file system to ENOSPC needs a tmpfs of our own (root)")
    folder = _params_dir(tmp_path, "alpha.yaml")
    with _tmpfs(tmp_path / "outputs", "4m") as out:
        assert _batch(folder, out, capsys)[0] == 0
        before = _index_bytes(out)
        _fill(out)

        code, stdout, stderr = _batch(folder, out, capsys)

        assert code == 1
        assert stderr == [
            f"trustreport: {out}: cannot write index.json and index.html (No space left on device); neither was changed"
        ]
        assert "1 cities: 0 ok, 1 failed" in stdout
        assert f"failed alpha-tx (previous report kept): {out}: cannot write the report (No space left" in stdout
        assert _index_bytes(out) == before
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temp or staging left


def test_the_two_index_files_change_together_or_not_at_all(tmp_path):
    """A rename that fails half-way (index.html is a folder, so it cannot be replaced) puts index.json back."""
    old = CityResult("a-one", "A", Path("a.yaml"), "failed", "broken")
    write_index([old], tmp_path)
    before = (tmp_path / INDEX_JSON).read_bytes()
    (tmp_path / INDEX_HTML).unlink()
    (tmp_path / INDEX_HTML).mkdir()
    with pytest.raises(TrustReportError, match=rf"^{tmp_path}: cannot write index.json and index.html \("):
        write_index([CityResult("b-two", "B", Path("b.yaml"), "failed", "also broken")], tmp_path)
    assert (tmp_path / INDEX_JSON).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_HTML, INDEX_JSON]


def test_write_together_leaves_no_file_when_a_new_target_cannot_be_replaced(tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(OSError):
        write_together({tmp_path / "a": "first", tmp_path / "b": "second"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


@pytest.mark.e2e
def test_a_city_whose_worker_died_and_was_run_again_is_reported_as_retried(tmp_path, capsys):
    folder = _params_dir(tmp_path, "alpha.yaml", "crash_once.yaml")
    out = tmp_path / "outputs"

    # One worker: alpha finishes before crash-once kills the worker, so only crash-once is run again.
    code = main(["batch", str(folder), "--out", str(out), "--template", str(OK_NB), "--workers", "1"])
    stdout = capsys.readouterr().out

    assert code == 0
    assert stdout.startswith("2 cities: 2 ok, 0 failed, 1 retried after a worker died")
    assert (
        "  retried crash-once-or: a worker died while it ran, so it was run again on its own: ok the second time"
        in stdout
    )
    index = json.loads((out / INDEX_JSON).read_text(encoding="utf-8"))
    assert {c["jurisdiction"]: c["retried"] for c in index["cities"]} == {"alpha-tx": False, "crash-once-or": True}
    assert index["summary"]["retried"] == 1
    page = (out / INDEX_HTML).read_text(encoding="utf-8")
    assert '<span class="status">ok (retried)</span>' in page and "1 retried after a worker died" in page
    assert (out / "crash-once-or" / "report.pdf").is_file()
