"""NJ Advance Media / NJ.com "The Force Report" (force.nj.com), per-department five-year summaries 2012–2016 →
five-year counts and, in an extras table, the published shares and rates with their definitions.

The Force Report collected every NJ department's use-of-force **forms** (one per officer per incident) for
2012–2016 and published per-department totals, a rate per 1,000 arrests and race shares. Two files, both
scraped from force.nj.com (see SOURCE.md): the parsed department pages (`path`; one row per department, key
`patrol_area` + `dept_county`) and the scrape summary (`scrape_file`; headline Black-vs-white comparisons; the
only file with Newark, Paterson, Camden and Atlantic City, whose pages were too large to parse).

Counts emitted, each one row over 2012-01-01 … 2016-12-31 (only for departments on the parsed pages):

- `force_incidents` / `all`: total uses of force, as published (forms, not incidents: see the caveat).
- `arrests` / `all`: **derived**, uses of force ÷ (rate per 1,000 arrests) × 1,000, rounded; the published rate
  has one decimal, so this is exact only to about ±0.5 / rate (±0.3 % for Jersey City's 15.9).
- `force_incidents` / black, white, hispanic, asian/pacific islander: **derived** from the published shares of
  force subjects × uses of force, rounded (this assumes one subject per form). Arrests are not split by race:
  the arrest shares (FBI UCR) have no Hispanic category, so they do not match the subject groups.

`extras["force_report"]` (quantity, group, value, unit, derived, definition, period_start, period_end) holds
every published figure of the department (shares of subjects, arrests, residents aged 10–65 and officers who
used force; rate per 1,000 arrests; rank; force-type shares; the Black-vs-white comparisons as ratios) and the
derived counts, each row with its definition and whether it was derived.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pandas as pd

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources._force import ForceSeverity
from trustreport.sources.base import (
    AdapterContext,
    Dropped,
    SourceData,
    StrictOptions,
    finish,
    parse_options,
    require_columns,
)
from trustreport.sources.extras import ExtrasTable
from trustreport.vocab import Group, Measure

EXTRAS = (
    ExtrasTable("force_report", {"quantity": "text", "group": "text", "value": "number", "unit": "text",
                                 "derived": "bool", "period_start": "date", "period_end": "date"},
                "the Force Report's published shares and rates for the department, and those derived from them"),
)  # fmt: skip

log = logging.getLogger("trustreport")

WINDOW = (date(2012, 1, 1), date(2016, 12, 31))
PARSED_COLUMNS = ("patrol_area", "dept_county", "total_uses_of_force_2012_2016", "incidents_per_1000_arrests")
SCRAPE_COLUMNS = ("name", "town_name", "county", "population", "more_or_less_pop", "arrests", "more_or_less_arrests")
SHARE_GROUPS: dict[str, Group] = {
    "white": Group.WHITE,
    "black": Group.BLACK,
    "hispanic": Group.HISPANIC,
    "asian": Group.ASIAN_PI,
}
SHARE_DEFINITIONS = {
    "subjects": "share of the subjects of force (% of people force was used on, from the forms)",
    "arrests": "share of arrests (FBI UCR; no Hispanic category, Hispanic people are counted in their race)",
    "population": "share of residents aged 10-65 (ACS 2012-2016 'adjusted population'; Hispanic separate)",
    "officers": "share of the officers who used force",
}
# The Force Report's force types (share of forms using each; a form can use several) and their severity.
FORCE_TYPES: dict[str, ForceSeverity] = {
    "compliance_hold": ForceSeverity.CONTROL,
    "takedown": ForceSeverity.BODILY,
    "hands_fist": ForceSeverity.BODILY,
    "leg_strikes": ForceSeverity.BODILY,
    "baton": ForceSeverity.WEAPON,
    "pepper_spray": ForceSeverity.WEAPON,
    "fired_weapon": ForceSeverity.FIREARM,
}
HEADLINES = {
    "DEPT": ("uses_of_force", "total_uses_of_force_2012_2016", "forms", "uses of force (forms filed), 2012-2016"),
    "RATE": ("per_1000_arrests", "incidents_per_1000_arrests", "per 1,000 arrests", "uses of force per 1,000 arrests"),
    "RANK": ("rank_of_468", "rank_of_468", "rank", "rank by rate of force among 468 departments (1 = highest)"),
    "OFFICERS": ("avg_fulltime_officers", "avg_fulltime_officers", "officers", "average full-time officers"),
    "USED": ("officers_who_used_force", "officers_who_used_force", "officers", "officers who used force"),
}
CAVEATS = (
    "The Force Report (NJ.com, 2012-2016) counts use-of-force forms, one per officer per incident; the NJ "
    "Attorney General's portal (2020-2024) counts forms too but trustreport groups them into incidents. Compare "
    "shares and rates between the two, not raw counts.",
    "Force Report race counts are derived from its published percentages (share of subjects x uses of force), "
    "and its arrest count from its rate per 1,000 arrests; both are rounded approximations.",
    "NJ use-of-force forms before 2020 had no standard Hispanic field, so the Force Report undercounts Hispanic "
    "subjects (NJ.com's own caveat).",
)


class NjForceReportOptions(StrictOptions):
    """`department`: the town as force.nj.com names it (e.g. "Jersey City"); `county`: its county without
    "County" (e.g. "Hudson"), needed when several towns share the name; `scrape_file`: the scrape summary,
    relative to the parsed file's folder."""

    department: str
    county: str | None = None
    scrape_file: str = "force-nj-scrape-data-2020-06-16.csv.gz"


