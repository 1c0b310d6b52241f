"""Engines: computing on events where they are stored, without loading them into memory.

:mod:`ssc_mining.engines.duckdb_events` aggregates the events of a database written by ``ssc-mining import``
with DuckDB (``ssc-mining discover DATABASE --engine duckdb``).
"""
