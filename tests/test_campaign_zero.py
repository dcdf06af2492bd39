"""Golden tests C1–C3 (docs/anchors.md): Campaign Zero's California Police Scorecard, 2016–2018, recomputed from
its own inputs through trustreport's rate ratios, per-resident rates and funnel.

Source: campaignzero/ca-police-scorecard @ f437346, `data/raw/disparity analysis 2016-2018.xlsx` (inputs) and
`data/processed/police_violence_2016-2018.xlsx` (published outputs), formulas in `ca_police_scorecard.ipynb`
cells 17–30; bundled as CSV in data/campaignzero-ca-police-scorecard/ (see its SOURCE.md).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import by_id

from trustreport.counts import validate_counts
from trustreport.estimate import Estimate
from trustreport.metrics.disparity import per_resident_disparity
from trustreport.metrics.funnel import funnel
from trustreport.stats import intervals as iv
from trustreport.vocab import Group, Measure, Period

DATA = Path(__file__).parents[1] / "data" / "campaignzero-ca-police-scorecard"
WINDOW = (date(2016, 1, 1), date(2018, 12, 31))
GROUPS = {Group.BLACK: "Black", Group.HISPANIC: "Hispanic", Group.WHITE: "White"}
FOCAL = (Group.BLACK, Group.HISPANIC)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The scorecard's inputs, one row per department; the notebook fills blank drug-arrest counts with 0."""
    frame = pd.read_csv(DATA / "disparity_analysis_2016-2018.csv")
    drug = [f"{name} Drug Possession Arrests" for name in GROUPS.values()]
    return frame.assign(**{c: frame[c].fillna(0) for c in drug}).set_index("Agency Name")


