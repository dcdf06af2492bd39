"""Export an executed notebook: one self-contained HTML page (nbconvert) and its A4 PDF (WeasyPrint).

One stylesheet serves the browser's print and the PDF, so one template serves both (STYLE, the notebook).
Tools: `reference/toolchain.md`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

# Print rules for the report: A4, and the fix for JupyterLab's flexbox layout that otherwise clips charts at
# the right edge in WeasyPrint (toolchain.md, appendix D). Embedded in the HTML for browsers' print and passed
# to WeasyPrint, so one stylesheet serves both.
PRINT_CSS = """\
@page { size: A4; margin: 14mm 12mm; }
@media print {
  .jp-OutputArea-child, .jp-Cell-outputWrapper, .jp-Cell-inputWrapper, .jp-InputArea {
    display: block !important;
  }
  .jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
  img { max-width: 100% !important; max-height: 250mm !important; width: auto; height: auto !important; }
  /* Wide tables: fit the page width (JupyterLab's fixed layout lets them run off the right edge). */
  table { table-layout: auto !important; width: 100% !important; font-size: 7.5pt !important; }
  th, td { padding: .25em .35em !important; overflow-wrap: break-word; }
  pre { white-space: pre-wrap !important; }
  /* JupyterLab keeps each output whole (avoid-page), which pushes a long list or table to the next page and
     leaves half a page blank; let text and tables flow, keep charts and table rows whole. */
  .jp-OutputArea-child { break-inside: auto !important; }
  img, svg, tr { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
}
"""

# The `lab` template without anything fetched from the network (require.js, MathJax, mermaid, widgets), so the
# page is one self-contained file that works offline; plus the print rules above.
_HTML_TEMPLATE_NAME = "trustreport_report.html.j2"
_HTML_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    '{%- block html_head_css -%}\n<style type="text/css">\n' + PRINT_CSS + "</style>\n"
    "{%- endblock html_head_css -%}\n"
)


def export_html(nb: Any, *, title: str) -> str:
    """One self-contained HTML page: no input code, no prompts, `remove-cell` cells dropped, images inline."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    config.TagRemovePreprocessor.remove_input_tags = ("remove-input",)
    config.TagRemovePreprocessor.remove_all_outputs_tags = ("remove-output",)
    exporter = HTMLExporter(
        config=config,
        template_name="lab",
        extra_loaders=[DictLoader({_HTML_TEMPLATE_NAME: _HTML_TEMPLATE})],
        template_file=_HTML_TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return page


def write_pdf(page: str, target: Path, *, base_url: Path) -> None:
    """A4 PDF of the HTML page with WeasyPrint, in-process; nothing is fetched from the network."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    document = HTML(string=page, base_url=str(base_url), url_fetcher=fetcher)
    document.write_pdf(str(target), stylesheets=[CSS(string=PRINT_CSS)])
