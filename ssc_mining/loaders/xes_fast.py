"""The fast XES reader: r4pm (Rust), only on checked bytes, only where it reads like pm4py's parser.

:func:`read` streams the file once through the limits (bytes, packing ratio,
events counted), writing the plain bytes to a temporary file as they pass; r4pm
reads that file, never the input itself, so it sees nothing the limits did not.
The same pass looks for what r4pm reads differently from pm4py's parser, and
:class:`NotFaithful` sends the file to pm4py's parser instead:

* a ``DOCTYPE`` or ``ENTITY`` declaration (pm4py's parser refuses entities; r4pm would not),
  an encoding other than UTF-8, a file that does not end with ``</log>``;
* ``<list>``, ``<container>``, ``<id>`` attributes, nested attributes inside traces,
  prefixed (namespaced) tags, event keys starting with ``case:``, ``<global>`` after the first trace
  (the ``<global>`` defaults before it are left out of the copy: r4pm fills missing values with
  them, pm4py does not);
* any value r4pm reports it cannot parse (it writes 0, ``false`` or no date where pm4py
  leaves the attribute out), types mixed within a key, a key without a value;
* another number of events than ``<event`` tags counted, text with a tab or line break
  (XML turns literal ones in attribute values into spaces; r4pm keeps them), an
  invalid UTF-8 byte, a value over 10 MB (pm4py's parser refuses it).

Otherwise the table is made the same as pm4py's: columns in the order in which
pm4py meets them, its dtypes, timestamps as UTC instants.

Known difference that is not checked: an event or trace repeating one key (which
XES does not allow) keeps the first value here and the last in pm4py.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.limits import current
    >>> frame, notes, details, note = read(Path("data/samples/events.xes.gz"), Path(tempfile.mkdtemp()),
    ...                                    limits=current())
    >>> len(frame), note.startswith("XES read with the fast reader r4pm")
    (3724, True)
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining.i18n import N_
from ssc_mining.loaders.limits import Limits
from ssc_mining.loaders.unpack import open_unpacked

#: longest value lxml reads without ``huge_tree`` (XML_MAX_TEXT_LENGTH)
MAX_VALUE_BYTES = 10_000_000
_BLOCK = 1 << 20
_TAIL = 64
_EVENT_TAG = re.compile(rb"<event[\s/>]")
#: what r4pm reads differently anywhere in the file, with the name given in the note
_ANYWHERE = re.compile(rb"<!DOCTYPE|<!ENTITY|<list[\s/>]|<container[\s/>]|<id[\s/>]|<[A-Za-z_][\w.-]*:")
#: ... and inside the traces (log-level metadata often has nested attributes, which no reader puts in the table)
_IN_TRACES = re.compile(rb"</(?:string|date|int|float|boolean)\s*>|key\s*=\s*[\"']case:|<global[\s/>]")
_GLOBAL = re.compile(rb"<global[\s>].*?</global\s*>|<global[^>]*/>", re.DOTALL)
_MAX_HEADER = 64 << 20
_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([^\"']*)[\"']")
_FEATURES = {b"<!DOCTYPE": "<!DOCTYPE>", b"<!ENTITY": "<!ENTITY>", b"<list": "<list>", b"<container": "<container>",
             b"<id": "<id>", b"</": "nested attributes", b"key": 'key="case:…"',
             b"<g": "<global> inside the traces"}


class NotFaithful(Exception):
    """The fast reader would not give what pm4py's parser gives; ``note`` says why (for the provenance)."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@functools.cache
def available() -> bool:
    """True when r4pm and polars import (wheels exist for the platform)."""
    try:
        import polars  # noqa: F401
        import r4pm.df  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    try:
        return importlib.metadata.version("r4pm")
    except importlib.metadata.PackageNotFoundError:
        return "?"


