"""``xes``: the event log as IEEE 1849 XES, gzip-compressed (``.xes.gz``) or plain (``.xes``).

Written by our own streaming writer (pm4py's writer needs the whole log in memory).
The gzip header carries no file name and no time, so the bytes are reproducible.
Trace attributes: ``concept:name`` (case id), ``ssc:mother``, ``ssc:requester``,
``ssc:category``, ``ssc:priority``, ``ssc:channel``, ``ssc:subject``, ``ssc:due`` and ``ssc:need_by``
(dates; pm4py reads them as ``case:ssc:…``, the canonical column names). Event
attributes: ``concept:name``, ``time:timestamp`` (local time with offset),
``org:resource``, ``org:group``, ``lifecycle:transition`` (``complete``),
``ssc:organisation``, ``ssc:status``, ``ssc:line`` (int, SSC events only).

Example:
    >>> _esc('HR & Salarissen')
    '"HR &amp; Salarissen"'
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from ssc_mining.simulate.batch import Batch, case_bounds
from ssc_mining.simulate.exports.base import ExportWriter

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<global scope="trace">
<string key="concept:name" value="__INVALID__"/>
</global>
<global scope="event">
<string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
</global>
<classifier name="Activity" keys="concept:name"/>
<string key="concept:name" value="SSC simulated log"/>
"""


def _esc(value: str) -> str:
    return quoteattr(str(value))


def _escaped(values: np.ndarray) -> np.ndarray:
    return np.array([_esc(v) for v in values], dtype=object)


class XesWriter(ExportWriter):
    format = "xes"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._raw = open(path, "wb")
        self._out: gzip.GzipFile | io.BufferedWriter
        if path.name.endswith(".gz"):
            self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=1)
        else:
            self._out = self._raw
        self._out.write(HEADER.encode("utf-8"))

    def write(self, b: Batch) -> None:
        fmt = b.fmt
        case = b.case_of_event
        first, last = case_bounds(case, b.n_cases)
        # escaped lookup tables, then per-event strings by array indexing
        act = _escaped(b.activity_names)[b.ev("activity")]
        res = _escaped(b.person_names)[b.ev("resource")]
        team = _escaped(b.team_names)[b.ev_team]
        org = _escaped(b.org_names)[b.ev_org]
        status = _escaped(b.status_names)[b.ev("status")]
        line = np.array(["", '<int key="ssc:line" value="1"/>', '<int key="ssc:line" value="2"/>',
                         '<int key="ssc:line" value="3"/>'], dtype=object)[b.team_line[b.ev_team]]
        times = fmt.iso(b.ev_minute)
        event_xml = ('<event><string key="concept:name" value=' + act + '/><date key="time:timestamp" value="'
                     + times + '"/><string key="org:resource" value=' + res + '/><string key="org:group" value='
                     + team + '/><string key="lifecycle:transition" value="complete"/>'
                     + '<string key="ssc:organisation" value=' + org + '/><string key="ssc:status" value='
                     + status + '/>' + line + '</event>\n')
        due = fmt.iso(b.due_minute)
        need_day = b.case_values("need_by_day")
        need = np.where(need_day >= 0, fmt.day_end_iso(np.maximum(need_day, 0)), "")
        parts: list[str] = []
        ids, mothers, reqs = _escaped(b.case_id), _escaped(b.mother), _escaped(b.requester)
        cats, prios, chans = _escaped(b.category), _escaped(b.priority), _escaped(b.channel)
        subjects = _escaped(b.subject)
        ev_list = event_xml.tolist()
        for k in range(b.n_cases):
            parts.append(f'<trace><string key="concept:name" value={ids[k]}/><string key="ssc:mother" '
                         f'value={mothers[k]}/><string key="ssc:requester" value={reqs[k]}/><string '
                         f'key="ssc:category" value={cats[k]}/><string key="ssc:priority" value={prios[k]}/>'
                         f'<string key="ssc:channel" value={chans[k]}/><string key="ssc:subject" '
                         f'value={subjects[k]}/><date key="ssc:due" value="{due[k]}"/>'
                         + (f'<date key="ssc:need_by" value="{need[k]}"/>' if need[k] else "") + "\n")
            parts.extend(ev_list[first[k]:last[k] + 1])
            parts.append("</trace>\n")
        self._out.write("".join(parts).encode("utf-8"))

    def close(self) -> None:
        self._out.write(b"</log>\n")
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
