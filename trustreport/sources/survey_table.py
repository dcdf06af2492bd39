"""The `extras["survey"]` table every survey adapter produces (`sources.surveys`, `sources.chicago_sentiment`) and
the trust metrics read: its columns, the questions whose means become counts rows, and the geographic scope of a
poll. Public, like `sources.base`: metrics depend on this schema, not on an adapter."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from trustreport.vocab import Measure

SURVEY_COLUMNS: tuple[str, ...] = (
    "source_id",
    "wave",
    "period_start",
    "period_end",
    "question",
    "statistic",
    "group",
    "value",
    "n",
    "sd",
    "design_effect",
    "scale",
    "modelled",
    "answer",
    "scope",
    "geography",
    "population",
)
QUESTION_MEASURES: dict[str, Measure] = {"trust": Measure.SURVEY_TRUST_MEAN, "safety": Measure.SURVEY_SAFETY_MEAN}


class Scope(StrEnum):
    """The geography a poll sampled: the city itself, or a wider one (county, state, nation)."""

    CITY = "city"
    COUNTY = "county"
    STATE = "state"
    NATION = "nation"


# The describing columns a table made before they existed gets: a city poll, answer and population unstated.
DESCRIBING_DEFAULTS: dict[str, str] = {"answer": "", "scope": str(Scope.CITY), "geography": "", "population": ""}


def with_survey_schema(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every column of `SURVEY_COLUMNS`, in order; missing describing columns get their defaults."""
    out = frame.copy()
    for column, default in DESCRIBING_DEFAULTS.items():
        if column not in out.columns:
            out[column] = default
    return out.loc[:, list(SURVEY_COLUMNS)]


def city_rows(survey: pd.DataFrame) -> pd.DataFrame:
    """The rows of polls of the city itself: the only ones read as the city's trust (levels, gaps, changes)."""
    return survey[survey["scope"] == str(Scope.CITY)]


def context_rows(survey: pd.DataFrame) -> pd.DataFrame:
    """The rows of polls wider than the city (county, state, nation): shown as context, never as the city's."""
    return survey[survey["scope"] != str(Scope.CITY)]
