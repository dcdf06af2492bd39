"""The demo reports and the index in a real browser: Chromium (the Debian package, which `make test` installs when
missing) driven by Playwright, with axe-core (axe-playwright-python) for accessibility, and pypdf for the PDFs.

Hartford, Newark and Chicago are rendered once for the module, with the index; each page is opened once, at a
phone's width (390 px). Deselect with `-m "not browser"`.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from trustreport.batch import run_batch
from trustreport.layout import NO_ALT

ROOT = Path(__file__).resolve().parents[1]
CITIES = {"hartford-ct": "Hartford, CT", "newark-nj": "Newark, NJ", "chicago-il": "Chicago, IL"}
PHONE = {"width": 390, "height": 844}
LETTER = (612, 792)  # points
CHROMIUM = os.environ.get("TRUSTREPORT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [*CITIES, "index"]

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    params = [ROOT / "params" / f"{slug.split('-')[0]}.yaml" for slug in CITIES]
    results = run_batch(params, out, workers=2, progress=False)
    failed = {r.jurisdiction: r.reason for r in results if not r.ok}
    assert not failed
    return out


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; `make test` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(rendered, browser):
    """One open page per report and one for the index, at 390 px."""
    opened = {}
    for name in PAGES:
        path = rendered / ("index.html" if name == "index" else f"{name}/report.html")
        page = browser.new_page(viewport=PHONE)
        page.goto(path.as_uri())
        opened[name] = page
    yield opened
    for page in opened.values():
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(pages, name):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(pages[name]).response["violations"]
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    assert found == []


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_overflow_on_a_phone(pages, name):
    assert pages[name].evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("slug", list(CITIES))
def test_title_names_the_city(pages, slug):
    assert pages[slug].title() == f"{CITIES[slug]} — policing then and now | trustreport"


@pytest.mark.parametrize("slug", list(CITIES))
def test_every_image_has_alt_text(pages, slug):
    alts = pages[slug].eval_on_selector_all("img", "imgs => imgs.map(i => i.getAttribute('alt'))")
    assert alts, "every demo report shows at least one chart"
    assert all(alt and alt.strip() and alt != NO_ALT for alt in alts)


@pytest.mark.parametrize("slug", list(CITIES))
def test_tables_are_captioned_with_scoped_headers_in_their_own_scroll_box(pages, slug):
    found = pages[slug].evaluate(
        """() => Array.from(document.querySelectorAll('main table')).map(t => ({
            caption: t.caption ? t.caption.textContent.trim() : '',
            unscoped: t.querySelectorAll('th:not([scope])').length,
            boxed: t.parentElement.classList.contains('tr-scroll'),
        }))"""
    )
    assert found
    for number, table in enumerate(found, start=1):
        assert re.match(rf"Table {number}\. \S", table["caption"]), table
        assert table["unscoped"] == 0 and table["boxed"], table


def test_a_wide_table_scrolls_in_its_box_with_a_cue_and_a_sticky_first_column(pages):
    """Newark's claim ledger is wider than a phone: its box scrolls, shows the cue, and its first column stays."""
    state = pages["newark-nj"].evaluate(
        """() => {
            const boxes = Array.from(document.querySelectorAll('.tr-scroll'));
            const wide = boxes.find(b => b.scrollWidth > b.clientWidth + 2);
            if (!wide) return null;
            const first = wide.querySelector('tbody td:first-child, tbody th:first-child');
            return {
                cue: wide.parentElement.classList.contains('tr-more'),
                hint: getComputedStyle(wide.parentElement.querySelector('.tr-hint')).display,
                sticky: getComputedStyle(first).position,
            };
        }"""
    )
    assert state == {"cue": True, "hint": "block", "sticky": "sticky"}


@pytest.mark.parametrize("slug", list(CITIES))
def test_headings_never_skip_a_level_and_landmarks_are_there(pages, slug):
    levels = pages[slug].eval_on_selector_all("h1,h2,h3,h4,h5,h6", "hs => hs.map(h => Number(h.tagName[1]))")
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    for landmark in ("header", "nav", "main", "footer"):
        assert pages[slug].locator(landmark).count() == 1, landmark


def test_the_index_compares_the_cities_and_sorts(pages):
    page = pages["index"]
    rows = page.locator("#cities tbody tr")
    assert rows.count() == len(CITIES)
    assert "stops per resident, Black vs white" in page.locator("#cities").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        then = page.locator("#cities thead th").nth(3)
        assert then.text_content().strip() == "Then"
        then.locator("button").click()
        keys = page.eval_on_selector_all("#cities tbody tr td:nth-child(4)", "tds => tds.map(t => t.dataset.sort)")
        numbers = [float(k) for k in keys if k]
        assert numbers == sorted(numbers) and len(numbers) >= 2
        assert page.locator("#cities thead th[aria-sort=ascending]").count() == 1
    finally:
        page.set_viewport_size(PHONE)


@pytest.mark.parametrize("slug", list(CITIES))
def test_pdf_is_tagged_us_letter_with_a_page_number_on_every_page(rendered, slug):
    reader = PdfReader(rendered / slug / "report.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged (PDF/UA-1)
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        size = (round(float(box.width)), round(float(box.height)))
        # The appendix of full tables is printed landscape: Letter either way round, portrait up to it.
        assert size == LETTER or (size == LETTER[::-1] and "Appendix: full tables" in _appendix_text(reader))
        text = page.extract_text()
        assert f"page {number} of {total}" in text
        assert CITIES[slug] in text  # the running header


def _appendix_text(reader: PdfReader) -> str:
    """The text of the first landscape page, where the appendix starts."""
    for page in reader.pages:
        if float(page.mediabox.width) > float(page.mediabox.height):
            return page.extract_text()
    return ""
