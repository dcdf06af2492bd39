"""The demo batch on the bundled data: every city renders, no person's name reaches any output, and each report's
data-availability matrix agrees with the estimates it prints."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import re
from pathlib import Path

import pytest
import yaml

from trustreport.batch import find_params, run_batch

ROOT = Path(__file__).resolve().parents[1]
CITY_PARAMS = find_params(ROOT / "params")

# SHA-256 digests (first 16 hex digits) of every "first last" and "last first" word pair of the people named in
# the original WaPo, Guardian and settlement files. The bundled copies no longer carry the names (tests/data/SOURCE.md
# says how the list was made), so the leak check compares digests.
NAME_DIGESTS = ROOT / "tests" / "data" / "name_pairs.sha256.txt.gz"

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


INSTITUTION_WORDS = frozenset({"city", "county", "township", "police", "department", "state"})


def _person_names() -> set[str]:
    """Digests of the (first, last) word pairs of every person the original source files name."""
    with gzip.open(NAME_DIGESTS, "rt") as fh:
        return {line.strip() for line in fh if line.strip()}


def _word_pairs(text: str) -> set[str]:
    """Digests of every pair of adjacent words in `text`, lower case, as the name list was made."""
    words = re.findall(r"[a-z']+", text.lower())
    # A repeated word ("white white" across two table cells) is never taken for a name, nor a pair with an
    # institution's word: the settlement files' defendants include places ("Paterson City"), not only people.
    pairs = ((a, b) for a, b in itertools.pairwise(words) if a != b and not {a, b} & INSTITUTION_WORDS)
    return {hashlib.sha256(f"{a} {b}".encode()).hexdigest()[:16] for a, b in pairs}


def _event_words(params_path: Path) -> set[str]:
    """Digests of the word pairs of the city's own event labels: the params file's author names public events
    ("Freddie Gray dies after arrest") on purpose; the test is about names that come from the bundled data."""
    events = yaml.safe_load(params_path.read_text(encoding="utf-8")).get("events") or []
    return set().union(*(_word_pairs(str(e.get("label", ""))) for e in events))


def test_no_persons_name_in_any_output(batch) -> None:
    names = _person_names()
    assert len(names) > 100_000, "the digest list should cover the names of the original files"
    out, results = batch
    for r in results:
        quoted = _event_words(ROOT / r.params_path)
        for file in ("report.html", "metrics.json", "report.ipynb"):
            text = (out / r.jurisdiction / file).read_text(errors="replace")
            text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", text)
            leaked = (_word_pairs(text) - quoted) & names
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
                assert row["status"] in ("available", "partial", "not comparable"), (
                    f"{r.jurisdiction}: {key} counted but {row}"
                )
