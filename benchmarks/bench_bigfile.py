"""A big stop file: the project's ingestion against plain pandas, on the same file, side by side in one run.

    .venv/bin/python benchmarks/bench_bigfile.py                  # 1M, 3M and 10M rows (heavy: ~5 minutes)
    .venv/bin/python benchmarks/bench_bigfile.py --rows 2e5 5e5   # a quick check
    .venv/bin/python benchmarks/bench_bigfile.py --quick          # the same as --rows 1e5 3e5

The file is the bundled Hartford OPP file (data/opp-hartford/ct_hartford_2020_04_01.csv.gz, 18,439 stops) with
its rows repeated, dates unchanged, up to the row count asked for, gzipped as the original (gzip -6), in a
temporary folder. Each measurement runs in a fresh subprocess, so its peak RSS is that process's own `ru_maxrss`;
seconds are wall-clock around the work only (imports excluded, in both columns alike).

- project: `trustreport.build()` on Hartford's params with the OPP source pointing at the big file, MINUS the
  same `build()` on the small bundled file (the other sources, the estimates and the claims cost the same in
  both, so the difference is what the extra rows cost). The source cache is off (`TRUSTREPORT_CACHE=off`) so
  the file is really read. Peak RSS is the big run's whole process.
- pandas: `pd.read_csv` of the same file, then the group-bys issue 10 lists, written plainly as a user would:
  vehicular stops; daily stops, searches, hits, arrests and citations by race; daily stops, searches and hits
  by district and race; vehicular stops by date, minute of day, district and race; searches and hits by date,
  race and search basis.

Prints rows × {project s, pandas s, pandas/project, project peak RSS, pandas peak RSS}. Not a test: the numbers
depend on the machine. Targets (issue 10) on 10M rows: pandas/project ≥ 3, project peak RSS < 1.5 GB, cost
roughly linear in rows.

Where the time went (pyinstrument, 2 cores):
- before (a DuckDB view over the gzip CSV, re-read by every query), `read_opp_stops` alone on 1M rows: 12.2 s in
  14 queries of 0.45-0.8 s each, every one decompressing and parsing the whole file again (the boolean checks
  2.5 s, the extras tables 4.9 s, the filters 1.4 s, daily by race 0.8 s, blank months 0.7 s, cleaning record 0.7 s,
  dates 0.5 s); issue 10 measured 124 s on 10M rows. Before it, `load_params` read every row with Python's csv
  module to check the file: 2.0 s per 1M rows, 22.2 s on 10M rows.
- after (one read into a DuckDB table of the 10 columns of 26 that Hartford's report uses, then queries of that
  table), `read_opp_stops` on 10M rows: 9.6 s at 586 MB peak: the read 7.7 s (DuckDB's own gzip inflate and CSV
  parse, with the byte checks of every line running beside it in a thread: ISA-L inflate, NUL, encoding, line
  lengths, quoting), all checks and group-bys 1.8 s (stop times 0.44, by district 0.28, daily by race 0.25, blank
  months 0.24, value checks 0.18, the file hash 0.15). `load_params` now reads only the header of a stop file.

Measured on the project's machine (2 cores, shared with other work while it ran, so seconds vary by a fifth
from run to run: read the ratios). The full table was run twice, both before the last two speed-ups (ISA-L for the
byte checks, one query for the value checks):

    rows         project s   pandas s   pandas/project   project peak RSS   pandas peak RSS
    1,000,000       1.8         2.1          1.2              458 MB             479 MB
    3,000,000       3.2         6.5          2.1              707 MB            1302 MB
    10,000,000     14.1        37.4          2.6              693 MB            4208 MB
    (second run)
    1,000,000       1.4         2.0          1.4              474 MB             479 MB
    3,000,000       4.0         6.6          1.7              653 MB            1305 MB
    10,000,000     10.6        29.0          2.7              693 MB            4211 MB

After them, `--rows 1e6 3e6`: 1M 0.9 s vs 2.3 s (2.7×), 3M 2.8 s vs 5.9 s (2.1×), peak 442 / 604 MB; and the
project side alone on 10M rows (build on the big file minus build on the bundled one, fresh processes, twice):
9.6 s and 10.7 s at 650 MB, against pandas' 29.0-37.4 s above: about 2.7-3.9×. Pandas grows faster than linearly
(2.0, 2.2, 2.9-3.7 s per million rows) and needs 6× the memory; the project's cost is about 1 s per million rows
plus a fixed part.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPP = ROOT / "data" / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
PARAMS = ROOT / "params" / "hartford.yaml"
OPP_IN_PARAMS = "data/opp-hartford/ct_hartford_2020_04_01.csv.gz"

# Each runs in its own interpreter; it prints one JSON line: seconds of the work and the peak RSS in MB.
PROJECT_RUN = """
import json, resource, sys, time
import trustreport
start = time.perf_counter()
trustreport.build(sys.argv[1], data_root=sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PANDAS_RUN = """
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df = df[df["type"] == "vehicular"]
df["date"] = pd.to_datetime(df["date"])
df["hit"] = df["search_conducted"] & (df["contraband_found"] == True)
daily = df.groupby(["date", "subject_race"]).agg(
    stops=("raw_row_number", "size"), searches=("search_conducted", "sum"), hits=("hit", "sum"),
    arrests=("arrest_made", "sum"), citations=("citation_issued", "sum"))
by_district = df.groupby(["date", "district", "subject_race"], dropna=False).agg(
    stops=("raw_row_number", "size"), searches=("search_conducted", "sum"), hits=("hit", "sum"))
clock = pd.to_datetime(df["time"], format="%H:%M:%S")
df["minute"] = clock.dt.hour * 60 + clock.dt.minute
by_minute = df.groupby(["date", "minute", "district", "subject_race"], dropna=False).size()
searched = df[df["search_conducted"]]
by_basis = searched.groupby(["date", "subject_race", "search_basis"], dropna=False).agg(
    searches=("search_conducted", "sum"), hits=("hit", "sum"))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "stops": int(daily["stops"].sum())}))
"""


def make_big_file(rows: int, path: Path) -> None:
    """The bundled Hartford file's data lines repeated (dates unchanged) up to `rows` lines, gzipped (-6)."""
    with gzip.open(OPP, "rb") as fh:
        header, *lines = fh.read().splitlines(keepends=True)
    block = b"".join(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        gz = subprocess.Popen(["gzip", "-6", "-c"], stdin=subprocess.PIPE, stdout=out)
        gz.stdin.write(header)
        full, rest = divmod(rows, len(lines))
        for _ in range(full):
            gz.stdin.write(block)
        gz.stdin.write(b"".join(lines[:rest]))
        gz.stdin.close()
        if gz.wait():
            raise RuntimeError("gzip failed")


def params_for(source: str, folder: Path, name: str) -> Path:
    """Hartford's params with the OPP source at `source` (a path under `folder`'s project, or the bundled one)."""
    text = PARAMS.read_text(encoding="utf-8").replace(OPP_IN_PARAMS, source)
    path = folder / "params" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(re.sub(r"(?m)^jurisdiction:.*$", "jurisdiction: hartford-ct", text), encoding="utf-8")
    return path


def measure(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter (the project importable, the source cache off); its JSON line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRUSTREPORT_CACHE": "off"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 3e6, 1e7], help="row counts (1e6 …)")
    parser.add_argument("--quick", action="store_true", help="small files only (1e5 and 3e5 rows)")
    args = parser.parse_args()
    sizes = [100_000, 300_000] if args.quick else [int(r) for r in args.rows]

    work = Path(tempfile.mkdtemp(prefix="bench-bigfile-"))
    try:
        small = measure(PROJECT_RUN, str(params_for(OPP_IN_PARAMS, work, "small")), str(ROOT))
        print(f"project build() on the bundled file ({small['seconds']:.1f} s) is subtracted below", flush=True)
        header = f"{'rows':>12} {'project s':>10} {'pandas s':>9} {'pandas/project':>15} "
        print(header + f"{'project peak RSS':>17} {'pandas peak RSS':>16}", flush=True)
        for rows in sizes:
            big = work / "data" / "bigfile" / f"stops_{rows}.csv.gz"
            make_big_file(rows, big)
            params = params_for(f"data/bigfile/{big.name}", work, f"big_{rows}")
            project = measure(PROJECT_RUN, str(params), str(ROOT))
            pandas = measure(PANDAS_RUN, str(big))
            ingest = project["seconds"] - small["seconds"]
            print(
                f"{rows:>12,} {ingest:>10.1f} {pandas['seconds']:>9.1f} {pandas['seconds'] / ingest:>15.1f} "
                f"{project['rss_mb']:>14.0f} MB {pandas['rss_mb']:>13.0f} MB",
                flush=True,
            )
            big.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
