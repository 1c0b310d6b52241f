"""Import an export into a DuckDB database in batches, with the validation, quarantine and provenance of a direct
reading.

A CSV or Parquet export read by the generic profile is read in batches of ``batch_rows`` rows
(:mod:`ssc_mining.loaders.batches`); memory then depends on the batch, not on the file. Every batch goes through
:func:`~ssc_mining.loaders.build.build_event_log`, as a direct reading does, and its rows reconcile on their own
(rows read = used + set aside), as do the totals. What a direct reading decides on the whole file is decided on
the first batch and then applied to every later one, and recorded: the mapping, the profile, the format and
day/month order of each time column. A value that does not fit that format in a later batch is set aside (main
timestamp) or left empty and counted (other time columns), as in a direct reading. Whether an attribute is a
number, and what labels mean, are decided when the database is read, on the whole column.

Other exports (TOPdesk, ServiceNow and Jira profiles, Excel, JSON, XES, packed files) need the whole file to be
read; they are read whole, as for a report, and written to the database in one batch.

The database is written as ``<name>.partial`` and renamed when complete, so a failed import leaves no database
that looks whole.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> result = import_export("data/samples/generic-events.csv", db, batch_rows=2_000)
    >>> len(result.batches), result.provenance.reconciles(), all(b.reconciles() for b in result.batches)
    (2, True, True)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ssc_mining.errors import InputError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.inputs import InputFile
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import Provenance, SourceFile
from ssc_mining.i18n import N_
from ssc_mining.loaders.batches import LongerCells, read_batches, streamable
from ssc_mining.loaders.build import ReadOptions, build_event_log, unparseable_note
from ssc_mining.loaders.database import BatchFigures, EventStore
from ssc_mining.loaders.mapping import MappingSpec, resolve_mapping
from ssc_mining.loaders.profiles import detect_profile, get_profile
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.sniff import detect_kind
from ssc_mining.memory import release_unused

#: rows per batch unless asked otherwise: about 0.5 GB of working memory for a typical ticket export
BATCH_ROWS = 1_000_000
_SUMMED = ("values", "unparseable", "missing", "dst_gap_shifted", "dst_repeated_first")


@dataclass
class ImportResult:
    """What an import wrote: the database, the provenance of the whole import and each batch's figures."""

    database: Path
    provenance: Provenance
    batches: list[BatchFigures] = field(default_factory=list)
    #: True when the export was read in batches; False when it had to be read whole
    streamed: bool = True


def import_export(path: str | Path, database: str | Path, spec: MappingSpec | None = None, *,
                  batch_rows: int = BATCH_ROWS, strict: bool = False, replace: bool = False,
                  on_batch: Callable[[BatchFigures], None] | None = None,
                  inputs: Sequence[InputFile] | None = None) -> ImportResult:
    """Read the export at ``path`` in batches into a new DuckDB database at ``database``.

    ``on_batch`` is called with each batch's figures as it is written; ``inputs`` are the other files that go into
    the import (a mapping file, a people directory; a list that a recording fills while it reads), kept in its
    provenance. Raises an
    :class:`~ssc_mining.errors.InputError` when the database exists (unless ``replace``).
    """
    path, database = Path(path), Path(database)
    spec = spec or MappingSpec()
    if batch_rows < 1:
        raise InputError(f"--batch-rows must be at least 1, not {batch_rows}")
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a file", path=path, hint="name the export file itself")
    if database.exists() and not replace:
        raise InputError("the database already exists", path=database,
                         hint="give another --db, or --replace to write it again")
    if database.exists() and database.resolve() == path.resolve():
        raise InputError("the database would overwrite the export", path=database, hint="give another --db")
    partial = database.with_name(database.name + ".partial")
    kind = detect_kind(path)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssc-mining-hash") as pool:
        hashed = pool.submit(SourceFile.of, path)
        block = None
        while True:
            _remove(partial)
            store = EventStore(partial, inputs=inputs)
            try:
                result = None
                if streamable(kind) and not spec.member:
                    result = _streamed(path, kind, spec, store, batch_rows=batch_rows, strict=strict,
                                       source=hashed.result, on_batch=on_batch, block=block)
                if result is None:
                    result = _whole(path, spec, store, batch_rows=batch_rows, strict=strict, on_batch=on_batch)
                break
            except LongerCells as longer:   # a value longer than a parser block: again, with bigger blocks
                store.close()
                block = longer.block
            except BaseException:
                store.close()
                _remove(partial)
                raise
    os.replace(partial, database)
    result.database = database
    return result


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _streamed(path: Path, kind: str, spec: MappingSpec, store: EventStore, *, batch_rows: int, strict: bool,
              source: Callable[[], SourceFile], on_batch: Callable[[BatchFigures], None] | None,
              block: int | None) -> ImportResult | None:
    """Read ``path`` in batches into ``store``; None when the export needs a profile that reads the whole file."""
    from ssc_mining.loaders import mapping_origin

    extra = {"block": block} if block else {}
    batches: Iterator[RawTable] = read_batches(path, kind, rows=batch_rows, encoding=spec.encoding,
                                               delimiter=spec.delimiter, **extra)
    first = next(batches)
    if spec.profile:
        chosen, detection = get_profile(spec.profile), f"--profile {spec.profile}"
    else:
        chosen, detection = detect_profile(first)
    if chosen.name not in ("csv", "parquet") or chosen.to_events(first, spec) is not None:
        return None   # a ticket system's profile: it reads the whole file
    mapping = resolve_mapping(spec, [str(c) for c in first.frame.columns], path=path)
    options = ReadOptions(dayfirst=spec.dayfirst, timestamp_format=spec.timestamp_format,
                          timezone=spec.timezone or "Europe/Amsterdam", strict=strict, numbers=False)
    result: ImportResult | None = None
    for number, raw in enumerate(chain([first], batches), start=1):
        rows = [int(raw.source_rows.min()), int(raw.source_rows.max())] if len(raw.source_rows) else []
        rows += [r.source_row for r in raw.rejected if r.source_row is not None]
        log = build_event_log(raw, mapping, source=source(), options=options, profile=chosen.name,
                              profile_detection=detection, mapping_source=mapping_origin(spec, mapping),
                              semantics=spec.semantics)
        provenance = log.provenance
        provenance.notes = provenance.notes[:len(provenance.notes) - len(log.semantics.notes)] \
            if log.semantics and log.semantics.notes else provenance.notes
        figures = BatchFigures(number, min(rows), max(rows), provenance.rows_read, provenance.rows_used,
                               provenance.rows_quarantined, provenance.events)
        store.add(log.frame, log.quarantine, raw.set_aside_by_case, figures)
        if result is None:
            result = ImportResult(Path(), provenance, [figures], streamed=True)
            _fix_decisions(options, provenance, mapping)
        else:
            _add(result.provenance, provenance)
            result.batches.append(figures)
        if on_batch:
            on_batch(figures)
        del log, raw
        release_unused()
    assert result is not None
    result.provenance.events = sum(b.events for b in result.batches)
    if len(result.batches) > 1:
        opening = result.batches[0]
        result.provenance.notes.append(
            N_("read in %(n)s batches of up to %(rows)s rows; the time columns' formats and day/month order were "
               "decided on the first batch (rows %(first)s–%(last)s) and applied to every later batch")
            % {"n": f"{len(result.batches):,}", "rows": f"{batch_rows:,}", "first": f"{opening.first_row:,}",
               "last": f"{opening.last_row:,}"})
    store.finish(result.provenance, overrides=spec.semantics, fixed={}, fixed_by="", batch_rows=batch_rows)
    return result


