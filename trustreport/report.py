"""`build(params) -> Report`: the report's table of contents, one call per section.

Everything a notebook cell shows comes from the `Report` this returns: the validated counts, the data
availability matrix, and the `Estimate` objects. `Report.metrics()` is the `metrics.json` contract.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from trustreport import sections
from trustreport.availability import data_availability
from trustreport.claims import grade_claims
from trustreport.claims.grade import ClaimResult
from trustreport.counts import concat_counts
from trustreport.estimate import EstimateSet
from trustreport.params import LoadedParams, load_params
from trustreport.sources import read_source
from trustreport.sources.base import SourceData
from trustreport.stop_mode import stopped_people

log = logging.getLogger("trustreport")

METRICS_MIMETYPE = "application/vnd.trustreport.metrics+json"


@dataclass(frozen=True)
class Report:
    """One city's report: params, sources, counts, availability and estimates."""

    params: LoadedParams
    sources: tuple[SourceData, ...]
    counts: pd.DataFrame
    availability: pd.DataFrame
    estimates: EstimateSet
    claims: tuple[ClaimResult, ...] = ()

    @property
    def title(self) -> str:
        p = self.params.params
        return f"{p.name}: policing then ({p.then.label}) and now ({p.now.label})"

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
            "then": _window_json(p.then),
            "now": _window_json(p.now),
            "generated_by": {
                "package": "trustreport",
                "version": __version__,
                "params_sha256": self.params.sha256,
                "params_file": self.params.path.name,
            },
            "sources": [s.info.to_json() for s in self.sources],
            "availability": self.availability.to_dict(orient="records"),
            "estimates": [e.to_json() for e in self.estimates],
            "caveats": self.caveats,
            "claims": [c.to_json() for c in self.claims],
        }


def build(params: str | Path | LoadedParams, *, data_root: str | Path | None = None) -> Report:
    """Read every source of a city's params file and compute every estimate the report shows; `data_root` is a
    folder outside the project that sources may be read from (`--data-root`, trustreport.source_paths)."""
    loaded = params if isinstance(params, LoadedParams) else load_params(params, data_root=data_root)
    p = loaded.params
    sources = read_sources(loaded)
    counts = concat_counts(s.counts for s in sources)
    coverages = [c for s in sources for c in s.coverage]
    availability = data_availability(counts, sources, then=p.then, now=p.now)
    estimates = [
        *sections.disparities(counts, p, coverages),
        *sections.changes(counts, p, coverages),
        *sections.funnels(counts, p, coverages),
        *sections.outcome_tests(sources, p),
        *sections.veils_of_darkness(sources, p),
        *sections.workforce(counts, p, sources),
        *sections.force(counts, sources, p),
        *sections.accountability(counts, sources, p),
        *sections.homicides(counts, p, coverages),
        *sections.police_killings(counts, sources, p, coverages),
        *sections.trust(counts, sources, p, coverages),
    ]
    estimates = sections.with_source_caveats(estimates, sources)
    estimates = sections.with_adjusted_p_values(estimates)
    estimates = sections.unique_ids(estimates)
    claims = grade_claims(p.claims, counts, sources=sources, jurisdiction=p.jurisdiction, level=p.options.level)
    log.info("%s: %d sources, %d count rows, %d estimates", p.jurisdiction, len(sources), len(counts), len(estimates))
    return Report(
        params=loaded,
        sources=tuple(sources),
        counts=counts,
        availability=availability,
        estimates=EstimateSet(tuple(estimates)),
        claims=tuple(claims),
    )


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


def emit_metrics(report: Report) -> None:
    """Display the metrics under trustreport's mimetype; the runner reads it back from the executed notebook."""
    from IPython.display import display

    display({METRICS_MIMETYPE: report.metrics()}, raw=True)


def _window_json(win) -> dict[str, str]:
    return {"label": win.label, "start": win.start.isoformat(), "end": win.end.isoformat()}
