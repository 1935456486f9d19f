"""One agent's best schedule over the whole horizon by dynamic programming,
exact under every rule over the agent's days.

The agent passes, guided passes and refill moves re-plan one agent at a
time thousands of times a run; a CP-SAT model per re-plan spends most of
its time building the model. This programme gives the same optimum in
milliseconds. Day by day it keeps, for every state

    (the week's start band,
     end of the last shift that can still bind the rest rule,
     run counters: days worked in a row, night shifts in a row, the
       progress towards the week's days off together, days off in a row,
       whether the run began on the horizon's first day, under
       `max_weekends` the weekends worked so far and whether this week's is,
       and under forbidden successions the shift type worked the day before,
     paid units so far this week),

the best net value of the days so far. A day's move is "off" or one of the
day's options: allowed when the last shift ended at least `rest` minutes
before the option starts, its start lies in the week's band, the runs stay
within `max_consecutive_days` and `max_consecutive_nights`, a day off
ends a run of working days only once it is `min_consecutive_days` long and
a shift a run of days off only once it is `min_consecutive_days_off` long
(unless the run began on the horizon's first day), a shift on a weekend
day starts a new weekend worked only within `max_weekends`, a shift's type
may follow the type worked the day before, and the week's
paid minutes stay within its maximum. At the end of each local week the weekly
minimum and the days off together are checked and the overtime beyond the
threshold paid (the same overtime the agent's CP-SAT model prices). Ends
that can no longer bind any later option are merged into one state, so the
state space stays small (about one end per option of the day). Ends are
kept in ascending order, so the states an option may follow are a prefix of
them and its best predecessor a prefix maximum. `AgentProgramme` prepares
the agent's arrays once, to run for any option values (`best_plan` runs it
once; the bounds' pricing, `bounds/horizon.py`, many times, relaxed); the
passes forward and back are compiled (`agentdp_kernel`).

The band of a week is chosen from a set of arc starts (`anchors`): with
every distinct start the agent may use that week the programme is exact;
callers pass a few likely ones to stay fast (`arcs.anchor_candidates`). With `weights.stability` each
shift also costs its start's distance from the week's arc start, and the
arc start's move from one week to the next, per hour, and a day off right
after a single working day pays `weights.isolated_day` for that isolated day
(`state.unsteadiness_hours` and `state.isolated_days` measure the same on a
roster).

Rules it holds, as `rules/` states them: one shift per local date, minimum
rest (and so no overlap), maximum and minimum consecutive days, minimum
consecutive days off, weekly maximum and minimum paid minutes, start band,
days off together, consecutive nights, weekends worked in the horizon,
forbidden successions of shift types and their limits, where the state
stays small (`held_in_state`: otherwise a plan breaking the type limits or
the weekends is repaired by a heuristic, `AgentProgramme.keep_left_out`,
and `best_plan` says the plan may not be the best). An agent's
paid
hours over the horizon (`min_hours_horizon`, `max_hours_horizon`): where
no weekly limit or overtime can bind, `best_plan` runs the horizon view,
whose state counts them exactly; otherwise they are not in the state, and
a plan outside them is run again with a price per paid minute
(`agentdp_hours.within_horizon_hours`), a heuristic that may miss the best
plan within them, or any. Over a long horizon the horizon view's state
grows with every paid total the days so far can reach, and the search asks
for the price first there too (`best_plan`'s `hours_by_price`). Where no
weekly limit or overtime can bind, the weekly view keeps no paid units at
all.
Day-level rules are already in the agent's candidates. The fairness term
couples all days of the horizon and is left out, as the one-agent CP-SAT
model of `construct.best_schedule` leaves it out: the neighbourhood models
and the evaluation price it.
"""

from __future__ import annotations

import functools

import numpy as np

from optimizer.solve.agentdp_counters import HORIZON_STATES_MAX, Counters, held_in_state
from optimizer.solve.agentdp_hours import (
    TIE_BREAK,
    horizon_units,
    paid_unit,
    weekly_rules_bind,
    within_horizon_hours,
)
from optimizer.solve.agentdp_kernel import programme
from optimizer.solve.problem import Problem
from optimizer.solve.rules.horizon import NO_LIMIT
from optimizer.solve.state import DAY_MINUTES


