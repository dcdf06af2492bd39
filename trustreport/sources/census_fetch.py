"""Fetch a place's B03002 (ACS 5-year) or P2 (decennial) table from the Census API into `data/census/`.

The response is written unchanged, wrapped with the query URL and the UTC date it was retrieved, so the file says
where its numbers came from and the `census_b03002` adapter reads it as is. This is the only code in the project
that uses the network, and only when a user runs `trustreport census`; reports and tests never call it.
"""

from __future__ import annotations

import difflib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from trustreport.errors import TrustReportError

API = "https://api.census.gov/data"
Dataset = Literal["acs5", "dec"]
_TIMEOUT_S = 30
_P2_2010 = ",".join(f"P002{n:03d}" for n in range(1, 12))


class CensusFetchError(TrustReportError):
    """The Census API could not be reached or did not answer as expected."""


@dataclass(frozen=True)
class Place:
    """A Census place: two-digit state FIPS, five-digit place FIPS, and its name when known."""

    state: str
    place: str
    name: str | None = None


def dataset_path(dataset: Dataset, vintage: int) -> str:
    """The API path of the dataset holding B03002 (ACS 5-year) or P2 (decennial redistricting file)."""
    if dataset == "acs5":
        return f"{vintage}/acs/acs5"
    if vintage not in (2010, 2020):
        raise CensusFetchError(None, f"decennial P2 exists for 2010 and 2020, not {vintage}; use --dataset acs5")
    return f"{vintage}/dec/pl"


def table_query(dataset: Dataset, vintage: int, place: Place, *, base: str = API) -> str:
    """The URL that returns the place's resident table: B03002 estimates and margins, or P2 counts."""
    variables = (
        "NAME,group(B03002)" if dataset == "acs5" else ("NAME,group(P2)" if vintage == 2020 else f"NAME,{_P2_2010}")
    )
    query = urllib.parse.urlencode({"get": variables, "for": f"place:{place.place}", "in": f"state:{place.state}"})
    return f"{base}/{dataset_path(dataset, vintage)}?{query}"


def parse_place(text: str) -> Place | None:
    """A place given as its seven-digit FIPS code (state + place, e.g. "3451000"); None for a name."""
    digits = re.sub(r"[^0-9]", "", text) if re.fullmatch(r"[0-9 -]+", text.strip()) else ""
    return Place(digits[:2], digits[2:]) if len(digits) == 7 else None


def resolve_place(text: str, dataset: Dataset, vintage: int, *, base: str = API) -> Place:
    """The place for a FIPS code, or for an exact Census name such as "Newark city, New Jersey" (one API query)."""
    if (place := parse_place(text)) is not None:
        return place
    query = urllib.parse.urlencode({"get": "NAME", "for": "place:*", "in": "state:*"})
    rows = _get(f"{base}/{dataset_path(dataset, vintage)}?{query}")
    header = rows[0]
    hits = [r for r in rows[1:] if r[header.index("NAME")] == text.strip()]
    if len(hits) != 1:
        near = difflib.get_close_matches(text.strip(), [r[header.index("NAME")] for r in rows[1:]], n=3)
        hint = f"; nearest: {', '.join(repr(n) for n in near)}" if near else ""
        raise CensusFetchError(None, f"no Census place named {text!r} in the {vintage} {dataset} data{hint}")
    row = hits[0]
    return Place(row[header.index("state")], row[header.index("place")], row[header.index("NAME")])


def fetch_table(place_text: str, vintage: int, dataset: Dataset, out_dir: Path, *, base: str = API) -> tuple[Path, str]:
    """Query the API for the place's table and write `{query, retrieved, response}` JSON; returns (path, URL)."""
    place = resolve_place(place_text, dataset, vintage, base=base)
    url = table_query(dataset, vintage, place, base=base)
    rows = _get(url)
    name = rows[1][rows[0].index("NAME")] if "NAME" in rows[0] and len(rows) > 1 else f"{place.state}{place.place}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{slug}-{dataset}-{vintage}.json"
    record = {"query": url, "retrieved": datetime.now(UTC).date().isoformat(), "response": rows}
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path, url


def _get(url: str) -> list[list[str]]:
    """GET a Census API URL and return its list of rows; any failure is one `CensusFetchError` line."""
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
            body = response.read().decode("utf-8")
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise CensusFetchError(
            None,
            f"cannot reach the Census API ({reason}); without a network, download the table from data.census.gov "
            "and point a census_b03002 source at the file",
        ) from None
    try:
        rows = json.loads(body)
    except json.JSONDecodeError:
        raise CensusFetchError(None, f"the Census API did not return JSON for {url}: {body[:120]!r}") from None
    if not isinstance(rows, list) or len(rows) < 2:
        raise CensusFetchError(None, f"the Census API returned no rows for {url}")
    return rows
