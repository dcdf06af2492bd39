"""Source adapters: one module per kind of file; `read_source` dispatches on a params `kind`."""

from __future__ import annotations

from pathlib import Path

from trustreport.sources.base import AdapterContext, SourceData
from trustreport.sources.extras import check_extras

ADAPTERS: dict[str, str] = {
    # kind -> "module:function"; imported lazily so `trustreport validate` stays fast.
    "opp_stops": "trustreport.sources.opp_stops:read_opp_stops",
    "census_b03002": "trustreport.sources.census_b03002:read_census_b03002",
    "census_places": "trustreport.sources.census_b03002:read_census_places",
    "census_race": "trustreport.sources.census:read_census_race",
    "acs_demographics": "trustreport.sources.census:read_acs_demographics",
    "nj_use_of_force": "trustreport.sources.nj_force:read_nj_use_of_force",
    "dallas_use_of_force": "trustreport.sources.dallas_force:read_dallas_use_of_force",
    "nj_force_report": "trustreport.sources.nj_force_report:read_nj_force_report",
    "nj_officer_diversity": "trustreport.sources.nj_officers:read_nj_officer_diversity",
    "published_aggregates": "trustreport.sources.published:read_published_aggregates",
    "fivethirtyeight_settlements": "trustreport.sources.settlements:read_fivethirtyeight_settlements",
    "wapo_homicides": "trustreport.sources.wapo_homicides:read_wapo_homicides",
    "wapo_police_shootings": "trustreport.sources.wapo_police_shootings:read_wapo_police_shootings",
    "police_killings_2015": "trustreport.sources.police_killings_2015:read_police_killings_2015",
    "police_locals": "trustreport.sources.police_locals:read_police_locals",
    "survey_results": "trustreport.sources.surveys:read_survey_results",
    "chicago_police_sentiment": "trustreport.sources.chicago_sentiment:read_chicago_police_sentiment",
    "community_contacts": "trustreport.sources.contacts:read_contacts",
    "campaign_zero_ca_scorecard": "trustreport.sources.campaign_zero:read_campaign_zero_ca_scorecard",
    "openpolicedata": "trustreport.sources.openpolicedata:read_openpolicedata",
}

# kind -> "module:OptionsModel": each adapter's options model, checked when the params are loaded.
OPTIONS: dict[str, str] = {
    "opp_stops": "trustreport.sources.opp_stops:OppStopsOptions",
    "census_race": "trustreport.sources.census:CensusRaceOptions",
    "acs_demographics": "trustreport.sources.census:AcsDemographicsOptions",
    "nj_use_of_force": "trustreport.sources.nj_force:NjForceOptions",
    "dallas_use_of_force": "trustreport.sources.dallas_force:DallasForceOptions",
    "nj_force_report": "trustreport.sources.nj_force_report:NjForceReportOptions",
    "nj_officer_diversity": "trustreport.sources.nj_officers:NjOfficersOptions",
    "published_aggregates": "trustreport.sources.published:PublishedOptions",
    "fivethirtyeight_settlements": "trustreport.sources.settlements:SettlementsOptions",
    "wapo_homicides": "trustreport.sources.wapo_homicides:WapoHomicidesOptions",
    "wapo_police_shootings": "trustreport.sources.wapo_police_shootings:WapoShootingsOptions",
    "police_killings_2015": "trustreport.sources.police_killings_2015:PoliceKillings2015Options",
    "police_locals": "trustreport.sources.police_locals:PoliceLocalsOptions",
    "survey_results": "trustreport.sources.surveys:SurveyOptions",
    "chicago_police_sentiment": "trustreport.sources.chicago_sentiment:ChicagoSentimentOptions",
    "community_contacts": "trustreport.sources.contacts:ContactsOptions",
    "census_b03002": "trustreport.sources.census_b03002:CensusB03002Options",
    "census_places": "trustreport.sources.census_b03002:CensusPlacesOptions",
    "campaign_zero_ca_scorecard": "trustreport.sources.campaign_zero:CampaignZeroOptions",
    "openpolicedata": "trustreport.sources.openpolicedata:OpenPoliceDataOptions",
}


def read_source(
    *,
    source_id: str,
    kind: str,
    path: Path,
    jurisdiction: str,
    options: dict,
    citation: str,
    licence: str,
    url: str | None = None,
    params_path: Path | None = None,
) -> SourceData:
    """Read one source with the adapter registered for its kind."""
    from importlib import import_module

    module_name, func_name = ADAPTERS[kind].split(":")
    adapter = getattr(import_module(module_name), func_name)
    ctx = AdapterContext(
        source_id=source_id,
        kind=kind,
        path=path,
        jurisdiction=jurisdiction,
        options=options,
        citation=citation,
        licence=licence,
        url=url,
        params_path=params_path,
    )
    data = adapter(ctx)
    # Every table an adapter hands on beside the counts has a declared schema, checked here where it is produced.
    check_extras(path, data.extras, getattr(import_module(module_name), "EXTRAS", ()))
    return data
