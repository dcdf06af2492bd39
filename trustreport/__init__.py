"""trustreport: then-and-now reports on racial disparity and police–community trust.

`import trustreport as tr; report = tr.build("params/newark.yaml")` computes every number; `tr.tables`,
`tr.figures` and `tr.narrative` show them. Submodules load lazily so the CLI starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "build": ("trustreport.report", "build"),
    "emit_metrics": ("trustreport.result", "emit_metrics"),
    "Report": ("trustreport.report", "Report"),
    "load_params": ("trustreport.params", "load_params"),
    "tables": ("trustreport.tables", None),
    "figures": ("trustreport.figures", None),
    "narrative": ("trustreport.narrative", None),
    "key_findings": ("trustreport.key_findings", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'trustreport' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = import_module(module_name)
    return module if attr is None else getattr(module, attr)
