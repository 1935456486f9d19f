"""The Lagrangian bound: never above a roster's objective, tight where it should be."""

from __future__ import annotations

import itertools
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.solve.bounds.colgen import column_generation_bound
from optimizer.solve.bounds.lagrange import lagrangian_bound
from tests.solve import helpers as h


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_cases(max_days=8, max_cells=40))
def test_bound_never_exceeds_a_solved_roster(case):
    data, cells = case
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        res = h.solve(p, h.limits(3), seed=0)
        if res.status == "INFEASIBLE":
            return
        b = lagrangian_bound(p, time_limit=1.0)
        cg = column_generation_bound(p, time_limit=2.0, block=1)
        assert b.value is not None and cg.value is not None
        assert b.value <= res.objective + 1e-6 * max(1.0, abs(res.objective))
        assert cg.value <= res.objective + 1e-6 * max(1.0, abs(res.objective))


def test_lagrangian_proves_the_optimum_of_a_hand_case():
    """One agent, 4-hour shifts at 10 EUR/h, one agent needed 08:00–12:00 on day 0 at
    100 EUR per agent-hour short: the optimum works that shift (cost 40), and
    the bound proves it."""
    data = h.case(days=1, agents=1)
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, h.block(0, 8, 12, 1))
        b = lagrangian_bound(p, time_limit=2.0, upper=lambda: 40.0)
    assert (
        b.value is not None and b.value == pytest.approx(40.0, abs=1e-3) and b.value <= 40.0 + 1e-6
    )


def test_identical_agents_are_priced_once_and_counted_as_many():
    """Three identical agents and one with leave: pricing the two kinds once
    each, counted by multiplicity, gives the same dual value and coverage
    as pricing all four."""
    import numpy as np

    from optimizer.solve.bounds.lagrange import AgentPricing, identical_agents

    data = h.case(days=3, agents=4)
    data["agents"][3]["leave"] = "2027-03-02"
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 3), **h.block(2, 18, 23, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        reps, mult = identical_agents(p)
        assert reps.tolist() == [0, 3] and mult.tolist() == [3.0, 1.0]
        rng = np.random.default_rng(0)
        one, many = AgentPricing(p), AgentPricing(p, aggregate=True)
        for _ in range(5):
            lam = rng.uniform(0, 1, p.required.shape) * p.penalty[:, None] * (p.required > 0)
            a, b = one.price(lam), many.price(lam)
            assert b.value == pytest.approx(a.value)
            assert np.allclose(b.cover, a.cover)


def test_steps_go_on_from_the_prices_just_tried_and_climb_past_a_kink():
    """A week cut from the baseline (tests/solve/data/latin-week). At the
    block LP's prices the dual value is 25,404; the compact model's LP
    relaxation is 25,970 (measured once by translating the CP-SAT model into
    GLOP), and a roster of 28,017 exists. Steps that restarted from the best
    prices never left 25,404 (a subgradient there points downhill for every
    step length); stepping on from the prices just tried climbs to within
    0.3 % of the LP in a few thousand steps."""
    from optimizer.pipeline import prepare
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.bounds.lp import lp_bound
    from optimizer.solve.problem import build_problem

    prep = prepare(
        load_scenario(Path(__file__).parent.parent / "data" / "latin-week" / "scenario.yaml")
    )
    p = build_problem(prep.scenario, prep.requirements, prep.calendars)
    start = lp_bound(p, block=8)
    b = lagrangian_bound(
        p, time_limit=600, max_iterations=4000, upper=lambda: 28_017.4, start=start.prices
    )
    assert b.value is not None
    assert 25_900 <= b.value <= 28_017.4  # near the LP relaxation; never above a roster


# ------------------------------------------------- the v1.1 rules in the agents' programme
#
# The cases are `helpers.case`: Lisbon (UTC+0 in March), 4-hour shifts on the
# hour, 10 EUR/h, 100 EUR per agent-hour short; 2027-03-01 is a Monday.


def _bounds(tmp: Path, data: dict, cells: dict) -> tuple[float, float]:
    """(column generation at convergence, Lagrangian after 300 steps) of a case."""
    p = h.problem(h.load(tmp, data), cells)
    cg = column_generation_bound(p, time_limit=600.0, block=1)
    lag = lagrangian_bound(p, time_limit=600.0, max_iterations=300)
    assert cg.status == "CONVERGED" and cg.value is not None and lag.value is not None
    return cg.value, lag.value


def _with(days: int, **rules: object) -> dict:
    data = h.case(days=days)
    data["rules"]["PT"].update(rules)
    return data


def test_the_start_band_raises_the_bound_through_windows_twice_as_wide(tmp_path):
    """One agent; 09:00–13:00 on Monday and 15:00–19:00 on Tuesday needed.
    Without a band both shifts are worked: 80. With a 2-h band the starts
    lie at most 2 h apart, so two shifts cover 4 h at most and the optimum
    is one shift: 40 + 4 h short × 100 = 440. The programme reads the band
    as windows of 4 h beginning on even hours; Monday 12:00 and Tuesday
    15:00 share the one from 12:00 and cover 5 h: 80 + 300 = 380."""
    cells = {**h.block(0, 9, 13), **h.block(1, 15, 19)}
    v1 = _bounds(tmp_path / "v1", _with(2), cells)
    band = _bounds(tmp_path / "band", _with(2, start_band_hours=2), cells)
    assert v1 == pytest.approx((80.0, 80.0))
    assert band == pytest.approx((380.0, 380.0), abs=1e-6)
    assert max(band) <= 440.0


def test_two_days_off_together_raise_the_bound_to_the_optimum(tmp_path):
    """One agent, a whole week, 09:00–13:00 needed every day. Six days in a
    row are allowed: 6 × 40 + 400 = 640. With two days off together five
    shifts at most: 5 × 40 + 2 × 400 = 1000, the optimum, and the bound."""
    cells = {k: v for d in range(7) for k, v in h.block(d, 9, 13).items()}
    v1 = _bounds(tmp_path / "v1", _with(7), cells)
    off = _bounds(tmp_path / "off", _with(7, days_off_together=2), cells)
    assert v1 == pytest.approx((640.0, 640.0))
    assert off == pytest.approx((1000.0, 1000.0))


def test_consecutive_nights_raise_the_bound_of_a_night_worker_to_the_optimum(tmp_path):
    """A night worker (22:00–06:00), 02:00–06:00 needed on three dates in a
    row: 3 × 40 = 120 without the rule; at most two nights in a row leave
    one date short: 2 × 40 + 400 = 480, the optimum, and the bound."""

    def data(**rules: object) -> dict:
        d = _with(3, **rules)
        d["agents"][0].update({"earliest_start": "22:00", "latest_end": "06:00"})
        return d

    cells = {k: v for d in range(3) for k, v in h.block(d, 2, 6).items()}
    v1 = _bounds(tmp_path / "v1", data(), cells)
    nights = _bounds(tmp_path / "nights", data(max_consecutive_nights=2), cells)
    assert v1 == pytest.approx((120.0, 120.0))
    assert nights == pytest.approx((480.0, 480.0))


def test_a_night_workers_limit_leaves_his_colleague_alone(tmp_path):
    """Two agents priced together, five dates, every shift worth 10: the
    night worker may work one night in a row (dates 0, 2, 4: 30), his
    colleague every date (50)."""
    import numpy as np

    from optimizer.solve.bounds.lagrange import _AgentDP, _candidates

    data = _with(5, max_consecutive_nights=1)
    data["agents"] = [*data["agents"], {**data["agents"][0], "id": "A2"}]
    data["agents"][0].update({"earliest_start": "22:00", "latest_end": "06:00"})
    p = h.problem(h.load(tmp_path, data), {})
    c = _candidates(p)
    dp = _AgentDP(p, c)
    best = np.full((2, p.n_days, dp.L, dp.S), -np.inf)
    best.flat[c.cells] = 10.0
    total, choice = dp.solve(best)
    assert total.tolist() == [30.0, 50.0]
    assert (choice[0] >= 0).tolist() == [True, False, True, False, True]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2 * 1440),
    st.sampled_from([0, 30, 60, 90, 120, 180, 240, 300, 480, 720, 1200]),
    st.lists(st.integers(0, 1440), min_size=1, max_size=7),
)
def test_every_week_within_a_band_fits_one_of_its_windows(arc, band, offsets):
    """Starts on an arc of `band` minutes round the clock (from minute
    `arc`) all lie in the slots of one window of `band_windows`."""
    from optimizer.solve.bounds.lagrange import BAND_STEP, band_windows

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
    return data, draw(st.randoms(use_true_random=False))


