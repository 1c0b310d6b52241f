"""Read a JSON export (a list of records) into a :class:`~ssc_mining.loaders.raw.RawTable`.

Ticket systems' APIs return records as a JSON list, or wrapped in an object
(Jira's search API: ``{"issues": [...]}``). Each record becomes one row; nested
objects are flattened one level (``fields.created``), deeper values such as
``changelog.histories`` stay Python lists and dicts for a profile to unpack.
When no ticket-system profile reads the file, :func:`ssc_mining.loaders.read_raw`
turns the rest into dotted columns and lists into JSON text (noted). The row
limit is checked before the records are turned into a table. Row numbers count
records from 1.

Example:
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "issues.json"
    >>> _ = path.write_text(json.dumps({"issues": [{"key": "SSC-1", "fields": {"created": "x"}}]}))
    >>> raw = read_json(path)
    >>> raw.reader, list(raw.frame.columns), raw.source_rows.tolist()
    ('json', ['key', 'fields.created'], [1])
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ssc_mining.errors import EmptyInputError, FormatError
from ssc_mining.loaders.limits import current
from ssc_mining.loaders.raw import RawTable

#: keys under which APIs wrap their list of records
WRAPPERS = ("issues", "values", "result", "records", "data")


def read_json(path: str | Path) -> RawTable:
    """Read ``path`` (UTF-8 JSON) as one row per record."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise FormatError("the JSON file is not UTF-8", path=path, hint="save it as UTF-8") from None
    except json.JSONDecodeError as err:
        raise FormatError(f"the file is not valid JSON: {err}", path=path,
                          hint="export it again; a cut-off download leaves the JSON unclosed") from None
    if isinstance(data, dict):
        wrapped = next((data[k] for k in WRAPPERS if isinstance(data.get(k), list)), None)
        data = wrapped if wrapped is not None else [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise FormatError("the JSON holds no list of records (objects)", path=path,
                          hint="give the export as a JSON list of records, as the ticket system's API returns it")
    if not data:
        raise EmptyInputError("the JSON list of records is empty", path=path,
                              hint="export the tickets again, with at least one ticket in the selection")
    current().check_rows(len(data), path=path)
    frame = pd.json_normalize(data, max_level=1)
    return RawTable(frame=frame, source_rows=np.arange(1, len(frame) + 1, dtype=np.int64), reader="json",
                    details={"encoding": "utf-8", "records": len(frame)})
