"""Stopping: each criterion on hand-made runs, their composition, and
`StopCriteria` as the composite a solve takes (no sleeping: the clock is
moved by setting when the run started)."""

from __future__ import annotations

import threading
import time

import pytest

from optimizer.solve.stop import (
    AnyOf,
    Cancel,
    Cancelled,
    GapReached,
    MaxPasses,
    MaxRuntime,
    Run,
    StopCriteria,
    any_of,
)


def test_max_runtime_is_met_once_its_seconds_have_passed():
    assert not MaxRuntime(10).met(Run(elapsed=9.99, passes=0))
    assert MaxRuntime(10).met(Run(elapsed=10.0, passes=0))
    assert MaxRuntime(0).met(Run(elapsed=0.0, passes=0))


def test_max_passes_is_met_once_the_search_has_counted_them():
    assert not MaxPasses(3).met(Run(elapsed=1e6, passes=2))
    assert MaxPasses(3).met(Run(elapsed=0.0, passes=3))
    assert MaxPasses(0).met(Run(elapsed=0.0, passes=0))


def test_gap_reached_needs_an_objective_and_a_bound():
    assert GapReached(0.01).met(Run(0.0, 0, objective=100.0, bound=99.0))
    assert not GapReached(0.01).met(Run(0.0, 0, objective=100.0, bound=98.9))
    assert not GapReached(0.5).met(Run(0.0, 0, objective=100.0, bound=None))
    assert not GapReached(0.5).met(Run(0.0, 0))
    # a proven optimum (no gap) meets a gap of 0; a bound above the objective counts as no gap
    assert GapReached(0.0).met(Run(0.0, 0, objective=100.0, bound=100.0))
    assert GapReached(0.0).met(Run(0.0, 0, objective=100.0, bound=100.5))


def test_cancelled_is_met_once_its_event_is_set():
    event = threading.Event()
    c = Cancelled(event)
    assert not c.met(Run(0.0, 0))
    event.set()
    assert c.met(Run(0.0, 0))


def test_criteria_combine_into_one_met_when_any_is():
    either = MaxRuntime(10) | MaxPasses(3)
    assert isinstance(either, AnyOf)
    assert not either.met(Run(elapsed=5.0, passes=2))
    assert either.met(Run(elapsed=5.0, passes=3))
    assert either.met(Run(elapsed=10.0, passes=0))
    # composites flatten: `|` and any_of give the same single criteria
    three = either | GapReached(0.01)
    assert three.parts() == (MaxRuntime(10), MaxPasses(3), GapReached(0.01))
    assert any_of(MaxRuntime(10), MaxPasses(3), GapReached(0.01)) == three


def test_stop_criteria_hold_the_composite_of_their_limits():
    stop = StopCriteria(time_limit=30, gap=0.02, passes=4)
    parts = stop.criterion.parts()
    assert MaxRuntime(30) in parts and GapReached(0.02) in parts and MaxPasses(4) in parts
    assert any(isinstance(c, Cancelled) and c.event is stop.cancel for c in parts)
    assert not any(isinstance(c, MaxPasses) for c in StopCriteria().criterion.parts())


def test_stop_criteria_stop_on_the_passes_the_search_counts():
    stop = StopCriteria(time_limit=3600, passes=2)
    assert not stop.should_stop()
    stop.count_pass()
    assert not stop.should_stop()
    # a copy the solver gives a phase counts on the same tally
    stop.share(0.5).count_pass()
    assert stop.tally.passes == 2 and stop.should_stop()


def test_stop_criteria_stop_on_the_time_limit_measured_from_the_start():
    stop = StopCriteria(time_limit=10)
    assert not stop.should_stop()
    stop.started = time.monotonic() - 10.0
    assert stop.should_stop() and stop.remaining() == 0.0


def test_the_gap_counts_only_where_the_caller_gives_objective_and_bound():
    stop = StopCriteria(time_limit=3600, gap=0.01)
    assert not stop.should_stop()
    assert stop.should_stop(100.0, 99.5)
    assert not stop.should_stop(100.0, 90.0)


def test_cancel_stops_at_once():
    stop = StopCriteria(time_limit=3600)
    stop.cancel.set()
    assert stop.should_stop()


