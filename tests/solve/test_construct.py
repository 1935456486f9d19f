"""Construction: agent by agent, never past the time limit."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from optimizer.solve.construct import agent_order, construct
from optimizer.solve.model import CandidateIndex
from optimizer.solve.result import TIME_LIMIT, UNKNOWN
from optimizer.solve.solver import solve
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


class Clock:
    """A stop's clock that reads 0 s for its first `n` looks, then past any limit."""

    def __init__(self, n: int) -> None:
        self.looks, self.n = 0, n

    def __call__(self) -> float:
        self.looks += 1
        return 0.0 if self.looks <= self.n else 1e9


def _three_agents():
    tmp = tempfile.TemporaryDirectory()
    sc = h.load(Path(tmp.name), h.case(days=2, agents=3))
    p = h.problem(sc, h.block(0, 8, 16, 2))
    tmp.cleanup()
    return p, CandidateIndex(p, nominal_only=False)


def test_construction_places_every_agent_within_its_time():
    p, cands = _three_agents()
    built = construct(p, cands, StopCriteria(time_limit=60), 0)
    assert built.complete and not built.failed and not built.unplaced
    assert built.state.works.any()


def test_construction_stops_at_the_limit_and_names_the_agents_not_reached(monkeypatch):
    p, cands = _three_agents()
    clock = Clock(2)  # two agents, then time is up
    monkeypatch.setattr(StopCriteria, "elapsed", lambda self: clock())
    built = construct(p, cands, StopCriteria(time_limit=60), 0)
    order = [int(a) for a in agent_order(p)]
    assert not built.complete and not built.failed
    assert built.unplaced == order[2:]
    assert not built.state.works[order[2]].any()  # never placed past the limit


def test_construction_with_no_time_left_places_nobody():
    p, cands = _three_agents()
    built = construct(p, cands, StopCriteria(time_limit=60, started=time.monotonic() - 61), 0)
    assert sorted(built.unplaced) == [0, 1, 2]
    assert not np.any(built.state.works)


def test_a_cancel_lets_the_first_roster_be_completed():
    p, cands = _three_agents()
    stop = StopCriteria(time_limit=60)
    stop.cancel.set()  # the dashboard's Cancel: the best roster so far is kept
    built = construct(p, cands, stop, 0)
    assert built.complete and built.state.works.any()


def test_a_solve_out_of_time_in_construction_is_unknown_not_infeasible():
    p, _ = _three_agents()
    res = solve(p, StopCriteria(time_limit=60, started=time.monotonic() - 61))
    assert res.status == UNKNOWN and res.roster.segments.empty
    assert sorted(c.agent_id for c in res.conflicts) == ["A1", "A2", "A3"]
    assert all(c.rules == (TIME_LIMIT,) for c in res.conflicts)  # none claimed to conflict
    assert "0 of 3 agents" in res.conflicts[0].detail
    assert "time limit" in str(res.conflicts[0])
