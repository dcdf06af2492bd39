"""`trustreport validate | run | batch | new-city | census | cache`: the front door for analysts and the data desk.

Errors a user can act on are printed as one line, `trustreport: <reason>`, with no traceback (`--verbose` logs
the details to stderr). Exit status: 0 all well, 1 something failed, 2 bad command line, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from trustreport.errors import TrustReportError, printable
from trustreport.log import configure_logging

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.CRITICAL)
    try:
        return args.command(args)
    except TrustReportError as err:
        _error(str(err))
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as err:
        log.debug("unexpected error", exc_info=True)
        first = f"{type(err).__name__}: {err}".splitlines()[0]
        _error(f"internal error: {first} (run with --verbose for the traceback)")
        return 1


def build_parser() -> argparse.ArgumentParser:
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log progress and tracebacks to stderr",
    )
    parser = argparse.ArgumentParser(
        prog="trustreport",
        description="Then-and-now reports on policing data, one per city.",
        parents=[verbose],
    )
    parser.set_defaults(verbose=False)
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        parents=[verbose],
        help="check params files without running anything",
        description=(
            "Check each params file as `run` does before anything runs: keys, types, dates and windows, adapter "
            "options, and that every source file reads as its kind expects."
        ),
    )
    validate.add_argument("params", nargs="+", type=Path, metavar="PARAMS", help="params files or folders of them")
    _add_data_root(validate)
    _add_cache(validate)
    validate.set_defaults(command=_validate)

    run = commands.add_parser(
        "run",
        parents=[verbose],
        help="render one city",
        description=(
            "Render one city's report into OUT/<jurisdiction>/ (report.html, report.pdf, metrics.json, "
            "report.ipynb). On failure nothing is written and the previous report stays."
        ),
    )
    run.add_argument("params", type=Path, metavar="PARAMS", help="the city's params file")
    _add_common(run)
    run.set_defaults(command=_run)

    batch = commands.add_parser(
        "batch",
        parents=[verbose],
        help="render every city in a folder",
        description=(
            "Render every params file in PARAMS_DIR (names starting with _ are skipped), then OUT/index.html."
        ),
    )
    batch.add_argument("params_dir", type=Path, metavar="PARAMS_DIR", help="folder of params files")
    _add_common(batch)
    where = batch.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive_int,
        default=None,  # not 2: argparse lets a value equal to the default through the exclusive group
        metavar="N",
        help=f"cities rendered at once on this machine, one process each (default: {DEFAULT_WORKERS})",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "run on the Dask scheduler at ADDRESS (e.g. tcp://host:8786) instead of on this machine: each Dask "
            "worker process renders one city at a time, so start workers with --nthreads 1 (README: Running on "
            "a cluster)"
        ),
    )
    batch.set_defaults(command=_batch)

    new_city = commands.add_parser(
        "new-city",
        parents=[verbose],
        help="write a commented params file for a new city",
        description="Write PARAMS/<slug>.yaml for a city: windows, groups, the sources the bundled data hold for "
        "it (settlements, Washington Post homicides and Fatal Force, NJ files, census tables) and TODOs for the rest.",
    )
    new_city.add_argument("place", help='the city and its two-letter state code, e.g. "Springfield, MA"')
    new_city.add_argument("--out", type=Path, default=Path("params"), metavar="DIR", help="default: params")
    new_city.add_argument(
        "--project", type=Path, default=Path("."), metavar="DIR", help="folder holding data/ (default: here)"
    )
    new_city.add_argument("--force", action="store_true", help="overwrite an existing file")
    new_city.set_defaults(command=_new_city)

    census = commands.add_parser(
        "census",
        parents=[verbose],
        help="fetch a place's resident table (B03002 or P2) from the Census API",
        description="Write the Census API's B03002 (ACS 5-year) or P2 (decennial) response for a place, with its "
        "query URL and date, into OUT/ for a census_b03002 source. Needs a network.",
    )
    census.add_argument("--place", required=True, help='Census place name ("Newark city, New Jersey") or FIPS')
    census.add_argument("--vintage", required=True, type=_positive_int, metavar="YEAR", help="survey year")
    census.add_argument("--dataset", choices=["acs5", "dec"], default="acs5", help="default: acs5")
    census.add_argument("--out", type=Path, default=Path("data/census"), metavar="DIR", help="default: data/census")
    census.add_argument("--api", default="https://api.census.gov/data", help=argparse.SUPPRESS)
    census.set_defaults(command=_census)

    cache = commands.add_parser(
        "cache",
        parents=[verbose],
        help="show or clear the cache of parsed sources",
        description="Show where the cache of parsed sources is, how many entries it holds and their size; with "
        "--clear, delete them. Entries written by older code are never read again, so the folder only grows "
        "until it is cleared. Other files in the folder are left alone.",
    )
    _cache_folder(cache, "the cache folder")
    cache.add_argument("--clear", action="store_true", help="delete every entry")
    cache.set_defaults(command=_cache)
    return parser


def _add_data_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-root",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder outside the project that source files may also be read from (see params/README.md)",
    )


def _add_common(parser: argparse.ArgumentParser) -> None:
    _add_data_root(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("outputs"), metavar="DIR", help="output folder (default: outputs)"
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=None,
        metavar="NOTEBOOK",
        help="report notebook to run (default: notebooks/trust_report.ipynb)",
    )
    _add_cache(parser)


def _add_cache(parser: argparse.ArgumentParser) -> None:
    cache = parser.add_mutually_exclusive_group()
    _cache_folder(cache, "folder of parsed sources kept between runs")
    cache.add_argument("--no-cache", action="store_true", help="read every source afresh and keep nothing")


def _cache_folder(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup, what: str) -> None:
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"{what} (default: $TRUSTREPORT_CACHE, else ~/.cache/trustreport)",
    )


def _validate(args: argparse.Namespace) -> int:
    from trustreport.batch import find_params
    from trustreport.validation import validate

    _use_cache(args)
    failed = 0
    for given in args.params:
        for path in find_params(given) if given.is_dir() else [given]:
            shown = _shown(path)
            try:
                validate(shown, data_root=args.data_root)
            except TrustReportError as err:
                failed += 1
                _error(str(err))
            else:
                print(f"ok {printable(str(shown))}")
    return 1 if failed else 0


def _use_cache(args: argparse.Namespace) -> None:
    """Hand `--cache DIR` / `--no-cache` to everything this command starts through `TRUSTREPORT_CACHE`: the
    notebook kernels and pool workers inherit this process's environment (trustreport.cache)."""
    from trustreport.cache import ENV_VAR, OFF

    if args.no_cache:
        os.environ[ENV_VAR] = OFF
    elif args.cache is not None:
        os.environ[ENV_VAR] = str(args.cache.expanduser().absolute())


