"""Helpers shared by the tests: estimates by id, a validated counts table from literal rows, and HTML-fragment
snapshots of rendered tables.

Tests import them by name (`from conftest import by_id, counts_table`); pytest puts this folder on the path.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pytest

from trustreport.cache import ENV_VAR
from trustreport.counts import validate_counts
from trustreport.estimate import Estimate


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterable[Path]:
    """Every test, and every process a test starts, caches parsed sources in one folder of this session's own,
    never in the user's home (trustreport.cache)."""
    folder = tmp_path_factory.mktemp("trustreport-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_VAR, str(folder))
        yield folder


COUNT_COLUMNS = ["period_start", "period_end", "measure", "group", "value", "source_id"]


def by_id(estimates: Iterable[Estimate]) -> dict[str, Estimate]:
    """The estimates keyed by id; fails when two share an id (the report would rename one)."""
    found = list(estimates)
    ids = [e.id for e in found]
    assert len(ids) == len(set(ids)), "estimate ids must be unique"
    return {e.id: e for e in found}


def counts_table(*rows: tuple[str, str, str, str, float, str]) -> pd.DataFrame:
    """Rows of (start, end, measure, group, value, source_id) for one jurisdiction, validated."""
    frame = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    return validate_counts(frame.assign(jurisdiction="test-city"), path=None)


# --- HTML-fragment regression snapshots (great-tables style) -------------------------------------------------

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SNAPSHOTS = "TRUSTREPORT_UPDATE_SNAPSHOTS"


def assert_snapshot(fragment: str, name: str) -> None:
    """A regression snapshot: `fragment` must equal `tests/snapshots/<name>.html` byte for byte.

    The stored file is what the code printed when the snapshot was last accepted, not a golden value. To accept
    a deliberate change of a table, run the test with `TRUSTREPORT_UPDATE_SNAPSHOTS=1`, read the diff of the
    stored file (`git diff tests/snapshots/`) and commit it with the change that caused it.
    """
    path = SNAPSHOTS / f"{name}.html"
    text = fragment if fragment.endswith("\n") else fragment + "\n"
    if os.environ.get(UPDATE_SNAPSHOTS) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path}: no stored snapshot; create it with {UPDATE_SNAPSHOTS}=1 and review it"
    stored = path.read_text(encoding="utf-8")
    if text != stored:
        diff = "".join(difflib.unified_diff(stored.splitlines(True), text.splitlines(True), "stored", "now", n=1))
        raise AssertionError(f"{path} differs (rerun with {UPDATE_SNAPSHOTS}=1 if intended):\n{diff[:4000]}")
