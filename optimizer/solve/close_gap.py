"""Closing a small problem's gap exactly: every schedule within a margin of
its agent's least reduced cost, then a MIP that chooses one per agent.

Where every roster's objective is a whole number, column generation's bound
L is often a unit or two below the optimum, and neither the search nor
CP-SAT's whole model closes that last step: CP-SAT's relaxation mixes
fractions of shifts no schedule of the agent's rules holds.

The argument. At column generation's prices (rounded to cents,
`lagrange_cuts.Prices`) every roster's objective, in cents, is

    Σ_a R_a(schedule of a) + S + (the `on` requests' weights),

where R_a is what agent a's schedule costs less what its shifts earn (its
reduced cost) and S what the coverage terms cost beyond what the shifts
earn. S is at least W = Σ price × need over the coverage rows
(`least_coverage`), and R_a at least m_a, the agent's least reduced cost
(`lagrange_cuts.least_reduced_costs`). So a roster of objective ≤ T gives
every agent a schedule with R_a ≤ m_a + margin, margin = 100·(T − the
requests' weights) − Σ m_a − W. Those schedules are enumerated exactly (CP-SAT on
the agent's own model, every solution; `schedules_within`), and a MIP over
them chooses one per agent at least objective, the coverage priced exactly
(`choose_schedules`, OR-Tools' SCIP). Every roster of objective ≤ T is
among its choices, so the optimum is at least min(v, T + 1), v the MIP's
least; where v ≤ T + 1 its roster is the optimum.

The rounds climb from T = ⌈L⌉ one unit at a time, while the incumbent lies
above T, the time allows and the schedules stay few (`ExactParams`): each
round either proves one more unit of bound or ends with the optimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.lagrange_cuts import Cuts, Prices, reduced_cost, shift_earnings
from optimizer.solve.model import CandidateIndex, build, cents
from optimizer.solve.params import ExactParams
from optimizer.solve.problem import Problem
from optimizer.solve.state import State
from optimizer.solve.stop import StopCriteria
from optimizer.solve.type_cover import shift_cells

# On set-partitioning MIPs of this kind SCIP's presolve (its probing above all) and its
# cutting planes spend much of a round and fix or cut little, and a restart after
# presolve does not pay either: a round branches on the master's own LP. Ctrl-C belongs
# to the caller (the CLI sets the stop's cancel), not to SCIP
SCIP_SETTINGS = "\n".join(
    (
        "propagating/probing/maxprerounds = 0",
        "presolving/maxrestarts = 0",
        "presolving/maxrounds = 0",
        "separating/maxrounds = 0",
        "separating/maxroundsroot = 0",
        "misc/catchctrlc = FALSE",
    )
)


@dataclass(frozen=True)
class Schedule:
    """One schedule of one agent: its shifts (day, template) and what its
    own terms of the objective cost, in cents."""

    agent: int
    shifts: tuple[tuple[int, int], ...]
    cost: int


@dataclass(frozen=True)
class Closed:
    """What the rounds proved: the best bound (None: nothing beyond what was
    known), the optimal roster where a round found it, and how far they got."""

    bound: float | None
    state: State | None
    rounds: int
    schedules: int
    why: str  # why the rounds ended


def least_coverage(p: Problem, prices: Prices) -> int:
    """A lower bound, over every roster, of what the coverage terms cost
    beyond what the shifts earn at `prices` (cents): each queue interval at
    least its price times its need, each cell of the cover per shift type
    at least its price times its requirement. The prices lie between 0 (or
    minus the over-cover price) and the shortfall price, so a row's cost less
    its earnings is least when it is met exactly."""
    least = int((prices.lam * p.required).sum())
    if len(prices.mu):
        least += int((prices.mu * p.type_cover.required).sum())
    return least


def requests_weight(p: Problem) -> float:
    """The weight of every `on` request: a constant of every roster's
    objective, which each shift granting one earns back (`wishes`)."""
    r = p.requests
    return float(r.weight[r.on].sum())


def margin_at(p: Problem, cuts: Cuts, target: int) -> int:
    """How far above its least reduced cost each agent's schedule may lie in
    a roster of objective at most `target` (module doc), in cents."""
    most = math.floor(100 * (target - requests_weight(p)) + 1e-6)
    return most - sum(cuts.least.values()) - least_coverage(p, cuts.prices)


class _Collect(cp_model.CpSolverSolutionCallback):
    """Every solution's shifts and own cost, the least cost per set of shifts."""

    def __init__(self, shifts: list[tuple[int, int, cp_model.IntVar]], cost, most: int):  # type: ignore[no-untyped-def]
        super().__init__()
        self._shifts, self._cost, self._most = shifts, cost, most
        self.found: dict[tuple[tuple[int, int], ...], int] = {}
        self.full = False

    def on_solution_callback(self) -> None:
        key = tuple((d, k) for d, k, lit in self._shifts if self.boolean_value(lit))
        cost = int(self.value(self._cost))
        if cost < self.found.get(key, cost + 1):
            self.found[key] = cost
        if len(self.found) > self._most:
            self.full = True
            self.stop_search()


