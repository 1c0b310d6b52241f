"""Export every table of a report to CSV files and one XLSX workbook.

Text cells and column headers that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed
with ``'`` (OWASP ASVS 5.0 V1.2.10); such a sheet name gets ``_`` in front
(Excel allows no ``'`` there). Control characters become U+FFFD. In the XLSX
every text cell, headers included, is written as a string, never as a formula.
Only the tables the report shows are exported, after the privacy safeguards
were applied.

Example:
    >>> from ssc_mining.results import Column, Result, Table
    >>> r = Result("demo", "Demo", items=[Table("t", "T", [Column("=a")], [["=1+1"]])])
    >>> [(name, list(frame.columns), frame.iloc[0, 0]) for name, frame in tables_of([r])]
    [('demo-t', ["'=a"], "'=1+1")]
    >>> sheet_name("=cmd|'/C calc'!A0", set())
    "_=cmd|'_C calc'!A0"
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from ssc_mining._io import atomic_write_bytes, atomic_write_text, clean_text, is_formula, safe_frame
from ssc_mining.results import Result, Table


def tables_of(results: list[Result]) -> list[tuple[str, pd.DataFrame]]:
    """(name, neutralised frame) for every table item of every successful result, in report order."""
    out = []
    for result in results:
        if result.status != "ok":
            continue
        for item in result.items:
            if isinstance(item, Table):
                frame = item.to_frame()
                frame.columns = [c.label or c.name for c in item.columns]
                out.append((f"{result.analyser}-{item.key}", safe_frame(frame)))
    return out


def export_tables(results: list[Result], out_dir: Path, stem: str) -> list[Path]:
    """Write ``STEM.tables/NAME.csv`` per table and ``STEM.tables.xlsx``; returns the paths written."""
    tables = tables_of(results)
    if not tables:
        return []
    folder = out_dir / f"{stem}.tables"
    paths = []
    files: set[str] = set()
    for name, frame in tables:
        path = folder / f"{_file_name(name, files)}.csv"
        atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))
        paths.append(path)
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables:
            sheet = sheet_name(name, used)
            frame.to_excel(writer, sheet_name=sheet, index=False)
            for row in writer.sheets[sheet].iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # text, headers included: never a formula
        book = writer.book
        fixed = pd.Timestamp("2000-01-01").to_pydatetime()
        book.properties.created = fixed
        book.properties.modified = fixed
        book.properties.creator = "ssc_mining"
    xlsx = out_dir / f"{stem}.tables.xlsx"
    atomic_write_bytes(xlsx, _fixed_zip_times(buffer.getvalue()))
    paths.append(xlsx)
    return paths


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip (an .xlsx) with fixed entry times, so the same tables give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def _file_name(name: str, used: set[str]) -> str:
    """A file name for a table: letters, digits, ``. _ -`` only, not starting with a dot, unique."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")[:100] or "table"
    candidate, i = base, 1
    while candidate.lower() in used:
        i += 1
        candidate = f"{base}-{i}"
    used.add(candidate.lower())
    return candidate


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters), guarded like a cell; recorded in ``used``."""
    base = re.sub(r"[\[\]:*?/\\\t\r\n]", "_", clean_text(name))
    if is_formula(base) or base.startswith("'"):
        base = "_" + base
    base = base[:28].rstrip("'") or "table"
    candidate, i = base, 1
    while candidate.lower() in used:  # Excel compares sheet names without case
        i += 1
        candidate = f"{base[:26]}-{i}"
    used.add(candidate.lower())
    return candidate
