"""The outcome (hit-rate) test (docs/methods.md §3.1): among searched people, the share found with contraband, by group.

Statistics (measure `hits`, ids `hits.<statistic>.<group>.<period>`):

- `hit_rate`: hits / searches, Wilson interval (docs/methods.md §2.1);
- `hit_rate_ratio`: pooled hit rate vs the reference group, Koopman score or Katz log interval, two-proportion
  score (or Fisher exact) test (docs/methods.md §1.2A);
- `hit_rate_ratio_mh`: the district-stratified Mantel–Haenszel risk ratio, Greenland–Robins interval,
  Cochran–Mantel–Haenszel test of no association (docs/methods.md §3.1);
- `hit_rate_odds_ratio_mh`: the Mantel–Haenszel odds ratio (statsmodels `StratifiedTable`, Robins–Breslow–
  Greenland interval), with the Breslow–Day test of a common odds ratio across districts in its notes;
- `hit_rate_discretionary`, `hit_rate_ratio_discretionary`: the same on discretionary searches only, as OPP
  defines them (`lib/eligibility.R::filter_to_discretionary_searches`: every search except basis "other", which
  covers searches incident to arrest or warrant, probation or parole, and inventory; applied only when the basis
  is recorded for at least half the searches).

Counts come from the stop adapter's `by_district` and `search_basis` extras. Every estimate carries the
infra-marginality caveat (docs/methods.md §3.2); the small-number rules of docs/methods.md §5.3 apply.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.stats as ss
from statsmodels.stats.contingency_tables import StratifiedTable

from trustreport import fmt
from trustreport.errors import InsufficientDataError
from trustreport.estimate import Estimate
from trustreport.metrics._comparisons import risk_ratio_comparison
from trustreport.metrics.inputs import new_estimate, span
from trustreport.metrics.small_numbers import apply_ratio_rules, apply_stability, not_estimable
from trustreport.sources.base import SourceData
from trustreport.statistic import Statistic
from trustreport.stats import intervals as iv
from trustreport.stop_mode import stopped_people
from trustreport.vocab import GROUP_LABELS, SUPPRESS_BELOW, DateSpan, DenominatorKind, Group, Measure, Period

MH_RISK_RATIO_CI = "Mantel-Haenszel, Greenland-Robins variance"
MH_ODDS_RATIO_CI = "Mantel-Haenszel, Robins-Breslow-Greenland variance"
CMH_TEST = "Cochran-Mantel-Haenszel test (no continuity correction)"
# OPP lib/eligibility.R: "other" = arrest/warrant, probation/parole, inventory; a missing basis is kept.
NON_DISCRETIONARY_BASES: frozenset[str] = frozenset({"other"})
MIN_BASIS_COVERAGE = 0.5
UNKNOWN_DISTRICT = "unknown"

INFRA_MARGINALITY_NOTE = (
    "Outcome test (docs/methods.md §3): a lower hit rate for a group suggests its members are searched on less "
    "evidence, "
    "but a hit rate also depends on how risk is spread within each group (infra-marginality, docs/methods.md §3.2), so "
    "equal hit rates do not prove equal treatment and unequal ones do not prove bias."
)

# The report-level caveat (Report.caveats) shown once whenever any hit-rate estimate is in the report.
HIT_RATE_CAVEAT = (
    "Hit rates (the share of searches that found contraband) are an outcome test: lower hit rates for a group "
    "suggest a lower bar for searching it, but hit rates also depend on how risk is distributed within each group "
    "(infra-marginality), so equal hit rates do not prove equal treatment."
)


@dataclass(frozen=True)
class SearchCells:
    """Searches and hits inside one window by district and group, and the sources they came from."""

    window: DateSpan
    table: pd.DataFrame  # columns district, group, searches, hits
    sources: tuple[str, ...]

    def total(self, group: Group) -> tuple[float, float]:
        """(hits, searches) of a group over all districts."""
        rows = self.table[self.table["group"] == str(group)]
        return float(rows["hits"].sum()), float(rows["searches"].sum())

    def label(self, group: Group, what: str = "hits") -> str:
        return f"{GROUP_LABELS[group]} {what} ({span(self.window)})"


def outcome_test(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    period: Period,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    level: float = 0.95,
) -> list[Estimate]:
    """Hit rates by group, pooled and district-stratified ratios vs the reference, and the discretionary-only
    hit rates where the file records a search basis (docs/methods.md §3.1). Empty when no source has search counts
    by district."""
    cells = search_cells(sources, window)
    if cells is None:
        return []
    shown = [g for g in dict.fromkeys([*groups, reference]) if g != Group.ALL]
    out: list[Estimate] = []
    for group in shown:
        out.append(_hit_rate(cells, group, period, level, Statistic.HIT_RATE))
        if group != reference:
            out.append(_hit_rate_ratio(cells, group, reference, period, level, Statistic.HIT_RATE_RATIO))
            out += _mantel_haenszel(cells, group, reference, period, level, stopped_people(sources))
    out += _discretionary(sources, window, shown, reference, period, level)
    return [e.with_flags(note=INFRA_MARGINALITY_NOTE) for e in out]


def hit_rates_by_district(
    sources: Sequence[SourceData],
    window: DateSpan,
    *,
    groups: Sequence[Group],
    reference: Group = Group.WHITE,
    min_searches: int = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Per district and group, the group's and the reference's hit rates: the data of the Open Policing
    disparity scatter (docs/methods.md §3.1; OPP tutorial). Columns district, group, searches, hits, hit_rate,
    reference_searches, reference_hits, reference_hit_rate, searches_total (group + reference, the point size).
    Districts where either group has fewer than `min_searches` searches, and the "unknown" district, are left
    out: their hit rates are noise, or describe no place."""
    columns = [
        "district",
        "group",
        "searches",
        "hits",
        "hit_rate",
        "reference_searches",
        "reference_hits",
        "reference_hit_rate",
        "searches_total",
    ]
    cells = search_cells(sources, window)
    if cells is None:
        return pd.DataFrame(columns=columns)
    table = cells.table[cells.table["district"] != UNKNOWN_DISTRICT]
    ref = table[table["group"] == str(reference)].drop(columns="group")
    ref = ref.rename(columns={"searches": "reference_searches", "hits": "reference_hits"})
    focal = table[table["group"].isin([str(g) for g in groups if g not in (reference, Group.ALL)])]
    both = focal.merge(ref, on="district", how="inner")
    both = both[(both["searches"] >= min_searches) & (both["reference_searches"] >= min_searches)]
    both = both.assign(
        hit_rate=both["hits"] / both["searches"],
        reference_hit_rate=both["reference_hits"] / both["reference_searches"],
        searches_total=both["searches"] + both["reference_searches"],
    )
    return both.loc[:, columns].sort_values(["group", "district"], kind="stable").reset_index(drop=True)


