"""The claim ledger (report section 2): published claims, entered as structured data in the params file,
recomputed from the counts table and graded reproduced / consistent / contradicted / not checkable, and
published then-and-now pairs graded for comparability.

The claim schema (`Claim` and its parts) lives in `trustreport.claim_schema`, beside the params that hold the
claims; it is re-exported here for the ledger's users.
"""

from __future__ import annotations

from trustreport.claim_schema import ALL_OTHER, Claim, ClaimWindow, Statistic, Tolerance
from trustreport.claims.compare import Comparability, PublishedPair, then_and_now_pairs
from trustreport.claims.grade import ClaimResult, grade_claim, grade_claims
from trustreport.claims.verdict import Check, Verdict

__all__ = [
    "ALL_OTHER",
    "Check",
    "Claim",
    "ClaimResult",
    "ClaimWindow",
    "Comparability",
    "PublishedPair",
    "Statistic",
    "Tolerance",
    "Verdict",
    "grade_claim",
    "grade_claims",
    "then_and_now_pairs",
]
