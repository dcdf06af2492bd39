"""The cache of parsed sources (trustreport.cache): a hit gives back exactly what the adapter gave, a changed file or
option is a miss, a damaged entry is a miss, `off` writes nothing, and writers racing on one entry leave it whole.

Each test uses a cache folder of its own (`tmp_path`), so a hit is one this test made.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import trustreport as tr
from trustreport import cache
from trustreport.cli import _use_cache, build_parser
from trustreport.errors import SourceError
from trustreport.result import metrics_json
from trustreport.sources import ADAPTERS, read_source
from trustreport.sources.base import SourceData
from trustreport.sources.checks import check_file

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published" / "newark.csv"
SHOOTINGS = ROOT / "data" / "wapo-police-shootings" / "fatal-police-shootings-data.csv.gz"
AGENCIES = ROOT / "data" / "wapo-police-shootings" / "fatal-police-shootings-agencies.csv.gz"


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _same_source_data(a: SourceData, b: SourceData) -> None:
    """Equal in every part, tables to the dtype and the last bit."""
    assert a.info == b.info
    pd.testing.assert_frame_equal(a.counts, b.counts, check_exact=True)
    assert list(a.counts.dtypes) == list(b.counts.dtypes)
    assert a.coverage == b.coverage and a.dropped == b.dropped and a.caveats == b.caveats
    assert sorted(a.extras) == sorted(b.extras)
    for name in a.extras:
        pd.testing.assert_frame_equal(a.extras[name], b.extras[name], check_exact=True)


def _published(path: Path = PUBLISHED, **changes) -> SourceData:
    spec = dict(
        source_id="newark-published",
        kind="published_aggregates",
        path=path,
        jurisdiction="newark",
        options={},
        citation="Published aggregates for Newark",
        licence="Quoted facts with attribution",
    )
    return read_source(**{**spec, **changes})


def _shootings(folder: Path, options: dict) -> SourceData:
    return read_source(
        source_id="wapo-fatal-force-newark",
        kind="wapo_police_shootings",
        path=folder / SHOOTINGS.name,
        jurisdiction="newark",
        options=options,
        citation="The Washington Post, Fatal Force",
        licence="CC BY-NC-SA 4.0",
    )


@pytest.mark.parametrize("city", ["hartford", "newark", "chicago"])
def test_a_hit_gives_the_same_metrics_and_sources_as_the_adapters(city, tmp_path, monkeypatch):
    cold = tr.build(ROOT / "params" / f"{city}.yaml", cache=tmp_path)
    assert _entries(tmp_path / "sources"), "the cold build stores each source"
    # On a hit no adapter runs: an adapter that cannot be imported would fail the build.
    for kind in ADAPTERS:
        monkeypatch.setitem(ADAPTERS, kind, "trustreport.no_such_adapter:read")
    warm = tr.build(ROOT / "params" / f"{city}.yaml", cache=tmp_path)
    assert metrics_json(warm.metrics()).encode() == metrics_json(cold.metrics()).encode()
    assert len(warm.sources) == len(cold.sources)
    for a, b in zip(cold.sources, warm.sources, strict=True):
        _same_source_data(a, b)


def test_without_a_cache_the_metrics_are_the_same(tmp_path):
    cached = tr.build(ROOT / "params" / "hartford.yaml", cache=tmp_path)
    again = tr.build(ROOT / "params" / "hartford.yaml", cache=tmp_path)
    plain = tr.build(ROOT / "params" / "hartford.yaml", cache=False)
    assert metrics_json(again.metrics()) == metrics_json(plain.metrics()) == metrics_json(cached.metrics())


def test_editing_one_row_of_the_data_file_is_a_miss(tmp_path):
    copy = tmp_path / "data" / "newark.csv"
    copy.parent.mkdir()
    shutil.copy(PUBLISHED, copy)
    with cache.using(tmp_path / "cache"):
        before = _published(copy)
        lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
        assert lines[1].startswith("2010-01-01,2014-12-31,lawsuits,all,48,")
        lines[1] = lines[1].replace(",lawsuits,all,48,", ",lawsuits,all,47,", 1)
        copy.write_text("".join(lines), encoding="utf-8")
        after = _published(copy)
    with cache.using(False):
        fresh = _published(copy)
    assert before.info.sha256 != after.info.sha256
    _same_source_data(after, fresh)
    lawsuits = after.counts[after.counts["measure"] == "lawsuits"]["value"]
    assert 47.0 in set(lawsuits) and 48.0 not in set(lawsuits)
    assert len(_entries(tmp_path / "cache" / "sources")) == 2


def test_editing_a_companion_file_is_a_miss(tmp_path):
    for file in (SHOOTINGS, AGENCIES):
        shutil.copy(file, tmp_path / file.name)
    options = {"agency_name": "Newark Police Department", "state": "NJ"}
    with cache.using(tmp_path / "cache"):
        before = _shootings(tmp_path, options)
        assert before.counts["value"].sum() > 0
        # The agencies table (read beside the data file) renames the agency: the adapter must see it and refuse.
        with gzip.open(AGENCIES, "rt", encoding="utf-8") as fh:
            text = fh.read()
        renamed = text.replace('"Newark Police Department","local_police","NJ"', '"Newark PD","local_police","NJ"')
        assert renamed != text
        with gzip.open(tmp_path / AGENCIES.name, "wt", encoding="utf-8") as fh:
            fh.write(renamed)
        with pytest.raises(SourceError, match="Newark Police Department"):
            _shootings(tmp_path, options)


def test_a_file_rewritten_within_one_tick_of_its_clock_is_read_again(tmp_path):
    file = tmp_path / "counts.csv"
    file.write_bytes(b"a,b\n1,2\n")
    first = cache.file_digest(file)
    before = os.stat(file)
    file.write_bytes(b"a,b\n1,3\n")  # same size, same inode
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))  # and, as on a coarse clock, the same mtime
    assert cache.file_digest(file) != first


def test_changing_an_option_or_the_jurisdiction_is_a_miss(tmp_path):
    shutil.copy(SHOOTINGS, tmp_path / SHOOTINGS.name)
    shutil.copy(AGENCIES, tmp_path / AGENCIES.name)
    with cache.using(tmp_path / "cache"):
        newark = _shootings(tmp_path, {"city": "Newark", "state": "NJ"})
        camden = _shootings(tmp_path, {"city": "Camden", "state": "NJ"})
        assert len(_entries(tmp_path / "cache" / "sources")) == 2
        renamed = _published(jurisdiction="newark-nj")
        _published(jurisdiction="newark")
        assert len(_entries(tmp_path / "cache" / "sources")) == 4
    with cache.using(False):
        _same_source_data(camden, _shootings(tmp_path, {"city": "Camden", "state": "NJ"}))
    assert not newark.counts.equals(camden.counts)
    assert set(renamed.counts["jurisdiction"]) == {"newark-nj"}


def test_other_code_is_a_miss(tmp_path, monkeypatch):
    with cache.using(tmp_path):
        _published()
        monkeypatch.setattr(cache, "code_version", lambda: "edited code")
        _published()
    assert len(_entries(tmp_path / "sources")) == 2


def test_a_damaged_entry_is_a_miss_and_is_written_again(tmp_path, caplog):
    with cache.using(tmp_path):
        first = _published()
        (entry,) = _entries(tmp_path / "sources")
        whole = entry.read_bytes()
        for damaged in (whole[: len(whole) // 2], whole[:-1] + bytes([whole[-1] ^ 1]), b"", b"not a cache entry"):
            entry.write_bytes(damaged)
            with caplog.at_level(logging.WARNING, logger="trustreport"):
                again = _published()
            _same_source_data(first, again)
            assert entry.read_bytes() == whole, "the miss rewrites the entry"
    assert "damaged" in caplog.text


def test_an_unreadable_cache_folder_is_no_error(tmp_path, caplog):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with cache.using(blocker), caplog.at_level(logging.WARNING, logger="trustreport"):
        data = _published()
    with cache.using(False):
        _same_source_data(data, _published())
    assert "cannot be written" in caplog.text


def test_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(cache.ENV_VAR, "off")
    assert cache.directory() is None
    tr.build(ROOT / "params" / "newark.yaml")
    check_file(PUBLISHED, "published_aggregates")
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()
    monkeypatch.delenv(cache.ENV_VAR)
    assert cache.directory() == tmp_path / "xdg" / "trustreport"


def test_a_passing_check_is_kept_and_a_changed_file_is_checked_again(tmp_path):
    copy = tmp_path / "newark.csv"
    shutil.copy(PUBLISHED, copy)
    with cache.using(tmp_path / "cache"):
        check_file(copy, "published_aggregates")
        assert len(_entries(tmp_path / "cache" / "checks")) == 1
        copy.write_bytes(PUBLISHED.read_bytes() + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n\n")
        with pytest.raises(SourceError, match="14 fields but the header has 11"):
            check_file(copy, "published_aggregates")
        with pytest.raises(SourceError, match="14 fields"):
            check_file(copy, "published_aggregates")  # a failure is never kept
    assert len(_entries(tmp_path / "cache" / "checks")) == 1


_WRITER = """
import sys
from trustreport import cache
value = {"rows": list(range(200_000)), "who": sys.argv[1]}
with cache.using(sys.argv[2]):
    for _ in range(30):
        cache.store("race", "0" * 64, value)
