"""LNS neighbourhoods: around a shortfall, the short queue's agents and their
stand-ins; around a costly cell of the cover per shift type, its site over
the days around it; at random, a few agents over every day."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import numpy as np

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.lns import neighbourhood, solve_neighbourhood
from optimizer.solve.state import State, evaluate
from optimizer.solve.type_cover import roster_cell_costs
from tests.solve import helpers as h


class _First(random.Random):
    """Always the shortfall branch, pools in their given order."""

    def random(self) -> float:
        return 0.0

    def shuffle(self, x) -> None:  # type: ignore[no-untyped-def, override]
        pass


def test_a_shortfall_frees_the_agents_of_its_queue_and_their_stand_ins():
    # Spanish is short at 08-12 while A1 (Portuguese + Spanish) serves
    # Portuguese; A2 (Portuguese only) cannot serve Spanish, but it can
    # stand in for A1 on Portuguese, so the neighbourhood frees both.
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), h.two_languages())
        p = h.problem(sc, h.block(0, 8, 12, 1), {1: h.block(0, 8, 12, 1)})
        st = p.sites[0]
        s = State.empty(p)
        s.works[0, 0] = True
        s.tpl[0, 0] = next(
            int(k) for k in p.cand[0] if st.tpl.day[k] == 0 and st.tpl.local_start[k] == 8 * 60
        )
        optimal_allocation(p, s)
        short = evaluate(p, s).short
        assert short[1].sum() == 4 and short[0].sum() == 0
        found = neighbourhood(p, s, short, _First(0), size=2, span=1)
        assert found.agents == [0, 1] and found.whole == ()
        assert list(found.days) == [0]


class _Draws(random.Random):
    """`random()` answers from a list (then 0.0), pools in their given order."""

    def __init__(self, draws: list[float]) -> None:
        super().__init__(0)
        self.draws = list(draws)

    def random(self) -> float:
        return self.draws.pop(0) if self.draws else 0.0

    def shuffle(self, x) -> None:  # type: ignore[no-untyped-def, override]
        pass


def _typed_case(tmp: Path):  # type: ignore[no-untyped-def]
    """Three Lisbon agents over 5 days, shift types D (09:00) and N (20:00),
    two agents needed on D on day 2 (100 each short). A1 works D that day,
    A2 is off, A3 works N: one agent short."""
    data = h.case(days=5, agents=3)
    types = [{"id": "D", "start": "09:00", "hours": 4}, {"id": "N", "start": "20:00", "hours": 4}]
    data["rules"]["PT"].update({"min_rest_hours": 0, "shift_types": types})
    day = "2027-03-03"
    data["shift_cover"] = [
        {"site": "LIS", "date": day, "shift_type": "D", "required": 2, "under_penalty": 100}
    ]
    p = h.problem(h.load(tmp, data), {})
    tpl = p.sites[0].tpl
    s = State.empty(p)
    for a, hour in ((0, 9), (2, 20)):
        s.works[a, 2] = True
        s.tpl[a, 2] = next(
            int(k) for k in p.cand[a] if tpl.day[k] == 2 and tpl.local_start[k] == hour * 60
        )
    return p, s


def test_a_short_cell_of_a_shift_type_frees_its_site_around_its_date_and_who_is_off(tmp_path):
    p, s = _typed_case(tmp_path)
    typed = roster_cell_costs(p, s)
    assert typed.tolist() == [100.0]
    short = np.zeros_like(p.required)
    # nothing short on the intervals: the draw lands on the cell
    found = neighbourhood(p, s, short, _Draws([0.0, 0.5]), size=3, span=3, typed=typed, whole=1)
    assert found.agents == [0, 1, 2]  # every agent of the site, the few there are
    assert list(found.days) == [1, 2, 3]
    assert found.whole == (1,)  # A2 could work D on day 2 and is off


def test_a_cell_of_a_shift_type_frees_no_more_agents_than_the_size(tmp_path):
    p, s = _typed_case(tmp_path)
    # A3 is offered D on day 2 too; with room for two, the first two of the site go
    short = np.zeros_like(p.required)
    typed = roster_cell_costs(p, s)
    found = neighbourhood(p, s, short, _Draws([0.0, 0.5]), size=2, span=3, typed=typed, whole=1)
    assert found.agents == [0, 1]
    assert found.whole == (1,)


def test_random_rows_free_a_few_agents_over_every_day(tmp_path):
    p, s = _typed_case(tmp_path)
    short = np.zeros_like(p.required)
    # no shortfall at all, and the first draw picks rows: 2 × 5 / 5 days = 2 agents
    found = neighbourhood(p, s, short, _Draws([0.0]), size=2, span=5, rows_share=0.5)
    assert found.agents == [] and list(found.days) == []
    assert len(found.whole) == 2 and len(set(found.whole)) == 2


def test_an_agent_freed_over_every_day_moves_its_shift_outside_the_days(tmp_path):
    # the misplaced 20:00 shift on day 0 is outside the days freed (none) but
    # its agent is freed all through: it moves to 08:00, where it is needed
    p, cands, s = h.misplaced_shift(tmp_path)
    stop = h.limits()
    _, _, held = solve_neighbourhood(p, s, [], range(0), cands, stop, 5.0, 1, 0)
    assert held is not None and evaluate(p, held).total == evaluate(p, s).total
    _, _, out = solve_neighbourhood(p, s, [], range(0), cands, stop, 5.0, 1, 0, whole=[0])
    assert out is not None and evaluate(p, out).total == 40.0
    assert p.sites[0].tpl.local_start[out.tpl[0, 0]] == 8 * 60


def test_over_a_long_horizon_no_agent_is_freed_over_every_day(tmp_path):
    # the cases above on a horizon longer than `rows_max_days`: the cell frees
    # its site around its date only, and the draw of rows becomes one of a group
    p, s = _typed_case(tmp_path)
    short = np.zeros_like(p.required)
    typed = roster_cell_costs(p, s)
    found = neighbourhood(
        p, s, short, _Draws([0.0, 0.5]), size=3, span=3, typed=typed, whole=1, rows_max_days=4
    )
    assert found.agents == [0, 1, 2] and list(found.days) == [1, 2, 3]
    assert found.whole == ()
    found = neighbourhood(p, s, short, _Draws([0.0]), size=2, span=5, rows_share=1.0,
                          rows_max_days=4)  # fmt: skip
    assert found.whole == () and len(found.agents) == 2 and len(found.days) == 5
