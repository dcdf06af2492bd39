"""`trustreport new-city`: a commented params file with the bundled sources found for the city and TODOs for
the rest, which validates. Springfield, MA has bundled data (its settlements folder, two Fatal Force rows, the ACS
2015 city table); Amherst, MA has none (only the national poll as context)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import trustreport as tr
from trustreport.cli import build_parser, main

ROOT = Path(__file__).parents[1]


def _scaffold(place: str, out: Path) -> dict:
    assert main(["new-city", place, "--out", str(out), "--project", str(ROOT)]) == 0
    (path,) = out.glob("*.yaml")
    assert main(["validate", str(path)]) == 0
    return yaml.safe_load(path.read_text(encoding="utf-8")) | {"_text": path.read_text(encoding="utf-8")}


def test_city_with_bundled_data(tmp_path):
    params = _scaffold("Springfield, MA", tmp_path)
    assert params["jurisdiction"] == "springfield-ma" and params["state"] == "MA"
    kinds = {s["kind"]: s for s in params["sources"]}
    assert set(kinds) == {"fivethirtyeight_settlements", "wapo_police_shootings", "census_race"}
    # Springfield's file dates payments by calendar year only (closed_date is empty).
    assert kinds["fivethirtyeight_settlements"]["options"] == {
        "case_key": "docket_number",
        "date_column": "calendar_year",
    }
    assert kinds["wapo_police_shootings"]["options"] == {"city": "Springfield", "state": "MA"}
    assert kinds["census_race"]["options"]["state"] == "Massachusetts"
    assert "TODO" in params["_text"] and "stops: an OPP standardised file" in params["_text"]
    # Written outside the project, the draft keeps `data/…` paths and names the repository as its data root.
    assert all(s["path"].startswith("data/") for s in params["sources"])
    assert (tmp_path / params["data_root"]).resolve() == ROOT.resolve()
    report = tr.build(next(tmp_path.glob("*.yaml")))  # the draft runs as written
    assert {str(e.measure) for e in report.estimates} >= {"lawsuits", "police_killings"}


def test_city_without_bundled_data(tmp_path):
    params = _scaffold("Amherst, MA", tmp_path)
    (only,) = params["sources"]
    assert only["kind"] == "survey_results" and "cbs-yougov" in only["path"]
    assert "no bundled source holds this city" in params["_text"]
    assert "no row for Amherst" in params["_text"]


def test_nj_city_finds_the_attorney_general_files(tmp_path):
    kinds = {s["kind"] for s in _scaffold("Newark, NJ", tmp_path)["sources"]}
    assert {"nj_use_of_force", "nj_officer_diversity", "wapo_police_shootings"} <= kinds


def test_no_data_root_inside_the_project():
    # Into the repository's params folder (the default) or a folder beside it, `data/…` resolves from the
    # project; nothing is written here, only the text is checked.
    from trustreport.scaffold import new_city

    for out in (None, ROOT / "params", ROOT / "drafts"):
        _, text = new_city("Springfield, MA", root=ROOT, out=out)
        assert "data_root" not in yaml.safe_load(text) and "path: data/" in text
    _, text = new_city("Springfield, MA", root=ROOT, out=ROOT / "params" / "drafts")
    assert yaml.safe_load(text)["data_root"] == "../.."


def test_listed_in_help_and_refuses_to_overwrite(tmp_path, capsys):
    assert "new-city" in build_parser().format_help()
    _scaffold("Springfield, MA", tmp_path)
    assert main(["new-city", "Springfield, MA", "--out", str(tmp_path), "--project", str(ROOT)]) == 1
    assert "exists; pass --force" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["Springfield", "Springfield, Massachusetts", "Springfield, XX"])
def test_bad_place_is_one_line_error(bad, tmp_path, capsys):
    assert main(["new-city", bad, "--out", str(tmp_path)]) == 1
    assert "two-letter state code" in capsys.readouterr().err
