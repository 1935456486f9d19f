"""What a solve returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimizer.roster import Roster

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


@dataclass(frozen=True)
class Conflict:
    """Hard rules that cannot all hold, for one agent (and the dates concerned)."""

    agent_id: str
    rules: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        return f"agent {self.agent_id}: {' + '.join(self.rules)} conflict — {self.detail}"


@dataclass(frozen=True)
class SolveResult:
    """A roster with the proof of how good it is.

    `objective` is the roster's exact objective (the pay model's cost plus
    the under-cover penalties, and any weighted soft terms); `bound` a proven
    lower bound of the optimum, from `bound_method`; `gap` =
    (objective − bound) / objective.
    """

    status: str
    roster: Roster
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    bound_method: str = ""
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    terms: dict[str, float] = field(default_factory=dict)
    switches: int = 0
    conflicts: tuple[Conflict, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Solver keys of summary.json."""
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "bound_method": self.bound_method,
            "solve_seconds": round(self.solve_seconds, 3),
            "first_feasible_seconds": self.first_feasible_seconds,
            "objective_terms": self.terms,
            "switches": self.switches,
            "stats": self.stats,
        }
