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
capped at `min_len`), shift by shift in compiled code (numba): each
position's value per slot is given, each switch costs `switch_cost`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
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
    def counters(self) -> tuple[int, int, bool]:
        """What `sequence_programme` reads of the rules: the stretch length
        that counts as full, how many stretch counts there are (one when
        unlimited), and whether they are limited."""
        return self.min_len, self.max_stretches or 1, self.max_stretches is not None

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
    Compiled (`sequence_programme`): the search calls it for a few dozen shifts at a
    time, thousands of times, where numpy's per-call overhead would dominate.
    """
    value = np.ascontiguousarray(value, dtype=np.int64)
    B, N, _ = value.shape
    out = np.full((B, N), -1, dtype=np.int64)
    score = np.zeros(B, dtype=np.int64)
    if B:
        sequence_programme(
            value,
            np.ascontiguousarray(length, dtype=np.int64),
            *rules.counters,
            int(switch_cost),
            out,
            score,
        )
    return out, score


@numba.njit(cache=True, nogil=True)
def sequence_programme(
    value: np.ndarray,
    length: np.ndarray,
    L: int,
    K: int,
    limited: bool,
    switch_cost: int,
    out: np.ndarray,
    score: np.ndarray,
) -> None:
    """`best_sequences` shift by shift: states (slot j, stretches so far k,
    length of the current stretch l capped at L − 1); ties go to the lowest
    state, in that order."""
    B, N, J = value.shape
    half = NEG // 2
    cur = np.empty((J, K, L), dtype=np.int64)
    new = np.empty((J, K, L), dtype=np.int64)
    # how each state was reached: 0 stay (length − 1), 1 stay (length capped), 2 switch
    kind = np.zeros((N, J, K, L), dtype=np.int8)
    src = np.zeros((N, J, K), dtype=np.int64)  # the slot a switch came from
    i1 = np.zeros(K, dtype=np.int64)  # per stretch count: the best slot to leave …
    i2 = np.zeros(K, dtype=np.int64)  # … and the best of the others
    v1 = np.zeros(K, dtype=np.int64)  # their values
    v2 = np.zeros(K, dtype=np.int64)
    for b in range(B):
        cur[:] = NEG
        for j in range(J):
            cur[j, 0, 0] = value[b, 0, j]
        for n in range(1, length[b]):
            for j in range(J):
                for k in range(K):
                    if L > 1:
                        new[j, k, 0] = NEG
                        kind[n, j, k, 0] = 0
                        for ln in range(1, L):
                            new[j, k, ln] = cur[j, k, ln - 1]
                            kind[n, j, k, ln] = 0
                        if cur[j, k, L - 1] > new[j, k, L - 1]:
                            new[j, k, L - 1] = cur[j, k, L - 1]
                            kind[n, j, k, L - 1] = 1
                    else:
                        new[j, k, 0] = cur[j, k, 0]
                        kind[n, j, k, 0] = 1
            # a switch leaves a stretch of full length for the best other slot
            for k in range(K):
                best1 = cur[0, k, L - 1]
                i1[k] = 0
                for j in range(1, J):
                    if cur[j, k, L - 1] > best1:
                        best1 = cur[j, k, L - 1]
                        i1[k] = j
                i2[k] = 0
                best2 = NEG if i1[k] == 0 else cur[0, k, L - 1]
                for j in range(1, J):
                    if j != i1[k] and cur[j, k, L - 1] > best2:
                        best2 = cur[j, k, L - 1]
                        i2[k] = j
                v1[k], v2[k] = best1, best2
            for j in range(J):
                for k in range(K):
                    kk = k - 1 if limited else k
                    if kk < 0:
                        sw, arg = NEG, 0
                    elif j == i1[kk]:
                        sw, arg = v2[kk], i2[kk]
                    else:
                        sw, arg = v1[kk], i1[kk]
                    sw = sw - switch_cost if sw > half else NEG
                    if sw > new[j, k, 0]:
                        new[j, k, 0] = sw
                        kind[n, j, k, 0] = 2
                    src[n, j, k] = arg
                    v = value[b, n, j]
                    for ln in range(L):
                        x = new[j, k, ln]
                        cur[j, k, ln] = x + v if x > half and v > half else NEG
        # the best final state: a full last stretch, or one stretch if too short for it
        top, bj, bk, bl = NEG - 1, 0, 0, 0
        for j in range(J):
            for k in range(K):
                for ln in range(L):
                    x = cur[j, k, ln] if ln == L - 1 or length[b] < L else NEG
                    if x > top:
                        top, bj, bk, bl = x, j, k, ln
        score[b] = top
        j, k, ln = bj, bk, bl
        for n in range(length[b] - 1, -1, -1):
            out[b, n] = j
            if n == 0:
                break
            kd = kind[n, j, k, ln]
            if kd == 0:
                ln -= 1
            elif kd == 2:
                j = src[n, j, k]
                if limited:
                    k -= 1
                ln = L - 1


def slot_values(slots: np.ndarray, pos: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """[B, N, J] value of each slot at each position, read off a grid:
    `gain[q, t]` for queue `slots[b, j]` at interval `pos[b, n]`, 0 at
    positions off the grid, NEG for padding slots (−1)."""
    T = gain.shape[1]
    inside = (pos >= 0) & (pos < T)
    v = gain[np.maximum(slots, 0)[:, None, :], np.clip(pos, 0, T - 1)[:, :, None]]
    v = np.where(inside[:, :, None], v, 0)
    return np.where((slots >= 0)[:, None, :], v, NEG)
