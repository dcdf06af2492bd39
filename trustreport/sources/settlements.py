"""FiveThirtyEight / The Marshall Project police-misconduct settlements (one city's `final/*.csv`) → daily counts
of settled lawsuits and nominal settlement dollars, group `all`, and a table of payments.

What is counted (documented here because the cities' files differ; see each city's README in
`data/fivethirtyeight-police-settlements/`):

- A row of the file is one payment record. `lawsuits` counts settled cases: by default every row with a
  positive amount is one case; with the `case_key` option (e.g. `docket_number`) rows sharing a key are one
  case, counted once, on the date of its first payment (rows without a key stay one case each). Several cities
  list installments or payees as separate rows (Cleveland, Los Angeles, Memphis, Chicago, Philadelphia), so
  without `case_key` their counts are payments, not cases.
- `settlement_usd` sums the nominal amount (`amount_column`, default `amount_awarded`; "$" and "," are
  removed) on each payment's date. Constant dollars are made by the metrics, per payment (docs/methods.md §6).
- The date a row is counted on is `date_column`: `closed_date` (the settlement or payment date, default),
  `incident_date` (for files selected by date of loss, such as Paterson's), or `calendar_year` (files with no
  dates, such as Cleveland's: one row per year, spanning the year, or the fiscal year that ends in it when
  `year_start_month` is not 1, as for Los Angeles). The year paid (for CPI) is the year of `closed_date`, else
  `calendar_year`; a row with neither has not been paid in full and is dropped.
- Rows with no amount, a zero amount (closed without a payment to the claimant), no date in `date_column`, or
  a date outside `first_year`…`last_year` (default: the first and last year in the file) or in one of
  `missing_years` are dropped and recorded. Coverage is those years less `missing_years`: list there a year
  the city did not report in full (Detroit has no payment at all in 2014), so that it is missing, not zero.

Race is not recorded in these files, so every row is group `all`. `extras["payments"]` has one row per kept
payment: period_start, period_end (the day, or the year, it is counted in), paid_year, amount_usd (nominal),
case_id (a number, not the docket), closed_date and incident_date (NaT where the file has none; their difference
is the settlement lag) and category (the `category_column`, or empty).

Only the columns named in the options are read: plaintiff, defendant, officer and attorney names and case
captions are never selected, and a category column that looks like free text (which can quote names) is refused.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from trustreport.counts import Coverage
from trustreport.errors import SourceError
from trustreport.sources import _common as common
from trustreport.sources._settlement_privacy import categories, refuse_name_columns
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
    ExtrasTable("payments", {"period_start": "date", "period_end": "date", "paid_year": "number",
                             "amount_usd": "number", "case_id": "number"},
                "one row per payment with its year, amount (nominal dollars) and case"),
)  # fmt: skip

log = logging.getLogger("trustreport")

CAVEATS = (
    "FiveThirtyEight, who collected these settlements, advise that they should not be compared across cities "
    "and that comparisons over time within a city need extreme caution: record keeping, categories and the "
    "willingness to settle changed over the period.",
    "Settlements are paid years after the incident, so a change between two windows of settlement dates is a "
    "change in what the city paid then, mostly for earlier conduct, not a measure of misconduct in the window.",
)


class SettlementsOptions(StrictOptions):
    """`date_column`, `amount_column`, `case_key`, `category_column`, `year_start_month`, `first_year`,
    `last_year`, `missing_years`: see the module docstring."""

    date_column: Literal["closed_date", "incident_date", "calendar_year"] = "closed_date"
    amount_column: str = "amount_awarded"
    case_key: str | None = None
    category_column: str | None = None
    year_start_month: int = Field(default=1, ge=1, le=12)
    first_year: int | None = Field(default=None, ge=1900, le=2100)
    last_year: int | None = Field(default=None, ge=1900, le=2100)
    missing_years: tuple[int, ...] = ()


def read_fivethirtyeight_settlements(ctx: AdapterContext) -> SourceData:
    """Daily settled lawsuits and nominal settlement dollars for one city (rules: module docstring)."""
    opts = parse_options(SettlementsOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    columns = _columns(opts, header, ctx)
    raw = _read(path, columns)
    sid = ctx.source_id

    amounts, dropped = _amounts(raw, opts.amount_column, sid)
    kept = raw.loc[amounts.index].assign(amount_usd=amounts)
    kept, more = _dated(kept, opts, path, sid)
    dropped += more
    first, last = _years(kept, opts, path)
    kept, more = _in_years(kept, first, last, opts, sid)
    dropped += more
    payments = _payments(kept, opts, path)
    dropped += _case_record(payments, opts, sid)

    counts = _counts(payments)
    coverage = _coverage(sid, first, last, opts)
    log.info("%s: %d rows → %d payments, %d cases", sid, len(raw), len(payments), payments["case_id"].nunique())
    return finish(
        ctx,
        common.sort_counts(counts),
        coverage=coverage,
        dropped=dropped,
        caveats=(*CAVEATS, _unit_caveat(opts), _date_caveat(opts), *_gap_caveats(payments, first, last, opts)),
        extras={"payments": payments},
    )


def _columns(opts: SettlementsOptions, header: list[str], ctx: AdapterContext) -> list[str]:
    """The columns to read: those the options name, plus incident and payment dates where the file has them."""
    refuse_name_columns({o: getattr(opts, o) for o in ("amount_column", "case_key", "category_column")}, ctx)
    if opts.year_start_month != 1 and opts.date_column != "calendar_year":
        raise SourceError(
            ctx.params_path or ctx.path,
            f"source `{ctx.source_id}` option `year_start_month`: fiscal years apply only to "
            "`date_column: calendar_year`",
        )
    wanted = [opts.date_column, opts.amount_column, opts.case_key, opts.category_column]
    require_columns(pd.DataFrame(columns=header), [c for c in wanted if c], ctx.path)
    if opts.date_column == "incident_date" and not {"closed_date", "calendar_year"} & set(header):
        raise SourceError(ctx.path, "counting by incident_date needs closed_date or calendar_year for the year paid")
    optional = [c for c in ("closed_date", "calendar_year", "incident_date") if c in header]
    return list(dict.fromkeys([*[c for c in wanted if c], *optional]))


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, usecols=columns, keep_default_na=False, na_values=["", "NA"])
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err
    # Line numbers for messages: header is line 1; quoted fields may span lines, so this is the record number.
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def _amounts(raw: pd.DataFrame, column: str, sid: str) -> tuple[pd.Series, list[Dropped]]:
    """Positive nominal amounts; rows with none (missing, not a number) or zero are recorded as dropped."""
    text = raw[column].str.replace(r"[$,\s]", "", regex=True)
    amount = pd.to_numeric(text, errors="coerce")
    missing = amount.isna()
    unparsed = int((missing & raw[column].notna()).sum())
    positive = amount[amount > 0]
    n = len(raw)
    why = f"{int(missing.sum())} rows have no {column}" + (f" ({unparsed} not a number)" if unparsed else "")
    return positive, [
        Dropped(sid, f"drop rows without {column}", n, n - int(missing.sum()), why),
        Dropped(
            sid,
            f"drop rows with {column} of zero or less",
            n - int(missing.sum()),
            len(positive),
            "closed without a payment to the claimant",
        ),
    ]


def _dated(frame: pd.DataFrame, opts: SettlementsOptions, path: Path, sid: str) -> tuple[pd.DataFrame, list[Dropped]]:
    """Add `year` (of the date counted on), `day` (NaT when counted by year) and `paid_year`; drop undated rows."""
    out = frame.copy()
    closed = _iso_dates(out, "closed_date", path)
    calendar = _years_of(out, "calendar_year", path)
    out["paid_year"] = closed.dt.year.astype("Int64").fillna(calendar)
    if opts.date_column == "calendar_year":
        out["day"], out["year"] = pd.NaT, calendar
    else:
        day = closed if opts.date_column == "closed_date" else _iso_dates(out, "incident_date", path)
        out["day"], out["year"] = day, day.dt.year.astype("Int64")
    n = len(out)
    dated = out[out["year"].notna()]
    paid = dated[dated["paid_year"].notna()]
    hint = "; `date_column: calendar_year` counts by year instead" if opts.date_column == "closed_date" else ""
    record = [
        Dropped(sid, f"drop rows without {opts.date_column}", n, len(dated), f"cannot be placed in a window{hint}"),
    ]
    if len(paid) < len(dated):
        record.append(
            Dropped(
                sid,
                "drop rows not paid in full",
                len(dated),
                len(paid),
                "no closed_date or calendar_year: the settlement is still being paid (open case)",
            )
        )
    return paid, record


def _iso_dates(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """YYYY-MM-DD dates (NaT where empty); a value that is not one is a `SourceError` naming its record."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() & frame[column].notna()
    if bad.any():
        row = int(bad.idxmax())
        raise SourceError(path, f"expected a date YYYY-MM-DD, got {frame.at[row, column]!r}", column=column, row=row)
    return parsed


