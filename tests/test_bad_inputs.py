"""Bad inputs, as a hostile or careless user would write them (issue 11): each gives one line and exit 1.

Every case copies the real `params/hartford.yaml` into a temporary folder (source paths made absolute) and
breaks one thing: the params file itself, one of its source files, or a published-aggregates file added to it.
For every case `trustreport validate` must exit 1 with exactly one line on stderr that names the params file and
the key (or the file, row and column), with no traceback, no terminal escape and nothing written; `trustreport run`
must stop before writing anything with the very same line (the contract: `validate` is what `run` checks first).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from trustreport.cli import main

ROOT = Path(__file__).resolve().parents[1]
HARTFORD = ROOT / "params" / "hartford.yaml"
# The line a key appended after the whole file lands on (its second line): the file's lines (and the data root
# line `hartford_text` adds), plus two.
APPENDED_LINE = f"line {HARTFORD.read_text().count(chr(10)) + 3}"
OPP = ROOT / "data" / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
ACS = ROOT / "data" / "opp-hartford" / "hartford_2015_demo.csv"
PUBLISHED_HEADER = "period_start,period_end,measure,group,value,statistic,qualifier,n,citation,url,note\n"
PUBLISHED_ROW = "2014-01-01,2014-12-31,lawsuits,all,{value},total,,,Test citation,,\n"

# Source indices in hartford.yaml: 0 the OPP stops (.csv.gz), 1 the ACS table (.csv), 2 WaPo Fatal Force (.csv.gz).
OPP_SOURCE, ACS_SOURCE, WAPO_SOURCE = 0, 1, 2

Edit = Callable[[str, Path], str | bytes]  # (params text, case folder) -> new params text or bytes


@dataclass(frozen=True)
class Bad:
    """One bad input: how to break the Hartford params, and what its one line must name besides the file."""

    id: str
    edit: Edit
    names: tuple[str, ...]


def hartford_text() -> str:
    """Hartford's params with absolute source paths into this repository, named as a data root (the case's own
    folder is the project, so the repository's data are outside it: trustreport.source_paths)."""
    text = HARTFORD.read_text(encoding="utf-8").replace("path: data/", f"path: {ROOT}/data/")
    return text + f"data_root: {ROOT}\n"


def sub(old: str, new: str) -> Edit:
    def edit(text: str, _: Path) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(text: str, folder: Path) -> str:
        for one in edits:
            text = one(text, folder)
        return text

    return edit


def append(extra: str) -> Edit:
    return lambda text, _: text + extra


def whole(content: str) -> Edit:
    return lambda _text, _folder: content


def source_path(index: int, value: str) -> Edit:
    """Point source `index` at `value` (as written in the params file)."""
    originals = {
        OPP_SOURCE: "data/opp-hartford/ct_hartford_2020_04_01.csv.gz",
        ACS_SOURCE: "data/opp-hartford/hartford_2015_demo.csv",
        WAPO_SOURCE: "data/wapo-police-shootings/fatal-police-shootings-data.csv.gz",
    }
    return sub(f"path: {ROOT}/{originals[index]}", f"path: {value}")


def source_file(index: int, name: str, content: bytes | Callable[[], bytes]) -> Edit:
    """Write `content` to `name` in the case folder and point source `index` at it."""

    def edit(text: str, folder: Path) -> str:
        (folder / name).write_bytes(content() if callable(content) else content)
        return source_path(index, name)(text, folder)

    return edit


def published(content: bytes | str, options: str = "") -> Edit:
    """Add a published-aggregates source whose file is `content`."""

    def edit(text: str, folder: Path) -> str:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / "published.csv").write_bytes(data)
        source = (
            "  - id: published-hartford\n"
            "    kind: published_aggregates\n"
            "    path: published.csv\n"
            f"{options}"
            "    citation: Test citation\n"
            "    licence: CC0\n"
        )
        return text.replace("events:\n", source + "events:\n", 1)

    return edit


def symlink(name: str, target: str) -> Callable[[Path], None]:
    return lambda folder: os.symlink(target, folder / name)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def opp_with(old: bytes, new: bytes) -> Callable[[], bytes]:
    """The real Hartford stop file with the first `old` in it replaced by `new`."""
    return lambda: gz(gzip.decompress(OPP.read_bytes()).replace(old, new, 1))


def opp_bytes() -> bytes:
    return OPP.read_bytes()


