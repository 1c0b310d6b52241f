"""``--engine spark``: the partitions' work done by Spark's workers, on one machine or on a cluster.

The same design as the DuckDB engine (:mod:`ssc_mining.engines.partitioned`), with the per-ticket work spread:

1. **Decisions on the whole log** (semantics from label counts, the columns with values, the numbers, the people's
   names for pseudonyms) are made on the driver by DuckDB, from the imported database, as for ``--engine duckdb``.
2. **Staging:** the events are written once as Parquet with each event's partition (the same hash of the ticket
   id as the DuckDB engine's, so the partitions are the same) into a folder that Spark's workers read
   (``stage``; on a cluster, a folder every worker sees).
3. **Facts pass and parts on the workers:** Spark groups the events by partition
   (``groupBy(partition).applyInArrow``); each worker turns its partition into an ordinary event log with the
   whole log's decisions (:class:`~ssc_mining.engines.partitioned.PartitionReader`, sent pickled) and runs
   every analyser's ``partial`` — the same pandas code as on the other engines. The parts come back pickled.
4. **Combination on the driver**, in the order of the partitions, as on the DuckDB engine: the results are the
   same, figure for figure.

The Spark session is the one Spark's usual settings give (``spark-submit``, ``spark-defaults.conf``,
``SPARK_*`` variables, ``PYSPARK_SUBMIT_ARGS``); without any, PySpark starts Spark in local mode on this
machine, and ssc-mining gives its JVM a quarter of the available memory and keeps its log to errors. The
session's time zone is set to UTC (times travel as UTC instants).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from ssc_mining.loaders.importer import import_export
    >>> db = Path(tempfile.mkdtemp()) / "tickets.duckdb"
    >>> _ = import_export("data/samples/generic-events.csv", db)
    >>> spark = spark_session()                                    # doctest: +SKIP
    >>> with SparkPartitions(db, spark, partitions=3) as parts:    # doctest: +SKIP
    ...     parts.facts.cases
    400
"""

from __future__ import annotations

import math
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ssc_mining.discovery.dfg import DirectlyFollows
from ssc_mining.discovery.variants import VariantTable
from ssc_mining.engines.duckdb_events import DuckDBEvents, graph_of_counts, variant_table_of
from ssc_mining.engines.partitioned import (
    _PART,
    _ROWID,
    PARTITION_EVENTS,
    Partitions,
    facts_of_partition,
    partition_frame,
)
from ssc_mining.errors import ConfigError, ResourceError
from ssc_mining.eventlog import columns as C
from ssc_mining.eventlog.facts import LogFacts
from ssc_mining.privacy import Pseudonymiser
from ssc_mining.semantics.reading import Semantics

__all__ = ["SparkEvents", "SparkPartitions", "out_rows", "spark_session", "task", "table_as_read"]

#: what each group's task returns: its partition, the analyser (-1: the partition's facts), failed or not, and the
#: pickled part (or facts, or failure) in pieces of at most ``_PIECE`` bytes (piece number, number of pieces)
_OUT = "partition int, analyser int, failed boolean, piece int, pieces int, payload binary"
_PIECE = 32 * 2**20


def spark_session() -> Any:
    """The Spark session that Spark's usual settings describe (local mode on this machine when none do), with
    UTC as its time zone; a clear :class:`ConfigError` when PySpark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("--engine spark needs PySpark, which is not installed",
                          hint="pip install 'ssc-mining[spark]'; Spark also needs a Java 17 runtime "
                               "(Debian: apt-get install openjdk-17-jre-headless)") from None
    # the workers run this Python (with this package) unless spark.pyspark.python or PYSPARK_PYTHON says otherwise
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("ssc-mining").config("spark.ui.showConsoleProgress", "false")
    if SparkSession.getActiveSession() is None and "SPARK_CONF_DIR" not in os.environ \
            and "PYSPARK_SUBMIT_ARGS" not in os.environ:
        # Spark started here, not by spark-submit or its settings: its log shows errors only (its warnings would
        # mix with the output), and its JVM gets the memory the parts pass through (Spark's 1 GiB is too little)
        log_settings = Path(__file__).with_name("spark-log4j2.properties")
        builder = (builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log_settings}")
                   .config("spark.driver.memory", f"{_driver_memory() // 2**20}m"))
    try:
        spark = builder.getOrCreate()
    except Exception as err:  # noqa: BLE001 - PySpark's errors when Java is missing or does not start
        raise ConfigError(f"Spark did not start: {err}".strip(),
                          hint="Spark needs a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless) "
                               "and JAVA_HOME pointing to it, or a cluster given by spark-submit") from None
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def _driver_memory() -> int:
    """Bytes for Spark's JVM when ssc-mining starts Spark itself: a quarter of the available memory, between 1
    and 8 GiB (the Python workers that analyse the partitions need the rest)."""
    from ssc_mining.loaders.footprint import available_bytes

    available = available_bytes() or 4 * 2**30
    return int(min(max(available // 4, 2**30), 8 * 2**30))


def _out_of_memory(err: Exception) -> Exception:
    """Spark's error as a :class:`ResourceError` when its JVM ran out of memory; else the error itself."""
    if "OutOfMemoryError" not in str(err):
        return err
    return ResourceError("Spark ran out of memory (Java heap space)",
                         hint="give Spark's driver more memory (spark-submit --driver-memory 8g, or "
                              "spark.driver.memory in Spark's settings), or use smaller partitions "
                              "(--partition-events)")


