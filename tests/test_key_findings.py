"""Key findings (issue 9, "A summary first"): 3 to 6 plain sentences at the top of every report, chosen by the
rule stated in `trustreport.key_findings`, each with its number, interval and how-sure word; and no internal or
broken wording in any demo city's narrative text.

Hartford, Newark and Chicago are built once for the module; the twelve demo cities once for the wording scan."""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

from trustreport import fmt, key_findings, narrative
from trustreport.key_findings import Sureness, Tier, select
from trustreport.report import build
from trustreport.statistic import Statistic
from trustreport.tables import availability
from trustreport.vocab import Flag, Group, Measure

ROOT = Path(__file__).resolve().parents[1]
DEMO = sorted((ROOT / "params").glob("[!_]*.yaml"))


@pytest.fixture(scope="module")
def reports():
    return {city: build(ROOT / "params" / f"{city}.yaml") for city in ("hartford", "newark", "chicago")}


@pytest.mark.parametrize("city", ["hartford", "newark", "chicago"])
def test_three_to_six_findings_each_with_a_number_and_how_sure(reports, city) -> None:
    found = select(reports[city])
    assert 3 <= len(found) <= 6, [f.text for f in found]
    for f in found:
        assert "\n" not in f.text and f.text.endswith(".")
        if f.tier in (Tier.VOLUME, Tier.DISPARITY, Tier.CHANGE):
            assert re.search(r"\d+% interval \d", f.text), f.text
            assert str(f.sureness) in f.text.lower(), f.text


def test_hartford_volumes_lead_then_sure_disparities_by_the_bound_nearest_one(reports) -> None:
    """Hartford 2014 vs Jan–Sep 2016: stops and arrests per resident fell, each interval far from 1 (stops 0.62,
    95% CI 0.59–0.64 in the report's own volume sentence), so both lead; then the disparities."""
    report = reports["hartford"]
    found = select(report)
    tiers = [f.tier for f in found]
    assert tiers[:2] == [Tier.VOLUME, Tier.VOLUME] and tiers[-1] == Tier.CANNOT_SAY
    assert tiers == sorted(tiers, key=[Tier.VOLUME, Tier.DISPARITY, Tier.CHANGE, Tier.LEDGER, Tier.CANNOT_SAY].index)
    assert {f.estimate_ids[0].split(".")[0] for f in found[:2]} == {"stops", "arrests"}
    by_id = {e.id: e for e in report.estimates}
    picked = [by_id[f.estimate_ids[0]] for f in found if f.tier is Tier.DISPARITY]
    assert picked and all(f.sureness is Sureness.CLEARLY for f in found if f.tier is Tier.DISPARITY)
    # Ranked by the interval's bound nearest 1, most distant first …
    bounds = [_nearest_bound_distance(e) for e in picked]
    assert bounds == sorted(bounds, reverse=True)
    # … and no sure, credible per-resident ratio left out lies further from 1 than the last one chosen.
    left_out = [
        e
        for e in report.estimates
        if e.statistic == Statistic.RATE_RATIO
        and e.period == "now"
        and e.id not in {p.id for p in picked}
        and narrative.is_real(e)
        and not {Flag.UNSTABLE, Flag.OVERLAPPING_CATEGORIES, Flag.NOT_COMPARABLE} & set(e.flags)
    ]
    assert all(_nearest_bound_distance(e) <= bounds[-1] for e in left_out)


def _nearest_bound_distance(e) -> float:
    """|log| of the interval bound nearest 1, computed here from the interval, independently of the module."""
    lo, hi = e.ci
    return math.log(lo) if lo > 1 else -math.log(hi)


def test_hartford_says_what_cannot_be_said(reports) -> None:
    """Searches and citations cross declared/detected recording breaks in Hartford (2015): not comparable."""
    last = select(reports["hartford"])[-1]
    assert last.tier is Tier.CANNOT_SAY
    assert "searches" in last.text and "citations" in last.text and "not comparable" in last.text


