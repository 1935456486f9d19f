"""`re_evaluate`: the objective of a roster changed in a few agents' schedules
(and anywhere in the allocation) from the old roster's evaluation is the
objective `evaluate` finds on the whole roster."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.solve.state import evaluate, fairness_targets, group_on_duty, on_duty, re_evaluate
from tests.solve import helpers as h

STEADY = {"cost": 1.0, "preference": 1.0, "fairness": 2.0, "stability": 5.0, "isolated_day": 40.0}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_v11_cases(), st.data())
def test_re_evaluating_a_changed_agent_prices_the_whole_roster(case, data):
    # random schedules for some agents and random allocations for every group:
    # the terms priced agent by agent and the coverage counted anew agree
    # with pricing every agent again, with fixed fairness targets and without
    base, cells = case
    _, p, _, state, _ = h.constructed_example({**base, "weights": STEADY}, cells)
    target = data.draw(st.sampled_from([None, fairness_targets(p, state)]))
    ev = evaluate(p, state, target)
    trial = state.copy()
    changed = data.draw(st.sets(st.integers(0, p.n_agents - 1), min_size=1))
    for a in changed:
        day = p.sites[p.agent_site[a]].tpl.day
        for d in range(p.n_days):
            options = [int(k) for k in p.cand[a] if day[k] == d]
            trial.works[a, d] = bool(options) and data.draw(st.booleans())
            if trial.works[a, d]:
                trial.tpl[a, d] = data.draw(st.sampled_from(options))
    for x in trial.alloc:
        counts = data.draw(st.lists(st.integers(0, 2), min_size=x.size, max_size=x.size))
        x[:] = np.asarray(counts, dtype=x.dtype).reshape(x.shape)
    want = evaluate(p, trial, target)
    got = re_evaluate(p, state, ev, trial, sorted(changed), target)
    for term in ("under_cover", "cost", "overtime", "preference", "fairness", "stability"):
        assert abs(getattr(got, term) - getattr(want, term)) <= 1e-6, term
    assert np.array_equal(got.short, want.short)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_v11_cases())
def test_a_group_counted_alone_is_on_duty_as_counted_with_all(case):
    base, cells = case
    _, p, _, state, _ = h.constructed_example(base, cells)
    every = on_duty(p, state)
    for g in range(len(p.group_queues)):
        assert np.array_equal(group_on_duty(p, state, g), every[g])