def schedules_within(
    p: Problem,
    inc: State,
    cands: CandidateIndex,
    agent: int,
    cuts: Cuts,
    margin: int,
    seconds: float,
    most: int,
    stop: StopCriteria | None = None,
) -> list[Schedule] | None:
    """Every schedule of `agent` whose reduced cost at the cuts' prices lies
    within `margin` of its least: CP-SAT on the agent's own model (the same
    rules as the whole model's), every solution enumerated. None when they
    are more than `most` or not all found in `seconds`."""
    one = build(p, inc, [agent], range(p.n_days), cands, coverage=False)
    earn = shift_earnings(p, one, cuts.prices)
    one.model.add(reduced_cost(one, agent, earn) <= cuts.least[agent] + margin)
    one.model.clear_objective()
    one.model.clear_hints()
    shifts = [(d, k, lit) for a, d, k, lit in one.shift_lits if a == agent]
    collect = _Collect(shifts, sum(one.agent_terms[agent]), most)
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 0  # the relaxation only slows the enumeration
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    with (stop or StopCriteria(time_limit=math.inf)).watching(solver):  # Ctrl-C: the caller's
        code = solver.solve(one.model, collect)
    if collect.full or code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return None
    return [Schedule(agent, key, cost) for key, cost in collect.found.items()]


def choose_schedules(
    p: Problem, schedules: list[Schedule], seconds: float, stop: StopCriteria | None = None
) -> tuple[str, list[Schedule], float]:
    """One schedule per agent at least objective: the MIP's status (OPTIMAL,
    FEASIBLE when its time ran out, or UNKNOWN), the schedules chosen, and
    its proven bound, in the objective's units.

    It minimises rather than asking for an objective at most the round's
    target: a row of every variable's price slows SCIP down, and the least
    says as much (module doc)."""
    mip = pywraplp.Solver.CreateSolver("SCIP")
    mip.SetSolverSpecificParametersAsString(SCIP_SETTINGS)  # tuning: a test checks SCIP reads it
    obj = mip.Objective()

    def priced(var: pywraplp.Variable, price: float) -> None:
        obj.SetCoefficient(var, price)

    one = {a: mip.Constraint(1.0, 1.0) for a in range(p.n_agents)}
    z = []
    for s in schedules:
        var = mip.BoolVar("")
        one[s.agent].SetCoefficient(var, 1.0)
        priced(var, float(s.cost))
        z.append(var)
    _type_rows(p, mip, schedules, z, priced)
    _queue_rows(p, mip, schedules, z, priced)
    obj.SetMinimization()
    mip.SetTimeLimit(max(1, int(seconds * 1000)))
    if stop is not None and stop.cancel.is_set():
        return "UNKNOWN", [], -math.inf
    with (stop or StopCriteria(time_limit=math.inf)).interrupting(mip.InterruptSolve):
        code = mip.Solve()
    status = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE"}.get(
        code, "UNKNOWN"
    )
    if status == "UNKNOWN":
        return status, [], -math.inf
    chosen = [s for s, v in zip(schedules, z, strict=True) if v.solution_value() > 0.5]
    proven = obj.Value() if status == "OPTIMAL" else obj.BestBound()
    return status, chosen, proven / 100.0 + requests_weight(p)


def _type_rows(p, mip, schedules, z, priced) -> None:  # type: ignore[no-untyped-def]
    """Each cell of the cover per shift type: the schedules' shifts counted,
    its shortfall and over-cover priced."""
    tc = p.type_cover
    if not len(tc.required):
        return
    cells_of = shift_cells(p)
    rows = []
    for c in range(len(tc.required)):
        row = mip.Constraint(float(tc.required[c]), float(tc.required[c]))
        short, extra = mip.NumVar(0.0, mip.infinity(), ""), mip.NumVar(0.0, mip.infinity(), "")
        row.SetCoefficient(short, 1.0)
        row.SetCoefficient(extra, -1.0)
        priced(short, float(cents(tc.under[c])))
        priced(extra, float(cents(tc.over[c])))
        rows.append(row)
    for s, var in zip(schedules, z, strict=True):
        site = int(p.agent_site[s.agent])
        for d, k in s.shifts:
            for c in cells_of(site, d, k):
                rows[c].SetCoefficient(var, rows[c].GetCoefficient(var) + 1.0)


