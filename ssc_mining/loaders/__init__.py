"""Loaders: from an export file to a canonical :class:`~ssc_mining.eventlog.EventLog`.

The file's kind (CSV, JSON, Excel, XES, XES.gz, Parquet) is recognised from its
first bytes, not its name. Columns are mapped from options, a TOML mapping
file, or proposed from the column names.

Example:
    >>> from ssc_mining.loaders import load, MappingSpec
    >>> log = load("data/samples/generic-events.csv")
    >>> log.provenance.rows_read == log.provenance.rows_used + log.provenance.rows_quarantined
    True
"""

from __future__ import annotations

from pathlib import Path

from ssc_mining.errors import InputError
from ssc_mining.eventlog.log import EventLog
from ssc_mining.eventlog.provenance import SourceFile
from ssc_mining.loaders.build import ReadOptions, build_event_log
from ssc_mining.loaders.csv_reader import read_csv
from ssc_mining.loaders.mapping import MappingSpec, propose_mapping, resolve_mapping
from ssc_mining.loaders.profiles import available_profiles, detect_profile, get_profile
from ssc_mining.loaders.profiles.jsonfile import read_json
from ssc_mining.loaders.raw import RawTable
from ssc_mining.loaders.sniff import detect_kind
from ssc_mining.loaders.table_readers import read_excel, read_parquet
from ssc_mining.loaders.xes_reader import read_xes

__all__ = ["load", "read_raw", "MappingSpec", "ReadOptions", "propose_mapping", "RawTable", "available_profiles"]


def read_raw(path: str | Path, spec: MappingSpec | None = None) -> RawTable:
    """Read any supported file into a raw table of its own columns."""
    path = Path(path)
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.is_dir():
        raise InputError("this is a folder, not a file", path=path, hint="name the export file itself")
    spec = spec or MappingSpec()
    kind = detect_kind(path)
    if kind == "csv":
        raw = read_csv(path, encoding=spec.encoding, delimiter=spec.delimiter)
    elif kind == "json":
        raw = read_json(path)
    elif kind == "xlsx":
        raw = read_excel(path)
    elif kind == "parquet":
        raw = read_parquet(path)
    else:
        raw = read_xes(path)
    raw.details.setdefault("path", str(path))  # profiles look for side files next to it
    return raw


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
    profile = profile or spec.profile
    raw = read_raw(path, spec)
    if profile:
        chosen, detection = get_profile(profile), f"--profile {profile}"
    else:
        chosen, detection = detect_profile(raw)
    profiled = chosen.to_events(raw, spec)
    options = ReadOptions(dayfirst=spec.dayfirst, timestamp_format=spec.timestamp_format,
                          timezone=timezone or spec.timezone or "Europe/Amsterdam", strict=strict)
    try:
        if profiled is not None:
            options.timestamp_format = options.timestamp_format or profiled.timestamp_format
            options.dayfirst = options.dayfirst if options.dayfirst is not None else profiled.dayfirst
            profiled.raw.notes.extend(profiled.notes)
            return build_event_log(profiled.raw, profiled.mapping, source=SourceFile.of(path), options=options,
                                   profile=chosen.name, profile_detection=detection,
                                   mapping_source=f"fixed by the {chosen.name} profile",
                                   semantics=spec.semantics, fixed_semantics=profiled.semantics)
        mapping = resolve_mapping(spec, [str(c) for c in raw.frame.columns], path=path)
        proposed = sorted(role for role in mapping if role not in spec.columns)
        origin = spec.source if spec.columns else ""
        if proposed:
            origin += ("; " if origin else "") + "proposed from the column names: " + ", ".join(proposed)
        return build_event_log(raw, mapping, source=SourceFile.of(path), options=options,
                               profile=chosen.name, profile_detection=detection, mapping_source=origin,
                               semantics=spec.semantics)
    except InputError as err:
        if err.path is None:
            err.path = str(path)
        raise
