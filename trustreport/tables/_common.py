"""Helpers shared by the table sections: estimate cells with flag marks, the marks legend, the methods line,
measure headings and the one `DataFrame` → HTML call. Imports nothing from the section modules."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import HTML

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    FLAG_MARKS,
    FLAG_MEANINGS,
    MEASURE_LABELS,
    MEASURE_SINGULAR,
    Flag,
    Measure,
)

CSS_CLASS = "tr-table"
NOT_AVAILABLE_CLASS = "tr-not-available"


def cell(e: Estimate | None, *, with_p: bool = False) -> str:
    """A value with its interval, optionally its p-value, and flag marks; a dash when there is no estimate."""
    if e is None:
        return fmt.DASH
    if Flag.NOT_COMPARABLE in e.flags:
        return "not comparable (recording break)"
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{flag_marks(e)}"
    text = fmt.value(e)
    if e.ci is not None and e.ci[0] is not None and fmt.ci(e):
        text += f" ({fmt.ci(e)})"
    if with_p and e.p_value is not None:
        text += f", p {fmt.p_value(e.p_value)}"
    return text + flag_marks(e)


def share_cell(e: Estimate | None) -> str:
    """A share (hit rate, share of stops) as a percentage with its interval and flag marks."""
    if e is None:
        return fmt.DASH
    if not e.estimable:
        return f"{fmt.NOT_ESTIMABLE}{flag_marks(e)}"
    text = fmt.pct(e.value)
    if e.ci is not None:
        text += f" ({fmt.interval(e.ci[0], e.ci[1], fmt.pct)})"
    return text + flag_marks(e)


def flag_marks(e: Estimate) -> str:
    """The estimate's flag marks, e.g. ' [a,b]', or '' when it carries none that are marked."""
    marks = [FLAG_MARKS[f] for f in e.flags if FLAG_MARKS.get(f)]
    return f" [{','.join(marks)}]" if marks else ""


def flags_legend(found: list[Estimate]) -> str:
    """A line explaining every flag mark used by the estimates shown, in `FLAG_MARKS` order."""
    used = sorted({f for e in found for f in e.flags if FLAG_MARKS.get(f)}, key=list(FLAG_MARKS).index)
    if not used:
        return ""
    text = "; ".join(f"{FLAG_MARKS[f]} = {FLAG_MEANINGS[f]}" for f in used)
    return f'<p class="tr-methods">Marks: {html.escape(text)}.</p>'


def comparability_line(found: list[Estimate]) -> str:
    """The reasons the estimates shown are not comparable then against now (recording breaks), each once."""
    notes = dict.fromkeys(
        n for e in found if Flag.NOT_COMPARABLE in e.flags for n in e.notes if n.startswith("not comparable")
    )
    if not notes:
        return ""
    return f'<p class="tr-methods">{html.escape(" ".join(n[0].upper() + n[1:] + "." for n in notes))}</p>'


def methods_line(found: list[Estimate]) -> str:
    """The interval and test methods of the estimates shown, each named once."""
    methods = sorted({e.ci_method for e in found if e.ci_method})
    tests = sorted({e.test_method for e in found if e.test_method})
    parts = []
    if methods:
        parts.append("Intervals: " + "; ".join(methods) + ".")
    if tests:
        parts.append("Tests: " + "; ".join(tests) + ".")
    return f'<p class="tr-methods">{html.escape(" ".join(parts))}</p>' if parts else ""


def measure_heading(measure: Measure) -> str:
    """'Stops per resident' / 'Searches per stop'."""
    if measure in CONDITIONAL_STAGES:
        feeder = CONDITIONAL_STAGES[measure]
        return f"{MEASURE_LABELS[measure].capitalize()} per {MEASURE_SINGULAR[feeder]}"
    return f"{MEASURE_LABELS[measure].capitalize()} per resident"


def to_html(frame: pd.DataFrame) -> str:
    """The frame as an escaped HTML table in the report's table class."""
    return frame.to_html(index=False, escape=True, classes=CSS_CLASS, border=0, na_rep=fmt.DASH)


def not_available_note(report: Any, measures: tuple[Measure, ...]) -> str:
    """One line per report window in which no source covers the section's measures that some source of the
    city holds at some date: "Not available for now (2030): no source covers stops in 2030." (a window outside the
    data is reported as missing, never filled in; DESIGN, rules of thumb). Empty when every window has them."""
    table = report.availability
    if not {"measure", "period", "coverage"} <= set(table.columns):
        return ""
    rows = table[table["measure"].isin({str(m) for m in measures})]
    held_anywhere = {str(c.measure) for s in report.sources for c in s.coverage}
    held = [str(m) for m in measures if str(m) in held_anywhere and str(m) in set(rows["measure"])]
    p = report.params.params
    lines = []
    for period, win in p.windows:
        missing = [m for m in held if not _covered(rows, m, str(period))]
        if not missing:
            continue
        labels = ", ".join(MEASURE_LABELS[Measure(m)] for m in missing)
        lines.append(
            f'<p class="{NOT_AVAILABLE_CLASS}">Not available for {period} ({html.escape(win.label)}): no source '
            f"covers {html.escape(labels)} in {fmt.window(win.start, win.end)}.</p>"
        )
    return "".join(lines)


def _covered(rows: pd.DataFrame, measure: str, period: str) -> bool:
    found = rows[(rows["measure"] == measure) & (rows["period"] == period)]
    return bool(len(found)) and float(found["coverage"].max()) > 0


def not_available_for(*measures: Measure) -> Callable[[Callable[..., HTML]], Callable[..., HTML]]:
    """Decorate a section table so that it ends with `not_available_note` for its measures."""

    def decorate(table: Callable[..., HTML]) -> Callable[..., HTML]:
        @functools.wraps(table)
        def wrapper(report: Any) -> HTML:
            shown = table(report)
            note = not_available_note(report, measures)
            return HTML(shown.data + note) if note else shown

        return wrapper

    return decorate
