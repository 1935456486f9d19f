"""The one-agent programme's counters (`optimizer.solve.agentdp_counters`):
which rules over the horizon its state holds."""

from __future__ import annotations

import numpy as np

from optimizer.solve.agentdp_counters import held_in_state


def test_the_state_leaves_out_the_widest_type_limits_first():
    # limits 14, 4 and 0 multiply the states by 15, 5 and 1: within 60 states
    # (and 2 for the weekends) only the 14 is left out, within 8 the 4 too
    limits = np.array([14, 4, 0, -1])
    no_successions = np.zeros((4, 4), dtype=bool)
    held, weekends = held_in_state(no_successions, limits, 0, most=60)
    assert held.tolist() == [-1, 4, 0, -1] and weekends
    held, weekends = held_in_state(no_successions, limits, 0, most=8)
    assert held.tolist() == [-1, -1, 0, -1] and weekends
    held, weekends = held_in_state(no_successions, limits, 0, most=2000)
    assert held.tolist() == [14, 4, 0, -1] and weekends
