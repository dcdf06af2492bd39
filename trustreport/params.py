"""The typed parameters of one city's report, loaded from `params/<city>.yaml` and validated.

Unknown keys, wrong types, reversed or overlapping windows and missing source files are refused with a
`ParamsError` that names the file and the key (docs/style.md habit 7). Source paths follow the path policy of
`trustreport.source_paths`: inside the project (the folder holding `params/`) or under a named data root, never
the working directory, so `validate` and `run` find the same files from anywhere. Each source file is checked to
read as the CSV its kind expects (`sources.checks`); `trustreport.validation.validate` then reads it through its
adapter, and is what `trustreport validate` and `run` call before anything else.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from trustreport.claim_schema import Claim
from trustreport.errors import ParamsError, SourceError
from trustreport.params_yaml import read_yaml
from trustreport.source_paths import allowed_roots, folders_tried, resolve_source
from trustreport.vocab import Group, Measure, Period

# A jurisdiction or source id: lowercase words joined by single hyphens; also names the report folder (render).
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# USPS codes of the states, DC and the territories.
_USPS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
)
USPS_CODES = frozenset(_USPS.split())
RATE_BASES = (100, 1_000, 10_000, 100_000, 1_000_000)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    """A labelled, inclusive date window ("then" or "now")."""

    label: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def dates(self) -> tuple[date, date]:
        return (self.start, self.end)

    @property
    def years(self) -> float:
        """Length in years (365.25 days), the exposure used for per-year rates."""
        return ((self.end - self.start).days + 1) / 365.25


class SourceSpec(_Strict):
    """One data source: which adapter reads it, where it is, and whose it is."""

    id: str
    kind: str
    path: str
    options: dict[str, Any] = Field(default_factory=dict)
    citation: str
    licence: str
    url: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"{v!r} is not a lower-case slug such as 'opp-hartford'")
        return v


class Event(_Strict):
    """A dated event drawn on time charts (consent decree, training, programme start)."""

    date: date
    label: str


class DeclaredBreak(_Strict):
    """A known change in how a measure is recorded, in force from `date` on; then/now comparisons across it are
    not comparable (trustreport.breaks)."""

    measure: Measure
    date: date
    reason: str = Field(min_length=1)


class Location(_Strict):
    """Where the city is, for sun times (veil of darkness): a central point and its IANA time zone."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone such as 'America/New_York'") from None
        return v


class ReportOptions(_Strict):
    """Statistical options with the field's usual defaults."""

    level: float = Field(0.95, gt=0.5, lt=1.0)
    rate_per: int = 1000
    # The day year-to-date comparisons run to; by default the latest day the data cover.
    ytd_as_of: date | None = None
    # The PDF's paper size; Letter suits US readers, A4 the rest (export.print_css).
    page_size: Literal["letter", "a4"] = "letter"

    @field_validator("rate_per")
    @classmethod
    def _power_of_ten(cls, v: int) -> int:
        if v not in RATE_BASES:
            raise ValueError(f"expected one of {', '.join(f'{b:,}' for b in RATE_BASES)}, got {v:.6g}")
        return v


class Params(_Strict):
    """Everything one report needs to know about its city."""

    jurisdiction: str
    name: str
    state: str
    # Without `then` the report is "now only": one window, no change tests (a city with one period of data).
    then: Window | None = None
    now: Window
    location: Location | None = None
    reference_group: Group = Group.WHITE
    groups: list[Group] = Field(default_factory=lambda: [Group.BLACK, Group.HISPANIC, Group.WHITE])
    sources: list[SourceSpec] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    breaks: list[DeclaredBreak] = Field(default_factory=list)
    options: ReportOptions = Field(default_factory=ReportOptions)
    # A folder outside the project that sources may also be read from (trustreport.source_paths).
    data_root: str | None = None

    @field_validator("jurisdiction")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"{v!r} is not a lower-case slug such as 'newark-nj'")
        return v

    @field_validator("name")
    @classmethod
    def _named(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the city's display name must not be empty")
        return v

    @field_validator("state")
    @classmethod
    def _usps(cls, v: str) -> str:
        if v not in USPS_CODES:
            raise ValueError(f"expected a two-letter USPS code such as 'CT', got {v!r:.40}")
        return v

    @field_validator("groups")
    @classmethod
    def _unique_groups(cls, v: list[Group]) -> list[Group]:
        repeated = sorted({str(g) for g in v if v.count(g) > 1})
        if repeated:
            raise ValueError(f"each group once; repeated: {', '.join(repeated)}")
        return v

    @property
    def one_window(self) -> bool:
        """True for a "now only" report: the params give no `then` window, so nothing is compared over time."""
        return self.then is None

    @property
    def windows(self) -> tuple[tuple[Period, Window], ...]:
        """The report's windows in order: (then, now), or (now,) alone for a "now only" report."""
        if self.then is None:
            return ((Period.NOW, self.now),)
        return ((Period.THEN, self.then), (Period.NOW, self.now))

    def as_compared(self) -> Params:
        """For the computations of a "now only" report: these params with `then` set to the `now` window, so that
        every section runs unchanged; `report.build` then keeps only the `now` estimates (no then, no change)."""
        return self if self.then is not None else self.model_copy(update={"then": self.now})

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        if self.then is not None and self.now.start <= self.then.end:
            raise ValueError(f"`now.start` ({self.now.start}) must come after `then.end` ({self.then.end})")
        if self.reference_group in self.groups:
            pass
        else:
            raise ValueError(f"`reference_group` ({self.reference_group}) must be one of `groups`")
        ids = [s.id for s in self.sources]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"`sources[].id` must be unique; repeated: {', '.join(dupes)}")
        return self


