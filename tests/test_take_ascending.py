"""Taking rows in ascending order piece by piece from Arrow texts read in pieces gives what pandas' take gives
(values, missing values, type), also at the pieces' edges, and falls back to pandas' take otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ssc_mining.eventlog.cases import take_ascending


def _in_pieces(rng: np.random.Generator, sizes: list[int]) -> pd.Series:
    parts = [pd.Series([None if rng.random() < 0.1 else f"v{rng.integers(50)}" for _ in range(n)], dtype="str")
             for n in sizes]
    joined = pd.concat(parts, ignore_index=True)
    assert joined.array.__arrow_array__().num_chunks == len(sizes)
    return joined


@pytest.mark.parametrize("seed", range(6))
def test_equals_pandas_take_for_ascending_positions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = _in_pieces(rng, [int(n) for n in rng.integers(1, 40, size=5)])
    positions = np.sort(rng.integers(0, len(values), size=int(rng.integers(1, 3 * len(values)))))
    edges = np.cumsum([0] + [len(c) for c in values.array.__arrow_array__().chunks])[:-1]
    for chosen in (positions, np.unique(np.r_[edges, edges[1:] - 1, len(values) - 1])):
        got = take_ascending(values, chosen)
        expected = values.take(chosen).reset_index(drop=True)
        pd.testing.assert_series_equal(got, expected)


def test_positions_out_of_order_or_out_of_range_behave_as_pandas_take() -> None:
    values = _in_pieces(np.random.default_rng(1), [3, 4])
    unordered = np.array([5, 0, 6, 0])
    pd.testing.assert_series_equal(take_ascending(values, unordered), values.take(unordered).reset_index(drop=True))
    with pytest.raises(IndexError):
        take_ascending(values, np.array([0, 7]))
    assert take_ascending(values, np.array([], dtype=np.int64)).tolist() == []
