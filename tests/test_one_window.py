"""A city with one period of data gets a "now only" report: Hartford's real params with the `then` window removed
(its OPP stop file and census table, 2016 Jan–Sep alone) build, keep only `now` estimates, show no then columns and
no change, and say in words that nothing is compared; its `now` numbers are those of the two-window report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import trustreport as tr
from trustreport.cli import main
from trustreport.narrative import title_block
from trustreport.tables.disparity import disparity_frame
from trustreport.vocab import Measure, Period

ROOT = Path(__file__).parents[1]
HARTFORD = ROOT / "params" / "hartford.yaml"


def _now_only(tmp: Path) -> Path:
    text = HARTFORD.read_text(encoding="utf-8")
    text = re.sub(r"\nthen:\n(?:  .*\n)+", "\n", text).replace("path: data/", f"path: {ROOT / 'data'}/")
    assert "then:" not in text
    # Kept outside the project (pytest's tmp folder), so the file names the repository as its data root.
    text += f'data_root: "{ROOT}"\n'
    path = tmp / "hartford-now.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return tr.build(_now_only(tmp_path_factory.mktemp("params"))), tr.build(HARTFORD)


def test_only_now_estimates_equal_to_the_two_window_report(reports):
    one, both = reports
    assert {e.period for e in one.estimates} == {Period.NOW}
    ratio = "stops.rate_ratio.black.now"
    a = one.estimates.one(measure=Measure.STOPS, statistic="rate_ratio", group="black", period=Period.NOW)
    b = both.estimates.one(measure=Measure.STOPS, statistic="rate_ratio", group="black", period=Period.NOW)
    assert a is not None and a.id == ratio and a.value == pytest.approx(b.value) and a.ci == pytest.approx(b.ci)
    assert set(one.availability["period"]) == {"now"}


def test_no_then_columns_and_words_that_do_not_compare(reports):
    one, _ = reports
    assert one.title == "Hartford, CT: policing in 1 Jan – 29 Sep 2016"  # dates from the window, as two-window titles
    assert one.metrics()["then"] is None
    frame = disparity_frame(one, Measure.STOPS)
    assert not [c for c in frame.columns if "then" in c] and "now: ratio vs white" in frame.columns
    assert "compares nothing over time" in title_block(one).data
    words = tr.narrative.headline(one).data
    assert "now ÷ then" not in words and "then" not in re.sub(r"<[^>]+>", " ", words).lower().split()


def test_validate_accepts_a_now_only_file(tmp_path, capsys):
    assert main(["validate", str(_now_only(tmp_path))]) == 0


@pytest.mark.e2e
def test_trustreport_run_renders_a_now_only_report(tmp_path):
    import json
    import subprocess
    import sys

    params = _now_only(tmp_path)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "trustreport", "run", str(params), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "hartford-ct" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["then"] is None and {e["period"] for e in metrics["estimates"]} == {"now"}
    page = (out / "hartford-ct" / "report.html").read_text(encoding="utf-8")
    assert "compares nothing over time" in page and "<th>then: count</th>" not in page