def search_cells(sources: Sequence[SourceData], window: DateSpan) -> SearchCells | None:
    """Searches and hits by district and group inside `window`, from the sources' `by_district` extras;
    None when no source has them (a file without districts or without searches)."""
    frame, ids = window_rows(sources, "by_district", window, needs=("searches", "hits"))
    if frame is None:
        return None
    table = frame.groupby(["district", "group"], as_index=False, sort=True)[["searches", "hits"]].sum()
    return SearchCells(window, table, ids)


def window_rows(
    sources: Sequence[SourceData], key: str, window: DateSpan, *, needs: Sequence[str] = ()
) -> tuple[pd.DataFrame | None, tuple[str, ...]]:
    """The rows of extras table `key` dated inside `window`, and the ids of the sources that hold them.

    Two sources with rows in the same window would be added together and could count the same stops twice, so
    that is refused with an error naming both."""
    frames, ids = [], []
    for source in sources:
        table = source.extras.get(key)
        if table is None or not set(needs) <= set(table.columns):
            continue
        inside = table[table["date"].between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))]
        frames.append(inside)
        if len(inside):
            ids.append(source.info.id)
    if len(ids) > 1:
        raise InsufficientDataError(
            None, f"sources {', '.join(ids)} all hold `{key}` rows in {span(window)}: refusing to add them"
        )
    if not frames:
        return None, ()
    return pd.concat(frames, ignore_index=True), tuple(ids)


def _hit_rate(cells: SearchCells, group: Group, period: Period, level: float, statistic: Statistic) -> Estimate:
    """hits / searches of one group, Wilson interval (docs/methods.md §2.1)."""
    hits, searches = cells.total(group)
    est = new_estimate(
        Measure.HITS,
        statistic,
        group,
        period,
        cells.window,
        value=None,
        numerator=hits,
        denominator=searches,
        denominator_kind=DenominatorKind.SEARCHES,
        sources=cells.sources,
    )
    if searches == 0:
        return not_estimable(est, f"no {cells.label(group, 'searches')}")
    ci = iv.proportion_ci(hits, searches, level=level)
    return apply_stability(replace(est, value=hits / searches, ci=ci.bounds, ci_method=ci.method), hits)


