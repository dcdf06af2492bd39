"""The report page's structure, for screens, phones, screen readers and paper.

nbconvert gives one `<main>` of notebook cells. `arrange_page` turns it into a page a reader can use: the city in
the `<title>`, landmarks (`<header>` with the title block, `<nav>` with the contents, `<main>`, `<footer>`),
headings without skipped levels, every table numbered and captioned with `<th scope>` on its header cells and
inside its own scroll box (sticky first column, a shadow and "scroll →" while more lies to the right), every chart
in a numbered `<figure>`, and no style rule that can match nothing on it (`drop_unused_rules`). `print_page` then
shortens long tables for the PDF and moves them whole to an appendix.

This is done on the exported page, not in each table builder, so that every table the notebook shows gets the same
treatment, whichever module made it. Chart alt text comes from the output's display metadata
(`{"image/png": {"alt": "…"}}`), which the export template writes into `<img alt>`.
"""

from __future__ import annotations

import copy
import re
from typing import Literal

import tinycss2
from bs4 import BeautifulSoup, Tag

PageSize = Literal["letter", "a4"]

# nbconvert's stand-in when an image has no alt text; the page keeps it, the browser test flags it.
NO_ALT = "No description has been provided for this image"
# A table with more body rows, or more text, than this is shortened in the PDF and printed whole in the appendix
# (about two pages of 8.5 pt text in a narrow column); the body keeps its first rows, up to either limit below.
LONG_TABLE_ROWS = 25
LONG_TABLE_CHARS = 4000
SHOWN_ROWS = 10
SHOWN_CHARS = 1500
APPENDIX_ID = "appendix-full-tables"

_HEADING = re.compile(r"^h[1-6]$")

# Screen and phone rules, embedded in the page.
SCREEN_CSS = """\
html { -webkit-text-size-adjust: 100%; }
img { max-width: 100%; height: auto; }
.tr-header, .tr-toc, .tr-footer { padding: 0 var(--jp-notebook-padding, 10px);
  font-family: var(--jp-content-font-family, system-ui, sans-serif); }
.tr-toc { font-size: .9rem; margin: .5rem 0 1rem; }
.tr-toc h2 { font-size: 1rem; margin: .4rem 0; display: inline; }
.tr-toc summary { cursor: pointer; margin: .4rem 0; }
.tr-toc ol { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: 0; padding-left: 0;
  list-style-position: inside; }
.tr-toc li { margin: 0; }
.tr-footer { color: #555; font-size: .85rem; border-top: 1px solid #ccc; margin-top: 2rem; padding-top: .5rem; }
/* A link inside running text is told apart by more than its colour (WCAG 1.4.1; axe link-in-text-block). */
.jp-RenderedHTMLCommon p a, .jp-RenderedHTMLCommon li a, .jp-RenderedHTMLCommon td a {
  text-decoration: underline !important; }
figure.tr-figure { margin: .6rem 0 1.2rem; }
figure.tr-figure img { display: block; max-width: 100%; height: auto; }
figcaption, caption.tr-caption { font-size: .9rem; font-weight: 600; text-align: left; margin: .3rem 0;
  font-family: var(--jp-content-font-family, system-ui, sans-serif); }
caption.tr-caption { caption-side: top; padding: 0 0 .3rem; }
/* A wide table scrolls inside its own box; its first column stays in view, and a shadow and a hint on the right
   say there is more (the class is set by the script at the end of the page; without script the box still
   scrolls). */
.tr-wide { position: relative; margin: .4rem 0 1rem; max-width: 100%; }
.tr-scroll { overflow-x: auto; max-width: 100%; }
.tr-scroll:focus { outline: 2px solid #0b5cad; outline-offset: 2px; }
.tr-scroll table { margin: 0; }
.tr-scroll tbody th:first-child, .tr-scroll tbody td:first-child, .tr-scroll thead th:first-child {
  position: sticky; left: 0; z-index: 1; background: var(--jp-layout-color0, #fff); box-shadow: 1px 0 0 #ddd; }
/* The sticky cell is opaque, in its row's stripe colour (JupyterLab stripes even rows). */
.tr-scroll tbody tr:nth-child(even) td:first-child, .tr-scroll tbody tr:nth-child(even) th:first-child {
  background: var(--jp-rendermime-table-row-background, #f5f5f5); }
.tr-wide.tr-more::after { content: ""; position: absolute; top: 0; right: 0; bottom: 0; width: 1.6rem;
  pointer-events: none; background: linear-gradient(to left, rgba(0, 0, 0, .22), rgba(0, 0, 0, 0)); }
.tr-hint { display: none; font-size: .8rem; color: #555; text-align: right; margin: 0 0 .15rem; }
.tr-wide.tr-more .tr-hint { display: block; }
.tr-note { font-size: .85rem; color: #444; }
.tr-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 600px) {
  /* Columns keep a readable width and the box scrolls, rather than every cell wrapping word by word. */
  .tr-scroll table { min-width: min(calc(var(--tr-cols, 1) * 7rem), 64rem); }
  .tr-scroll tbody th:first-child, .tr-scroll tbody td:first-child, .tr-scroll thead th:first-child {
    max-width: 9rem; }
  .jp-Notebook { padding: 4px !important; }
  .jp-Cell { padding: 2px 0 !important; }
  h1 { font-size: 1.5rem !important; }
  .tr-table { font-size: .8rem !important; }
}
@media print { .tr-hint, .tr-wide.tr-more::after { display: none !important; } }
"""

