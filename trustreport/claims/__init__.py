"""The claim ledger (report section 2): published claims, entered as structured data in the params file,
recomputed from the counts table and graded reproduced / consistent / contradicted / not checkable, and
published then-and-now pairs graded for comparability.

`Claim` (the params schema) loads eagerly so that reading a params file stays fast; the grading functions,
which need the statistics stack, load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from trustreport.claims.schema import ALL_OTHER, Claim, ClaimWindow, Statistic, Tolerance

_LAZY = {
    "grade_claims": "trustreport.claims.grade",
    "grade_claim": "trustreport.claims.grade",
    "ClaimResult": "trustreport.claims.grade",
    "Verdict": "trustreport.claims.verdict",
    "Check": "trustreport.claims.verdict",
    "Comparability": "trustreport.claims.compare",
    "PublishedPair": "trustreport.claims.compare",
    "then_and_now_pairs": "trustreport.claims.compare",
}

__all__ = ["ALL_OTHER", "Claim", "ClaimWindow", "Statistic", "Tolerance", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'trustreport.claims' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name]), name)
