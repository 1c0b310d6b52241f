"""Read XES event logs (IEEE 1849), plain or packed, with pm4py's parser into a :class:`RawTable`.

Each event is one row; trace attributes come with pm4py's ``case:`` prefix.
The row number of an event is its position in the file (1 = first event).
Events without a ``time:timestamp`` are kept here and quarantined later with
that reason, like rows of any other file.

Gzip (or any other packing) is recognised from the bytes, not the name, and the
file is first streamed once through the limits (bytes, packing ratio, events
counted without parsing), so a decompression bomb or an oversized log stops
within seconds, before pm4py builds any event; then it is streamed into the
parser. External
entities are never resolved. ``<list>`` attributes become JSON text and nested
attributes keep their own value; both are noted.

Two parsers give the same table (``tests/test_xes_fast.py``): the fast reader
`r4pm <https://pypi.org/project/r4pm/>`_ (Rust, about five times faster, installed
where wheels exist) and pm4py's parser. The fast reader only ever gets the plain
bytes that passed the limits (spilled to a temporary file while they are counted),
and only when the file uses nothing it reads differently (see :mod:`ssc_mining.loaders.xes_fast`);
otherwise, when it is not installed, or when ``SSC_MINING_XES_READER=pm4py``, pm4py's
parser reads the file. A note in the provenance says which one did.

Example:
    >>> raw = read_xes("data/samples/events.xes.gz")
    >>> raw.rows_read
    3724
    >>> read_xes("data/samples/events.xes.gz", parser="pm4py").frame.equals(raw.frame)
    True
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssc_mining._pm4py import import_pm4py, quiet
from ssc_mining.errors import ConfigError, EmptyInputError, FormatError, SSCMiningError
from ssc_mining.i18n import N_
from ssc_mining.loaders import xes_fast
from ssc_mining.loaders.limits import Limits, current
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.unpack import open_unpacked

#: the parameters pm4py.read_xes passes to its default (lxml iterparse) importer and converter
_PM4PY_PARAMETERS = {"encoding": "utf-8", "return_legacy_log_object": False, "return_pl_lazyframe": False,
                     "show_progress_bar": False}
_EVENT_TAG = re.compile(rb"<event[\s/>]")
#: environment variable choosing the XES parser: ``auto`` (default: the fast reader when it can) or ``pm4py``
PARSER_ENV = "SSC_MINING_XES_READER"
PARSERS = ("auto", "pm4py", "r4pm")


def count_events(path: Path, *, member: str | None = None, limits: Limits | None = None) -> int:
    """Count the ``<event`` tags in one streaming pass, within the byte budget and the packing ratio.

    This pass (at the speed of unpacking, without parsing) stops a decompression bomb or an
    oversized log before pm4py builds a single event.
    """
    limits = limits or current()
    events, tail = 0, b""
    with open_unpacked(path, member=member, limits=limits) as plain:
        for block in iter(lambda: plain.read(1 << 20), b""):
            chunk = tail + block
            events += len(_EVENT_TAG.findall(chunk))  # the 6-byte tail never holds a whole tag: none counted twice
            tail = chunk[-6:]
            limits.check_rows(events, path=path, at_least=True)
    return events


def read_xes(path: str | Path, *, member: str | None = None, parser: str | None = None) -> RawTable:
    """Read an XES file (plain, gzip, bz2, xz, or the one XES file of a zip), quietly.

    ``parser`` is ``"auto"`` (the default, or :data:`PARSER_ENV`): the fast reader r4pm when it is
    installed and the file uses nothing it reads differently, else pm4py's parser; ``"pm4py"``
    always uses pm4py's parser; ``"r4pm"`` (for tests and benchmarks) raises
    :class:`~ssc_mining.loaders.xes_fast.NotFaithful` instead of falling back.
    """
    path = Path(path)
    limits = current()
    parser = _parser_choice(parser, path)
    reason = N_("XES read with pm4py's parser, as %(variable)s=pm4py asks") % {"variable": PARSER_ENV}
    if parser != "pm4py":
        reason = N_("XES read with pm4py's parser: the fast reader r4pm is not installed")
        if xes_fast.available():
            with tempfile.TemporaryDirectory(prefix="ssc-mining-xes-") as folder:
                try:
                    return _finish(*xes_fast.read(path, Path(folder), member=member, limits=limits),
                                   parser="r4pm", path=path, limits=limits)
                except xes_fast.NotFaithful as err:
                    if parser == "r4pm":
                        raise
                    reason = err.note  # limits passed; pm4py's parser reads it below
        elif parser == "r4pm":
            raise xes_fast.NotFaithful(reason)
    count_events(path, member=member, limits=limits)
    frame, note, details = _read_pm4py(path, member=member, limits=limits)
    return _finish(frame, [note] if note else [], details, reason, parser="pm4py", path=path, limits=limits)


def _parser_choice(parser: str | None, path: Path) -> str:
    choice = (parser or os.environ.get(PARSER_ENV, "") or "auto").strip().lower()
    if choice not in PARSERS:
        raise ConfigError(f"{PARSER_ENV}={choice!r} is not a known XES reader",
                          hint=f"use {PARSER_ENV}=auto (the fast reader when it can) or {PARSER_ENV}=pm4py")
    return choice


def _read_pm4py(path: Path, *, member: str | None, limits: Limits) -> tuple[pd.DataFrame, str | None, dict[str, Any]]:
    """pm4py's parser (lxml iterparse, entities never resolved) straight on the unpacked stream."""
    import_pm4py()  # slow import (≈1.5 s): only when an XES file is read
    from lxml import etree
    from pm4py.objects.conversion.log import converter as log_converter
    from pm4py.objects.log.importer.xes.variants import iterparse as xes_iterparse

    with open_unpacked(path, member=member, limits=limits) as plain:
        try:
            with quiet():
                context = etree.iterparse(io.BufferedReader(plain, 1 << 16), events=("start", "end"),
                                          resolve_entities=False, no_network=True, huge_tree=False)
                log = xes_iterparse.import_from_context(context, 0, parameters=_PM4PY_PARAMETERS)
                frame = log_converter.apply(log, variant=log_converter.Variants.TO_DATA_FRAME,
                                            parameters=_PM4PY_PARAMETERS)
        except (SSCMiningError, MemoryError, RecursionError, OSError, EOFError):
            raise  # limits passed; the machine or a damaged packing (explained by the caller)
        except Exception as err:  # lxml/pm4py raise many types for a broken file
            detail = " ".join(str(err).split())
            raise FormatError(f"the XES file cannot be read: {type(err).__name__}: {detail}", path=path,
                              hint="check that the file is a complete XES export (XML, optionally packed)") from None
        return frame, plain.note(), plain.details


