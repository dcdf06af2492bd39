"""The veil-of-darkness test (docs/methods.md §4): sun times (G10), the spline (G18), the aggregated GLM, the refusals,
and the test on Hartford's bundled OPP file checked against an independent pandas count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from astral import Observer
from astral.sun import dusk, sunset
from scipy.linalg import subspace_angles
from sources_helpers import DATA, ROOT, read

from trustreport import figures, fmt, tables
from trustreport.estimate import EstimateSet
from trustreport.metrics.prepared import prepare
from trustreport.metrics.veil_of_darkness import (
    VOD_CAVEATS,
    fit_darkness,
    share_by_clock_time,
    spline_basis,
    sun_times,
    veil_of_darkness,
    vod_sample,
)
from trustreport.params import Location, load_params
from trustreport.report import Report
from trustreport.sources.base import SourceData, SourceInfo
from trustreport.vocab import Flag, Group, Period

HARTFORD_FILE = DATA / "opp-hartford" / "ct_hartford_2020_04_01.csv.gz"
HARTFORD = Location(latitude=41.7658, longitude=-72.6734, timezone="America/New_York")
PHILADELPHIA = Location(latitude=39.9525839, longitude=-75.1652215, timezone="America/New_York")
THEN = (date(2014, 1, 1), date(2014, 12, 31))
NOW = (date(2016, 1, 1), date(2016, 9, 29))


def _source(stop_times: pd.DataFrame, source_id: str = "synthetic") -> SourceData:
    info = SourceInfo(id=source_id, kind="opp_stops", path="x.csv", sha256="0" * 64, citation="c", licence="l")
    return SourceData(info=info, counts=pd.DataFrame(), extras={"stop_times": stop_times})


def _synthetic(n: int, *, dark_effect: float = -0.3, seed: int = 1, black_share: float = 0.5) -> pd.DataFrame:
    """Individual stops in Philadelphia 2017 between 16:00 and 22:00 with a known darkness effect on logit
    P(black), before the sun-time steps (which `vod_sample` applies)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    minute = rng.integers(16 * 60, 22 * 60, n)
    district = rng.choice(["A", "B", "C", "D"], n)
    sun = sun_times(days.date, PHILADELPHIA).set_index("date")
    dark = minute > sun.loc[days, "dusk_minute"].to_numpy()
    base = np.log(black_share / (1 - black_share)) + 0.2 * (district == "A") + 0.001 * (minute - 1100)
    black = rng.random(n) < 1 / (1 + np.exp(-(base + dark_effect * dark)))
    frame = pd.DataFrame(
        {"date": days, "minute": minute, "district": district, "group": np.where(black, "black", "white")}
    )
    return (
        frame.groupby(["date", "minute", "district", "group"], as_index=False).size().rename(columns={"size": "stops"})
    )


# --- G10: sunset and dusk (docs/methods.md §4.3, §8 G10) -------------------------------------------------------------


def _minutes(hms: str) -> int:
    h, m, _ = (int(x) for x in hms.split(":"))
    return h * 60 + m


@pytest.mark.parametrize(
    ("day", "r_sunset", "r_dusk"),
    [(date(2017, 6, 27), "20:34:40", "21:07:26"), (date(2017, 12, 7), "16:36:53", "17:07:09")],
)
def test_g10_sun_times_match_opp_suncalc_within_two_minutes(day, r_sunset, r_dusk):
    row = sun_times([day], PHILADELPHIA).iloc[0]
    assert abs(row["sunset_minute"] - _minutes(r_sunset)) <= 2
    assert abs(row["dusk_minute"] - _minutes(r_dusk)) <= 2


def test_g10_inter_twilight_window_of_philadelphia_2017():
    days = [date(2017, 1, 1) + timedelta(d) for d in range(365)]
    sun = sun_times(days, PHILADELPHIA)
    assert abs(sun["sunset_minute"].min() - 996) <= 2 and abs(sun["sunset_minute"].max() - 1234) <= 2
    assert abs(sun["dusk_minute"].min() - 1027) <= 2 and abs(sun["dusk_minute"].max() - 1267) <= 2


def test_daylight_saving_moves_dusk_by_an_hour_of_clock_time():
    sun = sun_times([date(2017, 3, 11), date(2017, 3, 12)], PHILADELPHIA)
    assert 58 <= sun["dusk_minute"].iloc[1] - sun["dusk_minute"].iloc[0] <= 62


def test_a_day_without_civil_dusk_has_no_sun_times():
    anchorage = Location(latitude=61.2181, longitude=-149.9003, timezone="America/Anchorage")
    sun = sun_times([date(2017, 6, 21)], anchorage)
    assert np.isnan(sun["dusk_minute"].iloc[0])


