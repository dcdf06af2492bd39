"""NJ Attorney General Law Enforcement Officer Diversity roster → `officers` by race for one agency and year.

One row per sworn officer (`Agency`, `Race/Ethnicity`, …; no names). The race labels are messy: the same
category in different cases, stray spaces, and "Not provided". They are normalised (case and spacing) and
mapped to the Open Policing value set: Black or African American → black, Hispanic → hispanic, White → white,
Asian and Native Hawaiian or other Pacific Islander → asian/pacific islander, American Indian or Alaska Native
/ Two or more races / Other → other, Not provided → unknown. An unknown label is an error, not a guess. Every
label that needed normalising or merging is recorded. The roster is a snapshot dated to the calendar year of
`vintage`.
"""

from __future__ import annotations

import pandas as pd

from trustreport.counts import Coverage
from trustreport.sources import _common as common
from trustreport.sources._nj import nj_group
from trustreport.sources.base import (
    AdapterContext,
    Dropped,
    SourceData,
    StrictOptions,
    finish,
    parse_options,
    require_columns,
)
from trustreport.vocab import Group, Measure

AGENCY = "Agency"
RACE = "Race/Ethnicity"
_MERGED = frozenset({Group.OTHER, Group.ASIAN_PI, Group.UNKNOWN})


class NjOfficersOptions(StrictOptions):
    """`agency`: the roster's `Agency` value (e.g. "Newark PD"); `vintage`: the roster year."""

    agency: str
    vintage: int = 2021


def read_nj_officer_diversity(ctx: AdapterContext) -> SourceData:
    """Sworn officers of one agency by race (normalised labels), as a snapshot of the roster year."""
    opts = parse_options(NjOfficersOptions, ctx)
    path = ctx.path
    header = common.csv_header(path)
    require_columns(pd.DataFrame(columns=header), (AGENCY, RACE), path)
    roster = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[AGENCY, RACE], encoding="utf-8-sig")
    common.check_option_value(path, "agency", opts.agency, roster[AGENCY].str.strip(), AGENCY)
    officers = roster[roster[AGENCY].str.strip() == opts.agency]

    labels = officers[RACE].replace("", None)
    race_map = common.map_labels(labels.drop_duplicates(), nj_group, path=path, column=RACE)
    groups = labels.map(lambda r: race_map[None if pd.isna(r) else r])
    values = {g: float(n) for g, n in groups.value_counts().sort_index().items()}
    values[Group.ALL] = float(len(officers))

    dropped = [Dropped(ctx.source_id, f"filter {AGENCY}", len(roster), len(officers), f"kept {opts.agency!r}")]
    dropped += _label_record(ctx.source_id, labels, roster[RACE].replace("", None), race_map)
    counts = common.sort_counts(common.snapshot_counts(values, Measure.OFFICERS, opts.vintage))
    start, end = common.vintage_period(opts.vintage)
    coverage = [Coverage(ctx.source_id, Measure.OFFICERS, start, end, f"{opts.vintage} roster (a snapshot)")]
    return finish(ctx, counts, coverage=coverage, dropped=dropped)


def _label_record(sid: str, labels: pd.Series, all_labels: pd.Series, race_map: dict) -> list[Dropped]:
    """Officers whose label was a case/spacing variant of the file's usual spelling, or was merged into other,
    asian/pacific islander or unknown: one entry per raw label, with the count and the group it became."""
    usual = (
        all_labels.dropna()
        .to_frame("label")
        .assign(key=lambda f: f["label"].map(_key))
        .groupby("key")["label"]
        .agg(lambda s: s.value_counts().index[0])
    )
    out = []
    n = len(labels)
    for label, count in labels.value_counts(dropna=False).sort_index().items():
        raw = None if pd.isna(label) else label
        group = race_map[raw]
        variant = raw is not None and raw != usual.get(_key(raw), raw)
        merged = group in _MERGED and (raw is None or _key(raw) != group.value)
        if variant or merged:
            why = "a spelling variant, " if variant else ""
            out.append(Dropped(sid, f"recode {RACE} {raw!r}", n, n, f"{why}{count} officers counted as {group.value}"))
    return out


def _key(label: str) -> str:
    return " ".join(label.split()).lower()
