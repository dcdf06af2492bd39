"""Section 2 tables: the claim ledger and published 'then' figures beside the later claims they pair with."""

from __future__ import annotations

import html

from IPython.display import HTML

from trustreport.claims.compare import then_and_now_pairs
from trustreport.claims.present import ROLE_HEADINGS, ledger_frame, pairs_frame
from trustreport.report import Report
from trustreport.tables._common import to_html


def claim_ledger(report: Report) -> HTML:
    """Section 2: every claim of the params file with its published value, our recomputation (interval and
    method), the verdict with its flags, the sources of its evidence and the reason; caveats numbered below.
    Claims and earlier 'then' figures apart."""
    results = list(report.claims)
    if not results:
        return HTML("")  # narrative.claims_summary already says there is nothing to check
    notes: list[str] = []
    cited: list[str] = []
    blocks = []
    for role, heading in ROLE_HEADINGS.items():
        found = [r for r in results if r.claim.role == role]
        if found:
            blocks.append(f"<h3>{html.escape(heading)}</h3>{to_html(ledger_frame(found, notes, cited))}")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    if items:
        blocks.append(f'<p class="tr-methods">Notes:</p><ol class="tr-methods">{items}</ol>')
    sources = "".join(f"<li>{html.escape(c)}</li>" for c in cited)
    return HTML("\n".join(blocks) + f'<p class="tr-methods">Cited:</p><ul class="tr-methods">{sources}</ul>')


def then_and_now_published(report: Report) -> HTML:
    """Published 'then' figures beside the later claims they pair with, our recomputation of the 'now' where
    there is one, and whether the two can be compared (comparable / partly comparable / not comparable)."""
    pairs = then_and_now_pairs(list(report.claims))
    if not pairs:
        return HTML("<p>No published “then” figure is paired with a later claim.</p>")
    return HTML(to_html(pairs_frame(pairs)))
