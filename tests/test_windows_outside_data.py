"""Windows outside the data (issue 11): a `then` or `now` before the data start, after they end, or in a gap
between two files renders every section with *not available*, never a crash and never a number.

Each case is a real params file (`params/<city>.yaml`) with its windows moved, written to a temporary project that
names this repository as its data root. "Between" windows use a real gap in the bundled data (Jersey City's NJ
Force Report ends in 2016 and the Attorney General's portal starts in October 2020; Newark's published homicide
counts cover January to mid-July of 2019 and of 2020; the contacts fixture has 2015 and 2022 rows), or, where the
data run without a gap, the city's own file split into two files with a year left out between them.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml

import trustreport as tr
from trustreport.report import Report
from trustreport.vocab import Measure, Period

ROOT = Path(__file__).parents[1]
CONTACTS = ROOT / "tests" / "data" / "surveys" / "contacts.csv"

BEFORE = (date(1990, 1, 1), date(1990, 12, 31))
AFTER = (date(2030, 1, 1), date(2030, 12, 31))

# city -> position -> (then, now or None to keep the file's, {source id: (date column, first day left out, last)})
Windows = tuple[date, date]
PLANS: dict[str, dict[str, tuple[Windows | None, Windows | None, dict[str, tuple[str, date, date]]]]] = {
    "hartford": {
        "before": (BEFORE, None, {}),
        # Two years after the OPP file's last day (2016-09-29), and the 2030.
        "after": (None, (date(2018, 1, 1), date(2018, 9, 29)), {}),
        "far after": (None, AFTER, {}),
        "between": (
            None,
            (date(2015, 1, 1), date(2015, 12, 31)),
            {"opp-hartford": ("date", date(2015, 1, 1), date(2015, 12, 31))},
        ),
    },
    "jersey-city": {
        "before": (BEFORE, None, {}),
        "after": (None, AFTER, {}),
        "between": (None, (date(2018, 1, 1), date(2019, 12, 31)), {}),
    },
    "chicago": {
        "before": (BEFORE, None, {}),
        "after": (None, AFTER, {}),
        "between": (
            (date(2017, 1, 1), date(2017, 12, 31)),
            (date(2018, 1, 1), date(2018, 12, 31)),
            {
                "wapo-fatal-force-chicago": ("date", date(2018, 1, 1), date(2018, 12, 31)),
                "settlements-chicago": ("calendar_year", date(2018, 1, 1), date(2018, 12, 31)),
                "chicago-sentiment": ("START_DATE", date(2018, 1, 1), date(2018, 12, 31)),
            },
        ),
    },
    "newark": {
        "before": (BEFORE, None, {}),
        "after": (None, AFTER, {}),
        "between": (None, (date(2019, 8, 1), date(2019, 12, 31)), {}),
    },
    # Newark with the community-contacts fixture, whose rows cover 2015 and 2022.
    "newark-contacts": {
        "before": (BEFORE, (date(2022, 1, 1), date(2022, 12, 31)), {}),
        "after": ((date(2015, 1, 1), date(2015, 12, 31)), AFTER, {}),
        "between": ((date(2015, 1, 1), date(2015, 12, 31)), (date(2018, 1, 1), date(2018, 12, 31)), {}),
    },
}

# The period each position moves out of the data.
MOVED = {"before": Period.THEN, "after": Period.NOW, "far after": Period.NOW, "between": Period.NOW}


def _t(name: str) -> Callable[[Report], Any]:
    module, func = name.split(".")
    return getattr(getattr(tr, module), func)


# section -> (city, the template's calls for it, the measures whose estimates must not exist in the moved window)
SECTIONS: dict[str, tuple[str, tuple[str, ...], tuple[Measure, ...]]] = {
    "stops and disparities": (
        "hartford",
        ("tables.disparities", "figures.rate_ratios", "figures.rates", "figures.monthly", "narrative.headline"),
        (Measure.STOPS, Measure.SEARCHES, Measure.ARRESTS, Measure.CITATIONS),
    ),
    "funnel": ("hartford", ("tables.funnel", "figures.funnel"), (Measure.STOPS, Measure.SEARCHES)),
    "outcome test": ("hartford", ("tables.outcome_test", "figures.outcome_scatter"), (Measure.HITS,)),
    "veil of darkness": ("hartford", ("tables.veil_of_darkness", "figures.veil_of_darkness"), (Measure.STOPS,)),
    "force": ("jersey-city", ("tables.force", "figures.force"), (Measure.FORCE_INCIDENTS, Measure.FORCE_SUBJECTS)),
    "homicides and year to date": (
        "newark",
        ("tables.homicides", "figures.homicides"),
        (Measure.HOMICIDE_VICTIMS, Measure.HOMICIDES_CLEARED),
    ),
    "police killings": ("chicago", ("tables.police_killings", "figures.police_killings"), (Measure.POLICE_KILLINGS,)),
    "lawsuits": ("chicago", ("tables.lawsuits", "figures.lawsuits"), ()),
    "workforce": ("jersey-city", ("tables.workforce", "figures.workforce"), ()),
    "trust surveys": (
        "chicago",
        ("tables.trust", "figures.trust"),
        (Measure.SURVEY_TRUST_MEAN, Measure.SURVEY_SAFETY_MEAN),
    ),
    "contacts": ("newark-contacts", ("tables.trust", "figures.trust"), (Measure.CONTACTS,)),
}

# The measures each section's table names when a window has none of them (tables._common.not_available_for).
SECTION_MEASURES: dict[str, tuple[Measure, ...]] = {
    "stops and disparities": (Measure.STOPS,),
    "funnel": (Measure.STOPS,),
    "outcome test": (Measure.SEARCHES, Measure.HITS),
    "veil of darkness": (Measure.STOPS,),
    "force": (Measure.FORCE_INCIDENTS,),
    "homicides and year to date": (Measure.HOMICIDE_VICTIMS,),
    "police killings": (Measure.POLICE_KILLINGS,),
    "lawsuits": (Measure.LAWSUITS,),
    "workforce": (Measure.OFFICERS,),
    "trust surveys": (Measure.SURVEY_TRUST_MEAN,),
    "contacts": (Measure.CONTACTS,),
}


@functools.cache
def _project() -> Path:
    return Path(tempfile.mkdtemp(prefix="trustreport-windows-"))


def moved_params(city: str, position: str) -> Path:
    """`params/<city>.yaml` with one window moved out of the data, in a temporary project whose data root is
    this repository; sources split as the plan says."""
    then, now, splits = PLANS[city][position]
    raw = yaml.safe_load((ROOT / "params" / f"{city.removesuffix('-contacts')}.yaml").read_text(encoding="utf-8"))
    folder = _project() / f"{city}-{position}"
    (folder / "params").mkdir(parents=True, exist_ok=True)
    raw["data_root"] = str(ROOT)
    for key, win in (("then", then), ("now", now)):
        if win is not None:
            raw[key] = {"label": _label(win), "start": win[0], "end": win[1]}
    raw.get("options", {}).pop("ytd_as_of", None)
    raw["claims"] = []  # the claim ledger is not a section under test, and its claims name fixed windows
    if city == "newark-contacts":
        raw["sources"].append(
            {
                "id": "contacts-fixture",
                "kind": "community_contacts",
                "path": str(CONTACTS.relative_to(ROOT)),
                "citation": "synthetic fixture (not real data)",
                "licence": "CC0 1.0",
            }
        )
    sources = []
    for spec in raw["sources"]:
        if spec["id"] in splits:
            sources += _split(spec, *splits[spec["id"]], folder)
        else:
            sources.append(spec)
    raw["sources"] = sources
    path = folder / "params" / f"{city}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _label(win: Windows) -> str:
    return str(win[0].year) if (win[0].year == win[1].year) else f"{win[0].year}–{win[1].year}"


def _split(spec: dict, column: str, first: date, last: date, folder: Path) -> list[dict]:
    """The source's file as two files, rows dated before `first` and after `last` (a gap between them)."""
    source = ROOT / spec["path"]
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    day = pd.to_datetime(frame[column].str[:10], errors="coerce", format="mixed").dt.date
    assert day.notna().mean() > 0.99, f"{source}: `{column}` is not a date column"
    out = []
    for part, keep in (("a", day < first), ("b", day > last)):
        assert keep.sum() > 0, f"{source}: no rows on the {part} side of {first}…{last}"
        target = folder / "data" / f"{spec['id']}-{part}{''.join(source.suffixes)}"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = frame[keep].to_csv(index=False)
        target.write_bytes(gzip.compress(text.encode(), mtime=0) if source.suffix == ".gz" else text.encode())
        out.append({**spec, "id": f"{spec['id']}-{part}", "path": str(target)})
        for sibling in source.parent.iterdir():  # files an adapter reads beside its own (WaPo's agencies)
            if sibling.is_file() and sibling != source and sibling.suffix == ".gz":
                (target.parent / sibling.name).write_bytes(sibling.read_bytes())
    return out