@pytest.fixture(scope="module")
def published(raw: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_csv(DATA / "police_violence_2016-2018.csv").set_index("police_department")
    assert list(frame.index) == list(raw.index) and len(frame) == 100
    return frame


def counts_for(row: pd.Series, *measures: tuple[Measure, str]) -> pd.DataFrame:
    """A department's counts table: residents (DOJ 2016) and the 2016–2018 totals of `measures`, each given as
    (measure, raw column with `{group}` for the group's name)."""
    rows = []
    for group, name in GROUPS.items():
        rows.append(("2016-01-01", "2016-12-31", "residents", group, row[f"{name} Population"], "ca-doj-2016"))
        for measure, column in measures:
            rows.append(("2016-01-01", "2018-12-31", measure, group, row[column.format(group=name)], "openjustice"))
    frame = pd.DataFrame(rows, columns=["period_start", "period_end", "measure", "group", "value", "source_id"])
    return validate_counts(frame.assign(jurisdiction="ca-dept"), path=None)


def published_ratio(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def same(ours: float | None, theirs: float | None, tol: float) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return abs(ours - theirs) <= tol * max(1.0, abs(theirs))


# C1: drug-possession arrest disparity = (B arrests / B pop) / (W arrests / W pop).


@pytest.mark.parametrize(
    ("department", "expected"),
    [
        ("Oakland Police Department", 9.190755),
        ("Los Angeles Police Department", 3.238368),
        ("San Diego Police Department", 4.110643),
        ("Long Beach Police Department", 2.328129),
    ],
)
def test_c1_named_drug_arrest_disparities(raw: pd.DataFrame, department: str, expected: float) -> None:
    """Oakland (656/100,523)/(84/118,302) = 9.190755, and LA, San Diego, Long Beach, through the per-resident
    disparity metric on a counts table (drug-possession arrests as the arrests measure)."""
    row = raw.loc[department]
    counts = counts_for(row, (Measure.ARRESTS, "{group} Drug Possession Arrests"))
    est = by_id(per_resident_disparity(counts, Measure.ARRESTS, WINDOW, period=Period.NOW, groups=list(GROUPS)))
    ratio = est["arrests.rate_ratio.black.now"]
    assert ratio.value == pytest.approx(expected, abs=1e-6)
    assert ratio.estimable and ratio.ci[0] < ratio.value < ratio.ci[1]
    if department.startswith("Oakland"):
        assert (row["Black Drug Possession Arrests"], row["Black Population"]) == (656, 100_523)
        assert (row["White Drug Possession Arrests"], row["White Population"]) == (84, 118_302)


@pytest.mark.parametrize("group", FOCAL)
def test_c1_all_100_departments(raw: pd.DataFrame, published: pd.DataFrame, group: Group) -> None:
    """Every department's published disparity (output file, and the input file's own column) is
    `stats.intervals.rate_ratio` of its inputs, within 1e-6."""
    name = GROUPS[group]
    for department, row in raw.iterrows():
        ours = iv.rate_ratio(
            row[f"{name} Drug Possession Arrests"],
            row[f"{name} Population"],
            row["White Drug Possession Arrests"],
            row["White Population"],
        )
        assert same(ours, published.at[department, f"{group}_drug_arrest_disparity"], 1e-6), department
        in_file = published_ratio(row[f"{name} Drug Possession Arrest Disparity"])
        if in_file is not None:
            assert same(ours, in_file, 1e-6), department


# C2: normalised disparity = logit(group share arrested) − logit(white share), z-scored across departments.


@pytest.fixture(scope="module")
def drug_arrest_shares(raw: pd.DataFrame) -> pd.DataFrame:
    """Each department's 2016–2018 drug-possession arrests per resident (rate per person-year × years), from
    trustreport's per-resident rates."""
    rows = []
    for department, row in raw.iterrows():
        counts = counts_for(row, (Measure.ARRESTS, "{group} Drug Possession Arrests"))
        est = by_id(per_resident_disparity(counts, Measure.ARRESTS, WINDOW, period=Period.NOW, groups=list(GROUPS)))
        rates = {g: est[f"arrests.rate.{g}.now"] for g in GROUPS}
        rows.append({"department": department, **{str(g): r.value * r.years for g, r in rates.items()}})
    return pd.DataFrame(rows).set_index("department")


@pytest.mark.parametrize("group", FOCAL)
def test_c2_drug_arrest_z_scores(drug_arrest_shares: pd.DataFrame, published: pd.DataFrame, group: Group) -> None:
    """`{group}_drug_arrest_score`: z-scores (sample SD) of logit(group share) − logit(white share) across
    departments with a non-zero count (the notebook drops zeros), all within 1e-9; Oakland Black = 1.532143."""
    shares = drug_arrest_shares
    assert shares.loc["Oakland Police Department", "black"] == pytest.approx(656 / 100_523, rel=1e-12)
    kept = shares[shares[str(group)] > 0]
    logit = np.log(kept[str(group)] / (1 - kept[str(group)])) - np.log(kept["white"] / (1 - kept["white"]))
    z = (logit - logit.mean()) / logit.std(ddof=1)
    expected = published[f"{group}_drug_arrest_score"]
    assert expected.notna().sum() == len(z)
    assert np.allclose(z.to_numpy(), expected.loc[z.index].to_numpy(), rtol=0, atol=1e-9)
    if group == Group.BLACK:
        assert z.loc["Oakland Police Department"] == pytest.approx(1.532143, abs=1e-6)


# C3: deadly force per population and per arrest, and the binomial "if the victims had been white" z-score.


def test_c3_la_deadly_force_disparity_per_population(raw: pd.DataFrame) -> None:
    """LA: (46/335,334)/(27/1,128,234) = 5.732125, as `rate_ratio` and as the funnel's per-resident force
    ratio (force is the first stage when the table holds no arrests)."""
    assert iv.rate_ratio(46, 335_334, 27, 1_128_234) == pytest.approx(5.732125, abs=1e-6)
    row = raw.loc["Los Angeles Police Department"]
    counts = counts_for(row, (Measure.FORCE_SUBJECTS, "{group} Victims of Deadly Force"))
    est = by_id(funnel(counts, WINDOW, period=Period.NOW, groups=list(FOCAL)))
    for statistic in ("stage_ratio", "cumulative_ratio"):
        e = est[f"force_subjects.{statistic}.black.now"]
        assert e.value == pytest.approx(5.732125, abs=1e-6)
        assert e.ci_method == iv.EXACT_CONDITIONAL and e.significant


@pytest.mark.parametrize("group", FOCAL)
@pytest.mark.parametrize("basis", ["Population", "Arrest"])
def test_c3_all_deadly_force_disparities(raw: pd.DataFrame, group: Group, basis: str) -> None:
    """`{Black,Hispanic} Deadly Force Disparity per {Population,Arrest}` for all 100 departments: `rate_ratio`
    within 1e-6; blank exactly where the department had no white victims (our ratio: None)."""
    name = GROUPS[group]
    denominator = "{name} Population" if basis == "Population" else "{name} Arrests"
    for department, row in raw.iterrows():
        ours = iv.rate_ratio(
            row[f"{name} Victims of Deadly Force"],
            row[denominator.format(name=name)],
            row["White Victims of Deadly Force"],
            row[denominator.format(name="White")],
        )
        assert same(ours, published_ratio(row[f"{name} Deadly Force Disparity per {basis}"]), 1e-6), department


@pytest.fixture(scope="module")
def force_per_arrest(raw: pd.DataFrame) -> dict[str, dict[str, Estimate]]:
    """The funnel (arrests → force | arrests) for every department. Residents are left out: the per-resident
    arrest stage would run an exact test on fractional (imputed) arrest counts, which it cannot."""
    out = {}
    for department, row in raw.iterrows():
        counts = counts_for(
            row, (Measure.ARRESTS, "{group} Arrests"), (Measure.FORCE_SUBJECTS, "{group} Victims of Deadly Force")
        )
        counts = counts[counts["measure"] != "residents"]
        out[department] = by_id(funnel(counts, WINDOW, period=Period.NOW, groups=list(FOCAL)))
    return out


def test_c3_la_deaths_per_10k_arrests(force_per_arrest, raw: pd.DataFrame) -> None:
    """LA Black deaths per 10,000 arrests 46/93,238.25 × 10⁴ = 4.933597 (the funnel's force | arrests rate), and
    every department's published per-arrest rate (blank for West Covina) within 1e-6."""
    la = force_per_arrest["Los Angeles Police Department"]["force_subjects.stage_rate.black.now"]
    assert la.value * 1e4 == pytest.approx(4.933597, abs=1e-6)
    assert la.numerator == 46 and la.denominator == pytest.approx(93_238.25, abs=0.01)
    for department, row in raw.iterrows():
        for group in FOCAL:
            rate = force_per_arrest[department][f"force_subjects.stage_rate.{group}.now"]
            column = row[f"{GROUPS[group]} Deadly Force per Arrest Rate"]
            if not pd.isna(column):
                assert rate.value * 1e4 == pytest.approx(column, abs=1e-6), department


def binomial_z(est: dict[str, Estimate], group: Group, statewide: float) -> float:
    """z = (x − n·p)/√(n·p·(1 − p)): x observed, n·p the funnel's expected count if treated like white people
    (p the department's white deadly-force rate per arrest, or the statewide one where it had no white victims)."""
    white = est["force_subjects.stage_rate.white.now"]
    expected = est[f"force_subjects.expected_count.{group}.now"]
    observed = est[f"force_subjects.excess_difference.{group}.now"].numerator
    if white.numerator == 0:
        n = expected.numerator
        return (observed - n * statewide) / math.sqrt(n * statewide * (1 - statewide))
    excess = est[f"force_subjects.excess_difference.{group}.now"].value
    return excess / math.sqrt(expected.value * (1 - white.value))


@pytest.fixture(scope="module")
def statewide(raw: pd.DataFrame) -> float:
    """The notebook's fallback p: white victims / white arrests summed over the 100 departments."""
    return raw["White Victims of Deadly Force"].sum() / raw["White Arrests"].sum()


def test_c3_oakland_binomial_z(force_per_arrest, statewide: float) -> None:
    """Oakland: n = 19,172.42 Black arrests, p = 2/3,051.56 white deaths per arrest, 1 Black victim:
    z = −3.263771. Statewide fallback p = 233/522,149.8."""
    est = force_per_arrest["Oakland Police Department"]
    expected = est["force_subjects.expected_count.black.now"]
    assert expected.numerator == pytest.approx(19_172.42, abs=0.01)
    assert est["force_subjects.stage_rate.white.now"].value == pytest.approx(2 / 3_051.56, rel=1e-5)
    assert binomial_z(est, Group.BLACK, statewide) == pytest.approx(-3.263771, abs=1e-6)
    assert statewide == pytest.approx(233 / 522_149.8, rel=1e-6)


@pytest.mark.parametrize("group", FOCAL)
def test_c3_all_deadly_force_scores(force_per_arrest, published: pd.DataFrame, statewide: float, group: Group) -> None:
    """`{group}_deadly_force_score` for all 100 departments within 1e-9: from the funnel's expected counts
    where the department had white victims (62), from the statewide rate otherwise (38)."""
    from_funnel = 0
    for department, est in force_per_arrest.items():
        z = binomial_z(est, group, statewide)
        assert z == pytest.approx(published.at[department, f"{group}_deadly_force_score"], abs=1e-9), department
        from_funnel += est["force_subjects.stage_rate.white.now"].numerator > 0
    assert from_funnel == 62
