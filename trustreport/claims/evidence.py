"""Where a claim's evidence comes from: which sources the recomputed estimates read, which publication typed
each published row, and whether any of it is independent of the claim's own publication.

A claim whose measure is counted only by rows of its own publication (an op-ed's "48 lawsuits" typed into
`data/published/`) cannot be checked by recomputing it: a match checks the arithmetic, not the claim. Sources
that only give a denominator (residents) do not make the measure's evidence independent. Published rows also
say how exact they are: a lower bound ("over 8,700") gives a one-sided count, and a count derived from a
rounded share carries the share's rounding as its interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trustreport import fmt
from trustreport.claim_schema import Claim, Statistic, written_decimals
from trustreport.claims.context import Context
from trustreport.estimate import Estimate

ROUNDING_METHOD = "rounding of a published share (share ± half its last digit, times the total)"
LOWER_BOUND_NOTE = "a published lower bound ('over …'): the count is at least this"


@dataclass(frozen=True)
class Evidence:
    """One source an estimate of the claim read: record-level or published, the publishers of the published
    rows used, whether those rows are all the claim's own publication, and whether the source counts the
    claim's measure (rather than only a denominator)."""

    source_id: str
    published: bool
    publications: tuple[str, ...] = ()
    own: bool = False
    counts_measure: bool = True

    @property
    def independent(self) -> bool:
        return self.counts_measure and not self.own

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "kind": "published figures" if self.published else "record-level data",
            "publications": list(self.publications),
            "own_publication": self.own,
            "counts_the_measure": self.counts_measure,
            "independent": self.independent,
        }


def evidence_of(claim: Claim, ctx: Context, made: Sequence[Estimate]) -> tuple[Evidence, ...]:
    """One `Evidence` per source the claim's estimates read, in order of first use (for an `availability`
    claim, which makes no estimate: every source with data of its measures in its window)."""
    if claim.statistic == Statistic.AVAILABILITY:
        return _consulted(claim, ctx)
    used = list(dict.fromkeys(s for e in made for s in e.sources))
    rows = rows_behind(ctx, made)
    measures = {str(m) for m in claim.measures}
    out = []
    for source in used:
        if source in ctx.record_sources:
            covered = {str(c.measure) for c in ctx.coverage if c.source_id == source}
            out.append(Evidence(source, published=False, counts_measure=not covered or bool(covered & measures)))
            continue
        mine = rows[(rows["source_id"] == source) & rows["measure"].isin(measures)] if len(rows) else rows
        if mine.empty:
            out.append(Evidence(source, published=True, counts_measure=False))
            continue
        own = bool(_own(claim, mine).all())
        publishers = tuple(dict.fromkeys(fmt.publisher(c) for c in mine["citation"]))
        out.append(Evidence(source, published=True, publications=publishers, own=own))
    return tuple(out)


def _consulted(claim: Claim, ctx: Context) -> tuple[Evidence, ...]:
    """The sources holding any data of the claim's measures in its data window, record-level then published."""
    window = (claim.check_window or claim.period).dates
    out = [
        Evidence(source, published=False)
        for source in dict.fromkeys(
            c.source_id
            for c in ctx.coverage
            if c.measure in claim.measures and c.source_id in ctx.record_sources
            if c.start <= window[1] and c.end >= window[0]
        )
    ]
    cited = ctx.citations
    if cited.empty:
        return tuple(out)
    rows = cited[
        cited["measure"].isin([str(m) for m in claim.measures])
        & (cited["period_start"] <= window[1].isoformat())
        & (cited["period_end"] >= window[0].isoformat())
    ]
    for source, sub in rows.groupby("source_id", sort=False):
        publishers = tuple(dict.fromkeys(fmt.publisher(c) for c in sub["citation"]))
        out.append(Evidence(str(source), published=True, publications=publishers, own=bool(_own(claim, sub).all())))
    return tuple(out)


def own_publication_only(evidence: Sequence[Evidence]) -> bool:
    """The claim's measure is counted only by its own publication's rows: no independent evidence."""
    about = [e for e in evidence if e.counts_measure]
    return bool(about) and all(e.own for e in about)


def rows_behind(ctx: Context, made: Sequence[Estimate]) -> pd.DataFrame:
    """The published count rows (statistic `total`) the estimates read: their source, inside their windows."""
    cited = ctx.citations
    if cited.empty:
        return cited
    used = {s for e in made for s in e.sources}
    windows = {(e.window[0].isoformat(), e.window[1].isoformat()) for e in made}
    windows |= {(e.then_window[0].isoformat(), e.then_window[1].isoformat()) for e in made if e.then_window}
    inside = [_within(s, e, windows) for s, e in zip(cited["period_start"], cited["period_end"], strict=True)]
    keep = cited["source_id"].isin(used) & cited["statistic"].eq("total") & pd.Series(inside, index=cited.index)
    return cited[keep]


def _own(claim: Claim, rows: pd.DataFrame) -> pd.Series:
    same_url = rows["url"].fillna("").eq(claim.url or "") & rows["url"].fillna("").ne("")
    return rows["citation"].eq(claim.citation) | same_url


def _within(start: str, end: str, windows: set[tuple[str, str]]) -> bool:
    return any(lo <= start and end <= hi for lo, hi in windows)


def count_rows(ctx: Context, est: Estimate) -> pd.DataFrame:
    """The published count rows behind one count estimate: its measure and group, inside its window."""
    rows = rows_behind(ctx, [est])
    if rows.empty:
        return rows
    return rows[rows["measure"].eq(str(est.measure)) & rows["group"].eq(str(est.group))]


def built_on_bounds(claim: Claim, ctx: Context, made: Sequence[Estimate]) -> bool:
    """A ratio, share, proportion or change computed from published bounds ("over 15,500 stops", "over 8,700
    of Black people"): bounds on its parts bound it in neither direction, so it cannot be graded. (A single
    count from a bound is graded one-sided instead; see `count_estimate`.)"""
    if claim.statistic in (Statistic.COUNT, Statistic.COUNT_PER_YEAR):
        return False
    rows = rows_behind(ctx, made)
    return bool(len(rows)) and bool(rows["qualifier"].isin(["at least", "at most"]).any())


def is_lower_bound(rows: pd.DataFrame) -> bool:
    """Some row behind the count was published as 'over …' / 'at least …'."""
    return bool(len(rows)) and bool(rows["qualifier"].eq("at least").any())


def rounding_interval(ctx: Context, rows: pd.DataFrame) -> tuple[float, float] | None:
    """For a single count `derived` from a rounded share (79.3% of 84,396), the counts the rounding allows:
    (share − h)·N to (share + h)·N, h half a unit of the share's last published digit, N the `all` total of
    the same window; None when the count is not such a derivation."""
    if len(rows) != 1 or rows["qualifier"].iloc[0] != "derived":
        return None
    row = rows.iloc[0]
    cited = ctx.citations
    same = (
        cited["measure"].eq(row["measure"])
        & cited["period_start"].eq(row["period_start"])
        & cited["period_end"].eq(row["period_end"])
        & cited["source_id"].eq(row["source_id"])
    )
    share = cited[same & cited["statistic"].eq("share") & cited["group"].eq(row["group"])]
    total = cited[same & cited["statistic"].eq("total") & cited["group"].eq("all")]
    if len(share) != 1 or len(total) != 1:
        return None
    s, n = float(share["value"].iloc[0]), float(total["value"].iloc[0])
    half = 0.5 * 10.0 ** -written_decimals(s)
    return float(math.ceil((s - half) * n)), float(math.floor((s + half) * n))
