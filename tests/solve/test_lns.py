"""LNS neighbourhoods: around a shortfall, the short queue's agents and their stand-ins."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.lns import neighbourhood
from optimizer.solve.state import State, evaluate
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
        agents, days = neighbourhood(p, s, short, _First(0), size=2, span=1)
        assert agents == [0, 1]
        assert list(days) == [0]
