"""`trustreport new-city "Springfield, MA"`: a commented params file for a new city, with the sources the bundled
data hold for it and TODOs for the rest.

What is looked for under `data/` (each match becomes a source entry, each miss a TODO comment):

- OPP stop files: `data/opp-<city>/<st>_<city>_*.csv.gz` (`opp_stops`).
- Settlements: `data/fivethirtyeight-police-settlements/<city>_<st>/*.csv.gz` (`fivethirtyeight_settlements`,
  `case_key` set to `docket_number` or `claim_number` when the file has the column).
- Washington Post homicides (`wapo_homicides`) and Fatal Force shootings (`wapo_police_shootings`): rows whose
  `city` and two-letter `state` are the city's.
- New Jersey Attorney General files, for an NJ city: use of force (`nj_use_of_force`) and officer diversity
  (`nj_officer_diversity`) when their agency column holds "<City> PD".
- Residents: `data/census/places.csv` rows for "<City> city, <State>" (`census_places`, the latest vintage), else
  the ACS 2015 city table (`census_race`, a last resort: overlapping race/Hispanic categories).

When nothing is found, the file lists the bundled national trust poll as context (shown beside the city's figures,
never as the city's), so that it validates; the TODOs say what to add. The windows are placeholders to replace.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trustreport.errors import ParamsError

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip

WAPO = "CC BY-NC-SA 4.0 (The Washington Post)"
NJ_AG = "CC0 1.0"


@dataclass(frozen=True)
class Place:
    """A city as the user names it: 'Springfield, MA' → city 'Springfield', state 'MA'."""

    city: str
    state: str

    @property
    def state_name(self) -> str:
        return STATES[self.state]

    @property
    def slug(self) -> str:
        """'springfield-ma': the params file's name and the report's jurisdiction id."""
        return re.sub(r"[^a-z0-9]+", "-", f"{self.city} {self.state}".lower()).strip("-")

    @property
    def folder(self) -> str:
        """'springfield': how the bundled folders spell the city (lower case, underscores)."""
        return re.sub(r"[^a-z0-9]+", "_", self.city.lower()).strip("_")


@dataclass(frozen=True)
class Found:
    """One source entry for the params file, with a comment on what was found."""

    id: str
    kind: str
    path: str
    options: dict[str, str] = field(default_factory=dict)
    citation: str = ""
    licence: str = ""
    url: str | None = None
    comment: str = ""


def parse_place(text: str) -> Place:
    """'Springfield, MA' → Place('Springfield', 'MA'); a ParamsError for anything else."""
    match = re.fullmatch(r"\s*([^,]+?)\s*,\s*([A-Za-z]{2})\s*", text)
    if not match or match.group(2).upper() not in STATES:
        expected = 'expected a city and a two-letter state code, e.g. "Springfield, MA"'
        raise ParamsError(None, "place", f"{text!r}: {expected}")
    return Place(match.group(1), match.group(2).upper())


def find_sources(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    """The bundled sources for `place` under `data`, and a TODO line for each kind of data not found."""
    found: list[Found] = []
    todo: list[str] = []
    for finder in (_opp, _settlements, _homicides, _shootings, _nj, _residents):
        hits, missing = finder(place, data)
        found += hits
        todo += missing
    return found, todo


def new_city(text: str, *, root: Path, out: Path | None = None) -> tuple[str, str]:
    """The params file for the city named `text` (e.g. 'Springfield, MA'), with the sources found under
    `root/data`: (slug, YAML text). Source paths are written as `data/…`, which resolve from the project when the
    file goes into `root/params` (the default `out`). Written anywhere else, the file is outside the project that
    holds the bundled data, so it also names `root` as its `data_root` (relative to its own folder when a relative
    path exists, else absolute; params/README.md, "Where source files may live"), so that it validates with
    `trustreport validate` wherever it is written."""
    place = parse_place(text)
    data = root / "data"
    found, todo = find_sources(place, data)
    if not found:
        found = [_context_poll(data)]
        todo.insert(0, "no bundled source holds this city: add its own files (see params/README.md)")
    return place.slug, _yaml(place, found, todo, _data_root(root, root / "params" if out is None else out))


def _data_root(root: Path, out: Path) -> str | None:
    """The `data_root` a params file in `out` needs to read `data/…` from `root`: None when `data/…` already
    resolves to `root/data` from the file's folder or its project (the folder above), else the path from `out` to
    `root` (absolute when there is no relative one, e.g. another drive)."""
    folder, project = out.resolve(), root.resolve()
    if project in (folder, folder.parent):
        return None
    try:
        return Path(os.path.relpath(project, folder)).as_posix()
    except ValueError:
        return str(project)


def _yaml(place: Place, found: list[Found], todo: list[str], data_root: str | None = None) -> str:
    lines = [
        f"# {place.city}, {place.state}: written by `trustreport new-city`. Read every TODO, then run",
        f"# `trustreport validate params/{place.slug}.yaml` and `trustreport run params/{place.slug}.yaml`.",
        f"jurisdiction: {place.slug}",
        f"name: {_quote(f'{place.city}, {place.state}')}",
        f"state: {place.state}",
        *(
            [
                "# This file is outside the project holding the bundled data, so `data/…` paths below are also",
                "# looked for under this folder (a relative one is taken from this file's folder; move the file and",
                "# update it, or drop it and pass `--data-root`).",
                f"data_root: {_quote(data_root)}",
            ]
            if data_root
            else []
        ),
        "# TODO windows: choose a 'then' and a 'now' that the sources below cover, and say here why (a policy",
        "# change, a consent decree, the data's first and last full years). Delete `then` for a 'now only'",
        "# report (one period of data: no change tests).",
        "then:",
        '  label: "2015–2016"',
        "  start: 2015-01-01",
        "  end: 2016-12-31",
        "now:",
        '  label: "2018–2019"',
        "  start: 2018-01-01",
        "  end: 2019-12-31",
        "reference_group: white",
        "groups: [black, hispanic, white]",
        "sources:",
    ]
    for f in found:
        lines += [f"  # {c}" for c in f.comment.splitlines() if c]
        lines += [f"  - id: {f.id}", f"    kind: {f.kind}", f"    path: {f.path}"]
        if f.options:
            lines.append("    options:")
            lines += [f"      {k}: {_quote(v)}" for k, v in f.options.items()]
        lines += [f"    citation: {_quote(f.citation)}", f"    licence: {_quote(f.licence)}"]
        if f.url:
            lines.append(f"    url: {f.url}")
    lines += ["# TODO sources not found in the bundled data:"]
    lines += [f"#   - {t}" for t in todo]
    lines += [
        "# TODO location (for the veil-of-darkness test on vehicle stops): {latitude, longitude, timezone}.",
        "notes: []",
        "",
    ]
    return "\n".join(lines)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (escapes backslashes and quotes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rel(path: Path, data: Path) -> str:
    return f"data/{path.relative_to(data).as_posix()}"


def _opp(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    folder = data / f"opp-{place.folder.replace('_', '-')}"
    files = sorted(folder.glob(f"{place.state.lower()}_{place.folder}_*.csv*")) if folder.is_dir() else []
    hits = [
        Found(
            f"opp-{place.slug}",
            "opp_stops",
            _rel(f, data),
            citation=f"Stanford Open Policing Project, {place.city} {place.state} standardised stop data",
            licence="ODC-By 1.0",
            url="https://openpolicing.stanford.edu/data/",
            comment="Stops (OPP standardised file). TODO: set option `type` (vehicular or pedestrian) if mixed.",
        )
        for f in files[:1]
    ]
    missing = [] if hits else ["stops: an OPP standardised file (kind opp_stops) or an openpolicedata table"]
    return hits, missing


def _settlements(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    folder = data / "fivethirtyeight-police-settlements" / f"{place.folder}_{place.state.lower()}"
    hits = []
    for f in sorted(folder.glob("*.csv.gz")) if folder.is_dir() else []:
        header = _header(f, ",")
        key = next((k for k in ("docket_number", "claim_number") if k in header), None)
        dated = _settlement_dates(f)
        options = {"case_key": key} if key else {}
        if dated != "closed_date":  # the adapter's default; some cities record only the calendar year
            options["date_column"] = dated
        hits.append(
            Found(
                f"settlements-{place.slug}" + ("" if not hits else f"-{len(hits) + 1}"),
                "fivethirtyeight_settlements",
                _rel(f, data),
                options=options,
                citation=f"FiveThirtyEight and The Marshall Project, police-misconduct settlements, {place.city} "
                "(fivethirtyeight/police-settlements)",
                licence="CC BY 4.0 (assumed: the repository has no licence file)",
                url="https://github.com/fivethirtyeight/police-settlements",
                comment="Lawsuits and settlements. TODO: read the city's README beside the file for its quirks.",
            )
        )
    return hits, [] if hits else ["lawsuits and settlements (kind fivethirtyeight_settlements)"]


def _settlement_dates(path: Path) -> str:
    """The date column most paid rows carry (closed_date, incident_date or calendar_year; ties to the first)."""
    paid = [r for r in _rows(path, ",") if _positive(r.get("amount_awarded", ""))]
    columns = ("closed_date", "incident_date", "calendar_year")
    return max(columns, key=lambda c: (sum(bool(r.get(c, "").strip()) for r in paid), -columns.index(c)))


def _positive(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def _homicides(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    path = data / "wapo-homicides" / "homicide-data.csv.gz"
    n = _count_rows(path, ",", {"city": place.city, "state": place.state})
    if not n:
        return [], ["homicide victims and clearances (kind wapo_homicides covers 50 large cities only)"]
    return [
        Found(
            f"wapo-homicides-{place.slug}",
            "wapo_homicides",
            _rel(path, data),
            options={"city": place.city, "state": place.state},
            citation='The Washington Post, "Where killings go unsolved" homicide database (2018-06-06)',
            licence=WAPO,
            url="https://github.com/washingtonpost/data-homicides",
            comment=f"Homicides: {n:,} victims in the file for this city.",
        )
    ], []


def _shootings(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    path = data / "wapo-police-shootings" / "fatal-police-shootings-data.csv.gz"
    n = _count_rows(path, ",", {"city": place.city, "state": place.state})
    if not n:
        state = _count_rows(path, ",", {"state": place.state})
        return [], [
            f"people killed by police: the Post's Fatal Force file has no row for {place.city} "
            f"({state:,} in {place.state}); check the city's spelling in its `city` column"
        ]
    return [
        Found(
            f"wapo-shootings-{place.slug}",
            "wapo_police_shootings",
            _rel(path, data),
            options={"city": place.city, "state": place.state},
            citation="The Washington Post, Fatal Force database of fatal police shootings (v2)",
            licence=WAPO,
            url="https://github.com/washingtonpost/data-police-shootings",
            comment=f"People shot and killed by police: {n:,} in the file for this city.",
        )
    ], []


def _nj(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    if place.state != "NJ":
        return [], []
    agency = f"{place.city} PD"
    hits: list[Found] = []
    force = data / "nj-use-of-force" / "incident.csv.gz"
    if _count_rows(force, ",", {"agency_name": agency}):
        hits.append(
            Found(
                f"nj-force-{place.slug}",
                "nj_use_of_force",
                _rel(force, data),
                options={"agency": agency},
                citation="New Jersey Office of the Attorney General, Use of Force reporting portal",
                licence=NJ_AG,
                url="https://www.njoag.gov/force/",
                comment="Use of force (NJ Attorney General portal).",
            )
        )
    officers = data / "nj-officer-diversity-2021" / "2021_NJOAGLEOD_Officer_Information.csv.gz"
    if _count_rows(officers, ",", {"Agency": agency}):
        hits.append(
            Found(
                f"nj-officers-{place.slug}",
                "nj_officer_diversity",
                _rel(officers, data),
                options={"agency": agency},
                citation="New Jersey Office of the Attorney General, Law Enforcement Officer Diversity data, 2021",
                licence=NJ_AG,
                comment="Officers by race (NJ Attorney General, 2021).",
            )
        )
    return hits, [] if hits else [f"NJ Attorney General files: no agency named {agency!r}"]


def _residents(place: Place, data: Path) -> tuple[list[Found], list[str]]:
    places = data / "census" / "places.csv"
    name = f"{place.city} city, {place.state_name}"
    vintages = [r["vintage"] for r in _rows(places, ",") if r.get("place") == name]
    if vintages:
        latest = max(vintages)
        return [
            Found(
                f"census-{place.slug}-{latest}",
                "census_places",
                _rel(places, data),
                options={"place": name, "vintage": latest},
                citation=f"US Census Bureau figures for {name}, {latest}, as cited in data/census/places.csv",
                licence="Public domain (US government work)",
                comment="Residents (Hispanic of any race counted once, as the police data count them).",
            )
        ], []
    acs = data / "us-cities-demographics" / "us-cities-demographics.csv.gz"
    todo = [
        f'residents by race, Hispanic separate: `trustreport census --place "{name}" --vintage <year>` '
        "(kind census_b03002)"
    ]
    if _count_rows(acs, ";", {"City": place.city, "State": place.state_name}):
        return [
            Found(
                f"acs-{place.slug}-2015",
                "census_race",
                _rel(acs, data),
                options={"city": place.city, "state": place.state_name},
                citation='US Census Bureau, American Community Survey 2015 (OpenDataSoft "US City Demographic Data")',
                licence="Public domain (US government work)",
                comment="Residents: a last resort (race and Hispanic overlap); replace with census_b03002.",
            )
        ], todo
    return [], todo


def _context_poll(data: Path) -> Found:
    return Found(
        "cbs-yougov-2020",
        "survey_results",
        _rel(data / "surveys" / "cbs-yougov-2020-police-treatment.csv", data),
        citation="CBS News/YouGov poll, May 29–June 1 2020 (CBS News; Newsweek, 2020-06-02)",
        licence="Quoted facts with attribution",
        comment="A national poll, shown as context only (never as this city's trust). TODO: replace or add the\n"
        "city's own sources.",
    )


def _rows(path: Path, sep: str) -> Iterator[dict[str, str]]:
    if not path.is_file():
        return iter(())
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter=sep)


def _header(path: Path, sep: str) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh, delimiter=sep), [])


def _count_rows(path: Path, sep: str, match: dict[str, str]) -> int:
    return sum(all(r.get(k) == v for k, v in match.items()) for r in _rows(path, sep))
