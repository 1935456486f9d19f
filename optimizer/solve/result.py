"""What a solve returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimizer.roster import Roster

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


TIME_LIMIT = "time limit"  # a Conflict's rule when nothing was proven, only time ran out


@dataclass(frozen=True)
class Conflict:
    """Hard rules that cannot all hold, for one agent (and the dates concerned)."""

    agent_id: str
    rules: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        if self.rules == (TIME_LIMIT,):  # nothing proven: the search ran out of time
            return f"agent {self.agent_id}: no schedule within the time limit — {self.detail}"
        return f"agent {self.agent_id}: {' + '.join(self.rules)} conflict — {self.detail}"


class SummaryFieldError(ValueError):
    """A summary.json key whose value has the wrong type."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


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

    @classmethod
    def from_summary(cls, summary: dict[str, Any], roster: Roster) -> SolveResult:
        """The result a `summary()` describes, around `roster` (no solve): the
        inverse of `summary()` except `conflicts`, which summary.json does not
        hold. Missing or null keys take the defaults; a key of the wrong type
        raises SummaryFieldError naming it."""

        def get(key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
            value = summary.get(key)
            if value is None:
                return default
            if isinstance(value, bool) or not isinstance(value, kind):
                raise SummaryFieldError(key, f"{value!r} is not {what}")
            return value

        num = (int, float)
        return cls(
            status=get("status", str, "a text", UNKNOWN),
            roster=roster,
            objective=get("objective", num, "a number", None),
            bound=get("bound", num, "a number", None),
            gap=get("gap", num, "a number", None),
            bound_method=get("bound_method", str, "a text", ""),
            solve_seconds=float(get("solve_seconds", num, "a number", 0.0)),
            first_feasible_seconds=get("first_feasible_seconds", num, "a number", None),
            terms=dict(get("objective_terms", dict, "a mapping", {})),
            switches=int(get("switches", num, "a number", 0)),
            stats=dict(get("stats", dict, "a mapping", {})),
        )
