"""The agents' weekly programme of the bounds: exact under the rules it
reads, and the start band's windows lose no week."""

from __future__ import annotations

import itertools
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.solve import helpers as h

# The cases are `helpers.case`: Lisbon (UTC+0 in March), 4-hour shifts on the
# hour, 10 EUR/h, 100 EUR per agent-hour short; 2027-03-01 is a Monday.


def test_a_night_workers_limit_leaves_his_colleague_alone(tmp_path):
    """Two agents priced together, five dates, every shift worth 10: the
    night worker may work one night in a row (dates 0, 2, 4: 30), his
    colleague every date (50)."""
    import numpy as np

    from optimizer.solve.bounds.weekdp import WeekDP, candidates

    data = h.case(days=5)
    data["rules"]["PT"]["max_consecutive_nights"] = 1
    data["agents"] = [*data["agents"], {**data["agents"][0], "id": "A2"}]
    data["agents"][0].update({"earliest_start": "22:00", "latest_end": "06:00"})
    p = h.problem(h.load(tmp_path, data), {})
    c = candidates(p)
    dp = WeekDP(p, c)
    best = np.full((2, p.n_days, dp.L, dp.S), -np.inf)
    best.flat[c.cells] = 10.0
    total, choice = dp.solve(best)
    assert total.tolist() == [30.0, 50.0]
    assert (choice[0] >= 0).tolist() == [True, False, True, False, True]


