"""Export an executed notebook: one self-contained HTML page (nbconvert) and its PDF (WeasyPrint).

One stylesheet serves the browser's print and the PDF, so one template serves both (STYLE, the notebook); the
page's structure (landmarks, contents, captions, scroll boxes) is `trustreport.layout`'s.
Tools: `docs/toolchain.md`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from trustreport.layout import SCREEN_CSS, PageSize, arrange_page, print_css, print_page

# The default print rules (Letter, no city in the running header); each report embeds its own `print_css`.
PRINT_CSS = print_css("letter", "trustreport")

# The `lab` template without anything fetched from the network (require.js, MathJax, mermaid, widgets), so the
# page is one self-contained file that works offline; a PNG's alt text from its display metadata
# (`{"image/png": {"alt": "…"}}`), which the lab template drops; plus the screen and print rules.
_HTML_TEMPLATE_NAME = "trustreport_report.html.j2"
_HTML_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
{{ resources.trustreport_css }}</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- if alt %} alt="{{ alt | escape_html }}"{% endif %}>
</div>
{%- endblock data_png %}
"""


def export_html(nb: Any, *, city: str, page_size: PageSize = "letter") -> str:
    """One self-contained HTML page titled with `city`: no input code, no prompts, `remove-cell` cells dropped,
    images inline, laid out by `layout.arrange_page` with print rules for `page_size` paper."""
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
    css = SCREEN_CSS + print_css(page_size, f"{city} — policing then and now")
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": city}, "trustreport_css": css})
    return arrange_page(page, city=city)


def write_pdf(page: str, target: Path, *, base_url: Path) -> None:
    """Tagged, PDF/UA-1 PDF of the HTML page with WeasyPrint, in-process, long tables moved to an appendix
    (`layout.print_page`); the paper size and running header come from the page's own print rules. Nothing is
    fetched from the network."""
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    document = HTML(string=print_page(page), base_url=str(base_url), url_fetcher=fetcher)
    document.write_pdf(str(target), pdf_variant="pdf/ua-1")
