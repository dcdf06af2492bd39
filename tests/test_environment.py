"""environment.yml (conda) and pyproject.toml (pip) declare the same packages with the same lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_NAMES = {"duckdb": "python-duckdb", "isal": "python-isal"}


def _split(spec: str) -> tuple[str, str]:
    name = re.split(r"[<>=!\[ ]", spec, maxsplit=1)[0].strip().lower()
    bound = spec[len(name) :].split("[")[0] if "[" not in spec else spec.split("]")[-1]
    return name, bound.replace(" ", "")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = dict(_split(s) for s in [*project["dependencies"], *project["optional-dependencies"]["dev"]])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    # A package not on conda-forge is listed under `pip:` (the editable install of this project is not a package).
    pip_section = [s for d in conda["dependencies"] if isinstance(d, dict) for s in d.get("pip", [])]
    listed = [s for s in conda["dependencies"] if isinstance(s, str)] + [s for s in pip_section if s != "-e ."]
    conda_specs = dict(_split(s) for s in listed)
    expected = {CONDA_NAMES.get(name, name): bound for name, bound in pip_specs.items()}
    missing = sorted(set(expected) - set(conda_specs))
    assert not missing, f"environment.yml lacks {missing}"
    differing = {n: (b, conda_specs[n]) for n, b in expected.items() if conda_specs[n] != b}
    assert not differing, f"bounds differ (pyproject, environment.yml): {differing}"
    extra = sorted(set(conda_specs) - set(expected) - {"python", "pip"})
    assert not extra, f"environment.yml has packages pyproject lacks: {extra}"
    assert conda_specs["python"] == "=3.11"
    assert "conda-forge" in conda["channels"]


def test_runtime_excludes_authoring_tools() -> None:
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {_split(s)[0] for s in runtime}
    # jupyterlab slows `import papermill` by ~0.6 s (docs/toolchain.md): authoring and test tools stay in `dev`.
    assert not names & {"jupyterlab", "pytest", "nbval", "ruff"}