def read_nj_force_report(ctx: AdapterContext) -> SourceData:
    """Five-year counts (published and derived) and every published share and rate of one department (module
    doc)."""
    opts = parse_options(NjForceReportOptions, ctx)
    scrape_path = ctx.path.parent / opts.scrape_file
    parsed = _read(ctx.path, PARSED_COLUMNS)
    scrape = _read(scrape_path, SCRAPE_COLUMNS)
    page = _one(parsed, parsed["patrol_area"], opts, ctx.path)
    summary = _one(scrape, scrape["town_name"], opts, scrape_path)
    if page is None and summary is None:
        common.check_option_value(
            ctx.path, "department", opts.department, [*parsed["patrol_area"], *scrape["town_name"]], "patrol_area"
        )
    rows = [*_page_rows(page), *_summary_rows(summary)]
    counts, derived = _counts(page)
    extras = {"force_report": _extras_frame([*rows, *derived])}
    dropped = [Dropped(ctx.source_id, "select department", len(parsed), int(page is not None), opts.department)]
    caveats = list(CAVEATS)
    if page is None:
        caveats.append(
            f"NJ.com's page for {opts.department} was not parsed (too large to archive): only its headline "
            "Black-vs-white comparisons are available, no counts."
        )
    coverage = [Coverage(ctx.source_id, m, *WINDOW, "five-year total") for m in set(counts["measure"])]
    log.info("%s: %s: %d count rows, %d published figures", ctx.source_id, opts.department, len(counts), len(rows))
    return finish(ctx, counts, coverage=sorted(coverage, key=str), dropped=dropped, caveats=caveats, extras=extras)


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    header = common.csv_header(path)
    require_columns(pd.DataFrame(columns=header), columns, path)
    with common.open_text(path) as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _one(frame: pd.DataFrame, towns: pd.Series, opts: NjForceReportOptions, path: Path) -> pd.Series | None:
    """The department's row, or None; several rows of that name without a `county` to choose is an error."""
    hits = frame[towns.str.strip() == opts.department]
    if opts.county is not None:
        county_col = "dept_county" if "dept_county" in frame.columns else "county"
        hits = hits[hits[county_col].str.strip().str.endswith(f"{opts.county} County")]
    if len(hits) > 1:
        places = sorted(hits.get("dept_county", hits.get("name")).tolist())
        raise SourceError(path, f"option `department` = {opts.department!r} matches {places}; set option `county`")
    return None if hits.empty else hits.iloc[0]


