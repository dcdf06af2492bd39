"""Chicago Police Sentiment Scores adapter on the bundled portal file (golden values: the City of Chicago
data portal `28me-84fj` scores as listed in data/chicago-police-sentiment/SOURCE.md)."""

from __future__ import annotations

import gzip
import math

import pandas as pd
import pytest
from sources_helpers import DATA, GROUPS, MEASURES, read

from trustreport.errors import SourceError
from trustreport.vocab import Measure

FILE = DATA / "chicago-police-sentiment" / "Police_Sentiment_Scores.csv.gz"
KIND = "chicago_police_sentiment"


@pytest.fixture(scope="module")
def citywide():
    return read(KIND, FILE, source_id="chicago-sentiment")


def _month(data, measure: Measure, month: str) -> dict[str, float]:
    c = data.counts
    rows = c[(c["measure"] == measure.value) & (c["period_start"] == pd.Timestamp(f"{month}-01"))]
    return dict(zip(rows["group"], rows["value"], strict=True))


def test_golden_2018_01_citywide(citywide):
    trust = _month(citywide, Measure.SURVEY_TRUST_MEAN, "2018-01")
    assert trust["all"] == 59.85
    assert trust["black"] == 55.97
    assert trust["hispanic"] == 60.64
    assert trust["white"] == 65.67
    assert _month(citywide, Measure.SURVEY_SAFETY_MEAN, "2018-01")["all"] == 62.89


def test_golden_2023_01_citywide(citywide):
    trust = _month(citywide, Measure.SURVEY_TRUST_MEAN, "2023-01")
    assert (trust["all"], trust["black"], trust["white"]) == (57.82, 55.35, 62.42)


def test_trust_items_from_2020_06_in_extras(citywide):
    s = citywide.extras["survey"]
    june = s[(s["wave"] == "2020-06") & (s["group"] == "all")].set_index("question")["value"]
    assert june.to_dict() == {"listen": 63.75, "respect": 66.93, "safety": 55.87, "trust": 65.34}
    assert s.loc[s["question"] == "listen", "period_start"].min() == pd.Timestamp("2020-06-01")


def test_64_monthly_waves_no_sample_sizes(citywide):
    trust = citywide.counts[citywide.counts["measure"] == Measure.SURVEY_TRUST_MEAN.value]
    months = trust.loc[trust["group"] == "all", "period_start"]
    assert len(months) == 64 and months.is_unique
    assert (months.min(), months.max()) == (pd.Timestamp("2017-11-01"), pd.Timestamp("2023-02-01"))
    assert trust["n"].isna().all()
    assert citywide.extras["survey"]["modelled"].all()
    assert set(citywide.counts["group"]) <= GROUPS and set(citywide.counts["measure"]) <= MEASURES


def test_dedup_and_weekly_windows_recorded(citywide):
    steps = {d.step: (d.rows_in, d.rows_out) for d in citywide.dropped}
    assert steps["drop exact duplicate rows"] == (6587, 6517)
    assert steps["keep calendar-month waves"][1] == 64


def test_caveat_says_no_sample_sizes(citywide):
    text = " ".join(citywide.caveats)
    assert "no sampling interval" in text and "opt-in" in text


def test_coverage_spans_the_months(citywide):
    spans = {(c.measure, c.start.isoformat(), c.end.isoformat()) for c in citywide.coverage}
    assert (Measure.SURVEY_TRUST_MEAN, "2017-11-01", "2023-02-28") in spans


def test_district_option():
    d7 = read(KIND, FILE, {"district": "7"})
    trust = d7.counts[(d7.counts["measure"] == "survey_trust_mean") & (d7.counts["group"] == "all")]
    assert len(trust) == 64
    assert not trust["value"].equals(_all_trust(read(KIND, FILE)))


def _all_trust(data) -> pd.Series:
    c = data.counts
    return c[(c["measure"] == "survey_trust_mean") & (c["group"] == "all")]["value"]


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"district": "99"}, "district"),
        ({"area": "area_9"}, "area"),
        ({"district": "7", "sector": "714"}, "only one"),
        ({"ward": "7"}, "unknown key"),
    ],
)
def test_bad_options(options, needle):
    with pytest.raises(SourceError, match=needle):
        read(KIND, FILE, options)


def test_missing_column_names_file_and_column(tmp_path):
    frame = pd.read_csv(FILE, dtype=str, nrows=5).drop(columns=["T_RACE_WHITE"])
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SourceError, match="T_RACE_WHITE") as err:
        read(KIND, path)
    assert "scores.csv" in str(err.value)


def test_bad_date_names_line(tmp_path):
    with gzip.open(FILE, "rt") as fh:
        lines = fh.read().splitlines()[:4]
    lines[2] = lines[2].replace(lines[2].split(",")[-1], "2021-04-30")
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError, match="MM/DD/YYYY") as err:
        read(KIND, path)
    assert err.value.row == 3


def test_no_interval_is_invented(citywide):
    assert math.isnan(citywide.counts["n"].iloc[0])