def _finish(frame: pd.DataFrame | None, notes: list[str], details: dict[str, Any], reader_note: str, *,
            parser: str, path: Path, limits: Limits) -> RawTable:
    """The same last steps for both parsers: empty check, row limit, nested values, notes."""
    if frame is None or len(frame) == 0:
        raise EmptyInputError("the XES file holds no events", path=path, hint="export the log again")
    frame = frame.reset_index(drop=True)
    limits.check_rows(len(frame), path=path)
    notes = [*notes, reader_note, *_nested_values(frame)]
    return RawTable(frame=frame, source_rows=np.arange(1, len(frame) + 1, dtype=np.int64), reader="xes",
                    details={"row_numbering": "position of the event in the file (1 = first event)", **details,
                             "xes_parser": parser},
                    notes=notes)


def _nested_values(frame: pd.DataFrame) -> list[str]:
    """pm4py gives ``<list>`` and nested attributes as dicts: lists become JSON text, nested ones their value."""
    notes = []
    for column in [c for c in frame.columns if frame[c].dtype == object]:
        nested = frame[column].map(lambda v: isinstance(v, dict)).to_numpy(dtype=bool)
        if not nested.any():
            continue
        values = frame[column][nested]
        lists = values.map(lambda v: isinstance(v.get("children"), list)).to_numpy(dtype=bool)
        frame[column] = frame[column].where(~nested, values.map(_xes_value))
        if lists.any():
            notes.append(N_("XES list attribute %(column)s: %(n)s value(s) read as JSON text")
                         % {"column": repr(column), "n": f"{int(lists.sum()):,}"})
        if (~lists).any():
            notes.append(N_("XES attribute %(column)s: %(n)s value(s) had nested attributes, which were left out "
                            "(the value itself is kept)") % {"column": repr(column), "n": f"{int((~lists).sum()):,}"})
    return notes


def _xes_value(value: Any) -> Any:
    """The plain value of one pm4py attribute: a list as JSON text of ``{key: value}`` items."""
    if not isinstance(value, dict):
        return value
    children = value.get("children")
    if isinstance(children, list):
        return json.dumps([{key: _plain(item)} for key, item in children], ensure_ascii=False, default=str)
    return value.get("value")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        children = value.get("children")
        if isinstance(children, list):
            return [{key: _plain(item)} for key, item in children]
        return value.get("value")
    return value
