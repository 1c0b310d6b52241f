"""Write a report set: ``NAME.html`` and ``NAME.json`` per language, ``NAME.quarantine.csv`` when rows
were set aside, the tables with ``export_tables``, and the manifest ``NAME.sha256``.

Every file is first written into a temporary folder inside the output folder and then moved into
place, so the folder holds one consistent set: files of an earlier run under the same NAME that this
run does not write (a quarantine file, tables, another language) are removed, and the manifest lists
the SHA-256 of every file in ``sha256sum`` format (``sha256sum -c NAME.sha256`` in the folder checks
them). NAME is ``--name``, else the input's file name without ``.csv``; other inputs keep their
whole name (``tickets.xlsx`` → ``tickets.xlsx.html``), so two inputs never share a report. The JSON
holds the same figures as the HTML plus the provenance, with sorted keys, so the same input and
options give byte-identical files.

Example:
    >>> from ssc_mining.loaders import load
    >>> import tempfile
    >>> paths = write_report(load("data/samples/generic-events.csv"), tempfile.mkdtemp())
    >>> paths.html.name, paths.sha256.name
    ('generic-events.html', 'generic-events.sha256')
    >>> report_name("tickets.csv"), report_name("tickets.xlsx"), report_name("events.xes.gz")
    ('tickets', 'tickets.xlsx', 'events.xes.gz')
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ssc_mining._io import StagedFolder, atomic_write_bytes, atomic_write_text, json_text, output_error, safe_frame
from ssc_mining.analysers import Analyser
from ssc_mining.discovery.aggregates import Aggregates
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import LANGUAGES
from ssc_mining.privacy import PrivacySettings, Pseudonymiser, load_key, pseudonymise_log
from ssc_mining.progress import phase
from ssc_mining.report.html import render_html
from ssc_mining.report.model import FigureSource, figures_in, figures_once
from ssc_mining.report.process_map import MapSettings
from ssc_mining.report.tables_export import export_tables as write_tables
from ssc_mining.results import Result
from ssc_mining.run_context import RunContext


@dataclass(frozen=True)
class ReportPaths:
    """Where the report's files of one language were written; ``sha256`` is the set's manifest."""

    html: Path
    json: Path
    sha256: Path
    quarantine: Path | None
    tables: tuple[Path, ...] = ()


def report_name(source: str, name: str | None = None) -> str:
    """The NAME of a report's files: ``name`` as given, else ``source`` (a file name) without ``.csv``."""
    if name is not None:
        if not name or name in (".", "..") or name.startswith(".") or any(c in name for c in "/\\\0"):
            raise ConfigError(f"--name {name!r} is not a file name",
                              hint="give a plain name without folders, not starting with a dot")
        return name
    base = Path(source).name
    if base.lower().endswith(".csv") and len(base) > 4:
        return base[:-4]
    return base or "report"


def _suffix(lang: str) -> str:
    return "" if lang == "en" else f".{lang}"


def report_files(stem: str) -> list[str]:
    """Every name a report set ``stem`` may hold in its folder (of any language, and of earlier versions)."""
    names = [f"{stem}.sha256", f"{stem}.quarantine.csv"]
    for lang in LANGUAGES:
        s = f"{stem}{_suffix(lang)}"
        names += [f"{s}.html", f"{s}.json", f"{s}.tables", f"{s}.tables.xlsx", f"{s}.html.sha256"]
        if lang != "en":
            names.append(f"{s}.quarantine.csv")
    return list(dict.fromkeys(names))