def test_no_finding_leads_with_an_unstable_or_overlapping_number(reports) -> None:
    for report in reports.values():
        by_id = {e.id: e for e in report.estimates}
        for f in select(report):
            for i in f.estimate_ids:
                e = by_id[i]
                if f.sureness is Sureness.CLEARLY:
                    assert Flag.UNSTABLE not in e.flags, f.text
                against_white = e.statistic != Statistic.VS_ALL_OTHERS_RATE_RATIO and e.group != Group.ALL
                assert not (against_white and Flag.OVERLAPPING_CATEGORIES in e.flags), f.text


def test_chicago_states_its_largest_sure_homicide_disparity(reports) -> None:
    """Chicago 2017–2018, on 2010 Census residents with Hispanic origin apart (no overlapping categories any more):
    523 Black homicide victims among 872,286 Black residents against 22 among 854,717 non-Hispanic white residents,
    a ratio of about 23.3 (37.4 before, on resident counts that overlapped race with Hispanic origin), ranked first by
    its interval's bound nearest 1; then Black residents against all other residents, about 8.3. The sentences'
    numbers are the estimates' own, printed by fmt."""
    report = reports["chicago"]
    found = select(report)
    texts = [f.text for f in found]
    by_id = {e.id: e for e in report.estimates}
    black, white = by_id["homicide_victims.rate.black.then"], by_id["homicide_victims.rate.white.then"]
    assert (black.numerator, black.denominator, white.numerator, white.denominator) == (523, 872286, 22, 854717)
    against_white = by_id["homicide_victims.rate_ratio.black.then"]
    assert math.isclose(against_white.value, (523 / 872286) / (22 / 854717), rel_tol=1e-9)
    assert fmt.times(against_white.value) == "23.3 times"
    others = by_id["homicide_victims.vs_all_others_rate_ratio.black.then"]
    disparities = [f for f in found if f.tier is Tier.DISPARITY]
    assert disparities[0].estimate_ids == (against_white.id,)
    assert f"Black people was clearly {fmt.times(against_white.value)} that for white people" in disparities[0].text
    assert any(f"Black people was clearly {fmt.times(others.value)} that for all other people" in t for t in texts)
    # Three groups' ratios of one measure do not fill every place: at most two per measure.
    measures = [by_id[f.estimate_ids[0]].measure for f in disparities]
    assert measures and all(measures.count(m) <= 2 for m in measures)


def test_newark_states_its_per_resident_disparities_and_what_overlaps(reports) -> None:
    """Newark 2021–2023, on 2020 Census residents with Hispanic origin apart: use-of-force incidents per resident,
    Black against white (about 5.0, clearly) and Hispanic against white (about 1.4, probably), so the claim ledger's
    tally is no longer needed to reach three findings. Its 'then' stop and arrest ratios rest on published counts
    with no Hispanic group (overlapping categories): the last line names those measures only, not the force ratios
    the findings state. The year-to-date homicide change rests on few events and is not needed either."""
    report = reports["newark"]
    found = select(report)
    by_id = {e.id: e for e in report.estimates}
    assert [f.tier for f in found] == [Tier.DISPARITY, Tier.DISPARITY, Tier.CANNOT_SAY]
    assert [f.estimate_ids for f in found[:2]] == [
        ("force_incidents.rate_ratio.black.now",),
        ("force_incidents.rate_ratio.hispanic.now",),
    ]
    assert [f.sureness for f in found[:2]] == [Sureness.CLEARLY, Sureness.PROBABLY]
    for f in found[:2]:
        e = by_id[f.estimate_ids[0]]
        assert Flag.OVERLAPPING_CATEGORIES not in e.flags
        assert f"was {f.sureness} {fmt.times(e.value)} that for white people" in f.text, f.text
    assert not any(f.tier is Tier.LEDGER for f in found)
    last = found[-1].text
    assert "overlapping categories" in last and "in stops or arrests per resident" in last, last
    assert "use-of-force" not in last.split("how people of colour")[1], last


def test_html_escapes_and_states_the_rule(reports) -> None:
    html = key_findings.key_findings(reports["hartford"]).data
    assert html.startswith("<ol class='tr-key'>") and html.count("<li>") == len(select(reports["hartford"]))
    assert "Chosen by a fixed rule" in html