@dataclass
class Scan:
    """What one pass over the plain bytes found."""

    events: int = 0
    feature: str | None = None
    unpack_note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def scan(path: Path, target: Path, *, member: str | None, limits: Limits) -> Scan:
    """Count events within the limits and look for what r4pm reads differently; copy the bytes to ``target``.

    The ``<global>`` defaults are left out of the copy: r4pm fills missing values with them (a
    missing timestamp would become 1970), pm4py does not. The copy stops (and is removed) as soon
    as something r4pm reads differently is found; the counting goes on, so the limits are checked
    as they always are.
    """
    found = Scan()
    out: Any = target.open("wb")
    tail, first, last = b"", True, b""
    header: bytes | None = b""   # the part before the first <trace> (globals are left out of it); None once written
    try:
        with open_unpacked(path, member=member, limits=limits) as plain:
            for block in iter(lambda: plain.read(_BLOCK), b""):
                chunk = tail + block
                found.events += sum(1 for m in _EVENT_TAG.finditer(chunk) if m.end() > len(tail))
                limits.check_rows(found.events, path=path, at_least=True)
                if first:
                    found.feature, first = _header_problem(chunk), False
                if found.feature is None:
                    found.feature = _feature(chunk, header is None)
                if out is not None and found.feature is None:
                    if header is None:
                        out.write(block)
                    else:
                        header += block
                        at = header.find(b"<trace")
                        if at >= 0:
                            out.write(_GLOBAL.sub(b"", header[:at]) + header[at:])
                            header = None
                        elif len(header) > _MAX_HEADER:
                            found.feature = "a header over 64 MiB"
                if out is not None and found.feature is not None:
                    out.close()
                    target.unlink()
                    out = None
                tail = chunk[-_TAIL:]
                last = (last + block)[-_TAIL:]
            found.unpack_note, found.details = plain.note(), plain.details
            if out is not None and header:
                out.write(_GLOBAL.sub(b"", header))
    finally:
        if out is not None:
            out.close()
    if found.feature is None and not last.rstrip().endswith(b"</log>"):
        found.feature = "an end other than </log>"
    return found


def _header_problem(chunk: bytes) -> str | None:
    if chunk.startswith(b"\xef\xbb\xbf"):
        return "a byte-order mark"
    declared = _ENCODING.search(chunk[:1024])
    if declared and declared.group(1).strip().lower() not in (b"utf-8", b"utf8"):
        return f'encoding="{declared.group(1).decode("ascii", "replace")}"'
    return None


def _feature(chunk: bytes, in_traces: bool) -> str | None:
    hit = _ANYWHERE.search(chunk)
    if hit:
        return _FEATURES.get(hit.group(0).rstrip(b" \t\r\n/>"), "prefixed tags")
    start = 0 if in_traces else chunk.find(b"<trace")
    if start >= 0:
        hit = _IN_TRACES.search(chunk, start)
        if hit:
            return _FEATURES[hit.group(0)[:2] if hit.group(0).startswith((b"</", b"<g")) else b"key"]
    return None


def read(path: Path, folder: Path, *, member: str | None = None, limits: Limits
         ) -> tuple[pd.DataFrame, list[str], dict[str, Any], str]:
    """Read ``path`` with r4pm as pm4py's parser would: (frame, unpacking notes, details, reader note).

    Raises :class:`NotFaithful` (after the limits were checked) when pm4py's parser must read it.
    """
    target = folder / "log.xes"
    found = scan(path, target, member=member, limits=limits)
    if found.feature is None and found.events == 0:   # nothing to read fast; pm4py's parser says what is wrong
        found.feature = "no <event> at all"
    if found.feature is not None:
        raise NotFaithful(N_("XES read with pm4py's parser: the file uses %(feature)s, which the fast reader "
                             "does not read the same way") % {"feature": found.feature})
    import polars as pl
    import r4pm.df

    with _captured_output() as said:
        try:
            data, _meta = r4pm.df.import_xes(str(target))
        except BaseException as err:  # a Rust panic is a BaseException; pm4py's parser explains the file
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            said.append(" ".join(str(err).split())[:200])
            data = None
    problem = said[0] if said else _frame_problem(data, found.events, pl)
    if problem is not None:
        raise NotFaithful(N_("XES read with pm4py's parser: the fast reader did not read every value the same "
                             "way (%(detail)s)") % {"detail": problem})
    frame = _as_pm4py(data, target, pl)
    note = N_("XES read with the fast reader r4pm %(version)s") % {"version": version()}
    return frame, [found.unpack_note] if found.unpack_note else [], found.details, note


