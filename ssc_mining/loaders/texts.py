"""Text columns as the loaders read them: surrounding whitespace trimmed, without copying what needs no trim.

Exports pad values with spaces now and then, so every text the loaders map (case ids, activities, teams,
timestamps …) is trimmed. Trimming copies the whole column, although in most exports no value has anything to
trim: at 5M events the five trims took 0.8 s and a copy of each column. :func:`trimmed` first looks at the first
and last byte of every value (Arrow keeps them in one buffer) and copies only when one of them may be
whitespace.

Example:
    >>> import pandas as pd
    >>> clean = pd.Series(["Register", "Close", None], dtype="str")
    >>> trimmed(clean) is clean
    True
    >>> trimmed(pd.Series([" Register", "Close\\t"], dtype="str")).tolist()
    ['Register', 'Close']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["arrow_texts", "text_offsets", "trimmed"]


def trimmed(values: pd.Series) -> pd.Series:
    """``values.str.strip()``; ``values`` itself when it holds Arrow texts none of which starts or ends with
    a byte that may be whitespace."""
    arrow = arrow_texts(values)
    if arrow is not None and not any(_may_need_trim(chunk) for chunk in arrow.chunks):
        return values
    return values.str.strip()


def arrow_texts(values: pd.Series) -> pa.ChunkedArray | None:
    """The column's own Arrow texts, in their pieces and without a copy; None when it holds no Arrow texts."""
    array = values.array
    if not hasattr(array, "__arrow_array__"):
        return None
    arrow = array.__arrow_array__()
    if isinstance(arrow, pa.Array):
        arrow = pa.chunked_array([arrow])
    return arrow if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type) else None


def _may_need_trim(chunk: pa.Array) -> bool:
    """Whether a value of ``chunk`` may start or end with whitespace: its first or last byte is an ASCII
    control or space (0x00–0x20), or part of a non-ASCII character (which may be Unicode whitespace, such as a
    no-break space)."""
    if len(chunk) == 0:
        return False
    data_buffer = chunk.buffers()[2]
    offsets = text_offsets(chunk)
    if data_buffer is None or offsets[-1] == offsets[0]:
        return False
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts   # a missing value, or an empty text, has no bytes
    first, last = data[starts[filled]], data[ends[filled] - 1]
    return bool(((first <= 0x20) | (first >= 0x80)).any() or ((last <= 0x20) | (last >= 0x80)).any())


def text_offsets(chunk: pa.Array) -> np.ndarray:
    """Where each text of an Arrow text array (``string`` or ``large_string``, possibly a slice) begins in its
    data buffer, and where the last one ends: ``len(chunk) + 1`` numbers, read in place.

    Example:
        >>> text_offsets(pa.array(["ab", "", "cde"]).slice(1)).tolist()
        [2, 2, 5]
    """
    width = np.dtype(np.int64) if pa.types.is_large_string(chunk.type) else np.dtype(np.int32)
    offsets: np.ndarray = np.frombuffer(chunk.buffers()[1], dtype=width)
    return offsets[chunk.offset:chunk.offset + len(chunk) + 1]