def bad_crc() -> bytes:
    data = bytearray(OPP.read_bytes())
    data[-6] ^= 0xFF  # inside the CRC-32 of the gzip trailer
    return bytes(data)


def billion_laughs() -> str:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def alias_chain(depth: int) -> str:
    lines = ["c0: &c0 [x]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


ACS_HEADER = ACS.read_text(encoding="utf-8-sig").splitlines()[0]
ACS_ROW = ACS.read_text(encoding="utf-8-sig").splitlines()[1]

CASES: list[Bad] = [
    # --- dates that cannot be
    Bad("then-start-feb-30", sub("start: 2014-01-01", "start: 2014-02-30"), ("`then.start`", "2014-02-30")),
    Bad("then-end-apr-31", sub("end: 2014-12-31", "end: 2014-04-31"), ("`then.end`", "2014-04-31")),
    Bad("now-start-feb-30", sub("start: 2016-01-01", "start: 2016-02-30"), ("`now.start`", "2016-02-30")),
    Bad("now-end-sep-31", sub("end: 2016-09-29", "end: 2016-09-31"), ("`now.end`", "2016-09-31")),
    Bad("event-month-13", sub("date: 2013-10-01", "date: 2013-13-01"), ("`events[0].date`", "2013-13-01")),
    Bad("event-month-00", sub("date: 2013-10-01", "date: 2013-00-10"), ("`events[0].date`",)),
    Bad("ytd-feb-31", append("options:\n  ytd_as_of: 2014-02-31\n"), ("`options.ytd_as_of`", "2014-02-31")),
    Bad("ytd-feb-29-not-leap", append("options:\n  ytd_as_of: 2015-02-29\n"), ("`options.ytd_as_of`",)),
    Bad("then-start-words", sub("start: 2014-01-01", "start: yesterday"), ("`then.start`", "yesterday")),
    Bad("event-no-date", sub("date: 2013-10-01", "date: sometime"), ("`events[0].date`",)),
    # --- YAML that would exhaust or mislead the loader
    Bad("list-20000-deep", append("deep: " + "[" * 20_000 + "]" * 20_000 + "\n"), ("nested more than",)),
    Bad("mapping-20000-deep", append("deep: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n"), ("nested",)),
    Bad("block-list-200-deep", append("deep:\n  " + "- " * 200 + "x\n"), ("nested",)),
    Bad("billion-laughs", append(billion_laughs()), ("anchors and aliases expand",)),
    Bad("self-referencing-alias", append("loop: &me [*me]\n"), ("refers to a value that contains it",)),
    Bad("alias-chain-200", append(alias_chain(200)), ("nest more than",)),
    Bad("undefined-alias", append("who: *nobody\n"), ("not valid YAML", "line")),
    Bad("duplicate-jurisdiction", append("jurisdiction: other-ct\n"), ("`jurisdiction`", "repeated at line")),
    Bad("duplicate-name", append("name: Other\n"), ("`name`", "first at line 5")),
    Bad(
        "duplicate-nested-key",
        sub("  start: 2014-01-01\n", "  start: 2014-01-01\n  start: 2015-01-01\n"),
        ("`start`", "repeated"),
    ),
    Bad(
        "duplicate-source-key",
        sub("    kind: opp_stops\n", "    kind: opp_stops\n    kind: census_race\n"),
        ("`kind`", "repeated"),
    ),
    Bad("duplicate-sources-list", append("sources: []\n"), ("`sources`", "repeated")),
    Bad("two-documents", append("---\njurisdiction: other\n"), ("not valid YAML",)),
    Bad("tab-indentation", sub('  label: "2014"', '\tlabel: "2014"'), ("not valid YAML", "line")),
    Bad("unclosed-bracket", append("groups: [black, white\n"), ("not valid YAML", "line")),
    Bad("latin-1-note", lambda t, _: t.encode() + b"more_notes:\n  - caf\xe9\n", (APPENDED_LINE, "not UTF-8")),
    Bad("utf-16-file", lambda t, _: t.encode("utf-16"), ("line 1", "not UTF-8")),
    Bad("nul-byte", append("more_notes:\n  - a\x00b\n"), (APPENDED_LINE, "control character")),
    Bad("ansi-in-unknown-key", append('"\\e[31mred\\e[0m": 1\n'), ("`red`", "unknown key")),
    Bad("ansi-in-state", sub("state: CT", 'state: "\\e[2J\\e[31mCT"'), ("`state`",)),
    Bad("empty-file", whole(""), ("expected a mapping",)),
    Bad("only-a-comment", whole("# nothing here\n"), ("expected a mapping",)),
    Bad("top-level-list", whole("- jurisdiction: hartford-ct\n"), ("expected a mapping",)),
    Bad("top-level-string", whole("hartford\n"), ("expected a mapping",)),
    Bad("huge-params-file", append("notes:\n  - " + "x" * (2 << 20) + "\n"), ("bytes",)),
    # --- keys and values the params model refuses
    Bad("unknown-top-key", append("colour: blue\n"), ("`colour`", "unknown key")),
    Bad("state-long", sub("state: CT", "state: Connecticut and anything"), ("`state`", "USPS")),
    Bad("state-lower-case", sub("state: CT", "state: ct"), ("`state`", "'ct'")),
    Bad("state-not-a-state", sub("state: CT", "state: XX"), ("`state`", "'XX'")),
    Bad("name-empty", sub("name: Hartford, CT", 'name: ""'), ("`name`", "empty")),
    Bad("name-blank", sub("name: Hartford, CT", 'name: "   "'), ("`name`", "empty")),
    Bad(
        "groups-repeated",
        sub("groups: [black, hispanic, white]", "groups: [black, black, white]"),
        ("`groups`", "black"),
    ),
    Bad("groups-unknown", sub("groups: [black, hispanic, white]", "groups: [black, martian, white]"), ("`groups[1]`",)),
    Bad("rate-per-1e41", append("options:\n  rate_per: 1e41\n"), ("`options.rate_per`", "1e41")),
    Bad("rate-per-40-digits", append("options:\n  rate_per: " + "1" + "0" * 40 + "\n"), ("`options.rate_per`",)),
    Bad("rate-per-zero", append("options:\n  rate_per: 0\n"), ("`options.rate_per`",)),
    Bad("rate-per-seven", append("options:\n  rate_per: 7\n"), ("`options.rate_per`", "got 7")),
    Bad("rate-per-negative", append("options:\n  rate_per: -1000\n"), ("`options.rate_per`",)),
    Bad("level-above-one", append("options:\n  level: 1.5\n"), ("`options.level`",)),
    Bad("jurisdiction-not-slug", sub("jurisdiction: hartford-ct", "jurisdiction: ../../etc"), ("`jurisdiction`",)),
    Bad("windows-reversed", sub("end: 2014-12-31", "end: 2013-06-30"), ("`then`", "2013-06-30")),
    Bad("windows-overlap", sub("start: 2016-01-01", "start: 2014-06-01"), ("now.start",)),
    Bad("latitude-200", sub("latitude: 41.7658", "latitude: 200"), ("`location.latitude`",)),
    Bad("timezone-unknown", sub("timezone: America/New_York", "timezone: Mars/Olympus"), ("`location.timezone`",)),
    Bad(
        "reference-not-in-groups",
        sub("reference_group: white", "reference_group: asian/pacific islander"),
        ("reference_group",),
    ),
    # `then` may be left out (a "now only" report); `now` may not.
    Bad("now-missing", sub("now:\n  label:", "later:\n  label:"), ("`now`", "missing")),
    Bad("source-kind-unknown", sub("kind: opp_stops", "kind: crystal_ball"), ("`sources[0].kind`", "crystal_ball")),
    Bad("source-id-not-slug", sub("id: opp-hartford", "id: OPP Hartford"), ("`sources[0].id`",)),
    Bad(
        "source-ids-repeated",
        sub("id: acs-hartford-2015", "id: opp-hartford"),
        ("`sources[].id` must be unique", "opp-hartford"),
    ),
    Bad(
        "source-citation-repeated",
        sub("    licence: ODC-By 1.0\n", "    licence: ODC-By 1.0\n    citation: x\n"),
        ("`citation`", "repeated"),
    ),
    # --- adapter options, checked against each adapter's options model
    Bad("option-vintagee", sub("vintage: 2015", "vintagee: 2015"), ("`sources[1].options.vintagee`", "vintage")),
    Bad(
        "option-agncy",
        sub("      city: Hartford\n", "      agncy: Newark PD\n      city: Hartford\n"),
        ("`sources[2].options.agncy`", "agency_name"),
    ),
    Bad("option-typ", sub("type: vehicular", "typ: vehicular"), ("`sources[0].options.typ`", "department")),
    Bad("option-vintage-words", sub("vintage: 2015", "vintage: last year"), ("`sources[1].options.vintage`",)),
    Bad(
        "option-state-name",
        sub("      state: CT\n", "      state: Connecticut\n"),
        ("`sources[2].options.state`", "NJ"),
    ),
    Bad("options-a-list", sub("      type: vehicular\n", "      - vehicular\n"), ("`sources[0].options`",)),
    Bad(
        "option-companion-missing",
        sub(
            "      state: CT\n    citation: The Wash",
            "      state: CT\n      agencies_file: nowhere.csv.gz\n    citation: The Wash",
        ),
        ("`sources[2].options.agencies_file`", "nowhere.csv.gz"),
    ),
    # --- source files that are not what their kind promises
    Bad("source-missing", source_path(ACS_SOURCE, "data/nowhere/acs.csv"), ("`sources[1].path`", "looked in")),
    Bad("source-directory", source_path(ACS_SOURCE, str(ROOT / "data")), ("`sources[1].path`", "directory")),
    Bad(
        "source-dev-zero",
        source_path(ACS_SOURCE, "/dev/zero"),
        ("`sources[1].path`", "/dev/zero", "outside"),
    ),
    Bad(
        "source-dev-null",
        source_path(ACS_SOURCE, "/dev/null"),
        ("`sources[1].path`", "/dev/null", "outside"),
    ),
    Bad("source-etc-passwd", source_path(ACS_SOURCE, "/etc/passwd"), ("`sources[1].path`", "/etc/passwd")),
    Bad("source-dotdot-passwd", source_path(ACS_SOURCE, "../" * 12 + "etc/passwd"), ("`sources[1].path`", "passwd")),
    Bad("source-etc-passwd-stops", source_path(OPP_SOURCE, "/etc/passwd"), ("`sources[0].path`", "/etc/passwd")),
    Bad("source-empty-csv", source_file(ACS_SOURCE, "acs.csv", b""), ("`sources[1].path`", "empty")),
    Bad("source-empty-gz", source_file(OPP_SOURCE, "stops.csv.gz", b""), ("`sources[0].path`", "empty")),
    Bad("source-gz-of-nothing", source_file(OPP_SOURCE, "stops.csv.gz", gz(b"")), ("`sources[0].path`", "header")),
    Bad("source-blank-lines", source_file(ACS_SOURCE, "acs.csv", b"\n\n\n"), ("`sources[1].path`", "row 1")),
    Bad(
        "source-corrupt-gz",
        source_file(OPP_SOURCE, "stops.csv.gz", b"\x1f\x8b\x08\x00" + os.urandom(64)),
        ("`sources[0].path`", "gzip"),
    ),
    Bad(
        "source-truncated-gz",
        source_file(OPP_SOURCE, "stops.csv.gz", lambda: opp_bytes()[: len(opp_bytes()) // 2]),
        ("`sources[0].path`", "truncated gzip"),
    ),
    Bad("source-gz-bad-crc", source_file(OPP_SOURCE, "stops.csv.gz", bad_crc), ("`sources[0].path`", "gzip")),
    Bad(
        "source-gz-name-plain-text",
        source_file(OPP_SOURCE, "stops.csv.gz", b"a,b\n1,2\n"),
        ("`sources[0].path`", "not gzip"),
    ),
    Bad(
        "source-csv-name-gzip-bytes",
        source_file(ACS_SOURCE, "acs.csv", gz(ACS.read_bytes())),
        ("`sources[1].path`", "not named .gz"),
    ),
    Bad(
        "source-ragged-row",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW},1,2\n".encode()),
        ("`sources[1].path`", "row 2", "fields"),
    ),
    Bad(
        "source-ragged-gz",
        source_file(OPP_SOURCE, "stops.csv.gz", gz(b"a,b,c\n1,2,3\n1,2,3,4,5\n")),
        ("`sources[0].path`", "row 3"),
    ),
    Bad(
        "source-10mb-line",
        source_file(ACS_SOURCE, "acs.csv", lambda: b"a," + b"x" * 10_000_000 + b"\n"),
        ("`sources[1].path`", "row 1", "longer than"),
    ),
    Bad(
        "source-10mb-line-gz",
        source_file(OPP_SOURCE, "stops.csv.gz", lambda: gz(b"a,b\n1," + b"9" * 10_000_000)),
        ("`sources[0].path`", "row 2"),
    ),
    Bad(
        "source-latin-1-row",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW}\ncaf\xe9,1\n".encode("latin-1")),
        ("`sources[1].path`", "row 3", "not UTF-8"),
    ),
    Bad(
        "source-utf-16",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW}\n".encode("utf-16")),
        ("`sources[1].path`", "row 1"),
    ),
    Bad(
        "source-nul-bytes",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW}\n1,\x00,2\n".encode()),
        ("`sources[1].path`", "row 3", "NUL"),
    ),
    Bad(
        "source-png",
        source_file(ACS_SOURCE, "acs.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("`sources[1].path`", "row 1"),
    ),
    Bad(
        "source-unclosed-quote",
        source_file(ACS_SOURCE, "acs.csv", f'{ACS_HEADER}\n"{ACS_ROW}\n'.encode()),
        ("`sources[1].path`", "CSV"),
    ),
    Bad(
        "source-one-column",
        source_file(ACS_SOURCE, "acs.csv", b"just one column\n1\n"),
        ("`sources[1].path`", "row 1", "column names"),
    ),
    Bad(
        "source-symlink-loop",
        lambda t, f: (
            symlink("a.csv", "b.csv")(f),
            symlink("b.csv", "a.csv")(f),
            source_path(ACS_SOURCE, "a.csv")(t, f),
        )[-1],
        ("`sources[1].path`", "a.csv"),
    ),
    Bad(
        "source-dangling-symlink",
        lambda t, f: (symlink("gone.csv", "nowhere.csv")(f), source_path(ACS_SOURCE, "gone.csv")(t, f))[-1],
        ("`sources[1].path`", "gone.csv"),
    ),
    Bad(
        "source-symlink-to-dir",
        lambda t, f: (symlink("dir.csv", str(ROOT / "data"))(f), source_path(ACS_SOURCE, "dir.csv")(t, f))[-1],
        ("`sources[1].path`", "directory"),
    ),
    Bad(
        "source-latin-1-gz",
        source_file(WAPO_SOURCE, "wapo.csv.gz", gz("a,b\ncaf\xe9,1\n".encode("latin-1"))),
        ("`sources[2].path`", "row 2"),
    ),
    # --- files that read as CSV but not as their adapter expects (checked by reading each source)
    Bad(
        "adapter-race-label",
        source_file(OPP_SOURCE, "stops.csv.gz", opp_with(b",hispanic,female,", b",martian,female,")),
        ("`sources[0]`", "stops.csv.gz", "row 2", "column `subject_race`", "martian"),
    ),
    Bad(
        "adapter-missing-column",
        source_file(ACS_SOURCE, "acs.csv", ACS.read_bytes().replace(b",Black,", b",Blak,")),
        ("`sources[1]`", "acs.csv", "Black"),
    ),
    Bad(
        "adapter-two-rows",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW}\n{ACS_ROW}\n".encode()),
        ("`sources[1]`", "exactly one data row"),
    ),
    Bad(
        "adapter-sum-mismatch",
        source_file(ACS_SOURCE, "acs.csv", f"{ACS_HEADER}\n{ACS_ROW.replace('124795', '124796', 1)}\n".encode()),
        ("`sources[1]`", "124,796"),
    ),
    Bad(
        "adapter-option-no-row",
        sub("      city: Hartford\n", "      city: Hartfordd\n"),
        ("`sources[2]`", "Hartfordd", "Hartford"),
    ),
    Bad("adapter-opp-type-no-row", sub("type: vehicular", "type: vehicle"), ("`sources[0]`", "vehicle")),
    # --- published aggregates, typed at validation (header = row 1, the first data row is row 2)
    Bad(
        "published-1e400",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="1e400")),
        ("`sources[3]`", "published.csv", "row 2", "column `value`", "finite"),
    ),
    Bad(
        "published-nan",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="nan")),
        ("row 2", "column `value`", "finite"),
    ),
    Bad("published-inf", published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="-inf")), ("row 2", "`value`")),
    Bad(
        "published-negative",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="-5")),
        ("row 2", "`value`", "non-negative"),
    ),
    Bad(
        "published-words",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="twelve")),
        ("row 2", "`value`", "twelve"),
    ),
    Bad(
        "published-row-3",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="12") + PUBLISHED_ROW.format(value="1e400")),
        ("row 3", "`value`"),
    ),
    Bad(
        "published-feb-30",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="3").replace("2014-01-01", "2014-02-30")),
        ("row 2", "`period_start`"),
    ),
    Bad(
        "published-measure",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="3").replace("lawsuits", "vibes")),
        ("row 2", "`measure`"),
    ),
    Bad(
        "published-share-1.5",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="1.5").replace("total", "share")),
        ("row 2", "`value`"),
    ),
    Bad("published-empty", published(b""), ("`sources[3].path`", "empty")),
    Bad(
        "published-no-value-column",
        published("period_start,period_end,measure,group\n2014-01-01,2014-12-31,stops,all\n"),
        ("`sources[3]`", "value"),
    ),
    Bad(
        "published-latin-1",
        published((PUBLISHED_HEADER + PUBLISHED_ROW.format(value="3").replace("Test", "T\xe9st")).encode("latin-1")),
        ("row 2", "not UTF-8"),
    ),
    Bad(
        "published-option",
        published(PUBLISHED_HEADER + PUBLISHED_ROW.format(value="3"), "    options: {foo: 1}\n"),
        ("`sources[3].options.foo`",),
    ),
]


