"""The one-agent programme's counters (`agentdp`) as a small automaton:
the run counters (days worked and nights in a row, the progress towards
the week's days off together, days off in a row, whether the run began on
the horizon's first day) times the counters that look past a run (weekends
worked, the shift type worked the day before, the shifts of each limited
type), with each move's map between their states as flat arrays the
compiled kernel reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from optimizer.solve.automaton import reachable, reachable_pairs, table

Move = Callable[[tuple], tuple | None]


def _csr(
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Many-to-one maps between counter states as one flat array of sources
    and [maps, size + 1] pointers: the states map m sends to state c are
    `flat[ptr[m, c]:ptr[m, c + 1]]`, ascending."""
    n = [len(src) for src, _ in pairs]
    m = np.repeat(np.arange(len(pairs)), n)
    s = np.concatenate([np.asarray(src, dtype=np.int64) for src, _ in pairs])
    t = np.concatenate([np.asarray(tgt, dtype=np.int64) for _, tgt in pairs])
    order = np.lexsort((t, m))  # by map, then target; sources in their order
    ptr = np.zeros((len(pairs), size + 1), dtype=np.int64)
    ptr.reshape(-1)[1:] = np.cumsum(np.bincount(m * (size + 1) + t, minlength=ptr.size))[:-1]
    return s[order], ptr


@dataclass(frozen=True)
class Counters:
    """The run counters of one agent as a small automaton. Each state is a
    pair: (days worked in a row, night shifts in a row, days-off progress,
    edge, days off in a row), and the counters that look past a run
    (`_horizon_moves`: weekends worked, shift types). The progress is the
    length of the current run of days off in this week, or `need` once the
    week has had its run; `edge` marks a run that began on the horizon's first day, which the minimums
    (`min_days` worked, `min_off` off in a row) do not judge, as the days
    before the horizon are unknown; days off in a row are counted up to
    `min_off` only when it binds. State 0 is the start, before any day
    (days off in a row -1): a run beginning on the first day is an edge run.
    A day off may end a run of working days only once it has `min_days`
    days, and a shift a run of days off only once it has `min_off`, unless
    the run is an edge run; a run reaching the horizon's end is never
    judged, so every state may end it. A shift on a weekend day takes maps
    4 and 5 (`max_weekends`); with `n_types` shift types (forbidden
    successions `forbid`, or `type_limits`) a shift takes the map of its
    type."""

    run_states: tuple[tuple[int, ...], ...]  # the run counters' states …
    horizon_states: tuple[tuple, ...]  # … `_horizon_moves`' counters' states …
    pairs: np.ndarray  # … and [C, 2] each state's pair of them
    # the maps (`_csr`): 0 a day off, 1 a day shift, 2 a night shift, 3 a week's end
    # (where the progress starts again), 4 and 5 a day and a night shift on a weekend day;
    # with shift types, 6 + 4 t + (0 day, 1 night, 2 and 3 on a weekend day) the same
    # for a shift of type t
    maps: np.ndarray
    map_ptr: np.ndarray
    satisfied: np.ndarray  # [C] bool: the week's days off together are done
    worked: np.ndarray  # [C] bool: worked today
    first: np.ndarray  # [C] bool: worked today, not yesterday (a day off now isolates today)

    @property
    def states(self) -> tuple[tuple[tuple[int, ...], tuple], ...]:
        """Each state as (run counters, `_horizon_moves`' counters)."""
        return tuple((self.run_states[i], self.horizon_states[j]) for i, j in self.pairs.tolist())

    @classmethod
    @lru_cache(maxsize=64)
    def of(
        cls,
        max_days: int,
        max_nights: int,
        need: int,
        min_days: int = 1,
        min_off: int = 1,
        max_weekends: int = -1,
        forbid: tuple[tuple[int, int], ...] = (),
        n_types: int = 0,
        type_limits: tuple[int, ...] = (),
    ) -> Counters:
        nights = max_nights if 0 <= max_nights < max_days else max_days  # otherwise implied
        track = 0 <= max_nights < max_days
        State = tuple[int, int, int, int, int]

        def norm(r: int, n: int, o: int, e: int, f: int) -> State:
            """The state with its edge mark kept only where a minimum may still judge the run."""
            judged = min_days > 1 and r < min_days if r > 0 else min_off > 1 and f < min_off
            return (r, n, o, e if judged else 0, f)

        def off(st: State) -> State | None:
            r, _, o, e, f = st
            if 0 < r < min_days and not e:
                return None  # a run of working days too short to end
            o2 = need if o == need else min(o + 1, need)
            if r > 0:  # a run of days off begins inside the horizon
                return norm(0, 0, o2, 0, 1 if min_off > 1 else 0)
            f2 = min(max(f, 0) + 1, min_off) if min_off > 1 else 0
            # the run of days off goes on (from the start: an edge run)
            return norm(0, 0, o2, e, f2)

        def work(st: State, night: bool) -> State | None:
            r, n, o, e, f = st
            if r >= max_days:
                return None
            if r == 0 and 0 < f < min_off and not e:
                return None  # a run of days off too short to end
            n2 = n + 1 if (night and track) else 0
            if track and n2 > nights:
                return None
            o2 = need if (need and o == need) else 0
            e2 = e if r > 0 else int(f < 0)  # a run of working days begins: at the edge only first
            return norm(r + 1, n2, o2, e2, 0)

        def close(st: State) -> State:
            r, n, _, e, f = st
            return (r, n, 0, e, f)

        first: State = (0, 0, 0, int(max(min_days, min_off) > 1), -1)
        day, night = (lambda st: work(st, False)), (lambda st: work(st, True))

        # the run counters and the counters over the horizon apart, then their product
        run_states, run_edges = reachable(first, (off, day, night, close))
        h_states, h_table = _horizon_automaton(max_weekends, forbid, n_types, type_limits)
        # the product's moves as (run move, horizon move): a day off, a day and a night
        # shift, a week's end, a day and a night shift on a weekend day, then per type
        moves = [(0, 0), (1, 2), (2, 2), (3, 1), (1, 3), (2, 3)]
        moves += [
            (shift, 4 + 2 * t + weekend)
            for t in range(n_types)
            for weekend in (0, 1)
            for shift in (1, 2)
        ]
        pairs, edges = reachable_pairs(table(len(run_states), run_edges), h_table, moves)
        maps, map_ptr = _csr(edges, len(pairs))
        runs = np.array(run_states, dtype=np.int64)[pairs[:, 0]]
        return cls(
            run_states=tuple(run_states),
            horizon_states=tuple(h_states),
            pairs=pairs,
            maps=maps,
            map_ptr=map_ptr,
            satisfied=(runs[:, 2] == need) | (need == 0),
            worked=runs[:, 0] > 0,
            first=runs[:, 0] == 1,
        )


