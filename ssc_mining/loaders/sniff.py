"""Sniffing: what kind of file this is (from its bytes), its text encoding and CSV delimiter.

Decisions are taken on evidence and reported, never guessed in silence.

Example:
    >>> detect_delimiter("Case;Activity;Time\\n1;Open;01-02-2024 10:00\\n")
    ';'
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

from ssc_mining.errors import EmptyInputError, FormatError

DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 24


#: kinds that hold another file: unpacked first (see :mod:`ssc_mining.loaders.unpack`)
PACKED = ("gzip", "bz2", "xz", "zip")

#: first bytes of formats that are refused, with what to do instead
_REFUSED = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or another Office 97-2003) file",
     "open it in Excel and save it as .xlsx or CSV"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it, or pack the export as .zip or .gz"),
    (b"Rar!\x1a\x07", "a RAR archive", "unpack it, or pack the export as .zip or .gz"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard (.zst) file", "unpack it, or pack the export as .gz or .xz"),
)


def detect_kind(path: Path) -> str:
    """Return ``csv``, ``json``, ``xlsx``, ``xes``, ``parquet``, or a packing (``gzip``, ``bz2``, ``xz``, ``zip``).

    Decided from the file's first bytes, never its name; a zip archive is an
    Excel workbook when it holds ``[Content_Types].xml`` and ``xl/workbook.xml``.
    Raises :class:`EmptyInputError` for an empty file and :class:`FormatError`
    for data that is none of these.
    """
    with path.open("rb") as handle:
        head = handle.read(8192)
    kind = kind_of(head, path)
    return _zip_kind(path) if kind == "zip" else kind


def kind_of(head: bytes, path: Path | str | None = None) -> str:
    """The kind of a file from its first bytes (``zip`` for any zip archive, Excel or not).

    >>> kind_of(b"\\x1f\\x8b\\x08\\x00"), kind_of(b"case;activity\\n"), kind_of(b'<?xml version="1.0"?><log>')
    ('gzip', 'csv', 'xes')
    """
    if not head:
        raise EmptyInputError("the file is empty (0 bytes)", path=path,
                              hint="export the tickets again; the file has no content")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[:3] == b"BZh" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bz2"
    for magic, what, hint in _REFUSED:
        if head.startswith(magic):
            raise FormatError(f"the file is {what}, which cannot be read", path=path, hint=hint)
    if len(head) > 262 and head[257:262] == b"ustar":
        raise FormatError("the file is a tar archive, which cannot be read", path=path,
                          hint="unpack it, or pack the one export file as .zip or .gz")
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


def _zip_kind(path: Path) -> str:
    """``xlsx`` for an Excel workbook, ``zip`` for any other zip archive (its members are read)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            with archive.open("mimetype") if "mimetype" in names else io.BytesIO() as member:
                mimetype = member.read(100)
    except zipfile.BadZipFile as err:
        raise FormatError(f"the file starts like a zip archive (or an Excel .xlsx) but is damaged: {err}",
                          path=path, hint="download or export it again; the copy is incomplete or damaged") from None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    office = {"word/document.xml": "a Word document", "ppt/presentation.xml": "a PowerPoint presentation"}
    for part, what in office.items():
        if part in names:
            raise FormatError(f"the file is {what}, not an export of tickets", path=path,
                              hint="give a CSV, Excel (.xlsx), XES or Parquet export of the tickets")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise FormatError("the file is an OpenDocument file (.ods), which cannot be read", path=path,
                          hint="save the sheet as .xlsx or CSV")
    return "zip"


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


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """Split ``text`` with the csv module; a field may be as long as the text (beyond its 128 KiB default).

    >>> csv_rows('a;"b\\nc"\\n' + "x" * 200_000 + ";y\\n", ";")[1][1]
    'y'
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    finally:
        csv.field_size_limit(old)


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most, and most consistent, fields."""
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if not lines:
        raise EmptyInputError("the file holds only blank lines", hint="export the tickets again")
    sample = "\n".join(lines)
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        rows = csv_rows(sample, delim)
        widths = [len(r) for r in rows if r]
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = consistent * 1000 + widths[0]
        if score > best_score:
            best, best_score = delim, score
    return best