@pytest.mark.parametrize(("price", "total", "worked"), [(0, 60.0, [1, 3]), (40, 55.0, [1, 2, 3])])
def test_an_isolated_working_day_costs_its_price(tmp_path, price, total, worked):
    """Monday to Friday, shifts worth 30 on Tuesday and Thursday and -5 on
    Wednesday: unpriced, Tuesday and Thursday alone (60); at 40 an isolated
    day, the two would cost 80, so Wednesday joins them (55)."""
    import numpy as np

    from optimizer.solve.bounds.weekdp import WeekDP, candidates

    data = h.case(days=5)
    data["weights"] = {**data.get("weights", {}), "isolated_day": price}
    p = h.problem(h.load(tmp_path, data), {})
    c = candidates(p)
    dp = WeekDP(p, c)
    best = np.full((1, p.n_days, dp.L, dp.S), -np.inf)
    day = c.cells // (dp.L * dp.S) % p.n_days
    for d, worth in ((1, 30.0), (2, -5.0), (3, 30.0)):
        best.flat[c.cells[day == d]] = worth
    got, choice = dp.solve(best)
    assert got[0] == pytest.approx(total)
    assert np.flatnonzero(choice[0] >= 0).tolist() == worked


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2 * 1440),
    st.sampled_from([0, 30, 60, 90, 120, 180, 240, 300, 480, 720, 1200]),
    st.lists(st.integers(0, 1440), min_size=1, max_size=7),
)
def test_every_week_within_a_band_fits_one_of_its_windows(arc, band, offsets):
    """Starts on an arc of `band` minutes round the clock (from minute
    `arc`) all lie in the slots of one window of `band_windows`."""
    from optimizer.solve.bounds.weekdp import BAND_STEP, band_windows

    starts = [(arc + o * band // 1440) % 1440 for o in offsets]
    slots = {s // BAND_STEP for s in starts}
    assert any(slots <= set(win.tolist()) for win in band_windows(band))


@st.composite
def _programme_cases(draw):  # type: ignore[no-untyped-def]
    """Two agents of one site with random v1.1 rules, horizon start and
    length, limits, and sometimes nights only."""
    days = draw(st.integers(1, 8))
    data = h.case(days=days, agents=2)
    data["horizon"]["start"] = f"2027-03-0{draw(st.integers(1, 7))}"
    rules = data["rules"]["PT"]
    rules["max_consecutive_days"] = draw(st.integers(1, 6))
    overtime = draw(st.sampled_from([None, 8, 12]))
    if overtime is not None:
        rules["premiums"].update({"overtime_after_hours_week": overtime, "overtime": 1.5})
    for key, values in (
        ("start_band_hours", [None, 0, 1, 2, 3, 5]),
        ("days_off_together", [None, 1, 2, 3]),
        ("max_consecutive_nights", [None, 0, 1, 2]),
    ):
        value = draw(st.sampled_from(values))
        if value is not None:
            rules[key] = value
    for agent in data["agents"]:
        agent["min_hours_week"] = low = draw(st.sampled_from([0, 4, 8, 12]))
        agent["max_hours_week"] = draw(st.sampled_from([x for x in (8, 12, 16, 24) if x >= low]))
    if draw(st.booleans()):  # the first works nights only, beside a colleague who need not
        data["agents"][0].update({"earliest_start": "22:00", "latest_end": "06:00"})
    data.setdefault("weights", {})["isolated_day"] = draw(st.sampled_from([0, 0, 7.5, 40]))
    return data, draw(st.randoms(use_true_random=False))


def _programme_brute_force(dp, a, options, best):  # type: ignore[no-untyped-def]
    """Agent a's best value over every choice of `options` (per day: None
    or a cell (length index, slot)) under the rules as the programme reads
    them, written out plainly: runs of days within each week, weekly
    limits, overtime, days off together in whole weeks, one window per week,
    a working day between two days off of its week and the horizon priced
    as isolated; and the function that values a plan (-inf: not allowed)."""
    from optimizer.solve.bounds.weekdp import band_windows

    p = dp.p
    site = int(p.agent_site[a])
    most = int(p.maxcons[site])
    if p.scenario.agents[a].earliest_start is not None and p.max_nights[site] > 0:
        most = min(most, int(p.max_nights[site]))  # 22:00–06:00: every shift a night
    need = int(p.off_together[site])
    windows = [set(w.tolist()) for w in band_windows(int(p.band[site]))] if dp.S > 1 else None
    weeks = p.week_of_day

    def value(plan) -> float:  # type: ignore[no-untyped-def]
        run = 0
        for d, x in enumerate(plan):
            run = (
                run + 1
                if x is not None and d > 0 and weeks[d] == weeks[d - 1]
                else int(x is not None)
            )
            if run > most:
                return -math.inf
        total = sum(best[a, d, x[0], x[1]] for d, x in enumerate(plan) if x is not None)
        for w in range(p.n_weeks):
            days = [d for d in range(p.n_days) if weeks[d] == w]
            paid = sum(int(dp.c.lengths[plan[d][0]]) for d in days if plan[d] is not None)
            if not dp.wmin[a, w] <= paid <= p.wmax[a, w]:
                return -math.inf
            total -= max(0, paid - int(dp.ot_thr[a])) * float(dp.ot_cost[a])
            if need and p.week_whole[w]:
                off = [plan[d] is None for d in days]
                if not any(all(off[i : i + need]) for i in range(len(days) - need + 1)):
                    return -math.inf
            slots = {plan[d][1] for d in days if plan[d] is not None}
            if windows is not None and not any(slots <= win for win in windows):
                return -math.inf
        for d in range(1, p.n_days - 1):
            lone = plan[d] is not None and plan[d - 1] is None and plan[d + 1] is None
            if lone and weeks[d - 1] == weeks[d] == weeks[d + 1]:
                total -= p.scenario.weights.isolated_day_price
        return total

    return max(value(plan) for plan in itertools.product(*options)), value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_programme_cases())
def test_the_agents_programme_is_exact_under_the_rules_it_reads(case):
    """Each agent's best value from the programme equals the brute force's
    over the same options (at most two shifts a day, random values), and
    the schedule it reports is allowed and worth exactly that."""
    import numpy as np

    from optimizer.solve.bounds.weekdp import WeekDP, candidates

    data, rnd = case
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), {})
    c = candidates(p)
    dp = WeekDP(p, c)
    L, S, D = dp.L, dp.S, p.n_days
    best = np.full((2, D, L, S), -np.inf)
    options: list[list[list]] = [[], []]
    for a in range(2):
        for d in range(D):
            here = [int(x) for x in c.cells if x // (L * S) == a * D + d]
            picked = rnd.sample(here, min(len(here), rnd.randint(0, 2)))
            for x in picked:
                best[a, d, (x // S) % L, x % S] = rnd.uniform(-50.0, 150.0)
            options[a].append([None, *(((x // S) % L, x % S) for x in picked)])
    total, choice = dp.solve(best)
    for a in range(2):
        expected, value = _programme_brute_force(dp, a, options[a], best)
        assert total[a] == pytest.approx(expected)
        if math.isfinite(expected):
            plan = [None if x < 0 else (int(x) // S, int(x) % S) for x in choice[a]]
            assert value(plan) == pytest.approx(expected)


def test_an_agent_week_without_any_schedule_is_minus_infinity_and_all_off():
    """Two agents priced in one class: the first has shifts, the second none
    that its weekly minimum allows. The second's week is worth -inf and its
    walk back reports every day off, beside a first agent priced as usual."""
    import numpy as np

    from optimizer.solve.bounds.weekdp import WeekDP, candidates

    data = h.case(days=7, agents=2)
    data["rules"]["PT"].update({"max_consecutive_days": 1, "days_off_together": 1})
    data["agents"][0].update({"min_hours_week": 0, "max_hours_week": 8})
    data["agents"][1].update({"min_hours_week": 4, "max_hours_week": 8})
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), {})
    c = candidates(p)
    dp = WeekDP(p, c)
    best = np.full((2, p.n_days, dp.L, dp.S), -np.inf)
    first = [int(x) for x in c.cells if x // (dp.L * dp.S) == 0]  # agent 0, day 0
    best[0, 0, (first[0] // dp.S) % dp.L, first[0] % dp.S] = 10.0
    total, choice = dp.solve(best)
    assert total[0] == pytest.approx(10.0)
    assert total[1] == -math.inf
    assert (choice[1] == -1).all()
