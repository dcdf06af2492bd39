"""Write the fixture notebooks used by tests/test_render.py, test_batch.py and test_cli.py.

They follow the template's contract (a `parameters` cell defining `params_path`; the metrics dict emitted once
under the trustreport mimetype from a cell tagged `metrics` + `remove-cell`) and are run by real papermill.
Regenerate with `.venv/bin/python tests/data/notebooks/build_fixtures.py`; commit the .ipynb files.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

PARAMETERS = 'params_path = "params/alpha.yaml"'

SETUP = """\
import csv
import os

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from trustreport.errors import SourceError
from trustreport.params import load_params

loaded = load_params(params_path)
params = loaded.params"""

TITLE = 'display(Markdown(f"# {params.name}: then and now"))'

READ = """\
source = params.sources[0]
path = loaded.source_paths[source.id]
with open(path, newline="") as f:
    reader = csv.DictReader(f)
    if "subject_race" not in (reader.fieldnames or []):
        raise SourceError(path, "missing from the header; expected the race column", column="subject_race")
    rows = list(reader)
stops = {}
for row in rows:
    stops[row["subject_race"]] = stops.get(row["subject_race"], 0) + 1
if "fixture: kill the worker" in params.notes:
    os.kill(os.getppid(), 9)  # the kernel's parent is the batch worker running papermill
if "fixture: kill the worker once" in params.notes and not os.path.exists(params_path + ".killed"):
    open(params_path + ".killed", "w").close()  # the second run, on its own, goes through
    os.kill(os.getppid(), 9)"""

CHART = """\
groups = sorted(stops)
fig, ax = plt.subplots(figsize=(5, 2.5))
ax.bar(groups, [stops[g] for g in groups], color="#4c72b0")
ax.set_title("Stops by group (fixture)")
plt.show()"""

METRICS = """\
metrics = {
    "jurisdiction": params.jurisdiction,
    "title": f"{params.name}: then and now",
    "then": {"label": params.then.label, "start": str(params.then.start), "end": str(params.then.end)},
    "now": {"label": params.now.label, "start": str(params.now.start), "end": str(params.now.end)},
    "generated_by": {"package": "trustreport", "notebook": "tests/data/notebooks/report_ok.ipynb"},
    "sources": [{"id": source.id, "kind": source.kind, "citation": source.citation, "sha256": loaded.sha256}],
    "estimates": [{"id": f"stops-{g}", "value": stops[g], "share": stops[g] / len(rows)} for g in groups],
    "claims": [],
}
display({"application/vnd.trustreport.metrics+json": metrics}, raw=True)"""

SETUP_SHORT = """\
from IPython.display import Markdown, display

from trustreport.errors import SourceError
from trustreport.params import load_params

loaded = load_params(params_path)
params = loaded.params"""

RAISE = """\
source = params.sources[0]
path = loaded.source_paths[source.id]
raise SourceError(path, "missing from the header; expected the race column", column="subject_race")"""


def _tagged(source: str, *tags: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def report_ok():
    return new_notebook(
        cells=[
            _tagged(PARAMETERS, "parameters"),
            new_code_cell(SETUP),
            new_code_cell(TITLE),
            new_markdown_cell("A fixture report: one chart, one table of counts, and the metrics."),
            new_code_cell(READ),
            new_markdown_cell("## Stops by group"),
            new_code_cell(CHART),
            _tagged(METRICS, "metrics", "remove-cell"),
        ]
    )


def report_source_error():
    return new_notebook(
        cells=[
            _tagged(PARAMETERS, "parameters"),
            new_code_cell(SETUP_SHORT),
            new_code_cell(TITLE),
            new_code_cell(RAISE),
            _tagged(
                'display({"application/vnd.trustreport.metrics+json": {}}, raw=True)',
                "metrics",
                "remove-cell",
            ),
        ]
    )


def main() -> None:
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for name, nb in (("report_ok", report_ok()), ("report_source_error", report_source_error())):
        nb.metadata["kernelspec"] = kernelspec
        nb.metadata["language_info"] = {"name": "python"}
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name.replace('_', '-')}-{i}"
        nbformat.validate(nb)
        nbformat.write(nb, HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