def best_plan(
    p: Problem,
    a: int,
    templates: np.ndarray,
    net: np.ndarray,
    anchors: list[np.ndarray] | None = None,
    band: int | None = None,
    repair: bool = True,
    hours_by_price: int | None = None,
) -> tuple[np.ndarray | None, bool]:
    """Agent a's schedule of most net value: the chosen templates (one per
    worked day, of `templates`, its candidates on any days, worth `net`
    each, cost already taken off) maximising Σ net − overtime − stability
    under its rules; None if no schedule meets them (a weekly minimum out
    of reach). `anchors[w]`: the arc starts the band of week w may take
    (default: every distinct start of the week's options: exact). `band`:
    the widest arc of a week's starts in minutes, if narrower than the rule
    set's (`arcs.steady_band`; -1: none). Also whether the programme's plan is
    its best: False when a limit the state left out had to be kept by
    `AgentProgramme.keep_left_out`'s heuristic (without `repair`, such a
    plan is refused: None), or the hours over the horizon by a price.

    With `hours_by_price` set, an agent whose hours over the horizon the
    horizon view would hold exactly, in more than that many paid totals
    (`horizon_units`), is first planned by the weekly view, whose state
    leaves the paid minutes out, with a price per paid minute
    (`within_horizon_hours`): the horizon view's state holds every paid
    total the days so far can reach, so with hundreds of them each of its
    runs takes as long as the price's few dozen runs of the weekly view.
    The horizon view runs when no price finds a plan within the hours."""
    low, high = int(p.hmin[a]), int(p.hmax[a])
    hours = low > 0 or high < NO_LIMIT
    templates = np.asarray(templates, dtype=np.int64)
    paid = p.sites[p.agent_site[a]].tpl.paid[templates]
    # with hours over the horizon and no weekly limit or overtime that can
    # bind, the horizon view is exact
    exact_hours = hours and not weekly_rules_bind(p, a, paid)
    if exact_hours and hours_by_price is not None and horizon_units(p, a, paid) > hours_by_price:
        weekly = AgentProgramme(p, a, templates, anchors, band)
        plan, exact = _plan(weekly, net, low, high, True, repair)
        if plan is not None:
            return plan, exact
    prog = AgentProgramme(p, a, templates, anchors, band, horizon_hours=exact_hours)
    return _plan(prog, net, low, high, hours and not exact_hours, repair)


def _plan(
    prog: AgentProgramme,
    net: np.ndarray,
    low: int,
    high: int,
    price_hours: bool,
    repair: bool,
) -> tuple[np.ndarray | None, bool]:
    """`best_plan` from the programme `prog`; with `price_hours`, the
    paid minutes over the horizon kept within [low, high] by a price."""
    if not prog.feasible:
        return None, True
    if prog.p.n_days == 0:
        return prog.templates[:0], True
    net = np.asarray(net, dtype=float)
    exact = True

    def plan_for(values: np.ndarray) -> np.ndarray | None:
        """The programme's plan at `values`, repaired where it breaks a limit left out."""
        nonlocal exact
        found = prog.run(values)
        if found is not None and not prog.keeps_left_out(prog.templates[found[1]]):
            exact = False
            if repair:  # without, the plan goes on as it is, and is refused at the end
                found = prog.keep_left_out(values, found)
        return None if found is None else found[1]

    chosen = plan_for(net)
    if chosen is not None and price_hours:
        slack = (
            np.abs(net).max(initial=0.0) + prog.stab * DAY_MINUTES + prog.isolated.max(initial=0.0)
        )
        most = (slack + 1.0) / max(int(prog.paid.min()), 1) + prog.extra
        priced = within_horizon_hours(plan_for, net, prog.paid, chosen, low, high, most)
        exact = exact and priced is chosen
        chosen = priced
    if chosen is None:
        return None, exact
    plan = prog.templates[chosen]
    return (plan, exact) if prog.keeps_left_out(plan) else (None, exact)


