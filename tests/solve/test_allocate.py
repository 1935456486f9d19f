"""Allocation of on-duty agents to queues: exact, where filling the most
penalised queue first is not; named queue sequences within the stretch and
switch rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from optimizer.calendars import calendars_of
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Activities
from optimizer.solve.activity_plan import ShiftTable, activities, assign_sequences
from optimizer.solve.allocate import allocate_counts, optimal_allocation
from optimizer.solve.problem import Problem, build_problem
from optimizer.solve.state import State
from optimizer.solve.stretches import SequenceRules
from optimizer.staffing.requirements import Requirements
from optimizer.timegrid import TimeGrid
from tests.solve import helpers as h


def saved(alloc, need, penalty, group_queues) -> float:  # type: ignore[no-untyped-def]
    cover = np.zeros_like(need)
    for qs, a in zip(group_queues, alloc, strict=True):
        np.add.at(cover, qs, a)
    return float((np.minimum(cover, need) * penalty[:, None]).sum())


def test_a_bilingual_agent_serves_the_rare_language_while_a_monolingual_serves_the_common():
    # queue 0: English (penalty 75), queue 1: French (40); one English-only
    # agent and one French+English agent on duty, one agent needed in each.
    # Most penalised first would give English the bilingual agent if it came
    # first; the exact answer covers both: 75 + 40.
    group_queues = (np.array([0, 1]), np.array([0]))  # bilingual listed first
    on = np.array([[1], [1]])
    need = np.array([[1], [1]])
    penalty = np.array([75.0, 40.0])
    alloc = allocate_counts(on, need, penalty, group_queues)
    assert alloc[0].tolist() == [[0], [1]]  # bilingual → French
    assert alloc[1].tolist() == [[1]]  # English-only → English
    assert saved(alloc, need, penalty, group_queues) == 115.0


def test_a_chain_of_moves_is_found():
    # q0 (75) only g0 can serve; g0 also serves q1 (40), which g1 serves too;
    # g1 also serves q2 (20), which g2 serves too. One agent each, one needed
    # per queue: every queue can be covered, but only by moving along the chain.
    group_queues = (np.array([1, 0]), np.array([2, 1]), np.array([2]))
    on = np.array([[1], [1], [1]])
    need = np.array([[1], [1], [1]])
    penalty = np.array([75.0, 40.0, 20.0])
    alloc = allocate_counts(on, need, penalty, group_queues)
    assert saved(alloc, need, penalty, group_queues) == 135.0


def test_no_one_on_duty_or_no_need_allocates_nothing():
    group_queues = (np.array([0]),)
    assert (
        allocate_counts(np.zeros((1, 3), int), np.ones((1, 3), int), np.array([1.0]), group_queues)[
            0
        ].sum()
        == 0
    )
    assert (
        allocate_counts(np.ones((1, 3), int), np.zeros((1, 3), int), np.array([1.0]), group_queues)[
            0
        ].sum()
        == 0
    )


def lp_optimum(on, need, penalty, group_queues) -> float:  # type: ignore[no-untyped-def]
    """The same problem as a plain LP per interval (scipy's HiGHS): an independent check."""
    total = 0.0
    for t in range(on.shape[1]):
        pairs = [(g, q) for g, qs in enumerate(group_queues) for q in qs]
        if not pairs:
            continue
        c = np.array([-penalty[q] for _, q in pairs])
        rows, rhs = [], []
        for g in range(len(group_queues)):
            rows.append([1.0 if gg == g else 0.0 for gg, _ in pairs])
            rhs.append(on[g, t])
        for q in range(need.shape[0]):
            rows.append([1.0 if qq == q else 0.0 for _, qq in pairs])
            rhs.append(need[q, t])
        res = linprog(c, A_ub=np.array(rows), b_ub=rhs, bounds=(0, None), method="highs")
        total += -res.fun
    return total


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_allocation_is_feasible_and_as_good_as_the_lp(data):
    group_queues, on, need, penalty = h.draw_allocation_case(
        data, groups=4, queues=4, served=4, most=3, penalties=[20.0, 40.0, 75.0, 12.5]
    )
    alloc = allocate_counts(on, need, penalty, group_queues)
    h.assert_allocation_fits(alloc, group_queues, on, need)
    assert saved(alloc, need, penalty, group_queues) == pytest.approx(
        lp_optimum(on, need, penalty, group_queues)
    )


# ---------------------------------------------------------------- activities
# Named queue sequences under contract v1.1's stretch and switch rules.


def stretches_of(roster: Roster) -> dict[tuple[str, object], list[tuple[str, int]]]:
    """(queue, minutes) of each shift's stretches, counted here independently:
    segments in time order, breaks dropped, consecutive same queue merged."""
    out: dict[tuple[str, object], list[tuple[str, int]]] = {}
    seg = roster.segments.sort_values(["agent_id", "start"])
    for r in seg.itertuples():
        if r.activity == BREAK:
            continue
        runs = out.setdefault((r.agent_id, r.shift_date), [])
        if runs and runs[-1][0] == r.activity:
            runs[-1] = (r.activity, runs[-1][1] + int(r.end - r.start))
        else:
            runs.append((r.activity, int(r.end - r.start)))
    return out


def assert_rules_hold(roster: Roster, min_minutes: int | None, max_switches: int | None) -> None:
    for runs in stretches_of(roster).values():
        if max_switches is not None:
            assert len(runs) - 1 <= max_switches
        if min_minutes is not None and len(runs) > 1:
            assert min(m for _, m in runs) >= min_minutes


def one_shift(
    tmp_path: Path,
    need: dict[int, list[int]],
    min_minutes: int | None = None,
    max_switches: int | None = None,
    shift_hours: int = 4,
    brk: bool = False,
) -> tuple[Problem, State, tuple[int, int, int, int]]:
    """One agent speaking Portuguese (queue 0, 50 per half-hour short) and
    Spanish (queue 1, 20) works one shift from 08:00 on a 30-minute grid;
    `need[q]` lists the shift's on-duty intervals (0 = 08:00, breaks
    skipped) needing one agent in queue q. Returns the problem, the state
    with its exact counts and the shift's (a, b, ba, bb) grid intervals."""
    data = h.two_languages()
    data["agents"] = data["agents"][:1]
    data["horizon"]["interval_minutes"] = 30
    data["rules"]["PT"]["shift_hours"] = [shift_hours]
    if brk:
        data["rules"]["PT"]["break"] = {"minutes": 30, "paid": False, "after_hours": [3, 3]}
    sc = h.load(tmp_path, data)
    act = Activities(min_minutes=min_minutes, max_switches_per_shift=max_switches)
    sc = sc.model_copy(update={"activities": act})
    grid = TimeGrid.of(sc)
    bare = build_problem(sc, h.requirement(sc, {}), calendars_of(sc))
    st_ = bare.sites[0]
    tp = st_.tpl
    k = int(np.flatnonzero((tp.day == 0) & (tp.local_start == 480) & ((tp.brk_len > 0) == brk))[0])
    span = (int(st_.a[k]), int(st_.b[k]), int(st_.ba[k]), int(st_.bb[k]))
    duty = [t for t in range(span[0], span[1]) if not (brk and span[2] <= t < span[3])]
    req = np.zeros((2, grid.n), dtype=np.int64)
    for q, positions in need.items():
        req[q, [duty[i] for i in positions]] = 1
    requirements = Requirements(
        grid, bare.queue_ids, req.astype(float), req > 0, req.astype(float), req.astype(float), req
    )
    p = build_problem(sc, requirements, calendars_of(sc))
    s = State.empty(p)
    s.works[0, 0], s.tpl[0, 0] = True, k
    optimal_allocation(p, s)
    return p, s, span


def covered(p: Problem, roster: Roster, span: tuple[int, int, int, int]) -> list[list[int]]:
    """Per queue, the shift's intervals (counted from its start) the roster covers."""
    cov = roster.coverage(p.queue_ids, p.grid.start, p.grid.interval, p.grid.n)
    need_cov = np.minimum(cov, p.required)
    return [[int(t - span[0]) for t in np.flatnonzero(need_cov[q])] for q in range(2)]


# Portuguese needed at 0-3 and 5, Spanish at 4, 6 and 7 (half-hours of a 4 h shift)
BLIPS = {0: [0, 1, 2, 3, 5], 1: [4, 6, 7]}


def test_without_rules_the_roster_covers_exactly_what_the_counts_cover(tmp_path):
    p, s, span = one_shift(tmp_path, BLIPS)
    roster = activities(p, s)
    assert covered(p, roster, span) == [[0, 1, 2, 3, 5], [4, 6, 7]]
    assert [m for _, m in stretches_of(roster)[("A1", p.dates[0])]] == [120, 30, 30, 60]


def test_a_minimum_stretch_gives_the_optimum_derived_by_hand(tmp_path):
    # stretches of ≥ 60 min (2 half-hours): Portuguese 08:00-11:00 then Spanish
    # 11:00-12:00 saves 5 × 50 + 2 × 20 = 290, more than Portuguese 0-3 and
    # Spanish 4-7 (4 × 50 + 3 × 20 = 260) or all Portuguese (250); a 30-min
    # stretch for the Spanish at 4 is not allowed
    p, s, span = one_shift(tmp_path, BLIPS, min_minutes=60)
    roster = activities(p, s)
    assert covered(p, roster, span) == [[0, 1, 2, 3, 5], [6, 7]]
    assert stretches_of(roster)[("A1", p.dates[0])] == [("PT-pt-voice", 180), ("ES-es-voice", 60)]


def test_alternating_needs_do_not_make_an_alternating_shift(tmp_path):
    # Portuguese needed at even half-hours, Spanish at odd ones
    alternate = {0: [0, 2, 4, 6], 1: [1, 3, 5, 7]}
    p, s, span = one_shift(tmp_path, alternate)
    assert len(stretches_of(activities(p, s))[("A1", p.dates[0])]) == 8  # free: it alternates
    p, s, span = one_shift(tmp_path, alternate, min_minutes=60)
    roster = activities(p, s)
    assert_rules_hold(roster, 60, None)
    # every 60-min stretch covers one half-hour of its queue: all Portuguese is best
    assert covered(p, roster, span) == [[0, 2, 4, 6], []]


def test_no_switch_keeps_the_shift_on_its_most_valuable_queue(tmp_path):
    # Spanish is needed more often (5 half-hours × 20 = 100) but Portuguese
    # is worth more (3 × 50 = 150): with no switch allowed, all Portuguese
    p, s, span = one_shift(tmp_path, {0: [0, 1, 2], 1: [3, 4, 5, 6, 7]}, max_switches=0)
    roster = activities(p, s)
    assert stretches_of(roster)[("A1", p.dates[0])] == [("PT-pt-voice", 240)]
    assert covered(p, roster, span) == [[0, 1, 2], []]


def test_a_break_inside_a_stretch_does_not_end_it(tmp_path):
    # Spanish is needed the half-hour before the break and the one after it,
    # Portuguese the rest: 30 + 30 min of Spanish around the break is one
    # 60-min stretch, so all the need is covered with two switches
    p, s, span = one_shift(tmp_path, {}, shift_hours=6, brk=True)
    a, b, ba, bb = span
    n = (b - a) - (bb - ba)
    before = ba - a - 1  # the last on-duty position before the break
    need = {0: [i for i in range(n) if i not in (before, before + 1)], 1: [before, before + 1]}
    p, s, span = one_shift(tmp_path, need, min_minutes=60, max_switches=2, shift_hours=6, brk=True)
    roster = activities(p, s)
    runs = stretches_of(roster)[("A1", p.dates[0])]
    assert [q for q, _ in runs] == ["PT-pt-voice", "ES-es-voice", "PT-pt-voice"]
    assert runs[1][1] == 60
    assert_rules_hold(roster, 60, 2)
    cov = roster.coverage(p.queue_ids, p.grid.start, p.grid.interval, p.grid.n)
    assert (np.minimum(cov, p.required) == p.required).all()


def test_a_shift_shorter_than_the_minimum_stretch_is_one_stretch(tmp_path):
    p, s, _ = one_shift(tmp_path, BLIPS, min_minutes=300)  # 4 h shift, 5 h minimum
    roster = activities(p, s)
    assert stretches_of(roster)[("A1", p.dates[0])] == [("PT-pt-voice", 240)]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sequences_keep_the_rules_and_never_beat_the_counts(data):
    penalty, required, rules, pos, slots, kinds = h.draw_sequence_case(
        data, (4, 10), 3, 5, [20.0, 40.0, 75.0], breaks=True
    )
    T, B = required.shape[1], len(pos)
    N = max(len(x) for x in pos)
    groups = sorted(set(kinds))
    table = ShiftTable(
        agent=np.arange(B),
        day=np.zeros(B, dtype=np.int64),
        tpl=np.zeros(B, dtype=np.int64),
        group=np.array([groups.index(k) for k in kinds]),
        pos=np.array([x + [x[-1]] * (N - len(x)) for x in pos]),
        length=np.array([len(x) for x in pos]),
        slots=np.array(slots),
        brk=np.zeros((B, 2), dtype=np.int64),
    )
    # the counts and their naming: per interval, counted agents first, the others on slot 0
    on = np.zeros((len(groups), T), dtype=np.int64)
    for b, x in enumerate(pos):
        on[table.group[b], x] += 1
    counts = allocate_counts(on, required, penalty, tuple(np.array(g) for g in groups))
    named = np.full((B, N), -1)
    left = [c.copy() for c in counts]
    for b, x in enumerate(pos):
        g = table.group[b]
        for n, t in enumerate(x):
            open_ = np.flatnonzero(left[g][:, t] > 0)
            named[b, n] = open_[0] if len(open_) else 0
            if len(open_):
                left[g][open_[0], t] -= 1
    start = named if not rules.binding else np.where(named >= 0, 0, -1)
    x = assign_sequences(table, required, penalty, rules, start, time_budget=30.0, kicks=3)

    def saved(seq: np.ndarray) -> float:
        cover = np.zeros_like(required)
        for b, ts in enumerate(pos):
            for n, t in enumerate(ts):
                cover[slots[b][seq[b, n]], t] += 1
        return float((np.minimum(cover, required) * penalty[:, None]).sum())

    for b, ts in enumerate(pos):
        seq = x[b, : len(ts)].tolist()
        assert (x[b, len(ts) :] == -1).all() and all(slots[b][j] >= 0 for j in seq)
        runs = h.runs(seq)
        if rules.max_stretches is not None:
            assert len(runs) <= rules.max_stretches
        assert len(runs) == 1 or min(runs) >= rules.min_len
    best = saved_counts = saved_of(counts, groups, required, penalty)
    assert saved(x) <= best + 1e-9
    assert saved(x) >= saved(start) - 1e-9  # passes never lose coverage
    plain = assign_sequences(table, required, penalty, rules, start, time_budget=30.0, kicks=0)
    assert saved(x) >= saved(plain) - 1e-9  # the local search keeps the best it saw
    if not rules.binding:
        assert saved(x) == pytest.approx(saved_counts)


def saved_of(counts, groups, required, penalty) -> float:  # type: ignore[no-untyped-def]
    cover = np.zeros_like(required)
    for qs, c in zip(groups, counts, strict=True):
        np.add.at(cover, list(qs), c)
    return float((np.minimum(cover, required) * penalty[:, None]).sum())


def _two_shifts() -> tuple[ShiftTable, np.ndarray]:
    """Shifts A and B over the same four intervals, one queue all through
    (no switch). Queues X, Y, Z; A serves X or Y, B serves X or Z. Need: X
    at t0, t2, t3; Y at t2; Z at t0, t2, t3."""
    table = ShiftTable(
        agent=np.arange(2),
        day=np.zeros(2, dtype=np.int64),
        tpl=np.zeros(2, dtype=np.int64),
        group=np.arange(2),
        pos=np.array([[0, 1, 2, 3], [0, 1, 2, 3]]),
        length=np.array([4, 4]),
        slots=np.array([[0, 1], [0, 2]]),
        brk=np.zeros((2, 2), dtype=np.int64),
    )
    required = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 0, 1, 1]])
    return table, required


