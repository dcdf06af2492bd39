"""Survey results (trust, safety, …) by wave and group → survey means in the counts table, full detail in extras.

The generic survey-results CSV (documented with an example in `data/surveys/README.md`) has one row per wave,
group, question and statistic:

- `wave`: a label for the wave ("2016-09", "Wave 3").
- `start`, `end`: inclusive ISO dates of the fieldwork; or `date` alone for a one-day wave (or a published
  monthly figure dated to its month: then give `start`/`end`).
- `group`: a canonical group (`black`, `hispanic`, `white`, `asian/pacific islander`, `other`, `unknown`,
  `all`), or any label mapped by the `group_labels` option.
- `question`: `trust`, `safety`, or another item label (e.g. `respect`, `listen`); `question_labels` maps the
  file's labels onto these.
- `statistic`: `mean` (an average answer on `scale`) or `share` (a proportion answering e.g. "trust a great
  deal / fair amount"; `scale` `0-1` or `percent`).
- `value`: the mean or share.
- `n`: respondents behind the value; empty when not published (never guessed).
- `sd`: standard deviation of the answers (means only), on the same scale as `value`; empty when unknown.
- `design_effect`: Kish design effect of the weights (1 or empty for a simple random sample); the effective
  sample size is n / design_effect.
- `scale`: the answer scale of a mean, `low-high` (`0-10`, `0-100`, `1-5`, `1-4`); `0-1` or `percent` for shares.
- `weights` (optional): a note on weighting ("raked to ACS age × sex × race"); `citation` (optional).
- `answer` (optional): which response a share counts ("a great deal / a fair amount", "treated equally").
- `scope` (optional, default `city`): the geography the poll sampled, `city`, `county`, `state` or `nation`;
  `geography` (its name: "United States"; required when the scope is wider than the city) and `population`
  (who was asked: "U.S. adults"). `sample_size` is accepted as the name of the `n` column.

A poll whose scope is wider than the city is **context**: it is kept in `extras["survey"]` and shown in its own
table, but never becomes the city's trust (no counts rows, no coverage, no then/now test).

Canonical scale: every mean is rescaled linearly to **0–100** (low → 0, high → 100; 6.1 on 0–10 is 61), and its
sd by the same factor; shares are stored as proportions 0–1. City-scope means of `trust` and `safety` become counts rows
(`survey_trust_mean`, `survey_safety_mean`; `value` = the 0–100 mean, `n` = respondents or NaN, period = the
wave's dates). Everything (other items, shares, sd, design effect) is kept in `extras["survey"]` with the columns
of `SURVEY_COLUMNS`; the trust metrics read that table, never `window_totals` (means are not summed).

Options: `group_labels`, `question_labels` (mappings), `modelled` (true when the values are model-based
small-area estimates rather than direct survey estimates: no sampling interval is given even where n is
known), `mode` (how respondents were recruited, e.g. "opt-in online ads"; stated as a caveat on mode effects).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pydantic import Field, field_validator

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
from trustreport.sources.survey_table import QUESTION_MEASURES, SURVEY_COLUMNS, Scope, city_rows, context_rows
from trustreport.vocab import Group

EXTRAS = (
    ExtrasTable("survey", {"wave": "text", "period_start": "date", "period_end": "date", "question": "text",
                           "statistic": "text", "group": "text", "value": "number", "n": "number",
                           "sd": "number", "design_effect": "number", "modelled": "bool"},
                "one row per wave, question and group: the published mean or share with its sample"),
)  # fmt: skip

log = logging.getLogger("trustreport")

REQUIRED = ("wave", "group", "question", "statistic", "value", "scale")
OPTIONAL = (
    "start",
    "end",
    "date",
    "n",
    "sd",
    "design_effect",
    "weights",
    "citation",
    "answer",
    "scope",
    "geography",
    "population",
)
STATISTICS = frozenset({"mean", "share"})
CANONICAL_SCALE = "0-100"
_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Scale:
    """An answer scale `low`–`high` (e.g. 0–10); the canonical scale of means is 0–100."""

    low: float
    high: float

    def to_canonical(self, value: float) -> float:
        """Linear map of `value` onto 0–100: low → 0, high → 100 (6.1 on 0–10 → 61)."""
        return (value - self.low) * 100 / (self.high - self.low)

    def from_canonical(self, value: float) -> float:
        """The inverse map, 0–100 → this scale (66 → 6.6 on 0–10)."""
        return self.low + value * (self.high - self.low) / 100

    def sd_to_canonical(self, sd: float) -> float:
        """A standard deviation scales by the same factor as the values (the shift does not move it)."""
        return sd * 100 / (self.high - self.low)


def parse_scale(text: str) -> Scale:
    """'0-10' → Scale(0, 10); raises ValueError for anything else (or a scale whose high is not above low)."""
    match = _SCALE.match(text or "")
    if not match:
        raise ValueError(f"expected a scale like 0-10 or 1-5, got {text!r}")
    low, high = float(match.group(1)), float(match.group(2))
    if high <= low:
        raise ValueError(f"scale {text!r} must run from low to high")
    return Scale(low, high)


def rescale(value: float, *, source: str, target: str = CANONICAL_SCALE) -> float:
    """A mean on scale `source` expressed on scale `target` (both 'low-high'), linearly (docs/anchors.md C11)."""
    return parse_scale(target).from_canonical(parse_scale(source).to_canonical(value))


class SurveyOptions(StrictOptions):
    """`group_labels` / `question_labels`: file label → canonical group / question; `modelled`: values are model
    estimates (no sampling interval); `mode`: how respondents were recruited."""

    group_labels: dict[str, Group] = Field(default_factory=dict)
    question_labels: dict[str, str] = Field(default_factory=dict)
    modelled: bool = False
    mode: str | None = None

    @field_validator("question_labels")
    @classmethod
    def _lower(cls, v: dict[str, str]) -> dict[str, str]:
        return {k: q.strip().lower() for k, q in v.items()}


def read_survey_results(ctx: AdapterContext) -> SourceData:
    """Survey means and shares by wave, group and question from the generic survey-results CSV (module doc)."""
    opts = parse_options(SurveyOptions, ctx)
    path = ctx.path
    common.require_file(path)
    raw = _sample_size_as_n(_read_csv(path), path)
    require_columns(raw, REQUIRED, path)
    if "date" not in raw.columns and not {"start", "end"} <= set(raw.columns):
        raise SourceError(path, "needs `start` and `end` columns (or `date`) for each wave", column="start")
    survey = _survey_table(raw, path, opts, ctx.source_id)
    _refuse_duplicates(survey, path)
    counts = survey_counts(survey)
    caveats = survey_caveats(survey, opts.modelled, opts.mode)
    city = city_rows(survey)
    dropped = [
        Dropped(
            ctx.source_id,
            "keep polls of the city itself as its trust",
            len(survey),
            len(city),
            "polls of a wider geography (county, state, nation) are shown as context only",
        ),
        Dropped(
            ctx.source_id,
            "keep trust and safety means as counts",
            len(city),
            len(counts),
            "shares and other items stay in extras['survey'] only; means are not counts and are never summed",
        ),
    ]
    log.info("%s: %d survey rows, %d waves", ctx.source_id, len(survey), survey["wave"].nunique())
    return finish(
        ctx,
        counts,
        coverage=wave_coverage(survey, ctx.source_id),
        dropped=dropped,
        caveats=caveats,
        extras={"survey": survey},
    )


def _read_csv(path) -> pd.DataFrame:
    try:
        with common.open_text(path) as fh:
            frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SourceError(path, f"cannot read as CSV: {err}") from err
    return frame.rename(columns=str.strip).apply(lambda c: c.str.strip())


def _sample_size_as_n(raw: pd.DataFrame, path) -> pd.DataFrame:
    """`sample_size` is another name for `n`; a file with both is ambiguous."""
    if "sample_size" not in raw.columns:
        return raw
    if "n" in raw.columns:
        raise SourceError(path, "has both `n` and `sample_size`; keep one (they mean the same)", column="sample_size")
    return raw.rename(columns={"sample_size": "n"})


def _line(i: int) -> int:
    """CSV line of data row i (the header is line 1)."""
    return i + 2


def _survey_table(raw: pd.DataFrame, path, opts: SurveyOptions, source_id: str) -> pd.DataFrame:
    rows = [_parse_row(row, i, path, opts) for i, row in enumerate(raw.to_dict("records"))]
    frame = pd.DataFrame(rows, columns=[c for c in SURVEY_COLUMNS if c != "source_id"])
    frame.insert(0, "source_id", source_id)
    return frame


def _parse_row(row: dict[str, str], i: int, path, opts: SurveyOptions) -> dict:
    line = _line(i)
    start, end = _dates(row, line, path)
    group = _group(row["group"], line, path, opts)
    question = opts.question_labels.get(row["question"], row["question"].lower())
    if not question:
        raise SourceError(path, "empty question", column="question", row=line)
    statistic = row["statistic"].lower()
    if statistic not in STATISTICS:
        raise SourceError(
            path, f"statistic must be mean or share, got {row['statistic']!r}", column="statistic", row=line
        )
    value = _number(row, "value", line, path)
    n = _number(row, "n", line, path, positive=True)
    sd = _number(row, "sd", line, path, positive=True, zero_ok=True)
    deff = _number(row, "design_effect", line, path, positive=True)
    if statistic == "mean":
        value, sd = _canonical_mean(value, sd, row["scale"], line, path)
    else:
        value = _canonical_share(value, row["scale"], line, path)
        if not math.isnan(sd):
            raise SourceError(path, "sd is for means only; leave it empty for a share", column="sd", row=line)
    scope, geography = _scope(row, line, path)
    return {
        "wave": row["wave"] or start.isoformat(),
        "period_start": pd.Timestamp(start),
        "period_end": pd.Timestamp(end),
        "question": question,
        "statistic": statistic,
        "group": str(group),
        "value": value,
        "n": n,
        "sd": sd,
        "design_effect": 1.0 if math.isnan(deff) else deff,
        "scale": row["scale"],
        "modelled": opts.modelled,
        "answer": row.get("answer", ""),
        "scope": str(scope),
        "geography": geography,
        "population": row.get("population", ""),
    }


def _scope(row: dict[str, str], line: int, path) -> tuple[Scope, str]:
    text = (row.get("scope") or str(Scope.CITY)).lower()
    try:
        scope = Scope(text)
    except ValueError:
        known = [str(s) for s in Scope]
        raise SourceError(path, f"scope must be one of {known}, got {text!r}", column="scope", row=line) from None
    geography = row.get("geography", "")
    if scope != Scope.CITY and not geography:
        raise SourceError(
            path, f"a {scope} poll needs `geography` (e.g. 'United States')", column="geography", row=line
        )
    return scope, geography


def _dates(row: dict[str, str], line: int, path) -> tuple[date, date]:
    if row.get("start") or row.get("end"):
        start, end = _date(row, "start", line, path), _date(row, "end", line, path)
    else:
        start = end = _date(row, "date", line, path)
    if end < start:
        raise SourceError(path, f"end {end} is before start {start}", column="end", row=line)
    return start, end


def _date(row: dict[str, str], column: str, line: int, path) -> date:
    try:
        return date.fromisoformat(row.get(column, ""))
    except ValueError:
        raise SourceError(
            path, f"expected a date YYYY-MM-DD, got {row.get(column, '')!r}", column=column, row=line
        ) from None


def _group(label: str, line: int, path, opts: SurveyOptions) -> Group:
    if label in opts.group_labels:
        return opts.group_labels[label]
    try:
        return Group(label.lower())
    except ValueError:
        known = sorted(g.value for g in Group)
        raise SourceError(
            path,
            f"unrecognised group {label!r}; use one of {known} or map it with `group_labels`",
            column="group",
            row=line,
        ) from None


def _number(row: dict[str, str], column: str, line: int, path, *, positive=False, zero_ok=False) -> float:
    text = row.get(column, "")
    if text == "":
        if column == "value":
            raise SourceError(path, "value is empty", column=column, row=line)
        return math.nan
    try:
        x = float(text)
    except ValueError:
        raise SourceError(path, f"expected a number, got {text!r}", column=column, row=line) from None
    if not math.isfinite(x) or (positive and (x < 0 or (x == 0 and not zero_ok))):
        raise SourceError(path, f"expected a positive number, got {text!r}", column=column, row=line)
    return x


def _canonical_mean(value: float, sd: float, scale_text: str, line: int, path) -> tuple[float, float]:
    try:
        scale = parse_scale(scale_text)
    except ValueError as err:
        raise SourceError(path, str(err), column="scale", row=line) from None
    if not scale.low <= value <= scale.high:
        raise SourceError(path, f"mean {value:g} lies outside its scale {scale_text}", column="value", row=line)
    return scale.to_canonical(value), (sd if math.isnan(sd) else scale.sd_to_canonical(sd))


def _canonical_share(value: float, scale_text: str, line: int, path) -> float:
    top = {"0-1": 1.0, "percent": 100.0, "0-100": 100.0}.get(scale_text.replace("–", "-").replace(" ", ""))
    if top is None:
        raise SourceError(path, f"a share's scale is 0-1 or percent, got {scale_text!r}", column="scale", row=line)
    if not 0 <= value <= top:
        raise SourceError(path, f"share {value:g} lies outside 0–{top:g}", column="value", row=line)
    return value / top


def _refuse_duplicates(survey: pd.DataFrame, path) -> None:
    key = ["wave", "period_start", "period_end", "question", "statistic", "group", "scope", "geography", "answer"]
    dup = survey.duplicated(key, keep="first")
    if dup.any():
        i = int(dup.idxmax())
        row = survey.loc[i]
        raise SourceError(
            path,
            f"wave {row['wave']!r} has two {row['statistic']} rows for {row['question']} / {row['group']}",
            column="wave",
            row=_line(i),
        )


def survey_counts(survey: pd.DataFrame) -> pd.DataFrame:
    """Counts rows for the city-scope trust and safety means of a survey table (value 0–100, n respondents or
    NaN); a wider poll's means are context, not counts."""
    city = city_rows(survey)
    means = city[(city["statistic"] == "mean") & city["question"].isin(QUESTION_MEASURES)]
    return pd.DataFrame(
        {
            "period_start": means["period_start"],
            "period_end": means["period_end"],
            "measure": means["question"].map(lambda q: str(QUESTION_MEASURES[q])),
            "group": means["group"],
            "value": means["value"],
            "n": means["n"],
        }
    ).reset_index(drop=True)


