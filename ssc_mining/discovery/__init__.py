"""Process discovery: directly-follows graphs and overview statistics."""

from ssc_mining.discovery.dfg import DirectlyFollows, directly_follows
from ssc_mining.discovery.overview import Overview, case_durations, overview, variants

__all__ = ["DirectlyFollows", "directly_follows", "Overview", "overview", "case_durations", "variants"]
