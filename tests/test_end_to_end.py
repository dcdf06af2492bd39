"""End to end: the real template through papermill for Hartford, checked against counts made directly from the
Open Policing file and intervals made directly by statsmodels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from statsmodels.stats import rates as smrates

from trustreport.render import render_city

ROOT = Path(__file__).resolve().parents[1]
OPP = ROOT / "data" / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
ACS = ROOT / "data" / "opp-hartford" / "hartford_2015_demo.csv"
WINDOWS = {"then": ("2014-01-01", "2014-12-31"), "now": ("2016-01-01", "2016-09-29")}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hartford(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    result = render_city(ROOT / "params" / "hartford.yaml", out)
    assert result.status == "ok", result.reason
    return out / "hartford-ct"


@pytest.fixture(scope="module")
def metrics(hartford) -> dict:
    return json.loads((hartford / "metrics.json").read_text())


@pytest.fixture(scope="module")
def direct_stops() -> dict[str, dict[str, int]]:
    stops = pd.read_csv(OPP, usecols=["date", "subject_race", "type"], dtype=str, keep_default_na=False)
    stops = stops[stops["type"] == "vehicular"]
    out = {}
    for period, (start, end) in WINDOWS.items():
        inside = stops[(stops["date"] >= start) & (stops["date"] <= end)]
        out[period] = inside["subject_race"].value_counts().to_dict()
    return out


@pytest.fixture(scope="module")
def direct_residents() -> dict[str, int]:
    row = pd.read_csv(ACS, encoding="utf-8-sig").iloc[0]
    return {"black": int(row["Black"]), "hispanic": int(row["Hispanic"]), "white": int(row["White"])}


def _estimate(metrics: dict, est_id: str) -> dict:
    found = [e for e in metrics["estimates"] if e["id"] == est_id]
    assert found, f"no estimate {est_id}"
    return found[0]


@pytest.mark.parametrize("period", ["then", "now"])
@pytest.mark.parametrize("group", ["black", "hispanic", "white"])
def test_stop_counts_equal_direct_counts(metrics, direct_stops, period, group) -> None:
    assert _estimate(metrics, f"stops.count.{group}.{period}")["value"] == direct_stops[period][group]


@pytest.mark.parametrize("period", ["then", "now"])
@pytest.mark.parametrize("group", ["black", "hispanic"])
def test_rate_ratios_match_statsmodels(metrics, direct_stops, direct_residents, period, group) -> None:
    est = _estimate(metrics, f"stops.rate_ratio.{group}.{period}")
    a, c = direct_stops[period][group], direct_stops[period]["white"]
    n1, n2 = direct_residents[group], direct_residents["white"]
    assert est["numerator"] is not None
    assert est["value"] == pytest.approx((a / n1) / (c / n2), rel=1e-9)
    assert min(a, c) >= 100 and "score" in est["ci_method"].lower()
    low, high = smrates.confint_poisson_2indep(a, n1, c, n2, method="score", compare="ratio", alpha=0.05)
    assert est["ci"] == pytest.approx([low, high], rel=1e-6)
    if est["p_value"] is not None and "exact" in (est.get("test_method") or "").lower():
        expected = smrates.test_poisson_2indep(a, n1, c, n2, value=1, method="exact-cond", compare="ratio").pvalue
        assert est["p_value"] == pytest.approx(expected, rel=1e-6, abs=1e-300)


def test_residents_come_from_the_census_file(metrics, direct_residents) -> None:
    for group, n in direct_residents.items():
        rate = _estimate(metrics, f"stops.rate.{group}.now")
        assert rate["denominator"] == n
        assert rate["denominator_kind"] == "residents"


def test_outputs_are_self_contained_and_readable(hartford) -> None:
    html = (hartford / "report.html").read_text()
    assert "data:image/png;base64" in html
    assert "tr.build(" not in html and "params_path" not in html  # no code cells
    assert "application/vnd.trustreport.metrics+json" not in html
    assert "Hartford, CT" in html and "What data exist for which period" in html
    # Issue 9: the page title names the city (as trustreport.layout sets it), the visible title names the city and
    # both windows, and the first section after the title block is the key findings.
    assert "<title>Hartford, CT — policing then and now | trustreport</title>" in html
    h1 = re.findall(r"<h1[^>]*>(.*?)(?:<a|</h1>)", html)
    assert h1[:1] == ["Hartford, CT: policing then (2014) and now (1 Jan – 29 Sep 2016)"], h1
    # The sections are in <main>; the contents list (<nav>, headed 'Contents') comes between header and main.
    headings = re.findall(r"<h2[^>]*>(.*?)(?:<a|</h2>)", html[html.index("<main") :])
    assert headings[:2] == ["Key findings", "What data exist for which period"], headings[:3]
    reader = PdfReader(hartford / "report.pdf")
    assert len(reader.pages) >= 2
    assert "Hartford" in reader.pages[0].extract_text()


def test_metrics_sources_carry_hashes(metrics) -> None:
    ids = {s["id"]: s for s in metrics["sources"]}
    assert set(ids) == {"opp-hartford", "acs-hartford-2015", "wapo-fatal-force-hartford"}
    assert all(len(s["sha256"]) == 64 for s in ids.values())
    assert metrics["claims"] == []  # Hartford lists no published claims


def test_source_with_missing_column_fails_with_one_line_through_the_real_template(tmp_path) -> None:
    """A stop file without `subject_race`: `trustreport run` exits non-zero with one line naming the file and the
    column, no traceback, and nothing written."""
    import subprocess
    import sys

    import yaml

    raw = yaml.safe_load((ROOT / "params" / "hartford.yaml").read_text())
    for source in raw["sources"]:
        source["path"] = str(ROOT / source["path"])
    raw["sources"][0]["path"] = str(ROOT / "tests" / "data" / "sources" / "opp_missing_race.csv")
    raw["data_root"] = str(ROOT)
    params = tmp_path / "hartford_broken.yaml"
    params.write_text(yaml.safe_dump(raw, sort_keys=False))
    out = tmp_path / "outputs"
    done = subprocess.run(
        [sys.executable, "-m", "trustreport", "run", str(params), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "opp_missing_race.csv" in lines[0] and "subject_race" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert not (out / "hartford-ct").exists()