def _hit_rate_ratio(
    cells: SearchCells, group: Group, reference: Group, period: Period, level: float, statistic: Statistic
) -> Estimate:
    """Pooled hit rate of `group` ÷ that of the reference (docs/methods.md §1.2A: Koopman score under 100 hits, else
    Katz log; two-proportion score test, Fisher exact when an expected cell is under 5)."""
    (a, n1), (c, n2) = cells.total(group), cells.total(reference)
    est = _ratio_shell(cells, group, reference, period, statistic)
    if n1 == 0 or n2 == 0:
        return not_estimable(est, f"no {cells.label(group if n1 == 0 else reference, 'searches')}")
    est = risk_ratio_comparison(est, a, n1, c, n2, level=level)
    return apply_ratio_rules(est, {cells.label(group): a, cells.label(reference): c})


def _ratio_shell(cells: SearchCells, group: Group, reference: Group, period: Period, statistic: Statistic) -> Estimate:
    return new_estimate(
        Measure.HITS,
        statistic,
        group,
        period,
        cells.window,
        value=None,
        denominator_kind=DenominatorKind.SEARCHES,
        reference_group=reference,
        sources=cells.sources,
    )


def strata(cells: SearchCells, group: Group, reference: Group) -> np.ndarray:
    """One 2×2 table [[hits, misses] of `group`, [hits, misses] of the reference] per informative district:
    both groups searched, and at least one hit and one miss. Other districts add nothing to the Mantel–Haenszel
    sums or to the CMH statistic, and would make the Breslow–Day statistic 0/0. Searches of unknown district form
    a stratum of their own: stratifying needs a partition of the searches, not a place."""
    wide = cells.table.pivot_table(index="district", columns="group", values=["hits", "searches"], aggfunc="sum")
    wide = wide.fillna(0)
    g, r = str(group), str(reference)
    if (("searches", g) not in wide.columns) or (("searches", r) not in wide.columns):
        return np.zeros((0, 2, 2))
    hits = wide[("hits", g)] + wide[("hits", r)]
    searches = wide[("searches", g)] + wide[("searches", r)]
    wide = wide[(wide[("searches", g)] > 0) & (wide[("searches", r)] > 0) & (hits > 0) & (hits < searches)]
    a, n1 = wide[("hits", g)].to_numpy(float), wide[("searches", g)].to_numpy(float)
    c, n2 = wide[("hits", r)].to_numpy(float), wide[("searches", r)].to_numpy(float)
    return np.stack([np.stack([a, n1 - a], axis=-1), np.stack([c, n2 - c], axis=-1)], axis=1)


def mh_risk_ratio(tables: np.ndarray, *, level: float = 0.95) -> tuple[float | None, iv.Interval]:
    """Mantel–Haenszel pooled risk ratio Σ a·n2/N ÷ Σ c·n1/N over 2×2 tables [[a, b], [c, d]], with the
    Greenland–Robins (1985) variance of its log; for one table this is the Katz interval (docs/methods.md §1.2A)."""
    a, b, c, d = tables[:, 0, 0], tables[:, 0, 1], tables[:, 1, 0], tables[:, 1, 1]
    n1, n2 = a + b, c + d
    total = n1 + n2
    r, s = float(np.sum(a * n2 / total)), float(np.sum(c * n1 / total))
    if r <= 0 or s <= 0:
        return None, iv.Interval(None, None, MH_RISK_RATIO_CI)
    var = float(np.sum((n1 * n2 * (a + c) - a * c * total) / total**2)) / (r * s)
    z = ss.norm.ppf(1 - (1 - level) / 2)
    log_rr, se = math.log(r / s), math.sqrt(max(var, 0.0))
    return r / s, iv.Interval(math.exp(log_rr - z * se), math.exp(log_rr + z * se), MH_RISK_RATIO_CI)


