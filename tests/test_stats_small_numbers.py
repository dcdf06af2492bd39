"""The small-number rules of docs/methods.md §5.3 / docs/design.md "rules of thumb"."""

from __future__ import annotations

from datetime import date

from trustreport.estimate import Estimate
from trustreport.metrics import small_numbers as msn
from trustreport.stats import small_numbers as sn
from trustreport.vocab import Flag, Group, Measure, Period

WINDOW = (date(2017, 1, 1), date(2017, 12, 31))


def _ratio(value: float = 2.0, numerator: float | None = None) -> Estimate:
    return Estimate(
        id="stops.rate_ratio.black.now",
        measure=Measure.STOPS,
        statistic="rate_ratio",
        group=Group.BLACK,
        period=Period.NOW,
        window=WINDOW,
        value=value,
        numerator=numerator,
        ci=(1.5, 2.5),
        p_value=0.01,
    )


def test_no_ratio_under_five_names_the_count() -> None:
    est = msn.apply_ratio_rules(_ratio(), {"Black stops": 3, "white stops": 50})
    assert est.value is None and est.ci is None and est.p_value is None
    assert Flag.NOT_ESTIMABLE in est.flags
    assert "Black stops = 3" in est.notes[0] and "fewer than 5" in est.notes[0]


def test_the_not_estimable_reason_is_the_first_note() -> None:
    est = msn.not_estimable(_ratio().with_flags(Flag.DENOMINATOR_VINTAGE, note="old census"), "no residents")
    assert est.notes == ("no residents", "old census") and est.ci_method is None and est.test_method is None


def test_unstable_under_twenty() -> None:
    est = msn.apply_ratio_rules(_ratio(), {"Black stops": 19, "white stops": 500})
    assert est.value == 2.0 and est.flags == (Flag.UNSTABLE,)
    assert msn.apply_ratio_rules(_ratio(), {"Black stops": 20, "white stops": 500}).flags == ()


def test_thresholds_are_configurable() -> None:
    strict = sn.SmallNumberRules(min_ratio_count=30)
    assert sn.ratio_refusal({"x": 25}, rules=strict) is not None
    assert sn.ratio_refusal({"x": 25}) is None


def test_suppress_cells_hides_one_to_nine_and_keeps_zero() -> None:
    assert sn.suppress_cells([0, 1, 9, 10, None, 250]) == [0, None, None, 10, None, 250]


def test_suppress_estimate_hides_value_and_interval() -> None:
    hidden = msn.suppress_estimate(_ratio(value=0.004, numerator=7))
    assert hidden.value is None and hidden.numerator is None and hidden.ci is None
    assert Flag.SUPPRESSED in hidden.flags
    kept = _ratio(value=0.04, numerator=12)
    assert msn.suppress_estimate(kept) is kept
