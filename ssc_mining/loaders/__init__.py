"""Loaders: from an export file to a canonical :class:`~ssc_mining.eventlog.EventLog`.

The file's kind (CSV, JSON, Excel, XES, Parquet, and any of them packed as
.zip, .gz, .bz2 or .xz) is recognised from its bytes, not its name. Reading
keeps to the limits of :mod:`ssc_mining.loaders.limits`. Columns are mapped
from options, a TOML mapping file, or proposed from the column names.

Example:
    >>> from ssc_mining.loaders import load, MappingSpec
    >>> log = load("data/samples/generic-events.csv")
    >>> log.provenance.rows_read == log.provenance.rows_used + log.provenance.rows_quarantined
    True
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ssc_mining.errors import FormatError, InputError, MappingError, SSCMiningError
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import SourceFile
from ssc_mining.i18n import N_
from ssc_mining.loaders.build import ReadOptions, build_event_log
from ssc_mining.loaders.csv_reader import read_csv
from ssc_mining.loaders.footprint import check_memory
from ssc_mining.loaders.limits import cap_cells, chosen_member, current, explain, nested_to_text
from ssc_mining.loaders.mapping import MappingSpec, propose_mapping, resolve_mapping
from ssc_mining.loaders.profiles import available_profiles, detect_profile, get_profile
from ssc_mining.loaders.profiles.jsonfile import read_json
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.sniff import PACKED, detect_kind
from ssc_mining.loaders.table_readers import read_excel, read_parquet
from ssc_mining.loaders.unpack import peek_kind, spill
from ssc_mining.loaders.xes_reader import read_xes
from ssc_mining.memory import release_unused

__all__ = ["load", "read_raw", "MappingSpec", "ReadOptions", "propose_mapping", "RawTable", "available_profiles"]


def read_raw(path: str | Path, spec: MappingSpec | None = None) -> RawTable:
    """Read any supported file into a raw table of its own columns.

    Every error a damaged, hostile or unreadable file (or a full disk, too little
    memory) can cause ends as an :class:`~ssc_mining.errors.SSCMiningError`.
    """
    spec = spec or MappingSpec()
    return _read_raw(Path(path), spec, spec.profile)


def _read_raw(path: Path, spec: MappingSpec, profile: str | None) -> RawTable:
    try:
        raw = _read_any(path, spec)
        if raw.reader == "json" and _generic(raw, profile):
            raw.frame, notes = nested_to_text(raw.frame)
            raw.notes.extend(notes)
    except SSCMiningError:
        raise
    except Exception as err:  # only the exceptions explain() knows are turned into messages
        clear = explain(err, path)
        if clear is None:
            raise
        raise clear from err
    raw.details.setdefault("path", str(path))  # profiles look for side files next to it
    return raw


def _read_any(path: Path, spec: MappingSpec) -> RawTable:
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a file", path=path, hint="name the export file itself")
    limits = current()
    member = chosen_member(spec.member)
    kind = detect_kind(path)
    check_memory(path, kind, ceiling=limits.max_memory,
                 inner=peek_kind(path, member=member) if kind in PACKED else None)
    if kind not in PACKED:
        limits.check_bytes(path.stat().st_size, path=path)
        raw = _read_kind(path, kind, spec)
        if member:
            raw.notes.append(N_("member %(member)s was not used: the file is not a zip archive")
                             % {"member": repr(member)})
    elif peek_kind(path, member=member) == "xes":
        raw = read_xes(path, member=member)  # streamed into the parser, no temporary copy
    else:
        with tempfile.TemporaryDirectory(prefix="ssc-mining-") as folder:
            plain = spill(path, Path(folder), member=member, limits=limits)
            shown = f"{path} ({plain.details['member']})" if plain.details.get("member") else str(path)
            try:
                inner = detect_kind(plain.path)
                if inner in PACKED:
                    raise FormatError(f"the file inside is packed again ({inner})", hint="unpack it once, and give "
                                      "the export itself or a single packing (.zip, .gz, .bz2 or .xz)")
                raw = _read_kind(plain.path, inner, spec)
            except SSCMiningError as err:
                if err.path in (None, str(plain.path)):
                    err.path = shown
                raise
        raw.details.update(plain.details)
        if plain.note:
            raw.notes.insert(0, plain.note)
    limits.check_rows(raw.rows_read, path=path)
    raw.notes.extend(cap_cells(raw.frame, limits.max_cell_chars, raw.source_rows))
    return raw


def _read_kind(path: Path, kind: str, spec: MappingSpec) -> RawTable:
    if kind == "csv":
        return read_csv(path, encoding=spec.encoding, delimiter=spec.delimiter)
    if kind == "json":
        return read_json(path)
    if kind == "xlsx":
        return read_excel(path)
    if kind == "parquet":
        return read_parquet(path)
    return read_xes(path)


def mapping_origin(spec: MappingSpec, mapping: dict[str, str]) -> str:
    """Where the roles of ``mapping`` came from, for the provenance: given (options or mapping file) or proposed.

    >>> mapping_origin(MappingSpec(), {"case": "Nr", "activity": "Act", "timestamp": "Time"})
    'proposed from the column names: activity, case, timestamp'
    """
    proposed = ", ".join(sorted(role for role in mapping if role not in spec.columns))
    given = _given_by(spec.source) if spec.columns else ""
    if given and proposed:
        return N_("given by %(given)s; the others proposed from the column names: %(roles)s") \
            % {"given": given, "roles": proposed}
    if given:
        return N_("given by %(given)s") % {"given": given}
    return N_("proposed from the column names: %(roles)s") % {"roles": proposed} if proposed else ""


def _generic(raw: RawTable, profile: str | None) -> bool:
    """True when the generic profile will read ``raw`` (so nested JSON values must become columns or text)."""
    name = profile or detect_profile(raw)[0].name
    return name in ("csv", "xes")


def load(
    path: str | Path,
    spec: MappingSpec | None = None,
    *,
    profile: str | None = None,
    timezone: str | None = None,
    strict: bool = False,
) -> EventLog:
    """Read ``path`` into a canonical event log with provenance and quarantine.

    ``profile`` names a loader profile (``csv``, ``xes``, ``topdesk``, …); by
    default it is detected from the columns, and the detection is recorded.
    """
    path = Path(path)
    spec = spec or MappingSpec()
    if is_database(path):   # written by `ssc-mining import`: read as it was imported
        from ssc_mining.loaders.database import read_database

        check_memory(path, "duckdb", ceiling=current().max_memory)
        return read_database(path, spec, strict=strict)
    try:
        log = _load(path, spec, profile or spec.profile, timezone=timezone, strict=strict)
    except SSCMiningError:
        raise
    except Exception as err:  # only the exceptions explain() knows are turned into messages
        clear = explain(err, path)
        if clear is None:
            raise
        raise clear from err
    release_unused()   # the parser's working tables: about half the frame's size again on a large export
    return log


def is_database(path: Path) -> bool:
    """True when ``path`` is a DuckDB database (its first bytes); False for anything else, also a missing file."""
    from ssc_mining.loaders.database import is_database as database_head

    try:
        with path.open("rb") as handle:
            return database_head(handle.read(16))
    except OSError:
        return False   # the reading that follows explains it


def _load(path: Path, spec: MappingSpec, profile: str | None, *, timezone: str | None, strict: bool) -> EventLog:
    # the file is hashed while it is parsed: hashing lets go of the interpreter's lock
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssc-mining-hash") as pool:
        hashed = pool.submit(SourceFile.of, path)
        return _load_hashed(path, spec, profile, timezone=timezone, strict=strict, source=hashed.result)


def _load_hashed(path: Path, spec: MappingSpec, profile: str | None, *, timezone: str | None, strict: bool,
                 source: Callable[[], SourceFile]) -> EventLog:
    raw = _read_raw(path, spec, profile)
    if profile:
        chosen, detection = get_profile(profile), f"--profile {profile}"
    else:
        chosen, detection = detect_profile(raw)
    profiled = chosen.to_events(raw, spec)
    if profiled is None:  # the generic reading: nested JSON values become columns or text (if not done yet)
        raw.frame, notes = nested_to_text(raw.frame)
        raw.notes.extend(notes)
    options = ReadOptions(dayfirst=spec.dayfirst, timestamp_format=spec.timestamp_format,
                          timezone=timezone or spec.timezone or "Europe/Amsterdam", strict=strict)
    try:
        if profiled is not None:
            options.timestamp_format = options.timestamp_format or profiled.timestamp_format
            options.dayfirst = options.dayfirst if options.dayfirst is not None else profiled.dayfirst
            profiled.raw.notes.extend(profiled.notes)
            mapping, origin = _with_given_columns(profiled.mapping, profiled.raw, spec, chosen.name, path)
            return build_event_log(profiled.raw, mapping, source=source(), options=options,
                                   profile=chosen.name, profile_detection=detection, mapping_source=origin,
                                   semantics=spec.semantics, fixed_semantics=profiled.semantics)
        mapping = resolve_mapping(spec, [str(c) for c in raw.frame.columns], path=path)
        origin = mapping_origin(spec, mapping)
        return build_event_log(raw, mapping, source=source(), options=options,
                               profile=chosen.name, profile_detection=detection, mapping_source=origin,
                               semantics=spec.semantics)
    except InputError as err:
        if err.path is None:
            err.path = str(path)
        raise


def _with_given_columns(fixed: dict[str, str], raw: RawTable, spec: MappingSpec, profile: str,
                        path: Path) -> tuple[dict[str, str], str]:
    """A profile's column mapping with the columns the user gave applied on top; never silently ignored.

    A given column must exist in the table the profile made (its columns are the export's, or the names
    the profile gave them); otherwise the run stops and says which columns the profile offers.
    """
    if not spec.columns:
        return fixed, N_("columns fixed by the %(profile)s profile") % {"profile": profile}
    columns = [str(c) for c in raw.frame.columns]
    unknown = {role: column for role, column in spec.columns.items() if column not in columns}
    if unknown:
        first_role, first_column = sorted(unknown.items())[0]
        raise MappingError(
            f"the {profile} profile reads this export, and its table has no column {first_column!r} "
            f"(given for {first_role})", path=path, column=first_column,
            hint=f"name one of the profile's columns ({', '.join(columns[:12])}{', …' if len(columns) > 12 else ''})"
                 ", or read the file as a plain table with --profile csv and map every column yourself")
    mapping = {**fixed, **spec.columns}
    roles = ", ".join(sorted(spec.columns))
    return mapping, N_("columns fixed by the %(profile)s profile; given by %(given)s: %(roles)s") % {
        "profile": profile, "given": _given_by(spec.source), "roles": roles}


def _given_by(source: str) -> str:
    """Where the mapping given by the user came from, as recorded in the notes."""
    if source == "options":
        return N_("the column options")
    name = source.removeprefix("mapping file ")
    return N_("the mapping file %(name)s") % {"name": name} if name != source else source