@functools.cache
def built(city: str, position: str) -> Report:
    return tr.build(moved_params(city, position))


def _window(report: Report, period: Period):
    p = report.params.params
    return p.then if period == Period.THEN else p.now


def _text(shown: Any) -> str:
    return getattr(shown, "data", "") if not isinstance(shown, str) else shown


# The Fatal Force database is one continuous record from 2015-01-01 (its adapter's coverage starts there, not at
# the file's first row), so a split file would be a damaged database, not two yearly files: police killings have
# no "between" case.
CASES = [(s, p) for s in SECTIONS for p in PLANS[SECTIONS[s][0]] if (s, p) != ("police killings", "between")]


@pytest.mark.parametrize(("section", "position"), CASES)
def test_a_window_outside_the_data_renders_the_section_as_not_available(section, position):
    city, calls, measures = SECTIONS[section]
    report = built(city, position)
    period = MOVED[position]
    win = _window(report, period)
    shown = []
    for call in calls:
        shown.append(_text(_t(call)(report)))
        plt.close("all")
    table = shown[0]
    assert f"Not available for {period} ({win.label}" in table, table[-600:]
    note = re.search(rf"Not available for {period} \(.*?</p>", table).group(0)
    assert all(tr.vocab.MEASURE_LABELS[m] in note for m in SECTION_MEASURES[section]), note
    # No number is made up for the moved window: every estimate of the section's measures dated in it is absent,
    # not estimable or zero.
    invented = [
        e.id
        for e in report.estimates
        if e.measure in measures and e.estimable and e.value and e.window[0] <= win.end and e.window[1] >= win.start
    ]
    assert invented == []
    # And the availability table says so.
    rows = report.availability
    for measure in SECTION_MEASURES[section]:
        row = rows[(rows["measure"] == str(measure)) & (rows["period"] == str(period))]
        assert float(row["coverage"].iloc[0]) == 0.0
    json.dumps(report.metrics(), allow_nan=False)


def test_the_veil_of_darkness_of_a_window_without_stop_times_is_absent_not_a_crash():
    """The run that crashed before issue 11 (`ValueError: You are trying to merge on datetime64[s] and object
    columns`): Hartford's `then` in 1990. The now window keeps its test."""
    report = built("hartford", "before")
    vod = [e for e in report.estimates if e.statistic.startswith("vod_")]
    assert vod and {e.period for e in vod} == {Period.NOW}
