"""Chicago Police Sentiment Scores (City of Chicago data portal `28me-84fj`, by Elucd for CPD) → monthly survey
trust and safety means by race.

One row of the file is one geography × window. Rules:

- Exact duplicate rows (the file has 70) are dropped first.
- Geography (option `area`, default `citywide`): citywide rows have `AREA`, `DISTRICT` and `SECTOR` empty; an
  area row (`area` = an `AREA` value such as `area_3`) has `DISTRICT` empty; `district` (e.g. "7") selects a
  district's rows (`SECTOR` empty); `sector` (e.g. "714") a sector's. Give at most one of a non-citywide `area`,
  `district`, `sector`.
- Waves are the calendar-month windows (`START_DATE` the 1st, `END_DATE` the month's last day, MM/DD/YYYY).
  The seven-day windows of 2017-11 … 2019-05 overlap the months and are dropped (recorded), so a month is
  never counted twice. Two different rows for one geography and month are an error.
- Scores are on 0–100 already (the portal stores the 0–10 answer × 10: 65 = 6.5 out of 10), the canonical
  scale. `TRUST` / `SAFETY` → group `all`; the race breakdowns `T_RACE_*` / `S_RACE_*` → AFRICAN_AMERICAN →
  black, HISPANIC → hispanic, WHITE → white, ASIAN_AMERICAN → asian/pacific islander, OTHER → other. The
  two trust items `T_LISTEN*` and `T_RESPECT*` (from 2020-06 on) are kept in `extras["survey"]` as questions
  `listen` and `respect`. Age, sex, education and income breakdowns are not read.
- The scores are modelled small-area estimates from opt-in online micro-surveys with **no sample sizes**: `n`
  is NaN, `modelled` is true, and no sampling interval is ever given for them.

Counts rows: `survey_trust_mean` and `survey_safety_mean` per month and group; `extras["survey"]` as in
`sources.surveys.SURVEY_COLUMNS`. The file has no names of people.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from pydantic import model_validator

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
from trustreport.sources.survey_table import with_survey_schema
from trustreport.sources.surveys import survey_caveats, survey_counts, wave_coverage
from trustreport.vocab import Group

EXTRAS = (
    ExtrasTable("survey", {"wave": "text", "period_start": "date", "period_end": "date", "question": "text",
                           "statistic": "text", "group": "text", "value": "number", "modelled": "bool"},
                "one row per month, question and group: the city's modelled sentiment score"),
)  # fmt: skip

log = logging.getLogger("trustreport")

GEOGRAPHY = ("AREA", "DISTRICT", "SECTOR")
DATES = ("START_DATE", "END_DATE")
RACES: dict[str, Group] = {
    "AFRICAN_AMERICAN": Group.BLACK,
    "HISPANIC": Group.HISPANIC,
    "WHITE": Group.WHITE,
    "ASIAN_AMERICAN": Group.ASIAN_PI,
    "OTHER": Group.OTHER,
}
# question -> (overall column, prefix of its race columns); trust and safety are required, the items optional.
QUESTIONS: dict[str, tuple[str, str]] = {
    "trust": ("TRUST", "T_RACE_"),
    "safety": ("SAFETY", "S_RACE_"),
    "listen": ("T_LISTEN", "T_LISTEN_RACE_"),
    "respect": ("T_RESPECT", "T_RESPECT_RACE_"),
}
REQUIRED_QUESTIONS = ("trust", "safety")
MODE = "Elucd's opt-in online micro-surveys (in-app and social-media ads)"
CAVEATS = (
    "Chicago's sentiment scores are 0–100 (the 0–10 answer × 10): trust is the mean of two items, whether police "
    "in the neighbourhood treat residents with respect and listen to their concerns; safety is how safe "
    "respondents feel in their neighbourhood.",
    "The file's race categories (African American, Hispanic, White, Asian American, Other) are mapped onto the "
    "Open Policing groups; the publisher does not say whether Hispanic respondents are also counted in a race.",
    "Seven-day windows (2017-11 to 2019-05) overlap the monthly scores and are not used; each wave is a "
    "calendar month.",
)


class ChicagoSentimentOptions(StrictOptions):
    """`area`: `citywide` (default) or an `AREA` value; `district` / `sector`: a district or sector number."""

    area: str = "citywide"
    district: str | None = None
    sector: str | None = None

    @model_validator(mode="after")
    def _one_geography(self) -> ChicagoSentimentOptions:
        chosen = [
            k for k, v in (("area", self.area != "citywide"), ("district", self.district), ("sector", self.sector)) if v
        ]
        if len(chosen) > 1:
            raise ValueError(f"give only one of area, district, sector (got {', '.join(chosen)})")
        return self

    def label(self) -> str:
        if self.sector:
            return f"sector {self.sector}"
        if self.district:
            return f"district {self.district}"
        return self.area


def read_chicago_police_sentiment(ctx: AdapterContext) -> SourceData:
    """Monthly trust and safety scores by race for one Chicago geography (rules: module doc)."""
    opts = parse_options(ChicagoSentimentOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    required = [*GEOGRAPHY, *DATES, *(_columns(q) for q in REQUIRED_QUESTIONS)]
    require_columns(pd.DataFrame(columns=header), _flat(required), path)
    questions = [q for q in QUESTIONS if set(_columns(q)) <= set(header)]

    raw = _read(path, [*GEOGRAPHY, *DATES, *_flat(_columns(q) for q in questions)])
    sid = ctx.source_id
    unique = raw.drop_duplicates()
    dropped = [Dropped(sid, "drop exact duplicate rows", len(raw), len(unique), "the file repeats some rows verbatim")]
    here = _select_geography(_with_dates(unique, path), opts, path)
    dropped.append(Dropped(sid, f"keep {opts.label()} rows", len(unique), len(here), "other geographies"))
    monthly = _monthly(here)
    dropped.append(
        Dropped(sid, "keep calendar-month waves", len(here), len(monthly), "seven-day windows overlap the months")
    )
    _refuse_conflicts(monthly, path, opts.label())

    survey = _survey(monthly, questions, sid, path)
    caveats = (*CAVEATS, *survey_caveats(survey, True, MODE))
    if opts.label() != "citywide":
        caveats += ("Scores for small geographies and small groups are noisy and sometimes repeat across rows.",)
    log.info("%s: %s, %d monthly waves", sid, opts.label(), len(monthly))
    return finish(
        ctx,
        survey_counts(survey),
        coverage=wave_coverage(survey, sid),
        dropped=dropped,
        caveats=caveats,
        extras={"survey": survey},
    )


def _columns(question: str) -> tuple[str, ...]:
    overall, prefix = QUESTIONS[question]
    return (overall, *(prefix + race for race in RACES))


def _flat(parts) -> list[str]:
    out: list[str] = []
    for p in parts:
        out.extend([p] if isinstance(p, str) else p)
    return out


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        with common.open_text(path) as fh:
            return pd.read_csv(fh, dtype=str, usecols=columns, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err


def _select_geography(frame: pd.DataFrame, opts: ChicagoSentimentOptions, path: Path) -> pd.DataFrame:
    empty = {c: frame[c].str.strip() == "" for c in GEOGRAPHY}
    if opts.sector:
        common.check_option_value(path, "sector", opts.sector, frame["SECTOR"], "SECTOR")
        return frame[frame["SECTOR"].str.strip() == opts.sector]
    if opts.district:
        common.check_option_value(path, "district", opts.district, frame["DISTRICT"], "DISTRICT")
        return frame[(frame["DISTRICT"].str.strip() == opts.district) & empty["SECTOR"]]
    if opts.area == "citywide":
        keep = empty["AREA"] & empty["DISTRICT"] & empty["SECTOR"]
        if not keep.any():
            raise SourceError(path, "no citywide rows (AREA, DISTRICT and SECTOR all empty)", column="AREA")
        return frame[keep]
    common.check_option_value(path, "area", opts.area, frame["AREA"], "AREA")
    return frame[(frame["AREA"].str.strip() == opts.area) & empty["DISTRICT"] & empty["SECTOR"]]


def _with_dates(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The rows with parsed period_start / period_end; a date that is not MM/DD/YYYY names its line."""
    out = frame.copy()
    for col, target in zip(DATES, ("period_start", "period_end"), strict=True):
        parsed = pd.to_datetime(out[col], format="%m/%d/%Y", errors="coerce")
        if parsed.isna().any():
            bad = out.loc[parsed.isna(), col].iloc[0]
            line = common.first_line_where(path, col, lambda v, b=bad: v == b.strip())
            raise SourceError(path, f"expected a date MM/DD/YYYY, got {bad!r}", column=col, row=line)
        out[target] = parsed
    return out