class AgentProgramme:
    """Agent a's programme (module doc) over the options `templates`,
    prepared once and run for any option values (`run`). With `relaxed`,
    stability and isolated days cost nothing, so its value is at least that
    of every schedule under the rules it holds: what a bound needs.

    With `horizon_hours` (the horizon view) the paid units count over the
    whole horizon instead of each week, so the agent's hours over the
    horizon hold exactly, and the weekly minimum, maximum and overtime are
    dropped (a relaxation, exact where `weekly_rules_bind` says none of
    them can bind). `states_max`: the most states
    of the counters that look past a run (`held_in_state`); `quick`: the
    most states of the quicker relaxations `run` tries first, smallest
    first."""

    def __init__(
        self,
        p: Problem,
        a: int,
        templates: np.ndarray,
        anchors: list[np.ndarray] | None = None,
        band: int | None = None,
        relaxed: bool = False,
        horizon_hours: bool = False,
        states_max: int | None = None,
        quick: tuple[int, ...] = (),
    ) -> None:
        self.p, self.a = p, a
        self.site = site = int(p.agent_site[a])
        self.tpl = tpl = p.sites[site].tpl
        self.templates = templates = np.asarray(templates, dtype=np.int64)
        day = tpl.day[templates].astype(np.int64)
        self.start = tpl.start[templates].astype(np.int64)
        self.end = tpl.end[templates].astype(np.int64)
        self.paid = paid = tpl.paid[templates].astype(np.int64)
        self.local = local = tpl.local_start[templates].astype(np.int64)
        night = p.sites[site].night[templates].astype(np.int64)
        self.unit = unit = paid_unit(paid)
        self.units = paid // unit
        self.rest = int(p.rest[site])
        self.band = band = int(p.band[site]) if band is None else band
        self.stab = stab = 0.0 if relaxed else float(p.scenario.weights.stability) / 60.0  # per min
        forbid, limits, weekends = p.forbid[site], p.type_limits[site], int(p.max_weekends[site])
        counted, weekends_held = held_in_state(
            forbid, limits, weekends, HORIZON_STATES_MAX if states_max is None else states_max
        )
        self.limits, self.counted, self.weekends = limits, counted, weekends
        self.weekends_held = weekends_held
        n_types = len(limits) if forbid.any() or (counted >= 0).any() else 0
        counters = Counters.of(
            int(p.maxcons[site]), int(p.max_nights[site]), int(p.off_together[site]),
            int(p.mincons[site]), int(p.minoff[site]), weekends if weekends_held else -1,
            tuple((int(a), int(b)) for a, b in np.argwhere(forbid)), n_types,
            tuple(int(x) for x in counted) if n_types else (),
        )  # fmt: skip
        self.counters = counters
        # each option's counter map (`Counters.maps`): 1 or 2 (a day or a night shift),
        # 4 or 5 on a weekend day; where shift types have rules, the maps of its type
        weekend = p.weekend_day[site, day].astype(np.int64)
        if n_types:
            self.kind = 6 + 4 * tpl.shift_type[templates] + (night > 0) + 2 * weekend
        else:
            self.kind = np.where(night > 0, 2, 1) + 3 * weekend
        # a day off right after a first working day makes that day isolated (from day 2 on:
        # the day before the horizon is unknown, so its first day is never isolated)
        price = 0.0 if relaxed else p.scenario.weights.isolated_day_price
        self.isolated = price * counters.first
        self.weeks = weeks = p.week_of_day.astype(np.int64)
        most_per_day = int(self.units.max(initial=0))
        days_in_week = np.bincount(weeks, minlength=p.n_weeks)
        self.carry = horizon_hours
        self.extra = extra = float(p.rate[a] * p.ot_extra[site] * p.scenario.weights.cost)
        if horizon_hours:  # the hours over the horizon in the units; no weekly limits, no overtime
            cap = np.full(p.n_weeks, horizon_units(p, a, paid), dtype=np.int64)
            floor = np.zeros(p.n_weeks, dtype=np.int64)
            floor[-1:] = -(-int(p.hmin[a]) // unit)
            extra = 0.0
        elif not self.weekly:  # the week's paid units change nothing
            self.units = np.zeros_like(self.units)
            cap = np.zeros(p.n_weeks, dtype=np.int64)
            floor = np.zeros(p.n_weeks, dtype=np.int64)
        else:
            cap = np.minimum(p.wmax[a] // unit, days_in_week * most_per_day).astype(np.int64)
            floor = -(-p.wmin[a] // unit).astype(np.int64)
        self.cap = cap
        self.feasible = not (floor > cap).any()
        H = int(cap.max(initial=0)) + 1
        thr = float(p.ot_threshold[site])
        self.arcs = band >= 0 or stab > 0
        if anchors is None:
            anchors = [np.unique(local[weeks[day] == w]) for w in range(p.n_weeks)]
        anchors = _filled(anchors) if self.arcs else [np.zeros(1, dtype=np.int64)] * p.n_weeks

        def close_cost(w: int) -> np.ndarray:
            """[C, H] overtime of week w's paid units; inf where the week's rules fail."""
            h = np.arange(H)
            cost = extra * np.maximum(0.0, h * unit - thr) if extra > 0 else np.zeros(H)
            cost = np.where((h >= floor[w]) & (h <= cap[w]), cost, np.inf)
            ok = counters.satisfied | (not p.week_whole[w])
            return np.where(ok[:, None], cost[None, :], np.inf)

        self.order = np.argsort(day, kind="stable")
        self.day_ptr = np.r_[0, np.cumsum(np.bincount(day, minlength=p.n_days))].astype(np.int64)
        first_start = np.full(p.n_days, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_start, day, self.start)
        # the earliest start from day d on
        self.later_start = np.minimum.accumulate(first_start[::-1])[::-1]
        self.closing = (
            np.stack([close_cost(w) for w in range(p.n_weeks)])
            if p.n_weeks
            else np.zeros((0, counters.satisfied.shape[0], H))
        )
        self.flat_anchors = np.concatenate(anchors).astype(np.int64)
        self.anchor_ptr = np.r_[0, np.cumsum([len(x) for x in anchors])].astype(np.int64)
        self.quick: AgentProgramme | None = None
        if quick:
            first = AgentProgramme(
                p, a, templates, anchors, band, relaxed, horizon_hours, quick[-1], quick[:-1]
            )
            if len(first.counters.worked) < len(counters.worked):
                self.quick = first

    @functools.cached_property
    def weekly(self) -> bool:
        """Whether a weekly limit or overtime can bind the agent
        (`weekly_rules_bind`): what the horizon view drops."""
        return weekly_rules_bind(self.p, self.a, self.paid)

    def run(self, values: np.ndarray) -> tuple[float, np.ndarray] | None:
        """The programme's best plan for option values `values`: its value
        and the options chosen (indices into `templates`); None if none.

        With quick programmes (`quick`: the same rules, fewer of the limits
        over the horizon held in the state) those run first, the quickest
        first. Each is a relaxation of the next, so its value is at least
        the next one's; when its plan keeps the limits it left out, that
        plan is the next one's best too, and the larger state is not run."""
        if self.quick is not None:
            found = self.quick.run(values)
            if found is None or self.quick.keeps_left_out(self.templates[found[1]]):
                return found
        c = self.counters
        found, value, chosen = programme(
            self.order, self.day_ptr, self.start, self.end, self.units, self.local, self.kind,
            values, self.flat_anchors, self.anchor_ptr, self.weeks, self.closing, self.cap,
            self.later_start, self.rest, self.band, self.stab, self.arcs, self.isolated,
            c.worked, c.maps, c.map_ptr, self.carry,
        )  # fmt: skip
        return (float(value), chosen) if found else None

    def left_out_excess(self, plan: np.ndarray) -> tuple[np.ndarray, bool]:
        """How templates `plan` break the limits the state left out
        (`held_in_state`): per shift type, whether it is over its limit; and
        whether more weekends are worked than allowed."""
        p, tpl, limits = self.p, self.tpl, self.limits
        over = np.zeros(len(limits), dtype=bool)
        if ((limits >= 0) & (self.counted < 0)).any():
            made = np.bincount(tpl.shift_type[plan] + 1, minlength=len(limits) + 1)[1:]
            over = (limits >= 0) & (self.counted < 0) & (made > limits)
        weekends = False
        if self.weekends >= 0 and not self.weekends_held:
            days = tpl.day[plan]
            worked = np.unique(self.weeks[days[p.weekend_day[self.site, days]]])
            weekends = len(worked) > self.weekends
        return over, weekends

    def keeps_left_out(self, plan: np.ndarray) -> bool:
        """Whether templates `plan` keep the type limits and the weekends the
        state left out (`held_in_state`)."""
        over, weekends = self.left_out_excess(plan)
        return not over.any() and not weekends

    def beyond_left_out(self, chosen: np.ndarray, values: np.ndarray) -> np.ndarray:
        """[options] Those a plan may no longer take so that plan `chosen`'s
        best parts keep the limits the state left out: of a shift type over
        its limit, every option but the `limit` most valuable of those
        chosen; with too many weekends worked, the weekend-day options of
        every week but the most valuable weekends worked."""
        p, tpl = self.p, self.tpl
        types = tpl.shift_type[self.templates]
        over, weekends = self.left_out_excess(self.templates[chosen])
        out = np.zeros(len(self.templates), dtype=bool)
        for t in np.flatnonzero(over):
            mine = chosen[types[chosen] == t]
            kept = mine[np.argsort(-values[mine], kind="stable")[: int(self.limits[t])]]
            out |= types == t
            out[kept] = False
        if weekends:
            day = tpl.day[self.templates]
            on_weekend = p.weekend_day[self.site, day]
            mine = chosen[on_weekend[chosen]]
            weeks = self.weeks[day[mine]]
            worth = np.bincount(weeks, weights=values[mine], minlength=p.n_weeks)
            worked = np.unique(weeks)
            kept = worked[np.argsort(-worth[worked], kind="stable")[: self.weekends]]
            out |= on_weekend & ~np.isin(self.weeks[day], kept)
        return out

    def kept_best_parts(
        self, values: np.ndarray, found: tuple[float, np.ndarray]
    ) -> tuple[float, np.ndarray] | None:
        """A plan keeping the limits the state left out by keeping the best
        parts of plan `found`: the options `beyond_left_out` names are
        forbidden and the programme runs again; while its plan breaks a
        limit (another shift type now over its own), the options its best
        parts leave out are forbidden too. The forbidden options only grow,
        and a type once cut to its most valuable shifts can no longer pass
        its limit, so this ends within a round per limit (and one for the
        weekends). None when a round finds no plan."""
        forbidden = np.zeros(len(values), dtype=bool)
        for _ in range(len(self.limits) + 2):
            forbidden |= self.beyond_left_out(found[1], values)
            again = self.run(np.where(forbidden, FORBIDDEN, values))
            if again is None or again[0] <= FORBIDDEN / 2:
                return None
            if self.keeps_left_out(self.templates[again[1]]):
                return again  # no forbidden option in it: its value is at `values`
            found = again
        return None

    def keep_left_out(
        self, values: np.ndarray, found: tuple[float, np.ndarray]
    ) -> tuple[float, np.ndarray] | None:
        """A plan keeping the limits the state left out, from `run`'s plan
        `found` at `values`, which breaks one. First the plan's best parts
        are kept (`kept_best_parts`). Where that finds none, each option of
        the shift types over their limits (and each weekend-day option, for
        the weekends) is priced, the prices doubled round by round until the
        plan keeps them (`LEFT_OUT_ROUNDS` at most), then eased by bisection
        towards the last ones too low. A heuristic, as
        `within_horizon_hours`: it may miss the best plan within the limits,
        or any (None). Returns the plan's value at `values` (as `run`)."""
        kept = self.kept_best_parts(values, found)
        if kept is not None:
            return kept
        types = self.tpl.shift_type[self.templates]
        weekend = self.p.weekend_day[self.site, self.tpl.day[self.templates]]
        type_price = np.zeros(len(self.limits))
        weekend_price = 0.0
        top = max(float(np.abs(values).max(initial=0.0)), 1.0)
        base, ceiling = top / 8, 64 * (top + 1.0)
        ties = TIE_BREAK * np.arange(len(values)) / max(len(values), 1)

        def priced_run(scale: float) -> tuple[float, np.ndarray] | None:
            """`run` with the prices times `scale`; its plan's value at `values`."""
            per_type = np.where(types >= 0, type_price[np.maximum(types, 0)], 0.0)
            priced = scale * (per_type + weekend_price * weekend) - ties
            got = self.run(values - priced)
            return None if got is None else (got[0] + float(priced[got[1]].sum()), got[1])

        best: tuple[float, np.ndarray] | None = None
        for _ in range(LEFT_OUT_ROUNDS):
            over, weekends = self.left_out_excess(self.templates[found[1]])
            type_price[over] = np.maximum(2 * type_price[over], base)
            if weekends:
                weekend_price = max(2 * weekend_price, base)
            if max(type_price.max(initial=0.0), weekend_price) > ceiling:
                return None  # even a price above every option's worth breaks them
            again = priced_run(1.0)
            if again is None:
                return None
            found = again
            if self.keeps_left_out(self.templates[found[1]]):
                best = found
                break
        if best is None:
            return None
        low, high = 0.5, 1.0  # the last doubling went from about half these prices to them
        for _ in range(BISECTION_ROUNDS):
            mid = (low + high) / 2
            again = priced_run(mid)
            if again is not None and self.keeps_left_out(self.templates[again[1]]):
                best, high = again, mid
            else:
                low = mid
        return best


FORBIDDEN = -1e15  # an option's value where a plan may not take it
LEFT_OUT_ROUNDS = 24  # doublings of the prices that keep a plan within the limits left out …
BISECTION_ROUNDS = 2  # … and bisection steps easing them after


def _filled(anchors: list[np.ndarray]) -> list[np.ndarray]:
    """Arc starts per week, a week without any taking its neighbour's (the
    week before, else the week after), so an empty week moves no arc."""
    out = [np.asarray(x, dtype=np.int64) for x in anchors]
    for w in range(1, len(out)):
        if len(out[w]) == 0:
            out[w] = out[w - 1]
    for w in range(len(out) - 2, -1, -1):
        if len(out[w]) == 0:
            out[w] = out[w + 1]
    return [x if len(x) else np.zeros(1, dtype=np.int64) for x in out]