def _queue_rows(p, mip, schedules, z, priced) -> None:  # type: ignore[no-untyped-def]
    """The queues' intervals as the whole model counts them: each group's
    agents on duty split over its queues (no agent in two at once), each
    queue's shortfall at its penalty."""
    need = p.required
    if not need.any():
        return
    pen = cents(p.penalty)
    served: dict[tuple[int, int], list] = {}
    cap: dict[tuple[int, int], pywraplp.Constraint] = {}
    for g, qs in enumerate(p.group_queues):
        for t in np.flatnonzero(need[qs].any(axis=0)).tolist():
            row = mip.Constraint(-mip.infinity(), 0.0)
            cap[(g, t)] = row
            for q in qs[need[qs, t] > 0].tolist():
                y = mip.NumVar(0.0, float(need[q, t]), "")
                row.SetCoefficient(y, 1.0)
                served.setdefault((q, t), []).append(y)
    for (q, t), ys in served.items():
        row = mip.Constraint(float(need[q, t]), mip.infinity())
        short = mip.NumVar(0.0, float(need[q, t]), "")
        row.SetCoefficient(short, 1.0)
        for y in ys:
            row.SetCoefficient(y, 1.0)
        priced(short, float(pen[q]))
    for s, var in zip(schedules, z, strict=True):
        st, g = p.sites[p.agent_site[s.agent]], int(p.agent_group[s.agent])
        for _d, k in s.shifts:
            for t in st.on_duty(k).tolist():
                row = cap.get((g, t))
                if row is not None:
                    row.SetCoefficient(var, row.GetCoefficient(var) - 1.0)
    uncovered = need.copy()
    for q, t in served:
        uncovered[q, t] = 0
    priced(mip.NumVar(1.0, 1.0, ""), float((uncovered * pen[:, None]).sum()))


def roster_of(p: Problem, chosen: list[Schedule]) -> State:
    """The roster of the schedules chosen, allocated to queues exactly."""
    s = State.empty(p)
    for sch in chosen:
        for d, k in sch.shifts:
            s.works[sch.agent, d], s.tpl[sch.agent, d] = True, k
    optimal_allocation(p, s)
    return s


def _listed(
    p: Problem,
    inc: State,
    cands: CandidateIndex,
    cuts: Cuts,
    margin: int,
    stop: StopCriteria,
    params: ExactParams,
) -> list[Schedule]:
    """Every agent's schedules within `margin` (`schedules_within`); none
    when they are too many, or when the agents listed so far project a
    listing longer than `stop` allows."""
    out: list[Schedule] = []
    began = stop.elapsed()
    for a in range(p.n_agents):
        if stop.should_stop():
            return []
        found = schedules_within(
            p, inc, cands, a, cuts, margin, stop.remaining(), params.most_per_agent, stop
        )
        if found is None or len(out) + len(found) > params.most_schedules:
            return []
        out += found
        spent = stop.elapsed() - began
        if spent * p.n_agents / (a + 1) > stop.time_limit - began:
            return []
    return out


def close_gap(
    p: Problem,
    inc: State,
    cands: CandidateIndex,
    cuts: Cuts,
    lower: float,
    upper: float,
    stop: StopCriteria,
    params: ExactParams = ExactParams(),
) -> Closed:
    """The rounds of the module doc, from the bound `lower` while the
    incumbent's objective `upper` lies above, within `stop`."""
    bound, state, rounds, counted = None, None, 0, 0
    target = math.ceil(lower - 1e-6)
    why = "the incumbent is optimal"
    while target < upper - 0.5:
        if len(cuts.least) < p.n_agents:
            why = "an agent's least reduced cost is unknown"
            break
        margin = margin_at(p, cuts, target)
        if margin < 0:  # the prices alone prove more than `lower`
            bound, target = float(target + 1), target + 1
            continue
        schedules = _listed(p, inc, cands, cuts, margin, stop.share(params.enumerate_share), params)
        if not schedules or stop.should_stop():
            why = "too many schedules within the margin, or no time"
            break
        rounds, counted = rounds + 1, len(schedules)
        status, chosen, proven = choose_schedules(p, schedules, stop.remaining(), stop)
        if status == "UNKNOWN":
            why = "a round's MIP found no roster in time"
            break
        state = roster_of(p, chosen)
        # every roster of objective ≤ target is among the MIP's choices, the others lie above
        bound = max(bound or -math.inf, min(proven, float(target + 1)))
        if status == "FEASIBLE":
            why = "a round's MIP ran out of time"
            break
        if bound >= proven - 1e-6:
            why = "a round found the optimum"
            break
        target += 1
    return Closed(bound, state, rounds, counted, why)