def _years_of(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    number = pd.to_numeric(frame[column], errors="coerce")
    bad = frame[column].notna() & (number.isna() | (number % 1 != 0))
    if bad.any():
        row = int(bad.idxmax())
        raise SourceError(path, f"expected a year, got {frame.at[row, column]!r}", column=column, row=row)
    return number.astype("Int64")


def _years(frame: pd.DataFrame, opts: SettlementsOptions, path: Path) -> tuple[int, int]:
    """The coverage years: the options', else the first and last year in the file."""
    if frame.empty:
        raise SourceError(path, f"no row has both a positive {opts.amount_column} and a {opts.date_column}")
    first = opts.first_year if opts.first_year is not None else int(frame["year"].min())
    last = opts.last_year if opts.last_year is not None else int(frame["year"].max())
    if last < first:
        raise SourceError(path, f"options `first_year` ({first}) is after `last_year` ({last})")
    return first, last


def _in_years(
    frame: pd.DataFrame, first: int, last: int, opts: SettlementsOptions, sid: str
) -> tuple[pd.DataFrame, list[Dropped]]:
    """Keep rows whose counted date lies in the coverage years (fiscal years when `year_start_month` > 1)."""
    year = frame["year"]
    inside = year.between(first, last) & ~year.isin(opts.missing_years)
    kept = frame[inside]
    missing = f"; {', '.join(map(str, opts.missing_years))} listed as missing" if opts.missing_years else ""
    why = f"{_date_label(opts)} outside {first}–{last}{missing}"
    return kept, [Dropped(sid, "keep the coverage years", len(frame), len(kept), why)]


def _coverage(sid: str, first: int, last: int, opts: SettlementsOptions) -> list[Coverage]:
    """One record per run of consecutive covered years (`missing_years` split the span)."""
    years = [y for y in range(first, last + 1) if y not in opts.missing_years]
    runs: list[list[int]] = []
    for y in years:
        if runs and runs[-1][-1] == y - 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    out = []
    for run in runs:
        start, end = _fiscal_span(run[0], opts.year_start_month)[0], _fiscal_span(run[-1], opts.year_start_month)[1]
        note = f"{_date_label(opts)} {run[0]}–{run[-1]}, as received by FiveThirtyEight"
        out += [Coverage(sid, m, start, end, note) for m in (Measure.LAWSUITS, Measure.SETTLEMENT_USD)]
    return out


def _gap_caveats(payments: pd.DataFrame, first: int, last: int, opts: SettlementsOptions) -> list[str]:
    """A caveat for each covered year with no payment at all (a true zero, or a year the city did not report)."""
    # A fiscal year is named after the calendar year it ends in.
    held = set(payments["period_end"].dt.year)
    empty = [y for y in range(first, last + 1) if y not in held and y not in opts.missing_years]
    if not empty:
        return []
    years = ", ".join(map(str, empty))
    return [
        f"No settlement is recorded in {years}: counted as zero. If the city did not report that year, list it "
        "under the source's `missing_years` option so that it is shown as missing."
    ]


def _fiscal_span(year: int, start_month: int) -> tuple[date, date]:
    """The (fiscal) year `year`: January–December, or the twelve months ending in `year` when it starts later."""
    if start_month == 1:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year - 1, start_month, 1), date(year, start_month, 1) - pd.Timedelta(days=1).to_pytimedelta()