# Marks a scroll box whose table runs past its right edge, and clears the mark once it is scrolled to the end;
# opens the contents on a wide screen and before printing.
SCROLL_SCRIPT = """\
(function () {
  function mark(box) {
    var wide = box.parentNode;
    var more = box.scrollWidth - box.clientWidth - box.scrollLeft > 2;
    wide.classList.toggle('tr-more', more);
  }
  var boxes = document.querySelectorAll('.tr-scroll');
  function all() { for (var i = 0; i < boxes.length; i++) mark(boxes[i]); }
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener('scroll', function (e) { mark(e.currentTarget); }, { passive: true });
  }
  window.addEventListener('resize', all);
  all();
  var contents = document.querySelector('.tr-toc details');
  if (contents) {
    if (window.matchMedia('(min-width: 601px)').matches) contents.open = true;
    window.addEventListener('beforeprint', function () { contents.open = true; });
  }
})();
"""


MARGIN_FONT = 'system-ui, "DejaVu Sans", sans-serif'


def print_css(page_size: PageSize, running_title: str) -> str:
    """Print rules for the PDF and for a browser's print: paper size, a running header with the city and
    "page N of M" on every page, the contents with page numbers, table text at 8.5 pt, charts at text width.

    Also undoes JupyterLab's flexbox layout, which otherwise clips charts at the right edge in WeasyPrint.
    """
    size = {"letter": "Letter", "a4": "A4"}[page_size]
    running = _css_string(running_title)
    return f"""\
@page {{
  size: {size}; margin: 18mm 14mm 16mm;
  @top-left {{ content: {running}; font: 8pt {MARGIN_FONT}; color: #555; }}
  @bottom-right {{ content: "page " counter(page) " of " counter(pages); font: 8pt {MARGIN_FONT}; color: #555; }}
}}
@media print {{
  .jp-OutputArea-child, .jp-Cell-outputWrapper, .jp-Cell-inputWrapper, .jp-InputArea {{
    display: block !important;
  }}
  .jp-OutputPrompt, .jp-InputPrompt, .anchor-link {{ display: none !important; }}
  body {{ font-size: 10pt; }}
  img {{ max-width: 100% !important; height: auto !important; }}
  .jp-RenderedImage {{ display: block !important; width: 100% !important; }}
  figure.tr-figure {{ margin: 0 0 4mm; break-inside: avoid; width: 100%; }}
  figure.tr-figure img {{ width: 100% !important; max-height: 215mm; object-fit: contain; }}
  .tr-scroll, .tr-wide {{ overflow: visible !important; }}
  .tr-scroll th, .tr-scroll td {{ position: static !important; box-shadow: none !important; }}
  table {{ table-layout: auto !important; width: 100% !important; font-size: 8.5pt !important; }}
  th, td {{ padding: .2em .35em !important; overflow-wrap: break-word; }}
  thead {{ display: table-header-group; }}
  caption.tr-caption, figcaption {{ font-size: 9pt; }}
  pre {{ white-space: pre-wrap !important; }}
  /* JupyterLab keeps each output whole (avoid-page), which pushes a long list or table to the next page and
     leaves half a page blank; let text and tables flow, keep charts and table rows whole. */
  .jp-OutputArea-child {{ break-inside: auto !important; }}
  img, svg, tr {{ break-inside: avoid; }}
  h1, h2, h3, h4, caption {{ break-after: avoid; }}
  .tr-toc ol {{ display: block; padding-left: 1.4em; list-style-position: outside; }}
  .tr-toc li {{ margin: .1em 0; }}
  .tr-toc a {{ color: inherit; text-decoration: none; }}
  .tr-toc a::after {{ content: leader(".") target-counter(attr(href), page); }}
  /* The appendix's full tables are wide: landscape pages give their columns room. */
  .tr-appendix {{ page: appendix; }}
}}
@page appendix {{ size: {size} landscape; }}
"""


