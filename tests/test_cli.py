"""The `trustreport` command, run as a user would: `python -m trustreport …` in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
FIXTURE_PARAMS = DATA / "notebooks" / "params"
OK_NB = DATA / "notebooks" / "report_ok.ipynb"
ERROR_NB = DATA / "notebooks" / "report_source_error.ipynb"
BAD = DATA / "params_bad"


def trustreport(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trustreport", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_prints_ok_or_the_error_and_fails_if_any_failed(tmp_path):
    good = FIXTURE_PARAMS / "alpha.yaml"
    bad = BAD / "unknown_key.yaml"
    done = trustreport("validate", good, bad, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == f"ok {good}\n"
    assert done.stderr == f"trustreport: {bad}: `colour`: unknown key\n"
    assert trustreport("validate", good, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("params", "key"),
    [("unknown_key.yaml", "`colour`"), ("missing_source.yaml", "`sources[0].path`")],
)
def test_run_with_bad_params_prints_one_line_and_writes_nothing(params, key, tmp_path):
    done = trustreport("run", BAD / params, "--out", tmp_path / "outputs", "--template", OK_NB, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"trustreport: {BAD / params}: {key}")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_run_with_an_error_in_the_notebook_prints_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "outputs"
    done = trustreport("run", FIXTURE_PARAMS / "alpha.yaml", "--out", out, "--template", ERROR_NB, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr  # no kernel chatter, no traceback
    assert done.stderr.startswith("trustreport: ")
    assert "stops.csv: column `subject_race`: missing from the header" in done.stderr
    assert done.stdout == ""
    assert not (out / "alpha-tx").exists()
    assert [p.name for p in out.iterdir()] == []


@pytest.mark.e2e
def test_run_prints_the_paths_of_the_report(tmp_path):
    done = trustreport("run", FIXTURE_PARAMS / "alpha.yaml", "--template", OK_NB, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("alpha-tx: ok in ")
    printed = [line.strip() for line in lines[1:]]
    assert printed == [
        "outputs/alpha-tx/report.html",
        "outputs/alpha-tx/report.pdf",
        "outputs/alpha-tx/metrics.json",
        "outputs/alpha-tx/report.ipynb",
        "index: outputs/index.html",
    ]
    assert all((tmp_path / p.removeprefix("index: ")).is_file() for p in printed)


@pytest.mark.e2e
def test_batch_exits_non_zero_when_a_city_failed(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    for name in ("alpha.yaml", "beta.yaml", "stops.csv"):
        shutil.copy(FIXTURE_PARAMS / name, folder)
    shutil.copy(BAD / "unknown_key.yaml", folder)
    out = tmp_path / "outputs"

    done = trustreport("batch", folder, "--out", out, "--workers", "2", "--template", OK_NB, cwd=tmp_path)

    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("3 cities: 2 ok, 1 failed")
    assert lines[1] == f"  failed delta-ny (no previous report): {folder / 'unknown_key.yaml'}: `colour`: unknown key"
    assert lines[-1] == "index: outputs/index.html"
    assert "Traceback" not in done.stderr
    assert (out / "alpha-tx" / "report.pdf").is_file() and (out / "beta-nj" / "report.pdf").is_file()
    assert not (out / "delta-ny").exists()
    index = json.loads((out / "index.json").read_text())
    assert [(c["jurisdiction"], c["status"]) for c in index["cities"]] == [
        ("alpha-tx", "ok"),
        ("beta-nj", "ok"),
        ("delta-ny", "failed"),
    ]
    assert "`colour`: unknown key" in (out / "index.html").read_text()


def test_bad_command_lines_are_usage_errors(tmp_path):
    done = trustreport("batch", tmp_path, "--workers", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert "--workers: must be at least 1, got 0" in done.stderr
    assert trustreport(cwd=tmp_path).returncode == 2