def test_plateau_steps_leave_a_local_optimum_of_best_responses():
    # A on Y and B on X leave Z short at three intervals. Neither shift alone
    # gains: A on X would fill nothing B does not, B on Z fills three as B on
    # X does. Only the sideways step (B to Z, equal) lets A move to X, which
    # is the optimum by hand: of A=Y/B=X, A=Y/B=Z, A=X/B=Z, A=X/B=X the
    # shortfalls are 3, 3, 1, 4.
    table, required = _two_shifts()
    rules = SequenceRules(2, 1)
    start = np.array([[1, 1, 1, 1], [0, 0, 0, 0]])  # A on Y, B on X
    penalty = np.ones(3)
    stuck = assign_sequences(table, required, penalty, rules, start, 10.0, kicks=0)
    assert stuck.tolist() == start.tolist()
    x = assign_sequences(table, required, penalty, rules, start, 10.0, kicks=5)
    assert x.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]]  # A on X, B on Z


def test_the_local_search_stops_at_its_floor(monkeypatch):
    # from the optimum (shortfall 1 interval × penalty 1 × 100): with that
    # as the floor, one ordinary pass and no kick; with a floor of 0, kicks
    # go on (here 2: a plateau pass and KICK_PASSES after each), then one
    # ordinary pass polishes the best, which finds nothing to gain, and the
    # optimum is kept
    from optimizer.solve import activity_plan

    calls = []
    run = activity_plan._Responses.run
    monkeypatch.setattr(
        activity_plan._Responses, "run", lambda self, rng=None: calls.append(rng) or run(self, rng)
    )
    table, required = _two_shifts()
    rules = SequenceRules(2, 1)
    good = np.array([[0, 0, 0, 0], [1, 1, 1, 1]])
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=100)
    assert x.tolist() == good.tolist() and calls == [None]
    calls.clear()
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=0, kicks=2)
    assert x.tolist() == good.tolist()
    assert len(calls) == 1 + 2 * (1 + activity_plan.KICK_PASSES) + 1
    calls.clear()  # no kick limit: it ends when STALL_KICKS kicks in a row find nothing better
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=0)
    assert x.tolist() == good.tolist()
    assert len(calls) == 1 + activity_plan.STALL_KICKS * (1 + activity_plan.KICK_PASSES) + 1


def test_the_plan_reports_the_optimum_derived_by_hand_as_proven(tmp_path):
    # the minimum-stretch case above: the best roster leaves Spanish short at
    # one half-hour (20); one shift's LP is its best sequence, so column
    # generation proves it; the rule-free flow leaves nothing short
    from optimizer.solve.activity_plan import plan_activities

    p, s, span = one_shift(tmp_path, BLIPS, min_minutes=60)
    plan = plan_activities(p, s, lp_rounds=20)
    assert covered(p, plan.roster, span) == [[0, 1, 2, 3, 5], [6, 7]]
    r = plan.report
    assert (r.floor, r.lower, r.shortfall, r.gap) == (0.0, 20.0, 20.0, 0.0)
    assert r.method.startswith("column generation (CONVERGED")
    p, s, span = one_shift(tmp_path, BLIPS)  # no rule: the flow's cover, proven by the flow
    r = plan_activities(p, s).report
    assert (r.floor, r.lower, r.shortfall) == (0.0, 0.0, 0.0)
