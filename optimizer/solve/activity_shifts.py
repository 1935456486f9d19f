"""The worked shifts as the activities see them: on-duty positions on the grid.

`shift_table` lists each worked shift of a state whose group serves a queue,
with its on-duty intervals (its break left out) and the queues it may serve;
a sequence gives each position one of those queue slots. `cells`,
`coverage` and `shortfall` read what sequences cover and leave short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import State


@dataclass(frozen=True)
class ShiftTable:
    """Every worked shift of a state with its on-duty positions.

    `pos[b, n]` is the grid interval of shift b's n-th on-duty interval (its
    break left out; it may lie off the grid for a shift that runs past it),
    valid for n < `length[b]`; `slots[b, j]` the queue index of the shift's
    j-th slot (its group's queues; −1 pads)."""

    agent: np.ndarray  # [B]
    day: np.ndarray  # [B]
    tpl: np.ndarray  # [B]
    group: np.ndarray  # [B]
    pos: np.ndarray  # [B, N]
    length: np.ndarray  # [B]
    slots: np.ndarray  # [B, J]
    brk: np.ndarray  # [B, 2] UTC minutes of the break (equal: none)

    def __len__(self) -> int:
        return len(self.agent)


def duty_positions(p: Problem, site: int, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """On-duty positions of templates `k` of a site: ([len(k), N] grid
    intervals in time order, the break left out, possibly off the grid for
    a shift that runs past it; [len(k)] how many), as `ShiftTable.pos`."""
    step, t0 = p.grid.interval, p.grid.start
    tp = p.sites[site].tpl
    start, end = tp.start[k].astype(np.int64), tp.end[k].astype(np.int64)
    b0 = tp.brk_start[k].astype(np.int64)
    b1 = b0 + tp.brk_len[k]
    full = int(((end - start) // step).max(initial=1))
    minute = start[:, None] + step * np.arange(full)[None, :]
    on = (minute < end[:, None]) & ~((minute >= b0[:, None]) & (minute < b1[:, None]))
    order = np.argsort(~on, axis=1, kind="stable")
    length = on.sum(axis=1)
    N = int(length.max(initial=1))
    pos = (np.take_along_axis(minute, order, axis=1)[:, :N] - t0) // step
    return pos, length


def group_slots(p: Problem) -> np.ndarray:
    """[G, J] the queues each group serves, −1 padded: the slots of its shifts."""
    width = max((len(q) for q in p.group_queues), default=1)
    gq = np.full((len(p.group_queues), width), -1, dtype=np.int64)
    for g, qs in enumerate(p.group_queues):
        gq[g, : len(qs)] = qs
    return gq


def shift_table(p: Problem, s: State) -> ShiftTable:
    """The worked shifts of `s` whose group serves a queue."""
    a, d = np.nonzero(s.works)
    serving = np.array([len(q) > 0 for q in p.group_queues], dtype=bool)
    keep = serving[p.agent_group[a]] if len(serving) else np.zeros(len(a), dtype=bool)
    a, d = a[keep], d[keep]
    k = s.tpl[a, d]
    site = p.agent_site[a]
    parts = {si: duty_positions(p, int(si), k[site == si]) for si in np.unique(site)}
    N = max((pos.shape[1] for pos, _ in parts.values()), default=1)
    pos = np.zeros((len(a), N), dtype=np.int64)
    length = np.zeros(len(a), dtype=np.int64)
    b0, b1 = np.zeros(len(a), dtype=np.int64), np.zeros(len(a), dtype=np.int64)
    for si, (ps, ls) in parts.items():
        sel = site == si
        pos[sel, : ps.shape[1]], length[sel] = ps, ls
        tp = p.sites[si].tpl
        b0[sel] = tp.brk_start[k[sel]]
        b1[sel] = tp.brk_start[k[sel]] + tp.brk_len[k[sel]]
    g = p.agent_group[a]
    return ShiftTable(a, d, k, g, pos, length, group_slots(p)[g], np.stack([b0, b1], axis=1))


def cells(table: ShiftTable, batch: np.ndarray, x: np.ndarray, T: int):  # type: ignore[no-untyped-def]
    """(queue, interval) of every on-grid position of the batch's shifts under `x`."""
    t = table.pos[batch]
    ok = (np.arange(t.shape[1])[None, :] < table.length[batch, None]) & (t >= 0) & (t < T)
    q = np.take_along_axis(table.slots[batch], np.maximum(x[batch], 0), axis=1)
    return q[ok], t[ok]


def coverage(table: ShiftTable, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """[Q, T] agents per queue and interval under sequences `x`."""
    out = np.zeros(shape, dtype=np.int64)
    np.add.at(out, cells(table, np.arange(len(table)), x, shape[1]), 1)
    return out


def shortfall(have: np.ndarray, required: np.ndarray, pen: np.ndarray) -> int:
    """Penalty-weighted need that `have` agents per queue and interval leave unmet."""
    return int((np.clip(required - have, 0, None) * pen[:, None]).sum())