def _run(args: argparse.Namespace) -> int:
    from trustreport.index_page import write_index
    from trustreport.render import render_city

    _use_cache(args)
    # Said as `validate` says it, so both print the same line for the same params file.
    result = render_city(_shown(args.params), args.out, template=args.template, data_root=args.data_root)
    if not result.ok:
        _error(result.reason or "failed")
        return 1
    print(f"{result.jurisdiction}: ok in {result.duration:.1f} s")
    for path in result.outputs.values():
        print(f"  {_shown(path)}")
    index = write_index([result], args.out, merge=True)
    print(f"index: {_shown(index)}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from trustreport.batch import IndexWriteError, run_batch

    _use_cache(args)
    index_error = None
    try:
        results = run_batch(
            args.params_dir,
            args.out,
            workers=args.workers or DEFAULT_WORKERS,
            scheduler=args.scheduler,
            template=args.template,
            data_root=args.data_root,
        )
    except IndexWriteError as err:
        results, index_error = err.results, err
    failed = [r for r in results if not r.ok]
    total = sum(r.duration for r in results)
    ok = len(results) - len(failed)
    retried = sum(r.retried for r in results)
    again = f", {retried} retried after a worker died" if retried else ""
    print(f"{len(results)} cities: {ok} ok, {len(failed)} failed{again} ({total:.1f} s of work)")
    for r in results:
        if r.retried:
            outcome = "ok the second time" if r.ok else "failed again"
            print(f"  retried {r.jurisdiction}: a worker died while it ran, so it was run again on its own: {outcome}")
    for r in failed:
        kept = "previous report kept" if r.previous_kept else "no previous report"
        print(f"  failed {r.jurisdiction} ({kept}): {r.reason}")
    if index_error is not None:
        _error(str(index_error))
        return 1
    print(f"index: {_shown(args.out.absolute() / 'index.html')}")
    return 1 if failed else 0


def _cache(args: argparse.Namespace) -> int:
    from trustreport import cache

    root = args.cache.expanduser() if args.cache is not None else cache.directory()
    if root is None:
        _error(f"the cache is off ({cache.ENV_VAR}={os.environ.get(cache.ENV_VAR)}); name a folder with --cache DIR")
        return 1
    if args.clear:
        files, size = cache.clear(root)
        print(f"{_shown(root)}: {files} entries deleted ({_megabytes(size)})")
        return 0
    found = cache.entries(root)
    size = sum(f.stat().st_size for f in found)
    print(f"{_shown(root)}: {len(found)} entries, {_megabytes(size)}")
    return 0


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _census(args: argparse.Namespace) -> int:
    from trustreport.sources.census_fetch import fetch_table

    path, url = fetch_table(args.place, args.vintage, args.dataset, args.out, base=args.api)
    print(f"{_shown(path)}: {url}")
    return 0


def _new_city(args: argparse.Namespace) -> int:
    from trustreport.scaffold import new_city

    slug, text = new_city(args.place, root=args.project, out=args.out)
    path = args.out / f"{slug}.yaml"
    if path.exists() and not args.force:
        _error(f"{_shown(path)} exists; pass --force to overwrite it")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"{_shown(path)}: written; read its TODOs, then `trustreport validate {_shown(path)}`")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _shown(path: Path) -> Path:
    """A path as short as it can be said: relative to the working directory when it is inside it."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def _error(message: str) -> None:
    print(f"trustreport: {printable(message)}", file=sys.stderr)