@contextlib.contextmanager
def _captured_output() -> Iterator[list[str]]:
    """What the Rust code writes to the standard output and error (it reports unparsable values there)."""
    lines: list[str] = []
    with tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield lines
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            text = sink.read(4096).decode("utf-8", "replace").strip()
            if text:
                lines.insert(0, " ".join(text.split())[:200])


def _frame_problem(data: Any, events: int, pl: Any) -> str | None:
    """Why r4pm's table may differ from pm4py's, or ``None``."""
    if data.height != events:
        return f"{data.height:,} events read, {events:,} <event> tags counted"
    for name, dtype in data.schema.items():
        if dtype == pl.String:
            column = data.get_column(name)
            if column.str.contains(r"[\t\n\r\x{FFFD}]").any():
                return f"tab, line break or invalid UTF-8 in {name!r}"
            longest = column.str.len_bytes().max()
            if longest is not None and longest > MAX_VALUE_BYTES:
                return f"a value of {name!r} is over 10 MB"
        elif not (dtype in (pl.Int64, pl.Float64, pl.Boolean) or isinstance(dtype, pl.Datetime)):
            return f"{name!r} read as {dtype}"
    return None


def _as_pm4py(data: Any, plain: Path, pl: Any) -> pd.DataFrame:
    """r4pm's table with pm4py's column order and dtypes (timestamps in UTC)."""
    data = data.select(_pm4py_order(data, plain, pl))
    frame = data.to_pandas()
    for name, dtype in data.schema.items():
        if isinstance(dtype, pl.Datetime):
            values = frame[name]
            values = values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")
            frame[name] = values.astype("datetime64[us, UTC]")
        elif dtype == pl.Boolean and frame[name].dtype == object:
            frame[name] = frame[name].where(frame[name].notna(), np.nan)  # pm4py: True/False/NaN
    return frame


def _pm4py_order(data: Any, plain: Path, pl: Any) -> list[str]:
    """Columns as pandas meets them in pm4py's events: by first event, its own keys, then its trace's keys."""
    first = data.select(pl.all().is_not_null().arg_max()).row(0, named=True)
    groups: dict[tuple[int, bool], list[str]] = {}
    for name, row in first.items():
        groups.setdefault((row, name.startswith("case:")), []).append(name)
    needed = {row for (row, _case), names in groups.items() if len(names) > 1}
    keys = _keys_of_events(plain, needed) if needed else {}
    order: list[str] = []
    for (row, case), names in sorted(groups.items()):
        if len(names) > 1:
            own, trace = keys[row]
            within = {key: i for i, key in enumerate(["case:" + k for k in trace] if case else own)}
            names = sorted(names, key=lambda n: within.get(n, len(within)))
        order += names
    return order


_TOKEN = re.compile(rb"<trace[\s>]|</trace\s*>|<event[\s/>]|</event\s*>|\bkey\s*=\s*\"([^\"]*)\"")


def _keys_of_events(plain: Path, rows: set[int]) -> dict[int, tuple[list[str], list[str]]]:
    """For the events at ``rows`` (0-based): their keys and their trace's keys, in file order.

    Streams the plain file up to the end of the trace of the last event needed (it holds no nested
    attributes here, so every key outside an event is a trace key).
    """
    found: dict[int, tuple[list[str], list[str]]] = {}
    last, event, in_event = max(rows), -1, False
    own: list[str] = []
    trace: list[str] = []
    pending: list[int] = []
    carry = b""
    with plain.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            text = carry + block
            cut = text.rfind(b"<")  # tokens before the last tag are whole
            cut = len(text) if cut < 0 else cut
            text, carry = text[:cut], text[cut:]
            for match in _TOKEN.finditer(text):
                token = match.group(0)
                if token.startswith(b"<trace"):
                    trace, pending = [], []
                elif token.startswith(b"</trace"):
                    for row in pending:
                        found[row] = (found[row][0], list(trace))
                    if event >= last:
                        return found
                elif token.startswith(b"<event"):
                    event += 1
                    in_event, own = not token.endswith(b"/"), []
                    if event in rows:
                        found[event] = ([], [])
                        pending.append(event)
                elif token.startswith(b"</event"):
                    in_event = False
                    if event in rows:
                        found[event] = (own, found[event][1])
                else:
                    (own if in_event else trace).append(match.group(1).decode("utf-8", "replace"))
    return found
