"""Limits on one input file, and plain messages for the errors reading can meet.

Real exports stay far below the defaults; they exist so that a hostile or broken
file (a decompression bomb, a runaway export) ends with a clear message instead
of exhausting memory. Each limit can be changed with a CLI option or an
environment variable (``0`` switches it off):

* bytes once unpacked: ``--max-input-size`` / ``SSC_MINING_MAX_INPUT_SIZE``, default 2 GiB;
* rows (records): ``--max-rows`` / ``SSC_MINING_MAX_ROWS``, default 20,000,000;
* characters in one cell: ``--max-cell-chars`` / ``SSC_MINING_MAX_CELL_CHARS``, default 10,000;
* packing ratio (unpacked / packed bytes): ``--max-ratio`` / ``SSC_MINING_MAX_RATIO``, default 200;
* the memory a report on the input is estimated to need: ``--max-memory`` / ``SSC_MINING_MAX_MEMORY``, by
  default what the machine has available (:mod:`ssc_mining.loaders.footprint`).

Cells longer than the cell limit are cut (``…``) and counted in the notes; the
other limits stop reading as soon as they are passed. The packing ratio
(unpacked / packed bytes) is checked once more than 64 MiB came out.

Example:
    >>> parse_size("2GiB"), parse_size("500 MB"), parse_size("1048576")
    (2147483648, 500000000, 1048576)
    >>> with using(max_rows=10):
    ...     current().max_rows
    10
    >>> import pandas as pd, numpy as np
    >>> frame = pd.DataFrame({"note": ["short", "x" * 20]})
    >>> cap_cells(frame, 8, np.array([2, 3]))
    ["1 value longer than 8 characters was cut to 8 (first: row 3, column 'note'); --max-cell-chars raises the limit"]
    >>> frame["note"].tolist()
    ['short', 'xxxxxxx…']
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import errno
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ssc_mining.errors import ConfigError, FormatError, InputError, SSCMiningError
from ssc_mining.i18n import N_

__all__ = ["RATIO_GRACE", "GiB", "Limits", "cap_cells", "chosen_member", "current", "explain", "nested_to_text",
           "parse_size", "using"]

GiB = 1 << 30
_MAX_NESTED_KEYS = 1_000
#: unpacked bytes after which the packing ratio is checked (smaller inputs are never refused for it)
RATIO_GRACE = 64 << 20

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


@dataclass(frozen=True)
class Limits:
    """What one input may hold; 0 means no limit."""

    max_input_bytes: int = 2 * GiB
    max_rows: int = 20_000_000
    max_cell_chars: int = 10_000
    max_ratio: float = 200.0
    #: the memory a report on one input may be estimated to need (see :mod:`ssc_mining.loaders.footprint`);
    #: -1: what the machine has available when reading starts
    max_memory: int = -1

    #: the option and environment variable of each limit
    OPTIONS: ClassVar[dict[str, tuple[str, str]]] = {
        "max_input_bytes": ("--max-input-size", "SSC_MINING_MAX_INPUT_SIZE"),
        "max_rows": ("--max-rows", "SSC_MINING_MAX_ROWS"),
        "max_cell_chars": ("--max-cell-chars", "SSC_MINING_MAX_CELL_CHARS"),
        "max_ratio": ("--max-ratio", "SSC_MINING_MAX_RATIO"),
        "max_memory": ("--max-memory", "SSC_MINING_MAX_MEMORY")}

    def check_bytes(self, size: int, *, path: str | Path, what: str = "the file") -> None:
        """Raise :class:`InputError` when ``size`` unpacked bytes pass the limit."""
        if self.max_input_bytes and size > self.max_input_bytes:
            raise InputError(
                f"{what} is larger than {_size(self.max_input_bytes)} (unpacked), the limit for one input",
                path=path, hint=f"export a shorter period or fewer columns, or raise the limit with "
                                f"--max-input-size (or {self.OPTIONS['max_input_bytes'][1]})")

    def check_rows(self, rows: int, *, path: str | Path, at_least: bool = False) -> None:
        """Raise :class:`InputError` when ``rows`` (or, with ``at_least``, at least that many) pass the limit."""
        if self.max_rows and rows > self.max_rows:
            held = f"more than {self.max_rows:,} rows" if at_least else f"{rows:,} rows"
            raise InputError(f"the file holds {held}, more than the limit of {self.max_rows:,} for one input",
                             path=path, hint=f"export a shorter period, or raise the limit with --max-rows "
                                             f"(or {self.OPTIONS['max_rows'][1]})")

    def check_ratio(self, unpacked: int, packed: int, *, path: str | Path, what: str = "the file",
                    declared: bool = False) -> None:
        """Raise :class:`InputError` for a packing ratio typical of a decompression bomb.

        ``declared``: the sizes are the ones a zip directory states, not bytes unpacked so far.
        """
        if self.max_ratio and unpacked > RATIO_GRACE and unpacked > self.max_ratio * max(packed, 1):
            sizes = f"{_size(unpacked)} from {_size(packed)}{'' if declared else ' so far'}"
            raise InputError(
                f"{what} unpacks to more than {self.max_ratio:g} times its packed size ({sizes}); real exports "
                "pack at most about 140 times, so this looks like a decompression bomb and reading stopped",
                path=path, hint=f"if the file is genuine, raise the limit with --max-ratio "
                                f"(or {self.OPTIONS['max_ratio'][1]}; 0 switches it off)")


_OVERRIDES: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("ssc_mining_limits", default=None)


def current() -> Limits:
    """The limits in force: defaults, then environment variables, then :func:`using` (the CLI options)."""
    limits = Limits()
    for f in fields(Limits):
        name, env = f.name, Limits.OPTIONS[f.name][1]
        text = os.environ.get(env, "").strip()
        if text:
            try:
                value: Any = _parse(name, text)  # an int, or a float for max_ratio: the field's own type
                limits = replace(limits, **{name: value})
            except ValueError as err:
                raise ConfigError(f"the environment variable {env}={text!r} is not valid: {err}",
                                  hint="unset it, or give a number (0 = no limit); see `ssc-mining report --help`"
                                  ) from None
    given = {k: v for k, v in (_OVERRIDES.get() or {}).items() if k in Limits.OPTIONS and v is not None}
    return replace(limits, **given)


def chosen_member(default: str | None = None) -> str | None:
    """The archive member named with ``--member`` (see :func:`using`), else ``default``."""
    return (_OVERRIDES.get() or {}).get("member") or default


@contextlib.contextmanager
def using(**overrides: Any) -> Iterator[None]:
    """Read with these limits (``max_rows=…``; ``None`` keeps the current value) and ``member`` (the CLI's options)."""
    token = _OVERRIDES.set({**(_OVERRIDES.get() or {}), **{k: v for k, v in overrides.items() if v is not None}})
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


def parse_size(text: str) -> int:
    """Bytes from ``2GiB``, ``500 MB``, ``1.5G`` or a plain number."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"{text!r} is not a size; write e.g. 500MB, 2GiB or a number of bytes")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _parse(name: str, text: str) -> int | float:
    if name in ("max_input_bytes", "max_memory"):
        return parse_size(text)
    value = float(text) if name == "max_ratio" else int(text)
    if value < 0:
        raise ValueError("a limit cannot be negative")
    return value


def _size(n: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n):,} bytes"


def _fits(values: pd.Series, max_chars: int) -> bool:
    """True when no cell can be longer than ``max_chars`` characters: an Arrow text column whose longest cell
    has at most that many bytes (a character takes at least one byte). Other columns: not known (False)."""
    from ssc_mining.loaders.texts import arrow_texts, text_offsets  # pyarrow only when reading

    arrow = arrow_texts(values)
    # the longest cell's bytes from each piece's offsets (no array of lengths is made)
    return arrow is not None and all(not len(chunk) or int(np.diff(text_offsets(chunk)).max()) <= max_chars
                                     for chunk in arrow.chunks)


def cap_cells(frame: pd.DataFrame, max_chars: int, source_rows: np.ndarray) -> list[str]:
    """Cut text cells longer than ``max_chars`` to that length, ending in ``…``, in place; returns a note.

    Only text columns are looked at, with vectorised string lengths.
    """
    if not max_chars or frame.empty:
        return []
    cut, first = 0, None
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
            continue
        if _fits(values, max_chars):
            continue
        lengths = values.str.len() if values.dtype != object else values.map(
            lambda v: len(v) if isinstance(v, str) else 0)
        long = (lengths.fillna(0).to_numpy() > max_chars)
        if not long.any():
            continue
        cut += int(long.sum())
        if first is None:
            first = (int(source_rows[int(long.argmax())]), str(column))
        shortened = values[long].str.slice(0, max_chars - 1) + "…"
        frame[column] = values.where(~long, shortened)
    if not cut:
        return []
    assert first is not None
    text = (N_("%(n)s values longer than %(limit)s characters were cut to %(limit)s (first: row %(row)s, column "
               "%(column)s); --max-cell-chars raises the limit") if cut > 1 else
            N_("%(n)s value longer than %(limit)s characters was cut to %(limit)s (first: row %(row)s, column "
               "%(column)s); --max-cell-chars raises the limit"))
    return [text % {"n": f"{cut:,}", "limit": f"{max_chars:,}", "row": first[0], "column": repr(first[1])}]


def nested_to_text(frame: pd.DataFrame, *, expand_objects: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Objects in cells become dotted columns (``person.team.name``), lists JSON text; returns notes.

    Only columns of Python objects are looked at. Objects with more than 1,000 different keys in
    one column (or all objects, with ``expand_objects=False``) become JSON text too.

    >>> frame, notes = nested_to_text(pd.DataFrame({"id": ["1"], "who": [{"name": "Anna"}], "tags": [["a", "b"]]}))
    >>> frame.to_dict("records"), notes
    ([{'id': '1', 'tags': '["a", "b"]', 'who.name': 'Anna'}], ["objects in column 'who' were read as the columns \
'who.name'", "lists in column 'tags' were read as JSON text"])
    """
    notes: list[str] = []
    out = frame
    for column in [c for c in frame.columns if frame[c].dtype == object]:
        values = frame[column]
        is_dict = values.map(lambda v: isinstance(v, dict)).to_numpy(dtype=bool)
        is_list = values.map(lambda v: isinstance(v, (list, tuple))).to_numpy(dtype=bool)
        if not (is_dict.any() or is_list.any()):
            continue
        out = out.copy() if out is frame else out
        if is_list.any():
            values = values.where(~is_list, values[is_list].map(_json_text))
            notes.append(N_("lists in column %(column)s were read as JSON text") % {"column": repr(column)})
        keys: set[Any] = set().union(*values[is_dict].tolist()) if is_dict.any() else set()
        if is_dict.any() and (not expand_objects or len(keys) > _MAX_NESTED_KEYS):
            values = values.where(~is_dict, values[is_dict].map(_json_text))
            notes.append(N_("objects in column %(column)s were read as JSON text (they have %(n)s different keys)")
                         % {"column": repr(column), "n": f"{len(keys):,}"} if expand_objects else
                         N_("objects in column %(column)s were read as JSON text") % {"column": repr(column)})
        elif is_dict.any():
            records = [v if d else {} for v, d in zip(values.tolist(), is_dict)]
            wide = pd.DataFrame.from_records(records, index=out.index).add_prefix(f"{column}.")
            wide, deeper = nested_to_text(wide)
            wide = wide[[c for c in wide.columns if c not in out.columns]]
            notes.append(N_("objects in column %(column)s were read as the columns %(columns)s")
                         % {"column": repr(column), "columns": ", ".join(repr(c) for c in wide.columns)})
            notes.extend(n for n in deeper if "were read as the columns" not in n)
            out = pd.concat([out, wide], axis=1)
            values = values.where(~is_dict, None)
            if values.isna().all():
                out = out.drop(columns=column)
                continue
        out[column] = values
    return out, notes


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# --- plain messages for the exceptions that reading (or a whole command) can meet ------------------------------

_DAMAGED_HINT = "download or export the file again; the copy is probably incomplete or damaged"


def explain(err: BaseException, path: str | Path | None = None) -> SSCMiningError | None:
    """A clear :class:`SSCMiningError` for ``err`` (memory, disk, permissions, damaged or malformed files).

    Returns ``None`` for exceptions that are not about the input or the machine (those are bugs).

    >>> print(explain(PermissionError(13, "Permission denied", "x.csv")).message())
    x.csv: the file cannot be opened: permission denied
      What to do: check the file's permissions (or copy it to a folder of your own) and try again
    """
    where = str(path) if path is not None else None
    if isinstance(err, MemoryError):
        return InputError("there is not enough memory for this file (while reading or analysing it)", path=where,
                          hint="close other programs, run on a machine with more memory, or export a shorter "
                               "period; CSV and Parquet need less memory than XES or JSON")
    if isinstance(err, RecursionError):
        return FormatError("the data is nested too deeply to be handled (Python's recursion limit was reached)",
                           path=where, hint="export the tickets as a flat CSV, Excel or XES file; if it is one, run "
                                            "again with --debug and report the output")
    if isinstance(err, zipfile.BadZipFile):
        return FormatError(f"the zip archive (or Excel file) is damaged: {err}", path=where, hint=_DAMAGED_HINT)
    if isinstance(err, (EOFError, zlib.error)) or type(err).__name__ in ("BadGzipFile", "LZMAError"):
        return FormatError(f"the compressed file is damaged or incomplete: {err}", path=where, hint=_DAMAGED_HINT)
    if isinstance(err, csv.Error):
        return FormatError(f"the CSV cannot be parsed: {err}", path=where,
                           hint="check quoting, or give --delimiter and --encoding")
    if isinstance(err, UnicodeDecodeError):
        return FormatError(f"the text cannot be decoded as {err.encoding}", path=where,
                           hint="save the export as UTF-8 and try again, or give --encoding")
    if type(err).__module__ in ("lxml.etree", "xml.etree.ElementTree", "pyexpat", "xml.parsers.expat"):
        return FormatError(f"the file is not well-formed XML: {err}", path=where,
                           hint="export the log again; a cut-off download leaves the XML unclosed")
    if isinstance(err, OSError):
        return _explain_os_error(err, where)
    return None


def _explain_os_error(err: OSError, where: str | None) -> SSCMiningError:
    where = err.filename if err.filename is not None and where is None else where
    reason = (err.strerror or str(err) or type(err).__name__).rstrip(".")
    if "Invalid data stream" in str(err) or "Not a gzipped file" in str(err):  # bz2 / gzip
        return FormatError(f"the compressed file is damaged: {reason}", path=where, hint=_DAMAGED_HINT)
    hints = {
        errno.EACCES: "check the file's permissions (or copy it to a folder of your own) and try again",
        errno.EPERM: "check the file's permissions (or copy it to a folder of your own) and try again",
        errno.ENOENT: "check the path",
        errno.EISDIR: "name the export file itself, not its folder",
        errno.ENOSPC: "the disk is full: free space, or write to another folder; large packed inputs are "
                      "unpacked in the temporary folder (set TMPDIR to one with room)",
        errno.EROFS: "write the output to another folder (-o)",
    }
    what = "the file cannot be opened" if err.errno in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.EISDIR) \
        else "reading or writing failed"
    return InputError(f"{what}: {reason[:1].lower() + reason[1:]}", path=where,
                      hint=hints.get(err.errno or 0, "check the file, the disk and the folder, and try again"))

