"""The hours over the horizon in the one-agent programme: how many paid
totals the horizon view holds, and the price per paid minute that keeps a
plan within them."""

from __future__ import annotations

import numpy as np

from optimizer.solve.agentdp_hours import horizon_units, within_horizon_hours
from tests.solve import helpers as h


def test_a_price_that_overshoots_is_eased_until_the_minutes_fit():
    # five 60-minute options worth 10, 9, 8, 7 and 6, a programme that takes
    # every option worth more than nothing, and 120–180 minutes allowed. The
    # strongest price leaves nothing (0 minutes: overshot), so a weaker one
    # is sought; the smallest price within keeps the three best
    net = np.array([10.0, 9.0, 8.0, 7.0, 6.0])
    paid = np.full(5, 60)

    def plan_for(values: np.ndarray) -> np.ndarray:
        return np.flatnonzero(values > 0)

    got = within_horizon_hours(plan_for, net, paid, plan_for(net), 120, 180, most=11 / 60)
    assert got is not None and list(got) == [0, 1, 2]


def test_the_horizon_view_holds_the_horizons_maximum_in_the_options_unit(tmp_path):
    # 4- and 8-hour shifts (a unit of 4 h) over three days: 12 h at most are
    # 3 paid totals; without that maximum, 3 days of 8 h are 6
    data = h.case(days=3)
    data["rules"]["PT"]["shift_hours"] = [4, 8]
    data["agents"][0]["max_hours_horizon"] = 12
    p = h.problem(h.load(tmp_path / "capped", data), {})
    paid = p.sites[0].tpl.paid[p.cand[0]]
    assert horizon_units(p, 0, paid) == 3
    del data["agents"][0]["max_hours_horizon"]
    p = h.problem(h.load(tmp_path / "free", data), {})
    assert horizon_units(p, 0, p.sites[0].tpl.paid[p.cand[0]]) == 6
