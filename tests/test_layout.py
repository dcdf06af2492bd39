"""The report page's structure (`trustreport.layout`) on a small notebook exported through the real nbconvert
template: title, landmarks, heading levels, table captions and scopes, figures and their alt text, the PDF's
long-table appendix and print rules; and the index's choice of headline disparity (`trustreport.comparison`).
"""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from trustreport.comparison import comparison, headline
from trustreport.export import export_html, write_pdf
from trustreport.layout import LONG_TABLE_ROWS, NO_ALT, print_css, print_page
from trustreport.tables._common import to_html
from trustreport.vocab import Measure


def _png() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _html_output(html: str):
    return new_output("execute_result", data={"text/html": html}, execution_count=1)


def _notebook(rows: int = 3):
    png = _png()
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(rows)], "then": range(rows), "now": range(rows)})
    corner = (
        "<table><thead><tr><th></th><th>value</th></tr></thead><tbody><tr><th>a</th><td>1</td></tr></tbody></table>"
    )
    cells = [
        new_code_cell(outputs=[_html_output("<h1>Testville: then and now</h1><p>subtitle</p>")]),
        new_markdown_cell("## Stops and searches"),
        new_code_cell(outputs=[_html_output("<h4>Stops per resident</h4>" + to_html(frame))]),
        new_code_cell(
            outputs=[
                new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": "Ratio chart."}})
            ]
        ),
        new_code_cell(outputs=[new_output("display_data", data={"image/png": png})]),
        new_markdown_cell("## Sources"),
        new_code_cell(outputs=[_html_output(corner)]),
    ]
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def soup() -> BeautifulSoup:
    return BeautifulSoup(export_html(_notebook(), city="Testville, TX"), "html.parser")


def test_title_and_landmarks(soup):
    assert soup.title.string == "Testville, TX — policing then and now | trustreport"
    body = [c.name for c in soup.body.children if getattr(c, "name", None)]
    assert body[:4] == ["header", "nav", "main", "footer"]
    assert soup.header.h1.get_text() == "Testville: then and now"
    assert [a["href"] for a in soup.nav.find_all("a")] == ["#Stops-and-searches", "#Sources"]


def test_headings_do_not_skip_a_level(soup):
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels == [1, 2, 2, 3, 2]  # title, contents, section, the table's h4 moved up to h3, section


def test_tables_are_numbered_captioned_scoped_and_boxed(soup):
    tables = soup.main.find_all("table")
    assert [t.caption.get_text() for t in tables] == ["Table 1. Stops per resident", "Table 2. Sources"]
    assert all(th.get("scope") in {"col", "row"} for t in tables for th in t.find_all("th"))
    assert [th["scope"] for th in tables[1].find_all("th")] == ["col", "col", "row"]
    assert tables[1].find("th").get_text(strip=True) == "row label"  # the empty corner gets words
    for t in tables:
        box = t.parent
        assert box["role"] == "region" and box["tabindex"] == "0"
        assert box["aria-labelledby"] == t.caption["id"]


def test_figures_are_numbered_and_keep_the_alt_text_of_their_metadata(soup):
    figures = soup.main.find_all("figure")
    assert [f.figcaption.get_text() for f in figures] == [
        "Figure 1. Stops and searches",
        "Figure 2. Stops and searches",
    ]
    assert [f.img["alt"] for f in figures] == ["Ratio chart.", NO_ALT]


def test_a_long_table_is_shortened_in_the_pdf_and_printed_whole_in_the_appendix():
    rows = LONG_TABLE_ROWS + 5
    page = export_html(_notebook(rows=rows), city="Testville, TX")
    printed = BeautifulSoup(print_page(page), "html.parser")
    body_table, appendix_table = (t for t in printed.find_all("table") if "Stops per resident" in t.caption.text)
    assert len(body_table.tbody.find_all("tr")) == 10
    assert len(appendix_table.tbody.find_all("tr")) == rows
    assert appendix_table.find_parent("section")["class"] == ["tr-appendix"]
    assert f"The first 10 rows of {rows}; the full table is in the appendix." in printed.get_text()
    assert printed.nav.find_all("a")[-1]["href"] == "#appendix-full-tables"
    assert '<section class="tr-appendix"' not in print_page(export_html(_notebook(rows=3), city="Testville, TX"))


def test_print_rules_follow_the_page_size_and_escape_the_running_header():
    assert "size: Letter;" in print_css("letter", "X")
    assert "size: A4;" in print_css("a4", "X")
    assert 'content: "Say \\"hi\\" city";' in print_css("letter", 'Say "hi" city')
    assert '"page " counter(page) " of " counter(pages)' in print_css("letter", "X")


@pytest.mark.parametrize(("page_size", "points"), [("letter", (612, 792)), ("a4", (595, 842))])
def test_the_pdf_takes_its_paper_size_from_the_params_option(tmp_path, page_size, points):
    from pypdf import PdfReader

    page = export_html(_notebook(), city="Testville, TX", page_size=page_size)
    write_pdf(page, tmp_path / "report.pdf", base_url=tmp_path)
    reader = PdfReader(tmp_path / "report.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points
    assert f"page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()


def _ratio(measure: str, statistic: str, period: str, value: float | None) -> dict:
    return {
        "measure": measure,
        "statistic": statistic,
        "group": "black",
        "period": period,
        "value": value,
        "ci": [None, None] if value is None else [value * 0.9, value * 1.1],
        "p_value": None,
    }


def test_the_headline_is_the_first_measure_with_both_windows():
    estimates = [
        _ratio("stops", "rate_ratio", "then", 2.0),  # stops only then
        _ratio("arrests", "rate_ratio", "then", 3.0),
        _ratio("arrests", "rate_ratio", "now", 2.5),
        _ratio("arrests", "ratio_of_rate_ratios", "change", 2.5 / 3.0),
        _ratio("police_killings", "rate_ratio", "then", None),  # not estimable: never chosen
    ]
    found = headline(estimates, "white")
    assert found is not None and found.measure == Measure.ARRESTS
    assert (found.then.value, found.now.value) == (3.0, 2.5)
    assert found.change is not None and found.change.excludes_one  # 0.75–0.92 lies below 1: narrowed
    only_then = headline(estimates[:1], "white")
    assert only_then is not None and only_then.measure == Measure.STOPS and only_then.now is None
    assert headline(estimates[-1:], "white") is None


def test_comparison_tallies_the_ledger_and_the_grid():
    metrics = {
        "then": {"label": "2014", "start": "2014-01-01", "end": "2014-12-31"},
        "now": {"label": "2016", "start": "2016-01-01", "end": "2016-12-31"},
        "reference_group": "white",
        "estimates": [],
        "claims": [{"verdict": "reproduced"}, {"verdict": "not checkable"}, {"verdict": "not checkable"}],
        "availability": [{"status": "available"}, {"status": "partial"}, {"status": "not available"}],
    }
    row = comparison(metrics)
    assert row.verdicts == {"reproduced": 1, "not checkable": 2}
    assert (row.cells_available, row.cells_partial, row.cells_total) == (1, 1, 3)
    assert row.headline is None