def _programme_brute_force(dp, a, options, best):  # type: ignore[no-untyped-def]
    """Agent a's best value over every choice of `options` (per day: None
    or a cell (length index, slot)) under the rules as the programme reads
    them, written out plainly: runs of days within each week, weekly
    limits, overtime, days off together in whole weeks, one window per week; and
    the function that values a plan (-inf: not allowed)."""
    from optimizer.solve.bounds.lagrange import band_windows

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
        return total

    return max(value(plan) for plan in itertools.product(*options)), value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_programme_cases())
def test_the_agents_programme_is_exact_under_the_rules_it_reads(case):
    """Each agent's best value from the programme equals the brute force's
    over the same options (at most two shifts a day, random values), and
    the schedule it reports is allowed and worth exactly that."""
    import numpy as np

    from optimizer.solve.bounds.lagrange import _AgentDP, _candidates

    data, rnd = case
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), {})
    c = _candidates(p)
    dp = _AgentDP(p, c)
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

    from optimizer.solve.bounds.lagrange import _AgentDP, _candidates

    data = h.case(days=7, agents=2)
    data["rules"]["PT"].update({"max_consecutive_days": 1, "days_off_together": 1})
    data["agents"][0].update({"min_hours_week": 0, "max_hours_week": 8})
    data["agents"][1].update({"min_hours_week": 4, "max_hours_week": 8})
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), {})
    c = _candidates(p)
    dp = _AgentDP(p, c)
    best = np.full((2, p.n_days, dp.L, dp.S), -np.inf)
    first = [int(x) for x in c.cells if x // (dp.L * dp.S) == 0]  # agent 0, day 0
    best[0, 0, (first[0] // dp.S) % dp.L, first[0] % dp.S] = 10.0
    total, choice = dp.solve(best)
    assert total[0] == pytest.approx(10.0)
    assert total[1] == -math.inf
    assert (choice[1] == -1).all()
