"""A violation, where it happened, and the report listing them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from optimizer.kpi import Kpis
from optimizer.scenario.model import Scenario
from optimizer.timegrid import iso_local, iso_utc


@dataclass(frozen=True)
class Violation:
    """One broken rule: its name, the agent, when (site-local and UTC, or a
    date or week) and what is wrong."""

    rule: str
    agent_id: str
    when: str  # local ISO instant (or date) and UTC
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: agent {self.agent_id} at {self.when}: {self.detail}"


@dataclass
class CheckReport:
    """Every violation in rule order, the KPIs (None when a segment names an
    unknown agent or activity), and notes that break no rule."""

    violations: list[Violation]
    kpis: Kpis | None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out

    def to_text(self, limit: int = 50) -> str:
        if self.ok:
            return "no hard-rule violation"
        lines = [f"{len(self.violations)} hard-rule violation(s):"]
        lines += [f"  {rule}: {n}" for rule, n in sorted(self.counts().items())]
        lines += [f"  - {v}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  … and {len(self.violations) - limit} more")
        return "\n".join(lines)


def instant(sc: Scenario, site: str, t: int) -> str:
    """Epoch minute `t` as a violation's `when`: the site-local ISO instant,
    then UTC in brackets (local is UTC at an unknown site)."""
    tz = sc.site_by_id[site].timezone if site in sc.site_by_id else "UTC"
    return f"{iso_local(int(t), tz)} ({iso_utc(int(t))})"


def per_row(
    sc: Scenario, rows: pd.DataFrame, rule: str, detail: Callable[[pd.Series], str]
) -> list[Violation]:
    """One `rule` violation per row of `rows` (shifts or stretches), at its start."""
    return [
        Violation(rule, str(r["agent_id"]), instant(sc, r["site"], r["start"]), detail(r))
        for _, r in rows.iterrows()
    ]
