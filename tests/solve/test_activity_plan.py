"""Named queue sequences under contract v1.1's stretch and switch rules,
end to end on one shift: the optimum derived by hand, and the report that
proves it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Activities
from optimizer.solve.activity_plan import activities, plan_activities
from optimizer.solve.problem import Problem
from optimizer.solve.state import State
from tests.solve import helpers as h


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
    act = Activities(min_minutes=min_minutes, max_switches_per_shift=max_switches)
    sc, bare = h.bilingual(tmp_path, act, shift_hours, brk)
    st_ = bare.sites[0]
    tp = st_.tpl
    k = int(np.flatnonzero((tp.day == 0) & (tp.local_start == 480) & ((tp.brk_len > 0) == brk))[0])
    span = (int(st_.a[k]), int(st_.b[k]), int(st_.ba[k]), int(st_.bb[k]))
    duty = [t for t in range(span[0], span[1]) if not (brk and span[2] <= t < span[3])]
    req = np.zeros(bare.required.shape, dtype=np.int64)
    for q, positions in need.items():
        req[q, [duty[i] for i in positions]] = 1
    p = h.with_need(sc, req)
    s = h.on_shift(p, k)
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


def test_the_plan_reports_the_optimum_derived_by_hand_as_proven(tmp_path):
    # the minimum-stretch case above: the best roster leaves Spanish short at
    # one half-hour (20); one shift's LP is its best sequence, so column
    # generation proves it; the rule-free flow leaves nothing short
    p, s, span = one_shift(tmp_path, BLIPS, min_minutes=60)
    plan = plan_activities(p, s, lp_rounds=20)
    assert covered(p, plan.roster, span) == [[0, 1, 2, 3, 5], [6, 7]]
    r = plan.report
    assert (r.floor, r.lower, r.shortfall, r.gap) == (0.0, 20.0, 20.0, 0.0)
    assert r.method.startswith("column generation (CONVERGED")
    p, s, span = one_shift(tmp_path, BLIPS)  # no rule: the flow's cover, proven by the flow
    r = plan_activities(p, s).report
    assert (r.floor, r.lower, r.shortfall) == (0.0, 0.0, 0.0)


def test_a_flow_handed_in_is_the_floor_and_a_missing_one_is_solved(tmp_path):
    # the caller's exact allocation (`cover` after `optimal_allocation`) is
    # the rule-free coverage the plan would solve itself: the same floor;
    # a coverage handed in is taken as it is (one agent short everywhere
    # that Portuguese is needed: 5 half-hours at 50)
    from optimizer.solve.activity_plan import allocation_coverage
    from optimizer.solve.state import cover

    p, s, _ = one_shift(tmp_path, BLIPS, min_minutes=60)
    assert np.array_equal(allocation_coverage(p, s), cover(p, s))
    assert plan_activities(p, s, flow=cover(p, s)).report.floor == 0.0
    none_on_pt = cover(p, s)
    none_on_pt[0] = 0
    assert plan_activities(p, s, flow=none_on_pt).report.floor == 250.0
