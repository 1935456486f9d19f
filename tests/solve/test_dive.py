"""The dive from column generation's master LP (`optimizer.solve.dive`):
held days keep the pricing and the master to them, and the dive ends at a
roster whose value is added up by hand from its rows."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.solve.bounds.colgen import OFF, ColumnGeneration
from optimizer.solve.dive import days_to_hold, dive, steps_left
from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour
SHIFT = 4 * COST  # a 4-hour shift
SHORT_DAY = 4 * PEN  # a day's 08–12 block uncovered


def _template(p, day: int, hour: int) -> int:
    tpl = p.sites[0].tpl
    return int(np.flatnonzero((tpl.day == day) & (tpl.start % 1440 == hour * 60))[0])


def _two_days(tmp_path):
    """One agent, two days, one agent needed 08–12 on each: the optimum
    works 08–12 on both days (2 × 40)."""
    cells = {**h.block(0, 8, 12), **h.block(1, 8, 12)}
    return h.problem(h.load(tmp_path, h.case(days=2)), cells)


def test_steps_left_counts_the_holding_steps_by_hand():
    assert steps_left(0, 0.15) == 1
    assert steps_left(4, 0.5) == 4  # 4 → 2 → 1 → 0 open days, and the last step
    assert steps_left(3, 1.0) == 2


def test_a_day_held_off_is_kept_by_the_pricing_and_the_master(tmp_path):
    p = _two_days(tmp_path)
    cg = ColumnGeneration(p, block=1)
    assert cg.run(10.0) == "CONVERGED"
    assert cg.master_value() == pytest.approx(2 * SHIFT)
    before = len(cg.columns)
    cg.hold(0, np.array([0]), np.array([OFF]))
    assert cg.run(10.0) == "CONVERGED"
    # day 0 off: its block short, day 1 worked
    assert cg.master_value() == pytest.approx(SHORT_DAY + SHIFT)
    assert cg.held_best == pytest.approx(SHORT_DAY + SHIFT)
    assert all(col.row[0] == OFF for col in cg.columns[before:])
    assert cg.best == pytest.approx(2 * SHIFT)  # the whole problem's bound is untouched
    cg.release()
    assert cg.master_value() == pytest.approx(2 * SHIFT)


def test_a_day_held_to_a_template_forces_that_shift(tmp_path):
    # held on 14–18 on day 0: that shift is paid and covers nothing needed
    p = _two_days(tmp_path)
    cg = ColumnGeneration(p, block=1)
    cg.run(10.0)
    late = _template(p, 0, 14)
    cg.hold(0, np.array([0]), np.array([late]))
    assert cg.run(10.0) == "CONVERGED"
    assert cg.master_value() == pytest.approx(SHIFT + SHORT_DAY + SHIFT)
    top = cg.heaviest()
    assert cg.columns[int(top[0])].row[0] == late


def test_days_to_hold_follow_the_heaviest_column(tmp_path):
    p = _two_days(tmp_path)
    cg = ColumnGeneration(p, block=1)
    cg.run(10.0)
    held = days_to_hold(cg, share=1.0, level=0.99)
    assert len(held) == 1
    agent, days, values = held[0]
    assert agent == 0 and days.tolist() == [0, 1]
    assert values.tolist() == [_template(p, 0, 8), _template(p, 1, 8)]


def test_the_dive_ends_at_a_roster_of_the_hand_optimum(tmp_path):
    # one agent, a week, at most 12 h over it, 08–12 needed daily: three
    # shifts and four days short, whichever days
    data = h.case(days=7)
    data["agents"][0]["max_hours_horizon"] = 12
    cells = {k: v for d in range(7) for k, v in h.block(d, 8, 12).items()}
    p = h.problem(h.load(tmp_path, data), cells)
    cg = ColumnGeneration(p, block=1)
    assert cg.run(10.0) == "CONVERGED"
    found = dive(cg, 10.0)
    assert found.rows is not None
    worked = found.rows[0] >= 0
    tpl = p.sites[0].tpl
    starts = tpl.start[found.rows[0][worked]] % 1440
    assert worked.sum() == 3 and (starts == 8 * 60).all()
    # the value, added up from the rows alone
    assert found.value == pytest.approx(3 * SHIFT + 4 * SHORT_DAY)
    assert cg.open_days() == p.n_agents * p.n_days  # every day open again