def build(case: Bad, folder: Path) -> Path:
    """The broken params file for `case`, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "city.yaml"
    text = case.edit(hartford_text(), folder)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = main(argv)
    _, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err[:2000]
    assert err.endswith("\n")
    return code, lines[0]


def check_line(line: str, params: Path, case: Bad) -> None:
    assert line.startswith(f"trustreport: {params}: "), line
    for name in case.names:
        assert name in line, (name, line)
    assert "Traceback" not in line and "internal error" not in line
    assert all(ch.isprintable() for ch in line), repr(line)
    assert len(line) < 600


def test_at_least_eighty_cases() -> None:
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_validate_refuses_with_one_line(case: Bad, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = build(case, tmp_path / "case")
    code, line = one_line(capsys, ["validate", str(params)])
    assert code == 1
    check_line(line, params, case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_run_stops_with_the_same_line_and_writes_nothing(
    case: Bad, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The contract: what `validate` refuses, `run` refuses first, with the same line, before writing anything."""
    params = build(case, tmp_path / "case")
    _, validated = one_line(capsys, ["validate", str(params)])
    out = tmp_path / "out"
    code, line = one_line(capsys, ["run", str(params), "--out", str(out)])
    assert code == 1
    assert line == validated
    assert not out.exists() or not any(out.iterdir())


