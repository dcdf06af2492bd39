"""render_city and write_index: real papermill runs of the fixture notebooks into tmp dirs.

Fixtures: tests/data/notebooks/report_ok.ipynb (title, chart, metrics) and report_source_error.ipynb (raises a
SourceError naming the file and column); regenerate them with tests/data/notebooks/build_fixtures.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from papermill import exceptions as papermill_exceptions
from papermill.exceptions import PapermillExecutionError
from pypdf import PdfReader

from trustreport.errors import TrustReportError
from trustreport.execute import is_kernel_error, kernel_error_reason
from trustreport.index_page import read_index, write_index
from trustreport.publish import REPORT_FILES, recover_stale
from trustreport.render import render_city
from trustreport.result import METRICS_MIMETYPE, CityResult, metrics_json, read_metrics

DATA = Path(__file__).parent / "data"
OK_NB = DATA / "notebooks" / "report_ok.ipynb"
ERROR_NB = DATA / "notebooks" / "report_source_error.ipynb"
ALPHA = DATA / "notebooks" / "params" / "alpha.yaml"
BAD = DATA / "params_bad"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> CityResult:
    out = tmp_path_factory.mktemp("outputs")
    result = render_city(ALPHA, out, template=OK_NB)
    assert result.ok, result.reason
    return result


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers(out_root: Path) -> list[str]:
    """Staging or set-aside folders that should never outlive a run."""
    return sorted(p.name for p in out_root.iterdir() if p.name.startswith("."))


@pytest.mark.e2e
def test_success_publishes_exactly_the_four_files(rendered):
    folder = rendered.report_dir
    assert folder == rendered.report_dir.parent / "alpha-tx"
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_FILES.values())
    assert set(rendered.outputs) == {"html", "pdf", "metrics", "notebook"}
    assert (rendered.jurisdiction, rendered.name, rendered.previous_kept) == ("alpha-tx", "Alpha", False)
    assert _leftovers(folder.parent) == []


@pytest.mark.e2e
def test_html_is_one_self_contained_page_without_code(rendered):
    page = rendered.outputs["html"].read_text(encoding="utf-8")
    assert "<title>Alpha — policing then and now | trustreport</title>" in page
    assert "data:image/png;base64," in page
    for code in ("load_params(", "plt.subplots", "display(Markdown", "params_path"):
        assert code not in page, f"input code {code!r} leaked into the HTML"
    assert METRICS_MIMETYPE not in page
    assert "vnd.trustreport" not in page
    assert "<script src=" not in page  # no require.js / MathJax from a CDN: works offline
    assert "size: Letter;" in page  # options.page_size defaults to US Letter


@pytest.mark.e2e
def test_pdf_opens_and_holds_the_report(rendered):
    reader = PdfReader(rendered.outputs["pdf"])
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter in points
    assert "Alpha: then and now" in reader.pages[0].extract_text()


@pytest.mark.e2e
def test_metrics_json_is_the_emitted_dict(rendered):
    text = rendered.outputs["metrics"].read_text(encoding="utf-8")
    executed = nbformat.read(rendered.outputs["notebook"], as_version=4)
    emitted = [
        out["data"][METRICS_MIMETYPE]
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if METRICS_MIMETYPE in out.get("data", {})
    ]
    assert len(emitted) == 1
    assert json.loads(text) == emitted[0]
    keys = ["jurisdiction", "title", "then", "now", "generated_by", "sources", "estimates", "claims"]
    assert list(json.loads(text)) == sorted(keys)
    assert text.endswith("}\n")


@pytest.mark.e2e
def test_rerun_replaces_the_report_and_metrics_are_byte_identical(rendered, tmp_path):
    shutil.copytree(rendered.report_dir, tmp_path / "alpha-tx")
    (tmp_path / "alpha-tx" / "stale-extra-file.txt").write_text("from an older run")
    again = render_city(ALPHA, tmp_path, template=OK_NB)
    assert again.ok, again.reason
    assert (tmp_path / "alpha-tx" / "metrics.json").read_bytes() == rendered.outputs["metrics"].read_bytes()
    assert not (tmp_path / "alpha-tx" / "stale-extra-file.txt").exists()  # the folder was replaced whole
    assert _leftovers(tmp_path) == []


@pytest.mark.e2e
def test_error_in_the_notebook_fails_with_one_line_and_writes_nothing(tmp_path):
    result = render_city(ALPHA, tmp_path, template=ERROR_NB)
    assert result.status == "failed"
    assert "\n" not in result.reason
    assert "stops.csv" in result.reason and "`subject_race`" in result.reason
    assert "Traceback" not in result.reason and "SourceError" not in result.reason
    assert (result.report_dir, result.previous_kept, result.outputs) == (None, False, {})
    assert not (tmp_path / "alpha-tx").exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.e2e
def test_error_in_the_notebook_keeps_the_previous_report(rendered, tmp_path):
    shutil.copytree(rendered.report_dir, tmp_path / "alpha-tx")
    before = _snapshot(tmp_path / "alpha-tx")

    result = render_city(ALPHA, tmp_path, template=ERROR_NB)

    assert result.status == "failed" and result.previous_kept
    assert _snapshot(tmp_path / "alpha-tx") == before
    assert result.outputs["html"] == tmp_path / "alpha-tx" / "report.html"
    assert _leftovers(tmp_path) == []
    page = write_index([result], tmp_path).read_text(encoding="utf-8")
    assert "Previous report kept" in page
    assert 'href="alpha-tx/report.html"' in page and 'href="alpha-tx/metrics.json"' in page


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ("unknown_key.yaml", "`colour`: unknown key"),
        ("missing_source.yaml", "`sources[0].path`: file not found"),
    ],
)
def test_params_error_fails_before_running_anything(params, key, tmp_path):
    out = tmp_path / "outputs"
    result = render_city(BAD / params, out, template=OK_NB)
    assert result.status == "failed"
    assert result.reason.startswith(f"{BAD / params}: {key}")
    assert result.duration < 1.0  # nothing was executed
    assert not out.exists()


def test_missing_template_fails_without_writing(tmp_path):
    result = render_city(ALPHA, tmp_path / "outputs", template=tmp_path / "nope.ipynb")
    assert result.status == "failed"
    assert result.reason == f"{tmp_path / 'nope.ipynb'}: template notebook not found"
    assert not (tmp_path / "outputs").exists()


def test_kernel_error_reason_names_the_template_cell_for_other_errors(tmp_path):
    template = tmp_path / "t.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("1 / 0")]), template)
    err = PapermillExecutionError(2, 3, "1 / 0", "ZeroDivisionError", "division by zero", ["\x1b[31mtb\x1b[0m"])
    assert kernel_error_reason(err, template) == "ZeroDivisionError: division by zero (t.ipynb cell 2)"
    ours = PapermillExecutionError(2, 3, "x", "SchemaError", "data/a.csv: row 4, column `value`:\nnegative", [])
    assert kernel_error_reason(ours, template) == "data/a.csv: row 4, column `value`: negative"


def test_kernel_errors_are_recognised_by_class_not_by_name():
    class PapermillExecutionError(Exception):  # same name, not papermill's class
        pass

    assert is_kernel_error(papermill_exceptions.PapermillExecutionError(0, 1, "x", "E", "v", []))
    assert not is_kernel_error(PapermillExecutionError("look-alike"))


def _nb_with_outputs(*payloads) -> nbformat.NotebookNode:
    cells = []
    for payload in payloads:
        cell = new_code_cell("display(...)")
        cell.outputs = [new_output("display_data", data={METRICS_MIMETYPE: payload})]
        cells.append(cell)
    return new_notebook(cells=cells)


def test_read_metrics_wants_exactly_one_dict():
    assert read_metrics(_nb_with_outputs({"jurisdiction": "x"})) == {"jurisdiction": "x"}
    with pytest.raises(TrustReportError, match="no output with mimetype"):
        read_metrics(_nb_with_outputs())
    with pytest.raises(TrustReportError, match="displayed 2 times"):
        read_metrics(_nb_with_outputs({}, {}))
    with pytest.raises(TrustReportError, match="must be a dict"):
        read_metrics(_nb_with_outputs([1, 2]))


def test_metrics_json_is_canonical_and_refuses_nan():
    assert metrics_json({"b": [1.5, None], "a": "é"}) == '{\n  "a": "\\u00e9",\n  "b": [\n    1.5,\n    null\n  ]\n}\n'
    with pytest.raises(TrustReportError, match="not valid JSON"):
        metrics_json({"value": float("nan")})


def test_index_escapes_everything_a_user_typed(tmp_path):
    evil = CityResult(
        jurisdiction="evil-city",
        name='<script>alert("x")</script>',
        params_path=Path("params/evil.yaml"),
        status="failed",
        reason="params/evil.yaml: `claims[0].text`: <b>bold</b> & 'quoted'",
    )
    page = write_index([evil], tmp_path).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>" not in page  # the page's own sort script is the only <script>
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert (
        '<div class="reason">params/evil.yaml: `claims[0].text`: '
        "&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;quoted&#x27;</div>"
        '<div class="kept">No previous report.</div>'
    ) in page


def test_index_merge_keeps_other_cities_and_json_round_trips(tmp_path):
    a = CityResult("a-one", "A", Path("a.yaml"), "failed", "a.yaml: `x`: unknown key", duration=1.234)
    b = CityResult("b-two", "B", Path("b.yaml"), "failed", "broken")
    write_index([a], tmp_path)
    write_index([b], tmp_path, merge=True)
    assert [r.jurisdiction for r in read_index(tmp_path)] == ["a-one", "b-two"]
    assert read_index(tmp_path)[0] == CityResult("a-one", "A", Path("a.yaml"), "failed", a.reason, duration=1.23)
    summary = json.loads((tmp_path / "index.json").read_text())["summary"]
    assert summary == {"cities": 2, "ok": 0, "failed": 2, "retried": 0}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "index.json"]  # no temp files left


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recover_stale_restores_a_report_set_aside_by_a_crash(tmp_path):
    dead = _dead_pid()
    aside = tmp_path / f".old-alpha-tx-{dead}-abcd"
    aside.mkdir()
    (aside / "report.html").write_text("old good report")
    (tmp_path / f".staging-alpha-tx-{dead}-x1").mkdir()
    live = tmp_path / ".staging-alpha-tx-1-x2"  # pid 1 is alive: another run still working
    live.mkdir()

    recover_stale(tmp_path, "alpha-tx")

    assert (tmp_path / "alpha-tx" / "report.html").read_text() == "old good report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "alpha-tx"]
