"""Logging for entry points (the CLI and batch workers); library code never configures logging itself."""

from __future__ import annotations

import logging
import sys

_NOISY_LOGGERS = (
    "papermill",
    "nbconvert",
    "traitlets",
    "weasyprint",
    "fontTools",
    "py.warnings",
    "distributed",
)


def configure_logging(level: int) -> None:
    """Send trustreport's log to stderr at `level`; above INFO everything else is silenced.

    Quiet means quiet: the CLI's one-line error must stay one line, so papermill, nbconvert and WeasyPrint
    warnings are only shown with `--verbose`.
    """
    verbose = level <= logging.INFO
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(processName)s %(name)s %(levelname)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING if verbose else logging.CRITICAL)
    logging.getLogger("trustreport").setLevel(level)
    logging.captureWarnings(True)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.CRITICAL)
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR if verbose else logging.CRITICAL)
