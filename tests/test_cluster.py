"""The same batch on a Dask cluster (issue 10): one real `LocalCluster` (two worker processes, one thread each)
runs the real template for two demo cities, and every report file is byte-identical to the local process pool's;
a city that fails on the cluster (an invalid params copy) does not stop the others and keeps its previous report;
a city that keeps killing its Dask worker ends as a failed city while one that kills it once is rescheduled."""

from __future__ import annotations

import json
import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from trustreport.batch import CRASH_REASON, _alone_in_process, run_batch
from trustreport.cli import main
from trustreport.result import CityResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_PARAMS = ROOT / "tests" / "data" / "notebooks" / "params"
OK_NB = ROOT / "tests" / "data" / "notebooks" / "report_ok.ipynb"
# The two quickest demo cities with `trustreport run` (Cleveland 12 s, Detroit 16 s; Paterson and Jersey City 17 s).
CITIES = {"cleveland": "cleveland-oh", "detroit": "detroit-mi"}
FILES = ("metrics.json", "report.html", "report.ipynb", "report.pdf")
BROKEN = "cleveland-copy-oh"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project outside the repository holding the two cities' params and an invalid copy of Cleveland's (an
    unknown key, under its own jurisdiction); the repository is the data root."""
    project = tmp_path_factory.mktemp("project")
    params = project / "params"
    params.mkdir()
    for city in CITIES:
        shutil.copy(ROOT / "params" / f"{city}.yaml", params)
    raw = yaml.safe_load((ROOT / "params" / "cleveland.yaml").read_text(encoding="utf-8"))
    raw.update(jurisdiction=BROKEN, colour="blue")
    (params / "cleveland-copy.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def local(project) -> tuple[Path, list[CityResult]]:
    """The two good cities through the local process pool."""
    out = project / "out-local"
    files = [project / "params" / f"{city}.yaml" for city in CITIES]
    return out, run_batch(files, out, workers=2, data_root=ROOT, progress=False)


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster for the module. One task per worker thread (worker-saturation 1.0), so a worker that dies
    takes only the city it was running; a city whose worker dies twice is given up (allowed-failures 1)."""
    distributed = pytest.importorskip("distributed")
    import dask

    config = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}
    with (
        dask.config.set(config),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def on_cluster(project, local, cluster) -> tuple[Path, list[CityResult]]:
    """The whole params folder on the cluster, into an output folder that already holds a good report for the
    broken copy's jurisdiction (Cleveland's, from the local run)."""
    out = project / "out-cluster"
    out.mkdir()
    shutil.copytree(local[0] / CITIES["cleveland"], out / BROKEN)
    results = run_batch(project / "params", out, scheduler=cluster.scheduler_address, data_root=ROOT, progress=False)
    return out, results


@pytest.mark.e2e
def test_every_good_city_renders_on_both(local, on_cluster) -> None:
    assert [(r.jurisdiction, r.status) for r in local[1]] == [(j, "ok") for j in CITIES.values()]
    assert [(r.jurisdiction, r.status) for r in on_cluster[1]] == [
        (BROKEN, "failed"),
        ("cleveland-oh", "ok"),
        ("detroit-mi", "ok"),
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("jurisdiction", CITIES.values())
def test_the_cluster_gives_the_local_pools_bytes(local, on_cluster, jurisdiction, name) -> None:
    here, there = ((out / jurisdiction / name).read_bytes() for out in (local[0], on_cluster[0]))
    assert len(here) > 1000
    assert here == there


@pytest.mark.e2e
def test_a_failing_city_on_the_cluster_keeps_its_previous_report(local, on_cluster) -> None:
    out, results = on_cluster
    broken = results[0]
    assert broken.jurisdiction == BROKEN and broken.previous_kept and broken.report_dir == out / BROKEN
    assert "colour" in broken.reason
    for name in FILES:  # untouched: still the copy of Cleveland's report put there before the run
        assert (out / BROKEN / name).read_bytes() == (local[0] / CITIES["cleveland"] / name).read_bytes()
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [(c["jurisdiction"], c["status"], c["previous_kept"]) for c in index["cities"]] == [
        (BROKEN, "failed", True),
        ("cleveland-oh", "ok", False),
        ("detroit-mi", "ok", False),
    ]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.e2e
def test_a_city_that_keeps_killing_its_dask_worker_fails_alone(tmp_path, on_cluster, cluster) -> None:
    """Runs after the real-template batch (it restarts the cluster's workers). Dask reschedules a city whose
    worker died; one that kills the worker it runs on every time ends as a failed city, its staging removed."""
    folder = tmp_path / "params"
    folder.mkdir()
    for name in ("alpha.yaml", "crash_worker.yaml", "crash_once.yaml", "stops.csv"):
        shutil.copy(FIXTURE_PARAMS / name, folder)
    out = tmp_path / "outputs"

    results = run_batch(folder, out, scheduler=cluster.scheduler_address, template=OK_NB, progress=False)

    statuses = {r.jurisdiction: (r.status, r.reason) for r in results}
    once = yaml.safe_load((folder / "crash_once.yaml").read_text(encoding="utf-8"))["jurisdiction"]
    assert statuses == {"alpha-tx": ("ok", None), once: ("ok", None), "crash-wa": ("failed", CRASH_REASON)}
    assert (folder / "crash_once.yaml.killed").exists()  # it did kill its first worker
    assert sorted(p.name for p in out.iterdir()) == ["alpha-tx", once, "index.html", "index.json"]


def test_one_city_at_a_time_in_a_process_with_several_threads(tmp_path) -> None:
    """What a Dask worker with four threads does with four cities: they run one after another."""
    running, most = [], []

    def render(params_path: Path, out_root: Path) -> CityResult:
        running.append(params_path)
        most.append(len(running))
        time.sleep(0.02)  # long enough for the other threads to try to start
        running.remove(params_path)
        return CityResult(params_path.stem, params_path.stem, params_path, "ok")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(_alone_in_process, render, tmp_path / f"c{i}.yaml", tmp_path) for i in range(4)]
        results = [f.result() for f in futures]
    assert [r.jurisdiction for r in results] == ["c0", "c1", "c2", "c3"]
    assert most == [1, 1, 1, 1]


def test_a_wrong_scheduler_address_fails_in_one_line(tmp_path, capsys) -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with socket.socket() as s:  # a local port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(FIXTURE_PARAMS / "alpha.yaml", folder)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["batch", str(folder), "--out", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"trustreport: cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}: ")
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_workers_and_scheduler_are_not_given_together(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["batch", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert exit_.value.code == 2
    assert "argument --scheduler: not allowed with argument --workers" in capsys.readouterr().err


def test_a_city_computed_again_by_dask_in_the_same_batch_is_not_rendered_again(tmp_path) -> None:
    """Dask recomputes a finished task whose result was lost with its worker; the second computation gives the
    first one's result back instead of rendering the city again after the batch has moved on."""
    calls = []

    def render(params_path: Path, out_root: Path) -> CityResult:
        calls.append(params_path)
        return CityResult(params_path.stem, params_path.stem, params_path, "ok", duration=len(calls))

    first = _alone_in_process(render, tmp_path / "c.yaml", tmp_path, batch="b1")
    again = _alone_in_process(render, tmp_path / "c.yaml", tmp_path, batch="b1")
    other_city = _alone_in_process(render, tmp_path / "d.yaml", tmp_path, batch="b1")
    next_batch = _alone_in_process(render, tmp_path / "c.yaml", tmp_path, batch="b2")
    assert again == first and len(calls) == 3
    assert other_city.jurisdiction == "d" and next_batch.duration == 3