def _staging(stage: Path | None, scratch: Path) -> Path:
    """A new folder for this run's staged events: in ``stage`` when given (a folder Spark's workers read), else in
    the temporary folder ``scratch``."""
    if stage is None:
        return scratch
    stage.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="ssc-mining-stage-", dir=stage))


def _unstage(staged: Path | None) -> None:
    """Remove a run's staged events (and its folder, when it was made in a given stage folder)."""
    if staged is not None and staged.parent.name.startswith("ssc-mining-stage-"):
        shutil.rmtree(staged.parent, ignore_errors=True)


class SparkPartitions(Partitions):
    """An imported database's events in partitions of whole tickets, staged as Parquet for ``spark``'s workers.

    ``stage``: the folder for the staged events (default: this object's temporary folder, right in local mode; on
    a cluster give a folder that every worker reads). At least as many partitions as Spark has cores.
    """

    def __init__(self, path: str | Path, spark: Any, *, partitions: int | None = None,
                 partition_events: int = PARTITION_EVENTS, semantics: dict[str, Any] | None = None,
                 pseudonymiser: Pseudonymiser | None = None, memory_limit: int | None = None,
                 stage: Path | None = None) -> None:
        self.spark = spark
        self._stage = stage
        #: the largest piece of a part passed through Spark (bytes)
        self.piece_bytes = _PIECE
        self.staged: Path | None = None
        super().__init__(path, partitions=partitions, partition_events=partition_events, semantics=semantics,
                         pseudonymiser=pseudonymiser, memory_limit=memory_limit)

    def close(self) -> None:
        _unstage(self.staged)
        super().close()

    def _partition_count(self) -> int:
        if self._partitions:
            return self._partitions
        return max(math.ceil(self.events / self._partition_events), int(self.spark.sparkContext.defaultParallelism))

    def _reads_whole(self) -> bool:
        return False   # every partition is read by a worker

    def _order_by_partition(self) -> None:
        """The events with their database row and partition, as Parquet in the stage folder."""
        self.staged = _staging(self._stage, self.scratch) / "events.parquet"
        self.schema = self._sql(f'SELECT *, rowid AS "{_ROWID}" FROM src.events LIMIT 0', "arrow").schema
        target = str(self.staged).replace("'", "''")
        self._sql(f'COPY (SELECT *, rowid AS "{_ROWID}", (hash("{C.CASE}") % {self.n})::INTEGER AS "{_PART}" '
                  f"FROM src.events) TO '{target}' (FORMAT parquet)")

    def _grouped(self, columns: list[str]) -> tuple[Any, pa.Schema]:
        """The staged events' ``columns`` and database row, grouped by partition; and the Arrow schema the
        workers give them back (Spark sees them as ``c0``, ``c1``, …: PySpark's grouped tasks cannot take
        column names with dots, such as an export's duplicate ``Variant.1``)."""
        frame = self.spark.read.parquet(str(self.staged))
        names = [*columns, _ROWID]
        chosen = [frame[f"`{c}`"].alias(f"c{k}") for k, c in enumerate(names)]
        grouped = frame.select(*chosen, frame[f"`{_PART}`"].alias("partition")).groupBy("partition")
        return grouped, pa.schema([self.schema.field(c) for c in names])

    def _partition_facts(self, needed: list[str], starts: frozenset[str]) -> list[LogFacts]:
        grouped, schema = self._grouped(needed)
        facts_task = task(_facts_task, self.piece_bytes, schema, list(self.meta["objects"]), self.semantics, starts)
        found = sorted(_whole(grouped.applyInArrow(facts_task, _OUT)))
        return [pickle.loads(payload) for _partition, _i, _failed, payload in found]  # noqa: S301

    def run(self, make_task: Any) -> Iterator[tuple[int, int, bool, bytes]]:
        """(partition, analyser, failed, pickled payload) of the task ``make_task(piece_bytes, schema)`` gives (a
        function of a partition's key and Arrow table, made with :func:`task`), run by Spark's workers on every
        partition, in the order they arrive."""
        grouped, schema = self._grouped(self.columns)
        yield from _whole(grouped.applyInArrow(make_task(self.piece_bytes, schema), _OUT))

    def empty_log(self) -> Any:
        """A log of no events read with the whole log's decisions: what columns the analysers lack is asked of it."""
        frame, rows = partition_frame(self.schema.empty_table(), self.meta["objects"])
        return self.reader().log(frame, rows)