SUBPROCESS_CASES = ("list-20000-deep", "billion-laughs", "ansi-in-unknown-key", "latin-1-note", "source-dev-zero")


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_real_command_prints_one_line(case_id: str, command: str, tmp_path: Path) -> None:
    """As a user would run it, in its own process, from an unrelated working directory."""
    case = next(c for c in CASES if c.id == case_id)
    params = build(case, tmp_path / "case")
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command == "run" else []
    done = subprocess.run(
        [sys.executable, "-m", "trustreport", command, str(params), *extra],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1
    assert done.stdout == b""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[:2000]
    assert b"Traceback" not in done.stderr and b"\x1b" not in done.stderr
    line = lines[0].decode("utf-8")
    assert line.startswith("trustreport: case/city.yaml: "), line
    assert all(name in line for name in case.names), line
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = Bad("unreadable", source_file(ACS_SOURCE, "acs.csv", ACS.read_bytes()), ("`sources[1].path`", "permission"))
    params = build(case, tmp_path / "case")
    (tmp_path / "case" / "acs.csv").chmod(0)
    code, line = one_line(capsys, ["validate", str(params)])
    assert code == 1
    check_line(line, params, case)


# --- What must pass: odd but valid input is text, not a failure


@pytest.mark.parametrize(
    ("case_id", "edit"),
    [
        ("utf-8-bom", lambda t, _: "\ufeff" + t),
        ("dollar-label", sub("label: CT statewide stop-data collection begins", r"label: '$\undefinedcommand{x}$'")),
        ("html-name", sub("name: Hartford, CT", 'name: "<script>alert(1)</script> **Hartford** $x$"')),
        (
            "anchors-and-aliases",
            chain(
                sub("licence: ODC-By 1.0", "licence: &odc ODC-By 1.0"),
                sub("licence: Public domain (US government work)", "licence: *odc"),
            ),
        ),
        ("relative-paths-next-to-params", lambda t, f: t),
    ],
)
def test_odd_but_valid_params_validate(case_id: str, edit: Edit, tmp_path: Path, capsys) -> None:
    params = build(Bad(case_id, edit, ()), tmp_path / "case")
    if case_id == "relative-paths-next-to-params":
        # a params file beside a copy of `data/`: relative paths resolve against its own folder, whatever the cwd
        # (the link leads out of the project, so the repository is named as a data root: trustreport.source_paths)
        (tmp_path / "case" / "data").symlink_to(ROOT / "data")
        params.write_text(HARTFORD.read_text(encoding="utf-8") + f"data_root: {ROOT}\n", encoding="utf-8")
    assert main(["validate", str(params)]) == 0
    assert capsys.readouterr().err == ""


def test_source_paths_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A params file outside the project with relative `data/…` paths is refused from the project root too, naming
    the folders looked in (it used to resolve against the working directory, which the notebook kernel changes)."""
    params = tmp_path / "city.yaml"
    params.write_text(HARTFORD.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(ROOT)
    code, line = one_line(capsys, ["validate", str(params)])
    assert code == 1
    assert "`sources[0].path`: file not found: data/opp-hartford/ct_hartford_2020_04_01.csv.gz" in line
    assert "looked in" in line and str(tmp_path) in line and str(ROOT) not in line


@pytest.mark.e2e
def test_hostile_text_is_drawn_and_shown_as_text(tmp_path: Path) -> None:
    """Valid params with a mathtext event label and HTML/Markdown in the name: `run` succeeds (matplotlib must not
    parse the label as maths) and the page shows the name as text."""
    text = hartford_text()
    text = text.replace(
        "label: CT statewide stop-data collection begins", r"label: '$\undefinedcommand{x}$ costs $5 or $6'"
    )
    text = text.replace("name: Hartford, CT", 'name: "<b>Hartford</b> **CT** $x$"')
    params = tmp_path / "city.yaml"
    params.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "trustreport", "run", str(params), "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    page = (out / "hartford-ct" / "report.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Hartford&lt;/b&gt; **CT** $x$" in page
    assert "<b>Hartford</b>" not in page


def test_every_source_kind_registers_its_options_model() -> None:
    """Options are checked at load only for kinds that register their model: every kind must."""
    from trustreport.sources import ADAPTERS, OPTIONS
    from trustreport.sources.base import StrictOptions
    from trustreport.sources.checks import options_model

    assert set(OPTIONS) == set(ADAPTERS)
    for kind in ADAPTERS:
        model = options_model(kind)
        assert model is not None and issubclass(model, StrictOptions), kind


def test_charts_draw_a_dollar_label_as_text() -> None:
    """An event label in `$…$` is text inside the report's theme; outside it matplotlib would parse it as maths
    and fail on the unknown command (what stopped the report in issue 11)."""
    from io import BytesIO

    from matplotlib.figure import Figure

    from trustreport.figures._theme import theme

    label = r"$\undefinedcommand{x}$ costs $5 or $6"
    with theme():
        fig = Figure()
        fig.subplots().annotate(label, (0.5, 0.5))
    fig.savefig(BytesIO(), format="png")

    outside = Figure()
    outside.subplots().annotate(label, (0.5, 0.5))
    with pytest.raises(ValueError):
        outside.savefig(BytesIO(), format="png")


PARAMS_PATHS: dict[str, Callable[[Path], Path]] = {
    "missing": lambda d: d / "nowhere.yaml",
    "dev-zero": lambda d: Path("/dev/zero"),
    "symlink-loop": lambda d: (
        (os.symlink(d / "b.yaml", d / "a.yaml"), os.symlink(d / "a.yaml", d / "b.yaml")) and d / "a.yaml"
    ),
}


@pytest.mark.parametrize("kind", sorted(PARAMS_PATHS))
def test_a_params_path_that_is_no_file(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = PARAMS_PATHS[kind](tmp_path)
    code, validated = one_line(capsys, ["validate", str(params)])
    assert code == 1
    assert validated.startswith(f"trustreport: {params}: params file ")
    out = tmp_path / "out"
    code, line = one_line(capsys, ["run", str(params), "--out", str(out)])
    assert (code, line) == (1, validated)
    assert not out.exists()
