"""Reports free of machine paths and byte-identical across runs (issue 11): one real city rendered twice
through the template, into two folders, with a window outside the data (Hartford's `then` in 1990) and the
repository named as the data root on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from trustreport.cli import main

ROOT = Path(__file__).parents[1]
FILES = ("report.html", "report.ipynb", "metrics.json", "report.pdf")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`trustreport run` twice on Hartford's params with `then` moved to 1990, from a project outside the
    repository (so the staging folder, the params file and the data root are all different machine paths)."""
    project = tmp_path_factory.mktemp("project")
    raw = yaml.safe_load((ROOT / "params" / "hartford.yaml").read_text(encoding="utf-8"))
    raw["then"] = {"label": "1990", "start": "1990-01-01", "end": "1990-12-31"}
    params = project / "params" / "hartford.yaml"
    params.parent.mkdir()
    params.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    outs = [project / "out-a", project / "out-b"]
    codes = [main(["run", str(params), "--out", str(out), "--data-root", str(ROOT)]) for out in outs]
    return project, outs, codes


def test_a_window_outside_the_data_renders_through_the_template(runs):
    _, outs, codes = runs
    assert codes == [0, 0]
    page = (outs[0] / "hartford-ct" / "report.html").read_text(encoding="utf-8")
    assert "Not available for then (1990): no source covers stops in 1990." in page
    assert "The veil-of-darkness test" not in page  # the now window still has its test


@pytest.mark.parametrize("name", FILES)
def test_two_runs_give_the_same_bytes(runs, name):
    _, outs, _ = runs
    first, second = ((out / "hartford-ct" / name).read_bytes() for out in outs)
    assert first == second


@pytest.mark.parametrize("name", ["report.ipynb", "report.html", "metrics.json", "../index.json", "../index.html"])
def test_outputs_hold_no_machine_path(runs, name):
    project, outs, _ = runs
    text = (outs[0] / "hartford-ct" / name).read_text(encoding="utf-8")
    for machine in (str(project), str(ROOT), str(Path.home()), "/tmp/"):
        assert machine not in text, f"{name} holds {machine}"


def test_the_notebook_records_relative_paths_and_a_fixed_parameters_cell(runs):
    _, outs, _ = runs
    nb = json.loads((outs[0] / "hartford-ct" / "report.ipynb").read_text(encoding="utf-8"))
    record = nb["metadata"]["papermill"]
    assert (record["input_path"], record["output_path"]) == ("trust_report.ipynb", "report.ipynb")
    # The data root is the repository, the template's own project: named from notebooks/, as `..`.
    assert record["parameters"] == {"params_path": "params/hartford.yaml", "data_root": ".."}
    assert not {"start_time", "end_time", "duration"} & set(record)
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert [c["id"] for c in injected] == ["injected-parameters"]
    assert all("execution" not in c["metadata"] for c in nb["cells"])


def test_index_json_names_the_params_file_relative_to_its_project(runs):
    _, outs, _ = runs
    index = json.loads((outs[0] / "index.json").read_text(encoding="utf-8"))
    assert [c["params_path"] for c in index["cities"]] == ["params/hartford.yaml"]
