"""The canonical event log and its provenance."""

from ssc_mining.eventlog import columns
from ssc_mining.eventlog.log import EventLog, sort_events
from ssc_mining.eventlog.provenance import Provenance, SourceFile, tool_versions

__all__ = ["EventLog", "Provenance", "SourceFile", "columns", "sort_events", "tool_versions"]
