"""A hand-made run on the mini scenario, without a solver: one agent, one
shift, one busy hour — small enough that every stored number is known.

A1 works Mon 2027-03-01 08:00–16:00 UTC (Lisbon is UTC+0 in March) on the
voice queue with an unpaid break 12:00–13:00: 7 paid hours × 10 EUR = 70 EUR.
6 calls of 360 s arrive at 08:00 (0.6 Erlang): Erlang C for 80 % in 20 s
needs 2 agents (1 agent answers 41.3 % in time), so 1 agent-hour is short.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from optimizer.pipeline import RunOutput, evaluate, prepare
from optimizer.roster import Roster
from optimizer.scenario.load import load_scenario
from optimizer.solve.result import FEASIBLE, SolveResult
from tests import factory

VOICE = "PT-pt-voice"
T0 = int(dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC).timestamp() // 60)


def mini_scenario_path(tmp: Path) -> Path:
    d = factory.mini()
    d["demand"] = [(VOICE, "2027-03-01T08:00:00Z", 6)]
    return factory.write(tmp, d)


def hand_run(tmp: Path, objective: float = 170.0) -> RunOutput:
    sc = load_scenario(mini_scenario_path(tmp))
    day = dt.date(2027, 3, 1)
    roster = Roster.from_segments([
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": T0, "end": T0 + 240, "activity": VOICE},
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": T0 + 240, "end": T0 + 300, "activity": "BREAK"},
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": T0 + 300, "end": T0 + 480, "activity": VOICE},
    ])  # fmt: skip
    result = SolveResult(
        status=FEASIBLE, roster=roster, objective=objective, bound=150.0,
        gap=(objective - 150.0) / objective, bound_method="hand", solve_seconds=1.5,
    )  # fmt: skip
    return evaluate(prepare(sc), result)