def arrange_page(page: str, *, city: str) -> str:
    """The exported page with its city title, landmarks, contents, heading levels, numbered table captions and
    scroll boxes, and numbered figures (see the module docstring)."""
    soup = BeautifulSoup(page, "html.parser")
    _set_title(soup, f"{city} — policing then and now | trustreport")
    main = soup.find("main")
    if main is None:
        main = soup.new_tag("main")
        body = soup.body or soup
        for child in list(body.children):
            main.append(child.extract())
        body.append(main)
    _fix_heading_levels(soup)
    _add_header(soup, main)
    _number_tables(soup, main)
    _number_figures(soup, main)
    _add_contents(soup, main)
    _add_footer(soup, main, city)
    script = soup.new_tag("script")
    script.string = SCROLL_SCRIPT
    (soup.body or soup).append(script)
    drop_unused_rules(soup)
    return str(soup)


# A selector with a function or an attribute test (`:not(.a)`, `:is(…)`, `[hidden]`) is kept whatever it names.
_KEEP_SELECTOR = re.compile(r"[()\[\]]")
_CLASS_OR_ID = re.compile(r"([.#])(-?[_a-zA-Z][-\w]*)")
_SCRIPT_WORD = re.compile(r"[-\w]+")


def drop_unused_rules(soup: BeautifulSoup) -> None:
    """Remove, from every `<style>` of the page, the rules no element can match because each of their selectors
    needs a class or id that no element has and no script mentions, then the custom properties (`--name`) that no
    remaining rule, inline style or other kept property uses.

    nbconvert's lab template embeds all of JupyterLab's stylesheet (about 240 kB: editors, widgets, menus, icons
    as custom properties) for a page that uses a few dozen of its rules; the browser and WeasyPrint parse and
    cascade all of it (WeasyPrint spent 1.6 s of a 5 s PDF doing so). The test is conservative: a selector with a
    function or an attribute test is kept, and so is every at-rule but `@media`, whose rules are tested in turn.
    """
    names: set[str] = set()
    used_vars: set[str] = set()
    for tag in soup.find_all(True):
        names.update(f".{c}" for c in tag.get("class") or ())
        if tag.get("id"):
            names.add(f"#{tag['id']}")
        used_vars.update(_VAR_USE.findall(tag.get("style") or ""))
    for script in soup.find_all("script"):
        words = _SCRIPT_WORD.findall(script.string or "")
        names.update(f".{w}" for w in words)
        names.update(f"#{w}" for w in words)
    styles = soup.find_all("style")
    sheets = [
        _used_rules(tinycss2.parse_stylesheet(style.get_text(), skip_comments=True, skip_whitespace=True), names)
        for style in styles
    ]
    properties: dict[str, str] = {}
    for rule in _all_rules(sheets):
        for declaration in _declarations(rule):
            value = tinycss2.serialize(declaration.value)
            if declaration.name.startswith("--"):
                properties[declaration.name] = properties.get(declaration.name, "") + value
            else:
                used_vars.update(_VAR_USE.findall(value))
    todo = list(used_vars)
    while todo:
        for name in _VAR_USE.findall(properties.get(todo.pop(), "")):
            if name not in used_vars:
                used_vars.add(name)
                todo.append(name)
    for style, rules in zip(styles, sheets, strict=True):
        for rule in _all_rules([rules]):
            declarations = _declarations(rule)
            if any(d.name.startswith("--") and d.name not in used_vars for d in declarations):
                kept = [d for d in declarations if not d.name.startswith("--") or d.name in used_vars]
                rule.content = [token for d in kept for token in (d, _SEMICOLON)]
        # A `<` in the CSS (a city name in the running header) would let `</style>` end the element early: written
        # as the CSS escape `\3c `, which reads back as the same character.
        style.string = "\n".join(r.serialize() for r in rules).replace("<", "\\3c ")


_VAR_USE = re.compile(r"var\(\s*(--[-\w]+)")
_SEMICOLON = tinycss2.ast.LiteralToken(0, 0, ";")


def _all_rules(sheets: list[list]) -> list:
    """The qualified rules of the sheets, those inside `@media` included."""
    found = []
    for rules in sheets:
        for rule in rules:
            if rule.type == "qualified-rule":
                found.append(rule)
            elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
                found.extend(r for r in rule.content if getattr(r, "type", "") == "qualified-rule")
    return found


def _declarations(rule) -> list:
    return [
        d
        for d in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
        if d.type == "declaration"
    ]


