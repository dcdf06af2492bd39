"""Run many cities: each `render_city` in a process pool (or on a Dask cluster), then one index page.

One code path for both: anything with the `concurrent.futures.Executor` interface runs the cities, and a
city's failure, even one that kills its worker process, ends as a failed `CityResult` while the others go on.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing
import os
import pickle
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from trustreport import cache as source_cache
from trustreport.errors import ParamsError, TrustReportError
from trustreport.execute import start_warm_kernel
from trustreport.index_page import write_index
from trustreport.log import configure_logging
from trustreport.publish import crashed_runs, recover_stale
from trustreport.render import render_city
from trustreport.result import CityResult, identify_city, one_line

log = logging.getLogger(__name__)

PARAMS_SUFFIXES = (".yaml", ".yml")
Render = Callable[[Path, Path], CityResult]
CRASH_REASON = "the worker process rendering this city died without a result (crash or out of memory)"

# One city at a time in a process: papermill changes the process's working directory while a notebook runs, and a
# kernel kept warm per process (execute.py) serves one notebook at a time; the threads of one Dask worker share both.
_ONE_CITY_AT_A_TIME = threading.Lock()
# A Dask batch's record of a city already rendered (`_alone_in_process`), removed when the batch ends.
_DONE = ".done"


class IndexWriteError(TrustReportError):
    """Every city ran, but the index could not be written; `results` holds how each city ended."""

    def __init__(self, err: TrustReportError, results: list[CityResult]) -> None:
        self.results = results
        super().__init__(err.path, err.message)


@dataclass(frozen=True)
class _Job:
    params_path: Path
    jurisdiction: str
    name: str
    params_ok: bool


def find_params(params_dir_or_files: str | Path | Iterable[str | Path]) -> list[Path]:
    """Params files to run: `*.yaml`/`*.yml` in a folder (except names starting with `_`), or those given."""
    if isinstance(params_dir_or_files, str | Path):
        given = Path(params_dir_or_files)
        if given.is_dir():
            found = [
                p for p in given.iterdir() if p.suffix in PARAMS_SUFFIXES and not p.name.startswith("_") and p.is_file()
            ]
            if not found:
                raise ParamsError(given, "", "no params files (*.yaml) in this folder")
            return sorted(p.absolute() for p in found)
        items: list[str | Path] = [given]
    else:
        items = list(params_dir_or_files)
    paths = sorted({Path(p).absolute() for p in items})
    if not paths:
        raise ParamsError(None, "", "no params files given")
    return paths


def run_batch(
    params_dir_or_files: str | Path | Iterable[str | Path],
    out_root: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    template: str | Path | None = None,
    progress: bool = True,
    data_root: str | Path | None = None,
) -> list[CityResult]:
    """Render every city, `workers` at a time on this machine or on the Dask cluster at `scheduler`.

    Returns one result per params file, sorted by jurisdiction, and writes `out_root/index.html` and
    `index.json`. Workers are started with "spawn", so a script that calls this needs the usual
    `if __name__ == "__main__":` guard. With Dask, `workers` is not used: each Dask worker process renders one
    city at a time (a worker with more threads runs its cities one after another), trustreport must be installed
    on the workers, and `out_root`, the params, the template and the data reachable at the same paths from every
    worker (shared storage; README "Running on a cluster").
    `data_root` is a folder outside the project that sources may be read from (trustreport.source_paths).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    out_root = Path(out_root).absolute()
    template = Path(template).absolute() if template else None
    data_root = Path(data_root).absolute() if data_root else None
    # One picklable callable carries the per-batch options to every worker; the cache folder goes with it, since
    # Dask workers do not inherit this process's environment (trustreport.cache).
    render = functools.partial(
        source_cache.call_with, source_cache.current_setting(), render_city, template=template, data_root=data_root
    )
    jobs, results = _plan(find_params(params_dir_or_files), data_root)
    total = len(jobs) + len(results)

    from tqdm import tqdm

    # Connect to the cluster before showing progress or creating anything, so a wrong address fails cleanly.
    with _dask_executor(scheduler) if scheduler else nullcontext() as dask_executor:
        try:
            out_root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TrustReportError(out_root, f"cannot create the output folder ({err.strerror or err})") from err
        log.info("batch: %d cities → %s (%s)", total, out_root, scheduler or f"{workers} workers")
        with tqdm(total=total, desc="cities", unit="city", file=sys.stderr, disable=not progress) as bar:
            bar.update(len(results))

            def done(result: CityResult) -> None:
                results.append(result)
                failed = sum(not r.ok for r in results)
                bar.set_postfix_str(f"{result.jurisdiction} {result.status}" + (f", {failed} failed" * bool(failed)))
                bar.update(1)

            if dask_executor is not None:
                # Dask reschedules work lost with a worker itself; a city that keeps killing workers comes
                # back as KilledWorker, an ordinary failure.
                batch = uuid.uuid4().hex
                alone = functools.partial(_alone_in_process, render, batch=batch)
                try:
                    for job in _run_jobs(dask_executor, jobs, out_root, alone, done):
                        done(_crashed(job, out_root))
                finally:
                    for marker in out_root.glob(f"{_DONE}-{batch}-*"):
                        marker.unlink(missing_ok=True)
            else:
                _run_in_pools(jobs, out_root, render, workers, done, template)

    # A city rerun after its worker died elsewhere may have found that worker not yet gone: every render has ended
    # now, so whatever a dead process left is swept once more.
    for job in jobs:
        if job.params_ok:
            recover_stale(out_root, job.jurisdiction)
    results.sort(key=lambda r: (r.jurisdiction, str(r.params_path)))
    try:
        write_index(results, out_root)
    except TrustReportError as err:
        raise IndexWriteError(err, results) from err
    return results


