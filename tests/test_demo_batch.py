"""The demo batch on the bundled data: every city renders, no person's name reaches any output, and each report's
data-availability matrix agrees with the estimates it prints."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from trustreport.batch import find_params, run_batch

ROOT = Path(__file__).resolve().parents[1]
CITY_PARAMS = find_params(ROOT / "params")

# Bundled files that keep the source's name columns (their SOURCE.md says so), and which columns hold names.
NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "data/wapo-homicides/homicide-data.csv.gz": ("victim_first", "victim_last"),
    "data/wapo-police-shootings/fatal-police-shootings-data.csv.gz": ("name",),
    "data/fivethirtyeight-police-killings/police_killings.csv.gz": ("name",),
}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    results = run_batch(ROOT / "params", out, workers=2, progress=False)
    return out, results


def test_at_least_twelve_cities_render(batch) -> None:
    out, results = batch
    failed = {r.jurisdiction: r.reason for r in results if r.status != "ok"}
    assert not failed
    assert len(results) >= 12
    index = (out / "index.html").read_text()
    for r in results:
        assert f"{r.jurisdiction}/report.html" in index


# Settlement files name plaintiffs and, in some cities, officers.
SETTLEMENT_NAME_COLUMNS = ("plaintiff_name", "plaintiff", "police_officer", "Police Officer")


def _name_files() -> dict[Path, tuple[str, ...]]:
    files = {ROOT / rel: cols for rel, cols in NAME_COLUMNS.items()}
    for path in sorted((ROOT / "data" / "fivethirtyeight-police-settlements").glob("*/*.csv.gz")):
        header = pd.read_csv(path, nrows=0).columns
        for column in SETTLEMENT_NAME_COLUMNS:
            if column in header:
                files[path] = (column,)
    return files


def _person_names() -> set[tuple[str, str]]:
    """(first, last) word pairs of every named person in the bundled source files, lower case."""
    pairs: set[tuple[str, str]] = set()
    for path, columns in _name_files().items():
        if not path.exists():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            frame = pd.read_csv(fh, usecols=list(columns), dtype=str, keep_default_na=False)
        full = frame[list(columns)].agg(" ".join, axis=1) if len(columns) > 1 else frame[columns[0]]
        for name in full:
            if name.strip().lower() in ("unknown", ""):
                continue
            words = re.findall(r"[a-z']+", name.lower())
            if len(words) >= 2 and len(words[0]) > 2 and len(words[-1]) > 2:
                pairs.add((words[0], words[-1]))
                pairs.add((words[-1], words[0]))
    return pairs


def _word_pairs(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"[a-z']+", text.lower())
    return set(itertools.pairwise(words))


def test_no_persons_name_in_any_output(batch) -> None:
    names = _person_names()
    assert len(names) > 1000, "the bundled files should carry the names this test looks for"
    out, results = batch
    for r in results:
        for file in ("report.html", "metrics.json", "report.ipynb"):
            text = (out / r.jurisdiction / file).read_text(errors="replace")
            text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", text)
            leaked = _word_pairs(text) & names
            assert not leaked, f"{r.jurisdiction}/{file} names people: {sorted(leaked)[:5]}"


def test_availability_agrees_with_the_estimates(batch) -> None:
    """A measure said to be available in a window has a count for it; one said not available has none."""
    out, results = batch
    for r in results:
        metrics = json.loads((out / r.jurisdiction / "metrics.json").read_text())
        counted = {
            (e["measure"], e["period"])
            for e in metrics["estimates"]
            if e["statistic"] == "count" and e["group"] == "all" and (e["value"] or 0) > 0
        }
        for row in metrics["availability"]:
            key = (row["measure"], row["period"])
            if row["measure"] in ("residents", "officers", "officers_living_in_city"):
                continue  # snapshots, not counts
            if row["status"] == "not available":
                assert key not in counted, f"{r.jurisdiction}: {key} has counts but is marked not available"
            if key in counted:
                assert row["status"] in ("available", "partial"), f"{r.jurisdiction}: {key} counted but {row}"
