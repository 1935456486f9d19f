"""The bound worker: in a child process for large problems, with the same bounds as in a thread."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from optimizer.solve.bounds.worker import BoundWorker, lp_block
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


def test_the_child_process_proves_the_same_kind_of_bound_and_hears_the_incumbent():
    # one agent, one 4-hour shift needed 08-12 at 100/h short, 10/h cost: the
    # optimum is 40, and the Lagrangian proves it from the incumbent's target
    data = h.case(days=1, agents=1)
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, h.block(0, 8, 12, 1))
        worker = BoundWorker(p, StopCriteria(time_limit=20, gap=0.0), small=False)
        worker.upper = 40.0
        worker.start()
        assert worker.lp_done.wait(timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (worker.best()[0] or 0) < 40.0 - 1e-3:
            time.sleep(0.1)
        worker.finish()
    value, method = worker.best()
    assert worker.in_process
    assert value == pytest.approx(40.0, abs=1e-3) and value <= 40.0 + 1e-6
    assert "Lagrangian" in method or "LP" in method
    assert worker.prices is not None and worker.prices.shape == p.required.shape
    assert not worker.running()


@pytest.mark.parametrize(
    ("agents", "block"), [(1, 16), (394, 16), (1000, 16), (1001, 32), (2000, 32), (2001, 48)]
)
def test_the_large_lp_sums_coarser_blocks_as_agents_grow(agents, block):
    # 16 intervals up to 1,000 agents, 16 more for each further 1,000
    assert lp_block(SimpleNamespace(n_agents=agents)) == block  # type: ignore[arg-type]


def test_a_large_problem_is_serialised_in_the_callers_thread(monkeypatch):
    # the search goes on in the caller's thread and fills the problem's cached
    # properties; pickled from the worker's thread meanwhile, the problem could
    # change under the pickler and the bound fall back to a thread
    import threading

    from optimizer.solve.bounds import worker as wk

    seen: list[str] = []
    real = wk.snapshot

    def spy(p):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real(p)

    monkeypatch.setattr(wk, "snapshot", spy)
    data = h.case(days=1, agents=1)
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), h.block(0, 8, 12, 1))
        worker = BoundWorker(p, StopCriteria(time_limit=20, gap=0.0), small=False)
        worker.start()
        assert seen == [threading.current_thread().name]
        assert worker.lp_done.wait(timeout=20)
        worker.finish()
    assert worker.in_process


def test_a_small_problems_converged_master_is_left_for_the_dive(tmp_path):
    # one agent, 08–12 needed on two days: the master converges at 2 × 40,
    # and the worker leaves it in the pool, its columns there to dive from
    cells = {**h.block(0, 8, 12), **h.block(1, 8, 12)}
    p = h.problem(h.load(tmp_path, h.case(days=2)), cells)
    worker = BoundWorker(p, StopCriteria(time_limit=20, gap=0.0), small=True)
    worker.start()
    assert worker.columns.done.wait(timeout=20)
    worker.finish()
    master = worker.columns.master
    assert master is not None and master.master_value() == pytest.approx(80.0)
    assert master.open_days() == 2 and len(master.columns) >= 1
    assert worker.best()[0] == pytest.approx(80.0)


def test_finish_leaves_a_round_running_past_the_limit(monkeypatch, tmp_path):
    # a bound round that takes 5 s more: with no time left, finish waits its
    # least (1 s, not the 15 s at most) and returns with the bound so far;
    # the round ends on its own
    import threading

    from optimizer.solve.bounds import worker as wk

    release = threading.Event()

    def stuck(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(timeout=5)

    monkeypatch.setattr(wk, "prove", stuck)
    p = h.problem(h.load(tmp_path, h.case(days=1)), h.block(0, 8, 12))
    worker = BoundWorker(p, StopCriteria(time_limit=0.01), small=True)
    worker.start()
    worker.finish()
    assert worker.running()  # left to end on its own
    assert worker.best() == (None, "no bound proved yet")
    release.set()
    worker.thread.join(timeout=10)
    assert not worker.running()
