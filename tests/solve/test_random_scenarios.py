"""Property: small random scenarios solve to rosters the independent checker accepts,
with an objective no lower than the bound."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.check import check_roster
from tests.solve import helpers as h


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agents=st.integers(1, 4),
    days=st.integers(1, 4),
    rest=st.sampled_from([0, 8, 11]),
    maxcons=st.integers(1, 3),
    min_hours=st.sampled_from([0, 4, 8]),
    cells=st.dictionaries(
        st.tuples(st.integers(0, 3), st.integers(0, 23)), st.integers(1, 3), max_size=30
    ),
    night_only=st.booleans(),
)
def test_random_small_scenarios_solve_and_check(
    agents, days, rest, maxcons, min_hours, cells, night_only
):
    data = h.case(days=days, agents=agents)
    data["rules"]["PT"].update({"min_rest_hours": rest, "max_consecutive_days": maxcons})
    for a in data["agents"]:
        a["min_hours_week"] = min_hours
    if night_only:
        data["agents"][0].update({"earliest_start": "20:00", "latest_end": "06:00"})
    cells = {k: v for k, v in cells.items() if k[0] < days}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        res = h.solve(h.problem(sc, cells), h.StopCriteria(time_limit=3, gap=0.0), seed=0)
        if res.status == "INFEASIBLE":  # e.g. a minimum the week cannot hold: it must be explained
            assert res.conflicts and res.roster.segments.empty
            return
        assert check_roster(sc, res.roster).ok
        assert res.bound is None or res.bound <= res.objective + 1e-6
