"""CP-SAT model of the Curtois–Qu rules, one function per rule family.

`build(inst, free, fixed)` models the cells `free` (a `(staff, days)` mask)
as decisions and holds every other cell at its value in `fixed` (a roster,
-1 = off). The full model frees every cell; the solving strategy frees an
employee (construction), a few employees or a window of days (LNS). Rules
only get constraints that touch a free cell, with the fixed cells folded in
as constants, so a neighbourhood model is as small as the neighbourhood.

Decisions: `x[e, d, t]` is true when employee e works shift t on day d; it
exists only for a free cell that is not a fixed day off and a shift type the
employee may work at all (MaxShifts > 0). `work[e, d]` is true when e works
any shift on day d. Days outside the horizon count as off.

Each hard-rule function adds its constraints and returns them; each soft
rule returns a `Soft` (constant plus literal × coefficient terms), whose sum
is the published objective.

The roster engine's sequence rules (`optimizer.solve.rules.sequence`) take a
`Problem` of the contact-centre scenario and an `AgentDays` of templates and
read the limits from the agent's site rule set, so their signatures do not
fit here; the rules are restated for this format (same sliding-window
encoding for the maximum of consecutive days).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from optimizer.bench.curtois.parse import Instance

Lit = cp_model.IntVar | bool
Constraint = cp_model.Constraint


@dataclass
class Soft:
    """Penalty `constant + Σ coef × var` of one soft-rule family."""

    constant: int = 0
    terms: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)

    def expr(self) -> cp_model.LinearExprT:
        return self.constant + cp_model.LinearExpr.weighted_sum(
            [v for v, _ in self.terms], [c for _, c in self.terms]
        )


@dataclass
class Cells:
    """The decision literals of the free cells and the values of the fixed ones."""

    inst: Instance
    free: np.ndarray  # (E, H) bool
    fixed: np.ndarray  # (E, H) int roster for the cells not free
    x: dict[tuple[int, int], dict[int, cp_model.IntVar]]  # free (e, d) → shift → literal
    work_lit: dict[tuple[int, int], cp_model.IntVar]  # free (e, d) with an option → literal
    staff: np.ndarray  # employees with at least one free cell
    span: dict[int, tuple[int, int]]  # employee → (first, last) free day

    def work(self, e: int, d: int) -> Lit:
        """Works employee e on day d: a literal, or a constant for fixed cells and
        days outside the horizon."""
        if d < 0 or d >= self.inst.horizon:
            return False
        if self.free[e, d]:
            return self.work_lit.get((e, d), False)
        return bool(self.fixed[e, d] >= 0)

    def shift(self, e: int, d: int, t: int) -> Lit:
        """Works employee e shift t on day d (literal or constant)."""
        if self.free[e, d]:
            return self.x.get((e, d), {}).get(t, False)
        return bool(self.fixed[e, d] == t)


@dataclass
class Built:
    """A built model: its cells, what every rule added, and the objective."""

    model: cp_model.CpModel
    cells: Cells
    hard: dict[str, list[Constraint]]
    soft: dict[str, Soft]

    @property
    def objective_constant(self) -> int:
        return sum(s.constant for s in self.soft.values())

    def roster(self, value: callable) -> np.ndarray:
        """The roster of a solution, `value(literal) -> bool` (e.g. `solver.boolean_value`)."""
        out = self.cells.fixed.copy()
        out[self.cells.free] = -1
        for (e, d), opts in self.cells.x.items():
            for t, lit in opts.items():
                if value(lit):
                    out[e, d] = t
        return out

    def hint(self, roster: np.ndarray) -> None:
        """Hint every decision literal with its value in `roster`."""
        self.model.clear_hints()
        for (e, d), opts in self.cells.x.items():
            for t, lit in opts.items():
                self.model.add_hint(lit, bool(roster[e, d] == t))
            if (e, d) in self.cells.work_lit:
                self.model.add_hint(self.cells.work_lit[e, d], bool(roster[e, d] >= 0))


def _neg(lit: Lit) -> Lit:
    return (not lit) if isinstance(lit, bool) else lit.Not()


def _clause(model: cp_model.CpModel, lits: list[Lit]) -> Constraint | None:
    """`OR(lits)` with constants folded; None when a constant makes it true."""
    vs = []
    for lit in lits:
        if lit is True:
            return None
        if lit is not False:
            vs.append(lit)
    return model.add_bool_or(vs)  # empty: the fixed part already breaks it


def make_cells(
    model: cp_model.CpModel,
    inst: Instance,
    free: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> Cells:
    """The decision literals: one per free cell and shift type the employee may
    work. Fixed days off and shift types with MaxShifts = 0 get no literal at
    all (see `fixed_days_off`, `max_shifts_per_type`)."""
    h = inst.horizon
    free = np.ones((inst.n_staff, h), dtype=bool) if free is None else free
    fixed = np.full((inst.n_staff, h), -1, dtype=np.int64) if fixed is None else fixed
    allowed = [np.flatnonzero(inst.max_shifts[e] > 0) for e in range(inst.n_staff)]
    x: dict[tuple[int, int], dict[int, cp_model.IntVar]] = {}
    work: dict[tuple[int, int], cp_model.IntVar] = {}
    for e, d in zip(*np.nonzero(free & ~inst.days_off), strict=True):
        e, d = int(e), int(d)
        if len(allowed[e]) == 0:
            continue
        x[e, d] = {int(t): model.new_bool_var(f"x{e}_{d}_{t}") for t in allowed[e]}
        work[e, d] = model.new_bool_var(f"w{e}_{d}")
    staff = np.flatnonzero(free.any(axis=1))
    span = {}
    for e in staff:
        days = np.flatnonzero(free[e])
        span[int(e)] = (int(days[0]), int(days[-1]))
    return Cells(inst, free, fixed, x, work, staff, span)


# --------------------------------------------------------------------- hard rules


def one_shift_per_day(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """An employee works at most one shift a day; `work[e, d]` is true exactly
    when one is worked (exactly one of the shifts or the day off)."""
    out = []
    for key, opts in c.x.items():
        out.append(model.add_exactly_one([*opts.values(), c.work_lit[key].Not()]))
    return out


def fixed_days_off(model: cp_model.CpModel, c: Cells) -> list[tuple[int, int]]:
    """No shift on a listed day off. Encoded by absence: such a cell has no
    literal (`make_cells`), so nothing is added; returns the free cells it
    holds off."""
    return [(int(e), int(d)) for e, d in zip(*np.nonzero(c.free & c.inst.days_off), strict=True)]


def forbidden_successions(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """Shift u may not be worked the day after shift t when u is in t's
    CannotFollow list: `x[e,d,t] + Σ_u x[e,d+1,u] ≤ 1` (one row per t, which
    is as tight as the pairwise clauses and fewer)."""
    inst, out = c.inst, []
    follow = [np.flatnonzero(inst.cannot_follow[t]) for t in range(inst.n_shifts)]
    for e in c.staff:
        lo, hi = c.span[int(e)]
        for d in range(max(lo - 1, 0), min(hi, inst.horizon - 2) + 1):
            for t in range(inst.n_shifts):
                if len(follow[t]) == 0:
                    continue
                a = c.shift(e, d, t)
                if a is False:
                    continue
                nxt = [c.shift(e, d + 1, int(u)) for u in follow[t]]
                nxt = [v for v in nxt if v is not False]
                if not nxt:
                    continue
                if a is True:
                    out.extend(model.add(v == 0) for v in nxt if v is not True)
                elif any(v is True for v in nxt):
                    out.append(model.add(a == 0))
                else:
                    out.append(model.add(a + sum(nxt) <= 1))
    return out


def max_shifts_per_type(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """Each employee works each shift type at most MaxShifts[type] times over
    the horizon (a maximum of 0 is encoded by absence of the literal)."""
    inst, out = c.inst, []
    for e in c.staff:
        row = c.fixed[e][~c.free[e]]
        for t in np.flatnonzero(inst.max_shifts[e] > 0):
            lits = [opts[t] for (ee, _), opts in _row_items(c, e) if t in opts]
            base = int((row == t).sum())
            if base + len(lits) > inst.max_shifts[e, t]:
                out.append(model.add(sum(lits) <= int(inst.max_shifts[e, t]) - base))
    return out


def _row_items(c: Cells, e: int) -> list[tuple[tuple[int, int], dict[int, cp_model.IntVar]]]:
    lo, hi = c.span[int(e)]
    return [((e, d), c.x[e, d]) for d in range(lo, hi + 1) if (e, d) in c.x]


def total_minutes(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """MinTotalMinutes ≤ Σ lengths of the shifts an employee works ≤ MaxTotalMinutes."""
    inst, out = c.inst, []
    for e in c.staff:
        row = c.fixed[e][~c.free[e]]
        base = int(inst.shift_minutes[row[row >= 0]].sum())
        terms = [
            (lit, int(inst.shift_minutes[t])) for _, o in _row_items(c, e) for t, lit in o.items()
        ]
        expr = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [k for _, k in terms])
        out.append(
            model.add_linear_constraint(
                expr, int(inst.min_minutes[e]) - base, int(inst.max_minutes[e]) - base
            )
        )
    return out


def max_consecutive_shifts(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """At most MaxConsecutiveShifts working days in a row: every window of
    max + 1 days holds a day off (days outside the horizon are off)."""
    out = []
    for e in c.staff:
        m = int(c.inst.max_consecutive[e])
        lo, hi = c.span[int(e)]
        for d0 in range(max(lo - m, 0), min(hi, c.inst.horizon - m - 1) + 1):
            lits = [c.work(e, d) for d in range(d0, d0 + m + 1)]
            if any(v is False for v in lits):
                continue
            const = sum(1 for v in lits if v is True)
            vs = [v for v in lits if v is not True]
            out.append(model.add(sum(vs) <= m - const))
    return out


def min_consecutive_shifts(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """A run of working days that touches neither day 0 nor the last day is at
    least MinConsecutiveShifts long: if a run starts on day d ≥ 1 (off on d−1,
    working on d), it still works on d + j for every j < min with d + j inside
    the horizon (a run reaching the last day is exempt). Clause per (d, j):
    `work[d−1] ∨ ¬work[d] ∨ work[d+j]`."""
    return _min_runs(model, c, c.inst.min_consecutive, working=True)


def min_consecutive_days_off(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """A run of days off that touches neither border is at least
    MinConsecutiveDaysOff long (the same clauses with work and off swapped)."""
    return _min_runs(model, c, c.inst.min_days_off, working=False)


def _min_runs(
    model: cp_model.CpModel, c: Cells, minimum: np.ndarray, working: bool
) -> list[Constraint]:
    out = []
    h = c.inst.horizon
    for e in c.staff:
        k = int(minimum[e])
        lo, hi = c.span[int(e)]

        def lit(d: int, e: int = int(e)) -> Lit:
            w = c.work(e, d)
            return w if working else _neg(w)

        for d in range(max(1, lo - k + 1), min(hi + 1, h - 1) + 1):
            for j in range(1, k):
                if d + j > h - 1:
                    break
                ct = _clause(model, [lit(d - 1), _neg(lit(d)), lit(d + j)])
                if ct is not None:
                    out.append(ct)
    return out


def max_weekends(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """At most MaxWeekends weekends worked, a weekend (Saturday 7k+5, Sunday
    7k+6) counting when either day is worked: `weekend[k] ≥ work[Sat]`,
    `≥ work[Sun]`, `Σ_k weekend[k] ≤ MaxWeekends`."""
    out = []
    for e in c.staff:
        const, lits = 0, []
        for k in range(c.inst.n_weekends):
            days = [c.work(int(e), 7 * k + 5), c.work(int(e), 7 * k + 6)]
            if any(v is True for v in days):
                const += 1
                continue
            vs = [v for v in days if v is not False]
            if not vs:
                continue
            wk = model.new_bool_var(f"wk{e}_{k}")
            out.extend(model.add_implication(v, wk) for v in vs)
            lits.append(wk)
        if const + len(lits) > c.inst.max_weekends[e]:
            out.append(model.add(sum(lits) <= int(c.inst.max_weekends[e]) - const))
    return out


def identical_staff_order(model: cp_model.CpModel, c: Cells) -> list[Constraint]:
    """Symmetry breaking: employees with identical data (contract, days off and
    requests) are interchangeable, so order them by their first day's shift
    (off < shift 0 < shift 1 …). Only on the full model. None of the 24
    instances has two identical employees, so it adds nothing there."""
    inst, out = c.inst, []
    if not c.free.all():
        return out
    groups: dict[bytes, list[int]] = {}
    for e in range(inst.n_staff):
        on = inst.on_requests[inst.on_requests[:, 0] == e, 1:]
        off = inst.off_requests[inst.off_requests[:, 0] == e, 1:]
        key = b"|".join(
            np.ascontiguousarray(a).tobytes()
            for a in (
                inst.max_shifts[e],
                np.array([inst.max_minutes[e], inst.min_minutes[e], inst.max_consecutive[e]]),
                np.array([inst.min_consecutive[e], inst.min_days_off[e], inst.max_weekends[e]]),
                inst.days_off[e],
                on,
                off,
            )
        )
        groups.setdefault(key, []).append(e)

    def code(e: int) -> cp_model.LinearExprT:
        return sum((t + 1) * lit for t, lit in c.x.get((e, 0), {}).items())

    for members in groups.values():
        for a, b in itertools.pairwise(members):
            out.append(model.add(code(a) >= code(b)))
    return out


HARD_RULES = (
    one_shift_per_day,
    forbidden_successions,
    max_shifts_per_type,
    total_minutes,
    max_consecutive_shifts,
    min_consecutive_shifts,
    min_consecutive_days_off,
    max_weekends,
    identical_staff_order,
)


# --------------------------------------------------------------------- soft rules


def shift_on_requests(model: cp_model.CpModel, c: Cells) -> Soft:
    """Weight for each shift-on request not granted: `w × (1 − x[e,d,t])`."""
    soft = Soft()
    for e, d, t, w in c.inst.on_requests.tolist():
        lit = c.shift(e, d, t)
        if lit is True:
            continue
        soft.constant += w
        if lit is not False:
            soft.terms.append((lit, -w))
    return soft


def shift_off_requests(model: cp_model.CpModel, c: Cells) -> Soft:
    """Weight for each shift-off request the roster breaks: `w × x[e,d,t]`."""
    soft = Soft()
    for e, d, t, w in c.inst.off_requests.tolist():
        lit = c.shift(e, d, t)
        if lit is True:
            soft.constant += w
        elif lit is not False:
            soft.terms.append((lit, w))
    return soft


def cover(model: cp_model.CpModel, c: Cells) -> Soft:
    """For each day and shift with n employees on it: WeightUnder × under +
    WeightOver × over, where `n − requirement = over − under`, both ≥ 0
    (minimisation makes them the positive and negative parts). A pair with a
    single literal (one employee free, as in construction) needs neither: its
    cost is the constant plus −WeightUnder or +WeightOver times the literal."""
    inst, soft = c.inst, Soft()
    h, nt = inst.horizon, inst.n_shifts
    base = np.zeros((h, nt), dtype=np.int64)
    fe, fd = np.nonzero(~c.free & (c.fixed >= 0))
    np.add.at(base, (fd, c.fixed[fe, fd]), 1)
    lits: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (_, d), opts in c.x.items():
        for t, lit in opts.items():
            lits.setdefault((d, t), []).append(lit)
    for d in range(h):
        for t in range(nt):
            req, n0 = int(inst.cover[d, t]), int(base[d, t])
            wu, wo = int(inst.weight_under[d, t]), int(inst.weight_over[d, t])
            vs = lits.get((d, t), [])
            soft.constant += wu * max(0, req - n0) + wo * max(0, n0 - req)
            if len(vs) == 1:  # one literal: its marginal cost is exact and linear
                soft.terms.append((vs[0], -wu if n0 < req else wo))
            if len(vs) <= 1:
                continue
            soft.constant -= wu * max(0, req - n0) + wo * max(0, n0 - req)
            under = model.new_int_var(0, max(0, req - n0), f"u{d}_{t}")
            over = model.new_int_var(0, max(0, n0 + len(vs) - req), f"o{d}_{t}")
            model.add(sum(vs) + n0 - req == over - under)
            soft.terms += [(under, wu), (over, wo)]
    return soft


SOFT_RULES = (shift_on_requests, shift_off_requests, cover)


def build(
    inst: Instance,
    free: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> Built:
    """The model of `inst` over the free cells (all when None), the rest held
    at `fixed`; objective: minimise the sum of the soft rules, which is the published
    objective of the whole roster (the fixed cells' penalties are constants)."""
    model = cp_model.CpModel()
    cells = make_cells(model, inst, free, fixed)
    hard = {fn.__name__: fn(model, cells) for fn in HARD_RULES}
    hard["fixed_days_off"] = fixed_days_off(model, cells)
    soft = {fn.__name__: fn(model, cells) for fn in SOFT_RULES}
    terms = [t for s in soft.values() for t in s.terms]
    const = sum(s.constant for s in soft.values())
    model.minimize(
        const + cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [k for _, k in terms])
    )
    return Built(model, cells, hard, soft)
