"""Write the report files: ``NAME.html``, ``NAME.json``, ``NAME.html.sha256`` and,
when rows were set aside, ``NAME.quarantine.csv``.

Every file is written atomically (temporary file + rename). The JSON holds the
same figures as the HTML plus the provenance, with sorted keys, so the same
input and options give byte-identical files.

Example:
    >>> from ssc_mining.loaders import load
    >>> import tempfile
    >>> paths = write_report(load("data/samples/generic-events.csv"), tempfile.mkdtemp())
    >>> paths.html.name
    'generic-events.html'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ssc_mining._io import atomic_write_bytes, atomic_write_text, safe_frame
from ssc_mining.analysers import Analyser
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import language
from ssc_mining.privacy import PrivacySettings, Pseudonymiser, load_key, pseudonymise_log
from ssc_mining.report.html import render_html
from ssc_mining.report.model import compute_figures
from ssc_mining.report.process_map import MapSettings
from ssc_mining.report.tables_export import export_tables as write_tables
from ssc_mining.results import Result


@dataclass(frozen=True)
class ReportPaths:
    """Where the report's files were written."""

    html: Path
    json: Path
    sha256: Path
    quarantine: Path | None
    tables: tuple[Path, ...] = ()


def _stem(name: str) -> str:
    for suffix in (".xes.gz", ".csv", ".xlsx", ".xes", ".parquet", ".gz", ".txt", ".tsv"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem or "report"


def write_report(
    log: EventLog,
    out_dir: str | Path,
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
    """Compute the figures of ``log`` and write the report files into ``out_dir``.

    People are pseudonymised unless ``privacy.pseudonymise`` is False; without a
    ``pseudonymiser`` a random key is used for this run.
    """
    out_dir = Path(out_dir)
    privacy = privacy or PrivacySettings()
    if privacy.pseudonymise:
        if pseudonymiser is None:
            key, source = load_key(None)
            pseudonymiser = Pseudonymiser(key)
            privacy = replace(privacy, key_source=source)
        log = pseudonymise_log(log, pseudonymiser)
    else:
        privacy = replace(privacy, key_source="none")
    stem = name or _stem(log.provenance.source.name)
    if lang != "en":
        stem = f"{stem}.{lang}"
    quarantine_path = None
    if len(log.quarantine):
        quarantine_path = out_dir / f"{stem}.quarantine.csv"
        atomic_write_text(quarantine_path, safe_frame(log.quarantine).to_csv(index=False, lineterminator="\n"))
        log.provenance.quarantine_file = quarantine_path.name
    with language(lang):
        figures = compute_figures(log, map_settings=map_settings, as_of=as_of, analysers=analysers, strict=strict,
                                  privacy=privacy)
    figures["run"] = {"run_date": run_date, "as_of": as_of.isoformat() if as_of is not None else None,
                      "map_settings": (map_settings or MapSettings()).__dict__, "lang": lang}
    html = render_html(figures, run_date=run_date, lang=lang).encode("utf-8")
    html_path = out_dir / f"{stem}.html"
    json_path = out_dir / f"{stem}.json"
    data = {k: v for k, v in figures.items()}
    data["process_map"] = {k: v for k, v in figures["process_map"].items() if k != "svg"}
    atomic_write_text(json_path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")
    atomic_write_bytes(html_path, html)
    sha_path = out_dir / f"{stem}.html.sha256"
    atomic_write_text(sha_path, f"{hashlib.sha256(html).hexdigest()}  {html_path.name}\n")
    tables: list[Path] = []
    if export_tables:
        tables = write_tables([Result.from_dict(r) for r in figures["analysers"]], out_dir, stem)
    return ReportPaths(html=html_path, json=json_path, sha256=sha_path, quarantine=quarantine_path,
                       tables=tuple(tables))
