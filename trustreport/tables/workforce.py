"""Section 8 table: who polices and who lives there."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.report import Report
from trustreport.tables._common import cell, flags_legend, methods_line, to_html
from trustreport.vocab import GROUP_LABELS, Measure


def workforce(report: Report) -> HTML:
    """Section 8: officer shares vs resident shares, with representation ratios and the dissimilarity index."""
    est = report.estimates
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic="share"):
        res = est.one(measure=Measure.RESIDENTS, statistic="share", group=e.group, period=e.period)
        ratio = est.one(statistic="representation_ratio", group=e.group, period=e.period)
        gap = est.one(statistic="percentage_point_gap", group=e.group, period=e.period)
        rows.append(
            {
                "snapshot": fmt.window(*e.window),
                "group": GROUP_LABELS[e.group],
                "officers": f"{fmt.count(e.numerator)} ({fmt.pct(e.value)})",
                "residents": f"{fmt.count(res.numerator)} ({fmt.pct(res.value)})" if res else fmt.DASH,
                "representation ratio": cell(ratio),
                "gap": cell(gap),
            }
        )
    if not rows:
        return HTML("<p>No officer demographics are available for either window.</p>")
    extra = [
        f"<p>Dissimilarity index ({fmt.window(*d.window)}): {fmt.pct(d.value)} of officers would need to be of a "
        "different group for the force to mirror residents.</p>"
        for d in est.where(statistic="dissimilarity_index")
    ]
    found = est.where(measure=Measure.OFFICERS)
    return HTML(to_html(pd.DataFrame(rows)) + "".join(extra) + methods_line(found) + flags_legend(found))
