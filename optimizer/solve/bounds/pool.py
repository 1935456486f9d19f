"""The shifts of column generation's schedules, shared with the search.

Column generation (`colgen.py`) runs in the bound worker's thread and
proposes schedules round after round; the search reads their shifts — all
of them, those the master LP's optimum uses, and its rounding — for the
restricted model (`solve/restricted.py`) and the dive, and offers it its
best roster as columns (`ColumnGeneration.seed`). A lock keeps each read
and write whole.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimizer.solve.bounds.colgen import ColumnGeneration


class ColumnPool:
    """The shifts of every schedule the pricing proposed, per agent: where
    the LP's good rosters lie, for the search's restricted model to choose
    from (`solve/restricted.py`). Filled by column generation in one
    thread, read by the search in another."""

    def __init__(self, n_agents: int) -> None:
        self._lock = threading.Lock()
        self._shifts: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self._support: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self._rounded: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self.rounds = 0
        self.done = threading.Event()  # column generation has ended
        self.master: ColumnGeneration | None = None  # its master, where it converged
        self._offered: np.ndarray | None = None

    def offer(self, rows: np.ndarray) -> None:
        """A roster the search found — each agent's template on each day,
        `OFF` where off — for column generation to take its schedules as
        columns (`ColumnGeneration.seed`); a later offer replaces one not
        yet taken."""
        with self._lock:
            self._offered = np.array(rows, dtype=np.int64)

    def take_offer(self) -> np.ndarray | None:
        """The roster last offered and not yet taken, if any."""
        with self._lock:
            rows, self._offered = self._offered, None
            return rows

    def add(self, agent: np.ndarray, day: np.ndarray, tpl: np.ndarray) -> None:
        """One pricing round's schedules: agent, day and template of each shift."""
        with self._lock:
            for a, d, k in zip(agent.tolist(), day.tolist(), tpl.tolist(), strict=True):
                self._shifts[a].add((d, k))
            self.rounds += 1

    def support(
        self, shifts: list[tuple[int, int, int]], heaviest: list[tuple[int, int, int]]
    ) -> None:
        """The shifts (agent, day, template) of the schedules the last
        master LP's optimum uses, and of each agent's heaviest among them
        (the LP rounded)."""
        found: list[set[tuple[int, int]]] = [set() for _ in self._support]
        rounded: list[set[tuple[int, int]]] = [set() for _ in self._support]
        for a, d, k in shifts:
            found[a].add((d, k))
        for a, d, k in heaviest:
            rounded[a].add((d, k))
        with self._lock:
            self._support, self._rounded = found, rounded

    def dived(self, rows: np.ndarray) -> None:
        """A roster from the master LP (`solve/dive.py`): each agent's
        template on each day, negative where off. It becomes the rounding,
        and its shifts join the support and the proposed shifts."""
        with self._lock:
            for a, row in enumerate(rows):
                days = np.flatnonzero(row >= 0)
                mine = {(int(d), int(row[d])) for d in days}
                self._rounded[a] = mine
                self._support[a] |= mine
                self._shifts[a] |= mine

    def rounded(self, a: int) -> set[tuple[int, int]]:
        """The shifts of agent a's heaviest schedule in the last master LP's optimum."""
        with self._lock:
            return set(self._rounded[a])

    def shifts(self, a: int, support: bool = False) -> set[tuple[int, int]]:
        """The (day, template) pairs of agent a's proposed schedules (with
        `support`, of those the last master LP's optimum uses)."""
        with self._lock:
            return set((self._support if support else self._shifts)[a])
