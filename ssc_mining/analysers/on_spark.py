"""``analyse --engine spark``: the analysers' parts computed by Spark's workers, combined here.

The engine (:mod:`ssc_mining.engines.spark`) stages the events and hands each partition to a worker; this module
says what a worker does with it — the partition as an event log read with the whole log's decisions, every
analyser's ``partial`` — and combines the parts as :func:`~ssc_mining.analysers.runner.run_in_partitions` does.

Example (Spark needs Java, so not run here):
    >>> from ssc_mining.engines.spark import SparkPartitions, spark_session     # doctest: +SKIP
    >>> with SparkPartitions("tickets.duckdb", spark_session()) as parts:        # doctest: +SKIP
    ...     results = run_on_spark(parts, analysers, context=context)
"""

from __future__ import annotations

import functools
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ssc_mining.analysers.base import Analyser
from ssc_mining.analysers.runner import (
    PartialWork,
    Parts,
    RemoteFailure,
    _failure,
    combined_results,
    partials_of,
)
from ssc_mining.engines.partitioned import PartitionReader, partition_frame
from ssc_mining.engines.spark import SparkPartitions, out_rows, table_as_read, task
from ssc_mining.i18n import deferred
from ssc_mining.results import Result
from ssc_mining.run_context import RunContext

__all__ = ["run_on_spark", "spark_results_and_parts"]


def run_on_spark(parts: SparkPartitions, analysers: list[Analyser], *, context: RunContext,
                 spill: Path | None = None) -> list[Result]:
    """One result per analyser, texts deferred, as :func:`~ssc_mining.analysers.runner.run_in_partitions` gives
    them, with the parts computed by Spark's workers and combined here in the order of the partitions."""
    return spark_results_and_parts(parts, analysers, (), context=context, spill=spill)[0]


def spark_results_and_parts(parts: SparkPartitions, analysers: list[Analyser], pieces: Sequence[PartialWork], *,
                            context: RunContext, spill: Path | None = None) -> tuple[list[Result], list[list[Any]]]:
    """:func:`run_on_spark`, and the parts of ``pieces`` (per piece, in the order of the partitions), as
    :func:`~ssc_mining.analysers.runner.results_and_parts` gives them; a piece that raises stops the run."""
    analysers = [context.settle(a) for a in analysers]
    _by_value(analysers)
    empty = parts.empty_log()
    missing = {i: a.missing_columns(empty) for i, a in enumerate(analysers)}
    kept = {i: Parts(spill / f"{i}" if spill else None) for i, a in enumerate(analysers) if a.runs_in_partitions()}
    extra = {len(analysers) + k: Parts(spill / f"piece-{k}" if spill else None) for k in range(len(pieces))}
    wanted = [*(i for i in kept if not missing[i]), *extra]
    failed: dict[int, tuple[int, Result]] = {}   # analyser: (partition, failed result)
    with deferred():
        work = [*analysers, *pieces]
        for partition, i, is_failure, payload in parts.run(functools.partial(_make, parts.reader(), work, wanted)):
            if is_failure and i in extra:
                raise RuntimeError(f"{pieces[i - len(analysers)].name} failed on Spark: "
                                   f"{pickle.loads(payload).text}")  # noqa: S301 - our own workers' payload
            if is_failure:
                if i not in failed or partition < failed[i][0]:   # the first partition's failure, as in order
                    failed[i] = (partition, _failure(analysers[i], pickle.loads(payload),  # noqa: S301
                                                     strict=context.strict))
            else:
                (extra[i] if i in extra else kept[i]).append_pickled(payload, key=partition)
        results = combined_results(analysers, kept, {i: r for i, (_p, r) in failed.items()}, missing, parts.facts,
                                   context=context)
    return results, [extra[i].all() for i in sorted(extra)]


def _make(reader: PartitionReader, analysers: list[Any], wanted: list[int], piece: int,
          schema: pa.Schema) -> Any:
    """The workers' task: every analyser's part of a partition."""
    return task(_parts_task, piece, schema, reader, analysers, wanted)


def _by_value(analysers: list[Analyser]) -> None:
    """Analysers from plugin files are sent to the workers by value (the workers cannot import those files)."""
    from pyspark import cloudpickle

    for analyser in analysers:
        module = sys.modules.get(type(analyser).__module__)
        if module is not None and not module.__name__.startswith("ssc_mining"):
            cloudpickle.register_pickle_by_value(module)



def _parts_task(piece: int, schema: pa.Schema, reader: PartitionReader, analysers: list[Any], wanted: list[int],
                key: tuple[Any, ...], table: pa.Table) -> pa.Table:
    partition = key[0].as_py()
    frame, rows = partition_frame(table_as_read(table, schema), reader.objects)
    log = reader.log(frame, rows)
    del frame, rows
    with deferred():
        found = partials_of(log, analysers, wanted, number=partition)
    out = []
    for i, part in found.items():
        if isinstance(part, Exception):
            out.append((partition, i, True, pickle.dumps(RemoteFailure.of(part), protocol=pickle.HIGHEST_PROTOCOL)))
        else:
            out.append((partition, i, False, pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)))
    return out_rows(out, piece)