def _plan(paths: list[Path], data_root: Path | None = None) -> tuple[list[_Job], list[CityResult]]:
    """Jobs to run, and failures known before running: two params files claiming the same jurisdiction."""
    jobs: list[_Job] = []
    refused: list[CityResult] = []
    owner: dict[str, Path] = {}
    for path in paths:
        city = identify_city(path, data_root=data_root)
        job = _Job(path, city.jurisdiction, city.name, city.loaded is not None)
        if job.params_ok and job.jurisdiction in owner:
            reason = (
                f"{path}: `jurisdiction` ({job.jurisdiction}) is also used by {owner[job.jurisdiction]}; "
                "each city needs its own"
            )
            refused.append(CityResult(job.jurisdiction, job.name, path, "failed", reason))
            continue
        if job.params_ok:
            owner[job.jurisdiction] = path
        jobs.append(job)
    return jobs, refused


def _run_in_pools(
    jobs: list[_Job], out_root: Path, render: Render, workers: int, done, template: Path | None = None
) -> None:
    """Run the jobs in a process pool; survive workers that die.

    A dead worker breaks the whole pool and fails every city in flight or queued with it. Cities that had
    started (their staging folder was left behind) are rerun one at a time, so only the one that kills its
    worker is reported as failed; cities that had not started go back into a fresh pool.
    """
    pending = jobs
    while pending:
        with _process_pool(workers, template) as executor:
            crashed = _run_jobs(executor, pending, out_root, render, done)
        suspects = [job for job in crashed if job.params_ok and crashed_runs(out_root, job.jurisdiction)]
        pending = [job for job in crashed if job not in suspects]
        if crashed and not suspects:  # cannot tell who: isolate everyone, which always makes progress
            suspects, pending = crashed, []

        def done_again(result: CityResult) -> None:
            done(replace(result, retried=True))

        for job in suspects:
            log.warning("%s: its worker died; running it again on its own", job.jurisdiction)
            with _process_pool(1, template) as executor:
                crashed_again = _run_jobs(executor, [job], out_root, render, done_again)
            for again in crashed_again:  # after the pool is shut down: the dead worker is reaped by then
                done_again(_crashed(again, out_root))


def _run_jobs(executor: Executor, jobs: list[_Job], out_root: Path, render: Render, done) -> list[_Job]:
    """Submit every job, report each result as it finishes; return the jobs lost to a broken executor."""
    futures = {executor.submit(render, job.params_path, out_root): job for job in jobs}
    crashed: list[_Job] = []
    try:
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
                # Dask recomputes a finished task whose result was lost with its worker while the client still
                # holds it: a city already reported would render again, unseen, after the batch returned.
                getattr(future, "release", lambda: None)()
            except BrokenExecutor:
                crashed.append(job)
                continue
            except Exception as err:  # e.g. Dask's KilledWorker after repeated worker deaths
                log.debug("%s: no result from the executor", job.jurisdiction, exc_info=True)
                # render never raises for a city's own problems: no result means its run was cut short.
                killed = type(err).__name__ == "KilledWorker"
                result = _crashed(job, out_root, CRASH_REASON if killed else one_line(f"{type(err).__name__}: {err}"))
            done(result)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return sorted(crashed, key=lambda j: (j.jurisdiction, str(j.params_path)))


