"""Campaign Zero California Police Scorecard inputs (2016–2018) → arrests, deadly force and residents for one
police department.

The file (`disparity analysis 2016-2018`, converted to CSV; `data/campaignzero-ca-police-scorecard/SOURCE.md`)
has one row per department for the 100 largest California city police departments, with three-year totals
from the CA DOJ (OpenJustice URSUS deadly-force incidents, the Monthly Arrest and Citation Register) and DOJ
2016 population, for Black, Hispanic and white people:

- `{Group} Arrests` → `arrests`, 2016-01-01 … 2018-12-31. Not whole numbers: Campaign Zero imputed the
  Hispanic split of the register's counts, so every group's arrests are estimates.
- `{Group} Victims of Deadly Force` → `force_subjects`, 2016–2018: people killed or seriously injured by
  police force (URSUS reports only force with death or serious bodily injury), so far fewer than all force.
- `{Group} Population` → `residents`, a 2016 snapshot.
- `{Group} Drug Possession Arrests` have no measure of their own: they go to `extras["drug_possession_arrests"]`
  (a blank count is 0, as the scorecard's notebook fills it; the recode is recorded).
- The scorecard's published ratios go to `extras["published_disparities"]` so a report can check its own
  ratios against them (blank where a department had no white victims).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources.base import (
    AdapterContext,
    Dropped,
    SourceData,
    StrictOptions,
    finish,
    parse_options,
    require_columns,
)
from trustreport.sources.extras import ExtrasTable, check_extras
from trustreport.vocab import Group, Measure

AGENCY = "Agency Name"
GROUPS: dict[Group, str] = {Group.BLACK: "Black", Group.HISPANIC: "Hispanic", Group.WHITE: "White"}
SPAN: tuple[date, date] = (date(2016, 1, 1), date(2018, 12, 31))
POPULATION_YEAR = 2016
# measure -> column pattern; `{group}` is the file's group name.
MEASURE_COLUMNS: dict[Measure, str] = {
    Measure.ARRESTS: "{group} Arrests",
    Measure.FORCE_SUBJECTS: "{group} Victims of Deadly Force",
}
POPULATION = "{group} Population"
DRUG_ARRESTS = "{group} Drug Possession Arrests"
# statistic name in extras -> column pattern of the published ratio (Black and Hispanic only).
PUBLISHED: dict[str, str] = {
    "drug_possession_arrest_disparity": "{group} Drug Possession Arrest Disparity",
    "deadly_force_per_10k_arrests": "{group} Deadly Force per Arrest Rate",
    "deadly_force_disparity_per_arrest": "{group} Deadly Force Disparity per Arrest",
    "deadly_force_disparity_per_population": "{group} Deadly Force Disparity per Population",
}

EXTRAS = (
    ExtrasTable(
        "drug_possession_arrests",
        {"group": "text", "value": "number", "period_start": "date", "period_end": "date"},
        "Drug possession arrests by group, 2016–2018 totals (no measure of their own).",
    ),
    ExtrasTable(
        "published_disparities",
        {"group": "text", "statistic": "text", "value": "number"},
        "The scorecard's published ratios vs white people (NaN where it published none).",
    ),
)

CAVEAT = (
    "Campaign Zero California Police Scorecard (2016–2018): arrests are three-year totals from the CA DOJ "
    "arrest register with the Hispanic split imputed by Campaign Zero, so they are estimates, not whole counts; "
    "deadly force counts only people killed or seriously injured (CA DOJ URSUS), not all uses of force; "
    "residents are CA DOJ 2016 population estimates."
)


class CampaignZeroOptions(StrictOptions):
    """`agency`: the file's `Agency Name` value (e.g. "Oakland Police Department")."""

    agency: str


