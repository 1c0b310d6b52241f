"""Trimming the loaders' text columns: the same as pandas' strip for every kind of padding, and no copy where
nothing needs a trim (checked against ``str.strip`` on each value)."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pytest

from ssc_mining.loaders.texts import trimmed

PADDING = ["", " ", "\t", "\u00a0", "\u2003", "\n", "\x1f", "\u3000"]
CORES = ["Register", "Zoë", "é", "a b", "", "ü", "100", "Close\u00a0it"]


@pytest.mark.parametrize("seed", range(5))
def test_trimmed_equals_strip_on_padded_texts(seed: int) -> None:
    rng = random.Random(seed)
    values = [None if rng.random() < 0.1 else rng.choice(PADDING) + rng.choice(CORES) + rng.choice(PADDING)
              for _ in range(2_000)]
    for dtype in ("str", "string"):
        column = pd.Series(values, dtype=dtype)
        expected = [None if v is None else v.strip() for v in values]
        got = trimmed(column)
        assert [None if pd.isna(v) else v for v in got] == expected
        assert got.dtype == column.dtype


def test_a_clean_column_is_returned_itself_also_when_sliced() -> None:
    clean = pd.Series(pd.array(["a", "b c", None, "y", "z"], dtype="str"))
    assert trimmed(clean) is clean
    # the slice starts after " x": the padded value is outside it, so nothing is copied
    sliced = pd.Series(pd.array([" x", "y", "z"], dtype="str")).iloc[1:]
    assert trimmed(sliced) is sliced


def test_padded_values_in_a_later_chunk_are_found() -> None:
    chunked = pa.chunked_array([pa.array(["a", "b"], type=pa.large_string()),
                                pa.array(["c", "d "], type=pa.large_string())])
    column = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert trimmed(column).tolist() == ["a", "b", "c", "d"]


def test_object_texts_are_trimmed_as_before() -> None:
    column = pd.Series([" a", "b ", None], dtype=object)
    assert trimmed(column).tolist()[:2] == ["a", "b"]
