"""The `extras["survey"]` table every survey adapter produces (`sources.surveys`, `sources.chicago_sentiment`) and
the trust metrics read: its columns, and the questions whose means become counts rows. Public, like
`sources.base`: metrics depend on this schema, not on an adapter."""

from __future__ import annotations

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
)
QUESTION_MEASURES: dict[str, Measure] = {"trust": Measure.SURVEY_TRUST_MEAN, "safety": Measure.SURVEY_SAFETY_MEAN}
