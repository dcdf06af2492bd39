"""What every chart shares: the seaborn theme, measure titles, the then/now shading with the params' events, and
the colour of guide lines (parity, 45°, events). Imports nothing from the section modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from trustreport import fmt
from trustreport.params import Params
from trustreport.vocab import CONDITIONAL_STAGES, MEASURE_LABELS, MEASURE_SINGULAR, PERIOD_COLOURS, Measure

RC = {"figure.dpi": 110, "savefig.dpi": 110, "axes.titlesize": 11, "axes.labelsize": 10}
GUIDE_COLOUR = "#444444"  # parity lines, the 45° line of equal hit rates, event lines


@contextmanager
def theme() -> Iterator[None]:
    """The report's one seaborn style; draw every chart inside it."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", rc=RC):
        yield


def mark_windows_and_events(ax: Axes, params: Params) -> None:
    """On a time axis: shade the then and now windows in their period colours and draw each of `params.events`
    as a dashed vertical line labelled at the top."""
    for period, win in params.windows:
        ax.axvspan(pd.Timestamp(win.start), pd.Timestamp(win.end), color=PERIOD_COLOURS[period], alpha=0.1)
    for event in params.events:
        when = pd.Timestamp(event.date)
        ax.axvline(when, color=GUIDE_COLOUR, lw=0.8, ls="--")
        ax.annotate(
            event.label, (when, 0.98), xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right", fontsize=7
        )


def windows_phrase(p: Params) -> str:
    """'then (2014) and now (2016)' for a title; 'in 2016' alone for a "now only" report."""
    now = fmt.window(p.now.start, p.now.end)
    if p.then is None:
        return f"in {now}"
    return f"then ({fmt.window(p.then.start, p.then.end)}) and now ({now})"


def measure_title(measure: Measure) -> str:
    """'stops per resident' / 'searches per stop'."""
    if measure in CONDITIONAL_STAGES:
        return f"{MEASURE_LABELS[measure]} per {MEASURE_SINGULAR[CONDITIONAL_STAGES[measure]]}"
    return f"{MEASURE_LABELS[measure]} per resident"
