"""Partial coverage, flagged everywhere it applies: an estimate of the then or the now window (or a change
between them) whose measure the sources cover for only part of that window is flagged `partial coverage`, with
the share of days covered. Sections that narrow a window to the covered span flag it themselves (rates need the
exposure really covered); this pass catches the estimates that use the window as asked (outcome tests, veil of
darkness, force, year-to-date and others), so that no window is read as whole when the data are not."""

from __future__ import annotations

from collections.abc import Sequence

from trustreport import fmt
from trustreport.counts import Coverage, coverage_of
from trustreport.estimate import Estimate
from trustreport.vocab import MEASURE_LABELS, STOCK_MEASURES, DateSpan, Flag, Period


def flag_partial_coverage(estimates: Sequence[Estimate], coverages: Sequence[Coverage]) -> list[Estimate]:
    """`estimates` with `partial coverage` added where a window they use is covered only in part (see module
    doc). Stock measures (residents, officers: one snapshot) and measures no source records coverage for are
    left alone; so are estimates already flagged."""
    held = {c.measure for c in coverages}
    out = []
    for est in estimates:
        if est.measure in STOCK_MEASURES or est.measure not in held or Flag.PARTIAL_COVERAGE in est.flags:
            out.append(est)
            continue
        notes = [n for n in (_note(est, w, coverages) for w in _windows(est)) if n]
        for note in notes:
            est = est.with_flags(Flag.PARTIAL_COVERAGE, note=note)
        out.append(est)
    return out


def _windows(est: Estimate) -> list[DateSpan]:
    if est.period == Period.CHANGE:
        return [w for w in (est.then_window, est.window) if w is not None]
    if est.period in (Period.THEN, Period.NOW):
        return [est.window]
    return []


def _note(est: Estimate, window: DateSpan, coverages: Sequence[Coverage]) -> str | None:
    share = coverage_of(coverages, est.measure, window)
    if share >= 1.0 or share == 0.0:  # no data at all is "not available", said by the estimate itself
        return None
    return f"{MEASURE_LABELS[est.measure]} data cover {fmt.pct(share, digits=0)} of the days of {fmt.window(*window)}"