def _payments(frame: pd.DataFrame, opts: SettlementsOptions, path: Path) -> pd.DataFrame:
    """One row per kept payment, in file order, with an opaque case number."""
    if opts.date_column == "calendar_year":
        spans = [_fiscal_span(int(y), opts.year_start_month) for y in frame["year"]]
        start = pd.to_datetime([s for s, _ in spans])
        end = pd.to_datetime([e for _, e in spans])
    else:
        start = end = pd.DatetimeIndex(frame["day"])
    out = pd.DataFrame(
        {
            "period_start": start,
            "period_end": end,
            "paid_year": frame["paid_year"].astype(int).to_numpy(),
            "amount_usd": frame["amount_usd"].astype(float).to_numpy(),
            "case_id": _case_ids(frame, opts.case_key),
            "closed_date": _iso_dates(frame, "closed_date", path).to_numpy(),
            "incident_date": _iso_dates(frame, "incident_date", path).to_numpy(),
            "category": categories(frame, opts.category_column, path),
        }
    )
    return out.reset_index(drop=True)


def _case_ids(frame: pd.DataFrame, key: str | None) -> list[int]:
    """Rows sharing a (trimmed, upper-cased) key are one case; rows without a key are each their own."""
    if key is None:
        return list(range(1, len(frame) + 1))
    keys = frame[key].str.strip().str.upper()
    codes, _ = pd.factorize(keys)
    ids, spare = [], int(codes.max()) + 2 if len(codes) else 1
    for code in codes:
        if code < 0:
            ids.append(spare)
            spare += 1
        else:
            ids.append(int(code) + 1)
    return ids


