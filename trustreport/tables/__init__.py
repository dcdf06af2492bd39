"""Estimates → HTML tables for the notebook (and so for the HTML and PDF reports), one module per report section.

Every cell is made by a `fmt` formatter from an `Estimate`; every user-supplied string is HTML-escaped. Shared
cell, legend and methods-line helpers live in `_common`; a section module imports from `_common`, never from a
sibling section.
"""

from trustreport.tables.claims import claim_ledger, then_and_now_published
from trustreport.tables.disparity import disparities, disparity_frame
from trustreport.tables.force import force as force
from trustreport.tables.funnel import funnel, funnel_frame
from trustreport.tables.homicides import homicides as homicides
from trustreport.tables.lawsuits import lawsuits as lawsuits
from trustreport.tables.outcome import outcome_test, veil_of_darkness
from trustreport.tables.overview import availability, caveats, dropped, published, sources
from trustreport.tables.police_killings import police_killings as police_killings
from trustreport.tables.trust import trust as trust
from trustreport.tables.workforce import workforce

__all__ = [
    "availability",
    "caveats",
    "claim_ledger",
    "disparities",
    "disparity_frame",
    "dropped",
    "funnel",
    "funnel_frame",
    "outcome_test",
    "published",
    "sources",
    "then_and_now_published",
    "veil_of_darkness",
    "workforce",
]