def read_campaign_zero_ca_scorecard(ctx: AdapterContext) -> SourceData:
    """One department's arrests, deadly-force victims and residents by group, with drug-possession arrests and
    the published ratios in extras (see module doc)."""
    opts = parse_options(CampaignZeroOptions, ctx)
    path = ctx.path
    columns = [AGENCY, *_columns()]
    require_columns(pd.DataFrame(columns=common.csv_header(path)), columns, path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, encoding="utf-8-sig")
    names = table[AGENCY].str.strip()
    common.check_option_value(path, "agency", opts.agency, names, AGENCY)
    matches = table.index[names == opts.agency]
    if len(matches) > 1:
        raise SourceError(path, f"option `agency` = {opts.agency!r} matches {len(matches)} rows", column=AGENCY)
    row, line = table.loc[matches[0]], int(matches[0]) + 2  # the header is line 1

    counts = _counts(path, row, line)
    drug, blank = _drug_arrests(path, row, line)
    extras = {"drug_possession_arrests": drug, "published_disparities": _published(path, row, line)}
    check_extras(path, extras, EXTRAS)
    dropped = [Dropped(ctx.source_id, f"filter {AGENCY}", len(table), 1, f"kept {opts.agency!r}")]
    dropped += [
        Dropped(ctx.source_id, f"blank {c}", 1, 1, "blank drug possession arrests read as 0, as the scorecard does")
        for c in blank
    ]
    coverage = [
        *(Coverage(ctx.source_id, m, *SPAN, "2016–2018 totals") for m in MEASURE_COLUMNS),
        Coverage(ctx.source_id, Measure.RESIDENTS, *common.vintage_period(POPULATION_YEAR), "2016 (a snapshot)"),
    ]
    return finish(ctx, counts, coverage=coverage, dropped=dropped, caveats=[CAVEAT], extras=extras)


def _columns() -> list[str]:
    patterns = [*MEASURE_COLUMNS.values(), POPULATION, DRUG_ARRESTS]
    published = [p.format(group=GROUPS[g]) for p in PUBLISHED.values() for g in GROUPS if g != Group.WHITE]
    return [p.format(group=name) for p in patterns for name in GROUPS.values()] + published


def _counts(path, row: pd.Series, line: int) -> pd.DataFrame:
    """Arrests and deadly-force victims over 2016–2018, and the 2016 residents, by group."""
    residents = {g: _number(path, row, POPULATION.format(group=name), line) for g, name in GROUPS.items()}
    rows = [
        {
            "period_start": SPAN[0],
            "period_end": SPAN[1],
            "measure": str(measure),
            "group": str(group),
            "value": _number(path, row, pattern.format(group=name), line),
        }
        for measure, pattern in MEASURE_COLUMNS.items()
        for group, name in GROUPS.items()
    ]
    snapshot = common.snapshot_counts(residents, Measure.RESIDENTS, POPULATION_YEAR)
    return common.sort_counts(pd.concat([pd.DataFrame(rows), snapshot], ignore_index=True))


def _drug_arrests(path, row: pd.Series, line: int) -> tuple[pd.DataFrame, list[str]]:
    """The extras table of drug possession arrests, and the columns that were blank (read as 0)."""
    blank = [DRUG_ARRESTS.format(group=n) for n in GROUPS.values() if row[DRUG_ARRESTS.format(group=n)] == ""]
    values = [
        0.0 if column in blank else _number(path, row, column, line)
        for column in (DRUG_ARRESTS.format(group=n) for n in GROUPS.values())
    ]
    frame = pd.DataFrame(
        {"group": [str(g) for g in GROUPS], "value": values, "period_start": SPAN[0], "period_end": SPAN[1]}
    )
    return frame, blank


def _published(path, row: pd.Series, line: int) -> pd.DataFrame:
    """The published ratios for Black and Hispanic people vs white people; NaN where the cell is blank."""
    rows = [
        {
            "group": str(group),
            "statistic": statistic,
            "value": math.nan
            if row[pattern.format(group=name)] == ""
            else _number(path, row, pattern.format(group=name), line),
        }
        for statistic, pattern in PUBLISHED.items()
        for group, name in GROUPS.items()
        if group != Group.WHITE
    ]
    return pd.DataFrame(rows)


def _number(path, row: pd.Series, column: str, line: int) -> float:
    """A finite number ≥ 0 from one cell, or a `SourceError` naming the file, row and column."""
    try:
        value = float(row[column])
    except ValueError:
        raise SourceError(path, f"expected a number, got {row[column]!r}", column=column, row=line) from None
    if not math.isfinite(value) or value < 0:
        raise SourceError(path, f"expected a number ≥ 0, got {row[column]!r}", column=column, row=line)
    return value
