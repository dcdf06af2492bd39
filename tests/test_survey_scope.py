"""Surveys that say what they read: the answer a share counts, the geography a poll sampled, every item under its
own label. A real national poll (CBS News/YouGov, May 29–June 1 2020, n = 2,071 U.S. adults: 39% say police treat
Black and white people equally, 19% of Black adults; 57% say police treat white people better, 78% of Black,
52% of white and 57% of Hispanic adults; as reported by Newsweek and CBS News on 2020-06-02; bundled as
data/surveys/cbs-yougov-2020-police-treatment.csv) is context beside Chicago's own sentiment scores, never
Chicago's trust."""

from __future__ import annotations

import pytest
from sources_helpers import DATA, read

import trustreport as tr
from trustreport.errors import SourceError
from trustreport.tables.trust import trust as trust_table

POLL = DATA / "surveys" / "cbs-yougov-2020-police-treatment.csv"
HEADER = "wave,start,end,group,question,statistic,value,n,scale"


def test_national_poll_is_context_not_counts():
    data = read("survey_results", POLL, source_id="cbs-2020")
    survey = data.extras["survey"]
    assert set(survey["scope"]) == {"nation"} and set(survey["geography"]) == {"United States"}
    assert data.counts.empty and not data.coverage
    equal = survey[(survey["question"] == "police_treatment")].set_index("group")
    assert equal.loc["all", "value"] == pytest.approx(0.39) and equal.loc["black", "value"] == pytest.approx(0.19)
    assert equal.loc["all", "n"] == 2071 and equal.loc["all", "answer"].startswith("police treat Black and white")
    assert any("wider geography (United States)" in c for c in data.caveats)


def test_sample_size_column_and_scope_checks(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "wave,date,group,question,statistic,value,sample_size,scale,scope,geography\n"
        "1,2020-01-05,all,respect,share,0.4,500,0-1,state,Illinois\n",
        encoding="utf-8",
    )
    survey = read("survey_results", path).extras["survey"]
    assert survey["n"].tolist() == [500.0] and survey["scope"].tolist() == ["state"]
    path.write_text(f"{HEADER},scope\n1,2020-01-01,2020-01-31,all,trust,share,0.4,,0-1,nation\n", encoding="utf-8")
    with pytest.raises(SourceError, match="geography") as err:
        read("survey_results", path)
    assert "line 2" in str(err.value) or "row 2" in str(err.value)
    path.write_text(f"{HEADER},scope\n1,2020-01-01,2020-01-31,all,trust,share,0.4,,0-1,galaxy\n", encoding="utf-8")
    with pytest.raises(SourceError, match="scope must be one of"):
        read("survey_results", path)


@pytest.fixture(scope="module")
def chicago_with_poll(tmp_path_factory):
    """Chicago's bundled citywide sentiment scores plus the national poll, as a new user would attach it (the file
    is kept outside the project, so it names the repository as its data root)."""
    params = tmp_path_factory.mktemp("params") / "chicago.yaml"
    params.write_text(
        f"""
jurisdiction: chicago-il
data_root: "{DATA.parent}"
name: Chicago, IL
state: IL
then: {{label: "2017–2018", start: 2017-01-01, end: 2018-12-31}}
now: {{label: "2021–2022", start: 2021-01-01, end: 2022-12-31}}
groups: [black, hispanic, white]
sources:
  - id: chicago-sentiment
    kind: chicago_police_sentiment
    path: {DATA / "chicago-police-sentiment" / "Police_Sentiment_Scores.csv.gz"}
    options: {{area: citywide}}
    citation: City of Chicago Data Portal, Police Sentiment Scores
    licence: City of Chicago Data Portal terms of use
  - id: cbs-2020
    kind: survey_results
    path: {POLL}
    citation: CBS News/YouGov poll, May 29-June 1, 2020
    licence: Quoted facts with attribution
""",
        encoding="utf-8",
    )
    return tr.build(params)


def test_national_poll_never_becomes_the_citys_trust(chicago_with_poll):
    report = chicago_with_poll
    survey_estimates = [e for e in report.estimates if str(e.measure).startswith("survey_")]
    assert survey_estimates, "Chicago's own scores still give trust estimates"
    assert all("cbs-2020" not in e.sources for e in survey_estimates)
    context = report.prepared.survey_context
    assert len(context) == 6 and set(context["source_id"]) == {"cbs-2020"}
    all_equal = context[(context["item"] == "police_treatment") & (context["group"] == "all")].iloc[0]
    # Wilson 95% interval for 39% of 2,071 (docs/methods.md §2.1): about ±2.1 points.
    assert all_equal["low"] == pytest.approx(0.369, abs=0.002) and all_equal["high"] == pytest.approx(0.411, abs=0.002)


def test_every_item_under_its_own_label_and_no_scale_over_shares(chicago_with_poll):
    report = chicago_with_poll
    items = report.prepared.survey_items
    # Chicago's listen and respect items (from 2020-06) were dropped silently before; they are in 'now' only.
    assert {"listen", "respect"} <= set(items["item"])
    assert set(items["period"]) == {"now"}
    page = trust_table(report).data
    assert "<h3>Listen: mean score (0–100)</h3>" in page and "<h3>Respect: mean score (0–100)</h3>" in page
    assert "Context: polls of a wider area than the city" in page
    assert "United States (nation)" in page and "39.0% (36.9%–41.1%)" in page
    assert "share answering “police treat Black and white people equally”" in page
    assert "(0–100): share" not in page