"""


def test_two_processes_writing_one_entry_leave_it_readable(tmp_path, caplog):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, who, str(tmp_path)], env=env) for who in ("one", "two")]
    seen = set()
    with cache.using(tmp_path), caplog.at_level(logging.WARNING, logger="trustreport"):
        while any(w.poll() is None for w in writers):
            value = cache.load("race", "0" * 64)
            if value is not None:
                assert value["rows"] == list(range(200_000))
                seen.add(value["who"])
        assert [w.returncode for w in writers] == [0, 0]
        final = cache.load("race", "0" * 64)
    assert final is not None and final["who"] in {"one", "two"}
    assert "damaged" not in caplog.text and "cannot" not in caplog.text
    assert not list(tmp_path.rglob("*.tmp")), "no temporary file is left behind"


def test_the_command_line_hands_the_cache_to_the_kernels(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    _use_cache(build_parser().parse_args(["run", "params/newark.yaml", "--cache", str(tmp_path / "c")]))
    assert os.environ[cache.ENV_VAR] == str(tmp_path / "c")
    _use_cache(build_parser().parse_args(["batch", "params", "--no-cache"]))
    assert os.environ[cache.ENV_VAR] == "off"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "params/newark.yaml", "--no-cache", "--cache", "x"])


def test_a_dask_worker_is_handed_the_cache_folder(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        # Workers keep the environment they started with: a later choice in the client does not reach them.
        monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "chosen"))
        assert client.submit(os.getenv, cache.ENV_VAR, pure=False).result() != str(tmp_path / "chosen")
        handed = client.submit(cache.call_with, cache.current_setting(), os.getenv, cache.ENV_VAR, pure=False)
        assert handed.result() == str(tmp_path / "chosen")


def test_the_cache_command_counts_and_clears_entries_and_nothing_else(tmp_path, capsys):
    from trustreport.cli import main

    with cache.using(tmp_path):
        _published()
        check_file(SHOOTINGS, "wapo_police_shootings")
    written = cache.entries(tmp_path)
    assert {p.parent.parent.name for p in written} == {"sources", "checks"}
    mine = tmp_path / "notes.txt"
    mine.write_text("a user's own file", encoding="utf-8")
    (tmp_path / "sources" / "ab").mkdir()
    theirs = tmp_path / "sources" / "ab" / "readme.md"
    theirs.write_text("not an entry", encoding="utf-8")

    assert main(["cache", "--cache", str(tmp_path)]) == 0
    assert f"{len(written)} entries" in capsys.readouterr().out
    assert main(["cache", "--cache", str(tmp_path), "--clear"]) == 0
    assert f"{len(written)} entries deleted" in capsys.readouterr().out
    assert cache.entries(tmp_path) == []
    assert mine.read_text(encoding="utf-8") and theirs.read_text(encoding="utf-8")
    # Cleared means computed again, and stored again.
    with cache.using(tmp_path):
        _published()
    assert "sources" in {p.parent.parent.name for p in cache.entries(tmp_path)}


def test_the_cache_command_says_when_the_cache_is_off(monkeypatch, capsys):
    from trustreport.cli import main

    monkeypatch.setenv(cache.ENV_VAR, "off")
    assert main(["cache"]) == 1
    assert "the cache is off" in capsys.readouterr().err


def test_validate_takes_the_cache_options(tmp_path, monkeypatch):
    from trustreport.cli import main

    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    assert main(["validate", str(ROOT / "params" / "newark.yaml"), "--cache", str(tmp_path)]) == 0
    assert os.environ[cache.ENV_VAR] == str(tmp_path)
    assert [p for p in cache.entries(tmp_path) if p.parent.parent.name == "checks"], "validate's checks were kept"
