"""Interactive rerun: `build()` cold, with a warm cache in a fresh process, and again after a params edit in the
same process (a notebook kernel that has already imported trustreport), measured in one run.

    .venv/bin/python benchmarks/bench_rerun.py                          # hartford newark chicago
    .venv/bin/python benchmarks/bench_rerun.py --cities hartford baltimore

For each city, on a copy of its params file (sources read from this project through `data_root`):
  cold   a fresh process, an empty cache folder: every adapter runs and every file is checked;
  warm   a fresh process, the cache the cold run filled: no adapter runs, no file is scanned;
  rerun  in the warm process, after editing the copy (the `now` window's label, as an analyst would): the params
         are loaded again (a new sha256), sources and checks come from the cache.
Times are of `build()` alone; the import of trustreport (paid once by a kernel) is printed beside them. Ratios are
against the cold build of the same city in the same run; the metrics of the three builds are compared (the rerun's
differ only in the label and the params digest, so it is compared with a cold build of the edited copy).

Where the time goes (pyinstrument, fresh process, 2 cores; see trustreport/cache.py for the table): the adapters
(0.3–0.74 s) and the file checks at load (0.1–0.78 s) are what the cache skips; the rest is the sections'
arithmetic on the counts, claims and prepared series, which every build still does. One run on 3 Dec 2026 (2 cores
shared with other work):

    city          import s   cold s   warm s  rerun s  warm/cold  rerun/cold  same
    hartford          1.07     1.38     0.87     0.81       0.63        0.59  yes
    newark            1.03     1.20     0.58     0.51       0.48        0.43  yes
    chicago           1.00     1.12     0.77     0.65       0.69        0.58  yes

Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def edit(params: Path) -> None:
    """Change the `now` window's label, as an analyst editing the params file would."""
    text = params.read_text(encoding="utf-8")
    edited, n = re.subn(r'(?m)^(now:\n  label: ")([^"]*)"', r'\1\2 (edited)"', text)
    params.write_text(edited if n else text + "# edited\n", encoding="utf-8")


def one_process(params: Path, cache_dir: Path, rerun: bool) -> dict:
    """Run in a child process: import, build, and (with `rerun`) edit the params and build again."""
    started = time.perf_counter()
    from trustreport.report import build
    from trustreport.result import metrics_json

    imported = time.perf_counter() - started

    def timed() -> tuple[float, str]:
        t0 = time.perf_counter()
        report = build(params, data_root=ROOT, cache=cache_dir)
        seconds = time.perf_counter() - t0
        return seconds, hashlib.sha256(metrics_json(report.metrics()).encode()).hexdigest()

    first, digest = timed()
    out = {"import": imported, "build": first, "metrics": digest}
    if rerun:
        edit(params)
        out["rerun"], out["rerun_metrics"] = timed()
    return out


def child(params: Path, cache_dir: Path, rerun: bool) -> dict:
    """`one_process` in a fresh interpreter."""
    cmd = [sys.executable, __file__, "--child", str(params), str(cache_dir), "1" if rerun else "0"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_city(city: str, work: Path) -> dict:
    folder = work / city / "params"
    folder.mkdir(parents=True)
    params = folder / f"{city}.yaml"
    params.write_text((ROOT / "params" / f"{city}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cache_dir = work / city / "cache"
    cold = child(params, cache_dir, rerun=False)
    warm = child(params, cache_dir, rerun=True)
    # The edited copy built cold (its own empty cache) gives the metrics the rerun must match.
    edited_cold = child(params, work / city / "cache-edited", rerun=False)
    return {
        "city": city,
        "import": cold["import"],
        "cold": cold["build"],
        "warm": warm["build"],
        "rerun": warm["rerun"],
        "same": cold["metrics"] == warm["metrics"] and warm["rerun_metrics"] == edited_cold["metrics"],
    }


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(one_process(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1")))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", nargs="+", default=["hartford", "newark", "chicago"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        rows = [bench_city(city, Path(tmp)) for city in args.cities]
    header = f"{'import s':>10}{'cold s':>9}{'warm s':>9}{'rerun s':>9}{'warm/cold':>11}{'rerun/cold':>12}"
    print(f"{'city':<12}{header}  same")
    for r in rows:
        print(
            f"{r['city']:<12}{r['import']:>10.2f}{r['cold']:>9.2f}{r['warm']:>9.2f}{r['rerun']:>9.2f}"
            f"{r['warm'] / r['cold']:>11.2f}{r['rerun'] / r['cold']:>12.2f}  {'yes' if r['same'] else 'NO'}"
        )
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