def _alone_in_process(render: Render, params_path: Path, out_root: Path, *, batch: str | None = None) -> CityResult:
    """`render(params_path, out_root)` once no other city is rendering in this process, and only once per `batch`.

    Dask computes a finished task again when its result is lost with its worker while the client still holds it
    (the worker died running the next city before the client had let go of the result). The city's run left a
    marker holding its result, so the second computation returns it instead of rendering the city again unseen.
    """
    marker = None
    if batch is not None:
        marker = out_root / f"{_DONE}-{batch}-{hashlib.sha256(str(params_path).encode()).hexdigest()[:16]}"
    with _ONE_CITY_AT_A_TIME:
        if marker is not None:
            with suppress(OSError, pickle.UnpicklingError, EOFError):
                return pickle.loads(marker.read_bytes())
        result = render(params_path, out_root)
        if marker is not None:
            with suppress(OSError):
                staged = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
                staged.write_bytes(pickle.dumps(result))
                os.replace(staged, marker)
        return result


def _crashed(job: _Job, out_root: Path, reason: str = CRASH_REASON) -> CityResult:
    """A failed result for a city whose run died; its staging folder is removed, a report set aside restored."""
    if job.params_ok:
        recover_stale(out_root, job.jurisdiction)
    return _failed(job, out_root, reason)


def _failed(job: _Job, out_root: Path, reason: str) -> CityResult:
    previous = out_root / job.jurisdiction
    kept = job.params_ok and previous.is_dir()
    return CityResult(
        jurisdiction=job.jurisdiction,
        name=job.name,
        params_path=job.params_path,
        status="failed",
        reason=reason,
        report_dir=previous if kept else None,
        previous_kept=kept,
    )


@contextmanager
def _process_pool(workers: int, template: Path | None = None) -> Iterator[Executor]:
    # "spawn": workers start clean (no threads or locks copied from the parent, e.g. tqdm's monitor thread)
    # and behave the same on Linux, macOS and Windows.
    level = logging.getLogger("trustreport").getEffectiveLevel()
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(level, source_cache.current_setting(), template),
    )
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _start_worker(level: int, cache_setting: str | None, template: Path | None) -> None:
    """A pool worker's start: the parent's trustreport log level, and its warm kernel started (under the batch's
    cache setting, which each city's run sets the same way) so that it imports trustreport while the worker
    imports the rest and validates its first city."""
    configure_logging(level)
    try:
        source_cache.call_with(cache_setting, start_warm_kernel, template)
    except Exception:  # a pool whose initializer fails is broken; the city's own run says what is wrong
        log.debug("warm kernel not started with the worker", exc_info=True)


@contextmanager
def _dask_executor(address: str) -> Iterator[Executor]:
    try:
        from distributed import Client
    except ImportError:
        raise TrustReportError(
            None, "running on a Dask scheduler needs the distributed package: pip install 'trustreport[dask]'"
        ) from None
    try:
        client = Client(address)
    except (OSError, TimeoutError, ValueError) as err:
        raise TrustReportError(None, f"cannot connect to the Dask scheduler at {address}: {err}") from None
    try:
        _check_workers(client.scheduler_info()["workers"], address)
        # pure=False: a rerun of the same city is new work, never a cached result.
        yield client.get_executor(pure=False)
    finally:
        client.close()


def _check_workers(workers: dict[str, dict], address: str) -> None:
    """Warn about a cluster that will be slower than it looks: no workers yet, or workers with several threads."""
    if not workers:
        log.warning("the Dask scheduler at %s has no workers yet; the cities wait until some join", address)
    threaded = sorted(name for name, info in workers.items() if info.get("nthreads", 1) > 1)
    if threaded:
        log.warning(
            "%d Dask worker(s) at %s have more than one thread (%s); each worker process renders one city at a "
            "time, so start workers with --nthreads 1 and as many processes as cities to run at once",
            len(threaded),
            address,
            ", ".join(threaded),
        )