def _fix_decisions(options: ReadOptions, provenance: Provenance, mapping: dict[str, str]) -> None:
    """Read every later batch as the first one was read: the same format and day/month order per time column."""
    main = provenance.timestamps["timestamp"]
    if main["format"] != "typed":
        options.timestamp_format, options.dayfirst = main["format"], main["dayfirst"]
    options.time_formats = {role: provenance.timestamps[role]["format"] if role in provenance.timestamps else None
                            for role in mapping if role in C.TIME_ROLES and role != "timestamp"}


def _add(total: Provenance, batch: Provenance) -> None:
    """Add a later batch's counts, reasons, time decisions' counts and new notes to the import's provenance."""
    total.rows_read += batch.rows_read
    total.rows_used += batch.rows_used
    total.rows_quarantined += batch.rows_quarantined
    for reason, n in batch.quarantine_reasons.items():
        total.quarantine_reasons[reason] = total.quarantine_reasons.get(reason, 0) + n
    total.quarantine_reasons = dict(sorted(total.quarantine_reasons.items()))
    for reason, n in batch.rows_skipped.items():
        total.rows_skipped[reason] = total.rows_skipped.get(reason, 0) + n
    notes = list(batch.notes)
    for role, decision in batch.timestamps.items():
        kept = total.timestamps.get(role)
        if kept is None:
            continue
        if role != "timestamp" and decision.get("unparseable"):   # counted once, for the whole file
            notes.remove(unparseable_note(decision))
            note = unparseable_note(kept) if kept.get("unparseable") else None
        for key in _SUMMED:
            kept[key] = kept.get(key, 0) + decision.get(key, 0)
        examples = kept.setdefault("examples_unparseable", [])
        examples.extend(e for e in decision.get("examples_unparseable", []) if e not in examples)
        del examples[5:]
        if role != "timestamp" and decision.get("unparseable"):
            if note in total.notes:
                total.notes[total.notes.index(note)] = unparseable_note(kept)
            else:
                total.notes.append(unparseable_note(kept))
    total.notes.extend(note for note in notes if note not in total.notes)


def _whole(path: Path, spec: MappingSpec, store: EventStore, *, batch_rows: int, strict: bool,
           on_batch: Callable[[BatchFigures], None] | None) -> ImportResult:
    """Read the whole export (a profile, or a format that is not streamed) and write it as one batch."""
    from ssc_mining.loaders import load

    log: EventLog = load(path, spec, strict=strict)
    provenance = log.provenance
    semantics = log.semantics
    if semantics is not None:
        provenance.notes = [n for n in provenance.notes if n not in semantics.notes]
    rows = [int(log.frame[C.SOURCE_ROW].min()), int(log.frame[C.SOURCE_ROW].max())] if log.n_events else []
    rows += [int(r) for r in log.quarantine["source_row"].dropna()]
    figures = BatchFigures(1, min(rows, default=0), max(rows, default=0), provenance.rows_read,
                           provenance.rows_used, provenance.rows_quarantined, provenance.events)
    flagged = None
    if C.ROWS_SET_ASIDE in log.frame.columns:   # already counted over the whole file: kept per case
        per_case = log.frame.groupby(C.CASE, sort=False)[C.ROWS_SET_ASIDE].first()
        flagged = per_case[per_case > 0]
    store.add(log.frame, log.quarantine, flagged, figures)
    if on_batch:
        on_batch(figures)
    readings = (*semantics.activities, *semantics.statuses) if semantics is not None else ()
    fixed = {r.value: r.role.value for r in readings if r.source == "profile"}
    fixed_by = next((r.rule for r in readings if r.source == "profile"), "")
    store.finish(provenance, overrides=spec.semantics, fixed=fixed, fixed_by=fixed_by, batch_rows=batch_rows)
    return ImportResult(Path(), provenance, [figures], streamed=False)
