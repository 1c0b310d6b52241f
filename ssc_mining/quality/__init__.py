"""Data-quality checks on a canonical event log (reported, never fatal)."""

from ssc_mining.quality.checks import Finding, run_checks

__all__ = ["Finding", "run_checks"]