def _monthly(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose window is one calendar month."""
    start = frame["period_start"]
    return frame[(start.dt.day == 1) & (frame["period_end"] == start + pd.offsets.MonthEnd(0))]


def _refuse_conflicts(frame: pd.DataFrame, path: Path, label: str) -> None:
    clash = frame.duplicated([*GEOGRAPHY, "period_start"], keep=False)
    if clash.any():
        when = frame.loc[clash, "period_start"].min()
        raise SourceError(path, f"two different {label} rows for the month {when:%Y-%m}; cannot tell which is right")


def _survey(monthly: pd.DataFrame, questions: list[str], sid: str, path: Path) -> pd.DataFrame:
    """Long survey table (SURVEY_COLUMNS): one row per month, question and group with a score."""
    parts = []
    for question in questions:
        overall, prefix = QUESTIONS[question]
        columns = {overall: Group.ALL, **{prefix + race: group for race, group in RACES.items()}}
        for column, group in columns.items():
            scores = _scores(monthly, column, path)
            parts.append(
                pd.DataFrame(
                    {
                        "period_start": monthly["period_start"],
                        "period_end": monthly["period_end"],
                        "question": question,
                        "group": str(group),
                        "value": scores,
                    }
                ).dropna(subset=["value"])
            )
    long = pd.concat(parts, ignore_index=True)
    long = long.assign(
        source_id=sid,
        wave=long["period_start"].dt.strftime("%Y-%m"),
        statistic="mean",
        n=float("nan"),
        sd=float("nan"),
        design_effect=1.0,
        scale="0-100",
        modelled=True,
    )
    order = ["question", "period_start", "group"]
    return with_survey_schema(long.sort_values(order, kind="stable").reset_index(drop=True))


def _scores(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A score column as floats (empty → NaN); a non-number or a score outside 0–100 is an error."""
    text = frame[column].str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (values.isna() & (text != "")) | (values < 0) | (values > 100)
    if bad.any():
        value = text[bad].iloc[0]
        line = common.first_line_where(path, column, lambda v: v == value)
        raise SourceError(path, f"expected a score from 0 to 100, got {value!r}", column=column, row=line)
    return values