def test_key_findings_are_the_first_section_of_the_template() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "trust_report.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headings[:2] == ["## Key findings", "## What data exist for which period"]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    title = code.index("tr.narrative.title_block(report)")
    assert code[title + 1] == "tr.key_findings.key_findings(report)"
    assert code[title + 2] == "tr.tables.availability(report)"


def test_glossary_defines_every_how_sure_word_and_status_once() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "trust_report.ipynb", as_version=4)
    (glossary,) = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Glossary")]
    for word in [*Sureness, "Rate ratio", "Interval", "Adjusted p-value", "Per resident", "Hit rate"]:
        assert glossary.count(f"**{str(word).capitalize()}**") == 1, word
    for word in ("Partial coverage", "Not comparable", "Not available", "Overlapping categories", "Veil of darkness"):
        assert glossary.count(f"**{word}**") == 1, word


@pytest.fixture(scope="module")
def demo_texts():
    """Every narrative text of the twelve demo cities (built, not rendered): title, subtitle, key findings, the
    full list of sentences, the claims summary and the availability grid."""
    out = {}
    for path in DEMO:
        report = build(path)
        out[path.stem] = "\n".join(
            [
                report.title,
                narrative.title_block(report).data,
                key_findings.key_findings(report).data,
                narrative.headline(report).data,
                narrative.claims_summary(report).data,
                availability(report).data,
            ]
        )
    return out


def test_twelve_demo_cities(demo_texts) -> None:
    assert len(demo_texts) == 12


@pytest.mark.parametrize("bad", ["In after", "In before", "((", "The params file", "placeholder", "Then: 2014 (2014)"])
def test_no_broken_or_internal_words_in_demo_narratives(demo_texts, bad) -> None:
    hits = [city for city, text in demo_texts.items() if bad.lower() in text.lower()]
    assert hits == []


def test_no_interval_method_names_in_demo_sentences(demo_texts) -> None:
    for city, text in demo_texts.items():
        for name in ("Clopper", "Koopman", "Mantel", "Poisson score", "GLM"):
            assert name not in text, (city, name)


def test_every_demo_title_names_its_city(demo_texts) -> None:
    for path in DEMO:
        name = load_name(path)
        assert demo_texts[path.stem].startswith(f"{name}: policing then ("), path.stem


def load_name(path: Path) -> str:
    from trustreport.params import load_params

    return load_params(path).params.name


def test_hartford_title_is_the_issue_example(reports) -> None:
    assert reports["hartford"].title == "Hartford, CT: policing then (2014) and now (1 Jan – 29 Sep 2016)"


def test_findings_keep_measures_in_words(reports) -> None:
    for report in reports.values():
        for f in select(report):
            assert not any(str(m) in f.text for m in Measure if "_" in str(m)), f.text


def test_one_fact_is_said_once_dallas() -> None:
    """Dallas 2016: use-of-force incidents and people subjected to force per resident give the same Black/white
    ratio (3.5) in two units; the key findings say it once."""
    found = select(build(ROOT / "params" / "dallas.yaml"))
    black = [f for f in found if f.tier is Tier.DISPARITY and "for Black people" in f.text]
    assert len(black) == 1 and "3.5 times that for white people" in black[0].text


def test_against_all_others_only_the_group_at_higher_risk(demo_texts) -> None:
    """'all other people … times that for white people' mixes every other group into one: not a key finding."""
    for city, text in demo_texts.items():
        key = text[text.index("<ol class='tr-key'>") :].split("</ol>")[0] if "tr-key" in text else ""
        assert "for all other people was" not in key, city


def test_availability_grid_is_short_status_words_with_reasons_collapsed(reports) -> None:
    """Hartford: searches cross a declared recording break (2015-04-01), force data exist for neither window."""
    page = availability(reports["hartford"]).data
    grid, details = page.split("<details>")
    cells = set(re.findall(r"<td>([^<]*)</td>", grid))
    statuses = {"available", "partial", "not available", "not comparable"}
    assert {"not comparable", "not available", "available"} <= cells
    assert all(c in statuses or not c.startswith(("available", "not ", "partial")) for c in cells)
    assert "then (2014)" in grid and "now (1 Jan – 29 Sep 2016)" in grid
    assert "recording break in searches" in details and "Stanford Open Policing Project" in details
    assert "opp-hartford" not in page
