"""Tiny solver cases: a one-site scenario with a requirement drawn by hand.

`case()` gives scenario data with one Lisbon site (UTC+0 in early March),
one Portuguese voice queue, a 60-minute grid, 4-hour shifts without break,
no premiums and a base cost of 10 EUR/h, and a shortfall penalty of
100 EUR per agent-hour — so objectives can be added up by hand.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model

from optimizer.calendars import calendars_of
from optimizer.check import check_roster
from optimizer.scenario.load import load_scenario
from optimizer.scenario.model import Activities, Scenario
from optimizer.solve.agentdp_hours import weekly_rules_bind
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.construct import construct
from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem, build_problem
from optimizer.solve.result import Conflict, SolveResult
from optimizer.solve.rules.horizon import NO_LIMIT
from optimizer.solve.solver import solve
from optimizer.solve.state import Evaluation, State, evaluate
from optimizer.solve.stop import StopCriteria
from optimizer.solve.wishes import shift_prices
from optimizer.staffing.requirements import Requirements
from optimizer.timegrid import TimeGrid
from tests import factory

Q = "PT-pt-voice"


def case(days: int = 2, agents: int = 1) -> dict:
    d = factory.mini(days=days)
    d["rules"]["PT"].update(
        {
            "shift_hours": [4],
            "start_step_minutes": 60,
            "min_rest_hours": 11,
            "max_consecutive_days": 6,
            "max_hours_week": 48,
            "premiums": {"night": 1.0, "weekend": 1.0, "holiday": 1.0},
        }
    )
    d["rules"]["PT"].pop("break")
    d["agents"] = [
        {
            "id": f"A{k + 1}",
            "site": "LIS",
            "languages": "pt",
            "channels": "voice",
            "min_hours_week": 0,
            "max_hours_week": 40,
        }
        for k in range(agents)
    ]
    return d


def two_languages() -> dict:
    """`case(days=1, agents=2)` plus a Spanish voice queue (tier T2, penalty
    40/h against Portuguese's 100/h); A1 speaks Portuguese and Spanish, A2
    only Portuguese."""
    data = case(days=1, agents=2)
    data["tiers"]["T2"] = {**data["tiers"]["T1"], "under_cover_penalty": 40}
    data["markets"].append({**data["markets"][0], "id": "ES", "country": "ES", "tier": "T2"})
    data["queues"].append(
        {
            "id": "ES-es-voice",
            "market": "ES",
            "language": "es",
            "channel": "voice",
            "aht_seconds": 360,
        }
    )
    data["agents"][0]["languages"] = "pt;es"
    return data


def bilingual(
    tmp: Path, activities: Activities, shift_hours: int = 4, brk: bool = False
) -> tuple[Scenario, Problem]:
    """`two_languages()`'s Portuguese and Spanish speaker alone, on a
    30-minute grid, with `shift_hours` shifts (a 30-minute unpaid break
    3 hours in with `brk`) and the `activities` rules: the scenario, and
    its problem with no need (to look its templates up)."""
    data = two_languages()
    data["agents"] = data["agents"][:1]
    data["horizon"]["interval_minutes"] = 30
    data["rules"]["PT"]["shift_hours"] = [shift_hours]
    if brk:
        data["rules"]["PT"]["break"] = {"minutes": 30, "paid": False, "after_hours": [3, 3]}
    sc = load(tmp, data).model_copy(update={"activities": activities})
    return sc, build_problem(sc, requirement(sc, {}), calendars_of(sc))


def with_need(sc: Scenario, need: np.ndarray) -> Problem:
    """The problem of `sc` with `need` [Q, T] agents required per queue and interval."""
    grid = TimeGrid.of(sc)
    ids = tuple(q.id for q in sc.queues)
    f = need.astype(float)
    return build_problem(sc, Requirements(grid, ids, f, need > 0, f, f, need), calendars_of(sc))


def on_shift(p: Problem, k: int) -> State:
    """The first agent on template k of day 0, nobody else: allocated exactly."""
    s = State.empty(p)
    s.works[0, 0], s.tpl[0, 0] = True, k
    optimal_allocation(p, s)
    return s


def load(tmp: Path, data: dict) -> Scenario:
    return load_scenario(factory.write(tmp, data))


def requirement(
    sc: Scenario, cells: dict[tuple[int, int], int], more: dict[int, dict] | None = None
) -> Requirements:
    """`cells[(day, hour)] = agents` of the first queue in Lisbon local time;
    `more[i]` the same for queue i; the rest 0."""
    grid = TimeGrid.of(sc)
    req = np.zeros((len(sc.queues), grid.n), dtype=np.int64)
    frame = grid.local("Europe/Lisbon")
    start = sc.horizon.start.toordinal()
    for q, by_cell in {0: cells, **(more or {})}.items():
        for (day, hour), n in by_cell.items():
            req[q, (frame.ordinal == start + day) & (frame.minute == hour * 60)] = n
    return Requirements(
        grid,
        tuple(q.id for q in sc.queues),
        req.astype(float),
        req > 0,
        req.astype(float),
        req.astype(float),
        req,
    )


def block(day: int, first: int, last: int, n: int = 1) -> dict[tuple[int, int], int]:
    """n agents required in each hour from `first` to `last` (exclusive) on `day`."""
    return {(day, h): n for h in range(first, last)}


def problem(
    sc: Scenario, cells: dict[tuple[int, int], int], more: dict[int, dict] | None = None
) -> Problem:
    return build_problem(sc, requirement(sc, cells, more), calendars_of(sc))


def conflict_of(tmp: Path, data: dict) -> Conflict:
    """The one conflict the explanation finds among the agents of `data`
    (scenario written under `tmp`, no requirement): which agent, which rules."""
    from optimizer.solve.explain import find_conflicts

    p = problem(load(tmp, data), {})
    (conflict,) = find_conflicts(p, CandidateIndex(p, nominal_only=False))
    return conflict


def constructed(
    tmp: Path, data: dict, cells: dict[tuple[int, int], int]
) -> tuple[Scenario, Problem, CandidateIndex, State, Evaluation] | None:
    """The scenario of `data`, its problem for `cells`, every candidate shift,
    and the constructed first roster with its objective; None when some
    agent's own rules admit no schedule."""
    sc = load(tmp, data)
    p = problem(sc, cells)
    cands = CandidateIndex(p, nominal_only=False)
    built = construct(p, cands, StopCriteria(time_limit=60), 0)
    assert not built.unplaced, "construction ran out of time"
    if built.failed:
        return None
    return sc, p, cands, built.state, evaluate(p, built.state)


def constructed_example(
    data: dict, cells: dict[tuple[int, int], int]
) -> tuple[Scenario, Problem, CandidateIndex, State, Evaluation]:
    """For a hypothesis test: `constructed` in a temporary directory; an
    example with no first roster (some agent's rules admit no schedule) is
    rejected (`hypothesis.reject`), not tested."""
    from hypothesis import reject

    with tempfile.TemporaryDirectory() as tmp:
        built = constructed(Path(tmp), data, cells)
    if built is None:
        reject()
    return built


PASSES = 20  # neighbourhoods a test's solve tries before the whole model


def limits(seconds: float = 10.0, workers: int = 2) -> StopCriteria:
    """A test solve's limits: it stops after `PASSES` neighbourhoods (or
    agent passes) and on a proven optimum, not on the clock; `seconds` is a
    safety net only."""
    return StopCriteria(time_limit=seconds, gap=0.0, workers=workers, passes=PASSES)


def run(sc: Scenario, cells: dict[tuple[int, int], int], seconds: float = 10.0) -> SolveResult:
    """Solve, then check the roster with the independent checker: no violation allowed."""
    result = solve(problem(sc, cells), limits(seconds), seed=0)
    if result.status != "INFEASIBLE":
        report = check_roster(sc, result.roster)
        assert report.ok, report.to_text()
    return result


def run_case(
    tmp: Path, case: tuple[dict, dict], seconds: float = 5.0
) -> tuple[Scenario, SolveResult] | None:
    """A drawn case (`random_cases`) written under `tmp`, solved and checked
    (`run`); None when it is infeasible."""
    data, cells = case
    sc = load(tmp, data)
    res = run(sc, cells, seconds=seconds)
    return None if res.status == "INFEASIBLE" else (sc, res)


def shifts(result: SolveResult) -> list[tuple[str, dt.date, int, int]]:
    """(agent, shift date, local start hour, paid hours) of each shift (Lisbon, UTC+0)."""
    out = []
    for r in result.roster.shifts.itertuples():
        out.append((r.agent_id, r.shift_date, (r.start % 1440) // 60, r.work_minutes // 60))
    return sorted(out)


def random_cases(max_days: int = 4, max_agents: int = 4, max_cells: int = 30):  # type: ignore[no-untyped-def]
    """A hypothesis strategy of small random cases: (scenario data, requirement cells).

    Rest, maximum (and sometimes minimum) consecutive days, sometimes a
    minimum of consecutive days off, sometimes a maximum of weekends worked
    (with a weekend that may fall on any weekday, so short horizons hold
    some), and the weekly minimum vary; sometimes the first agent may only
    work nights (a personal window across midnight); sometimes the shifts
    are a catalogue of three named types, with some successions of them
    forbidden, sometimes a limit on the night type and a cover of some
    (date, type) cells; sometimes the first
    agent's paid hours over the horizon are bounded; up to three shift requests (on or off, for a date or one
    start) are drawn."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):  # type: ignore[no-untyped-def]
        days = draw(st.integers(1, max_days))
        data = case(days=days, agents=draw(st.integers(1, max_agents)))
        most = draw(st.integers(1, 6))
        data["rules"]["PT"].update({
            "min_rest_hours": draw(st.sampled_from([0, 8, 11])),
            "max_consecutive_days": most,
        })  # fmt: skip
        least = draw(st.sampled_from([None, None, 2, 3]))
        if least is not None and least <= most:
            data["rules"]["PT"]["min_consecutive_days"] = least
        off = draw(st.sampled_from([None, None, 2, 3]))
        if off is not None:
            data["rules"]["PT"]["min_consecutive_days_off"] = off
        weekends = draw(st.sampled_from([None, None, 0, 1]))
        if weekends is not None:
            data["rules"]["PT"]["max_weekends"] = weekends
            data["rules"]["PT"]["weekend"] = draw(
                st.sampled_from([["Sat", "Sun"], ["Mon"], ["Tue", "Wed"]])
            )
        if draw(st.booleans()):
            data["rules"]["PT"]["shift_types"] = [
                {"id": "D", "start": "09:00", "hours": 4},
                {"id": "E", "start": "13:00", "hours": 4},
                {
                    "id": "N",
                    "start": "21:00",
                    "hours": 4,
                    "max_shifts": draw(st.sampled_from([None, 1, 2])),
                },
            ]
            pairs = [["N", "D"], ["N", "E"], ["E", "D"], ["D", "D"]]
            data["rules"]["PT"]["forbidden_successions"] = draw(
                st.lists(st.sampled_from(pairs), max_size=3, unique_by=tuple)
            )
            first = dt.date.fromisoformat(data["horizon"]["start"])
            cells_of_types = draw(
                st.lists(
                    st.tuples(st.integers(0, days - 1), st.sampled_from(["D", "E", "N"])),
                    max_size=3,
                    unique=True,
                )
            )
            data["shift_cover"] = [
                {
                    "site": "LIS",
                    "date": (first + dt.timedelta(days=day)).isoformat(),
                    "shift_type": kind,
                    "required": draw(st.integers(0, 2)),
                    "under_penalty": draw(st.sampled_from([0, 30, 100])),
                    "over_penalty": draw(st.sampled_from([0, 5])),
                }
                for day, kind in cells_of_types
            ]
        horizon = draw(st.sampled_from([None, None, None, ("min", 8), ("max", 8), ("max", 12)]))
        if horizon is not None:
            data["agents"][0][f"{horizon[0]}_hours_horizon"] = horizon[1]
        minimum = draw(st.sampled_from([0, 4, 8, 16]))
        for a in data["agents"]:
            a["min_hours_week"] = minimum
        if draw(st.booleans()):
            data["agents"][0].update({"earliest_start": "20:00", "latest_end": "06:00"})
        wishes = {
            (f"A{draw(st.integers(1, len(data['agents'])))}", draw(st.integers(0, days - 1)),
             draw(st.sampled_from(["on", "off"])), draw(st.sampled_from([None, 0, 9, 10, 21])))
            for _ in range(draw(st.integers(0, 3)))
        }  # fmt: skip
        first = dt.date.fromisoformat(data["horizon"]["start"])
        data["requests"] = [
            {
                "agent": agent,
                "date": (first + dt.timedelta(days=day)).isoformat(),
                "kind": kind,
                **({} if start is None else {"start": f"{start:02d}:00"}),
                "weight": draw(st.sampled_from([5, 50, 500])),
            }
            for agent, day, kind, start in sorted(wishes, key=str)
        ]
        cells = draw(
            st.dictionaries(
                st.tuples(st.integers(0, days - 1), st.integers(0, 23)),
                st.integers(1, 3),
                max_size=max_cells,
            )
        )
        return data, cells

    return build()


def random_v11_cases(max_days: int = 9, max_agents: int = 3, max_cells: int = 40):  # type: ignore[no-untyped-def]
    """`random_cases` under contract v1.1: each case also draws a start band,
    days off together and a limit on consecutive nights (each sometimes
    unset), over up to `max_days` days so that a whole Mon–Sun week fits."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):  # type: ignore[no-untyped-def]
        data, cells = draw(random_cases(max_days, max_agents, max_cells))
        rules = {
            "start_band_hours": draw(st.sampled_from([None, 0, 1, 2, 6])),
            "days_off_together": draw(st.sampled_from([None, 2, 3])),
            "max_consecutive_nights": draw(st.sampled_from([None, 1, 2])),
        }
        return factory.v11(data, **rules), cells

    return build()


def draw_allocation_case(
    data, groups: int, queues: int, served: int, most: int, penalties: list[float]
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray]:
    """A random allocation problem for hypothesis: up to `groups` groups each
    serving 1..`served` of up to `queues` queues, 0..`most` agents on duty
    and needed per interval (1–3 intervals), penalties drawn from
    `penalties`. Returns (group_queues, on [G, n], need [Q, n], penalty [Q])."""
    from hypothesis import strategies as st

    G, Q, n = (data.draw(st.integers(1, k)) for k in (groups, queues, 3))
    group_queues = tuple(
        np.array(
            sorted(data.draw(st.sets(st.integers(0, Q - 1), min_size=1, max_size=served))),
            dtype=np.int64,
        )
        for _ in range(G)
    )
    counts = st.lists(st.integers(0, most), min_size=n, max_size=n)
    on = np.array(data.draw(st.lists(counts, min_size=G, max_size=G)))
    need = np.array(data.draw(st.lists(counts, min_size=Q, max_size=Q)))
    penalty = np.array(data.draw(st.lists(st.sampled_from(penalties), min_size=Q, max_size=Q)))
    return group_queues, on, need, penalty


def assert_allocation_fits(
    alloc: list[np.ndarray], group_queues: tuple[np.ndarray, ...], on: np.ndarray, need: np.ndarray
) -> None:
    """Never negative, never more agents than on duty, nobody beyond the need."""
    cover = np.zeros_like(need)
    for g, (qs, a) in enumerate(zip(group_queues, alloc, strict=True)):
        assert (a >= 0).all()
        assert (a.sum(axis=0) <= on[g]).all()
        np.add.at(cover, qs, a)
    assert (cover <= need).all()


def runs(seq: list[int]) -> list[int]:
    """Lengths of the runs of equal neighbours in `seq`, written here
    independently of the solver's own stretch code."""
    out: list[int] = []
    for i, x in enumerate(seq):
        if i > 0 and seq[i - 1] == x:
            out[-1] += 1
        else:
            out.append(1)
    return out


def one_agent_optimum(p: Problem, values: np.ndarray) -> tuple[int, list[int], object]:
    """Agent 0 alone in its CP-SAT model (no coverage), each template worth
    `values`: the solver status, the templates it picks and the built model
    (to fix a schedule in it and ask whether the model accepts it).

    Solved without presolve: on one drawn case (9 days, rest 8 h, at most 3
    days in a row, a 20:00–06:00 window, 16 h a week) OR-Tools 9.15's
    presolve reports OPTIMAL at a value that a schedule the same model
    accepts beats (`test_agentdp` pins that case), so a reference answer
    must not rely on it."""
    cands = CandidateIndex(p, nominal_only=False)
    built = build(
        p, State.empty(p), [0], range(p.n_days), cands, coverage=False, values={0: values}
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, [], built
    return status, [int(k) for _, _, k, lit in built.shift_lits if solver.boolean_value(lit)], built


def model_values(p: Problem, net: np.ndarray) -> np.ndarray:
    """[T] the values that make agent 0's CP-SAT model (`one_agent_optimum`)
    weigh each template as the one-agent programme does at `net` [T]: the
    model takes each shift's pay and the agent's wishes off its value."""
    tpl = p.sites[p.agent_site[0]].tpl
    return net + p.rate[0] * tpl.weight * p.scenario.weights.cost + shift_prices(p, 0)


def programme_is_exact(p: Problem) -> bool:
    """Whether the one-agent programme is exact for agent 0: with no hours
    over the horizon, or where no weekly limit or overtime can bind (its
    horizon view counts the hours, `agentdp_hours.weekly_rules_bind`); otherwise
    it meets those hours by a price, a heuristic (`agentdp_hours.within_horizon_hours`)."""
    if p.hmin[0] == 0 and p.hmax[0] >= NO_LIMIT:
        return True
    return not weekly_rules_bind(p, 0, p.sites[p.agent_site[0]].tpl.paid[p.cand[0]])


def draw_sequence_case(  # type: ignore[no-untyped-def]
    data, t_range: tuple[int, int], most_q: int, most_b: int, penalties: list[float],
    breaks: bool = False,
):  # fmt: skip
    """A hypothesis draw of shifts competing for need under stretch rules:
    (penalty [Q], required [Q, T], rules, pos, slots, kinds) with each
    shift's grid positions (a break sometimes left out when `breaks`), its
    queues padded with -1, and the tuple of its queues."""
    from hypothesis import strategies as st

    from optimizer.solve.stretches import SequenceRules

    T = data.draw(st.integers(*t_range))
    Q = data.draw(st.integers(1, most_q))
    B = data.draw(st.integers(1, most_b))
    penalty = np.array(data.draw(st.lists(st.sampled_from(penalties), min_size=Q, max_size=Q)))
    required = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 2), min_size=T, max_size=T), min_size=Q, max_size=Q)
        )
    )
    rules = SequenceRules(
        data.draw(st.integers(1, 3)), data.draw(st.one_of(st.none(), st.integers(1, 3)))
    )
    pos, slots, kinds = [], [], []
    for _ in range(B):
        lo = data.draw(st.integers(0, T - 1))
        hi = data.draw(st.integers(lo + 1, T))
        gap = data.draw(st.one_of(st.none(), st.integers(lo, hi - 1))) if breaks else None
        pos.append([t for t in range(lo, hi) if t != gap] or [lo])
        qs = sorted(data.draw(st.sets(st.integers(0, Q - 1), min_size=1, max_size=Q)))
        kinds.append(tuple(qs))
        slots.append(qs + [-1] * (Q - len(qs)))
    return penalty, required, rules, pos, slots, kinds


def misplaced_shift(tmp: Path) -> tuple[Problem, CandidateIndex, State]:
    """One agent, one 4-hour shift needed 08:00-12:00 on day 0, and a roster
    that has the agent on 20:00-24:00 instead (objective 40 + 400 short)."""
    p = problem(load(tmp, case(days=1, agents=1)), block(0, 8, 12, 1))
    tpl = p.sites[0].tpl
    late = next(int(k) for k in p.cand[0] if tpl.day[k] == 0 and tpl.local_start[k] == 20 * 60)
    state = State.empty(p)
    state.works[0, 0], state.tpl[0, 0] = True, late
    return p, CandidateIndex(p, nominal_only=False), state
