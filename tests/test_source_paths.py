"""The path policy (issue 11; params/README.md "Where source files may live"): sources resolve inside the project
or under a named data root, the same way from any working directory, and nothing else is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from trustreport.cli import main
from trustreport.errors import ParamsError
from trustreport.params import load_params

ROOT = Path(__file__).parents[1]
HARTFORD = ROOT / "params" / "hartford.yaml"


def _outside_project(tmp_path: Path, mutate=None, *, data_root: str | None = None) -> Path:
    """Hartford's params, unchanged relative `data/...` paths, in a project of its own at `tmp_path`."""
    raw = yaml.safe_load(HARTFORD.read_text(encoding="utf-8"))
    if data_root is not None:
        raw["data_root"] = data_root
    if mutate:
        mutate(raw)
    path = tmp_path / "params" / "hartford.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _first_source(path: str):
    return lambda raw: raw["sources"][0].update(path=path)


def test_bundled_params_resolve_inside_the_project():
    loaded = load_params(HARTFORD)
    assert all(p.is_relative_to(ROOT.resolve()) and p.is_file() for p in loaded.source_paths.values())


@pytest.mark.parametrize("cwd", ["notebooks", "tests", "/"])
def test_a_path_resolves_the_same_from_any_working_directory(cwd, monkeypatch):
    expected = load_params(HARTFORD).source_paths
    monkeypatch.chdir(ROOT / cwd)
    assert load_params(HARTFORD).source_paths == expected
    assert load_params(os.path.relpath(HARTFORD)).source_paths == expected


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../../../../../../../../etc/passwd", "../../outside.csv", "data/../../../etc/hostname"],
)
def test_a_path_outside_the_allowed_folders_is_refused_by_name(tmp_path, path):
    params = _outside_project(tmp_path / "project", _first_source(path))
    (tmp_path / "outside.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ParamsError) as err:
        load_params(params)
    message = str(err.value)
    assert message.startswith(f"{params}: `sources[0].path`: {path} resolves to ")
    assert f"outside the folders sources may be read from: {(tmp_path / 'project').resolve()} (the project)" in message
    assert "\n" not in message


def test_a_symlink_pointing_outside_is_refused(tmp_path):
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("a,b\n1,2\n")
    link = tmp_path / "project" / "data" / "stops.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    params = _outside_project(tmp_path / "project", _first_source("data/stops.csv"))
    with pytest.raises(ParamsError, match=rf"`sources\[0\]\.path`: data/stops.csv resolves to {secret}, outside"):
        load_params(params)


def test_a_symlink_inside_the_project_is_followed(tmp_path):
    real = tmp_path / "project" / "data" / "real.csv.gz"
    real.parent.mkdir(parents=True)
    real.write_bytes((ROOT / "data" / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz").read_bytes())
    (real.parent / "link.csv.gz").symlink_to(real)
    params = _outside_project(tmp_path / "project", _first_source("data/link.csv.gz"), data_root=str(ROOT))
    assert load_params(params).source_paths["opp-hartford"] == real


def test_a_params_file_outside_the_project_says_which_folders_it_looked_in(tmp_path):
    params = _outside_project(tmp_path)
    with pytest.raises(ParamsError) as err:
        load_params(params)
    assert str(err.value) == (
        f"{params}: `sources[0].path`: file not found: data/opp-hartford/ct_hartford_2020_04_01.csv.gz "
        f"(looked in {tmp_path / 'params'}, {tmp_path.resolve()})"
    )


def test_a_data_root_from_the_command_line_or_the_params_file_finds_the_bundled_data(tmp_path):
    expected = load_params(HARTFORD).source_paths
    assert load_params(_outside_project(tmp_path / "a"), data_root=ROOT).source_paths == expected
    relative = os.path.relpath(ROOT, tmp_path / "b" / "params")
    assert load_params(_outside_project(tmp_path / "b", data_root=relative)).source_paths == expected


def test_a_data_root_does_not_open_the_rest_of_the_disk(tmp_path):
    params = _outside_project(tmp_path, _first_source("/etc/passwd"))
    with pytest.raises(ParamsError, match=rf"{ROOT} \(the data root\)"):
        load_params(params, data_root=ROOT)


def test_validate_takes_data_root_and_refuses_in_one_line(tmp_path, capsys):
    params = _outside_project(tmp_path)
    assert main(["validate", str(params)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "looked in" in err and "sources[0].path" in err
    assert main(["validate", "--data-root", str(ROOT), str(params)]) == 0
    assert capsys.readouterr().out.startswith("ok ")
    bad = _outside_project(tmp_path / "bad", _first_source("../../../../../../../../etc/passwd"))
    assert main(["validate", "--data-root", str(ROOT), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "/etc/passwd" in err and f"{ROOT} (the data root)" in err


def test_a_batch_knows_a_city_that_needs_its_data_root(tmp_path):
    """The batch plans each city with the same data root it renders it with, so a params file outside the project
    is a valid city (its previous report can be kept, its jurisdiction checked for duplicates)."""
    from trustreport.render import identify_city

    absolute = str(ROOT / "data" / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz")
    params = _outside_project(tmp_path, _first_source(absolute))
    assert identify_city(params).loaded is None
    city = identify_city(params, data_root=ROOT)
    assert city.loaded is not None and city.jurisdiction == "hartford-ct"
