"""ssc_mining — process mining for Shared Service Centre ticket data.

The public API, for scripts and plugins (everything else is private and may change):

* reading: :func:`load`, :class:`MappingSpec`
* the event log: :class:`EventLog`, :class:`Provenance`, :mod:`columns <ssc_mining.eventlog.columns>`
* semantics: :class:`Role`, :class:`State`, :class:`Semantics` (how labels and statuses were read)
* analysers: :class:`Analyser`, :func:`discover_analysers`, :func:`run_analysers`, :func:`case_table` (one row per
  case, computed once per log)
* results: :class:`Result`, :class:`Metric`, :class:`Table`, :class:`Column`, :class:`Finding`,
  :class:`Chart`, :class:`Graph`
* loader profiles: :class:`Profile`, :class:`ProfiledTable`
* presets: :class:`Preset`
* reports: :func:`write_report`, :class:`PrivacySettings`, :class:`RunContext` (the settings of one run)
* errors: :class:`SSCMiningError` and its subclasses
* texts: :func:`gettext` (``_``), :func:`ngettext`, :func:`format_number`, :func:`format_share`, :func:`join_texts`,
  :func:`fill`, :class:`Text` (texts written in a language when the report is)

Example:
    >>> import ssc_mining
    >>> log = ssc_mining.load("data/samples/generic-events.csv")
    >>> [r.status for r in ssc_mining.run_analysers(log, [ssc_mining.discover_analysers().analysers["variants"]()])]
    ['ok']
"""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("ssc-mining")
except importlib.metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

from ssc_mining.analysers import Analyser, AnalyserFailedError, run_analysers  # noqa: E402
from ssc_mining.analysers import discover as discover_analysers  # noqa: E402
from ssc_mining.analysers.case_table import case_table  # noqa: E402
from ssc_mining.analysers.presets import Preset  # noqa: E402
from ssc_mining.errors import (  # noqa: E402
    ConfigError,
    EmptyInputError,
    FormatError,
    InputError,
    MappingError,
    SSCMiningError,
    StrictModeError,
    TimestampError,
)
from ssc_mining.eventlog import EventLog, Provenance, columns  # noqa: E402
from ssc_mining.i18n import Text, fill, format_number, format_share, gettext, join_texts, ngettext  # noqa: E402
from ssc_mining.loaders import MappingSpec, load  # noqa: E402
from ssc_mining.loaders.profiles import Profile, ProfiledTable  # noqa: E402
from ssc_mining.privacy import PrivacySettings  # noqa: E402
from ssc_mining.report import write_report  # noqa: E402
from ssc_mining.results import Chart, Column, Finding, Graph, Metric, Result, Table  # noqa: E402
from ssc_mining.run_context import RunContext  # noqa: E402
from ssc_mining.semantics import Role, Semantics, State  # noqa: E402

__all__ = [
    "__version__",
    # reading and the event log
    "load", "MappingSpec", "EventLog", "Provenance", "columns",
    # semantics
    "Role", "State", "Semantics",
    # analysers and results
    "Analyser", "AnalyserFailedError", "discover_analysers", "run_analysers", "case_table", "Preset",
    "Result", "Metric", "Table", "Column", "Finding", "Chart", "Graph",
    # loader profiles
    "Profile", "ProfiledTable",
    # reports
    "write_report", "PrivacySettings", "RunContext",
    # errors
    "SSCMiningError", "InputError", "EmptyInputError", "FormatError", "MappingError", "TimestampError",
    "StrictModeError", "ConfigError",
    # texts
    "gettext", "ngettext", "format_number", "format_share", "join_texts", "fill", "Text",
]
