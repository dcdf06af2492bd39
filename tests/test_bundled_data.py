"""The repository republishes no person's name: every bundled data file's header is scanned for columns that hold
names of people (victims, plaintiffs, defendants, officers, attorneys) or case captions."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted(
    p for folder in (ROOT / "data", ROOT / "tests" / "data") for p in folder.rglob("*") if p.suffix in (".csv", ".gz")
)

# A column names people when one of its words is one of these, or when it is a person's role alone ("police_officer");
# institutions' names are allowed.
NAME_WORDS = re.compile(
    r"(^|[ _])(name|first|last|plaintiff|defendant|attorney|lawfirm|matter|caption)s?($|[ _])", re.IGNORECASE
)
ROLES = re.compile(r"^(police[ _])?(officer|victim|subject|complainant)$", re.I)
INSTITUTION_NAMES = {"agency_name", "agency name", "department_name", "town_name", "police_department"}
# A fixture of invented names ("Zebulon Quixote") that proves the NJ adapter never reads officer names.
INVENTED_NAMES = ROOT / "tests" / "data" / "sources" / "nj_names"


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="latin-1") as fh:
        line = fh.readline()
    sep = ";" if line.count(";") > line.count(",") else ","
    return [c.strip().strip('"').lstrip("\ufeff") for c in line.rstrip("\n").split(sep)]


def test_the_scan_finds_the_bundled_files():
    assert len(BUNDLED) > 40


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_bundled_file_has_a_person_name_column(path: Path):
    if path.name.endswith((".sha256.txt.gz",)):
        return  # digests, not names (tests/data/SOURCE.md)
    header = _header(path)
    if path.name == "fatal-police-shootings-agencies.csv.gz":
        header = [c for c in header if c != "name"]  # the agency's name
    if any(c.startswith(("B03002_", "P2_", "GEO_ID")) for c in header):
        header = [c for c in header if c != "NAME"]  # a Census table's geographic area name
    if path.parent.name == "nj-force-report-2012-2016":
        header = [c for c in header if c != "name"]  # the police department's name
    if path.parent == INVENTED_NAMES:
        return
    suspicious = [c for c in header if (NAME_WORDS.search(c) or ROLES.match(c)) and c.lower() not in INSTITUTION_NAMES]
    assert not suspicious, f"{path.relative_to(ROOT)}: columns that may name people: {suspicious}"