def _mantel_haenszel(
    cells: SearchCells, group: Group, reference: Group, period: Period, level: float, stopped: str
) -> list[Estimate]:
    """District-stratified risk ratio and odds ratio of a hit, `group` vs the reference (docs/methods.md §3.1)."""
    tables = strata(cells, group, reference)
    rr_est = _ratio_shell(cells, group, reference, period, Statistic.HIT_RATE_RATIO_MH)
    or_est = _ratio_shell(cells, group, reference, period, Statistic.HIT_RATE_ODDS_RATIO_MH)
    if len(tables) == 0:
        why = (
            f"no district where both {GROUP_LABELS[group]} and {GROUP_LABELS[reference]} {stopped} were searched "
            "and a search found contraband"
        )
        return [not_estimable(rr_est, why), not_estimable(or_est, why)]
    a, c = float(tables[:, 0, 0].sum()), float(tables[:, 1, 0].sum())
    with warnings.catch_warnings():
        # Districts with a zero cell make statsmodels warn while it forms per-table odds ratios it does not use.
        warnings.simplefilter("ignore", RuntimeWarning)
        st = StratifiedTable(list(tables), shift_zeros=False)
        cmh = st.test_null_odds(correction=False)
        odds_ratio, odds_ci = _finite(st.oddsratio_pooled), st.oddsratio_pooled_confint(alpha=1 - level)
        homogeneity = st.test_equal_odds(adjust=False) if len(tables) > 1 else None
    risk_ratio, risk_ci = mh_risk_ratio(tables, level=level)
    strata_note = (
        f"stratified by district: {len(tables)} districts where both groups were searched and some but not all "
        "searches found contraband, with "
        f"{fmt.count(a)} {GROUP_LABELS[group]} and {fmt.count(c)} {GROUP_LABELS[reference]} hits"
    )
    common = dict(p_value=_finite(cmh.pvalue), test_method=CMH_TEST)
    rr_est = replace(rr_est, value=risk_ratio, ci=risk_ci.bounds, ci_method=risk_ci.method, **common)
    or_est = replace(or_est, value=odds_ratio, ci=_bounds(odds_ci), ci_method=MH_ODDS_RATIO_CI, **common).with_flags(
        note=_homogeneity_note(homogeneity)
    )
    counts = {cells.label(group): a, cells.label(reference): c}
    return [apply_ratio_rules(e.with_flags(note=strata_note), counts) for e in (rr_est, or_est)]


def _homogeneity_note(result) -> str | None:
    if result is None:
        return "one district only: no test of a common odds ratio across districts"
    stat, p = _finite(result.statistic), _finite(result.pvalue)
    if stat is None or p is None:
        return "Breslow-Day test of a common odds ratio across districts: not computable (zero cells)"
    return f"Breslow-Day test of a common odds ratio across districts: chi-square {fmt.ratio(stat)}, p {fmt.p_value(p)}"


def _discretionary(
    sources: Sequence[SourceData],
    window: DateSpan,
    groups: Sequence[Group],
    reference: Group,
    period: Period,
    level: float,
) -> list[Estimate]:
    """Hit rates and ratios on discretionary searches only (OPP's definition, see the module docstring)."""
    frame, ids = window_rows(sources, "search_basis", window, needs=("searches", "hits"))
    if frame is None:
        return []
    searches = float(frame["searches"].sum())
    recorded = float(frame.loc[frame["search_basis"] != "unknown", "searches"].sum())
    kept = frame[~frame["search_basis"].isin(NON_DISCRETIONARY_BASES)]
    cells = SearchCells(window, kept.assign(district="all"), ids)
    note = (
        f"discretionary searches: {fmt.count(kept['searches'].sum())} of {fmt.count(searches)} searches, leaving "
        "out basis 'other' (arrest or warrant, probation or parole, inventory; OPP filter_to_discretionary_searches)"
    )
    out: list[Estimate] = []
    for group in groups:
        out.append(_hit_rate(cells, group, period, level, Statistic.HIT_RATE_DISCRETIONARY))
        if group != reference:
            out.append(_hit_rate_ratio(cells, group, reference, period, level, Statistic.HIT_RATE_RATIO_DISCRETIONARY))
    if searches > 0 and recorded / searches < MIN_BASIS_COVERAGE:
        why = (
            f"the search basis is recorded for {fmt.count(recorded)} of {fmt.count(searches)} searches in "
            f"{span(window)}, under "
            f"{MIN_BASIS_COVERAGE:.0%}: too unreliable to separate discretionary searches (OPP rule)"
        )
        return [not_estimable(e, why) for e in out]
    return [e.with_flags(note=note) for e in out]


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _bounds(ci) -> tuple[float | None, float | None] | None:
    low, high = (_finite(v) for v in ci)
    return None if low is None and high is None else (low, high)
