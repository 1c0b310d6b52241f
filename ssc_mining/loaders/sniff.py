"""Sniffing: what kind of file this is, its text encoding and CSV delimiter.

Decisions are taken on evidence and reported, never guessed in silence.

Example:
    >>> detect_delimiter("Case;Activity;Time\\n1;Open;01-02-2024 10:00\\n")
    ';'
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from ssc_mining.errors import EmptyInputError, FormatError

DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 24


def detect_kind(path: Path) -> str:
    """Return ``csv``, ``json``, ``xlsx``, ``xes``, ``xes.gz`` or ``parquet`` from the file's first bytes.

    Raises :class:`EmptyInputError` for an empty file and :class:`FormatError`
    for binary data that is none of these.
    """
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise EmptyInputError("the file is empty (0 bytes)", path=path,
                              hint="export the tickets again; the file has no content")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\x1f\x8b"):
        return "xes.gz"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError("the file is encoded as UTF-16, which is not supported", path=path,
                          hint="save or export it again as UTF-8 (CSV UTF-8 in Excel)")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        if b"<log" in head or b"xes" in head.lower():
            return "xes"
        raise FormatError("the file is XML or HTML but not an XES event log", path=path,
                          hint="export the log as CSV, Excel (.xlsx) or XES")
    if stripped.startswith((b"[", b"{")):
        return "json"
    if b"\x00" in head or _control_share(head) > 0.05:
        raise FormatError("the file holds binary data, not text", path=path,
                          hint="give a CSV, Excel (.xlsx), XES or Parquet export of the tickets")
    return "csv"


def _control_share(data: bytes) -> float:
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 13))
    return controls / max(len(data), 1)


def detect_encoding(path: Path) -> str:
    """Return ``utf-8-sig``, ``utf-8`` or ``cp1252`` after checking the whole file.

    The file is decoded in 16 MiB blocks, so memory stays flat.
    """
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "cp1252"):
        return "cp1252"
    raise FormatError("the text is neither UTF-8 nor Windows-1252 (cp1252)", path=path,
                      hint="save the export as UTF-8 and try again")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(_CHUNK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_head(path: Path, encoding: str, limit: int = 1 << 20) -> str:
    """The first ``limit`` bytes of the file as text (a partial last character is dropped)."""
    with path.open("rb") as handle:
        data = handle.read(limit)
    text = data.decode(encoding, errors="ignore")
    if "\n" not in text and "\r" not in text and path.stat().st_size > limit:
        raise FormatError(
            f"the first line is longer than {limit:,} bytes with no line break; "
            "a CSV export has a header row and one row per event",
            path=path, hint="check that this is the right file, exported as CSV with one row per line")
    return text


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most, and most consistent, fields."""
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if not lines:
        raise EmptyInputError("the file holds only blank lines", hint="export the tickets again")
    sample = "\n".join(lines)
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        rows = list(csv.reader(io.StringIO(sample), delimiter=delim))
        widths = [len(r) for r in rows if r]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = consistent * 1000 + widths[0]
        if score > best_score:
            best, best_score = delim, score
    return best