class LoadedParams(BaseModel):
    """Validated params plus where they came from (the file, its hash, resolved source paths)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    params: Params
    path: Path
    sha256: str
    source_paths: dict[str, Path]

    def __getattr__(self, name: str) -> Any:
        # Let `loaded.then`, `loaded.sources` … read through to the params themselves.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.__dict__["params"], name)


def load_params(path: str | Path, *, check_files: bool = True, data_root: str | Path | None = None) -> LoadedParams:
    """Read, validate and resolve a params file; raise `ParamsError` naming the file and key on any problem.

    `data_root` is a folder the user names (`--data-root`) that sources may be read from, beside the project
    and the file's own `data_root` key (trustreport.source_paths)."""
    path = Path(path)
    if not path.is_file():
        found = os.path.lexists(path)
        raise ParamsError(path, "", "params file is not a regular file" if found else "params file not found")
    raw = read_yaml(path)
    raw_bytes = path.read_bytes()
    if not isinstance(raw, dict):
        raise ParamsError(path, "", f"expected a mapping of keys at the top level, got {type(raw).__name__}")
    try:
        params = Params.model_validate(raw)
    except ValidationError as err:
        raise _params_error(path, err) from None

    # Late import: sources depend on params' vocabulary only.
    from trustreport.sources import ADAPTERS, checks

    roots = allowed_roots(path, [r for r in (params.data_root, data_root) if r])
    source_paths: dict[str, Path] = {}
    for i, spec in enumerate(params.sources):
        if spec.kind not in ADAPTERS:
            raise ParamsError(
                path, f"sources[{i}].kind", f"unknown source kind {spec.kind!r}; known: {sorted(ADAPTERS)}"
            )
        problem = checks.check_options(spec.kind, spec.options)
        if problem is not None:
            raise ParamsError(path, f"sources[{i}].options.{problem[0]}", problem[1])
        resolved = resolve_source(spec.path, path, f"sources[{i}].path", roots)
        if check_files and resolved is None:
            tried = ", ".join(str(f) for f in folders_tried(spec.path, path, roots))
            raise ParamsError(
                path, f"sources[{i}].path", f"file not found: {spec.path}" + (f" (looked in {tried})" if tried else "")
            )
        source_paths[spec.id] = resolved or Path(spec.path)
        if check_files:
            _check_source_file(path, i, spec, source_paths[spec.id])
    return LoadedParams(
        params=params, path=path, sha256=hashlib.sha256(raw_bytes).hexdigest(), source_paths=source_paths
    )


def _check_source_file(path: Path, index: int, spec: SourceSpec, source: Path) -> None:
    """The source's files can be read as the CSV its kind expects (`sources.checks`; a big stop file's rows are
    checked in its adapter's one scan); the adapter's own reading is checked by `trustreport.validation`."""
    from trustreport.sources import checks

    key = f"sources[{index}].path"
    try:
        checks.check_file(source, spec.kind, rows=spec.kind not in checks.CHECKED_IN_SCAN)
        for option, companion in checks.companion_files(spec.kind, spec.options, source):
            key = f"sources[{index}].options.{option}"
            checks.check_file(companion, spec.kind)
    except SourceError as err:
        shown = spec.path if err.path == str(source) else err.path
        raise ParamsError(path, key, f"{shown}: {err.message}") from None


def _params_error(path: Path, err: ValidationError) -> ParamsError:
    """The first validation problem as one line: file, dotted key, what was expected, what was found."""
    first = err.errors()[0]
    key = _dotted(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        return ParamsError(path, key, "unknown key")
    if kind == "missing":
        return ParamsError(path, key, "required key is missing")
    message = first["msg"].removeprefix("Value error, ")
    got = first.get("input")
    if not isinstance(got, dict | list) and kind not in ("value_error",):
        message = f"{message} (got {got!r})"
    return ParamsError(path, key, message)


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts)
