"""Metrics: the canonical counts table → `Estimate` objects, one module per report concept (docs/style.md)."""
