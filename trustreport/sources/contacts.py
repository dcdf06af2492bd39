"""Non-enforcement community contacts (meetings, school visits, youth programmes, …) → `contacts` counts.

The generic contacts CSV (documented in `data/surveys/README.md`) has one row per kind of contact and period:

- `start`, `end`: inclusive ISO dates the count covers (a month, a quarter, a year);
- `kind`: what was counted ("community meetings", "school events"), free text;
- `count`: how many contacts (a whole number ≥ 0);
- `citation` (optional): where the figure was published; `note` (optional).

Counts rows: measure `contacts`, group `all`, one per period, summed over the kinds kept (option `kinds`: a
list of `kind` values to keep; all by default). Rows of different periods must not overlap in time (a yearly
total and the monthly counts inside it would be double counted): that is an error naming both lines; enter them
as two sources, or keep one with `kinds`. `extras["contacts_by_kind"]` has columns period_start, period_end,
kind, count, citation. Coverage is the union of the periods.
"""

from __future__ import annotations

import logging
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
from trustreport.sources.extras import ExtrasTable
from trustreport.sources.surveys import merge_spans
from trustreport.vocab import Group, Measure

EXTRAS = (
    ExtrasTable("contacts_by_kind", {"period_start": "date", "period_end": "date", "kind": "text",
                                     "count": "number", "citation": "text"},
                "non-enforcement contacts per period and kind, with their citation"),
)  # fmt: skip

log = logging.getLogger("trustreport")

REQUIRED = ("start", "end", "kind", "count")
CAVEAT = (
    "Community contacts are what the department reports it held (meetings, events, programmes); they are "
    "counted as published, not checked against attendance, and kinds counted differ between cities."
)


class ContactsOptions(StrictOptions):
    """`kinds`: the `kind` values to keep (all when omitted)."""

    kinds: list[str] | None = None


def read_contacts(ctx: AdapterContext) -> SourceData:
    """Contacts per period (all kinds kept summed) from the generic contacts CSV (module doc)."""
    opts = parse_options(ContactsOptions, ctx)
    path = ctx.path
    common.require_file(path)
    try:
        with common.open_text(path) as fh:
            raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err
    raw = raw.rename(columns=str.strip)
    require_columns(raw, REQUIRED, path)
    table = _parse(raw, path)
    kept = table
    if opts.kinds is not None:
        for kind in opts.kinds:
            common.check_option_value(path, "kinds", kind, table["kind"], "kind")
        kept = table[table["kind"].isin(opts.kinds)]
    _refuse_overlaps(kept, path)
    counts = (
        kept.groupby(["period_start", "period_end"], as_index=False, sort=True)["count"]
        .sum()
        .rename(columns={"count": "value"})
        .assign(measure=str(Measure.CONTACTS), group=str(Group.ALL))
    )
    dropped = [
        Dropped(ctx.source_id, "keep kinds", len(table), len(kept), f"kinds kept: {opts.kinds or 'all'}"),
        Dropped(ctx.source_id, "sum kinds per period", len(kept), len(counts), "one contacts count per period"),
    ]
    spans = merge_spans(
        kept[["period_start", "period_end"]].sort_values(["period_start", "period_end"]).itertuples(index=False)
    )
    coverage = [Coverage(ctx.source_id, Measure.CONTACTS, s, e, "periods the contacts file counts") for s, e in spans]
    log.info("%s: %d contacts rows kept", ctx.source_id, len(kept))
    return finish(
        ctx,
        counts.loc[:, list(common.COUNT_COLUMNS)],
        coverage=coverage,
        dropped=dropped,
        caveats=[CAVEAT],
        extras={"contacts_by_kind": kept.drop(columns="line").reset_index(drop=True)},
    )


def _parse(raw: pd.DataFrame, path) -> pd.DataFrame:
    rows = []
    for i, row in enumerate(raw.to_dict("records")):
        line = i + 2
        start, end = (_date(row, c, line, path) for c in ("start", "end"))
        if end < start:
            raise SourceError(path, f"end {end} is before start {start}", column="end", row=line)
        text = str(row["count"]).strip()
        try:
            count = float(text)
        except ValueError:
            count = math.nan
        if not math.isfinite(count) or count < 0 or not count.is_integer():
            raise SourceError(path, f"expected a whole number ≥ 0, got {text!r}", column="count", row=line)
        kind = str(row["kind"]).strip()
        if not kind:
            raise SourceError(path, "empty kind", column="kind", row=line)
        rows.append(
            {
                "period_start": pd.Timestamp(start),
                "period_end": pd.Timestamp(end),
                "kind": kind,
                "count": count,
                "citation": str(row.get("citation", "")).strip(),
                "line": line,
            }
        )
    return pd.DataFrame(rows, columns=["period_start", "period_end", "kind", "count", "citation", "line"])


def _date(row: dict, column: str, line: int, path) -> date:
    text = str(row[column]).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {text!r}", column=column, row=line) from None


def _refuse_overlaps(table: pd.DataFrame, path) -> None:
    """Rows with different periods must not overlap (identical periods are summed, which is fine)."""
    periods = table.drop_duplicates(["period_start", "period_end"]).sort_values(["period_start", "period_end"])
    previous = None
    for row in periods.itertuples(index=False):
        if previous is not None and row.period_start <= previous.period_end:
            raise SourceError(
                path,
                f"the periods on lines {previous.line} and {row.line} overlap "
                f"({previous.period_start.date()}–{previous.period_end.date()} and "
                f"{row.period_start.date()}–{row.period_end.date()}); they would be counted twice",
                column="start",
                row=row.line,
            )
        if previous is None or row.period_end > previous.period_end:
            previous = row
