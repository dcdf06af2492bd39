"""Scans of every demo city's reader-visible text for raw numbers (issue 9): no 'nan' or 'inf', no scientific
notation, no negative zero, no float with more than four decimals, no fractional count of events.

Each city is built (`trustreport.build`, no rendering) and every table and sentence the notebook template shows
(`tr.tables.…(report)` and `tr.narrative.…(report)` calls in `notebooks/trust_report.ipynb`) is turned into text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

import trustreport as tr
from trustreport.batch import find_params

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "trust_report.ipynb"
CITY_PARAMS = find_params(ROOT / "params")

pytestmark = pytest.mark.e2e

# What must never reach a reader, each with why.
RAW_NUMBERS = {
    "nan": re.compile(r"\bnan\b", re.IGNORECASE),
    "inf": re.compile(r"\b(?:inf|infinity)\b|∞", re.IGNORECASE),
    "scientific notation": re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?!\w)"),
    "negative zero": re.compile(r"(?<!\w)[−-]0(?:\.0+)?(?![\d.]*[1-9])(?!\.\d*[1-9])\b"),
    "more than four decimals": re.compile(r"(?<![\w.])\d+\.\d{5,}"),
    "an unformatted number": re.compile(r"(?<![\w.,])\d{5,}(?:\.\d+)?(?!\w)|\d\.\d*000\b"),
    "an empty bracket": re.compile(r"\(\s*\)|\bCI\s+[),;]|\bCI[),]"),
    "a fractional count": re.compile(
        r"(?<![\w.])\d[\d,]*\.\d+ (?:stops|arrests|searches|cases|deaths|people|killings|victims|homicides"
        r"|incidents|lawsuits|payments|officers)\b(?! a year)"
    ),
}


def template_calls() -> list[tuple[str, str]]:
    """The `tr.tables.X(report)` and `tr.narrative.X(report)` calls of the notebook template, in order."""
    cells = json.loads(TEMPLATE.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.findall(r"tr\.(tables|narrative)\.(\w+)\(report\)", code)


def reader_text(fragment: str) -> str:
    """The words a reader sees in an HTML fragment: tags, links and file digests removed, entities decoded."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = re.sub(r"https?://\S+", " ", text)
    # File digests (the sources table, the title block) are hex, not numbers: '966780776e06' is not 9.7e+14.
    text = re.sub(r"\b[0-9a-f]{12,64}\b", " ", text)
    # Census geography codes in a source's citation are identifiers, not quantities.
    text = re.sub(r"(\b(?:GEOID|FIPS|PLACE\s*=|county subdivision)\s*)\d{5,}", r"\1code", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text)


def raw_numbers(text: str) -> list[str]:
    """Each raw number in `text`, as '<why>: …context…'."""
    found = []
    for why, pattern in RAW_NUMBERS.items():
        for m in pattern.finditer(text):
            found.append(f"{why}: …{text[max(0, m.start() - 60) : m.end() + 30]}…")
    return found


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("p 9.21e-06", "scientific notation"),
        ("changed by −0.0 points", "negative zero"),
        ("a change of -0.0%", "negative zero"),
        ("1400000.000 under settlement_usd", "an unformatted number"),
        ("48.000 lawsuits", "an unformatted number"),
        ("0.0046 (0.000557–0.0166)", "more than four decimals"),
        ("1,773.5 stops in 2014", "a fractional count"),
        ("43 () [u]", "an empty bracket"),
        ("9 deaths (95% CI )", "an empty bracket"),
        ("a ratio of nan", "nan"),
        ("ratio inf", "inf"),
    ],
)
def test_the_scan_finds_each_raw_number(text: str, why: str) -> None:
    """The scan catches the raw numbers issue 9 found in the demo reports (so a clean scan means something)."""
    assert any(f.startswith(why) for f in raw_numbers(text)), raw_numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "p < 0.001; 0.0046 per 100,000; −0.1 points; 1,773.5 stops a year; 2014-01-01 to 2014-12-31",
        "recomputed (95% CI; method); ratio 0.91 (95% CI 0.58–1.41, p 0.67)",
        "sha256 eb80a333e97b, 3c7e71ae9b42 and 966780776e06; infra-marginality; 10.5% (−3.2% to +20.1%); −0.05",
    ],
)
def test_the_scan_passes_clean_text(text: str) -> None:
    assert raw_numbers(reader_text(text)) == []


@pytest.mark.parametrize("params", CITY_PARAMS, ids=lambda p: p.stem)
def test_no_raw_number_reaches_a_reader(params: Path) -> None:
    """Every table and sentence of the city's report, as the template calls them, is free of raw numbers."""
    report = tr.build(params)
    found = []
    for module, name in template_calls():
        shown = getattr(getattr(tr, module), name)(report)
        found += [f"{module}.{name}: {f}" for f in raw_numbers(reader_text(shown.data))]
    assert not found, f"{params.name}: {len(found)} raw numbers:\n" + "\n".join(found[:20])


def test_police_killings_have_one_rate_unit_in_every_table() -> None:
    """Newark shows people killed by police in the enforcement tables and in their own section: per 100,000
    residents in both (issue 9 found per 1,000 in one table and per 100,000 in the other)."""
    report = tr.build(ROOT / "params" / "newark.yaml")
    enforcement = reader_text(tr.tables.disparities(report).data)
    killings_block = enforcement.split("People killed by police per resident", 1)[1]
    assert "per 100,000 residents a year" in killings_block and "per 1,000" not in killings_block
    own_section = reader_text(tr.tables.police_killings(report).data)
    assert "per 100,000 residents a year" in own_section and "per 1,000" not in own_section
