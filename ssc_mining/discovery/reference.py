"""The simulator's generating process as a reference model (process tree → BPMN).

:data:`SIMULATOR_PROCESS` transcribes :mod:`ssc_mining.simulate.scenario` as a
pm4py process tree: register and intake; routing steps (escalate or forward, an
optional status enquiry, assign, optionally start work), repeated; optional
start work; an optional reassignment within the team; then a purchase (approve,
order, an optional supplier hold, deliver), a liaison's approval followed by a
wait for the payroll run, or work with an optional wait for the user or a parked
period (and, for salary corrections, a wait for the payroll run); resolve; any number of
reopen loops; close. Every simulated ticket fits it (tested), so deviations
planted in a simulated log are exactly what conformance checking must find.

``data/samples/reference-process.bpmn`` is written by :func:`write_simulator_reference`.

Example:
    >>> tree = simulator_tree()
    >>> sorted({leaf.label for leaf in tree._get_leaves() if leaf.label})[:3]
    ['Approve', 'Assign', 'Close']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_ENQUIRY = "X( tau, 'Status enquiry' )"
_HAND_TO = f"->( X( 'Escalate', 'Forward' ), {_ENQUIRY}, 'Assign', X( tau, 'Start work' ) )"
_WORK = ("X( tau, 'Status enquiry', ->( 'Put on hold', 'Resume' ), ->( 'Request information from user', "
         "X( tau, ->( 'Resume', 'Put on hold' ) ), 'User responds', 'Resume' ) )")
_PURCHASE = f"->( 'Approve', 'Order', X( tau, ->( 'Put on hold', {_ENQUIRY}, 'Resume' ) ), 'Deliver' )"
_PAYROLL = "->( 'Put on hold', 'Resume' )"  # a salary correction waits for the monthly payroll run
_HANDLING = (f"->( X( tau, *( {_HAND_TO}, tau ) ), X( tau, 'Start work' ), X( tau, ->( 'Assign', 'Start work' ) ), "
             f"X( {_PURCHASE}, ->( 'Approve', {_PAYROLL} ), ->( {_WORK}, X( tau, {_PAYROLL} ) ) ), 'Resolve' )")
_REOPENS = f"X( tau, *( ->( 'Reopen', 'Assign', 'Start work', {_WORK}, 'Resolve' ), tau ) )"

#: the simulator's process, in pm4py's process-tree notation
SIMULATOR_PROCESS = f"->( 'Register', 'Intake', {_HANDLING}, {_REOPENS}, 'Close' )"

CAPTION = ("Reference process of the ssc_mining simulator (ssc_mining/simulate/scenario.py), "
           "written by ssc_mining.discovery.reference.write_simulator_reference.")


def simulator_tree() -> Any:
    """The simulator's process as a pm4py process tree."""
    from ssc_mining._pm4py import import_pm4py

    import_pm4py()
    from pm4py.objects.process_tree.utils.generic import parse

    return parse(SIMULATOR_PROCESS)


def write_simulator_reference(path: str | Path = "data/samples/reference-process.bpmn") -> Path:
    """Write the simulator's process as a BPMN file (laid out with grandalf, stable ids)."""
    from ssc_mining._pm4py import import_pm4py, quiet
    from ssc_mining.discovery.inductive import write_bpmn

    pm4py = import_pm4py()
    with quiet():
        bpmn = pm4py.convert_to_bpmn(simulator_tree())
    return write_bpmn(bpmn, path, CAPTION)


if __name__ == "__main__":  # pragma: no cover
    print(write_simulator_reference())
