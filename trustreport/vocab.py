"""The report's vocabulary: groups, measures, periods, denominators, labels and colours.

Group values follow the Stanford Open Policing Project's race/ethnicity value set, so a stop file in the OPP
standard format needs no recoding. Every other module compares against these enums, never against literals.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

# An inclusive span of days, (first, last): the dates of a report window (`params.Window.dates`, which adds a label),
# of a source's coverage, of an estimate. Metrics take spans; only params and sections know the labelled windows.
DateSpan = tuple[date, date]


class Group(StrEnum):
    """Race/ethnicity on the Open Policing value set (mutually exclusive; Hispanic overrides race)."""

    BLACK = "black"
    HISPANIC = "hispanic"
    WHITE = "white"
    ASIAN_PI = "asian/pacific islander"
    OTHER = "other"
    UNKNOWN = "unknown"
    ALL = "all"


class Measure(StrEnum):
    """What a row of the canonical counts table counts."""

    RESIDENTS = "residents"
    STOPS = "stops"
    SEARCHES = "searches"
    HITS = "hits"
    CITATIONS = "citations"
    ARRESTS = "arrests"
    FORCE_INCIDENTS = "force_incidents"
    FORCE_SUBJECTS = "force_subjects"
    OFFICERS = "officers"
    HOMICIDE_VICTIMS = "homicide_victims"
    HOMICIDES_CLEARED = "homicides_cleared"
    POLICE_KILLINGS = "police_killings"
    LAWSUITS = "lawsuits"
    SETTLEMENT_USD = "settlement_usd"
    CONTACTS = "contacts"
    SURVEY_TRUST_MEAN = "survey_trust_mean"
    SURVEY_SAFETY_MEAN = "survey_safety_mean"
    OFFICERS_LIVING_IN_CITY = "officers_living_in_city"
    FRISKS = "frisks"
    PERSON_SEARCHES = "person_searches"
    VEHICLE_SEARCHES = "vehicle_searches"


class StopMode(StrEnum):
    """Who the stops are of (OPP's `type` column): it decides the noun the report uses for the people stopped."""

    VEHICULAR = "vehicular"
    PEDESTRIAN = "pedestrian"
    MIXED = "mixed"


STOPPED_NOUNS: dict[StopMode, str] = {
    StopMode.VEHICULAR: "drivers",
    StopMode.PEDESTRIAN: "pedestrians",
    StopMode.MIXED: "people stopped",
}


class Period(StrEnum):
    """Which side of the comparison an estimate belongs to."""

    THEN = "then"
    NOW = "now"
    CHANGE = "change"


class DenominatorKind(StrEnum):
    """What an estimate's denominator counts (docs/methods.md §1.3: the stage that feeds the decision)."""

    RESIDENTS = "residents"
    STOPS = "stops"
    SEARCHES = "searches"
    ARRESTS = "arrests"
    OFFICERS = "officers"
    YEARS = "years"
    NONE = "none"


class Flag(StrEnum):
    """Caveats an estimate carries (DESIGN: rules of thumb on small numbers)."""

    SUPPRESSED = "suppressed"
    UNSTABLE = "unstable"
    NOT_ESTIMABLE = "not estimable"
    NOT_COMPARABLE = "not comparable"
    OVERLAPPING_CATEGORIES = "overlapping categories"
    PARTIAL_COVERAGE = "partial coverage"
    DENOMINATOR_VINTAGE = "denominator vintage differs"


# The small-number thresholds of docs/methods.md §5.3, defined once: no ratio under 5 events (AIHW), `unstable` under 20
# (CDC WISQARS: Poisson RSE above ~22 %), individual-level sub-city cells of 1–9 suppressed (CDC WONDER).
MIN_RATIO_COUNT = 5
UNSTABLE_BELOW = 20
SUPPRESS_BELOW = 10

# Short marks for table cells; each table prints a legend of the marks it uses.
FLAG_MARKS: dict[Flag, str] = {
    Flag.SUPPRESSED: "s",
    Flag.UNSTABLE: "u",
    Flag.NOT_ESTIMABLE: "",
    Flag.NOT_COMPARABLE: "nc",
    Flag.OVERLAPPING_CATEGORIES: "o",
    Flag.PARTIAL_COVERAGE: "p",
    Flag.DENOMINATOR_VINTAGE: "v",
}
FLAG_MEANINGS: dict[Flag, str] = {
    Flag.SUPPRESSED: f"suppressed (fewer than {SUPPRESS_BELOW})",
    Flag.UNSTABLE: f"unstable (fewer than {UNSTABLE_BELOW} events)",
    Flag.NOT_ESTIMABLE: "not estimable",
    Flag.NOT_COMPARABLE: "not comparable",
    Flag.OVERLAPPING_CATEGORIES: "census race groups overlap with Hispanic origin",
    Flag.PARTIAL_COVERAGE: "data cover only part of the window",
    Flag.DENOMINATOR_VINTAGE: "residents counted in another year",
}

# Measures that are snapshots of a population (summed within one vintage, never across a window).
STOCK_MEASURES: frozenset[Measure] = frozenset({Measure.RESIDENTS, Measure.OFFICERS, Measure.OFFICERS_LIVING_IN_CITY})

# Per-resident (Poisson) stages and the measure each conditional (binomial) stage is a subset of.
PER_RESIDENT_MEASURES: tuple[Measure, ...] = (
    Measure.STOPS,
    Measure.ARRESTS,
    Measure.FORCE_INCIDENTS,
    Measure.FORCE_SUBJECTS,
    Measure.HOMICIDE_VICTIMS,
    Measure.POLICE_KILLINGS,
)
CONDITIONAL_STAGES: dict[Measure, Measure] = {
    Measure.SEARCHES: Measure.STOPS,
    Measure.HITS: Measure.SEARCHES,
    Measure.CITATIONS: Measure.STOPS,
    Measure.FRISKS: Measure.STOPS,
    Measure.PERSON_SEARCHES: Measure.SEARCHES,
    Measure.VEHICLE_SEARCHES: Measure.SEARCHES,
    Measure.HOMICIDES_CLEARED: Measure.HOMICIDE_VICTIMS,
}
DENOMINATOR_KIND: dict[Measure, DenominatorKind] = {
    Measure.RESIDENTS: DenominatorKind.NONE,
    Measure.STOPS: DenominatorKind.STOPS,
    Measure.SEARCHES: DenominatorKind.SEARCHES,
    Measure.ARRESTS: DenominatorKind.ARRESTS,
}

GROUP_LABELS: dict[Group, str] = {
    Group.BLACK: "Black",
    Group.HISPANIC: "Hispanic",
    Group.WHITE: "white",
    Group.ASIAN_PI: "Asian/Pacific Islander",
    Group.OTHER: "other",
    Group.UNKNOWN: "unknown",
    Group.ALL: "all",
}

MEASURE_LABELS: dict[Measure, str] = {
    Measure.RESIDENTS: "residents",
    Measure.STOPS: "stops",
    Measure.SEARCHES: "searches",
    Measure.HITS: "searches that found contraband",
    Measure.CITATIONS: "citations",
    Measure.ARRESTS: "arrests",
    Measure.FORCE_INCIDENTS: "use-of-force incidents",
    Measure.FORCE_SUBJECTS: "people subjected to force",
    Measure.OFFICERS: "sworn officers",
    Measure.HOMICIDE_VICTIMS: "homicide victims",
    Measure.HOMICIDES_CLEARED: "homicides cleared by arrest",
    Measure.POLICE_KILLINGS: "people killed by police",
    Measure.SURVEY_SAFETY_MEAN: "mean safety score",
    Measure.OFFICERS_LIVING_IN_CITY: "officers living in the city",
    Measure.LAWSUITS: "lawsuits",
    Measure.SETTLEMENT_USD: "settlement dollars",
    Measure.CONTACTS: "non-enforcement contacts",
    Measure.SURVEY_TRUST_MEAN: "mean trust score",
    Measure.FRISKS: "frisks",
    Measure.PERSON_SEARCHES: "searches of the person",
    Measure.VEHICLE_SEARCHES: "searches of the vehicle",
}

# The singular, for "searches per stop", "hits per search".
MEASURE_SINGULAR: dict[Measure, str] = {
    Measure.STOPS: "stop",
    Measure.SEARCHES: "search",
    Measure.HITS: "search that found contraband",
    Measure.ARRESTS: "arrest",
    Measure.RESIDENTS: "resident",
    Measure.OFFICERS: "officer",
    Measure.HOMICIDE_VICTIMS: "homicide",
    Measure.FRISKS: "frisk",
    Measure.PERSON_SEARCHES: "search of the person",
    Measure.VEHICLE_SEARCHES: "search of the vehicle",
}

# Okabe–Ito, a colour-blind-safe palette; one fixed colour per group across every chart.
GROUP_COLOURS: dict[Group, str] = {
    Group.BLACK: "#0072B2",
    Group.HISPANIC: "#E69F00",
    Group.WHITE: "#009E73",
    Group.ASIAN_PI: "#CC79A7",
    Group.OTHER: "#56B4E9",
    Group.UNKNOWN: "#999999",
    Group.ALL: "#000000",
}
PERIOD_COLOURS: dict[Period, str] = {Period.THEN: "#999999", Period.NOW: "#D55E00"}


class ForceSeverity(StrEnum):
    """Force types grouped by severity, shared by every force adapter (lowest to highest; `OTHER` ranks below
    all, so an incident with a known type is placed by it). Display or threat: a weapon pointed, a Taser sparked,
    no contact. Control hold: hands-on control without a blow (arm bars, pressure points, escorts, holding down).
    Takedown or strike: force against the body (takedowns, punches, kicks, strikes). Less-lethal weapon: chemical
    spray, conducted energy (Taser), batons and impact weapons, police dogs. Firearm discharged: a gun fired at a
    person."""

    OTHER = "other or unrecorded"
    DISPLAY = "display or threat"
    CONTROL = "control hold"
    BODILY = "takedown or strike"
    WEAPON = "less-lethal weapon"
    FIREARM = "firearm discharged"


def severity_slug(severity: ForceSeverity | str) -> str:
    """'less-lethal weapon' → 'less_lethal_weapon', for statistic names."""
    return str(severity).replace("-", "_").replace(" ", "_")


# The funnel's measures in report order, each with the stage that feeds it when the data hold that stage.
FUNNEL_FEEDERS: dict[Measure, Measure | None] = {
    Measure.STOPS: None,
    Measure.SEARCHES: Measure.STOPS,
    Measure.HITS: Measure.SEARCHES,
    Measure.ARRESTS: Measure.STOPS,
    Measure.FORCE_SUBJECTS: Measure.ARRESTS,
    Measure.FORCE_INCIDENTS: Measure.ARRESTS,
}
FUNNEL_ORDER: tuple[Measure, ...] = tuple(FUNNEL_FEEDERS)
STAGE_PER: dict[DenominatorKind, str] = {
    DenominatorKind.RESIDENTS: "resident",
    DenominatorKind.STOPS: "stop",
    DenominatorKind.SEARCHES: "search",
    DenominatorKind.ARRESTS: "arrest",
}


def stage_label(measure: Measure, denominator_kind: DenominatorKind) -> str:
    """How the report names a stage: 'stops per resident', 'searches per stop', 'use-of-force incidents per
    arrest'."""
    return f"{MEASURE_LABELS[measure]} per {STAGE_PER.get(denominator_kind, 'event')}"
