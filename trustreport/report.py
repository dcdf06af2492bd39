"""`build(params) -> Report`: the report's table of contents, one call per section.

Everything a notebook cell shows comes from the `Report` this returns: the validated counts, the data
availability matrix, and the `Estimate` objects. `Report.metrics()` is the `metrics.json` contract.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from trustreport import breaks as comparability
from trustreport import cache as source_cache
from trustreport import sections
from trustreport.availability import data_availability
from trustreport.claims import grade_claims
from trustreport.claims.grade import ClaimResult
from trustreport.counts import Break, concat_counts
from trustreport.estimate import Estimate, EstimateSet
from trustreport.metrics.prepared import Prepared, prepare
from trustreport.params import LoadedParams, load_params
from trustreport.partial_coverage import flag_partial_coverage
from trustreport.sources import read_source
from trustreport.sources.base import SourceData
from trustreport.stop_mode import stopped_people
from trustreport.vocab import Period
from trustreport.window_names import short_window

log = logging.getLogger("trustreport")

# The report's sections in the order their estimates appear in metrics.json; each reads one SectionContext.
SECTIONS: tuple[sections.Section, ...] = (
    sections.disparities,
    sections.changes,
    sections.funnels,
    sections.outcome_tests,
    sections.veils_of_darkness,
    sections.workforce,
    sections.force,
    sections.accountability,
    sections.homicides,
    sections.police_killings,
    sections.trust,
)


@dataclass(frozen=True)
class Report:
    """One city's report: params, sources, counts, availability, estimates, graded claims, and the series and
    notes prepared for its charts and tables."""

    params: LoadedParams
    sources: tuple[SourceData, ...]
    counts: pd.DataFrame
    availability: pd.DataFrame
    estimates: EstimateSet
    claims: tuple[ClaimResult, ...] = ()
    breaks: tuple[Break, ...] = ()
    prepared: Prepared = field(default_factory=Prepared)

    @property
    def title(self) -> str:
        """'Hartford, CT: policing then (2014) and now (1 Jan – 29 Sep 2016)': the city and both windows' dates
        (the label's words, such as 'before federal oversight', are in the subtitle)."""
        p = self.params.params
        if p.one_window:
            return f"{p.name}: policing in {short_window(*p.now.dates)}"
        then, now = short_window(*p.then.dates), short_window(*p.now.dates)
        return f"{p.name}: policing then ({then}) and now ({now})"

    @property
    def caveats(self) -> list[str]:
        """Every caveat the sources and the params carry, once each, in order."""
        found = [
            *sections.method_caveats(list(self.estimates), stopped_people(self.sources)),
            *(c for s in self.sources for c in s.caveats),
            *self.params.params.notes,
        ]
        return list(dict.fromkeys(found))

    def metrics(self) -> dict[str, Any]:
        """The `metrics.json` content: every number with its method, interval and sources."""
        from trustreport import __version__

        p = self.params.params
        return {
            "jurisdiction": p.jurisdiction,
            "title": self.title,
            "name": p.name,
            "state": p.state,
            "reference_group": str(p.reference_group),
            "then": None if p.then is None else _window_json(p.then),
            "now": _window_json(p.now),
            "generated_by": {
                "package": "trustreport",
                "version": __version__,
                "params_sha256": self.params.sha256,
                "params_file": self.params.path.name,
            },
            "sources": [s.info.to_json() for s in self.sources],
            "availability": self.availability.to_dict(orient="records"),
            "breaks": [b.to_json() for b in self.breaks],
            "estimates": [e.to_json() for e in self.estimates],
            "caveats": self.caveats,
            "claims": [c.to_json() for c in self.claims],
        }


def build(
    params: str | Path | LoadedParams,
    *,
    data_root: str | Path | None = None,
    cache: str | Path | bool | None = None,
) -> Report:
    """Read every source of a city's params file and compute every estimate the report shows; `data_root` is a
    folder outside the project that sources may be read from (`--data-root`, trustreport.source_paths); `cache`
    is the folder of parsed sources, or False for none (default: `TRUSTREPORT_CACHE`, trustreport.cache)."""
    with source_cache.using(cache):
        return _build(params, data_root=data_root)


def _build(params: str | Path | LoadedParams, *, data_root: str | Path | None = None) -> Report:
    """`build()` in the cache folder it chose: the report's table of contents."""
    loaded = params if isinstance(params, LoadedParams) else load_params(params, data_root=data_root)
    p = loaded.params.as_compared()  # a "now only" report computes as if then were now, then drops both
    sources = read_sources(loaded)
    counts = concat_counts(s.counts for s in sources)
    coverages = tuple(c for s in sources for c in s.coverage)
    breaks = comparability.combined(
        comparability.declared(p.breaks), comparability.detect_breaks(counts, coverages=coverages)
    )
    availability = data_availability(counts, sources, then=p.then, now=p.now, breaks=breaks)
    ctx = sections.SectionContext(params=p, counts=counts, sources=tuple(sources), coverages=coverages)
    # A "now only" report has no changes to compute (its `then` is a stand-in for `now`; see Params.as_compared).
    shown = [s for s in SECTIONS if not (loaded.params.one_window and s is sections.changes)]
    estimates = [est for section in shown for est in section(ctx)]
    estimates = flag_partial_coverage(estimates, coverages)
    estimates = sections.with_source_caveats(estimates, sources)
    estimates = comparability.across_breaks(estimates, breaks, then=p.then.dates, now=p.now.dates)
    estimates = sections.with_adjusted_p_values(estimates)
    estimates = sections.unique_ids(estimates)
    prepared = prepare(counts, sources, p, estimates)
    if loaded.params.one_window:
        estimates, prepared = now_only(estimates, prepared)
        availability = availability[availability["period"] == str(Period.NOW)].reset_index(drop=True)
    claims = grade_claims(p.claims, counts, sources=sources, jurisdiction=p.jurisdiction, level=p.options.level)
    log.info("%s: %d sources, %d count rows, %d estimates", p.jurisdiction, len(sources), len(counts), len(estimates))
    return Report(
        params=loaded,
        sources=tuple(sources),
        counts=counts,
        availability=availability,
        estimates=EstimateSet(tuple(estimates)),
        claims=tuple(claims),
        breaks=tuple(breaks),
        prepared=prepared,
    )


def now_only(estimates: list[Estimate], prepared: Prepared) -> tuple[list[Estimate], Prepared]:
    """A "now only" report keeps its `now` estimates and series: no `then` value, no change between windows."""
    kept = [e for e in estimates if e.period == Period.NOW]
    return kept, prepared.now_only()


def read_sources(loaded: LoadedParams) -> list[SourceData]:
    """Run each source's adapter, in the order the params file lists them."""
    p = loaded.params
    return [
        read_source(
            source_id=spec.id,
            kind=spec.kind,
            path=loaded.source_paths[spec.id],
            jurisdiction=p.jurisdiction,
            options=spec.options,
            citation=spec.citation,
            licence=spec.licence,
            url=spec.url,
            params_path=loaded.path,
        )
        for spec in p.sources
    ]


def _window_json(win) -> dict[str, str]:
    return {"label": win.label, "start": win.start.isoformat(), "end": win.end.isoformat()}
