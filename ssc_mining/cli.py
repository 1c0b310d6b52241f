"""The ``ssc-mining`` command line.

Errors from :mod:`ssc_mining.errors` become a short message and a non-zero
exit (2 for bad input, 3 for ``--strict`` with quarantined rows, 1 for an
internal error); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ssc_mining import __version__
from ssc_mining.errors import SSCMiningError
from ssc_mining.eventlog.columns import ROLES
from ssc_mining.i18n import N_
from ssc_mining.run_record import run_record

_MAPPING_HELP = {
    "case": "case (ticket) id", "activity": "activity or status", "timestamp": "time of the event",
    "resource": "person who did it", "team": "team of the person who did it",
    "assigned_group": "group the ticket is assigned to (routing; reassignments)", "role": "role",
    "lifecycle": "lifecycle transition",
    "org": "organisation that did it (mother or SSC)", "status": "ticket status after the event",
    "line": "support line (1, 2, 3)", "mother": "mother organisation (customer)", "requester": "requester / caller",
    "category": "category", "priority": "priority", "channel": "channel", "need_by": "date the requester needs it",
    "due": "SLA / target date", "link": "linked ticket (parent, duplicate of, problem)",
    "subject": "short description (only compared, never shown)",
}


def _progress_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--quiet``, and the command's phases shown on standard error while it runs (on a terminal only)."""
    @functools.wraps(func)
    def wrapper(*args: Any, quiet: bool = False, **kwargs: Any) -> Any:
        from ssc_mining.progress import reporting, should_show

        with reporting(should_show(quiet)):
            return func(*args, **kwargs)

    return click.option("-q", "--quiet", is_flag=True,
                        help="Show no progress (by default the phases and their times are shown on standard "
                             "error when it is a terminal).")(wrapper)


def _jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--jobs N``: how many parts of the analysis run side by side (see ssc_mining.parallel)."""
    return click.option("--jobs", "jobs", type=click.IntRange(1), metavar="N",
                        help="Run up to N parts of the analysis side by side on threads (default: 1 below 400,000 "
                             "events, else the machine's cores, at most 4; with --engine duckdb: 1, the analysers of "
                             "a partition one after the other). The figures are the same for any N; 1 uses the least "
                             "memory.")(func)


def _engine_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine``, ``--partition-events``, ``--spark-stage`` (report and analyse)."""
    options = [
        click.option("--engine", type=click.Choice(["pandas", "duckdb", "spark"]), default="pandas",
                     show_default=True,
                     help="pandas: the log in memory. duckdb: a database from `ssc-mining import` (or a Parquet "
                          "export, imported first into a temporary database), analysed in partitions of whole "
                          "tickets, for logs beyond memory; the figures equal those in memory (a plug-in analyser "
                          "without partial/combine is reported as not run; see docs/scale.md). spark: the same "
                          "partitions, analysed by Spark's workers (local mode, or the cluster that spark-submit and "
                          "Spark's settings give)."),
        click.option("--partition-events", type=click.IntRange(1, None), default=2_000_000, show_default=True,
                     help="--engine duckdb/spark: about this many events per partition (memory follows it)."),
        click.option("--spark-stage", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="--engine spark: the folder where the events are staged as Parquet for Spark's workers "
                          "(default: a temporary folder; on a cluster, a folder every worker can read)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _mapping_options(func: Callable[..., Any]) -> Callable[..., Any]:
    def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
        """--max-input-size: bytes from 500MB, 2GiB or a number."""
        if value is None:
            return None
        from ssc_mining.loaders.limits import parse_size

        try:
            return parse_size(value)
        except ValueError as err:
            raise click.BadParameter(str(err)) from None

    options = [
        click.option("--profile", metavar="NAME",
                     help="Loader profile: csv, xes, or a ticket system's (see `ssc-mining profiles`); "
                          "detected by default."),
        click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="TOML mapping file ([columns], [timestamps], [csv]); options below override it."),
        *[click.option(f"--{role.replace('_', '-')}", f"col_{role}", metavar="COLUMN",
                       help=f"Column with the {_MAPPING_HELP[role]}.") for role in ROLES],
        click.option("--dayfirst/--monthfirst", "dayfirst", default=None,
                     help="Day/month order of dates like 03-04-2024 when the data cannot tell."),
        click.option("--timestamp-format", metavar="FORMAT",
                     help="Explicit strftime format of the timestamp column, e.g. '%d-%m-%Y %H:%M'."),
        click.option("--timezone", metavar="ZONE", help="Zone of times without offset (default Europe/Amsterdam)."),
        click.option("--delimiter", metavar="CHAR", help="CSV delimiter (detected by default: , ; tab |)."),
        click.option("--encoding", metavar="NAME",
                     help="CSV encoding (detected by default: utf-8, utf-8-sig, cp1252)."),
        click.option("--strict", is_flag=True, help="Fail (exit 3) instead of quarantining bad rows."),
        click.option("--member", metavar="NAME",
                     help="The file to read from a .zip archive that holds several ([input] member in the mapping "
                          "file)."),
        click.option("--max-input-size", metavar="SIZE", callback=_size_option,
                     help="Stop reading an input that holds more than this once unpacked, e.g. 500MB, 4GiB "
                          "(default 2GiB; env SSC_MINING_MAX_INPUT_SIZE; 0 = no limit)."),
        click.option("--max-rows", metavar="N", type=click.IntRange(0),
                     help="Stop reading an input with more rows than this (default 20000000; env SSC_MINING_MAX_ROWS; "
                          "0 = no limit)."),
        click.option("--max-cell-chars", metavar="N", type=click.IntRange(0),
                     help="Cut longer cells to this many characters, noted in the provenance (default 10000; env "
                          "SSC_MINING_MAX_CELL_CHARS; 0 = no limit)."),
        click.option("--max-memory", metavar="SIZE", callback=_size_option,
                     help="Stop before reading an input that a report is estimated to need more memory for, e.g. "
                          "16GiB (default: what the machine has available; env SSC_MINING_MAX_MEMORY; 0 = no check)."),
        click.option("--max-ratio", metavar="X", type=click.FloatRange(0),
                     help="Stop unpacking an input that comes out more than X times its packed size, as a "
                          "decompression bomb does; checked past 64 MiB (default 200; env SSC_MINING_MAX_RATIO; "
                          "0 = no limit)."),
    ]

    command = func

    @functools.wraps(command)
    def with_limits(*args: Any, **kwargs: Any) -> Any:
        """Run the command with --member and the --max-* limits in force (see ssc_mining.loaders.limits)."""
        from ssc_mining.loaders.limits import using

        given = {"member": kwargs.pop("member", None), "max_input_bytes": kwargs.pop("max_input_size", None),
                 "max_rows": kwargs.pop("max_rows", None), "max_cell_chars": kwargs.pop("max_cell_chars", None),
                 "max_ratio": kwargs.pop("max_ratio", None), "max_memory": kwargs.pop("max_memory", None)}
        with using(**given):
            return command(*args, **kwargs)

    func = with_limits
    for option in reversed(options):
        func = option(func)
    return func


def _spec(kwargs: dict[str, Any]):
    from ssc_mining.loaders.mapping import MappingSpec

    spec = MappingSpec.from_toml(kwargs["mapping_file"]) if kwargs.get("mapping_file") else MappingSpec()
    delimiter = kwargs.get("delimiter")
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    given = MappingSpec(
        columns={role: kwargs[f"col_{role}"] for role in ROLES if kwargs.get(f"col_{role}")},
        dayfirst=kwargs.get("dayfirst"), timestamp_format=kwargs.get("timestamp_format"),
        timezone=kwargs.get("timezone"), delimiter=delimiter, encoding=kwargs.get("encoding"),
        profile=kwargs.get("profile"), source="command-line options", calendar=_holidays_country(kwargs),
    )
    return spec.merged(given)


def _holidays_country(kwargs: dict[str, Any]) -> dict[str, Any]:
    """--holidays-country CODE[-REGION] as calendar parameters (see ssc_mining.business_calendar)."""
    code = kwargs.get("holidays_country")
    if not code:
        return {}
    from ssc_mining.business_calendar import calendar_params
    from ssc_mining.errors import ConfigError

    country, _, region = code.partition("-")
    try:
        return calendar_params({"country": country, "subdivision": region})
    except ConfigError as err:
        raise ConfigError(f"--holidays-country {code!r}: {err.problem.removeprefix('[calendar] ')}",
                          hint=err.hint) from None


def _with_calendar(analysers: list[Any], spec: Any, params: tuple[str, ...]) -> list[Any]:
    """The analysers with the business-hours calendar of the mapping file and --holidays-country; --param wins."""
    from ssc_mining.business_calendar import with_calendar

    return with_calendar(analysers, spec.calendar, {item.partition("=")[0] for item in params})


def _analyser_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--analysers", "analyser_names", metavar="NAMES",
                     help="Comma-separated analysers to run (default: all installed; see `ssc-mining analysers`)."),
        click.option("--preset", metavar="NAME",
                     help="Run a named preset of analysers with its parameters (see `ssc-mining presets`)."),
        click.option("--param", "params", multiple=True, metavar="ANALYSER.NAME=VALUE",
                     help="Set an analyser parameter, e.g. --param variants.top=20 (repeatable)."),
        click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Also load analysers from the .py files in this folder."),
        click.option("--include-incomplete", is_flag=True,
                     help="Also count tickets still open at the end of the export or registered before it began in "
                          "throughput and SLA figures (left out and counted by default)."),
        click.option("--holidays-country", metavar="CODE",
                     help="Country whose public holidays are not business hours, e.g. NL, BE, DE or DE-BY with a "
                          "region (default NL; [calendar] in the mapping file)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _privacy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide what outputs show about people (the same for report, analyse and discover)."""
    options = [
        click.option("--audience", type=click.Choice(["works-council", "auditor"]), default="works-council",
                     show_default=True, help="works-council: nothing about individual people; auditor: "
                     "pseudonymised person-level tables allowed."),
        click.option("--no-pseudonymise", is_flag=True,
                     help="Show real names of people (must be asked for explicitly; stated in the output)."),
        click.option("--pseudonym-key-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Secret key for stable pseudonyms (else $SSC_MINING_PSEUDONYM_KEY, else a random key "
                          "per run)."),
        click.option("--min-group-size", type=click.IntRange(1, None), default=5, show_default=True,
                     help="Suppress figures about fewer people than this (shown as '< N')."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _privacy(kwargs: dict[str, Any]):
    """PrivacySettings and the Pseudonymiser (None when pseudonymising is switched off) from the options."""
    from ssc_mining.privacy import PrivacySettings, Pseudonymiser, load_key

    pseudonymiser, key_source = None, "none"
    if not kwargs.get("no_pseudonymise"):
        key, key_source = load_key(kwargs.get("pseudonym_key_file"))
        pseudonymiser = Pseudonymiser(key)
    settings = PrivacySettings(audience=kwargs.get("audience") or "works-council",
                               pseudonymise=not kwargs.get("no_pseudonymise"),
                               min_group_size=kwargs.get("min_group_size") or 5, key_source=key_source)
    return settings, pseudonymiser


def _select_analysers(names: str | None, params: tuple[str, ...], plugins_dir: Path | None,
                      strict: bool, preset: str | None = None, *, include_incomplete: bool = False
                      ) -> tuple[list[Any], dict[str, str]]:
    """Instantiate the chosen analysers with their parameters; returns them and plugin problems.

    ``include_incomplete`` sets ``complete_only=False`` on every analyser that has that parameter,
    unless ``--param`` sets it explicitly.
    """
    import json

    from ssc_mining.analysers import discover
    from ssc_mining.analysers.presets import get_preset
    from ssc_mining.errors import ConfigError

    found = discover(plugins_dir, strict=strict)
    settings: dict[str, dict[str, Any]] = {}
    if preset:
        if names:
            raise ConfigError("give either --preset or --analysers, not both")
        chosen = get_preset(preset)
        chosen.instantiate(found.analysers)  # checks that every analyser is installed
        settings = {n: dict(p) for n, p in chosen.analysers.items()}
        wanted = list(settings)
    else:
        wanted = [n.strip() for n in names.split(",") if n.strip()] if names else list(found.analysers)
    unknown = [n for n in wanted if n not in found.analysers]
    if unknown:
        raise ConfigError(f"unknown analyser(s) {unknown}", hint="installed: " + ", ".join(found.analysers))
    settings = {n: settings.get(n, {}) for n in wanted}
    for item in params:
        target, _, raw = item.partition("=")
        analyser, _, param = target.partition(".")
        if not raw or not param:
            raise ConfigError(f"--param {item!r} is not ANALYSER.NAME=VALUE")
        if analyser not in settings:
            raise ConfigError(f"--param {item!r}: analyser {analyser!r} is not selected",
                              hint="selected: " + ", ".join(wanted))
        defaults = found.analysers[analyser].param_defaults()
        if param not in defaults:
            raise ConfigError(f"--param {item!r}: {analyser} has no parameter {param!r}",
                              hint="its parameters: " + (", ".join(defaults) or "none"))
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        default = defaults[param]
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if default is not None and not isinstance(value, type(default)):
            raise ConfigError(f"--param {item!r}: expected a {type(default).__name__} like {default!r}")
        settings[analyser][param] = value
    if include_incomplete:
        for n in wanted:
            if "complete_only" in found.analysers[n].param_defaults():
                settings[n].setdefault("complete_only", False)
    return [found.analysers[n](**settings[n]) for n in wanted], found.problems


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug") or "--debug" in sys.argv
        try:
            return func(*args, **kwargs)
        except SSCMiningError as err:
            if debug:
                raise
            click.echo(f"Error: {err.message()}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; no report was written.", err=True)
            sys.exit(130)
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's own flush error
            sys.exit(0)
        except MemoryError:  # nothing is imported or built here: memory is short
            if debug:
                raise
            click.echo("Error: there is not enough memory for this file (while reading or analysing it)\n"
                       "  What to do: close other programs, run on a machine with more memory, or export a shorter "
                       "period; CSV and Parquet need less memory than XES or JSON", err=True)
            sys.exit(2)
        except Exception as err:  # noqa: BLE001 - the CLI's last line of defence
            if debug:
                raise
            clear = None
            try:  # the machine, the disk or a damaged file (escaped from anywhere): a message, not a bug report
                from ssc_mining.loaders.limits import explain

                clear = explain(err)
            except Exception:  # noqa: BLE001, S110 - fall back to the bug report below
                pass
            if clear is not None:
                click.echo(f"Error: {clear.message()}", err=True)
                sys.exit(clear.exit_code)
            click.echo(f"Internal error: {type(err).__name__}: {err}\n"
                       "  This is a bug in ssc_mining. Run again with --debug and report the traceback.", err=True)
            sys.exit(1)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ssc-mining")
def main() -> None:
    """Process mining for Shared Service Centre ticket data.

    Turns ticket exports (CSV, Excel, XES, Parquet) into an event log and a
    self-contained HTML report for auditors and works councils.

    \b
    Examples:
      ssc-mining inspect tickets.csv
      ssc-mining report tickets.csv -o reports/
      ssc-mining report export.csv --case Zaaknummer --activity Status --timestamp Tijdstip --dayfirst
      ssc-mining analysers
      ssc-mining analyse tickets.csv --json results.json
      ssc-mining serve tickets.csv
    """
    from ssc_mining.memory import use_system_pool
    use_system_pool()   # a lower peak on large exports, at the same speed (see ssc_mining.memory)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_mapping_options
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also use the loader profiles in the .py files in this folder.")
@click.option("--show-people", is_flag=True,
              help="Also show example values of columns that hold people, and names inside activity labels "
                   "(hidden by default: this output may be read over your shoulder or pasted into a ticket).")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def inspect(file: Path, plugins_dir: Path | None, show_people: bool, debug: bool, **kwargs: Any) -> None:
    """Profile the columns of FILE and propose a column mapping.

    Prints each column with its filled share, distinct values and first
    examples (not for columns that hold people, unless --show-people), the
    mapping that `report` would use, how the timestamps would be read, and how
    every activity and status would be read. Control characters in the file are
    shown as \\xNN, never sent to the terminal. Nothing is written.

    \b
    Example:
      ssc-mining inspect data/samples/generic-events.csv
    """
    from ssc_mining.analysers import discover
    from ssc_mining.loaders import load, read_raw
    from ssc_mining.loaders.inspect import format_profile, format_semantics, printable, profile_columns
    from ssc_mining.loaders.profiles import detect_profile, get_profile
    from ssc_mining.privacy import Pseudonymiser, load_key, pseudonymise_log

    def echo(text: str) -> None:
        click.echo("\n".join(printable(line) for line in text.split("\n")))

    if plugins_dir is not None:
        discover(plugins_dir)  # registers the folder's loader profiles
    spec = _spec(kwargs)
    raw = read_raw(file, spec)
    if spec.profile:
        profile, detection = get_profile(spec.profile), f"--profile {spec.profile}"
    else:
        profile, detection = detect_profile(raw)
    echo(f"Profile: {profile.name} ({detection})")
    echo(format_profile(file, raw, profile_columns(raw, show_people=show_people), spec))
    if profile.name not in ("csv", "xes"):
        echo(f"\nThe {profile.name} profile fixes the mapping and how events are made (see docs/profiles.md);"
             " the proposal above applies only with --profile csv.")
    try:
        log = load(file, spec, profile=spec.profile, timezone=spec.timezone)
    except SSCMiningError as err:
        echo(f"\nHow activities would be read: the file cannot be read as an event log yet: {err.problem}")
        return
    if not show_people:   # names of people inside labels become pseudonyms (a key for this run only)
        log = pseudonymise_log(log, Pseudonymiser(load_key(None)[0]))
    assert log.semantics is not None
    echo("")
    echo(format_semantics(log.semantics, log.markers.roles_present))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_mapping_options
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for the report files.")
@click.option("--name", help="Base name of the report files (default: the input file's name).")
@click.option("--run-date", metavar="DATE",
              help="Date to print on the report (none by default, so reruns are identical).")
@click.option("--as-of", metavar="DATE",
              help="The moment of the export: events after it count as 'in the future' (default: now), and open "
                   "tickets are aged and judged at it (default: the last event).")
@click.option("--map-activities", type=click.FloatRange(0.0, 1.0), default=1.0, show_default=True,
              help="Process map: keep the most frequent activities covering this share of events.")
@click.option("--map-paths", type=click.FloatRange(0.0, 1.0), default=0.9, show_default=True,
              help="Process map: keep the most frequent paths covering this share of transitions.")
@click.option("--map-segments", "map_segments", metavar="ATTRIBUTES", default="mother,category", show_default=True,
              help="Process map: also draw maps per value of these case attributes ('none' for no segment maps).")
@click.option("--reference", "reference", type=click.Path(dir_okay=False, path_type=Path),
              help="Check conformance against this reference model (BPMN .bpmn or PNML .pnml).")
@click.option("--filter", "filters", multiple=True, metavar="FILTER",
              help="Report on the tickets this filter keeps; repeat to apply several in order (e.g. "
                   "'started=2024-01-01..2024-03-31', 'attr:mother=Gemeente A', 'complete', 'throughput>30d', "
                   "'follows=Assign>>Escalate'; see docs/explore.md). `serve` records them in a saved report.")
@_analyser_options
@_engine_options
@_privacy_options
@click.option("--lang", "langs", type=click.Choice(["en", "nl"]), multiple=True, default=("en",),
              show_default=True, help="Language of the report; repeat for several (Dutch files get '.nl').")
@click.option("--export-tables", is_flag=True,
              help="Also write every table of the report as CSV (NAME.tables/) and XLSX (NAME.tables.xlsx).")
@click.option("--pdf", "pdf", is_flag=True,
              help="Also print each report to an A4 PDF (NAME.pdf) with headless Chromium (exit 2 when it is not "
                   "installed; SSC_MINING_CHROMIUM gives its path).")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_jobs_option
@_progress_option
@_handle_errors
def report(file: Path, output: Path, name: str | None, run_date: str | None, as_of: str | None,
           map_activities: float, map_paths: float, analyser_names: str | None, preset: str | None,
           params: tuple[str, ...], plugins_dir: Path | None, langs: tuple[str, ...], export_tables: bool,
           debug: bool, **kwargs: Any) -> None:
    """Read FILE and write a self-contained HTML report, a JSON file with the
    same figures and the provenance, and a quarantine CSV of rows set aside.

    \b
    Example:
      ssc-mining report data/samples/generic-events.csv -o reports/
    """
    from ssc_mining._io import StagedFolder
    from ssc_mining.report.process_map import MapSettings
    from ssc_mining.report.writer import check_report_folder, report_name
    from ssc_mining.selection.filters import parse_filters

    run = run_record()
    filters = parse_filters(kwargs.pop("filters", ()))   # a wrong filter stops the run before anything is read
    if filters and kwargs.get("engine") in ("duckdb", "spark"):
        from ssc_mining.errors import ConfigError

        raise ConfigError("--filter works on a log read into memory, not with --engine duckdb or spark",
                          hint="leave out --engine (a database is read into memory), or filter in "
                               "`ssc-mining serve`")
    inputs = _inputs_recording(kwargs, plugins_dir=plugins_dir, reference=kwargs.get("reference"))
    strict = kwargs.get("strict", False)
    stem = report_name(file.name, name)
    # the output folder is checked (and the temporary folder made in it) before anything is read
    with inputs as recorded, StagedFolder(output) as folder:
        check_report_folder(output, stem, file.name, named=name is not None)
        analysers, problems = _select_analysers(analyser_names, params, plugins_dir, strict, preset,
                                                include_incomplete=bool(kwargs.get("include_incomplete")))
        for plugin, problem in problems.items():
            click.echo(f"Warning: plugin {plugin} was not loaded: {problem}", err=True)
        from ssc_mining.report.warmup import warm_up

        warm_up()   # the report's libraries get ready while the export is read
        map_settings = MapSettings(activity_coverage=map_activities, path_coverage=map_paths,
                                   segment_by=_segments(kwargs.get("map_segments")),
                                   reference=str(kwargs["reference"]) if kwargs.get("reference") else None)
        if kwargs.get("engine") in ("duckdb", "spark"):
            written = _report_on_engine(file, folder, kwargs, analysers, params, plugins_dir=plugins_dir,
                                        langs=tuple(dict.fromkeys(langs)), name=name, run_date=run_date,
                                        as_of=as_of, map_settings=map_settings, export_tables=export_tables,
                                        run=run)
        else:
            written = _report_in_memory(file, folder, kwargs, analysers, params, recorded, filters=filters,
                                        langs=tuple(dict.fromkeys(langs)), name=name, run_date=run_date,
                                        as_of=as_of, map_settings=map_settings, export_tables=export_tables,
                                        run=run)
    _echo_written(tuple(dict.fromkeys(langs)), written, output, pdf=bool(kwargs.get("pdf")))


def _as_of(as_of: str | None) -> Any:
    """--as-of as a moment in UTC (None when not given)."""
    import pandas as pd

    from ssc_mining.errors import ConfigError

    try:
        return pd.Timestamp(as_of, tz="UTC") if as_of else None
    except ValueError:
        raise ConfigError(f"--as-of {as_of!r} is not a date", hint="write it as YYYY-MM-DD") from None


def _report_in_memory(file: Path, folder: Any, kwargs: dict[str, Any], analysers: list[Any],
                      params: tuple[str, ...], recorded: list[Any], *, langs: tuple[str, ...], as_of: str | None,
                      filters: Sequence[Any] = (), **options: Any) -> list[Any]:
    """`report` with the pandas engine: FILE read into memory, then the report set written into ``folder``."""
    from ssc_mining.report.writer import write_reports

    moment = _as_of(as_of)
    log, analysers, privacy, pseudonymiser = _read_pseudonymised(file, kwargs, analysers, params, recorded)
    if filters:
        log = _filtered(log, filters, analysers)
    return write_reports(log, folder, langs=langs, as_of=moment, analysers=analysers,
                         strict=kwargs.get("strict", False), privacy=privacy, pseudonymiser=pseudonymiser,
                         jobs=kwargs.get("jobs"), **options)


def _read_pseudonymised(file: Path, kwargs: dict[str, Any], analysers: list[Any], params: tuple[str, ...],
                        recorded: list[Any]) -> tuple[Any, list[Any], Any, Any]:
    """FILE read into memory as `report` and `serve` read it (the inputs ``recorded`` so far added to its
    provenance, the reconciliation printed, people pseudonymised unless switched off), with the analysers given
    the business calendar; returns the log, the analysers, the privacy settings and the pseudonymiser."""
    from ssc_mining.loaders import load
    from ssc_mining.privacy import pseudonymise_log
    from ssc_mining.progress import phase

    with phase(f"reading {file.name}"):
        spec = _spec(kwargs)
        log = load(file, spec, strict=kwargs.get("strict", False))
    analysers = _with_calendar(analysers, spec, params)
    log.provenance.inputs += [i.to_dict() for i in recorded]   # after the import's, when FILE is a database
    privacy, pseudonymiser = _privacy(kwargs)
    click.echo(_reconciliation(file, log.provenance))
    if pseudonymiser is not None:  # here, so that the columns with the real names are freed before the analysis
        with phase("pseudonymising"):
            log = pseudonymise_log(log, pseudonymiser, jobs=kwargs.get("jobs"))
    return log, analysers, privacy, pseudonymiser


def _filtered(log: Any, filters: Sequence[Any], analysers: list[Any]) -> Any:
    """``log`` with the tickets ``filters`` keep; each filter's counts are printed (and are in the provenance)."""
    from ssc_mining.progress import phase
    from ssc_mining.selection.filters import apply_filters

    with phase("filtering"):
        log, steps = apply_filters(log, filters, analysers=analysers)
    for step in steps:
        click.echo(f"Filter {step.text}: {step.tickets_after:,} of {step.tickets_before:,} tickets kept"
                   + (f" ({step.note})" if step.note else ""))
    return log


def _report_on_engine(file: Path, folder: Any, kwargs: dict[str, Any], analysers: list[Any],
                      params: tuple[str, ...], *, plugins_dir: Path | None, langs: tuple[str, ...],
                      as_of: str | None, **options: Any) -> list[Any]:
    """`report --engine duckdb|spark`: the report of the database FILE computed in partitions of whole tickets
    and from DuckDB's (or Spark's) aggregates, without loading every event (see ssc_mining.report.on_engine)."""
    from ssc_mining.engines.attached import memory_limit_for
    from ssc_mining.engines.duckdb_events import DuckDBEvents
    from ssc_mining.loaders.limits import current as current_limits
    from ssc_mining.progress import phase
    from ssc_mining.report.on_engine import EngineReport
    from ssc_mining.report.writer import write_reports

    spec = _spec(kwargs)
    analysers = _with_calendar(analysers, spec, params)
    moment = _as_of(as_of)
    privacy, pseudonymiser = _privacy(kwargs)
    with _partitions_of(file, kwargs, spec, pseudonymiser, plugins_dir=plugins_dir,
                        reference=kwargs.get("reference")) as (parts, provenance, spark, database):
        click.echo(_reconciliation(file, provenance))
        with phase(f"opening {file.name} for the process map"):
            memory_limit = memory_limit_for(current_limits().max_memory)
            if spark:
                from ssc_mining.engines.spark import SparkEvents, spark_session

                events: DuckDBEvents = SparkEvents(database, spark_session(), pseudonymiser=pseudonymiser,
                                                   memory_limit=memory_limit, stage=kwargs.get("spark_stage"))
            else:
                events = DuckDBEvents(database, pseudonymiser=pseudonymiser, memory_limit=memory_limit)
        with events:
            source = EngineReport(parts, events, provenance=provenance, spark=spark)
            return write_reports(source, folder, langs=langs, as_of=moment, analysers=analysers,
                                 strict=bool(kwargs.get("strict")), privacy=privacy, pseudonymiser=pseudonymiser,
                                 jobs=kwargs.get("jobs"), **options)


def _echo_written(langs: tuple[str, ...], written: list[Any], output: Path, *, pdf: bool) -> None:
    """What `report` wrote, and the PDFs when asked for."""
    from ssc_mining.progress import phase

    for lang, paths in zip(langs, written):
        click.echo(f"Report ({lang}): {paths.html}")
        if paths.tables:
            click.echo(f"Tables: {len(paths.tables) - 1} CSV files in {paths.tables[0].parent}, and {paths.tables[-1]}")
        click.echo(f"Figures and provenance: {paths.json}")
    if written[0].quarantine:
        click.echo(f"Rows set aside, with row number and reason: {written[0].quarantine}")
    click.echo(f"SHA-256 of every file: {written[0].sha256} (check with `sha256sum -c {written[0].sha256.name}` "
               "in the folder)")
    if pdf:  # printed from the reports in place, then added to the set's manifest
        from ssc_mining.report.pdf import add_pdfs

        with phase("printing the report to A4 PDF with Chromium"):
            pdfs = add_pdfs(output, [paths.html for paths in written], written[0].sha256)
        for path in pdfs:
            click.echo(f"PDF (A4): {path}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_mapping_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default is this machine only (others cannot reach it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8050, show_default=True,
              help="Port to listen on (0: a free one, printed when the explorer is ready).")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder the explorer proposes for a saved report.")
@click.option("--as-of", metavar="DATE",
              help="The moment of the export (as for `report`; recorded in a saved report).")
@_analyser_options
@_privacy_options
@click.option("--lang", "langs", type=click.Choice(["en", "nl"]), multiple=True, default=("en",),
              show_default=True, help="Language of the explorer (the first) and of a saved report (each).")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_progress_option
@_handle_errors
def serve(file: Path, host: str, port: int, output: Path, as_of: str | None, langs: tuple[str, ...], debug: bool,
          **kwargs: Any) -> None:
    """Explore FILE in the browser: filter the tickets (time frame, attributes, variants, start and end,
    throughput, follower, a finding's tickets), see the process map, variants, single tickets, every
    analyser and a comparison with the rest for the selection, and save it as a report that
    `ssc-mining report --filter` makes again. Runs on this machine only and fetches nothing from
    elsewhere; stop it with Ctrl+C.

    \b
    Example:
      ssc-mining serve data/samples/generic-events.csv --pseudonym-key-file key.txt
    """
    from ssc_mining.progress import phase
    from ssc_mining.serve.explorer import Explorer
    from ssc_mining.serve.server import check_port, run_server

    check_port(host, port)   # before the file is read: a port in use is said at once
    ctx = click.get_current_context()
    plugins_dir = kwargs.get("plugins_dir")
    strict = bool(kwargs.get("strict"))
    analysers, problems = _select_analysers(kwargs.get("analyser_names"), kwargs.get("params", ()), plugins_dir,
                                            strict, kwargs.get("preset"),
                                            include_incomplete=bool(kwargs.get("include_incomplete")))
    for plugin, problem in problems.items():
        click.echo(f"Warning: plugin {plugin} was not loaded: {problem}", err=True)
    moment = _as_of(as_of)
    with _inputs_recording(kwargs, plugins_dir=plugins_dir) as recorded:
        log, analysers, privacy, pseudonymiser = _read_pseudonymised(file, kwargs, analysers,
                                                                     kwargs.get("params", ()), recorded)
    if privacy.key_source == "random":
        click.echo("Note: pseudonyms come from a random key; give --pseudonym-key-file to make a saved report "
                   "reproducible.", err=True)
    explorer = Explorer(log, analysers=analysers, privacy=privacy)
    with phase("preparing the explorer"):
        explorer.prepare()

    def save(texts: list[str], folder: str, name: str | None) -> Any:
        return _save_selection(ctx, file, log, texts, folder, name, analysers=analysers, privacy=privacy,
                               pseudonymiser=pseudonymiser, moment=moment)

    run_server(explorer, source=file.name, lang=langs[0], save=save, output=str(output), host=host, port=port,
               debug=debug)


def _save_selection(serve_ctx: click.Context, file: Path, log: Any, texts: list[str], folder: str,
                    name: str | None, *, analysers: list[Any], privacy: Any, pseudonymiser: Any, moment: Any) -> Any:
    """Write the report of the tickets ``texts`` keep, as `ssc-mining report` with the same options and
    ``--filter`` each of ``texts`` writes it; returns what was written and that command."""
    from ssc_mining.report.process_map import MapSettings
    from ssc_mining.report.writer import write_reports
    from ssc_mining.run_record import report_argv, run_record
    from ssc_mining.selection.filters import apply_filters, parse_filters
    from ssc_mining.serve.app import SavedReport

    argv = report_argv(serve_ctx, report, [str(file)], skip={"host", "port", "output"})
    argv += ["-o", folder] + (["--name", name] if name else []) + [w for t in texts for w in ("--filter", t)]
    parent = click.Context(main, info_name="ssc-mining")
    with report.make_context("report", argv, parent=parent) as ctx:
        run = run_record(ctx)
        params = ctx.params
    filtered, _steps = apply_filters(log, parse_filters(texts), analysers=analysers)
    settings = MapSettings(activity_coverage=params["map_activities"], path_coverage=params["map_paths"],
                           segment_by=_segments(params.get("map_segments")), reference=None)
    langs = tuple(dict.fromkeys(params["langs"]))
    written = write_reports(filtered, Path(folder), langs=langs, name=name, run_date=params.get("run_date"),
                            as_of=moment, map_settings=settings, analysers=analysers, strict=bool(params["strict"]),
                            privacy=privacy, pseudonymiser=pseudonymiser, run=run)
    files = [str(p) for paths in written for p in (paths.html, paths.json)]
    files += [str(written[0].sha256)] + ([str(written[0].quarantine)] if written[0].quarantine else [])
    return SavedReport(files=files, command=run["command"])


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--db", "database", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The DuckDB database to write (e.g. tickets.duckdb); report, analyse and discover read it as "
                   "they read an export.")
@click.option("--batch-rows", type=click.IntRange(1), default=1_000_000, show_default=True, metavar="N",
              help="Rows read, checked and written at a time (CSV and Parquet exports of the generic profile; "
                   "others are read whole).")
@click.option("--replace", is_flag=True, help="Write the database again when it exists.")
@_mapping_options
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_progress_option
@_handle_errors
def import_command(file: Path, database: Path, batch_rows: int, replace: bool, debug: bool, **kwargs: Any) -> None:
    """Read FILE in batches into a DuckDB database, with the same checks,
    quarantine and provenance as a report; rows read = used + set aside for
    every batch and in total.

    \b
    Example:
      ssc-mining import tickets.csv --db tickets.duckdb
      ssc-mining report tickets.duckdb -o reports/
    """
    from ssc_mining.loaders.database import BatchFigures
    from ssc_mining.loaders.importer import import_export
    from ssc_mining.progress import phase

    def shown(batch: BatchFigures) -> None:
        click.echo(f"Batch {batch.number}: rows {batch.first_row:,}–{batch.last_row:,}: {batch.rows_read:,} read, "
                   f"{batch.rows_used:,} used, {batch.rows_quarantined:,} set aside.")

    with _inputs_recording(kwargs) as recorded, phase(f"importing {file.name}"):
        spec = _spec(kwargs)
        result = import_export(file, database, spec, batch_rows=batch_rows, strict=kwargs.get("strict", False),
                               replace=replace, on_batch=shown, inputs=recorded)
    p = result.provenance
    how = (f"in {len(result.batches):,} batches" if result.streamed
           else "whole (this format or profile needs the whole file)")
    click.echo(f"Read {p.rows_read:,} rows from {file.name} {how}: {p.rows_used:,} used, "
               f"{p.rows_quarantined:,} set aside.")
    if p.rows_quarantined:
        click.echo("The rows set aside are in the database, with row number and reason; a report from it writes "
                   "them to a quarantine file.")
    click.echo(f"Database: {result.database} (read it with `ssc-mining report {result.database}`)")


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("simulated"),
              show_default=True, help="Folder for the exports and the ground truth.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: the same seed gives the same files.")
@click.option("--cases", type=click.IntRange(1, None), default=300, show_default=True, help="Number of tickets.")
@click.option("--start", default="2024-01-01", show_default=True, help="First day of the simulated period.")
@click.option("--months", type=click.IntRange(1, None), default=12, show_default=True, help="Length of the period.")
@click.option("--formats", default="generic", show_default=True, metavar="NAMES",
              help="Comma-separated export formats, or 'all': generic, topdesk, topdesk-history, servicenow, "
                   "servicenow-history, servicenow-audit, jira-json, jira-csv, xes.")
@click.option("--prefix", default="ssc", show_default=True, help="File name prefix.")
@click.option("--rate", "rates", multiple=True, metavar="NAME=VALUE",
              help="Override a planted-phenomenon rate, e.g. --rate reopen=0.2 (repeatable).")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def simulate(output: Path, seed: int, cases: int, start: str, months: int, formats: str, prefix: str,
             rates: tuple[str, ...], debug: bool) -> None:
    """Generate a seeded SSC scenario: ticket exports with known ground truth.

    Three municipalities served by one SSC, working hours and Dutch public
    holidays; handoffs, ping-pong, reopens, re-submitted questions, the
    salary-correction and Christmas-tree stories, waits and escalations are
    planted at set rates and recorded per case in PREFIX-truth.csv/.json.
    Files are written in batches, so memory stays flat at any size.

    \b
    Example:
      ssc-mining simulate -o simulated --cases 1000 --formats all --seed 3
    """
    from dataclasses import fields

    from ssc_mining.errors import ConfigError
    from ssc_mining.simulate import FORMATS, Rates, SimulationConfig, write_exports_streaming

    overrides: dict[str, float] = {}
    known = {f.name for f in fields(Rates)}
    for item in rates:
        name, _, value = item.partition("=")
        if name not in known:
            raise ConfigError(f"--rate {item!r}: unknown rate {name!r}", hint="rates: " + ", ".join(sorted(known)))
        try:
            overrides[name] = float(value)
        except ValueError:
            raise ConfigError(f"--rate {item!r}: {value!r} is not a number") from None
    chosen = FORMATS if formats.strip() == "all" else tuple(f.strip() for f in formats.split(",") if f.strip())
    cfg = SimulationConfig(seed=seed, cases=cases, start=start, months=months, rates=Rates(**overrides))
    paths = write_exports_streaming(cfg, output, formats=chosen, prefix=prefix)
    for key, path in paths.items():
        click.echo(f"{key:<28} {path}")


@main.command("plugins")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also list the plugins in the .py files in this folder.")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def list_plugins(plugins_dir: Path | None, debug: bool) -> None:
    """List every plugin by kind (analysers, presets, loader profiles) with where it comes from.

    Plugins that cannot be loaded are listed on stderr with the reason, and the exit code is 1.

    \b
    Example:
      ssc-mining plugins --plugins-dir my_plugins/
    """
    from ssc_mining.analysers import discover
    from ssc_mining.plugins import PLUGINS

    found = discover(plugins_dir)
    for kind in ("analysers", "presets", "profiles"):
        click.echo(f"{kind}:")
        for name, origin in PLUGINS.origins(kind).items():
            if kind == "analysers" and name not in found.analysers:
                continue   # listed below as a problem
            click.echo(f"  {name:<20} {origin}")
    for name, problem in found.problems.items():
        click.echo(f"plugin {name}: NOT LOADED: {problem}", err=True)
    if found.problems:
        raise SystemExit(1)


@main.command("profiles")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also list the loader profiles in the .py files in this folder.")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def list_profiles(plugins_dir: Path | None, debug: bool) -> None:
    """List the loader profiles (ticket systems) that are installed.

    \b
    Example:
      ssc-mining profiles
    """
    from ssc_mining.analysers import discover
    from ssc_mining.loaders import available_profiles
    from ssc_mining.loaders.profiles import get_profile

    if plugins_dir is not None:
        discover(plugins_dir)
    for name in available_profiles():
        click.echo(f"{name:<20} {get_profile(name).description}")


@main.command("presets")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also list the presets in the .py files in this folder.")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def list_presets(plugins_dir: Path | None, debug: bool) -> None:
    """List the report presets (named lists of analysers with parameters).

    \b
    Example:
      ssc-mining presets
    """
    from ssc_mining.analysers import discover
    from ssc_mining.analysers.presets import available_presets, get_preset

    if plugins_dir is not None:
        discover(plugins_dir)
    for name in available_presets():
        preset = get_preset(name)
        click.echo(f"{name:<16} {preset.description}")
        click.echo(f"{'':<16} analysers: " + ", ".join(
            f"{a}({', '.join(f'{k}={v!r}' for k, v in p.items())})" for a, p in preset.analysers.items()))


@main.command("analysers")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also list analysers from the .py files in this folder.")
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_handle_errors
def list_analysers(plugins_dir: Path | None, debug: bool) -> None:
    """List the installed analysers with their descriptions, columns and parameters.

    \b
    Example:
      ssc-mining analysers
    """
    from ssc_mining.analysers import discover

    found = discover(plugins_dir)
    for name, cls in found.analysers.items():
        click.echo(f"{name}  (version {cls.version}, from {found.origins[name]})")
        click.echo(f"  en: {cls.description.get('en', '')}")
        click.echo(f"  nl: {cls.description.get('nl', '')}")
        click.echo(f"  requires: {', '.join(cls.requires) or '-'}")
        click.echo(f"  uses if present: {', '.join(cls.uses) or '-'}")
        defaults = cls.param_defaults()
        click.echo("  parameters: " + (", ".join(f"{k}={v!r}" for k, v in defaults.items()) or "none"))
    for name, problem in found.problems.items():
        click.echo(f"plugin {name}: NOT LOADED: {problem}", err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_mapping_options
@_analyser_options
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the analysers' results (and the provenance) to this JSON file.")
@_engine_options
@_privacy_options
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_jobs_option
@_progress_option
@_handle_errors
def analyse(file: Path, json_out: Path, analyser_names: str | None, preset: str | None, params: tuple[str, ...],
            plugins_dir: Path | None, debug: bool, **kwargs: Any) -> None:
    """Run analysers on FILE and write their results as JSON (no HTML).

    \b
    Example:
      ssc-mining analyse data/samples/generic-events.csv --json results.json --analysers throughput,variants
    """

    from ssc_mining._io import atomic_write_text, json_text
    from ssc_mining.analysers import run_analysers
    from ssc_mining.loaders import load

    strict = kwargs.get("strict", False)
    analysers, problems = _select_analysers(analyser_names, params, plugins_dir, strict, preset,
                                            include_incomplete=bool(kwargs.get("include_incomplete")))
    from dataclasses import asdict

    from ssc_mining.privacy import apply_privacy, pseudonymise_log
    from ssc_mining.report.model import semantics_figures

    privacy, pseudonymiser = _privacy(kwargs)
    run = run_record()
    from ssc_mining.progress import phase
    from ssc_mining.run_context import RunContext

    if kwargs.get("engine") in ("duckdb", "spark"):
        spec = _spec(kwargs)
        analysers = _with_calendar(analysers, spec, params)
        results, semantics, provenance = _analyse_in_partitions(file, kwargs, spec, analysers, pseudonymiser,
                                                                plugins_dir=plugins_dir)
    else:
        with _inputs_recording(kwargs, plugins_dir=plugins_dir) as recorded, phase(f"reading {file.name}"):
            spec = _spec(kwargs)
            log = load(file, spec, strict=strict)
        analysers = _with_calendar(analysers, spec, params)
        log.provenance.inputs += [i.to_dict() for i in recorded]   # after the import's, when FILE is a database
        if pseudonymiser is not None:
            log = pseudonymise_log(log, pseudonymiser)
        context = RunContext.of(log, strict=strict, jobs=kwargs.get("jobs"))
        results = run_analysers(log, analysers, context=context)
        semantics, provenance = semantics_figures(log), log.provenance
    results, notes = apply_privacy(results, privacy)
    data = {"schema": "ssc_mining.analyse/1", "run": run, "analysers": [r.to_dict() for r in results],
            "plugin_problems": problems, "privacy": {**asdict(privacy), "notes": notes},
            "semantics": semantics, "provenance": provenance.to_dict()}
    atomic_write_text(json_out, json_text(data))
    for r in results:
        click.echo(f"{r.analyser}: {r.status}" + (f" ({r.reason})" if r.reason else ""))
    click.echo(f"Results: {json_out}")


def _inputs_recording(kwargs: dict[str, Any], *, plugins_dir: Path | None = None,
                      reference: Path | None = None):
    """A recording of every input file besides the export (see :mod:`ssc_mining.eventlog.inputs`): the files
    named by options are recorded at once, those a reader opens (mapping file, people directory, side
    tables) when it opens them."""
    from contextlib import contextmanager

    from ssc_mining.eventlog.inputs import record_input, recording

    @contextmanager
    def record():
        with recording() as found:
            if plugins_dir is not None and Path(plugins_dir).is_dir():
                for path in sorted(Path(plugins_dir).glob("*.py")):
                    record_input(N_("plugin"), path)
            if reference is not None and Path(reference).is_file():
                record_input(N_("reference model"), reference)
            key = kwargs.get("pseudonym_key_file")
            if key is not None and Path(key).is_file():
                record_input(N_("pseudonym key file"), key, secret=True)
            yield found

    return record()


def _duckdb_events(file: Path, kwargs: dict[str, Any], pseudonymiser: Any, *, reference: Path | None) -> Any:
    """The database FILE (from `ssc-mining import`) for the DuckDB or Spark engine, with its inputs recorded."""
    from ssc_mining.engines.attached import memory_limit_for
    from ssc_mining.engines.duckdb_events import DuckDBEvents
    from ssc_mining.errors import InputError
    from ssc_mining.eventlog.inputs import record_input
    from ssc_mining.loaders import is_database
    from ssc_mining.loaders.database import refuse_reading_options
    from ssc_mining.loaders.limits import current as current_limits
    from ssc_mining.progress import phase

    engine = kwargs.get("engine", "duckdb")
    if not file.is_file() or not is_database(file):
        raise InputError(f"--engine {engine} reads a database written by `ssc-mining import`", path=file,
                         hint=f"import the export first: ssc-mining import {file} --db tickets.duckdb")
    spark = None
    if engine == "spark":
        from ssc_mining.engines.spark import SparkEvents, spark_session

        with phase("starting Spark"):
            spark = spark_session()
    with _inputs_recording(kwargs, reference=reference) as recorded, phase(f"opening {file.name} in DuckDB"):
        refuse_reading_options(_spec(kwargs), file)
        record_input(N_("imported database"), file)
        memory_limit = memory_limit_for(current_limits().max_memory)
        if spark is not None:
            events: DuckDBEvents = SparkEvents(file, spark, pseudonymiser=pseudonymiser, memory_limit=memory_limit,
                                               stage=kwargs.get("spark_stage"))
        else:
            events = DuckDBEvents(file, pseudonymiser=pseudonymiser, memory_limit=memory_limit)
    events.provenance.inputs += [i.to_dict() for i in recorded]
    return events


def _analyse_in_partitions(file: Path, kwargs: dict[str, Any], spec: Any, analysers: list[Any], pseudonymiser: Any,
                           *, plugins_dir: Path | None) -> tuple[list[Any], dict[str, Any], Any]:
    """--engine duckdb or spark: the results of ``analysers`` on the database FILE, read in partitions of whole
    tickets (by this process, or by Spark's workers); the semantics figures and the provenance."""
    from ssc_mining.analysers.runner import run_in_partitions
    from ssc_mining.i18n import current_language, render_texts
    from ssc_mining.report.model import semantics_data
    from ssc_mining.run_context import RunContext

    with _partitions_of(file, kwargs, spec, pseudonymiser,
                        plugins_dir=plugins_dir) as (parts, provenance, spark, _database):
        # --jobs: analysers side by side on each partition (default one: this engine is for memory, not speed)
        context = RunContext(timezone=provenance.timezone, strict=bool(kwargs.get("strict")),
                             jobs=kwargs.get("jobs") or 1)
        spill = parts.scratch / "parts" if parts.n > 1 else None
        if spark:
            from ssc_mining.analysers.on_spark import run_on_spark

            results = run_on_spark(parts, analysers, context=context, spill=spill)
        else:
            results = run_in_partitions(parts.logs(), parts.facts, analysers, context=context, spill=spill)
        return render_texts(results, current_language()), semantics_data(parts.semantics,
                                                                         parts.facts.roles_present), provenance


def _partitions_of(file: Path, kwargs: dict[str, Any], spec: Any, pseudonymiser: Any, *,
                   plugins_dir: Path | None = None, reference: Path | None = None) -> Any:
    """--engine duckdb or spark: a context that opens FILE in partitions of whole tickets (for Spark, a
    :class:`SparkPartitions`) and gives (partitions, provenance, whether Spark runs them, the database read). FILE
    is a database from `ssc-mining import`, or a Parquet export, imported first into a temporary database (with the
    same checks and quarantine; removed at the end). The provenance records the inputs, the database, the
    semantics' notes and the engine."""
    from contextlib import ExitStack, contextmanager

    from ssc_mining.engines.attached import memory_limit_for
    from ssc_mining.engines.partitioned import Partitions
    from ssc_mining.eventlog.inputs import record_input
    from ssc_mining.loaders.limits import current as current_limits
    from ssc_mining.progress import phase

    engine = kwargs.get("engine", "duckdb")
    imported = _engine_input(file, engine, spec)
    options = {"partition_events": kwargs["partition_events"], "semantics": spec.semantics or None,
               "pseudonymiser": pseudonymiser, "memory_limit": memory_limit_for(current_limits().max_memory)}
    spark = None
    if engine == "spark":
        from ssc_mining.engines.spark import SparkPartitions, spark_session

        with phase("starting Spark"):
            spark = spark_session()

    @contextmanager
    def opened() -> Any:
        with ExitStack() as stack:
            with _inputs_recording(kwargs, plugins_dir=plugins_dir, reference=reference) as recorded:
                if imported:
                    database = _imported_for_engine(file, spec, kwargs, stack, recorded)
                else:
                    database = file
                    record_input(N_("imported database"), file)
                with phase(f"deciding on the whole of {file.name}"):
                    if spark is not None:
                        parts: Partitions = SparkPartitions(database, spark, stage=kwargs.get("spark_stage"),
                                                            **options)
                    else:
                        parts = Partitions(database, **options)
            stack.enter_context(parts)
            provenance = parts.provenance()
            if not imported:
                provenance.inputs += [i.to_dict() for i in recorded]
                provenance.notes.append(N_("read from the database %(name)s, written by ssc-mining import")
                                        % {"name": file.name})
            else:
                provenance.notes.append(N_("imported into a temporary database first, with the checks and the "
                                           "quarantine of ssc-mining import"))
            provenance.notes.extend(parts.semantics.notes)
            if spark is not None:
                note = N_("analysed by Spark %(version)s (%(master)s) in %(n)s partitions of whole tickets") \
                    if parts.n > 1 else N_("analysed by Spark %(version)s (%(master)s) in one partition")
                provenance.notes.append(note % {"version": spark.version, "master": spark.sparkContext.master,
                                                "n": parts.n})
            else:
                note = N_("analysed by DuckDB %(version)s in %(n)s partitions of whole tickets") if parts.n > 1 \
                    else N_("analysed by DuckDB %(version)s in one partition")
                provenance.notes.append(note % {"version": duckdb_version(), "n": parts.n})
            if kwargs.get("strict") and parts.meta["provenance"].get("rows_quarantined"):
                from ssc_mining.errors import StrictModeError

                raise StrictModeError(f"{parts.meta['provenance']['rows_quarantined']:,} rows were quarantined on "
                                      "import", path=provenance.source.name,
                                      hint="fix the rows and import again, or run without --strict")
            yield parts, provenance, spark is not None, database

    return opened()


def _engine_input(file: Path, engine: str, spec: Any) -> bool:
    """Whether FILE, given to the DuckDB or Spark engine, must be imported first (a Parquet export) or not (a
    database from `ssc-mining import`); anything else is refused, saying what to do."""
    from ssc_mining.errors import InputError
    from ssc_mining.loaders import is_database
    from ssc_mining.loaders.database import refuse_reading_options
    from ssc_mining.loaders.sniff import detect_kind

    if not file.exists():
        raise InputError("the file does not exist", path=file, hint="check the path")
    if file.is_file() and is_database(file):
        refuse_reading_options(spec, file)
        return False
    try:
        kind = detect_kind(file) if file.is_file() else None
    except SSCMiningError:
        kind = None
    if kind != "parquet":
        raise InputError(f"--engine {engine} reads a database written by `ssc-mining import`, or a Parquet export",
                         path=file, hint=f"import the export first: ssc-mining import {file} --db tickets.duckdb")
    return True


def _imported_for_engine(file: Path, spec: Any, kwargs: dict[str, Any], stack: Any, recorded: list[Any]) -> Path:
    """The Parquet export FILE imported into a temporary database (removed when ``stack`` closes), in batches, with
    the checks and quarantine of `ssc-mining import`; the inputs ``recorded`` so far go into its provenance."""
    import shutil
    import tempfile

    from ssc_mining.loaders.importer import import_export
    from ssc_mining.progress import phase

    folder = Path(tempfile.mkdtemp(prefix="ssc-mining-import-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    database = folder / f"{file.name}.duckdb"
    with phase(f"importing {file.name} into a temporary database"):
        import_export(file, database, spec, strict=bool(kwargs.get("strict")), inputs=recorded)
    return database


def duckdb_version() -> str:
    import duckdb

    return str(duckdb.__version__)


def _reconciliation(file: Path, provenance: Any) -> str:
    """The line that says how the rows of the input reconcile (naming the export when FILE is a database)."""
    p = provenance
    source = file.name if p.source.name == file.name else f"{p.source.name} (imported into {file.name})"
    return f"Read {p.rows_read:,} rows from {source}: {p.rows_used:,} used, {p.rows_quarantined:,} set aside."


def _segments(text: str | None) -> tuple[str, ...]:
    """--map-segments: comma-separated case attributes, or 'none'."""
    if not text or text.strip().lower() == "none":
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@_mapping_options
@click.option("--coverage", type=click.FloatRange(0.0, 1.0), default=0.8, show_default=True,
              help="Mine the model on the most frequent variants covering this share of cases.")
@click.option("--max-variants", type=click.IntRange(1, None), default=5000, show_default=True,
              help="Mine on at most this many variants (the miner's time follows the number of variants).")
@click.option("--noise", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Noise threshold of the inductive miner (0 = IM, > 0 = IMf).")
@click.option("--bpmn", type=click.Path(dir_okay=False, path_type=Path), help="Write the model as BPMN 2.0 XML.")
@click.option("--pnml", type=click.Path(dir_okay=False, path_type=Path), help="Write the model as a PNML Petri net.")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the process map as a standalone SVG (for documents).")
@click.option("--mode", type=click.Choice(["frequency", "performance"]), default="frequency", show_default=True,
              help="What the SVG map shows.")
@click.option("--map-activities", type=click.FloatRange(0.0, 1.0), default=1.0, show_default=True,
              help="SVG map: keep the most frequent activities covering this share of events.")
@click.option("--map-paths", type=click.FloatRange(0.0, 1.0), default=0.9, show_default=True,
              help="SVG map: keep the most frequent paths covering this share of transitions.")
@click.option("--reference", type=click.Path(dir_okay=False, path_type=Path),
              help="Check conformance against this reference model (BPMN .bpmn or PNML .pnml).")
@click.option("--cases-csv", type=click.Path(dir_okay=False, path_type=Path),
              help="With --reference: write the fitness and deviations of every case to this CSV.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the model summary, map settings and conformance to this JSON file.")
@click.option("--engine", type=click.Choice(["pandas", "duckdb", "spark"]), default="pandas", show_default=True,
              help="Where the variants and the process map are computed: pandas (the log in memory), duckdb (on a "
                   "database from `ssc-mining import`, without loading the events: for logs beyond memory) or spark "
                   "(the same database's events staged for Spark, local mode or the cluster Spark's settings give).")
@click.option("--spark-stage", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="--engine spark: the folder where the events are staged as Parquet for Spark's workers "
                   "(default: a temporary folder; on a cluster, a folder every worker can read).")
@_privacy_options
@click.option("--debug", is_flag=True, help="Show the traceback of errors.")
@_progress_option
@_handle_errors
def discover(file: Path, coverage: float, max_variants: int, noise: float, bpmn: Path | None, pnml: Path | None,
             svg: Path | None, mode: str, map_activities: float, map_paths: float, reference: Path | None,
             cases_csv: Path | None, json_out: Path | None, debug: bool, **kwargs: Any) -> None:
    """Discover a process model from FILE (inductive miner) and export it; check conformance.

    \b
    Examples:
      ssc-mining discover tickets.csv --bpmn model.bpmn --pnml model.pnml --coverage 0.8
      ssc-mining discover tickets.csv --svg map.svg --mode performance
      ssc-mining discover tickets.csv --reference procedure.bpmn --cases-csv fitness.csv
    """
    from ssc_mining.loaders import load
    from ssc_mining.privacy import pseudonymise_log
    from ssc_mining.report.discover_writer import run_discover

    strict = kwargs.get("strict", False)
    from ssc_mining.progress import phase

    run = run_record()
    _settings, pseudonymiser = _privacy(kwargs)
    source: Any
    if kwargs.get("engine") in ("duckdb", "spark"):
        source = _duckdb_events(file, kwargs, pseudonymiser, reference=reference)
    else:
        with _inputs_recording(kwargs, reference=reference) as recorded, phase(f"reading {file.name}"):
            log = load(file, _spec(kwargs), strict=strict)
        log.provenance.inputs += [i.to_dict() for i in recorded]   # after the import's, when FILE is a database
        if pseudonymiser is not None:   # names inside activity labels or case ids never reach the model or the map
            log = pseudonymise_log(log, pseudonymiser)
        source = log
    for line in run_discover(source, coverage=coverage, max_variants=max_variants, noise=noise, bpmn=bpmn, pnml=pnml,
                             svg=svg, mode=mode, map_activities=map_activities, map_paths=map_paths,
                             reference=reference, cases_csv=cases_csv, json_out=json_out, run=run):
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
