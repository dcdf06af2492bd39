"""Workforce vs residents (methods §7): officer shares by race against resident shares.

Officer counts are a census of the force, so the Wilson interval on an officer share is only meaningful if the
force is read as a draw from a hiring process; it is labelled so. Resident shares come from the census and carry
no interval here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from trustreport.counts import stock_snapshot
from trustreport.estimate import Estimate
from trustreport.vocab import DenominatorKind, Flag, Group, Measure, Period

_WILSON = "Wilson score (officers read as a draw from a hiring process)"


def representation(
    counts: pd.DataFrame,
    window: tuple[date, date],
    *,
    period: Period,
    groups: Sequence[Group],
    level: float = 0.95,
) -> list[Estimate]:
    """Officer share, resident share, representation ratio and percentage-point gap per group, and the
    dissimilarity index D = ½ Σ |p_officers − p_residents| over the groups shown (methods §7).

    Officers of unknown race are excluded from the officer total (as Governing 2015 did). Returns [] when either
    snapshot is missing.
    """
    officers, off_vintage = stock_snapshot(counts, Measure.OFFICERS, window)
    residents, res_vintage = stock_snapshot(counts, Measure.RESIDENTS, window)
    if off_vintage is None or res_vintage is None:
        return []
    off = dict(zip(officers["group"], officers["value"], strict=True))
    res = dict(zip(residents["group"], residents["value"], strict=True))
    off_sources = tuple(sorted({s for ids in officers["sources"] for s in ids}))
    res_sources = tuple(sorted({s for ids in residents["sources"] for s in ids}))
    known = [g for g in off if g not in (Group.ALL, Group.UNKNOWN)]
    off_total = sum(off[g] for g in known)
    res_total = res.get(Group.ALL) or sum(v for g, v in res.items() if g not in (Group.ALL, Group.UNKNOWN))
    if off_total <= 0 or res_total <= 0:
        return []

    out: list[Estimate] = []
    gaps: list[float] = []
    for group in groups:
        k, r = off.get(str(group), 0.0), res.get(str(group), 0.0)
        p_off, p_res = k / off_total, r / res_total
        lo, hi = proportion_confint(k, off_total, alpha=1 - level, method="wilson")
        base = dict(group=group, period=period, window=off_vintage, sources=(*off_sources, *res_sources))
        out.append(
            Estimate(
                id=f"officers.share.{group}.{period}",
                measure=Measure.OFFICERS,
                statistic="share",
                value=p_off,
                numerator=k,
                denominator=off_total,
                denominator_kind=DenominatorKind.OFFICERS,
                ci=(lo, hi),
                ci_method=_WILSON,
                **base,
            )
        )
        out.append(
            Estimate(
                id=f"residents.share.{group}.{period}",
                measure=Measure.RESIDENTS,
                statistic="share",
                value=p_res,
                numerator=r,
                denominator=res_total,
                denominator_kind=DenominatorKind.RESIDENTS,
                group=group,
                period=period,
                window=res_vintage,
                sources=res_sources,
            )
        )
        if p_res > 0:
            out.append(
                Estimate(
                    id=f"officers.representation_ratio.{group}.{period}",
                    measure=Measure.OFFICERS,
                    statistic="representation_ratio",
                    value=p_off / p_res,
                    numerator=p_off,
                    denominator=p_res,
                    denominator_kind=DenominatorKind.RESIDENTS,
                    ci=(lo / p_res, hi / p_res),
                    ci_method=_WILSON,
                    notes=("1 = parity; below 0.8 flags under-representation (four-fifths rule of thumb)",),
                    **base,
                )
            )
        gap = p_off - p_res
        gaps.append(abs(gap))
        out.append(
            Estimate(
                id=f"officers.percentage_point_gap.{group}.{period}",
                measure=Measure.OFFICERS,
                statistic="percentage_point_gap",
                value=gap,
                numerator=p_off,
                denominator=p_res,
                denominator_kind=DenominatorKind.RESIDENTS,
                ci=(lo - p_res, hi - p_res),
                ci_method=_WILSON,
                **base,
            )
        )
    dissimilarity = Estimate(
        id=f"officers.dissimilarity_index.all.{period}",
        measure=Measure.OFFICERS,
        statistic="dissimilarity_index",
        group=Group.ALL,
        period=period,
        window=off_vintage,
        value=sum(gaps) / 2,
        denominator_kind=DenominatorKind.NONE,
        sources=(*off_sources, *res_sources),
        notes=("share of officers who would need to be of a different group for the force to mirror residents",),
    )
    if off_vintage != res_vintage:
        note = f"officers counted {off_vintage[0].year}, residents {res_vintage[0].year}"
        out = [e.with_flags(Flag.DENOMINATOR_VINTAGE, note=note) for e in out]
        dissimilarity = dissimilarity.with_flags(Flag.DENOMINATOR_VINTAGE, note=note)
    return [*out, dissimilarity]