def _used_rules(rules: list, names: set[str]) -> list:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if any(_may_match(selector, names) for selector in tinycss2.serialize(rule.prelude).split(",")):
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
            inner = _used_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), names)
            if inner:
                rule.content = inner
                kept.append(rule)
        elif rule.type == "at-rule":
            kept.append(rule)
    return kept


def _may_match(selector: str, names: set[str]) -> bool:
    if _KEEP_SELECTOR.search(selector):
        return True
    return all(kind + name in names for kind, name in _CLASS_OR_ID.findall(selector))


def print_page(page: str) -> str:
    """The page as printed to PDF: a long table (`_is_long`) shows its first rows (`_rows_to_show`) in
    the body with a note, and is printed whole in an appendix at the end (listed in the contents)."""
    soup = BeautifulSoup(page, "html.parser")
    main = soup.find("main")
    long_tables = [t for t in soup.find_all("table") if _is_long(t)]
    if main is None or not long_tables:
        return page
    appendix = soup.new_tag("section", attrs={"class": "tr-appendix", "aria-labelledby": APPENDIX_ID})
    heading = soup.new_tag("h2", attrs={"id": APPENDIX_ID})
    heading.string = "Appendix: full tables"
    appendix.append(heading)
    for table in long_tables:
        full = copy.copy(table)
        number = table.get("data-tr-number", "")
        full_id = f"tr-table-{number}-full"
        full["id"] = full_id
        for caption in full.find_all("caption"):
            caption.attrs.pop("id", None)
        appendix.append(full)
        rows = _body_rows(table)
        shown = _rows_to_show(rows)
        for row in rows[shown:]:
            row.decompose()
        note = soup.new_tag("p", attrs={"class": "tr-note"})
        first = "The first row" if shown == 1 else f"The first {shown} rows"
        note.append(f"{first} of {len(rows)}; the full table is in the ")
        link = soup.new_tag("a", attrs={"href": f"#{full_id}"})
        link.string = "appendix"
        note.append(link)
        note.append(".")
        (table.find_parent("div", class_="tr-wide") or table).insert_after(note)
    main.append(appendix)
    toc = soup.select_one("nav.tr-toc ol")
    if toc is not None:
        item = soup.new_tag("li")
        link = soup.new_tag("a", attrs={"href": f"#{APPENDIX_ID}"})
        link.string = "Appendix: full tables"
        item.append(link)
        toc.append(item)
    return str(soup)


def _set_title(soup: BeautifulSoup, text: str) -> None:
    head = soup.head
    if head is None:
        return
    title = head.find("title")
    if title is None:
        title = soup.new_tag("title")
        head.append(title)
    title.string = text


def _heading_text(heading: Tag) -> str:
    """A heading's words without nbconvert's "¶" anchor link."""
    parts = [s for s in heading.find_all(string=True) if not s.find_parent("a", class_="anchor-link")]
    return " ".join("".join(parts).split())


def _fix_heading_levels(soup: BeautifulSoup) -> None:
    """No heading more than one level below the one before it (an h2 followed by an h4 becomes h2, h3)."""
    previous = 0
    for heading in soup.find_all(_HEADING):
        level = int(heading.name[1])
        fixed = min(level, previous + 1) if previous else level
        heading.name = f"h{fixed}"
        previous = fixed


def _add_header(soup: BeautifulSoup, main: Tag) -> None:
    """Move the title block (the cell holding the first h1) out of `<main>` into a `<header>` before it."""
    h1 = main.find("h1")
    if h1 is None:
        return
    cell = h1.find_parent("div", class_="jp-Cell") or h1
    header = soup.new_tag("header", attrs={"class": "tr-header"})
    header.append(cell.extract())
    main.insert_before(header)


def _number_tables(soup: BeautifulSoup, main: Tag) -> None:
    """Number and caption every table, put `scope` on its header cells, and wrap it in a labelled scroll box."""
    for number, table in enumerate(main.find_all("table"), start=1):
        caption = table.find("caption")
        caption_id = f"tr-table-{number}-caption"
        if caption is None:
            caption = soup.new_tag("caption")
            caption.string = _nearest_heading(table, any_level=True) or "Table"
            table.insert(0, caption)
        caption["class"] = [*caption.get("class", []), "tr-caption"]
        caption["id"] = caption_id
        caption.insert(0, f"Table {number}. ")
        table["data-tr-number"] = str(number)
        first_row = table.find("tr")
        columns = len(first_row.find_all(["th", "td"], recursive=False)) if first_row else 1
        table["style"] = f"--tr-cols: {columns}"

        _scope_headers(soup, table)
        wide = soup.new_tag("div", attrs={"class": "tr-wide"})
        hint = soup.new_tag("p", attrs={"class": "tr-hint", "aria-hidden": "true"})
        hint.string = "scroll →"
        box = soup.new_tag(
            "div", attrs={"class": "tr-scroll", "role": "region", "tabindex": "0", "aria-labelledby": caption_id}
        )
        table.wrap(box)
        box.wrap(wide)
        wide.insert(0, hint)


