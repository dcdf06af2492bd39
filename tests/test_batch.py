"""run_batch: real cities through a real process pool; one failing or crashing city never stops the others."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from trustreport.batch import CRASH_REASON, find_params, run_batch
from trustreport.errors import ParamsError, TrustReportError

DATA = Path(__file__).parent / "data"
FIXTURE_PARAMS = DATA / "notebooks" / "params"
OK_NB = DATA / "notebooks" / "report_ok.ipynb"


def _params_dir(tmp_path: Path, *names: str) -> Path:
    """A params folder holding the named fixture params and the stop files they point at."""
    folder = tmp_path / "params"
    folder.mkdir()
    for data in FIXTURE_PARAMS.glob("*.csv"):
        shutil.copy(data, folder)
    for name in names:
        shutil.copy(FIXTURE_PARAMS / name, folder)
    return folder


def test_find_params_skips_underscored_and_other_files(tmp_path):
    folder = _params_dir(tmp_path, "beta.yaml", "alpha.yaml")
    (folder / "_defaults.yaml").write_text("level: 0.9\n")
    (folder / "README.md").write_text("not params\n")
    assert find_params(folder) == [folder / "alpha.yaml", folder / "beta.yaml"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParamsError, match="no params files"):
        find_params(empty)


@pytest.mark.e2e
def test_batch_renders_the_good_cities_and_lists_the_bad(tmp_path):
    folder = _params_dir(tmp_path, "alpha.yaml", "beta.yaml", "gamma_no_race.yaml")
    shutil.copy(FIXTURE_PARAMS / "alpha.yaml", folder / "alpha_again.yaml")  # same jurisdiction twice
    out = tmp_path / "outputs"

    results = run_batch(folder, out, workers=2, template=OK_NB, progress=False)

    assert [(r.jurisdiction, r.status) for r in results] == [
        ("alpha-tx", "ok"),
        ("alpha-tx", "failed"),
        ("beta-nj", "ok"),
        ("gamma-ca", "failed"),
    ]
    alpha, again, beta, gamma = results
    assert again.params_path == folder / "alpha_again.yaml"
    assert "is also used by" in again.reason
    assert "stops_no_race.csv" in gamma.reason and "`subject_race`" in gamma.reason
    for good in (alpha, beta):
        assert sorted(p.name for p in good.report_dir.iterdir()) == [
            "metrics.json",
            "report.html",
            "report.ipynb",
            "report.pdf",
        ]
    assert sorted(p.name for p in out.iterdir()) == ["alpha-tx", "beta-nj", "index.html", "index.json"]

    page = (out / "index.html").read_text(encoding="utf-8")
    assert "4 cities: 2 ok, 2 failed." in page
    assert 'href="beta-nj/report.pdf"' in page
    assert "Beta &lt;City&gt; &amp; &quot;Co&quot;" in page and "<City>" not in page
    assert "`sources[0]`: stops_no_race.csv: column `subject_race`: missing column(s)" in page  # found by validate
    index = json.loads((out / "index.json").read_text())
    assert [c["status"] for c in index["cities"]] == ["ok", "failed", "ok", "failed"]


@pytest.mark.e2e
def test_a_city_that_kills_its_worker_fails_alone(tmp_path):
    folder = _params_dir(tmp_path, "alpha.yaml", "crash_worker.yaml")
    out = tmp_path / "outputs"

    results = run_batch(folder, out, workers=2, template=OK_NB, progress=False)

    assert [(r.jurisdiction, r.status) for r in results] == [("alpha-tx", "ok"), ("crash-wa", "failed")]
    assert results[1].reason == CRASH_REASON
    assert sorted(p.name for p in out.iterdir()) == [
        "alpha-tx",
        "index.html",
        "index.json",
    ]  # no staging left


def test_scheduler_without_distributed_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    folder = _params_dir(tmp_path, "alpha.yaml")
    with pytest.raises(TrustReportError, match=r"pip install 'trustreport\[dask\]'"):
        run_batch(folder, tmp_path / "outputs", scheduler="tcp://127.0.0.1:8786", progress=False)
    assert not (tmp_path / "outputs" / "alpha-tx").exists()
