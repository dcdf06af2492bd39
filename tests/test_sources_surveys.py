"""Generic survey-results and community-contacts adapters: the documented formats (data/surveys/README.md),
rescaling to the canonical 0–100 scale (docs/anchors.md C11: NYPD trust 6.1 → 6.6 on 0–10 is 61 → 66), and one error
per failure mode, each naming the file, the line and the column."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from sources_helpers import DATA, read, totals

from trustreport.errors import SourceError
from trustreport.sources.surveys import parse_scale, rescale
from trustreport.vocab import Measure

FIXTURES = Path(__file__).parent / "data" / "surveys"
SYNTHETIC = FIXTURES / "synthetic.csv"
CONTACTS = FIXTURES / "contacts.csv"
NYPD = DATA / "surveys" / "nypd-sentiment-c11.csv"
HEADER = "wave,start,end,group,question,statistic,value,n,sd,design_effect,scale\n"


def test_c11_scale_conversion_exact():
    assert rescale(6.1, source="0-10") == 61.0
    assert rescale(6.6, source="0-10") == 66.0
    assert rescale(66.0, source="0-100", target="0-10") == 6.6
    assert rescale(3, source="1-5") == 50.0
    assert parse_scale("1–4") == parse_scale("1-4")


def test_nypd_example_rescaled_to_0_100():
    data = read("survey_results", NYPD, {"modelled": True, "mode": "opt-in online ads"})
    c = data.counts
    trust = c[c["measure"] == Measure.SURVEY_TRUST_MEAN.value].sort_values("period_start")
    assert trust["value"].tolist() == [61.0, 66.0]
    assert trust["n"].isna().all()
    safety = c[c["measure"] == Measure.SURVEY_SAFETY_MEAN.value].sort_values("period_start")
    assert safety["value"].tolist() == [65.0, 63.0]
    assert any("model-based" in cav for cav in data.caveats)
    assert any("mode effects" in cav for cav in data.caveats)


def test_synthetic_means_shares_sd_and_design_effect():
    data = read("survey_results", SYNTHETIC)
    s = data.extras["survey"]
    w1 = s[(s["wave"] == "W1") & (s["group"] == "all") & (s["question"] == "trust")].set_index("statistic")
    assert w1.loc["mean", "value"] == pytest.approx(55.0)  # 3.2 on 1–5
    assert w1.loc["mean", "sd"] == pytest.approx(27.5)  # 1.1 × 100/4
    assert w1.loc["share", "value"] == 0.55 and w1.loc["share", "design_effect"] == 1.5
    w2_share = s[(s["wave"] == "W2") & (s["statistic"] == "share")]["value"].iloc[0]
    assert w2_share == pytest.approx(0.61)
    # Only trust and safety means are counts; the respect item and the shares stay in extras.
    assert set(data.counts["measure"]) == {"survey_trust_mean", "survey_safety_mean"}
    assert len(data.counts) == 8 and "respect" in set(s["question"])
    assert data.counts["n"].tolist().count(800.0) == 2


def test_group_and_question_labels(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "1,2020-01-01,2020-01-31,African American,Trust in police,mean,60,,,,0-100\n")
    data = read(
        "survey_results",
        path,
        {"group_labels": {"African American": "black"}, "question_labels": {"Trust in police": "trust"}},
    )
    assert data.counts[["group", "measure", "value"]].values.tolist() == [["black", "survey_trust_mean", 60.0]]
    assert math.isnan(data.counts["n"].iloc[0])


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        ("1,2020-01-01,2020-01-31,martian,trust,mean,6,,,,0-10", "group", "unrecognised group"),
        ("1,2020-01-01,2020-01-31,all,trust,median,6,,,,0-10", "statistic", "mean or share"),
        ("1,2020-01-01,2020-01-31,all,trust,mean,11,,,,0-10", "value", "outside its scale"),
        ("1,2020-01-01,2020-01-31,all,trust,mean,6,,,,ten", "scale", "expected a scale"),
        ("1,2020-01-01,2020-01-31,all,trust,share,1.2,,,,0-1", "value", "outside"),
        ("1,2020-01-01,2020-01-31,all,trust,mean,6,-5,,,0-10", "n", "positive"),
        ("1,2020-01-01,2020-01-31,all,trust,mean,six,,,,0-10", "value", "expected a number"),
        ("1,2020-13-01,2020-01-31,all,trust,mean,6,,,,0-10", "start", "YYYY-MM-DD"),
        ("1,2020-02-01,2020-01-31,all,trust,mean,6,,,,0-10", "end", "before"),
    ],
)
def test_bad_rows_name_line_and_column(tmp_path, row, column, needle):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "1,2020-01-01,2020-01-31,all,safety,mean,6,,,,0-10\n" + row + "\n")
    with pytest.raises(SourceError, match=needle) as err:
        read("survey_results", path)
    assert (err.value.column, err.value.row) == (column, 3)
    assert "bad.csv" in str(err.value)


def test_duplicate_wave_row(tmp_path):
    path = tmp_path / "dup.csv"
    row = "1,2020-01-01,2020-01-31,all,trust,mean,6,,,,0-10\n"
    path.write_text(HEADER + row + row)
    with pytest.raises(SourceError, match="two mean rows") as err:
        read("survey_results", path)
    assert err.value.row == 3


def test_missing_columns_and_options(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("wave,group,question,statistic,value\n1,all,trust,mean,6\n")
    with pytest.raises(SourceError, match="scale"):
        read("survey_results", path)
    with pytest.raises(SourceError, match="unknown key"):
        read("survey_results", SYNTHETIC, {"weights": "yes"})


def test_contacts_summed_per_period():
    data = read("community_contacts", CONTACTS)
    assert totals(data, Measure.CONTACTS) == {"all": 800.0}
    rows = data.counts.sort_values("period_start")
    assert rows["value"].tolist() == [200.0, 290.0, 310.0]
    assert {c.start.isoformat() for c in data.coverage} == {"2015-01-01", "2022-01-01"}
    assert set(data.extras["contacts_by_kind"]["kind"]) == {
        "community meetings",
        "school events",
        "youth programme sessions",
    }


def test_contacts_kinds_option():
    data = read("community_contacts", CONTACTS, {"kinds": ["community meetings"]})
    assert totals(data, Measure.CONTACTS) == {"all": 320.0}
    with pytest.raises(SourceError, match="did you mean"):
        read("community_contacts", CONTACTS, {"kinds": ["community meeting"]})


def test_contacts_overlapping_periods_refused(tmp_path):
    path = tmp_path / "c.csv"
    frame = pd.read_csv(CONTACTS)
    extra = pd.DataFrame([{"start": "2022-01-01", "end": "2022-12-31", "kind": "patrols on foot", "count": 5}])
    pd.concat([frame, extra]).to_csv(path, index=False)
    with pytest.raises(SourceError, match="overlap"):
        read("community_contacts", path)


def test_contacts_bad_count(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("start,end,kind,count\n2022-01-01,2022-12-31,meetings,12.5\n")
    with pytest.raises(SourceError, match="whole number") as err:
        read("community_contacts", path)
    assert (err.value.column, err.value.row) == ("count", 2)
