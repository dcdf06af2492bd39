"""Section 8 chart: who polices and who lives there."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from trustreport.figures._theme import theme
from trustreport.report import Report
from trustreport.vocab import GROUP_LABELS, PERIOD_COLOURS, Measure, Period


def workforce(report: Report) -> Figure | None:
    """Paired bars: share of officers vs share of residents, by group, for each officer snapshot."""
    est = report.estimates
    rows = []
    for e in est.where(measure=Measure.OFFICERS, statistic="share"):
        res = est.one(measure=Measure.RESIDENTS, statistic="share", group=e.group, period=e.period)
        rows.append({"group": GROUP_LABELS[e.group], "who": f"officers ({e.window[0].year})", "share": e.value})
        if res:
            rows.append(
                {"group": GROUP_LABELS[e.group], "who": f"residents ({res.window[0].year})", "share": res.value}
            )
    if not rows:
        return None
    p = report.params.params
    with theme():
        fig, ax = plt.subplots(figsize=(7, 3.6))
        sns.barplot(
            pd.DataFrame(rows),
            x="group",
            y="share",
            hue="who",
            ax=ax,
            palette=[PERIOD_COLOURS[Period.NOW], PERIOD_COLOURS[Period.THEN]],
        )
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_xlabel("group")
        ax.set_ylabel("share")
        ax.set_title(f"{p.name}: who polices and who lives there", loc="left")
        ax.legend(title="", fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig
