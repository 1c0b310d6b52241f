"""Run analysers on a log: skip those that lack a column, catch those that fail.

Example:
    >>> from ssc_mining.analysers.registry import discover
    >>> import pandas as pd
    >>> from ssc_mining.eventlog import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
    ...     "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True)}))
    >>> [r.status for r in run_analysers(log, [discover().analysers["throughput"]()])]
    ['ok']
"""

from __future__ import annotations

import functools
import pickle
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ssc_mining.analysers.base import Analyser
from ssc_mining.errors import AnalyserFailedError
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.eventlog.log import EventLog
from ssc_mining.i18n import TextRenderedTooEarlyError, current_language, deferred, render_texts
from ssc_mining.i18n import gettext as _
from ssc_mining.memory import release_unused
from ssc_mining.parallel import side_by_side
from ssc_mining.progress import phase
from ssc_mining.results import Result
from ssc_mining.run_context import RunContext

__all__ = ["AnalyserFailedError", "PartialWork", "Parts", "RemoteFailure", "analyser_tasks", "combined_results",
           "partials_of", "results_and_parts", "run_analysers", "run_analysers_deferred", "run_in_partitions"]


def run_analysers(log: EventLog, analysers: Iterable[Analyser], *, strict: bool = False,
                  lang: str | None = None, context: RunContext | None = None) -> list[Result]:
    """One result per analyser, in the given order; texts in ``lang`` (default: the current language).

    Run-wide settings the analysers leave open (their time zone, the moment of the export) come from
    ``context`` (default: the log's zone, no moment); ``strict`` is the context's when one is given.
    """
    return render_texts(run_analysers_deferred(log, analysers, strict=strict, context=context),
                        lang or current_language())


def run_analysers_deferred(log: EventLog, analysers: Iterable[Analyser], *, strict: bool = False,
                           context: RunContext | None = None) -> list[Result]:
    """One result per analyser, in the given order, its texts deferred: written in any language afterwards with
    :func:`ssc_mining.i18n.render_texts` (so a report in two languages analyses the log once). The analysers
    run side by side on ``context.jobs`` threads (see :mod:`ssc_mining.parallel`); the results are the same
    for any number."""
    context = context or RunContext.of(log, strict=strict)
    analysers = list(analysers)
    with deferred():
        return side_by_side(analyser_tasks(log, analysers, context), context.jobs,
                            alone=[not a.thread_safe for a in analysers])


def analyser_tasks(log: EventLog, analysers: Iterable[Analyser], context: RunContext) -> list[Callable[[], Result]]:
    """One task per analyser, with the run-wide settings of ``context``, each giving its result (skipped or
    failed included): for :func:`ssc_mining.parallel.side_by_side`, run inside :func:`ssc_mining.i18n.deferred`."""
    return [functools.partial(_one, log, context.settle(a), strict=context.strict) for a in analysers]


def _one(log: EventLog, analyser: Analyser, *, strict: bool) -> Result:
    """The result of one analyser: skipped when the log lacks its columns, failed when it raised."""
    missing = analyser.missing_columns(log)
    if missing:
        return _lacking(analyser, missing)
    try:
        with phase(f"analyser {analyser.name}"):
            result = analyser.analyse(log)
        if not isinstance(result, Result):
            raise TypeError(f"analyse() returned {type(result).__name__}, not a Result")
    except TextRenderedTooEarlyError:
        raise  # a mistake in the analyser's code, not in the data
    except Exception as err:  # noqa: BLE001 - one failing analyser must not break the report
        result = _failure(analyser, err, strict=strict)
    return result


def run_in_partitions(partitions: Iterable[EventLog], facts: LogFacts, analysers: Iterable[Analyser], *,
                      context: RunContext, on_partition: Callable[[int, EventLog], None] | None = None,
                      spill: Path | None = None) -> list[Result]:
    """One result per analyser, in the given order, texts deferred, from a log given as ``partitions`` of whole
    tickets (read with the whole log's ``facts``; see :mod:`ssc_mining.engines.partitioned`).

    Each partition is read once and goes through every analyser's :meth:`~Analyser.partial`; the results are
    their :meth:`~Analyser.combine`. An analyser without these hooks is reported as not measured on this engine,
    one that lacks a column as skipped, one that raises as failed (or stops the run with ``context.strict``).
    ``on_partition(i, log)`` is called before partition ``i`` is analysed (progress). With ``spill`` (a folder),
    the parts wait there on disk instead of in memory, and each analyser's parts are read back only for its
    combination: memory then holds one partition, or one analyser's parts, not every analyser's parts at once.
    """
    return results_and_parts(partitions, facts, analysers, (), context=context, on_partition=on_partition,
                             spill=spill)[0]


def results_and_parts(partitions: Iterable[EventLog], facts: LogFacts, analysers: Iterable[Analyser],
                      pieces: Sequence[PartialWork], *, context: RunContext,
                      on_partition: Callable[[int, EventLog], None] | None = None,
                      spill: Path | None = None) -> tuple[list[Result], list[list[Any]]]:
    """:func:`run_in_partitions`, and in the same pass over the partitions the parts of other work that follows
    the analysers' contract (``pieces``: the report's overview, checks and drill-down lists): per piece, its parts
    in the order of the partitions, for the caller to combine. A piece that raises stops the run."""
    analysers = [context.settle(a) for a in analysers]
    workers: list[Any] = [*analysers, *pieces]
    parts: dict[int, Parts] = {i: Parts(spill / f"{i}" if spill else None)
                                for i, a in enumerate(analysers) if a.runs_in_partitions()}
    extra = {len(analysers) + k: Parts(spill / f"piece-{k}" if spill else None) for k in range(len(pieces))}
    failed: dict[int, Result] = {}
    missing: dict[int, list[str]] | None = None   # columns lack values in the whole log: the same in every partition
    with deferred():
        for number, log in enumerate(partitions):
            if missing is None:
                missing = {i: a.missing_columns(log) for i, a in enumerate(analysers)}
            if on_partition is not None:
                on_partition(number, log)
            wanted = [*(i for i in parts if i not in failed and not missing[i]), *extra]
            for i, part in partials_of(log, workers, wanted, number=number, jobs=context.jobs).items():
                if isinstance(part, Exception):
                    if i in extra:
                        raise part
                    failed[i] = _failure(analysers[i], part, strict=context.strict)
                else:
                    (extra[i] if i in extra else parts[i]).append(part)
            del log   # before the next partition is read
            release_unused()
        results = combined_results(analysers, parts, failed, missing or {}, facts, context=context)
    return results, [extra[i].all() for i in sorted(extra)]


class PartialWork(Protocol):
    """Work that runs on partitions as an analyser does (:meth:`~Analyser.partial` per partition), combined by
    its caller: the report's overview, data-quality checks and drill-down lists."""

    name: str
    thread_safe: bool

    def partial(self, log: EventLog) -> Any: ...


def partials_of(log: EventLog, analysers: Sequence[Analyser | PartialWork], wanted: Iterable[int], *,
                number: int = 0, jobs: int = 1) -> dict[int, Any]:
    """The part of partition ``number`` (``log``) for each analyser ``analysers[i]``, i in ``wanted``; the error
    instead, for an analyser that raised; up to ``jobs`` analysers side by side on threads (as in memory: the
    analysers that are not thread-safe alone). Run inside :func:`ssc_mining.i18n.deferred`."""
    wanted = list(wanted)

    def part(i: int) -> Any:
        try:
            with phase(f"analyser {analysers[i].name}, partition {number + 1}"):
                return analysers[i].partial(log)
        except TextRenderedTooEarlyError:
            raise
        except Exception as err:  # noqa: BLE001 - as in a run in memory
            return err

    found = side_by_side([functools.partial(part, i) for i in wanted], jobs,
                         alone=[not analysers[i].thread_safe for i in wanted])
    return dict(zip(wanted, found))


def combined_results(analysers: list[Analyser], parts: dict[int, Parts], failed: dict[int, Result],
                     missing: dict[int, list[str]], facts: LogFacts, *, context: RunContext) -> list[Result]:
    """One result per analyser from the parts of every partition (run inside :func:`ssc_mining.i18n.deferred`):
    failed, not run on this engine (no ``partial``), skipped for a missing column, or the combination."""
    results = []
    for i, analyser in enumerate(analysers):
        if i in failed:
            results.append(failed[i])
        elif i not in parts:
            results.append(Result.skipped(
                analyser.name, analyser.text(analyser.title) if analyser.title else analyser.name,
                _("this analysis needs all events in memory and does not run on the DuckDB or Spark engine yet; "
                  "run it with --engine pandas on a log that fits in memory"),
                version=analyser.version, params=analyser.params(),
                description=analyser.text(analyser.description)))
        elif missing.get(i):
            results.append(_lacking(analyser, missing[i]))   # the skipped result, as in memory
        else:
            results.append(_combined(analyser, parts.pop(i).all(), facts, strict=context.strict))   # then freed
            release_unused()
    return results


class Parts:
    """One analyser's parts, kept in memory or, with a folder, pickled there one file per partition."""

    def __init__(self, folder: Path | None) -> None:
        self.folder, self.n = folder, 0
        self.kept: list[Any] = []
        self.keys: list[int] = []
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def append(self, part: Any) -> None:
        """Keep ``part`` (a partition's, in the order of the partitions)."""
        if self.folder is not None:
            self.append_pickled(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
            return
        self.kept.append(part)
        self.keys.append(self.n)
        self.n += 1

    def append_pickled(self, data: bytes, key: int | None = None) -> None:
        """Keep a part given pickled (in memory, it is unpickled); parts given with a ``key`` (their partition)
        come back in the order of their keys, whatever the order they came in."""
        if self.folder is None:
            self.kept.append(pickle.loads(data))   # noqa: S301 - a part made by this run's own workers
        else:
            (self.folder / f"{self.n}.pickle").write_bytes(data)
        self.keys.append(self.n if key is None else key)
        self.n += 1

    def all(self) -> list[Any]:
        """Every part, in the order of their keys (files on disk are removed as they are read)."""
        order = sorted(range(self.n), key=self.keys.__getitem__)
        if self.folder is None:
            return [self.kept[k] for k in order]
        out = []
        for k in order:
            path = self.folder / f"{k}.pickle"
            with open(path, "rb") as source:
                out.append(pickle.load(source))   # noqa: S301 - our own files, written in this run
            path.unlink()
        return out


class RemoteFailure(Exception):
    """An analyser's error raised in another process (a Spark worker), carried back as its text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    @classmethod
    def of(cls, err: Exception) -> RemoteFailure:
        """The failure of ``err``, with its type and where it was raised, as :func:`_failure` words it."""
        last = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
        where = f" (at {last.filename.rsplit('/', 1)[-1]}:{last.lineno})" if last else ""
        return cls(f"{type(err).__name__}: {err}{where}")


def _lacking(analyser: Analyser, missing: list[str]) -> Result:
    """The result of an analyser skipped because the log lacks the columns ``missing``."""
    return Result.skipped(
        analyser.name, analyser.text(analyser.title) if analyser.title else analyser.name,
        _("the export has no values in the column(s) %(columns)s; map them with the column options "
          "(see `ssc-mining inspect`)") % {"columns": ", ".join(missing)},
        version=analyser.version, params=analyser.params(), description=analyser.text(analyser.description))


def _combined(analyser: Analyser, parts: list[Any], facts: LogFacts, *, strict: bool) -> Result:
    try:
        with phase(f"analyser {analyser.name}, combining {len(parts)} partitions"):
            result = analyser.combine(parts, facts)
        if not isinstance(result, Result):
            raise TypeError(f"combine() returned {type(result).__name__}, not a Result")
        return result
    except TextRenderedTooEarlyError:
        raise
    except Exception as err:  # noqa: BLE001
        return _failure(analyser, err, strict=strict)


def _failure(analyser: Analyser, err: Exception, *, strict: bool) -> Result:
    """The failed result of ``analyser`` (or, with ``strict``, the error that stops the run)."""
    title = analyser.text(analyser.title) if analyser.title else analyser.name
    if strict:
        text = err.text if isinstance(err, RemoteFailure) else f"{type(err).__name__}: {err}"
        raise AnalyserFailedError(f"analyser {analyser.name!r} failed: {text}",
                                  hint="run without --strict to report it as failed and go on") from err
    text = err.text if isinstance(err, RemoteFailure) else RemoteFailure.of(err).text
    return Result.failed(analyser.name, title, text, version=analyser.version,
                         params=analyser.params(), description=analyser.text(analyser.description))
