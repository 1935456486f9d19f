"""The search of a small problem (`optimizer.solve.small`): from a first
roster, column generation's steps and the whole model end at the tiny
Curtois instance's optimum, found by enumerating every roster, and prove it;
a search already within its gap takes none of the steps."""

from __future__ import annotations

import random

from optimizer.bench.curtois.evaluate import evaluate as benchmark_value
from optimizer.solve.bounds.worker import BoundWorker
from optimizer.solve.construct import construct
from optimizer.solve.params import SearchParams
from optimizer.solve.result import OPTIMAL
from optimizer.solve.search import Search
from optimizer.solve.small import small_search
from optimizer.solve.state import evaluate
from optimizer.solve.stop import StopCriteria, no_progress
from tests.solve.test_close_gap import OPTIMUM, _rows
from tests.solve.test_lagrange_cuts import tiny


def _search(limit: float, gap: float = 0.0):  # type: ignore[no-untyped-def]
    """The tiny instance, its bound worker started (column generation), a
    search over it and its first roster."""
    inst, p, cands = tiny()
    stop = StopCriteria(time_limit=limit, gap=gap, workers=2)
    bounds = BoundWorker(p, stop, small=True)
    bounds.start()
    search = Search(p, cands, stop, SearchParams(), 0, random.Random(0), bounds, no_progress)
    state = construct(p, cands, stop, 0).state
    return inst, p, search, state


def test_the_small_search_ends_at_the_enumerated_optimum_and_proves_it():
    inst, p, search, state = _search(limit=40.0)
    first = evaluate(p, state)
    try:
        state, best, proved = small_search(search, state, first, None)
    finally:
        search.bounds.finish()
    assert best.total == OPTIMUM <= first.total
    assert benchmark_value(inst, _rows(p, state)).objective == OPTIMUM  # independent
    assert search.stats["model"] == "lns + full"
    bound = max(b for b in (search.bound(), proved[1] if proved else None) if b is not None)
    assert bound >= OPTIMUM - 1e-6  # proven: by column generation, the rounds or CP-SAT
    if proved is not None:
        assert proved[0] == OPTIMAL


def test_a_search_within_its_gap_takes_none_of_the_steps():
    # a gap of 100 %: any roster is within it of a bound of 0 once the bound is
    # in, so after the first neighbourhoods no dive, model or round runs
    _, p, search, state = _search(limit=20.0, gap=1.0)
    search.bounds.columns.done.wait(timeout=20)
    first = evaluate(p, state)
    try:
        _, best, proved = small_search(search, state, first, search.bound())
    finally:
        search.bounds.finish()
    assert proved is None
    assert best.total <= first.total
    assert not {"dive_steps", "restricted_model", "exact_rounds"} & set(search.stats)