def _scope_headers(soup: BeautifulSoup, table: Tag) -> None:
    """`scope="col"` on header cells in a header row, `scope="row"` on a header cell that starts a data row; an
    empty header cell gets words for screen readers."""
    for th in table.find_all("th"):
        row = th.find_parent("tr")
        in_head = th.find_parent("thead") is not None
        all_headers = row is not None and all(c.name == "th" for c in row.find_all(["td", "th"], recursive=False))
        th["scope"] = "col" if in_head or all_headers else "row"
        if not th.get_text(strip=True):
            hidden = soup.new_tag("span", attrs={"class": "tr-sr"})
            hidden.string = "row label" if th["scope"] == "col" else "(no label)"
            th.append(hidden)


def _number_figures(soup: BeautifulSoup, main: Tag) -> None:
    """Wrap every chart in a `<figure>` captioned "Figure N. <its section>"."""
    for number, img in enumerate(main.find_all("img"), start=1):
        figure = soup.new_tag("figure", attrs={"class": "tr-figure"})
        img.wrap(figure)
        caption = soup.new_tag("figcaption")
        caption.string = f"Figure {number}. {_nearest_heading(img, any_level=False) or 'Chart'}"
        figure.append(caption)


def _nearest_heading(node: Tag, *, any_level: bool) -> str | None:
    """The text of the heading before `node`: any heading for a table (a measure's own heading names it best),
    only a section heading (h2/h3, which nbconvert gives an id) for a chart."""
    for heading in node.find_all_previous(_HEADING):
        if any_level or heading.get("id"):
            text = _heading_text(heading)
            if text:
                return text
    return None


def _add_contents(soup: BeautifulSoup, main: Tag) -> None:
    """A `<nav>` listing the sections (h2 with an id), after the header."""
    sections = [h for h in main.find_all("h2") if h.get("id")]
    if not sections:
        return
    nav = soup.new_tag("nav", attrs={"class": "tr-toc", "aria-labelledby": "tr-contents"})
    # Folded on a phone, so the findings stay near the top; the script opens it on a wide screen and for print.
    details = soup.new_tag("details")
    summary = soup.new_tag("summary")
    title = soup.new_tag("h2", attrs={"id": "tr-contents"})
    title.string = "Contents"
    summary.append(title)
    details.append(summary)
    nav.append(details)
    items = soup.new_tag("ol")
    for heading in sections:
        item = soup.new_tag("li")
        link = soup.new_tag("a", attrs={"href": f"#{heading['id']}"})
        link.string = _heading_text(heading)
        item.append(link)
        items.append(item)
    details.append(items)
    main.insert_before(nav)


def _add_footer(soup: BeautifulSoup, main: Tag, city: str) -> None:
    footer = soup.new_tag("footer", attrs={"class": "tr-footer"})
    text = soup.new_tag("p")
    text.string = (
        f"{city}: policing then and now, made by trustreport. Every number on this page, with its interval, "
        "method and sources, is in metrics.json beside it."
    )
    footer.append(text)
    main.insert_after(footer)


def _is_long(table: Tag) -> bool:
    """Whether a table is too long for the PDF's body: more than `LONG_TABLE_ROWS` rows or `LONG_TABLE_CHARS`
    characters of cell text."""
    rows = _body_rows(table)
    return len(rows) > LONG_TABLE_ROWS or sum(len(r.get_text(" ", strip=True)) for r in rows) > LONG_TABLE_CHARS


def _rows_to_show(rows: list[Tag]) -> int:
    """How many first rows of a long table the body keeps: up to `SHOWN_ROWS` and `SHOWN_CHARS`, at least one."""
    shown, chars = 0, 0
    for row in rows[:SHOWN_ROWS]:
        chars += len(row.get_text(" ", strip=True))
        if shown and chars > SHOWN_CHARS:
            break
        shown += 1
    return shown


def _body_rows(table: Tag) -> list[Tag]:
    body = table.find("tbody")
    return body.find_all("tr", recursive=False) if body else []


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string; `<` and `>` as CSS escapes, so a name such as `</style>` can never close
    the style element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    escaped = escaped.replace("<", "\\3c ").replace(">", "\\3e ")
    return f'"{escaped}"'
