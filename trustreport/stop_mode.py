"""Who the stops are of: vehicle stops, pedestrian stops or both (OPP's `type` column, after the `type` filter).

The report's words follow the data: "drivers" only when every stop is a vehicle stop, "pedestrians" when every
stop is a pedestrian stop, "people stopped" otherwise (mixed, or a file that does not say).
"""

from __future__ import annotations

from collections.abc import Sequence

from trustreport.sources.base import SourceData
from trustreport.vocab import STOPPED_NOUNS, StopMode


def stop_mode(sources: Sequence[SourceData]) -> StopMode:
    """The mode of every stop the sources hold (`extras["stop_mode"]`: stops by type); MIXED unless all agree."""
    kinds = {
        str(row.type)
        for s in sources
        if "stop_mode" in s.extras
        for row in s.extras["stop_mode"].itertuples()
        if row.stops > 0
    }
    if kinds == {StopMode.VEHICULAR.value}:
        return StopMode.VEHICULAR
    if kinds == {StopMode.PEDESTRIAN.value}:
        return StopMode.PEDESTRIAN
    return StopMode.MIXED


def stopped_people(sources: Sequence[SourceData]) -> str:
    """The noun for the people stopped: "drivers", "pedestrians" or "people stopped" (see `stop_mode`)."""
    return STOPPED_NOUNS[stop_mode(sources)]
