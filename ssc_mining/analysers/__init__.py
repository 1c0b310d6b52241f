"""Analysers: the contract, the registry, the runner and the built-in analysers."""

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.registry import GROUP, Discovery, discover
from ssc_mining.analysers.runner import AnalyserFailedError, run_analysers, run_analysers_deferred

__all__ = ["Analyser", "AnalyserFailedError", "Discovery", "GROUP", "discover", "run_analysers",
           "run_analysers_deferred"]