def check_report_folder(out_dir: str | Path, stem: str, source: str, *, named: bool = False) -> None:
    """Refuse (:class:`ConfigError`) to replace what is not an earlier run of this report in ``out_dir``.

    A JSON file of the set must be a report of ``source`` (unless ``named``: NAME was given), and no
    folder may stand where a file goes; symlinks are fine, they are replaced.
    """
    out_dir = Path(out_dir)
    for file in report_files(stem):
        path = out_dir / file
        if path.is_symlink() or not os.path.lexists(path):
            continue
        if path.is_dir() and not file.endswith(".tables"):
            raise ConfigError(f"{file} is a folder, where the report would write a file; it is not replaced",
                              path=out_dir, hint="move it away, or give the report another name with --name")
        if not file.endswith(".json"):
            continue
        try:
            written = json.loads(path.read_text(encoding="utf-8"))["provenance"]["source"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            raise ConfigError(f"{file} is not a report of ssc_mining; it is not replaced", path=out_dir,
                              hint="move it away, or give the report another name with --name") from None
        if not named and written != Path(source).name:
            raise ConfigError(f"{file} is the report of another input, {written}, under the same name "
                              f"{stem!r}", path=out_dir,
                              hint="give this report another name with --name, or choose another folder with -o")


def manifest(folder: Path, files: Sequence[str]) -> str:
    """``sha256sum`` lines (sorted) for ``files``, paths relative to ``folder``."""
    lines = []
    for name in sorted(files):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if any(c in name for c in "\\\n\r"):  # GNU sha256sum's escaping of such names
            escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            lines.append(f"\\{digest}  {escaped}\n")
        else:
            lines.append(f"{digest}  {name}\n")
    return "".join(lines)


def write_report(
    log: EventLog,
    out_dir: str | Path | StagedFolder,
    *,
    name: str | None = None,
    run_date: str | None = None,
    as_of: pd.Timestamp | None = None,
    map_settings: MapSettings | None = None,
    analysers: list[Analyser] | None = None,
    strict: bool = False,
    privacy: PrivacySettings | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    lang: str = "en",
    export_tables: bool = False,
) -> ReportPaths:
    """:func:`write_reports` in one language ``lang``: the set in ``out_dir`` then holds that language only."""
    return write_reports(log, out_dir, langs=(lang,), name=name, run_date=run_date, as_of=as_of,
                         map_settings=map_settings, analysers=analysers, strict=strict, privacy=privacy,
                         pseudonymiser=pseudonymiser, export_tables=export_tables)[0]


def write_reports(
    log: EventLog | FigureSource,
    out_dir: str | Path | StagedFolder,
    *,
    langs: Sequence[str] = ("en",),
    name: str | None = None,
    run_date: str | None = None,
    as_of: pd.Timestamp | None = None,
    map_settings: MapSettings | None = None,
    analysers: list[Analyser] | None = None,
    strict: bool = False,
    privacy: PrivacySettings | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    export_tables: bool = False,
    run: dict[str, Any] | None = None,
    jobs: int | None = None,
) -> list[ReportPaths]:
    """Compute the figures of ``log`` in each of ``langs`` and replace the report set in ``out_dir``.

    ``log`` is an event log in memory, or another :class:`~ssc_mining.report.model.FigureSource` (an engine's:
    :class:`~ssc_mining.report.on_engine.EngineReport`, read with the pseudonymiser already when pseudonyms are on).

    ``out_dir`` may be an open :class:`StagedFolder` (the CLI opens it before reading the input, to
    check the folder first). People are pseudonymised unless ``privacy.pseudonymise`` is False;
    without a ``pseudonymiser`` a random key is drawn for this set. A log the caller already pseudonymised
    with :func:`~ssc_mining.privacy.pseudonymise_log` and ``pseudonymiser`` is used as it is (so the caller can
    let go of the log with the real names before the analysis, as ``ssc-mining report`` does). ``jobs``
    threads compute the figures side by side (default: one for a small log, else the machine's cores, at most
    4); the files are the same for any number.
    """
    if not isinstance(out_dir, StagedFolder):
        with StagedFolder(out_dir) as staged:
            return write_reports(log, staged, langs=langs, name=name, run_date=run_date, as_of=as_of,
                                 map_settings=map_settings, analysers=analysers, strict=strict, privacy=privacy,
                                 pseudonymiser=pseudonymiser, export_tables=export_tables, run=run, jobs=jobs)
    staged, target = out_dir, out_dir.target
    source = log.provenance.source.name
    stem = report_name(source, name)
    check_report_folder(target, stem, source, named=name is not None)
    privacy = privacy or PrivacySettings()
    if not privacy.pseudonymise:
        privacy = replace(privacy, key_source="none")
    elif isinstance(log, EventLog):
        if pseudonymiser is None:
            key, key_source = load_key(None)
            pseudonymiser = Pseudonymiser(key)
            privacy = replace(privacy, key_source=key_source)
        log = pseudonymise_log(log, pseudonymiser, jobs=jobs)   # as it is when already pseudonymised
    elif not log.pseudonymised:
        raise ConfigError("the report's engine read the database without pseudonyms, but the report must have them",
                          hint="open the engine's source with the pseudonymiser, or switch pseudonyms off")
    entries: list[str] = []  # what is moved into the folder, in this order
    checked: list[str] = []  # every file, for the manifest

    def write(file: str, data: bytes) -> None:
        try:
            atomic_write_bytes(staged.path / file, data)
        except OSError as err:
            raise output_error(err, target, file) from None
        entries.append(file)
        checked.append(file)

    quarantine = None
    if len(log.quarantine):
        quarantine = f"{stem}.quarantine.csv"
        log.provenance.quarantine_file = quarantine
        write(quarantine, safe_frame(log.quarantine).to_csv(index=False, lineterminator="\n").encode("utf-8"))
    settings = map_settings or MapSettings()
    written: list[tuple[str, list[str]]] = []
    languages = tuple(dict.fromkeys(langs))
    if isinstance(log, EventLog):
        context = RunContext.of(log, as_of=as_of, privacy=privacy, languages=languages, strict=strict, jobs=jobs)
        with phase("figures"):
            once = figures_once(log, context, analysers=analysers, map_settings=settings)
        drawn: EventLog | Aggregates = log
    else:   # an engine's source: its own threads (one by default: that engine is for memory, not speed)
        context = RunContext(timezone=log.timezone, as_of=as_of, privacy=privacy, languages=languages, strict=strict,
                             jobs=jobs or 1)
        with phase("figures"):
            once = log.figures_once(context, analysers=analysers, map_settings=settings)
        drawn = log.map_source
    for lang in context.languages:
        with phase(f"figures in {lang}"):
            figures = figures_in(once, drawn, lang, map_settings=settings)
        figures["run"] = {"run_date": run_date, "as_of": as_of.isoformat() if as_of is not None else None,
                          "map_settings": settings.__dict__, "lang": lang, **(run or {})}
        base = f"{stem}{_suffix(lang)}"
        data = dict(figures)
        data["process_map"] = {k: v for k, v in figures["process_map"].items() if k != "svg"}
        write(f"{base}.json", json_text(data).encode("utf-8"))
        with phase(f"writing {base}.html"):
            write(f"{base}.html", render_html(figures, run_date=run_date, lang=lang).encode("utf-8"))
        tables: list[str] = []
        if export_tables:
            try:
                paths = write_tables([Result.from_dict(r) for r in figures["analysers"]], staged.path, base)
            except OSError as err:
                raise output_error(err, target, f"{base}.tables") from None
            tables = [p.relative_to(staged.path).as_posix() for p in paths]
            checked.extend(tables)
            entries.extend(dict.fromkeys(t.split("/")[0] for t in tables))
        written.append((base, tables))
    sums = f"{stem}.sha256"
    try:
        atomic_write_text(staged.path / sums, manifest(staged.path, checked))
    except OSError as err:
        raise output_error(err, target, sums) from None
    entries.append(sums)  # last: until it is in place, the earlier manifest no longer matches
    staged.commit(entries, remove=[f for f in report_files(stem) if f not in entries])
    return [ReportPaths(html=target / f"{base}.html", json=target / f"{base}.json", sha256=target / f"{stem}.sha256",
                        quarantine=target / quarantine if quarantine else None,
                        tables=tuple(target / t for t in tables)) for base, tables in written]
