"""The v1.1 workability rules in the solver: each binds in a hand case, in
the one-agent dynamic programme and in the CP-SAT model alike, and whole
solves reach the optimum counted by hand (checked by `sunroster check`).

The cases are `helpers.case`: Lisbon (UTC+0 in March), 4-hour shifts on
the hour, 10 EUR/h, 100 EUR per agent-hour short; 2027-03-01 is a Monday.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer.solve.agentdp import best_plan
from optimizer.solve.arcs import anchor_candidates, steady_band
from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem
from optimizer.solve.state import (
    State,
    arc_starts,
    circular_minutes,
    evaluate,
    isolated_days,
    unsteadiness_hours,
    week_arcs,
)
from tests.solve import helpers as h


def _worth(p: Problem, worth) -> np.ndarray:  # type: ignore[no-untyped-def]
    tpl = p.sites[0].tpl
    ks = p.cand[0]
    return np.array(
        [
            worth(int(d), int(x // 60))
            for d, x in zip(tpl.day[ks], tpl.local_start[ks], strict=True)
        ],
        dtype=float,
    )


def _dp(p: Problem, worth) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(day, start hour) of the programme's best plan for agent 0."""
    plan, _ = best_plan(p, 0, p.cand[0], _worth(p, worth))
    assert plan is not None
    tpl = p.sites[0].tpl
    return sorted((int(tpl.day[k]), int(tpl.local_start[k] // 60)) for k in plan)


def _cp(p: Problem, worth) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The same plan from the agent's CP-SAT model (the rules of `rules/`)."""
    tpl = p.sites[0].tpl
    values = np.zeros(len(tpl.day))
    values[p.cand[0]] = _worth(p, worth) + p.rate[0] * tpl.weight[p.cand[0]]
    cands = CandidateIndex(p, nominal_only=False)
    built = build(
        p, State.empty(p), [0], range(p.n_days), cands, coverage=False, values={0: values}
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return sorted(
        (d, int(tpl.local_start[k] // 60))
        for _, d, k, lit in built.shift_lits
        if solver.boolean_value(lit)
    )


def _both(p: Problem, worth) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The programme's plan, after checking the CP-SAT model finds one worth as much."""
    dp, cp = _dp(p, worth), _cp(p, worth)
    assert sum(worth(d, x) for d, x in dp) == pytest.approx(sum(worth(d, x) for d, x in cp))
    return dp


def _problem(tmp_path, days: int, **rules) -> Problem:  # type: ignore[no-untyped-def]
    data = h.case(days=days)
    data["rules"]["PT"].update(rules)
    return h.problem(h.load(tmp_path, data), {})


# ---------------------------------------------------------------- start band


def test_a_band_of_two_hours_keeps_a_morning_and_an_afternoon_apart(tmp_path):
    # 09:00 on Monday and 15:00 on Tuesday are worth 100 each: 6 h apart
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 100.0 if (d, x) in {(0, 9), (1, 15)} else -1.0

    assert _both(_problem(tmp_path / "v1", 2), worth) == [(0, 9), (1, 15)]
    assert len(_both(_problem(tmp_path / "band", 2, start_band_hours=2), worth)) == 1


def test_the_band_is_measured_round_midnight(tmp_path):
    # 23:00 and 00:00 are 1 h apart on the clock: both fit a 2-h band
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 100.0 if (d, x) in {(0, 23), (2, 0)} else -1.0

    p = _problem(tmp_path, 3, start_band_hours=2, min_rest_hours=0)
    assert _both(p, worth) == [(0, 23), (2, 0)]


def test_the_band_is_per_week(tmp_path):
    # Sunday 09:00 and the next Monday 15:00 lie in different weeks
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 100.0 if (d, x) in {(6, 9), (7, 15)} else -1.0

    assert _both(_problem(tmp_path, 8, start_band_hours=2), worth) == [(6, 9), (7, 15)]


def test_with_stability_priced_the_search_keeps_a_weeks_starts_within_an_hour(tmp_path):
    # 08:00 on Monday and 10:00 on Tuesday are worth 100 each: the 2-h band
    # holds both, and the exact programme takes both; the search's steady
    # band (1 h, once weights.stability is set) keeps one of them only
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 100.0 if (d, x) in {(0, 8), (1, 10)} else -1.0

    data = h.case(days=2)
    data["rules"]["PT"]["start_band_hours"] = 2
    data["weights"] = {**data.get("weights", {}), "stability": 0.01}
    p = h.problem(h.load(tmp_path, data), {})
    assert _dp(p, worth) == [(0, 8), (1, 10)]
    plan, _ = best_plan(p, 0, p.cand[0], _worth(p, worth), band=steady_band(p, 0))
    assert plan is not None
    tpl = p.sites[0].tpl
    starts = sorted(int(tpl.local_start[k]) for k in plan)
    assert starts in ([480], [600])  # one of the two: with both, 2 h apart


# ---------------------------------------------------------------- days off together


def test_two_days_off_together_leave_five_shifts_in_a_week(tmp_path):
    # every 09:00 shift is worth 10: six in a row at most, but two days off together
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 10.0 if x == 9 else -1.0

    assert len(_both(_problem(tmp_path / "v1", 7), worth)) == 6
    plan = _both(_problem(tmp_path / "v11", 7, days_off_together=2), worth)
    off = sorted(set(range(7)) - {d for d, _ in plan})
    assert len(plan) == 5 and off[1] - off[0] == 1


def test_a_sunday_and_monday_off_do_not_count_for_either_week(tmp_path):
    # 14 days; only Sunday of week 1 and Monday of week 2 are worth leaving
    def worth(d, x):  # type: ignore[no-untyped-def]
        return (-50.0 if d in (6, 7) else 10.0) if x == 9 else -100.0

    plan = _both(_problem(tmp_path, 14, days_off_together=2), worth)
    worked = {d for d, _ in plan}
    for week in (range(0, 7), range(7, 14)):
        off = [d for d in week if d not in worked]
        assert any(b - a == 1 for a, b in itertools.pairwise(off))


def test_a_week_cut_by_the_horizon_needs_no_days_off_together(tmp_path):
    # 6 days (Mon–Sat): the week is not wholly inside the horizon
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 10.0 if x == 9 else -1.0

    assert len(_both(_problem(tmp_path, 6, days_off_together=2), worth)) == 6


# ---------------------------------------------------------------- nights


def test_consecutive_nights_stop_at_the_maximum(tmp_path):
    # only 22:00 starts are worth anything: a 4-h shift 22–02 is a night shift
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 10.0 if x == 22 else -1.0

    plan = _both(_problem(tmp_path, 7, max_consecutive_nights=2, min_rest_hours=0), worth)
    days = [d for d, _ in plan]
    assert len(days) == 5  # N N _ N N _ N
    assert all(days[i + 2] - days[i] > 2 for i in range(len(days) - 2))


def test_day_shifts_between_nights_end_the_run(tmp_path):
    # nights worth 10, a 12:00 shift worth 5, six days in a row at most:
    # a day shift between two pairs of nights (N N D N N _ N) beats resting
    def worth(d, x):  # type: ignore[no-untyped-def]
        return 10.0 if x == 22 else 5.0 if x == 12 else -1.0

    plan = _both(_problem(tmp_path, 7, max_consecutive_nights=2, min_rest_hours=0), worth)
    assert len(plan) == 6 and sum(x == 22 for _, x in plan) == 5


# ---------------------------------------------------------------- the two encodings agree


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    case=h.random_cases(max_days=9, max_agents=1, max_cells=0),
    band=st.sampled_from([None, 0, 2, 5]),
    together=st.sampled_from([None, 1, 2, 3]),
    nights=st.sampled_from([None, 0, 1, 2]),
    seed=st.integers(0, 10_000),
)
def test_the_programme_meets_the_cp_sat_model_under_v11_rules(
    tmp_path_factory, case, band, together, nights, seed
):
    data, _ = case
    for key, v in (
        ("start_band_hours", band),
        ("days_off_together", together),
        ("max_consecutive_nights", nights),
    ):
        if v is not None:
            data["rules"]["PT"][key] = v
    p = h.problem(h.load(tmp_path_factory.mktemp("dp11"), data), {})
    rng = np.random.default_rng(seed)
    table = rng.integers(-60, 40, (p.n_days, 24)).astype(float)

    def worth(d, x):  # type: ignore[no-untyped-def]
        return float(table[d, x])

    net = _worth(p, worth)
    plan, _ = best_plan(p, 0, p.cand[0], net)
    tpl = p.sites[0].tpl
    full = np.zeros(len(tpl.day))
    full[p.cand[0]] = net
    status, best, built = h.one_agent_optimum(p, h.model_values(p, full))
    if status == cp_model.INFEASIBLE:
        assert plan is None
        return
    exact = h.programme_is_exact(p)  # hours over the horizon: a heuristic
    assert status == cp_model.OPTIMAL and (plan is not None or not exact)
    if plan is None:
        return
    by_k = dict(zip(p.cand[0].tolist(), net.tolist(), strict=True))
    mine, optimum = sum(by_k[int(k)] for k in plan), sum(by_k[k] for k in best)
    assert mine == pytest.approx(optimum, abs=0.02) if exact else mine <= optimum + 0.02
    chosen = {(int(tpl.day[k]), int(k)) for k in plan}
    for _, d, k, lit in built.shift_lits:
        built.model.add(lit == int((d, k) in chosen))
    assert cp_model.CpSolver().solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_a_few_arcs_give_a_schedule_within_the_band(tmp_path):
    # the arcs tried in a re-plan are a subset: the plan still keeps the band
    p = _problem(tmp_path, 7, start_band_hours=2)
    rng = np.random.default_rng(3)
    net = rng.normal(0, 30, len(p.cand[0]))
    arcs = anchor_candidates(p, 0, p.cand[0], net, most=2)
    plan, _ = best_plan(p, 0, p.cand[0], net, arcs)
    assert plan is not None
    starts = p.sites[0].tpl.local_start[plan]
    ref = arc_starts(starts)
    assert ((starts - ref) % 1440 <= 120).all()


# ---------------------------------------------------------------- stability


def test_arc_starts_begin_after_the_widest_gap():
    assert arc_starts(np.array([23 * 60, 60, 30])) == 23 * 60
    assert arc_starts(np.array([540, 600])) == 540


def test_stability_prices_distance_from_the_arc_and_its_weekly_move(tmp_path):
    # week 1: 09:00 and 10:00 (1 h from the arc's start); week 2: 12:00 (the arc moves 3 h)
    p = _problem(tmp_path, 14)
    tpl = p.sites[0].tpl
    s = State.empty(p)
    for d, hour in ((0, 9), (1, 10), (7, 12)):
        k = int(np.flatnonzero((tpl.day == d) & (tpl.local_start == hour * 60))[0])
        s.works[0, d], s.tpl[0, d] = True, k
    assert unsteadiness_hours(p, s)[0] == pytest.approx(1 + 3)


def test_with_stability_the_programme_keeps_one_start(tmp_path):
    # 09:00 and 10:00 equally worth: without stability any mix, with it one start
    data = h.case(days=5)
    data["weights"] = {"stability": 5.0}
    p = h.problem(h.load(tmp_path, data), {})

    def worth(d, x):  # type: ignore[no-untyped-def]
        return 10.0 + (0.5 if (d % 2, x) in {(0, 9), (1, 10)} else 0.0) if x in (9, 10) else -9.0

    plan = _dp(p, worth)
    assert len(plan) == 5 and len({x for _, x in plan}) == 1


def test_stability_prices_an_isolated_working_day(tmp_path):
    # one whole week: a 09:00 shift worth 10 on Tue and Thu, 9.5 on Wed, nothing
    # else pays; two of them fit the agent's 8 h a week. Without stability Tue + Thu (20,
    # two isolated days); with stability 5 each isolated day costs 5 × 4 h =
    # 20, so Tue + Wed or Wed + Thu (19.5, none isolated) win.
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {1: 10.0, 2: 9.5, 3: 10.0}.get(d, -50.0) if x == 9 else -50.0

    plain = h.case(days=7)
    plain["agents"][0]["max_hours_week"] = 8
    assert _dp(h.problem(h.load(tmp_path / "plain", plain), {}), worth) == [(1, 9), (3, 9)]
    steady = {**plain, "weights": {"stability": 5.0}}
    plan = _dp(h.problem(h.load(tmp_path / "steady", steady), {}), worth)
    assert plan in ([(1, 9), (2, 9)], [(2, 9), (3, 9)])


def test_the_isolated_day_weight_alone_prices_an_isolated_working_day(tmp_path):
    # the week of the test above, no stability, only `isolated_day`: at 0.4
    # Tue + Thu's two isolated days leave 20 − 0.8 = 19.2 < 19.5, so two days
    # side by side win; at 0.2 they leave 19.6 > 19.5 and Tue + Thu stay
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {1: 10.0, 2: 9.5, 3: 10.0}.get(d, -50.0) if x == 9 else -50.0

    plain = h.case(days=7)
    plain["agents"][0]["max_hours_week"] = 8
    cheap = {**plain, "weights": {"isolated_day": 0.2}}
    assert _dp(h.problem(h.load(tmp_path / "cheap", cheap), {}), worth) == [(1, 9), (3, 9)]
    dear = {**plain, "weights": {"isolated_day": 0.4}}
    plan = _dp(h.problem(h.load(tmp_path / "dear", dear), {}), worth)
    assert plan in ([(1, 9), (2, 9)], [(2, 9), (3, 9)])


def test_the_evaluation_prices_isolated_days_by_their_own_weight(tmp_path):
    # Mon, Wed, Fri, Sat of Mon–Sat worked at 09:00: one isolated day (Wed),
    # no start moves; its price is `isolated_day`, else 4 h of `stability`
    def stability_term(weights):  # type: ignore[no-untyped-def]
        data = h.case(days=6)
        data["weights"] = weights
        p = h.problem(h.load(tmp_path / str(len(list(tmp_path.iterdir()))), data), {})
        tpl = p.sites[0].tpl
        s = State.empty(p)
        for d in (0, 2, 4, 5):
            k = int(np.flatnonzero((tpl.day == d) & (tpl.local_start == 9 * 60))[0])
            s.works[0, d], s.tpl[0, d] = True, k
        return evaluate(p, s).stability

    assert stability_term({"stability": 5.0}) == pytest.approx(20.0)
    assert stability_term({"stability": 5.0, "isolated_day": 40.0}) == pytest.approx(40.0)
    assert stability_term({"isolated_day": 7.0}) == pytest.approx(7.0)
    assert stability_term({"stability": 5.0, "isolated_day": 0.0}) == pytest.approx(0.0)


def test_isolated_days_are_counted_inside_the_horizon_only(tmp_path):
    # worked Mon, Wed, Fri, Sat of Mon–Sat: Wed is isolated; Mon (the first
    # day) and Sat (the last) never are; Fri has Sat beside it
    p = _problem(tmp_path, 6)
    s = State.empty(p)
    tpl = p.sites[0].tpl
    for d in (0, 2, 4, 5):
        s.works[0, d], s.tpl[0, d] = True, int(np.flatnonzero(tpl.day == d)[0])
    assert isolated_days(p, s).tolist() == [1]


# ---------------------------------------------------------------- whole solves


def test_the_band_makes_the_optimum_dearer_by_what_it_leaves_uncovered(tmp_path):
    # need 09–13 on Monday and 15–19 on Tuesday: v1 covers both for 80;
    # with a 2-h band one is left short: 40 + 4 h × 100 = 440
    cells = {**h.block(0, 9, 13), **h.block(1, 15, 19)}
    v1 = h.run(h.load(tmp_path / "v1", h.case(days=2)), cells)
    assert v1.objective == pytest.approx(80.0)
    data = h.case(days=2)
    data["rules"]["PT"]["start_band_hours"] = 2
    band = h.run(h.load(tmp_path / "band", data), cells)
    assert band.status == "OPTIMAL" and band.objective == pytest.approx(440.0)


def test_days_off_together_make_the_optimum_dearer_by_a_day_short(tmp_path):
    # need 09–13 every day of a week: v1 works 6 days (6 × 40 + 4 h × 100 = 640);
    # two days off together leave two days short (5 × 40 + 8 h × 100 = 1000)
    cells = {k: v for d in range(7) for k, v in h.block(d, 9, 13).items()}
    v1 = h.run(h.load(tmp_path / "v1", h.case(days=7)), cells)
    assert v1.objective == pytest.approx(640.0)
    data = h.case(days=7)
    data["rules"]["PT"]["days_off_together"] = 2
    v11 = h.run(h.load(tmp_path / "v11", data), cells)
    assert v11.status == "OPTIMAL" and v11.objective == pytest.approx(1000.0)


def test_conflicting_days_off_are_explained_with_the_week_and_the_rules(tmp_path):
    # 20 h a week of 4-h shifts is five shifts; Tue and Thu off leave exactly
    # five days, so the two days off cannot be together
    data = h.case(days=7)
    data["rules"]["PT"]["days_off_together"] = 2
    data["agents"][0].update({"min_hours_week": 20, "days_off": "Tue;Thu"})
    conflict = h.conflict_of(tmp_path, data)
    assert conflict.agent_id == "A1"
    assert {"days_off_together", "min_hours_week"} <= set(conflict.rules)
    assert "week of 2027-03-01" in conflict.detail


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), share=st.floats(0.1, 0.9))
def test_unsteadiness_over_all_shifts_equals_agent_by_agent(tmp_path_factory, seed, share):
    # the vectorised measure against a plain loop over agents and `week_arcs`
    p = h.problem(h.load(tmp_path_factory.mktemp("u"), h.case(days=15, agents=4)), {})
    rng = np.random.default_rng(seed)
    s = State.empty(p)
    tpl = p.sites[0].tpl
    for a in range(4):
        for d in range(15):
            if rng.random() < share:
                s.works[a, d] = True
                s.tpl[a, d] = rng.choice(p.cand[a][tpl.day[p.cand[a]] == d])
    by_hand = np.zeros(4)
    for a in range(4):
        days = np.flatnonzero(s.works[a])
        local = tpl.local_start[s.tpl[a, days]]
        arcs = week_arcs(p, s, a)
        used = arcs[arcs >= 0]
        by_hand[a] = (
            circular_minutes(local, arcs[p.week_of_day[days]]).sum()
            + circular_minutes(used[1:], used[:-1]).sum()
        ) / 60
    assert np.allclose(unsteadiness_hours(p, s), by_hand)
