"""Structured caveats: code finds a caveat by its kind, never by its wording, while readers and `metrics.json`
see exactly its text."""

from __future__ import annotations

import html
import json
import pickle
from dataclasses import replace
from datetime import date

from sources_helpers import DATA, read

from trustreport.caveat import Caveat, CaveatKind, kind_of, of_kind
from trustreport.claims.context import Context
from trustreport.estimate import Estimate
from trustreport.metrics.small_numbers import apply_stability
from trustreport.sections import with_source_caveats
from trustreport.statistic import Statistic
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

CITIES = DATA / "us-cities-demographics" / "us-cities-demographics.csv.gz"
WINDOW = (date(2015, 1, 1), date(2015, 12, 31))


def _newark_census():
    return read("census_race", CITIES, {"city": "Newark", "state": "New Jersey"}, source_id="acs-newark")


def _per_resident(source_id: str) -> Estimate:
    return Estimate(
        id="stops.rate.black.now", measure=Measure.STOPS, statistic=Statistic.RATE, group=Group.BLACK,
        period=Period.NOW, window=WINDOW, value=0.1, denominator_kind=DenominatorKind.RESIDENTS,
        sources=(source_id,),
    )  # fmt: skip


def test_a_caveat_is_its_text_to_readers_and_json() -> None:
    c = Caveat(CaveatKind.UNSTABLE, "unstable: based on a count of 3 (fewer than 20) <b>")
    assert c == "unstable: based on a count of 3 (fewer than 20) <b>"
    assert json.dumps([c]) == json.dumps(["unstable: based on a count of 3 (fewer than 20) <b>"])
    assert html.escape(c).endswith("&lt;b&gt;")
    assert list(dict.fromkeys([c, str(c)])) == [c]


def test_a_caveat_keeps_its_kind_across_processes() -> None:
    c = pickle.loads(pickle.dumps(Caveat(CaveatKind.COUNTED_HERE, "Counted here: x")))
    assert kind_of(c) is CaveatKind.COUNTED_HERE and c == "Counted here: x"
    assert kind_of("Counted here: plain text") is None


def test_overlapping_census_categories_flag_per_resident_estimates() -> None:
    census = _newark_census()
    (flagged,) = with_source_caveats([_per_resident("acs-newark")], [census])
    assert Flag.OVERLAPPING_CATEGORIES in flagged.flags
    assert of_kind(flagged.notes, CaveatKind.OVERLAPPING_CATEGORIES) == [census.caveats[0]]


def test_a_reworded_caveat_is_still_found_by_its_kind() -> None:
    census = _newark_census()
    reworded = replace(census, caveats=(Caveat(CaveatKind.OVERLAPPING_CATEGORIES, "Hispanic counted twice."),))
    (flagged,) = with_source_caveats([_per_resident("acs-newark")], [reworded])
    assert flagged.notes == ("Hispanic counted twice.",)
    ctx = Context.from_sources(census.counts, [reworded], level=0.95, jurisdiction=None)
    assert ctx.overlapping_sources == frozenset({"acs-newark"})


def test_text_that_merely_reads_like_a_caveat_is_not_one() -> None:
    census = _newark_census()
    plain = replace(census, caveats=tuple(str(c) for c in census.caveats))
    (untouched,) = with_source_caveats([_per_resident("acs-newark")], [plain])
    assert Flag.OVERLAPPING_CATEGORIES not in untouched.flags


def test_the_unstable_note_has_its_kind() -> None:
    est = apply_stability(_per_resident("x"), 12)
    (note,) = of_kind(est.notes, CaveatKind.UNSTABLE)
    assert note == "unstable: based on a count of 12 (fewer than 20)"
