"""Params files: every shipped city validates; each failure mode names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustreport.errors import ParamsError
from trustreport.params import load_params
from trustreport.vocab import Group

ROOT = Path(__file__).resolve().parents[1]
CITY_FILES = sorted(p for p in (ROOT / "params").glob("*.yaml") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", CITY_FILES, ids=lambda p: p.stem)
def test_shipped_params_validate(path: Path) -> None:
    loaded = load_params(path)
    assert loaded.params.then.end < loaded.params.now.start
    assert all(p.is_file() for p in loaded.source_paths.values())
    assert len(loaded.sha256) == 64


def test_at_least_three_demo_cities() -> None:
    assert len(CITY_FILES) >= 3


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((ROOT / "params" / "hartford.yaml").read_text())
    for source in raw["sources"]:
        source["path"] = str(ROOT / source["path"])
    raw["data_root"] = str(ROOT)  # the params file sits outside the project (trustreport.source_paths)
    mutate(raw)
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _error(tmp_path: Path, mutate) -> ParamsError:
    path = _write(tmp_path, mutate)
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    return info.value


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r.update(colour="blue"))
    assert err.key == "colour"
    assert "unknown key" in str(err)


def test_unknown_nested_key(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r["then"].update(lable="x"))
    assert err.key == "then.lable"


def test_reversed_window(tmp_path: Path) -> None:
    def reverse(r):
        r["then"]["end"] = "2013-06-30"

    err = _error(tmp_path, reverse)
    assert err.key == "then"
    assert "2013-06-30" in str(err) and "2014-01-01" in str(err)


def test_overlapping_windows(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r["now"].update(start="2014-06-01"))
    assert "now.start" in str(err)


def test_wrong_type(tmp_path: Path) -> None:
    err = _error(
        tmp_path, lambda r: r["options"].update(level="high") if "options" in r else r.update(options={"level": "high"})
    )
    assert err.key == "options.level"
    assert "'high'" in str(err)


def test_page_size_is_letter_or_a4(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r.setdefault("options", {}).update(page_size="legal"))
    assert err.key == "options.page_size"
    assert "'legal'" in str(err)


def test_unknown_group(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r.update(groups=["black", "martian", "white"]))
    assert err.key == "groups[1]"


def test_missing_source_file(tmp_path: Path) -> None:
    def lose(r):
        r["sources"][0]["path"] = "data/nowhere/stops.csv"

    err = _error(tmp_path, lose)
    assert err.key == "sources[0].path"
    assert "data/nowhere/stops.csv" in str(err)


def test_unknown_source_kind(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r["sources"][0].update(kind="crystal_ball"))
    assert err.key == "sources[0].kind"


def test_missing_required_key(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda r: r.pop("now"))
    assert err.key == "now"
    assert "missing" in str(err)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ParamsError, match="mapping"):
        load_params(path)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("jurisdiction: x\nname: [unclosed\n")
    with pytest.raises(ParamsError, match="line"):
        load_params(path)


def test_defaults(tmp_path: Path) -> None:
    raw_path = _write(tmp_path, lambda r: (r.pop("reference_group"), r.pop("groups")))
    p = load_params(raw_path).params
    assert p.reference_group is Group.WHITE
    assert p.groups == [Group.BLACK, Group.HISPANIC, Group.WHITE]
    assert p.options.level == 0.95
    assert p.options.page_size == "letter"
