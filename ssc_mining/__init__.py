"""ssc_mining — process mining for Shared Service Centre ticket data.

Example:
    >>> import ssc_mining
    >>> isinstance(ssc_mining.__version__, str)
    True
"""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("ssc-mining")
except importlib.metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

from ssc_mining.errors import SSCMiningError  # noqa: E402
from ssc_mining.eventlog import EventLog, Provenance  # noqa: E402

__all__ = ["__version__", "EventLog", "Provenance", "SSCMiningError"]
