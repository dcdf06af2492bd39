"""Batch throughput: a pool of workers against one-at-a-time, measured in the same run on the same cities.

    .venv/bin/python benchmarks/bench_batch.py                     # 8 fixture cities, pool of 2
    .venv/bin/python benchmarks/bench_batch.py --cities 20 --workers 2 3
    .venv/bin/python benchmarks/bench_batch.py --params params/newark.yaml \
        --template notebooks/trust_report.ipynb

One params file is cloned into N cities (jurisdictions bench-01 … bench-N) so every city does the same work;
each strategy renders all of them (notebook → HTML → PDF → metrics.json) into its own fresh output folder.
Baselines: `render_city` in a plain loop in this process, and `run_batch` with one worker (the pool's own
overhead). Prints reports per minute and the speed-up over the in-process loop. Not a test: numbers depend on
the machine (docs/toolchain.md measured 2 cores).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from trustreport.batch import run_batch
from trustreport.render import CityResult, render_city

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "notebooks"


def make_cities(params: Path, n: int, folder: Path) -> list[Path]:
    """N copies of one params file, each with its own jurisdiction, beside copies of its data files."""
    folder.mkdir(parents=True)
    text = params.read_text(encoding="utf-8")
    for data in params.parent.iterdir():
        if data.is_file() and data.suffix not in (".yaml", ".yml", ".md"):
            shutil.copy(data, folder)
    paths = []
    for i in range(1, n + 1):
        path = folder / f"bench-{i:02d}.yaml"
        path.write_text(re.sub(r"(?m)^jurisdiction:.*$", f"jurisdiction: bench-{i:02d}", text), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported (default: 3)")
    parser.add_argument("--params", type=Path, default=FIXTURES / "params" / "alpha.yaml")
    parser.add_argument("--template", type=Path, default=FIXTURES / "report_ok.ipynb")
    parser.add_argument("--skip-loop", action="store_true", help="skip the in-process loop baseline")
    args = parser.parse_args()

    strategies: dict[str, Callable[[list[Path], Path], list[CityResult]]] = {}
    if not args.skip_loop:
        strategies["loop, in process"] = lambda cities, out: [
            render_city(p, out, template=args.template) for p in cities
        ]
    for n in [1, *args.workers]:
        strategies[f"pool of {n}"] = lambda cities, out, n=n: run_batch(
            cities, out, workers=n, template=args.template, progress=False
        )

    timings: dict[str, list[float]] = {label: [] for label in strategies}
    with tempfile.TemporaryDirectory(prefix="trustreport-bench-") as tmp:
        work = Path(tmp)
        cities = make_cities(args.params.absolute(), args.cities, work / "params")
        print(f"{args.cities} cities from {args.params} with {args.template}", file=sys.stderr)
        # Rounds go through every strategy in turn, so background load on a shared machine hits them alike.
        for round_ in range(1, args.repeat + 1):
            for i, (label, run) in enumerate(strategies.items()):
                out = work / f"round{round_}-strategy{i}"
                started = time.perf_counter()
                results = run(cities, out)
                timings[label].append(time.perf_counter() - started)
                failed = [r for r in results if not r.ok]
                if failed:
                    raise SystemExit(f"{label}: {len(failed)} cities failed, e.g. {failed[0].reason}")
                print(f"  round {round_}: {label:<20} {timings[label][-1]:6.1f} s", file=sys.stderr)
                shutil.rmtree(out)

    medians = {label: statistics.median(times) for label, times in timings.items()}
    base_label = next(iter(medians))
    print(f"\n{'strategy':<20} {'median s':>9} {'reports/min':>12} {'speed-up':>9}")
    for label, seconds in medians.items():
        per_min = args.cities / seconds * 60
        print(f"{label:<20} {seconds:9.1f} {per_min:12.1f} {medians[base_label] / seconds:8.2f}×")
    print(f"({args.cities} cities, median of {args.repeat}; speed-up against '{base_label}')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
