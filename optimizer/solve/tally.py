"""The running counts of who serves what, kept in step with a pass's incumbent.

A re-plan reads the coverage of the roster without the agent (its
residual need) and which (kind, queue) pairs hold an agent (the chains of
`chains.py`), then the trial's coverage again to price it. Summing every
group's allocation for each of those reads costs more than the agent's
programme itself on a problem of a few hundred groups. A `Tally` holds
the incumbent's counts once and gives a trial's from the groups whose
allocation differs from the incumbent's only: `State.copy(groups=…)`
shares every other group's array, so an unchanged group is the same
object in both states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import State, cover


@dataclass
class Tally:
    """[P, T] agents of each kind on each of its queues (`GroupKinds`'s
    pairs), whether there are any, and [Q, T] agents on each queue, of the
    state `of` was given (then of each state `advance` moved it to); and
    [G] the first of the pairs each group's allocation adds to."""

    pairs: np.ndarray
    held_now: np.ndarray
    cover: np.ndarray
    first_row: np.ndarray

    @classmethod
    def of(cls, p: Problem, s: State) -> Tally:
        """The counts of `s`."""
        kinds = p.kinds
        pairs = kinds.pair_totals(s.alloc, p.grid.n)
        first_row = np.searchsorted(kinds.pair_kind, kinds.of_group)
        return cls(pairs, pairs > 0, cover(p, s), first_row)

    @staticmethod
    def changed(base: State, trial: State) -> list[int]:
        """The groups whose allocation array in `trial` is not `base`'s own."""
        return [
            g for g, (x, y) in enumerate(zip(trial.alloc, base.alloc, strict=True)) if x is not y
        ]

    def rows(self, p: Problem, g: int) -> slice:
        """The pairs group g's allocation adds to: its kind's, in the order
        of the group's queues."""
        start = int(self.first_row[g])
        return slice(start, start + len(p.group_queues[g]))

    def cover_of(self, p: Problem, base: State, trial: State) -> np.ndarray:
        """[Q, T] the coverage of `trial`, a state whose allocation differs
        from `base` (the tallied state) in the groups `changed` finds only."""
        out = self.cover.copy()
        for g in self.changed(base, trial):
            out[p.group_queues[g]] += trial.alloc[g] - base.alloc[g]
        return out

    def held(self, p: Problem, base: State, trial: State, columns: np.ndarray) -> np.ndarray:
        """[P, len(columns)] whether some agent of a pair's kind serves the
        pair's queue in `trial` at the grid intervals `columns`."""
        out = self.held_now[:, columns]
        counts: dict[int, np.ndarray] = {}  # the changed kinds' pairs, by their first row
        for g in self.changed(base, trial):
            r = self.rows(p, g)
            diff = trial.alloc[g][:, columns] - base.alloc[g][:, columns]
            if r.start in counts:  # another group of the same kind changed too
                counts[r.start] += diff
            else:
                counts[r.start] = self.pairs[r][:, columns] + diff
            out[r] = counts[r.start] > 0
        return out

    def advance(self, p: Problem, base: State, trial: State, cover: np.ndarray) -> None:
        """Move the counts from `base` to `trial`, whose coverage is `cover`
        (`cover_of`): the trial became the incumbent."""
        for g in self.changed(base, trial):
            r = self.rows(p, g)
            self.pairs[r] += trial.alloc[g] - base.alloc[g]
            self.held_now[r] = self.pairs[r] > 0
        self.cover = cover
