"""The `Statistic` enum: every statistic has a kind, every kind a formatter and a null; a name that is not a
statistic cannot become an `Estimate`; `metrics.json` still writes the plain name."""

from __future__ import annotations

import json
from datetime import date

import pytest

from trustreport import fmt
from trustreport.estimate import Estimate
from trustreport.sources._force import ForceSeverity
from trustreport.statistic import POOLED, Kind, Statistic, severity_share
from trustreport.vocab import Group, Measure, Period

WINDOW = (date(2021, 1, 1), date(2023, 12, 31))


def estimate(statistic: Statistic | str, value: float, ci: tuple[float, float] | None = None, **kw) -> Estimate:
    return Estimate(
        id="x", measure=Measure.STOPS, statistic=statistic, group=Group.BLACK, period=Period.NOW, window=WINDOW,
        value=value, ci=ci, **kw,
    )  # fmt: skip


def test_every_kind_has_a_formatter() -> None:
    assert set(fmt._FORMATTERS) == set(Kind)


def test_every_statistic_has_a_kind_and_formats() -> None:
    for s in Statistic:
        assert isinstance(s.kind, Kind)
        assert fmt.value(estimate(s, 0.5, (0.25, 0.75))) != fmt.NOT_ESTIMABLE


def test_an_unknown_statistic_raises_instead_of_formatting_as_a_ratio() -> None:
    with pytest.raises(ValueError, match="rate_ration"):
        estimate("rate_ration", 2.0)


def test_a_plain_name_becomes_the_member_and_json_writes_the_name() -> None:
    e = estimate("rate_ratio", 2.0)
    assert e.statistic is Statistic.RATE_RATIO
    assert json.dumps(e.to_json()["statistic"]) == '"rate_ratio"'


@pytest.mark.parametrize(
    ("statistic", "ci", "significant"),
    [
        (Statistic.RATE_RATIO, (1.1, 2.0), True),
        (Statistic.RATE_RATIO, (0.9, 2.0), False),
        (Statistic.HIT_RATE_ODDS_RATIO_MH, (1.1, 2.0), True),
        (Statistic.PROPORTION_DIFFERENCE, (0.01, 0.2), True),
        (Statistic.MEAN_GAP, (-3.0, 2.0), False),
        (Statistic.EXCESS_DIFFERENCE, (5.0, 9.0), True),
        (Statistic.SHARE, (0.1, 0.2), None),
        (Statistic.RATE, (1.1, 2.0), None),
    ],
)
def test_significance_is_tested_against_the_null_of_the_kind(
    statistic: Statistic, ci: tuple[float, float], significant: bool | None
) -> None:
    assert estimate(statistic, sum(ci) / 2, ci).significant is significant


def test_kind_drives_the_format() -> None:
    assert fmt.value(estimate(Statistic.WEAPON_SHARE, 0.2204)) == "22.0%"
    assert fmt.value(estimate(Statistic.MEAN_GAP, -12.84)) == "−12.8 points"
    assert fmt.value(estimate(Statistic.CLEARANCE_GAP, -0.031)) == "-3.1 pp"
    assert fmt.value(estimate(Statistic.MEDIAN_CONSTANT_USD, 51000.4)) == "$51,000"
    assert fmt.value(estimate(Statistic.COUNT_PER_YEAR, 12.0)) == "12.0 a year"
    assert fmt.value(estimate(Statistic.STAGE_RATE, 0.375)) == "0.38"
    assert fmt.value(estimate(Statistic.STAGE_RATE, 0.0315, scale=1000)) == "31.5"
    assert fmt.value(estimate(Statistic.LAG_MEDIAN_YEARS, 3.24)) == "3.2 years"


def test_every_force_severity_has_a_share_statistic() -> None:
    assert severity_share(ForceSeverity.WEAPON) is Statistic.SEVERITY_SHARE_WEAPON
    assert len({severity_share(s) for s in ForceSeverity}) == len(ForceSeverity)


def test_pooled_statistics_keep_their_kind() -> None:
    assert all(s.kind is p.kind for s, p in POOLED.items())
