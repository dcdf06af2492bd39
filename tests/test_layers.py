"""The import layers of `pyproject.toml` ([tool.importlinter]) hold: `lint-imports` exits 0 (issue 12).

Run as a test so that `make test` enforces the layers; the contracts and where each module sits are described
beside them in `pyproject.toml`."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} not found: install the dev extra (`make setup-dev`)"
    # This checkout's package, not another one installed in the same environment.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_figures_draw_only_what_the_report_prepared():
    """No chart reads the counts table or the sources: it draws estimates and `Report.prepared` series (issue 12)."""
    readers = []
    for path in sorted((ROOT / "trustreport" / "figures").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"counts", "sources"}:
                readers.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert readers == []