# --- G18: the natural spline (docs/methods.md §4.2, §8 G18) -----------------------------------------------------------


def _esl_natural_spline(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis of Hastie, Tibshirani & Friedman (ESL eq. 5.4–5.5), intercept included."""

    def d(k: int) -> np.ndarray:
        return (np.clip(x - knots[k], 0, None) ** 3 - np.clip(x - knots[-1], 0, None) ** 3) / (knots[-1] - knots[k])

    cols = [np.ones_like(x), x] + [d(k) - d(len(knots) - 2) for k in range(len(knots) - 2)]
    return np.column_stack(cols)


@pytest.mark.parametrize("df", [3, 6])
def test_g18_spline_spans_r_ns_with_r_knots(df):
    rng = np.random.default_rng(7)
    x = np.round(rng.uniform(1020, 1270, 2000) / 5) * 5  # rounded minutes: many ties
    r_knots = np.concatenate([[x.min()], np.quantile(x, np.linspace(0, 1, df + 1)[1:-1]), [x.max()]])
    ours = np.column_stack([np.ones_like(x), spline_basis(x, df=df)])
    cosines = np.cos(subspace_angles(ours, _esl_natural_spline(x, r_knots)))
    assert ours.shape[1] == df + 1
    assert np.allclose(cosines, 1.0, atol=1e-9)


def test_spline_knots_come_from_the_stop_level_sample():
    """Aggregated rows weighted by their stops give the stop-level knots, so the same spline space (the centring
    differs, which with an intercept only reparametrises it)."""
    x = np.array([1000.0, 1005.0, 1010.0, 1100.0, 1200.0])
    weights = np.array([2, 1, 3, 1, 1])
    first = np.unique(np.repeat(x, weights), return_index=True)[1]
    expanded = spline_basis(np.repeat(x, weights), df=3)[first]
    ones = np.ones((len(x), 1))

    def cosines(a, b):
        return np.cos(subspace_angles(np.hstack([ones, a]), np.hstack([ones, b])))

    assert np.allclose(cosines(expanded, spline_basis(x, weights=weights, df=3)), 1.0)
    assert not np.allclose(cosines(expanded, spline_basis(x, df=3)), 1.0)


# --- the model ------------------------------------------------------------------------------------------------


def test_aggregated_fit_equals_the_stop_level_glm_of_methods_4_2():
    sample = vod_sample(
        [_source(_synthetic(6000))],
        (date(2017, 1, 1), date(2017, 12, 31)),
        location=PHILADELPHIA,
        groups=[Group.BLACK, Group.WHITE],
    )
    stops = sample.stops.loc[sample.stops.index.repeat(sample.stops["stops"])].reset_index(drop=True)
    stops = stops.assign(is_black=(stops["group"] == "black").astype(int))
    m = stops["rounded_minute"].to_numpy(float)
    kn = np.quantile(m, np.linspace(0, 1, 7)[1:-1])  # noqa: F841 (read by the formula)
    lo, hi = m.min(), m.max()  # noqa: F841
    spl = "cr(rounded_minute, knots=kn, lower_bound=lo, upper_bound=hi, constraints='center')"
    for district in (False, True):
        formula = f"is_black ~ is_dark + {spl}" + (" + C(district)" if district else "")
        ref = smf.glm(formula, data=stops, family=sm.families.Binomial()).fit()
        keys = ["is_dark", "rounded_minute", *(["district"] if district else [])]
        agg = stops.groupby(keys, as_index=False).agg(focal=("is_black", "sum"), n=("is_black", "size"))
        agg = agg.assign(reference=agg["n"] - agg["focal"])
        fit = fit_darkness(agg, district_effects=district)
        assert fit.beta == pytest.approx(ref.params["is_dark[T.True]"], abs=1e-8)
        assert fit.se == pytest.approx(ref.bse["is_dark[T.True]"], abs=1e-8)
        assert fit.n == len(stops)


def test_recovers_a_known_darkness_effect():
    window = (date(2017, 1, 1), date(2017, 12, 31))
    found = veil_of_darkness(
        [_source(_synthetic(40000, dark_effect=-0.4))], window, location=PHILADELPHIA, period=Period.NOW
    )
    ratio = next(e for e in found if e.statistic == "vod_odds_ratio_district")
    assert ratio.ci[0] < np.exp(-0.4) < ratio.ci[1] and ratio.significant


def test_estimates_have_unique_ids_method_and_caveats():
    window = (date(2017, 1, 1), date(2017, 12, 31))
    found = veil_of_darkness(
        [_source(_synthetic(5000))],
        window,
        location=PHILADELPHIA,
        period=Period.THEN,
        groups=[Group.BLACK, Group.HISPANIC],
    )
    assert len({e.id for e in found}) == len(found)
    assert [e.statistic for e in found[:4]] == [
        "vod_share_light",
        "vod_share_dark",
        "vod_odds_ratio",
        "vod_odds_ratio_district",
    ]
    assert found[2].id == "stops.vod_odds_ratio.black.then" and found[2].reference_group == Group.WHITE
    assert found[2].ci_method and found[2].test_method and all(c in found[2].notes for c in VOD_CAVEATS)
    # No Hispanic stops in the synthetic file: not estimable, with the reason first.
    hispanic = [e for e in found if e.group == Group.HISPANIC and e.statistic.startswith("vod_odds")]
    assert all(Flag.NOT_ESTIMABLE in e.flags and e.notes[0].startswith("no Hispanic stops") for e in hispanic)


def test_too_few_stops_is_not_estimable_not_a_crash():
    window = (date(2017, 1, 1), date(2017, 12, 31))
    found = veil_of_darkness([_source(_synthetic(300))], window, location=PHILADELPHIA, period=Period.NOW)
    ratios = [e for e in found if e.statistic.startswith("vod_odds")]
    assert all(not e.estimable and e.value is None for e in ratios)
    assert all("too few stops" in e.notes[0] and "under 200" in e.notes[0] for e in ratios)


def test_no_dark_stops_is_not_estimable():
    frame = _synthetic(4000)
    frame = frame[frame["minute"] < 17 * 60]  # every stop before the earliest dusk: nothing is dark
    window = (date(2017, 1, 1), date(2017, 12, 31))
    found = veil_of_darkness([_source(frame)], window, location=PHILADELPHIA, period=Period.NOW)
    assert all(not e.estimable for e in found if e.statistic != "vod_share_light")


def test_no_stop_times_means_no_estimates():
    info = SourceInfo(id="x", kind="opp_stops", path="x", sha256="0", citation="c", licence="l")
    bare = SourceData(info=info, counts=pd.DataFrame())
    assert veil_of_darkness([bare], THEN, location=HARTFORD, period=Period.THEN) == []
    assert share_by_clock_time([bare], THEN, location=HARTFORD).empty


@pytest.mark.parametrize(
    "window", [(date(1990, 1, 1), date(1990, 12, 31)), (date(2030, 1, 1), date(2030, 12, 31))], ids=["before", "after"]
)
def test_a_window_outside_the_stop_times_has_no_estimates_not_a_crash(window):
    """Issue 11: a window the stop times do not reach crashed with "You are trying to merge on datetime64[s] and
    object columns for key 'date'" (the sun table of no dates had no date dtype)."""
    source = _source(_synthetic(4000))
    assert veil_of_darkness([source], window, location=PHILADELPHIA, period=Period.THEN) == []
    assert share_by_clock_time([source], window, location=PHILADELPHIA).empty


def test_stop_times_of_other_groups_only_are_not_a_crash():
    frame = _synthetic(4000)
    frame = frame.assign(group=str(Group.ASIAN_PI))
    window = (date(2017, 1, 1), date(2017, 12, 31))
    found = veil_of_darkness([_source(frame)], window, location=PHILADELPHIA, period=Period.NOW)
    assert found and all(not e.estimable for e in found)


# --- Hartford, on the bundled OPP file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hartford():
    return read("opp_stops", HARTFORD_FILE, {"type": "vehicular"}, source_id="opp-hartford")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(HARTFORD_FILE, dtype=str)


def _independent_sample(raw: pd.DataFrame, window) -> pd.DataFrame:
    """Methods §4.1 on the raw file with pandas and astral called directly."""
    stops = raw[raw["subject_race"].isin(["black", "white"]) & raw["date"].notna() & raw["time"].notna()]
    stops = stops[stops["date"].between(window[0].isoformat(), window[1].isoformat())].copy()
    stops["minute"] = stops["time"].str[:2].astype(int) * 60 + stops["time"].str[3:5].astype(int)
    observer, zone = Observer(latitude=HARTFORD.latitude, longitude=HARTFORD.longitude), ZoneInfo(HARTFORD.timezone)
    sun = {}
    for day in stops["date"].unique():
        d = date.fromisoformat(day)
        s, k = sunset(observer, date=d, tzinfo=zone), dusk(observer, date=d, tzinfo=zone)
        sun[day] = (s.hour * 60 + s.minute, k.hour * 60 + k.minute)
    stops["sunset"] = stops["date"].map(lambda d: sun[d][0])
    stops["dusk"] = stops["date"].map(lambda d: sun[d][1])
    inside = stops[stops["minute"].between(stops["dusk"].min(), stops["dusk"].max())]
    kept = inside[~inside["minute"].between(inside["sunset"], inside["dusk"])]
    return kept.assign(is_dark=kept["minute"] > kept["dusk"])


@pytest.mark.parametrize(("period", "window"), [(Period.THEN, THEN), (Period.NOW, NOW)])
def test_hartford_results_are_finite_and_n_matches_an_independent_count(hartford, raw, period, window):
    found = {e.statistic: e for e in veil_of_darkness([hartford], window, location=HARTFORD, period=period)}
    expected = _independent_sample(raw, window)
    for name in ("vod_odds_ratio", "vod_odds_ratio_district"):
        e = found[name]
        assert e.estimable and np.isfinite(e.value) and 0 < e.p_value <= 1
        assert e.ci[0] < e.value < e.ci[1]
    assert found["vod_odds_ratio"].denominator == len(expected)
    assert found["vod_odds_ratio"].numerator == (expected["subject_race"] == "black").sum()
    for dark, name in ((False, "vod_share_light"), (True, "vod_share_dark")):
        part = expected[expected["is_dark"] == dark]
        assert found[name].denominator == len(part)
        assert found[name].value == pytest.approx((part["subject_race"] == "black").mean())
    known = expected[expected["district"].notna()]
    assert found["vod_odds_ratio_district"].denominator <= len(known)


def test_hartford_share_by_clock_time_adds_up(hartford, raw):
    table = share_by_clock_time([hartford], THEN, location=HARTFORD)
    expected = _independent_sample(raw, THEN)
    assert table["total"].sum() == len(expected)
    assert table["focal"].sum() == (expected["subject_race"] == "black").sum()
    assert (table["clock_minute"] % 15 == 0).all() and table["share"].between(0, 1).all()


# --- the chart and the table --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hartford_report(hartford):
    loaded = load_params(ROOT / "params" / "hartford.yaml")
    p = loaded.params
    found = [
        e
        for period, win in ((Period.THEN, p.then), (Period.NOW, p.now))
        for e in veil_of_darkness([hartford], win.dates, location=p.location, period=period)
    ]
    prepared = prepare(hartford.counts, [hartford], p, found)
    return Report(loaded, (hartford,), pd.DataFrame(), pd.DataFrame(), EstimateSet(tuple(found)), prepared=prepared)


def test_chart_and_table_print_the_same_odds_ratio(hartford_report):
    fig = figures.veil_of_darkness(hartford_report)
    text = tables.veil_of_darkness(hartford_report).data
    then, now = fig.axes
    for ax, period in ((then, Period.THEN), (now, Period.NOW)):
        ratio = hartford_report.estimates.one(statistic="vod_odds_ratio", period=period)
        printed = f"{fmt.ratio(ratio.value)} ({fmt.ci(ratio)})"
        assert printed in ax.get_title(loc="left") and printed in text
    assert "Hartford, CT" in fig.get_suptitle() and then.get_ylabel() == "share of stops that are Black"
    assert "inter-twilight window 16:51-21:04" in text and "street lighting" in text


def test_chart_and_table_without_location_or_stop_times(hartford_report):
    loaded = hartford_report.params
    no_location = loaded.model_copy(update={"params": loaded.params.model_copy(update={"location": None})})
    counts, sources = hartford_report.sources[0].counts, hartford_report.sources
    unlocated = prepare(counts, sources, no_location.params, list(hartford_report.estimates))
    assert figures.veil_of_darkness(replace(hartford_report, params=no_location, prepared=unlocated)) is None
    empty = replace(hartford_report, estimates=EstimateSet(()), prepared=prepare(counts, sources, loaded.params, []))
    assert figures.veil_of_darkness(empty) is None
    assert "not available" in tables.veil_of_darkness(empty).data


def test_summer_without_civil_dusk_is_not_estimable_not_a_crash():
    anchorage = Location(latitude=61.2181, longitude=-149.9003, timezone="America/Anchorage")
    days = pd.date_range("2017-06-10", "2017-06-30")
    frame = pd.DataFrame({"date": days, "minute": 1300, "district": "A", "group": "black", "stops": 20})
    found = veil_of_darkness(
        [_source(frame)], (date(2017, 6, 1), date(2017, 6, 30)), location=anchorage, period=Period.NOW
    )
    assert found and all(not e.estimable for e in found)
    assert (
        found[0].notes[1]
        == "no inter-twilight window: 420 stops with a time, 420 of them on dates without a civil dusk"
    )