def _case_record(payments: pd.DataFrame, opts: SettlementsOptions, sid: str) -> list[Dropped]:
    if opts.case_key is None:
        return []
    cases = int(payments["case_id"].nunique())
    why = f"payments sharing {opts.case_key} are one case, counted on the date of its first payment"
    return [Dropped(sid, f"group payments into cases by {opts.case_key}", len(payments), cases, why)]


def _counts(payments: pd.DataFrame) -> pd.DataFrame:
    """Per counted period: cases whose first payment falls in it (`lawsuits`) and nominal dollars paid."""
    first = payments.sort_values(["period_start", "case_id"], kind="stable").drop_duplicates("case_id")
    keys = ["period_start", "period_end"]
    cases = first.groupby(keys, as_index=False).size().rename(columns={"size": "value"})
    dollars = payments.groupby(keys, as_index=False)["amount_usd"].sum().rename(columns={"amount_usd": "value"})
    rows = [
        cases.assign(measure=str(Measure.LAWSUITS)),
        dollars.assign(measure=str(Measure.SETTLEMENT_USD)),
    ]
    out = pd.concat(rows, ignore_index=True).assign(group=str(Group.ALL))
    return out.loc[:, list(common.COUNT_COLUMNS)]


def _date_label(opts: SettlementsOptions) -> str:
    return {
        "closed_date": "settlement dates",
        "incident_date": "incident dates",
        "calendar_year": "settlement years" if opts.year_start_month == 1 else "fiscal years of settlement",
    }[opts.date_column]


def _unit_caveat(opts: SettlementsOptions) -> str:
    if opts.case_key:
        return f"Lawsuits are settled cases: payments sharing a {opts.case_key} are counted as one case."
    return (
        "Lawsuits are payment records as the city supplied them: where a settlement was paid in installments or "
        "to several payees, each payment counts, so the count can exceed the number of cases."
    )


def _date_caveat(opts: SettlementsOptions) -> str:
    if opts.date_column == "incident_date":
        return (
            "Settlements are counted by the date of the incident, among cases settled and paid by the time the "
            "city answered: incidents of recent years are undercounted, because many of their cases were still open."
        )
    if opts.date_column == "calendar_year":
        return (
            "The file gives only the year of each payment, so counts are whole years: a window that does not "
            f"start and end on {_date_label(opts)} boundaries holds no complete year of them."
        )
    return "Settlements are counted on the date the city gives for the settlement or its payment (closed_date)."