def _number(text: str) -> float | None:
    """A scraped figure as a number: '1,088' → 1088, '133%' → 133; empty or N/A → None."""
    cleaned = re.sub(r"[,%\s]", "", str(text))
    try:
        return float(cleaned)
    except ValueError:
        return None


def _row(quantity: str, group: Group, value: float | None, unit: str, definition: str, derived: bool = False):
    return {"quantity": quantity, "group": str(group), "value": value, "unit": unit, "derived": derived,
            "definition": definition}  # fmt: skip


def _page_rows(page: pd.Series | None) -> list[dict]:
    if page is None:
        return []
    rows = [_row(q, Group.ALL, _number(page.get(col, "")), u, d) for q, col, u, d in HEADLINES.values()]
    for prefix, definition in SHARE_DEFINITIONS.items():
        for suffix, group in SHARE_GROUPS.items():
            value = _number(page.get(f"{prefix}_pct_{suffix}", ""))
            if value is not None:
                rows.append(_row(f"{prefix}_share", group, value / 100, "share", definition))
    for name, severity in FORCE_TYPES.items():
        for where in ("dept", "state"):
            value = _number(page.get(f"pct_{name}_{where}", ""))
            if value is not None:
                definition = f"share of {'the department' if where == 'dept' else 'all NJ'} forms using {name}"
                rows.append(_row(f"force_type_{name}_{where}", Group.ALL, value / 100, "share", definition))
                rows[-1]["severity"] = str(severity)
    return rows


def _summary_rows(summary: pd.Series | None) -> list[dict]:
    """NJ.com's 'Black people N% more (less) likely than white people to have force used on them', as ratios."""
    if summary is None:
        return []
    rows = []
    for column, basis in (("population", "residents aged 10-65"), ("arrests", "arrests")):
        pct, direction = (
            _number(summary[column]),
            summary[f"more_or_less_{'pop' if column == 'population' else column}"],
        )
        if pct is None or direction.strip() not in ("more likely", "less likely"):
            continue
        ratio = 1 + pct / 100 if direction.strip() == "more likely" else 1 - pct / 100
        definition = (
            f"NJ.com: Black vs white likelihood of force relative to {basis} ('{pct:g}% {direction.strip()}'), "
            "as a ratio"
        )
        rows.append(_row(f"black_vs_white_ratio_{column}", Group.BLACK, ratio, "ratio", definition))
    return rows


def _counts(page: pd.Series | None) -> tuple[pd.DataFrame, list[dict]]:
    """Five-year counts (module doc) and their extras rows; empty when the department has no parsed page."""
    if page is None:
        return pd.DataFrame(columns=list(common.COUNT_COLUMNS)), []
    total = _number(page["total_uses_of_force_2012_2016"])
    rate = _number(page["incidents_per_1000_arrests"])
    values: list[tuple[Measure, Group, float, str]] = []
    if total is not None:
        values.append((Measure.FORCE_INCIDENTS, Group.ALL, total, "published"))
        for suffix, group in SHARE_GROUPS.items():
            share = _number(page.get(f"subjects_pct_{suffix}", ""))
            if share is not None:
                values.append((Measure.FORCE_INCIDENTS, group, round(share / 100 * total), "share x uses of force"))
    if total is not None and rate:
        values.append((Measure.ARRESTS, Group.ALL, round(total / rate * 1000), "uses of force / rate x 1,000"))
    counts = pd.DataFrame(
        [{"period_start": WINDOW[0], "period_end": WINDOW[1], "measure": str(m), "group": str(g), "value": v}
         for m, g, v, _ in values],
        columns=list(common.COUNT_COLUMNS),
    )  # fmt: skip
    derived = [
        _row(f"{m}_count", g, v, "count", f"{m}: {how}", derived=True) for m, g, v, how in values if how != "published"
    ]
    return counts, derived


def _extras_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["quantity", "group", "value", "unit", "derived", "definition", "severity"])
    return frame.assign(period_start=pd.Timestamp(WINDOW[0]), period_end=pd.Timestamp(WINDOW[1]))
