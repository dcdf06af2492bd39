"""What an `Estimate`'s number is: the `Statistic` enum and the `Kind` of number each statistic is.

Every statistic a metric computes is a member here, declared with its kind; the kind says how the number is
printed (`fmt`) and what its null is (`Estimate.significant`), so no code guesses a meaning from a name and a
statistic without a kind cannot be made. Values are the names `metrics.json` has always used.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """The kind of number a statistic is: how it is printed and against which null it is tested."""

    COUNT = "count"  # events or people: '18,439'
    COUNT_DIFFERENCE = "count difference"  # observed − expected events: '12'; null 0
    PER_YEAR = "per year"  # events per year of a window: '12.5'
    RATE = "rate"  # events per `scale` people or arrests: '31.5'
    FUNNEL_RATE = "funnel rate"  # a funnel stage: per `scale` residents when scaled, else a fraction as '0.38'
    SHARE = "share"  # a proportion 0–1: '22.0%'
    INDEX = "index"  # an index on 0–1 (dissimilarity): '22.0%'
    RELATIVE_DIFFERENCE = "relative difference"  # (now − then) / then: '−12.0%'; null 0
    SHARE_DIFFERENCE = "share difference"  # a difference of proportions in percentage points: '+3.1 pp'; null 0
    RATIO = "ratio"  # a ratio of rates, risks, odds or ratios: '3.41'; null 1
    DOLLARS = "dollars"  # money: '$1,912,788'
    SCORE = "score"  # a survey score on 0–100: '61.2'
    SCORE_DIFFERENCE = "score difference"  # a difference of scores: '−12.8 points'; null 0
    YEARS = "years"  # a duration: '3.2 years'
    YEAR = "year"  # a calendar year: '2019'

    @property
    def null(self) -> float | None:
        """The value of no difference (1 for ratios, 0 for differences), None for levels, which have none."""
        if self is Kind.RATIO:
            return 1.0
        if self in _DIFFERENCES:
            return 0.0
        return None


_DIFFERENCES = frozenset(
    {Kind.COUNT_DIFFERENCE, Kind.RELATIVE_DIFFERENCE, Kind.SHARE_DIFFERENCE, Kind.SCORE_DIFFERENCE}
)


class Statistic(StrEnum):
    """Every statistic an `Estimate` can carry, each declared with its `Kind` (docs/methods.md §in the metric
    modules)."""

    kind: Kind

    def __new__(cls, value: str, kind: Kind) -> Statistic:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        return member

    # Counts (disparity, police killings, year to date, funnel expectations)
    COUNT = "count", Kind.COUNT
    ANNUAL_COUNT = "annual_count", Kind.COUNT
    POOLED_COUNT = "pooled_count", Kind.COUNT
    YTD_COUNT = "ytd_count", Kind.COUNT
    PAYMENT_COUNT = "payment_count", Kind.COUNT
    EXPECTED_COUNT = "expected_count", Kind.COUNT
    GUARDIAN_KILLINGS = "guardian_killings", Kind.COUNT
    GUARDIAN_GUNSHOT_DEATHS = "guardian_gunshot_deaths", Kind.COUNT
    WAPO_FATAL_SHOOTINGS = "wapo_fatal_shootings", Kind.COUNT
    EXCESS_DIFFERENCE = "excess_difference", Kind.COUNT_DIFFERENCE
    COUNT_PER_YEAR = "count_per_year", Kind.PER_YEAR
    # Rates
    RATE = "rate", Kind.RATE
    POOLED_RATE = "pooled_rate", Kind.RATE
    PER_ARREST = "per_arrest", Kind.RATE
    STAGE_RATE = "stage_rate", Kind.FUNNEL_RATE
    # Shares and proportions
    PROPORTION = "proportion", Kind.SHARE
    SHARE = "share", Kind.SHARE
    HIT_RATE = "hit_rate", Kind.SHARE
    HIT_RATE_DISCRETIONARY = "hit_rate_discretionary", Kind.SHARE
    VOD_SHARE_LIGHT = "vod_share_light", Kind.SHARE
    VOD_SHARE_DARK = "vod_share_dark", Kind.SHARE
    WAPO_SHARE_OF_GUARDIAN_GUNSHOTS = "wapo_share_of_guardian_gunshots", Kind.SHARE
    WEAPON_SHARE = "weapon_share", Kind.SHARE
    INJURY_SHARE = "injury_share", Kind.SHARE
    SERIOUS_INJURY_SHARE = "serious_injury_share", Kind.SHARE
    SUBJECT_SHARE = "subject_share", Kind.SHARE
    # One per `ForceSeverity`, named by `severity_share()`
    SEVERITY_SHARE_OTHER = "severity_share_other_or_unrecorded", Kind.SHARE
    SEVERITY_SHARE_DISPLAY = "severity_share_display_or_threat", Kind.SHARE
    SEVERITY_SHARE_CONTROL = "severity_share_control_hold", Kind.SHARE
    SEVERITY_SHARE_BODILY = "severity_share_takedown_or_strike", Kind.SHARE
    SEVERITY_SHARE_WEAPON = "severity_share_less_lethal_weapon", Kind.SHARE
    SEVERITY_SHARE_FIREARM = "severity_share_firearm_discharged", Kind.SHARE
    DISSIMILARITY_INDEX = "dissimilarity_index", Kind.INDEX
    # Differences and gaps
    YTD_RELATIVE_DIFFERENCE = "ytd_relative_difference", Kind.RELATIVE_DIFFERENCE
    PROPORTION_DIFFERENCE = "proportion_difference", Kind.SHARE_DIFFERENCE
    PERCENTAGE_POINT_GAP = "percentage_point_gap", Kind.SHARE_DIFFERENCE
    CLEARANCE_GAP = "clearance_gap", Kind.SHARE_DIFFERENCE
    VS_ALL_OTHERS_CLEARANCE_GAP = "vs_all_others_clearance_gap", Kind.SHARE_DIFFERENCE
    SUBJECT_SHARE_DIFFERENCE = "subject_share_difference", Kind.SHARE_DIFFERENCE
    # Ratios
    RATE_RATIO = "rate_ratio", Kind.RATIO
    RISK_RATIO = "risk_ratio", Kind.RATIO
    VS_ALL_OTHERS_RATE_RATIO = "vs_all_others_rate_ratio", Kind.RATIO
    VS_ALL_OTHERS_RISK_RATIO = "vs_all_others_risk_ratio", Kind.RATIO
    POOLED_RATE_RATIO = "pooled_rate_ratio", Kind.RATIO
    YTD_RATE_RATIO = "ytd_rate_ratio", Kind.RATIO
    RATIO_OF_RATE_RATIOS = "ratio_of_rate_ratios", Kind.RATIO
    RATE_CHANGE_RATIO = "rate_change_ratio", Kind.RATIO
    PAYOUT_CHANGE_RATIO = "payout_change_ratio", Kind.RATIO
    HIT_RATE_RATIO = "hit_rate_ratio", Kind.RATIO
    HIT_RATE_RATIO_DISCRETIONARY = "hit_rate_ratio_discretionary", Kind.RATIO
    HIT_RATE_RATIO_MH = "hit_rate_ratio_mh", Kind.RATIO
    HIT_RATE_ODDS_RATIO_MH = "hit_rate_odds_ratio_mh", Kind.RATIO
    VOD_ODDS_RATIO = "vod_odds_ratio", Kind.RATIO
    VOD_ODDS_RATIO_DISTRICT = "vod_odds_ratio_district", Kind.RATIO
    STAGE_RATIO = "stage_ratio", Kind.RATIO
    CUMULATIVE_RATIO = "cumulative_ratio", Kind.RATIO
    STAGE_RATIO_PRODUCT = "stage_ratio_product", Kind.RATIO
    WEAPON_RISK_RATIO = "weapon_risk_ratio", Kind.RATIO
    INJURY_RISK_RATIO = "injury_risk_ratio", Kind.RATIO
    REPRESENTATION_RATIO = "representation_ratio", Kind.RATIO
    REPRESENTATION_RATIO_CHANGE = "representation_ratio_change", Kind.RATIO
    # Money
    TOTAL_NOMINAL_USD = "total_nominal_usd", Kind.DOLLARS
    TOTAL_CONSTANT_USD = "total_constant_usd", Kind.DOLLARS
    TOTAL_CONSTANT_USD_PER_YEAR = "total_constant_usd_per_year", Kind.DOLLARS
    MEDIAN_CONSTANT_USD = "median_constant_usd", Kind.DOLLARS
    MEAN_CONSTANT_USD = "mean_constant_usd", Kind.DOLLARS
    # Survey scores
    MEAN = "mean", Kind.SCORE
    MEAN_DIFFERENCE = "mean_difference", Kind.SCORE_DIFFERENCE
    MEAN_GAP = "mean_gap", Kind.SCORE_DIFFERENCE
    MEAN_GAP_DIFFERENCE = "mean_gap_difference", Kind.SCORE_DIFFERENCE
    # Settlement lag
    LAG_MEDIAN_YEARS = "lag_median_years", Kind.YEARS
    INCOMPLETE_FROM_YEAR = "incomplete_from_year", Kind.YEAR


# The per-resident statistics pooled over every day the sources cover (metrics.police_killings).
POOLED = {
    Statistic.COUNT: Statistic.POOLED_COUNT,
    Statistic.RATE: Statistic.POOLED_RATE,
    Statistic.RATE_RATIO: Statistic.POOLED_RATE_RATIO,
}


def severity_share(severity: str) -> Statistic:
    """The share statistic of a force severity level: 'less-lethal weapon' → `SEVERITY_SHARE_WEAPON`; a level
    without a member raises `ValueError`."""
    return Statistic("severity_share_" + str(severity).replace("-", "_").replace(" ", "_"))
