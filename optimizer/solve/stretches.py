"""The best queue sequence of a shift under the stretch and switch rules.

A shift's on-duty intervals (its break left out) are its *positions*; a
sequence gives each position one of the shift's queue slots. Contract v1.1
reads a stretch as a maximal run of positions on one slot (a break between
two positions on the same queue does not end it) and asks every stretch to
last at least `min_len` positions and a shift to have at most
`max_stretches` of them (switches + 1). A shift shorter than `min_len` can
only be one stretch: it then works one queue throughout, the closest the
rule can come.

`best_sequences` solves this exactly for many shifts at once, by dynamic
programming over (slot, stretches so far, length of the current stretch
capped at `min_len`), vectorised over the shifts: each position's value per
slot is given, each switch costs `switch_cost`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NEG = np.iinfo(np.int64).min // 4  # "not allowed"; sums of two stay representable


@dataclass(frozen=True)
class SequenceRules:
    """The stretch and switch rules in positions (1 and None: no rule)."""

    min_len: int = 1
    max_stretches: int | None = None

    @classmethod
    def of(cls, min_minutes: int | None, max_switches: int | None, step: int) -> SequenceRules:
        """The rules of `activities.min_minutes` / `max_switches_per_shift` on a
        grid of `step` minutes (a stretch of whole positions lasts at least
        `min_minutes` when it has ceil(min_minutes / step) of them)."""
        min_len = max(1, math.ceil(min_minutes / step)) if min_minutes else 1
        return cls(min_len, None if max_switches is None else max_switches + 1)

    @property
    def binding(self) -> bool:
        return self.min_len > 1 or self.max_stretches is not None


def stretch_lengths(seq: np.ndarray) -> list[int]:
    """Lengths of the maximal runs of equal slots in `seq` (−1 entries dropped)."""
    s = [int(x) for x in seq if x >= 0]
    out: list[int] = []
    for i, x in enumerate(s):
        if i and x == s[i - 1]:
            out[-1] += 1
        else:
            out.append(1)
    return out


def follows_rules(seq: np.ndarray, rules: SequenceRules) -> bool:
    """Does one shift's sequence keep the rules (see module doc)?"""
    runs = stretch_lengths(seq)
    if rules.max_stretches is not None and len(runs) > rules.max_stretches:
        return False
    return len(runs) == 1 or min(runs) >= rules.min_len


def sequence_scores(
    value: np.ndarray, seq: np.ndarray, length: np.ndarray, switch_cost: int = 1
) -> np.ndarray:
    """[B] Σ value of the chosen slots − switch_cost × switches of sequences `seq` [B, N]."""
    N = value.shape[1]
    inside = np.arange(N)[None, :] < length[:, None]
    got = np.take_along_axis(value, np.maximum(seq, 0)[:, :, None], axis=2)[:, :, 0]
    total = np.where(inside, got, 0).sum(axis=1)
    changes = (seq[:, 1:] != seq[:, :-1]) & inside[:, 1:]
    return total - switch_cost * changes.sum(axis=1)


def best_sequences(
    value: np.ndarray, length: np.ndarray, rules: SequenceRules, switch_cost: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The best sequence of each shift: `value` [B, N, J] int64 is what slot j
    earns at position n (NEG: not allowed), `length` [B] ≥ 1 the shift's
    positions. Returns (slots [B, N], −1 beyond the length; scores [B]).

    Every shift needs a slot allowed at all its positions (one queue all
    through is always within the rules), else the score is about NEG.
    """
    B, N, J = value.shape
    K = rules.max_stretches or 1  # stretch counter (one state when unlimited)
    L = rules.min_len
    limited = rules.max_stretches is not None
    rows = np.arange(B)
    cur = np.full((B, J, K, L), NEG, dtype=np.int64)
    cur[:, :, 0, 0] = value[:, 0, :]
    # how each state was reached: 0 stay (length − 1), 1 stay (length capped), 2 switch
    kind = np.zeros((N, B, J, K, L), dtype=np.int8)
    src = np.zeros((N, B, J, K), dtype=np.int64)  # the slot a switch came from
    for n in range(1, N):
        act = n < length
        if not act.any():
            break
        new = np.full_like(cur, NEG)
        kd = np.zeros(cur.shape, dtype=np.int8)
        if L > 1:
            new[..., 1:] = cur[..., :-1]
            top = cur[..., L - 1]
            capped = top > new[..., L - 1]
            new[..., L - 1] = np.where(capped, top, new[..., L - 1])
            kd[..., L - 1] = capped
        else:
            new[...] = cur
            kd[...] = 1
        # a switch leaves a stretch of full length for the best other slot
        done = cur[..., L - 1]  # [B, J, K]
        i1 = done.argmax(axis=1)  # [B, K]: the best slot, and the best of the others
        own = np.arange(J)[None, :, None] == i1[:, None, :]
        rest = np.where(own, NEG, done)
        i2 = rest.argmax(axis=1)
        best = np.where(own, rest.max(axis=1)[:, None, :], done.max(axis=1)[:, None, :])
        arg = np.where(own, i2[:, None, :], i1[:, None, :])
        if limited:
            sw = np.full_like(best, NEG)
            sw[:, :, 1:] = best[:, :, :-1]
            sw_arg = np.zeros_like(arg)
            sw_arg[:, :, 1:] = arg[:, :, :-1]
        else:
            sw, sw_arg = best, arg
        sw = np.where(sw > NEG // 2, sw - switch_cost, NEG)
        take = sw > new[..., 0]
        new[..., 0] = np.where(take, sw, new[..., 0])
        kd[..., 0] = np.where(take, 2, kd[..., 0])
        v = value[:, n, :][:, :, None, None]
        new = np.where((new > NEG // 2) & (v > NEG // 2), new + v, NEG)
        cur = np.where(act[:, None, None, None], new, cur)
        kind[n] = kd
        src[n] = sw_arg
    ends = np.zeros((B, J, K, L), dtype=bool)
    ends[..., L - 1] = True
    ends |= (length < L)[:, None, None, None]  # too short for a full stretch: one stretch
    final = np.where(ends, cur, NEG).reshape(B, -1)
    flat = final.argmax(axis=1)
    score = final[rows, flat]
    j, k, ln = np.unravel_index(flat, (J, K, L))
    out = np.full((B, N), -1, dtype=np.int64)
    for n in range(N - 1, -1, -1):
        act = n < length
        out[act, n] = j[act]
        if n == 0:
            break
        kd = kind[n, rows, j, k, ln]
        back = src[n, rows, j, k]
        ln = np.where(act & (kd == 0), ln - 1, ln)
        moved = act & (kd == 2)
        j = np.where(moved, back, j)
        if limited:
            k = np.where(moved, k - 1, k)
        ln = np.where(moved, L - 1, ln)
    return out, score


def slot_values(slots: np.ndarray, pos: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """[B, N, J] value of each slot at each position, read off a grid:
    `gain[q, t]` for queue `slots[b, j]` at interval `pos[b, n]`, 0 at
    positions off the grid, NEG for padding slots (−1)."""
    T = gain.shape[1]
    inside = (pos >= 0) & (pos < T)
    v = gain[np.maximum(slots, 0)[:, None, :], np.clip(pos, 0, T - 1)[:, :, None]]
    v = np.where(inside[:, :, None], v, 0)
    return np.where((slots >= 0)[:, None, :], v, NEG)
