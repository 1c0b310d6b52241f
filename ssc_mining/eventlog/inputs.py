"""Every file that went into a run, identified exactly, so an auditor can trace a figure to all of its inputs.

The export itself is the provenance's ``source``. Everything else that can change a figure is an
**input** with a role: the mapping file, a people directory or users file, ServiceNow's side tables,
a reference model, plugin files. Readers call :func:`record_input` when they open such a file; a
command collects them with :func:`recording`. Outside a recording, :func:`record_input` does nothing,
so library use stays free of side effects.

A secret (the pseudonym key file) is recorded by role and name only, never hashed: even a hash of a
key should not leave the machine in a report.

Example:
    >>> from pathlib import Path
    >>> with recording() as inputs:
    ...     record_input("mapping file", Path("data/samples/README.md"))
    >>> [(i.role, i.source.name, len(i.source.sha256)) for i in inputs]
    [('mapping file', 'README.md', 64)]
    >>> record_input("mapping file", Path("data/samples/README.md"))   # not recording: nothing happens
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssc_mining.eventlog.provenance import SourceFile
from ssc_mining.i18n import N_

_RECORDING: ContextVar[list[InputFile] | None] = ContextVar("ssc_mining_inputs", default=None)


@dataclass(frozen=True)
class InputFile:
    """One input besides the export: what it is for, and the file (name, size, SHA-256; no hash for a secret)."""

    role: str
    source: SourceFile

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.source.name, "size": self.source.size,
                "sha256": self.source.sha256}


def record_input(role: str, path: str | Path, *, secret: bool = False) -> None:
    """Note that ``path`` was read as ``role`` (when a command is recording; once per role and file)."""
    found = _RECORDING.get()
    if found is None:
        return
    path = Path(path)
    source = (SourceFile(name=path.name, size=path.stat().st_size, sha256=N_("not recorded: secret")) if secret
              else SourceFile.of(path))
    entry = InputFile(role, source)
    if entry not in found:
        found.append(entry)


@contextmanager
def recording() -> Iterator[list[InputFile]]:
    """Collect the inputs read inside the block, in the order they were read."""
    found: list[InputFile] = []
    token = _RECORDING.set(found)
    try:
        yield found
    finally:
        _RECORDING.reset(token)
