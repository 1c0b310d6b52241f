"""An imported export as a DuckDB database: written batch by batch, read back as an event log.

``ssc-mining import`` (:func:`ssc_mining.loaders.importer.import_export`) writes the database; ``report``,
``analyse`` and ``discover`` read it as they read an export (:func:`ssc_mining.loaders.load` recognises it from
its first bytes). Its tables:

* ``events``: the events that passed validation, with the canonical columns (``case:concept:name``,
  ``concept:name``, ``time:timestamp`` in UTC, ``ssc:source_row``, the other mapped roles) and the export's
  other columns, as the loaders make them; ``case:ssc:rows_set_aside`` when a ticket lost rows to the
  quarantine, counted over all batches;
* ``quarantine``: every row set aside, with its row number in the export, the reasons and the raw values;
* ``batches``: per batch, its first and last row and rows read = used + set aside;
* ``meta``: the layout's version, the provenance of the import (the export's SHA-256, size, row counts,
  decisions, notes, tool versions) and the meaning given to labels (``[semantics]``, a profile's fixed roles).

Attribute columns are kept as text when the import read in batches; whether a column is a number is decided
when the database is read, on the whole column, as for a direct report. Labels are read (semantics) on the
whole log at that time too, so a report from the database equals a report from the export.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.importer import import_export
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> result = import_export("data/samples/generic-events.csv", db, batch_rows=20_000)
    >>> log = read_database(db)
    >>> log.n_events == result.provenance.events, log.provenance.reconciles()
    (True, True)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ssc_mining.errors import ConfigError, FormatError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.inputs import InputFile, record_input
from ssc_mining.eventlog.log import EventLog, sort_events
from ssc_mining.eventlog.provenance import Provenance, SourceFile, tool_versions
from ssc_mining.i18n import N_
from ssc_mining.loaders.build import maybe_number
from ssc_mining.loaders.mapping import MappingSpec
from ssc_mining.semantics.reading import read_semantics

#: the layout written by this version; a database of another layout is refused with a clear message
LAYOUT = "ssc-mining events 1"
_MAGIC = b"DUCK"
#: DuckDB's own memory while an import writes (its cache of written blocks)
_IMPORT_MEMORY = "512MB"
#: what the meta table holds (see :meth:`EventStore.finish`)
_META_KEYS = ("layout", "provenance", "semantics", "fixed_semantics", "fixed_by", "batch_rows", "objects")


def is_database(head: bytes) -> bool:
    """True when a file's first bytes are those of a DuckDB database.

    >>> is_database(b"\\x00" * 8 + b"DUCK" + b"\\x00" * 4), is_database(b"case,activity")
    (True, False)
    """
    return head[8:12] == _MAGIC


@dataclass(frozen=True)
class BatchFigures:
    """One batch of an import: its rows in the export and how they reconcile."""

    number: int
    first_row: int
    last_row: int
    rows_read: int
    rows_used: int
    rows_quarantined: int
    events: int

    def reconciles(self) -> bool:
        return self.rows_read == self.rows_used + self.rows_quarantined


class EventStore:
    """A new database, filled batch by batch (:meth:`add`) and closed with the import's provenance
    (:meth:`finish`)."""

    def __init__(self, path: Path, *, inputs: Sequence[InputFile] | None = None) -> None:
        self.path = path
        #: the other files that go into the import (filled while it reads), kept in its provenance
        self.inputs = inputs if inputs is not None else []
        self.connection = duckdb.connect(str(path))
        self.connection.execute("SET enable_progress_bar = false")
        self.connection.execute("SET TimeZone = 'UTC'")
        # DuckDB keeps written blocks cached up to 80 % of memory by default; an import only appends, so a small
        # cache keeps its memory flat (the batch, not the database, sets it)
        self.connection.execute(f"SET memory_limit = '{_IMPORT_MEMORY}'")
        self._columns: list[str] | None = None
        self._objects: list[str] = []
        self.connection.execute("CREATE TABLE quarantine (source_row BIGINT, reason VARCHAR, raw VARCHAR)")
        self.connection.execute('CREATE TABLE set_aside ("case" VARCHAR, "rows" BIGINT)')
        self.connection.execute("CREATE TABLE batches (number INTEGER, first_row BIGINT, last_row BIGINT, "
                                "rows_read BIGINT, rows_used BIGINT, rows_quarantined BIGINT, events BIGINT)")
        self.connection.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")

    def add(self, events: pd.DataFrame, quarantine: pd.DataFrame, set_aside: pd.Series | None,
            figures: BatchFigures) -> None:
        """Append one batch: its events (without the per-batch set-aside flag), quarantine and figures."""
        kept = events.drop(columns=[C.ROWS_SET_ASIDE], errors="ignore")
        table = pa.Table.from_pandas(kept, preserve_index=False)
        con = self.connection
        con.register("batch_events", table)
        try:
            if self._columns is None:
                con.execute("CREATE TABLE events AS SELECT * FROM batch_events")
                self._columns = list(kept.columns)
                # text columns a profile makes as Python objects come back as such (the analysers see the same)
                self._objects = [c for c in kept.columns if kept[c].dtype == object]
            else:
                if set(kept.columns) != set(self._columns):
                    raise FormatError(f"batch {figures.number} has other columns than the first batch",
                                      hint="export the file again; its columns change within the file")
                con.execute("INSERT INTO events BY NAME SELECT * FROM batch_events")
        finally:
            con.unregister("batch_events")
        if len(quarantine):
            part = pa.table({"source_row": pa.array(quarantine["source_row"].astype("int64"), pa.int64()),
                             "reason": pa.array(quarantine["reason"].astype(str), pa.string()),
                             "raw": pa.array(quarantine["raw"].astype(str), pa.string())})
            con.register("batch_quarantine", part)
            con.execute("INSERT INTO quarantine SELECT * FROM batch_quarantine")
            con.unregister("batch_quarantine")
        if set_aside is not None and len(set_aside):
            part = pa.table({"case": pa.array(set_aside.index.astype(str), pa.string()),
                             "rows": pa.array(set_aside.to_numpy(dtype="int64"), pa.int64())})
            con.register("batch_set_aside", part)
            con.execute("INSERT INTO set_aside SELECT * FROM batch_set_aside")
            con.unregister("batch_set_aside")
        con.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)", list(asdict(figures).values()))

    def finish(self, provenance: Provenance, *, overrides: dict[str, Any], fixed: dict[str, str], fixed_by: str,
               batch_rows: int) -> None:
        """Flag tickets that lost rows in any batch, write the meta table and close the database."""
        con = self.connection
        if self._columns is None:
            raise FormatError("no batch was written", hint="the export holds no rows")
        lost = con.execute("SELECT count(*) FROM set_aside").fetchone()
        if lost and lost[0]:
            flag = C.ROWS_SET_ASIDE
            con.execute(f'ALTER TABLE events ADD COLUMN "{flag}" BIGINT DEFAULT 0')
            con.execute(f'UPDATE events SET "{flag}" = s.n FROM (SELECT "case", sum("rows") AS n FROM set_aside '
                        f'GROUP BY "case") s WHERE events."{C.CASE}" = s."case"')
        provenance.inputs = [i.to_dict() for i in self.inputs] + provenance.inputs
        meta = {"layout": LAYOUT, "provenance": provenance.to_dict(), "semantics": overrides,
                "fixed_semantics": fixed, "fixed_by": fixed_by, "batch_rows": batch_rows, "objects": self._objects}
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [[key, json.dumps(value, ensure_ascii=False, default=str)]
                         for key, value in meta.items()])
        con.execute("CHECKPOINT")
        self.close()

    def close(self) -> None:
        self.connection.close()


#: reading options that were applied when the export was imported (they cannot change afterwards)
_READING_OPTIONS = ("columns", "dayfirst", "timestamp_format", "timezone", "delimiter", "encoding", "profile",
                    "member", "profile_options")


def read_database(path: str | Path, spec: MappingSpec | None = None, *, strict: bool = False) -> EventLog:
    """The event log of a database written by ``ssc-mining import``, with the import's provenance and quarantine.

    ``spec`` may bring ``[semantics]`` (read instead of the import's) and a calendar; reading options (columns,
    timestamps, time zone, encoding, profile) were applied by the import and are refused here.
    """
    path = Path(path)
    spec = spec or MappingSpec()
    refuse_reading_options(spec, path)
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        raise FormatError(f"the DuckDB database cannot be opened: {err}", path=path,
                          hint="is another program writing it? Otherwise import the export again") from None
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.execute("SET TimeZone = 'UTC'")
        meta = read_meta(connection, path)
        table = connection.sql("SELECT * FROM events").to_arrow_table()
        quarantine = connection.sql("SELECT source_row, reason, raw FROM quarantine ORDER BY source_row, reason") \
            .to_arrow_table().to_pandas()
    finally:
        connection.close()
    record_input(N_("imported database"), path)
    frame = table.to_pandas(split_blocks=True, self_destruct=True)   # each column freed once converted
    del table
    for column in meta["objects"]:
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    # the export's other columns (not a role, nor a time column kept as text): numbers decided on the whole column
    roles = {*C.ROLES.values(), C.SOURCE_ROW, C.ROWS_SET_ASIDE, *meta["provenance"]["mapping"].values()}
    decimal = None
    for column in frame.columns:
        if column in roles:
            continue
        frame[column], found = maybe_number(frame[column])
        decimal = decimal or found
    events = sort_events(frame, consume=True)
    quarantine = quarantine.astype({"source_row": "Int64", "reason": object, "raw": object})   # as a reading makes it
    flagged = int(events.loc[events[C.ROWS_SET_ASIDE] > 0, C.CASE].nunique()) \
        if C.ROWS_SET_ASIDE in events.columns else 0
    provenance = provenance_of(meta["provenance"], events=len(events), decimal=decimal,
                               cases_with_rows_set_aside=flagged)
    provenance.notes.append(N_("read from the database %(name)s, written by ssc-mining import")
                            % {"name": path.name})
    reading = read_semantics(events, overrides=spec.semantics or meta["semantics"],
                             fixed=meta["fixed_semantics"], fixed_by=meta["fixed_by"])
    provenance.notes.extend(reading.notes)
    log = EventLog(frame=events, provenance=provenance, quarantine=quarantine, semantics=reading)
    if strict and len(quarantine):
        from ssc_mining.errors import StrictModeError

        first = quarantine.iloc[0]
        raise StrictModeError(
            f"{len(quarantine):,} rows were quarantined on import (first: row {first['source_row']}: "
            f"{first['reason']})", path=provenance.source.name,
            hint="fix the rows listed and import again, or run without --strict")
    return log


def refuse_reading_options(spec: MappingSpec, path: Path) -> None:
    """Raise :class:`ConfigError` when ``spec`` holds reading options: the import applied them already."""
    given = [name for name in _READING_OPTIONS if getattr(spec, name)]
    if given:
        raise ConfigError(f"{path.name} is an imported database; its columns and values were read by the import, "
                          f"so these options cannot apply: {', '.join(given)}", path=path,
                          hint="give them to 'ssc-mining import' and import the export again")


def read_meta(connection: duckdb.DuckDBPyConnection, path: Path, *, table: str = "meta") -> dict[str, Any]:
    """The meta table of a database from ``ssc-mining import`` (checked: its layout and keys)."""
    try:
        rows = connection.execute(f"SELECT key, value FROM {table}").fetchall()
    except duckdb.Error:
        raise FormatError("this DuckDB database was not written by 'ssc-mining import' (it has no meta table)",
                          path=path, hint="give the export itself, or import it with 'ssc-mining import'") from None
    meta = {key: json.loads(value) for key, value in rows}
    if meta.get("layout") != LAYOUT:
        raise FormatError(f"the database has the layout {meta.get('layout')!r}; this version reads {LAYOUT!r}",
                          path=path, hint="import the export again with this version of ssc-mining")
    missing = sorted(set(_META_KEYS) - set(meta))
    if missing:
        raise FormatError(f"the database's meta table lacks {', '.join(missing)}: the import did not finish, or "
                          "an earlier build wrote it", path=path, hint="import the export again")
    return meta


def provenance_of(data: dict[str, Any], *, events: int, decimal: str | None,
                  cases_with_rows_set_aside: int) -> Provenance:
    """The import's provenance for the events read back: the same source, counts and decisions; this run's tool
    versions (with a note when the import was made with others)."""
    names = {f.name for f in fields(Provenance)}
    values = {key: value for key, value in data.items() if key in names}
    values["source"] = SourceFile(**values["source"])
    imported_with = values.pop("versions", {})
    provenance = Provenance(**values)
    provenance.decimal = provenance.decimal or decimal
    provenance.events = events
    provenance.cases_with_rows_set_aside = cases_with_rows_set_aside
    now = tool_versions()
    changed = sorted(name for name in now if imported_with.get(name) not in (None, now[name]))
    if changed:
        provenance.notes.append(N_("imported with other versions of %(names)s")
                                % {"names": ", ".join(f"{n} {imported_with[n]}" for n in changed)})
    return provenance
