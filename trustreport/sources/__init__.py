"""Source adapters: one module per kind of file; `read_source` dispatches on a params `kind`."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from trustreport import cache
from trustreport.sources.base import AdapterContext, SourceData
from trustreport.sources.extras import check_extras

log = logging.getLogger("trustreport")

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
    """Read one source with the adapter registered for its kind, or take its result from the cache
    (trustreport.cache) when the same files were read with the same options by the same code before."""
    from importlib import import_module

    module_name, func_name = ADAPTERS[kind].split(":")
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
    key = _cache_key(ctx) if cache.directory() is not None else None
    cached = cache.load("sources", key) if key else None
    if isinstance(cached, SourceData):
        log.debug("%s: read from the cache (%s)", source_id, key[:12])
        # The display path depends on the working directory, so `info` is stamped afresh, as the adapter would.
        return dataclasses.replace(cached, info=ctx.info())
    data = getattr(import_module(module_name), func_name)(ctx)
    # Every table an adapter hands on beside the counts has a declared schema, checked here where it is produced.
    check_extras(path, data.extras, getattr(import_module(module_name), "EXTRAS", ()))
    if key:
        cache.store("sources", key, data)
    return data


def _cache_key(ctx: AdapterContext) -> str | None:
    """The cache key of a source: every file it reads (absolute path and byte digest, companions included), its
    kind and options, and the jurisdiction, id, citation, licence and URL the adapter stamps on its result. None
    when a file cannot be read or the options do not fit: the adapter then runs and says what is wrong."""
    from trustreport.sources.checks import companion_files

    try:
        files = [("path", ctx.path), *companion_files(ctx.kind, ctx.options, ctx.path)]
        digests = [[option, str(file.absolute()), cache.file_digest(file)] for option, file in files]
    except (OSError, ValueError):
        return None
    return cache.entry_key(
        {
            "what": "SourceData",
            "files": digests,
            "kind": ctx.kind,
            "options": ctx.options,
            "jurisdiction": ctx.jurisdiction,
            "source_id": ctx.source_id,
            "citation": ctx.citation,
            "licence": ctx.licence,
            "url": ctx.url,
        }
    )