@lru_cache(maxsize=256)
def _horizon_automaton(
    max_weekends: int,
    forbid: tuple[tuple[int, int], ...],
    n_types: int,
    type_limits: tuple[int, ...],
) -> tuple[list[tuple], np.ndarray]:
    """The counters over the horizon (`_horizon_moves`) as states and a
    table of moves (`automaton.table`): a day off, a week's end, a shift of
    no type on a weekday and on a weekend day, then per type the same two.
    Agents with different run rules share it."""
    start, off, close, work = _horizon_moves(max_weekends, forbid, type_limits)
    moves: list[Move] = [off, close, work(False, -1), work(True, -1)]
    moves += [work(weekend, t) for t in range(n_types) for weekend in (False, True)]
    states, edges = reachable(start, moves)
    return states, table(len(states), edges)


def _horizon_moves(
    max_weekends: int, forbid: tuple[tuple[int, int], ...], type_limits: tuple[int, ...]
) -> tuple[tuple, Move, Move, Callable[[bool, int], Move]]:
    """The counters that look past a run of days, as a small automaton:
    its start and its moves (a day off, a week's end, and a shift — on a
    weekend day or not, of shift type t or of none, -1). A state is (weekends
    worked, this week's weekend worked, the shift type worked the day before
    or -1, the shifts of each limited type so far).

    A shift on a weekend day counts this week's weekend once, and no more
    than `max_weekends` (-1: no rule) are worked; a shift of type b never
    follows one of type a the day before when (a, b) is in `forbid`; no more
    shifts of type t than `type_limits[t]` (-1: no limit). Counters no rule
    reads stay 0, so they add no states."""
    forbidden = set(forbid)
    limited = [t for t, most in enumerate(type_limits) if most >= 0]

    def off(st: tuple) -> tuple:
        k, g, _, counts = st
        return (k, g, -1, counts)

    def close(st: tuple) -> tuple:
        k, _, y, counts = st
        return (k, 0, y, counts)

    def work(weekend: bool, kind: int) -> Move:
        def move(st: tuple) -> tuple | None:
            k, g, y, counts = st
            if weekend and max_weekends >= 0 and not g:
                if k >= max_weekends:
                    return None  # a weekend more than the rule allows
                k, g = k + 1, 1
            if (y, kind) in forbidden:
                return None  # a forbidden succession of shift types
            if kind in limited:
                i = limited.index(kind)
                if counts[i] >= type_limits[kind]:
                    return None  # a shift of the type more than its limit
                counts = (*counts[:i], counts[i] + 1, *counts[i + 1 :])
            return (k, g, kind if forbidden else -1, counts)

        return move

    return (0, 0, -1, (0,) * len(limited)), off, close, work


HORIZON_STATES_MAX = 256  # the most states of the counters that look past a run (`held_in_state`)


def held_in_state(
    forbid: np.ndarray, limits: np.ndarray, weekends: int, most: int = HORIZON_STATES_MAX
) -> tuple[np.ndarray, bool]:
    """Which of the rules over the horizon the programme's state holds: the
    limits of shift types kept in it (-1 for one left out) and whether the
    weekends worked are. Each multiplies the states (`_horizon_moves`), so
    while they would pass `most` states the type limits are left out, the
    widest first, then the weekends; a plan breaking a rule left out is
    refused."""
    kinds = len(limits) + 1 if forbid.any() else 1
    per_weekend = 2 * (weekends + 1) if weekends >= 0 else 1
    held = limits.copy()
    # the widest limits go first: each multiplies the states by its limit + 1
    for t in np.argsort(-limits, kind="stable"):
        if kinds * float(np.prod(held[held >= 0] + 1.0)) * per_weekend <= most:
            return held, True
        held[t] = -1
    return held, kinds * per_weekend <= most
