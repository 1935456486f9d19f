"""The compiled passes of `agentdp`'s programme: forward day by day over
the states (arc of the week's band, end of the last shift that can still
bind the rest rule, run counters, paid units of the week), then back from
the best final state to the options chosen.

`agentdp.best_plan` prepares the arrays (the agent's options, the arcs,
each week's closing cost, the counters' maps) and reads the result; the
module doc of `agentdp` says what the states and moves mean. Compiled with
numba: a re-plan runs this thousands of times a solve, and the same passes
written with numpy spent most of their time in per-call overhead on small
arrays.
"""

from __future__ import annotations

import numba
import numpy as np

from optimizer.solve.state import DAY_MINUTES

NONE_END = np.iinfo(np.int64).min // 4  # "no shift that can still bind": before any start
NEG = -np.inf


@numba.njit(cache=True, nogil=True)
def _circular(a: int, b: int) -> int:
    """`state.circular_minutes` of two local times."""
    d = abs(a - b) % DAY_MINUTES
    return min(d, DAY_MINUTES - d)


@numba.njit(cache=True, nogil=True)
def programme(
    order: np.ndarray,
    day_ptr: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    units: np.ndarray,
    local: np.ndarray,
    kind: np.ndarray,
    net: np.ndarray,
    anchors: np.ndarray,
    anc_ptr: np.ndarray,
    weeks: np.ndarray,
    close_costs: np.ndarray,
    cap: np.ndarray,
    later_start: np.ndarray,
    rest: int,
    band: int,
    stab: float,
    arcs: bool,
    isolated: np.ndarray,
    worked: np.ndarray,
    maps: np.ndarray,
    map_ptr: np.ndarray,
    carry: bool,
) -> tuple[bool, float, np.ndarray]:
    """`best_plan`'s programme (module doc), compiled: whether a schedule
    meets the rules, its value (net less overtime, stability and isolated
    days) and the options it chooses (indices into the option arrays, day
    by day). Options of day d are `order[day_ptr[d]:day_ptr[d + 1]]`;
    the anchors of week w `anchors[anc_ptr[w]:anc_ptr[w + 1]]`;
    `close_costs[w]` [C, H] closes week w; `maps[map_ptr[m, c]:map_ptr[m, c + 1]]`
    are the states the counter map m (off, day shift, night shift, close,
    and the shifts on a weekend day) sends to state c; `kind[k]` is option
    k's map. With `carry`, the paid units run on over the whole horizon
    instead of starting again each week (`AgentProgramme`'s horizon view),
    and only the units that can still end within the last week's limits
    are kept (`_unit_ranges`)."""
    D = len(day_ptr) - 1
    C, H = close_costs.shape[1], close_costs.shape[2]
    lo, hi = _unit_ranges(order, day_ptr, units, close_costs, weeks, carry)
    ends = np.full(1, NONE_END, dtype=np.int64)
    A = anc_ptr[1] - anc_ptr[0]
    value = np.full((A, 1, C, H), NEG)
    value[:, 0, 0, 0] = 0.0
    empty4 = np.empty((0, 0, 0, 0))
    empty2 = np.empty((0, 0))
    h_value = [empty4 for _ in range(D)]
    h_closed = [empty4 for _ in range(D)]
    h_move = [empty2 for _ in range(D)]
    h_gain = [empty2 for _ in range(D)]
    h_opts = [np.empty(0, dtype=np.int64) for _ in range(D)]
    h_src = [np.empty(0, dtype=np.int64) for _ in range(D)]
    h_old = [np.empty(0, dtype=np.int64) for _ in range(D)]
    h_new = [np.empty(0, dtype=np.int64) for _ in range(D)]
    no_cost = np.zeros(C)
    for d in range(D):
        w = weeks[d]
        anc = anchors[anc_ptr[w] : anc_ptr[w + 1]]
        in_lo, in_hi = (lo[d - 1], hi[d - 1]) if d > 0 else (0, H - 1)
        if d > 0 and w != weeks[d - 1]:  # close the week before: overtime, minimum, days off
            prev = anchors[anc_ptr[w - 1] : anc_ptr[w]]
            h_closed[d] = value
            value, h_move[d] = _close_week(
                value, prev, anc, close_costs[w - 1], stab if arcs else 0.0, maps, map_ptr, carry,
                in_lo, in_hi,
            )  # fmt: skip
        ks, gain = _options(order[day_ptr[d] : day_ptr[d + 1]], net, local, anc, band, stab, arcs)
        off_cost = isolated if d >= 2 else no_cost
        nxt = later_start[d + 1] if d + 1 < D else np.iinfo(np.int64).max
        new_ends, row = _rows(ends, end[ks], rest, nxt)
        merged, src = _moves(
            value, ends, ks, gain, off_cost, start, units, kind, rest, cap[w], maps, map_ptr,
            row, len(new_ends), in_lo, in_hi, lo[d], hi[d],
        )  # fmt: skip
        h_value[d], h_gain[d], h_opts[d], h_src[d] = value, gain, ks, src
        h_old[d], h_new[d] = row[: len(ends)], row[len(ends) :]
        ends, value = new_ends, merged
    # the best final state, its week closed
    A = value.shape[0]
    E = value.shape[1]
    last = close_costs[weeks[D - 1]] if D else np.zeros((C, H))
    best, bx, be, bc, bh = NEG, 0, 0, 0, 0
    h_lo, h_hi = (lo[D - 1], hi[D - 1]) if D else (0, H - 1)
    for x in range(A):
        for e in range(E):
            for c in range(C):
                for h in range(h_lo, h_hi + 1):
                    v = value[x, e, c, h] - last[c, h]
                    if v > best:
                        best, bx, be, bc, bh = v, x, e, c, h
    if best == NEG:
        return False, NEG, np.empty(0, dtype=np.int64)
    return True, best, _walk_back(
        D, bx, be, bc, bh, h_value, h_closed, h_move, h_gain, h_opts, h_src, h_old, h_new,
        isolated, worked, maps, map_ptr, units, kind, close_costs, weeks, carry,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _unit_ranges(
    order: np.ndarray,
    day_ptr: np.ndarray,
    units: np.ndarray,
    close_costs: np.ndarray,
    weeks: np.ndarray,
    carry: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The paid units [lo[d], hi[d]] a state may hold after day d. With
    `carry` (units over the horizon): no more than the days so far can
    have paid, and no fewer than the last week's least admissible units
    less what the days to come can still add — a state outside cannot end
    within the limits, so leaving it out changes no answer. Without: every
    unit up to the week's cap."""
    D = len(day_ptr) - 1
    H = close_costs.shape[2]
    lo = np.zeros(D, dtype=np.int64)
    hi = np.full(D, H - 1, dtype=np.int64)
    if not carry or D == 0:
        return lo, hi
    most = np.zeros(D, dtype=np.int64)  # the most units one day's options pay
    for d in range(D):
        for i in range(day_ptr[d], day_ptr[d + 1]):
            most[d] = max(most[d], units[order[i]])
    last = close_costs[weeks[D - 1]]
    floor = H
    for h in range(H):
        for c in range(last.shape[0]):
            if last[c, h] < np.inf:
                floor = min(floor, h)
    so_far = 0
    for d in range(D):
        so_far += most[d]
        hi[d] = min(H - 1, so_far)
    to_come = 0
    for d in range(D - 1, -1, -1):
        lo[d] = max(0, floor - to_come)
        to_come += most[d]
    return lo, hi


@numba.njit(cache=True, nogil=True)
def _map_states(
    value: np.ndarray,
    cost: np.ndarray,
    maps: np.ndarray,
    map_ptr: np.ndarray,
    m: int,
    out: np.ndarray,
    rows: np.ndarray,
    h_lo: int,
    h_hi: int,
) -> None:
    """Counter map m applied to `value` [A, E, C, H] into `out` [A, E', C, H],
    row e into row `rows[e]`, for the paid units h_lo…h_hi: each state
    takes the best of the states sent to it, less each one's `cost` [C, H]."""
    A, E, C = value.shape[0], value.shape[1], value.shape[2]
    for x in range(A):
        for e in range(E):
            r = rows[e]
            for c2 in range(C):
                for i in range(map_ptr[m, c2], map_ptr[m, c2 + 1]):
                    s = maps[i]
                    for h in range(h_lo, h_hi + 1):
                        v = value[x, e, s, h] - cost[s, h]
                        if v > out[x, r, c2, h]:
                            out[x, r, c2, h] = v


@numba.njit(cache=True, nogil=True)
def _close_week(
    value: np.ndarray,
    prev: np.ndarray,
    anc: np.ndarray,
    cc: np.ndarray,
    stab: float,
    maps: np.ndarray,
    map_ptr: np.ndarray,
    carry: bool,
    h_lo: int,
    h_hi: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The states entering a new week from `value` [A', E, C, H] at the end
    of the last (its paid units within h_lo…h_hi): each closed at its cost
    `cc` [C, H] (overtime; inf where the week's rules fail), its counters'
    progress started again (map 3), no paid units yet (with `carry`: the
    units so far), its arc moved from one of `prev` to one of `anc` at
    `stab` per minute. Returns the new values [A, E, C, H] and the move
    costs [A', A]."""
    Ap, E, C, H = value.shape
    A = len(anc)
    move = np.zeros((Ap, A))
    if stab != 0:
        for xp in range(Ap):
            for x in range(A):
                move[xp, x] = stab * _circular(prev[xp], anc[x])
    closed = np.full((Ap, E, C, H), NEG)
    _map_states(value, cc, maps, map_ptr, 3, closed, np.arange(E), h_lo, h_hi)
    best_h = np.full((Ap, E, C), NEG)  # the best over the week's paid units
    for xp in range(Ap):
        for e in range(E):
            for c in range(C):
                for h in range(h_lo, h_hi + 1):
                    best_h[xp, e, c] = max(best_h[xp, e, c], closed[xp, e, c, h])
    out = np.full((A, E, C, H), NEG)
    for x in range(A):
        for e in range(E):
            for c in range(C):
                for xp in range(Ap):
                    if carry:
                        for h in range(h_lo, h_hi + 1):
                            v = closed[xp, e, c, h] - move[xp, x]
                            if v > out[x, e, c, h]:
                                out[x, e, c, h] = v
                    else:
                        v = best_h[xp, e, c] - move[xp, x]
                        if v > out[x, e, c, 0]:
                            out[x, e, c, 0] = v
    return out, move


@numba.njit(cache=True, nogil=True)
def _options(
    ks: np.ndarray,
    net: np.ndarray,
    local: np.ndarray,
    anc: np.ndarray,
    band: int,
    stab: float,
    arcs: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The day's options `ks` that some arc of `anc` admits, and what each is
    worth under each arc [A, K]: its net value less `stab` per minute from
    the arc's start, -inf outside the band."""
    A = len(anc)
    gain = np.empty((A, len(ks)))
    keep = np.zeros(len(ks), dtype=np.bool_)
    for j in range(len(ks)):
        k = ks[j]
        for x in range(A):
            g = net[k]
            if arcs:
                if band >= 0 and (local[k] - anc[x]) % DAY_MINUTES > band:
                    g = NEG
                g -= stab * _circular(local[k], anc[x])
            gain[x, j] = g
            if g > NEG:
                keep[j] = True
    return ks[keep], np.ascontiguousarray(gain[:, keep])


@numba.njit(cache=True, nogil=True)
def _moves(
    value: np.ndarray,
    ends: np.ndarray,
    ks: np.ndarray,
    gain: np.ndarray,
    off_cost: np.ndarray,
    start: np.ndarray,
    units: np.ndarray,
    kind: np.ndarray,
    rest: int,
    cap: int,
    maps: np.ndarray,
    map_ptr: np.ndarray,
    row: np.ndarray,
    n_rows: int,
    in_lo: int,
    in_hi: int,
    out_lo: int,
    out_hi: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The next day's states from `value` [A, E, C, H] (its paid units
    within in_lo…in_hi): a day off from each entering row (map 0, at
    `off_cost` per state: an isolated day), then each option from the best
    row whose end leaves it its rest (ends are ascending, so a prefix
    maximum; the option's map `kind`), its paid units added up to the
    week's `cap`; each move lands in its new row (`row`: the entering rows',
    then the options', of `n_rows`, `_rows`), the best move kept per state,
    and only the units out_lo…out_hi. Returns the values [A, n_rows, C, H]
    and each option's last admissible row."""
    A, E, C, H = value.shape
    K = len(ks)
    merged = np.full((A, n_rows, C, H), NEG)
    per_state = np.empty((C, H))
    for c in range(C):
        per_state[c, :] = off_cost[c]
    off_lo, off_hi = max(in_lo, out_lo), min(in_hi, out_hi)
    _map_states(value, per_state, maps, map_ptr, 0, merged, row[:E], off_lo, off_hi)
    reach = value.copy() if E > 1 else value  # the best over the rows up to each
    for x in range(A):
        for e in range(1, E):
            for c in range(C):
                for h in range(in_lo, in_hi + 1):
                    if reach[x, e - 1, c, h] > reach[x, e, c, h]:
                        reach[x, e, c, h] = reach[x, e - 1, c, h]
    src = np.searchsorted(ends, start[ks] - rest, side="right") - 1
    for j in range(K):
        k = ks[j]
        u = units[k]
        m = kind[k]
        r = row[E + j]
        if u > cap:
            continue
        for x in range(A):
            g = gain[x, j]
            if g == NEG:
                continue
            for c2 in range(C):
                for i in range(map_ptr[m, c2], map_ptr[m, c2 + 1]):
                    s = maps[i]
                    for h in range(max(u, out_lo), min(cap, out_hi) + 1):
                        v = reach[x, src[j], s, h - u] + g
                        if v > merged[x, r, c2, h]:
                            merged[x, r, c2, h] = v
    return merged, src


@numba.njit(cache=True, nogil=True)
def _rows(
    ends: np.ndarray, option_ends: np.ndarray, rest: int, nxt: int
) -> tuple[np.ndarray, np.ndarray]:
    """The next day's rows: the ends of the entering rows, then of the
    options, those no later option can be bound by (its rest over before
    `nxt`, the earliest start to come) merged into NONE_END. Returns the
    new ends (ascending) and each old row's and option's new row."""
    E, K = len(ends), len(option_ends)
    all_ends = np.empty(E + K, dtype=np.int64)
    all_ends[:E] = ends
    all_ends[E:] = option_ends
    for i in range(E + K):
        if all_ends[i] + rest <= nxt:
            all_ends[i] = NONE_END
    new_ends = np.unique(all_ends)
    return new_ends, np.searchsorted(new_ends, all_ends)


@numba.njit(cache=True, nogil=True)
def _walk_back(
    D: int,
    x: int,
    e: int,
    c: int,
    h: int,
    h_value: list,
    h_closed: list,
    h_move: list,
    h_gain: list,
    h_opts: list,
    h_src: list,
    h_old: list,
    h_new: list,
    isolated: np.ndarray,
    worked: np.ndarray,
    maps: np.ndarray,
    map_ptr: np.ndarray,
    units: np.ndarray,
    kind: np.ndarray,
    close_costs: np.ndarray,
    weeks: np.ndarray,
    carry: bool,
) -> np.ndarray:
    """The options chosen, walking the days back from the best final state
    (arc, end row, counters, units): each step takes the predecessor of
    highest value (the first on ties), the one the forward pass's maximum
    came from."""
    chosen = np.empty(D, dtype=np.int64)
    n = 0
    for d in range(D - 1, -1, -1):
        value = h_value[d]
        if not worked[c]:  # off: from an entering row merged into e
            old = h_old[d]
            best, be, bc = NEG, -1, -1
            for r in range(len(old)):
                if old[r] != e:
                    continue
                for i in range(map_ptr[0, c], map_ptr[0, c + 1]):
                    s = maps[i]
                    v = value[x, r, s, h] - (isolated[s] if d >= 2 else 0.0)
                    if be < 0 or v > best:
                        best, be, bc = v, r, s
            e, c = be, bc
        else:  # worked one of the options whose end is row e
            opts, gain, src, new = h_opts[d], h_gain[d], h_src[d], h_new[d]
            best, pick, pe, pc = NEG, -1, -1, -1
            for jj in range(len(opts)):
                if new[jj] != e:
                    continue
                k = opts[jj]
                u = units[k]
                if h - u < 0 or not np.isfinite(gain[x, jj]):
                    continue
                m = kind[k]
                top, te, tc = NEG, -1, -1
                for r in range(src[jj] + 1):
                    for i in range(map_ptr[m, c], map_ptr[m, c + 1]):
                        s = maps[i]
                        if te < 0 or value[x, r, s, h - u] > top:
                            top, te, tc = value[x, r, s, h - u], r, s
                if te >= 0 and top + gain[x, jj] > best:
                    best, pick, pe, pc = top + gain[x, jj], k, te, tc
            chosen[n] = pick
            n += 1
            e, c, h = pe, pc, h - units[pick]
        if h_closed[d].shape[0] > 0:  # the week before was closed entering this day
            closed, move, cc = h_closed[d], h_move[d], close_costs[weeks[d] - 1]
            best, bx, bc, bh = NEG, -1, -1, -1
            for xi in range(closed.shape[0]):
                for i in range(map_ptr[3, c], map_ptr[3, c + 1]):
                    s = maps[i]
                    for hh in range(closed.shape[3]):
                        if carry and hh != h:
                            continue
                        v = closed[xi, e, s, hh] - cc[s, hh] - move[xi, x]
                        if bx < 0 or v > best:
                            best, bx, bc, bh = v, xi, s, hh
            x, c, h = bx, bc, bh
    return chosen[:n][::-1].copy()
