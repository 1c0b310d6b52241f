"""Export writers, one module per ticket system, and the default file names.

Example:
    >>> sorted(WRITERS)[:3]
    ['generic', 'generic-nl', 'jira-csv']
    >>> default_names("ssc")["generic-nl"], SAMPLE_NAMES["generic-nl"]
    ('ssc-events-nl.csv', 'generic-events-nl.csv')
"""

from __future__ import annotations

from ssc_mining.simulate.exports.base import ExportWriter
from ssc_mining.simulate.exports.generic import GenericWriter
from ssc_mining.simulate.exports.generic_nl import GenericNlWriter
from ssc_mining.simulate.exports.jira import JiraCsvWriter, JiraJsonWriter
from ssc_mining.simulate.exports.servicenow import (
    ServiceNowAuditWriter,
    ServiceNowHistoryWriter,
    ServiceNowSnapshotWriter,
)
from ssc_mining.simulate.exports.topdesk import TopdeskHistoryWriter, TopdeskSnapshotWriter
from ssc_mining.simulate.exports.xes import XesWriter

WRITERS: dict[str, type[ExportWriter]] = {
    "generic": GenericWriter,
    "generic-nl": GenericNlWriter,
    "topdesk": TopdeskSnapshotWriter,
    "topdesk-history": TopdeskHistoryWriter,
    "servicenow": ServiceNowSnapshotWriter,
    "servicenow-history": ServiceNowHistoryWriter,
    "servicenow-audit": ServiceNowAuditWriter,
    "jira-json": JiraJsonWriter,
    "jira-csv": JiraCsvWriter,
    "xes": XesWriter,
}
FORMATS = tuple(WRITERS)

_SUFFIXES = {
    "generic": "events.csv", "generic-nl": "events-nl.csv", "topdesk": "topdesk-export.csv",
    "topdesk-history": "topdesk-history.csv", "servicenow": "servicenow-snapshot.csv",
    "servicenow-history": "servicenow-history.csv", "servicenow-audit": "servicenow-sys_audit.csv",
    "jira-json": "jira-changelog.json", "jira-csv": "jira-changelog.csv", "xes": "events.xes.gz",
    "truth-csv": "truth.csv", "truth-json": "truth.json", "people": "people.csv",
}

#: the names used in ``data/samples/``
SAMPLE_NAMES = {
    "generic": "generic-events.csv", "generic-nl": "generic-events-nl.csv", "topdesk": "topdesk-export.csv",
    "topdesk-history": "topdesk-history.csv", "servicenow": "servicenow-incidents.csv",
    "servicenow-history": "servicenow-history.csv", "servicenow-audit": "servicenow-sys_audit.csv",
    "jira-json": "jira-changelog.json", "jira-csv": "jira-changelog.csv", "xes": "events.xes.gz",
    "truth-csv": "ground-truth.csv", "truth-json": "ground-truth.json", "people": "people.csv",
}


def default_names(prefix: str) -> dict[str, str]:
    """File name per format (and ``truth-csv`` / ``truth-json`` / ``people``): ``<prefix>-<suffix>``."""
    return {key: f"{prefix}-{suffix}" for key, suffix in _SUFFIXES.items()}


__all__ = ["WRITERS", "FORMATS", "SAMPLE_NAMES", "default_names", "ExportWriter"]
