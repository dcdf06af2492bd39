"""The template stays thin (STYLE: "The notebook"): no logic, no data, no numbers, no outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "trust_report.ipynb"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(TEMPLATE, as_version=4)


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_committed_without_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_parameters_cell_defaults_to_newark(nb) -> None:
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert ast.parse(tagged[0].source).body[0].value.value == "../params/newark.yaml"


def test_metrics_cell_is_removed_from_reports(nb) -> None:
    tagged = [c for c in nb.cells if "metrics" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "remove-cell" in tagged[0].metadata["tags"]


FORBIDDEN_CALLS = {"open", "read_csv", "read_excel", "read_parquet", "groupby", "merge", "pivot", "apply", "savefig"}
FORBIDDEN_IMPORTS = {"scipy", "statsmodels", "numpy", "pandas", "matplotlib", "seaborn", "duckdb"}


def test_code_cells_hold_no_logic(nb) -> None:
    for source in _code(nb):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda | ast.For | ast.While), source
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = {a.name.split(".")[0] for a in node.names} | {(getattr(node, "module", "") or "").split(".")[0]}
                assert not names & FORBIDDEN_IMPORTS, source
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name not in FORBIDDEN_CALLS, source
        assert len(source.splitlines()) <= 4, f"cell too long for a thin template:\n{source}"


def test_no_city_names_or_numbers_typed_in(nb) -> None:
    cities = set()
    for path in (ROOT / "params").glob("*.yaml"):
        raw = yaml.safe_load(path.read_text())
        cities.add(raw["name"].split(",")[0])
    for cell in nb.cells:
        text = cell.source
        if "parameters" in cell.metadata.get("tags", []):
            continue
        for city in cities:
            assert city not in text, f"city name {city!r} typed into the template"
        if cell.cell_type == "markdown":
            # methods prose may name thresholds ("under 5", "under 20", "100"), but no results or percentages
            assert not re.search(r"\d+(\.\d+)?\s*(%|times|×)", text), text
