"""Published aggregates (op-eds, reports, news articles) → counts, each row carrying its citation.

Some figures exist only in publications: a count for a window, a share, a rate. They are entered by hand as
structured rows (never parsed from prose). The file is a CSV with one row per published figure and these
columns (the first five are required):

- `period_start`, `period_end`: inclusive ISO dates of the window the figure covers.
- `measure`: a canonical measure (`trustreport.vocab.Measure`), e.g. `lawsuits`, `stops`, `arrests`.
- `group`: a canonical group (`black`, `hispanic`, `white`, `asian/pacific islander`, `other`, `unknown`,
  `all`).
- `value`: the figure: a count or dollar total, a share (0–1) or a rate, as `statistic` says.
- `statistic`: `total` (the default: a count, or dollars for `settlement_usd`), `share` (the group's share of
  the measure, 0–1) or `rate_per_1000` (per 1,000 residents).
- `qualifier`: empty (as published), `at least` / `at most` (a bound, as in "over 15,500"), `about` (rounded),
  or `derived` (computed from published figures; `note` says how).
- `n`: the base of a share or rate, where published.
- `citation`: who published it, the title and the date; when empty, the source's `citation:` from the params
  file applies.
- `url`: where it can be read.
- `note`: how the row was entered: assumed windows, derivations, caveats.

Rows whose `statistic` is `total` become counts rows; shares and rates are kept only in `extras["citations"]`
(recorded as dropped from the counts) so the claim ledger can quote them. Every row must end up with a
citation: its own, or the params-level one; a row with neither is an error. `extras["citations"]` lists every
row with its citation, qualifier and note, in file order. Coverage is each total row's own window: a published
total can only be used by a window that contains the whole of it.
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
from trustreport.sources.extras import ExtrasTable
from trustreport.vocab import Group, Measure

EXTRAS = (
    ExtrasTable("citations", {"measure": "text", "group": "text", "period_start": "text", "period_end": "text",
                              "statistic": "text", "value": "number", "qualifier": "text", "citation": "text"},
                "every published figure with its qualifier ('over', 'about') and citation, for the report's table"),
)  # fmt: skip

REQUIRED = ("period_start", "period_end", "measure", "group", "value")
OPTIONAL = ("statistic", "qualifier", "n", "citation", "url", "note")
STATISTICS = frozenset({"total", "share", "rate_per_1000"})
QUALIFIERS = frozenset({"", "at least", "at most", "about", "derived"})
CITATION_COLUMNS = (
    "measure",
    "group",
    "period_start",
    "period_end",
    "statistic",
    "value",
    "qualifier",
    "citation",
    "url",
    "note",
)


class PublishedOptions(StrictOptions):
    """No options: everything is in the file (and the source's `citation:`)."""


def read_published_aggregates(ctx: AdapterContext) -> SourceData:
    """Counts from a hand-entered CSV of published figures, each row keeping its citation (see module doc)."""
    parse_options(PublishedOptions, ctx)
    path = ctx.path
    common.require_file(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=True)
    table.columns = [c.strip() for c in table.columns]
    require_columns(table, REQUIRED, path)
    table = table.apply(lambda s: s.str.strip())
    for col in OPTIONAL:
        if col not in table.columns:
            table[col] = ""
    table["statistic"] = table["statistic"].replace("", "total")

    rows = [
        _check_row(ctx, line, row) for line, row in zip(range(2, len(table) + 2), table.to_dict("records"), strict=True)
    ]
    cited = pd.DataFrame(rows, columns=[*CITATION_COLUMNS, "n"])
    totals = cited[cited["statistic"] == "total"]
    counts = totals.loc[:, ["period_start", "period_end", "measure", "group", "value", "n"]]
    dropped = [
        Dropped(
            ctx.source_id,
            "keep totals as counts",
            len(cited),
            len(totals),
            "shares and rates are not counts: kept in the citations table only",
        )
    ]
    coverage = sorted(
        {
            Coverage(ctx.source_id, Measure(r.measure), r.period_start, r.period_end, "published total")
            for r in totals.itertuples()
        },
        key=lambda c: (c.measure, c.start, c.end),
    )
    extras = {"citations": _citations_table(cited)}
    return finish(ctx, counts.reset_index(drop=True), coverage=coverage, dropped=dropped, extras=extras)


def _check_row(ctx: AdapterContext, line: int, row: dict[str, str]) -> dict:
    """One file row, checked field by field; a bad field is a SourceError naming its line and column."""
    path = ctx.path

    def fail(column: str, message: str) -> SourceError:
        return SourceError(path, message, column=column, row=line)

    start, end = _date(row, "period_start", fail), _date(row, "period_end", fail)
    if end < start:
        raise fail("period_end", f"period_end {end} is before period_start {start}")
    if row["measure"] not in {m.value for m in Measure}:
        raise fail(
            "measure",
            f"unknown measure {row['measure']!r}; expected one of {sorted(m.value for m in Measure)}",
        )
    if row["group"] not in {g.value for g in Group}:
        raise fail("group", f"unknown group {row['group']!r}; expected one of {sorted(g.value for g in Group)}")
    if row["statistic"] not in STATISTICS:
        raise fail("statistic", f"unknown statistic {row['statistic']!r}; expected one of {sorted(STATISTICS)}")
    if row["qualifier"] not in QUALIFIERS:
        raise fail("qualifier", f"unknown qualifier {row['qualifier']!r}; expected one of {sorted(QUALIFIERS)}")
    value = _number(row, "value", fail)
    if row["statistic"] == "share" and not 0 <= value <= 1:
        raise fail("value", f"a share must lie between 0 and 1, got {value}")
    n = _number(row, "n", fail) if row["n"] else float("nan")
    citation = row["citation"] or ctx.citation.strip()
    if not citation:
        raise fail("citation", "no citation: fill the column or give the source a `citation:` in the params file")
    return {
        "measure": row["measure"],
        "group": row["group"],
        "period_start": start,
        "period_end": end,
        "statistic": row["statistic"],
        "value": value,
        "qualifier": row["qualifier"],
        "citation": citation,
        "url": row["url"] or (ctx.url or ""),
        "note": row["note"],
        "n": n,
    }


def _date(row: dict[str, str], column: str, fail) -> date:
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        raise fail(column, f"expected a date YYYY-MM-DD, got {row[column]!r}") from None


def _number(row: dict[str, str], column: str, fail) -> float:
    try:
        value = float(row[column].replace(",", ""))
    except ValueError:
        raise fail(column, f"expected a number, got {row[column]!r:.40}") from None
    if not math.isfinite(value):
        raise fail(column, f"expected a finite number, got {row[column]!r:.40}")
    if value < 0:
        raise fail(column, f"expected a non-negative number, got {value}")
    return value


def _citations_table(cited: pd.DataFrame) -> pd.DataFrame:
    out = cited.loc[:, list(CITATION_COLUMNS)].copy()
    for col in ("period_start", "period_end"):
        out[col] = out[col].map(date.isoformat)
    return out.reset_index(drop=True)
