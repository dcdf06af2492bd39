"""Comparability breaks: declared in params, detected in the monthly shares of the real bundled data, and what a
break does to a then/now comparison (no value, no test, no change sentence; the grid and tables say why).

The Hartford figures checked here are those measured in issue 8 ("13 % in May 2014, 91 % in July, 0.2 % in April
2015"; "58 % of 2014 stops … and 2 % in 2016"), recounted from the bundled OPP file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from trustreport import breaks as comparability
from trustreport import narrative
from trustreport.counts import Break, BreakOrigin, concat_counts
from trustreport.errors import ParamsError
from trustreport.params import load_params
from trustreport.report import build, read_sources
from trustreport.sources import read_source
from trustreport.tables.disparity import disparity_frame
from trustreport.vocab import Flag, Measure, Period

ROOT = Path(__file__).resolve().parents[1]
HARTFORD = ROOT / "params" / "hartford.yaml"


@pytest.fixture(scope="module")
def hartford_counts():
    return concat_counts(s.counts for s in read_sources(load_params(HARTFORD)))


@pytest.fixture(scope="module")
def report():
    return build(HARTFORD)


# Params -------------------------------------------------------------------------------------------------------


def _params_error(tmp_path: Path, entry: dict) -> ParamsError:
    raw = yaml.safe_load(HARTFORD.read_text())
    for source in raw["sources"]:
        source["path"] = str(ROOT / source["path"])
    raw["breaks"] = [entry]
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    return info.value


def test_hartford_declares_its_search_break() -> None:
    (declared,) = load_params(HARTFORD).params.breaks
    assert declared.measure == Measure.SEARCHES
    assert declared.date == date(2015, 4, 1)
    assert "search flag" in declared.reason


def test_break_with_unknown_key_is_refused(tmp_path: Path) -> None:
    err = _params_error(tmp_path, {"measure": "searches", "date": "2015-04-01", "reason": "x", "source": "opp"})
    assert err.key == "breaks[0].source"
    assert "unknown key" in str(err)


def test_break_on_unknown_measure_is_refused(tmp_path: Path) -> None:
    err = _params_error(tmp_path, {"measure": "searchez", "date": "2015-04-01", "reason": "x"})
    assert err.key == "breaks[0].measure"
    assert "'searchez'" in str(err) and "'searches'" in str(err)


def test_break_without_reason_is_refused(tmp_path: Path) -> None:
    err = _params_error(tmp_path, {"measure": "searches", "date": "2015-04-01"})
    assert err.key == "breaks[0].reason"


# Detector -----------------------------------------------------------------------------------------------------


def test_monthly_search_shares_are_the_issue_figures(hartford_counts) -> None:
    (series,) = comparability.monthly_shares(hartford_counts, Measure.SEARCHES, Measure.STOPS).values()
    share = (series["numerator"] / series["denominator"]).set_axis(series["month"].astype(str))
    assert round(share["2014-05"], 2) == 0.13
    assert round(share["2014-07"], 2) == 0.91
    assert round(share["2015-04"], 3) == 0.002
    # A month with stops and no search row is a true zero, not a gap.
    held = series.set_index(series["month"].astype(str))
    assert held.loc["2015-07", "numerator"] == 0 and held.loc["2015-07", "denominator"] > 400


def test_hartford_search_flag_change_is_detected(hartford_counts) -> None:
    found = [b for b in comparability.detect_breaks(hartford_counts) if b.measure == Measure.SEARCHES]
    assert [b.date for b in found] == [date(2014, 1, 1), date(2015, 4, 1)]
    assert all(b.origin == BreakOrigin.DETECTED and b.source_id == "opp-hartford" for b in found)
    assert "46.9%" in found[1].reason and "0.3%" in found[1].reason


def test_ordinary_hartford_months_do_not_trigger(hartford_counts) -> None:
    """Arrests per stop and hits per search never trigger; citations per stop only at the end of the six months
    (Apr–Sep 2015) in which searches were not recorded at all, not at April 2015's distracted-driving campaign
    (59 % → 85 % of stops cited: odds ×3.8, below the bound)."""
    found = comparability.detect_breaks(hartford_counts)
    assert not [b for b in found if b.measure in (Measure.ARRESTS, Measure.HITS)]
    assert [b.date for b in found if b.measure == Measure.CITATIONS] == [date(2015, 10, 1)]


def test_chicago_homicide_clearance_months_do_not_trigger() -> None:
    """Eleven years of monthly clearance shares (Washington Post homicides, Chicago: enough homicides that most
    three-month windows pass the 100-event floor, so the rule is really applied) hold no recording change."""
    loaded = load_params(ROOT / "params" / "chicago.yaml")
    spec = next(s for s in loaded.params.sources if s.kind == "wapo_homicides")
    data = read_source(
        source_id=spec.id,
        kind=spec.kind,
        path=loaded.source_paths[spec.id],
        jurisdiction=loaded.params.jurisdiction,
        options=spec.options,
        citation=spec.citation,
        licence=spec.licence,
    )
    (series,) = comparability.monthly_shares(data.counts, Measure.HOMICIDES_CLEARED, Measure.HOMICIDE_VICTIMS).values()
    assert len(series) == 132
    assert (series["denominator"].rolling(comparability.MONTHS_EACH_SIDE).sum() >= 100).mean() > 0.7
    assert comparability.detect_breaks(data.counts) == []


# Which estimates a break reaches ------------------------------------------------------------------------------


def test_a_break_reaches_the_measures_built_on_it() -> None:
    searches = Break(Measure.SEARCHES, date(2015, 4, 1), "flag redefined", BreakOrigin.DECLARED)
    assert comparability.affects(searches, Measure.SEARCHES)
    assert comparability.affects(searches, Measure.HITS)
    assert not comparability.affects(searches, Measure.STOPS)
    assert not comparability.affects(searches, Measure.CITATIONS)
    then, now = (date(2014, 1, 1), date(2014, 12, 31)), (date(2016, 1, 1), date(2016, 9, 29))
    assert comparability.straddling([searches], Measure.HITS, then, now) == [searches]
    assert comparability.straddling([searches], Measure.HITS, (date(2015, 4, 1), date(2015, 12, 31)), now) == []
    assert comparability.inside([searches], Measure.SEARCHES, (date(2015, 1, 1), date(2015, 12, 31))) == [searches]


def test_declared_break_confirmed_by_the_detector_is_one_break(report) -> None:
    searches = [b for b in report.breaks if b.measure == Measure.SEARCHES and b.date == date(2015, 4, 1)]
    assert len(searches) == 1
    assert searches[0].origin == BreakOrigin.DECLARED
    assert "monthly series confirms it" in searches[0].reason


# Across a break -----------------------------------------------------------------------------------------------


def test_changes_across_the_search_break_are_not_comparable(report) -> None:
    changes = [e for e in report.estimates if e.period == Period.CHANGE]
    crossing = [e for e in changes if e.measure in (Measure.SEARCHES, Measure.HITS)]
    assert len(crossing) >= 10
    for est in crossing:
        assert Flag.NOT_COMPARABLE in est.flags
        assert est.value is None and est.ci is None and est.p_value is None and est.p_adjusted is None
        # The now and then quantities stay, for the record (where they were estimable at all).
        assert est.numerator is not None or Flag.NOT_ESTIMABLE in est.flags
        assert any("search flag" in n for n in est.notes)
    stops = [e for e in changes if e.measure == Measure.STOPS]
    assert stops and all(Flag.NOT_COMPARABLE not in e.flags and e.p_value is not None for e in stops)


def test_no_sentence_calls_a_search_or_contraband_change_real(report) -> None:
    text = narrative.headline(report).data
    for item in text.split("<li>"):
        if "larger than chance" in item:
            assert "search" not in item and "contraband" not in item
    assert "Searches, then against now: not comparable" in text
    assert "Searches that found contraband, then against now: not comparable" in text


def test_grid_says_not_comparable_with_why(report) -> None:
    grid = report.availability.set_index(["measure", "period"])
    for measure in ("searches", "hits"):
        for period in ("then", "now"):
            row = grid.loc[(measure, period)]
            assert row["status"] == "not comparable"
            assert "search flag changes meaning" in row["detail"]
    assert grid.loc[("stops", "then"), "status"] == "available"


def test_table_shows_not_comparable(report) -> None:
    frame = disparity_frame(report, Measure.SEARCHES)
    changes = frame["change in ratio (now ÷ then)"]
    assert changes.str.startswith("not comparable").sum() == 2  # Black and Hispanic vs white
    assert disparity_frame(report, Measure.STOPS)["change in ratio (now ÷ then)"].str.contains("p ").any()


def test_breaks_are_in_metrics(report) -> None:
    found = report.metrics()["breaks"]
    assert {"measure": "searches", "date": "2015-04-01", "origin": "declared"}.items() <= found[0].items()


def test_a_window_holding_a_break_keeps_its_values_with_a_note(report) -> None:
    mid_2014 = Break(Measure.SEARCHES, date(2014, 6, 1), "form revised", BreakOrigin.DECLARED)
    p = report.params.params
    marked = comparability.across_breaks(list(report.estimates), [mid_2014], then=p.then.dates, now=p.now.dates)
    before = {e.id: e for e in report.estimates}
    then_hits = [e for e in marked if e.measure == Measure.HITS and e.period == Period.THEN]
    assert then_hits and all(any("mixes two recording regimes" in n for n in e.notes) for e in then_hits)
    assert all(e.value == before[e.id].value for e in then_hits)
    now_searches = [e for e in marked if e.measure == Measure.SEARCHES and e.period == Period.NOW]
    assert now_searches and not any("mixes" in n for e in now_searches for n in e.notes)