class SparkEvents(DuckDBEvents):
    """An imported database's aggregates for discovery: the variants and the directly-follows graph computed by
    Spark on the events staged as Parquet; one value per ticket, the segments' graphs (the report's process-map
    section), the provenance and the pseudonyms as :class:`DuckDBEvents` gives them, by DuckDB on the driver,
    where the database is. The figures equal DuckDB's and pandas' (the tests hold them equal; the mean and median
    times of paths may differ in the last digit of a float, as sums taken in another order do)."""

    def __init__(self, path: str | Path, spark: Any, *, memory_limit: int | None = None,
                 pseudonymiser: Pseudonymiser | None = None, stage: Path | None = None) -> None:
        super().__init__(path, memory_limit=memory_limit, pseudonymiser=pseudonymiser)
        self.spark = spark
        self.staged = _staging(stage, self.scratch) / "events.parquet"
        chosen = ", ".join(f'"{c}"' for c in (C.CASE, C.ACTIVITY, C.TIMESTAMP, C.SOURCE_ROW) if c in self.columns)
        target = str(self.staged).replace("'", "''")
        self._sql(f"COPY (SELECT {chosen}, rowid AS \"{_ROWID}\" FROM src.events) TO '{target}' (FORMAT parquet)")
        self._provenance_note()
        self._steps: Any = None

    def _provenance_note(self) -> None:
        notes = self.provenance.notes
        notes[-1] = (f"aggregated by Spark {self.spark.version} ({self.spark.sparkContext.master}) from the database "
                     f"{self.path.name}")

    def _events(self) -> Any:
        """The staged events as Spark columns: case, activity, time in microseconds, export row, database row."""
        from pyspark.sql import functions as F

        frame = self.spark.read.parquet(str(self.staged))
        row = frame[f"`{C.SOURCE_ROW}`"] if C.SOURCE_ROW in self.columns else F.lit(None).cast("long")
        return frame.select(frame[f"`{C.CASE}`"].alias("c"), frame[f"`{C.ACTIVITY}`"].alias("a"),
                            F.unix_micros(frame[f"`{C.TIMESTAMP}`"]).alias("t"), row.alias("r"),
                            frame[f"`{_ROWID}`"].alias("rowid"))

    def _prepare(self) -> None:
        """Every event with its position in its ticket, the next activity and the time to it (in the event log's
        order: by time, then export row, missing last, as DuckDB orders them)."""
        if self._steps is not None:
            return
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        w = Window.partitionBy("c").orderBy(F.col("t").asc_nulls_last(), F.col("r").asc_nulls_last(),
                                            F.col("rowid"))
        self._steps = self._events().select(
            "c", "a", "rowid", F.lead("a").over(w).alias("na"),
            ((F.lead("t").over(w) - F.col("t")) / 1e6).alias("seconds"), F.row_number().over(w).alias("pos"),
        ).persist()   # kept by Spark (memory, then disk) for the queries below; released by close()

    def close(self) -> None:
        if self._steps is not None:
            self._steps.unpersist()
            self._steps = None
        _unstage(self.staged)
        super().close()

    def _variant_table(self) -> VariantTable:
        """The variants: each ticket's sequence collected by Spark; variants grouped on the whole sequence."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        self._prepare()
        per_case = self._steps.groupBy("c").agg(
            F.min("rowid").alias("first"),
            F.transform(F.sort_array(F.collect_list(F.struct("pos", "a"))), lambda x: x["a"]).alias("trace"))
        per_case = per_case.persist()
        try:
            variants = per_case.groupBy("trace").agg(F.count("*").alias("tickets"), F.min("first").alias("vfirst"))
            variants = variants.withColumn("vid", (F.row_number().over(Window.orderBy("vfirst")) - 1)).persist()
            found = variants.select("vid", "tickets", "trace").orderBy("vid").toArrow()
            cases = (per_case.join(variants.select("trace", "vid"), on="trace").select("c", "first", "vid")
                     .orderBy("first").toArrow())
            variants.unpersist()
        except Exception as err:  # noqa: BLE001 - Py4J's and Spark's errors have no common class
            raise _out_of_memory(err) from err
        finally:
            per_case.unpersist()
        names = [tuple(self._named(list(t), C.ACTIVITY)) for t in found.column("trace").to_pylist()]
        counts = found.column("tickets").to_numpy().astype(np.int64)
        return variant_table_of(names, counts, self._named(cases.column("c").to_pandas(), C.CASE),
                                cases.column("vid").to_numpy())

    def directly_follows(self) -> DirectlyFollows:
        """The directly-follows graph: activities, paths with their times, start and end activities."""
        from pyspark.sql import functions as F

        self._prepare()
        steps = self._steps
        try:
            nodes = steps.groupBy("a").agg(F.count("*").alias("events"),
                                           F.countDistinct("c").alias("cases")).toArrow().to_pandas()
            edges = (steps.where(F.col("na").isNotNull()).groupBy("a", "na")
                     .agg(F.count("*").alias("events"), F.countDistinct("c").alias("cases"),
                          F.percentile("seconds", 0.5).alias("median_seconds"),
                          F.avg("seconds").alias("mean_seconds")).toArrow().to_pandas())
            starts = steps.where(F.col("pos") == 1).groupBy("a").count().toArrow().to_pandas()
            ends = steps.where(F.col("na").isNull()).groupBy("a").count().toArrow().to_pandas()
        except Exception as err:  # noqa: BLE001
            raise _out_of_memory(err) from err

        def named(values: pd.Series) -> np.ndarray:
            return np.asarray(self._named(values.astype(object).tolist(), C.ACTIVITY), dtype=object)

        nodes = pd.DataFrame({"activity": named(nodes["a"]), "events": nodes["events"], "cases": nodes["cases"]})
        edges = pd.DataFrame({"source": named(edges["a"]), "target": named(edges["na"]),
                              **{k: edges[k] for k in ("events", "cases", "median_seconds", "mean_seconds")}})
        return graph_of_counts(nodes, edges, *(pd.Series(frame["count"].to_numpy(), index=named(frame["a"]))
                                               for frame in (starts, ends)))


def _whole(frame: Any) -> Iterator[tuple[int, int, bool, bytes]]:
    """(partition, analyser, failed, payload) of the rows of ``frame`` (a task's output), their pieces joined,
    read one Spark partition at a time; the JVM running out of memory becomes a :class:`ResourceError`."""
    pieces: dict[tuple[int, int], list[bytes]] = {}
    try:
        for row in frame.toLocalIterator():
            key = (int(row.partition), int(row.analyser))
            got = pieces.setdefault(key, [b""] * int(row.pieces))
            got[int(row.piece)] = bytes(row.payload)
            if all(got):
                del pieces[key]
                yield key[0], key[1], bool(row.failed), b"".join(got)
    except Exception as err:  # noqa: BLE001 - Py4J's and Spark's errors have no common class to catch
        found = _out_of_memory(err)
        if found is err:
            raise
        raise found from None
    if pieces:
        raise RuntimeError(f"Spark returned incomplete parts for (partition, analyser) {sorted(pieces)}")


# what the workers run -----------------------------------------------------------------------------------------

def task(function: Any, *given: Any) -> Any:
    """``function`` with its first arguments ``given``, as a function of (group key, table) without type hints
    (PySpark reads the kind of a task from its hints, and fails on postponed ones)."""
    def task(key, table):  # noqa: ANN001, ANN202
        return function(*given, key, table)

    return task


def table_as_read(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A group's events as Spark hands them over (``c0``, ``c1``, … and the partition), with the names and types
    DuckDB gives them (timestamps in UTC)."""
    return table.select([f"c{k}" for k in range(len(schema))]).rename_columns(schema.names).cast(schema)


def out_rows(rows: list[tuple[int, int, bool, bytes]], piece: int) -> pa.Table:
    """The task's output rows, each payload cut into pieces of at most ``piece`` bytes (a large part as one
    value would need as much memory at once in Spark's JVM)."""
    cut = []
    for partition, analyser, failed, payload in rows:
        pieces = max(1, math.ceil(len(payload) / piece))
        cut += [(partition, analyser, failed, k, pieces, payload[k * piece:(k + 1) * piece]) for k in range(pieces)]
    columns = list(zip(*cut)) if cut else [()] * 6
    types = [pa.int32(), pa.int32(), pa.bool_(), pa.int32(), pa.int32(), pa.binary()]
    return pa.table({name: pa.array(values, kind) for name, values, kind in
                     zip(("partition", "analyser", "failed", "piece", "pieces", "payload"), columns, types)})


def _facts_task(piece: int, schema: pa.Schema, objects: list[str], semantics: Semantics, starts: frozenset[str],
                key: tuple[Any, ...], table: pa.Table) -> pa.Table:
    frame, _rows = partition_frame(table_as_read(table, schema), objects)
    facts = facts_of_partition(frame, semantics, starts)
    return out_rows([(key[0].as_py(), -1, False, pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))], piece)