def wave_coverage(survey: pd.DataFrame, source_id: str) -> list[Coverage]:
    """Per trust/safety measure, the spans the city's waves cover (adjacent or overlapping waves merged)."""
    out: list[Coverage] = []
    survey = city_rows(survey)
    for question, measure in QUESTION_MEASURES.items():
        waves = survey.loc[survey["question"] == question, ["period_start", "period_end"]].drop_duplicates()
        for start, end in merge_spans(waves.sort_values(["period_start", "period_end"]).itertuples(index=False)):
            out.append(Coverage(source_id, measure, start, end, "survey waves (the days each wave's fieldwork covers)"))
    return out


def merge_spans(spans) -> list[tuple[date, date]]:
    merged: list[list[date]] = []
    for start, end in spans:
        start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        if merged and (start - merged[-1][1]).days <= 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def survey_caveats(survey: pd.DataFrame, modelled: bool, mode: str | None) -> list[str]:
    """The caveats a survey table carries: modelled values, missing sample sizes, recruitment mode."""
    found = []
    if modelled:
        found.append(
            "Survey scores here are model-based estimates, not direct survey averages: no sampling interval is "
            "given for them, and differences between them are descriptive only."
        )
    elif survey["n"].isna().any():
        found.append(
            "Some survey values are published without a sample size; they carry no margin of error and their "
            "differences are descriptive only."
        )
    wider = context_rows(survey)
    if len(wider):
        where = ", ".join(dict.fromkeys(wider["geography"]))
        found.append(
            f"Some survey rows come from polls of a wider geography ({where}) than the city; they are shown as "
            "context beside the city's figures, never as the city's own trust."
        )
    if mode:
        found.append(
            f"Survey respondents were recruited by {mode}; answers gathered one way (opt-in online, phone, "
            "address-based mail) are not directly comparable with answers gathered another (mode effects)."
        )
    return found