def test_a_share_of_the_time_left_ends_sooner_and_keeps_flag_and_tally():
    stop = StopCriteria(time_limit=100)
    stop.started = time.monotonic() - 20.0
    part = stop.share(0.25)  # a quarter of the 80 s left: ends 40 s after the start
    assert part.time_limit == pytest.approx(40.0, abs=0.5)
    assert part.cancel is stop.cancel and part.tally is stop.tally
    assert stop.time_limit == 100


def test_stop_criteria_of_criteria():
    flag = Cancel()
    stop = StopCriteria.of(MaxPasses(5) | MaxRuntime(20) | MaxRuntime(30), Cancelled(flag))
    assert (stop.time_limit, stop.passes, stop.cancel) == (20, 5, flag)
    assert stop.gap == 0.0  # no GapReached: stop on a proven optimum only
    assert StopCriteria.of(MaxPasses(1)).time_limit == StopCriteria().time_limit
    assert StopCriteria.of(GapReached(0.05), workers=1).gap == 0.05
    with pytest.raises(ValueError, match="one Cancelled"):
        StopCriteria.of(Cancelled(Cancel()), Cancelled(Cancel()))


def test_a_small_solve_tries_no_more_neighbourhoods_than_its_passes(tmp_path):
    from tests.solve import helpers as h

    sc = h.load(tmp_path, h.case(days=2, agents=2))
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 1), (1, 20): 3}
    res = h.solve(h.problem(sc, cells), StopCriteria(time_limit=60, gap=0.0, passes=3), seed=0)
    assert res.stats["model"] == "lns + full"
    assert res.stats["lns_neighbourhoods"] <= 3
    assert res.status == "OPTIMAL"  # the whole model is one step: passes do not end it


def test_a_large_solve_stops_on_its_passes_well_before_its_time_limit(tmp_path):
    from optimizer.solve.params import SearchParams
    from tests.solve import helpers as h

    sc = h.load(tmp_path, h.case(days=2, agents=2))
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 1), (1, 20): 3}
    large = SearchParams(full_model_max_literals=0)  # agent passes and neighbourhoods
    stop = StopCriteria(time_limit=120, gap=0.0, passes=2)
    res = h.solve(h.problem(sc, cells), stop, seed=0, params=large)
    assert res.stats["model"] == "agent passes + lns"
    kinds = ("agent_passes", "guided_rounds", "guided_neighbourhoods", "lns_neighbourhoods")
    done = sum(res.stats[k] for k in kinds)
    assert done == stop.tally.passes == 2
    assert res.solve_seconds < 60


def test_a_phase_may_also_end_when_another_threads_work_has():
    # the small problems' neighbourhood search ends when column generation has
    done = threading.Event()
    whole = StopCriteria(time_limit=60, gap=0.0)
    phase = whole.until(Cancelled(done))
    assert not phase.should_stop()
    done.set()
    assert phase.should_stop() and not whole.should_stop()
    assert phase.cancel is whole.cancel  # the solve's own cancel flag is untouched


def test_a_long_horizon_takes_the_large_path_however_few_its_literals(tmp_path):
    from optimizer.solve.params import SearchParams
    from tests.solve import helpers as h

    sc = h.load(tmp_path, h.case(days=3))
    cells = h.block(0, 9, 13)
    p = h.problem(sc, cells)
    stop = StopCriteria(time_limit=60, gap=0.0, passes=1)
    assert h.solve(p, stop, seed=0).stats["model"] == "lns + full"
    short = SearchParams(full_model_max_days=2)  # the same problem, two days the most
    assert h.solve(p, stop, seed=0, params=short).stats["model"] == "agent passes + lns"


def test_out_of_time_reads_the_time_limit_only():
    past = StopCriteria(time_limit=1.0, started=time.monotonic() - 2.0)
    assert past.out_of_time()
    fresh = StopCriteria(time_limit=60.0)
    fresh.cancel.set()
    assert fresh.should_stop() and not fresh.out_of_time()  # a cancel is not the clock


def test_a_cancel_interrupts_the_mips_it_watches_and_only_while_watched():
    stop = StopCriteria(time_limit=60)
    calls: list[str] = []
    with stop.interrupting(lambda: calls.append("inside")):
        pass
    stop_later = StopCriteria(time_limit=60)
    with stop_later.interrupting(lambda: calls.append("watched")):
        stop_later.cancel.set()
    stop.cancel.set()  # its MIP has finished: nothing to interrupt
    assert calls == ["watched"]
