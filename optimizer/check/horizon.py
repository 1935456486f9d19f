"""Rules that count over an agent's whole horizon: at most so many weekends
worked, where the rule set says so, and the agent's paid hours over the
horizon, where its contract says so."""

from __future__ import annotations

import datetime as dt

from optimizer.check.report import Violation
from optimizer.check.shifts import Shifts
from optimizer.scenario.model import Scenario


def max_weekends(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where the rule set sets `max_weekends`, an agent works at most that many
    weekends in the horizon. A weekend is the rule set's weekend days of one
    local Mon–Sun week, and it is worked when a shift's local start date is
    one of them. The violation names the first weekend beyond the maximum."""
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        rules = sc.rules_of(site) if site in sc.site_by_id else None
        if rules is None or rules.max_weekends is None:
            continue
        worked = sorted(
            {
                d - dt.timedelta(days=d.weekday())
                for d in g["shift_date"]
                if d.weekday() in rules.weekend
            }
        )
        if len(worked) > rules.max_weekends:
            out.append(
                Violation(
                    "max weekends",
                    str(agent),
                    worked[rules.max_weekends].isoformat(),
                    f"{len(worked)} weekends worked in the horizon (at most {rules.max_weekends})",
                )
            )
    return out


def horizon_hours(sc: Scenario, sh: Shifts) -> list[Violation]:
    """An agent's paid hours over the whole horizon are at least its
    `min_hours_horizon` and at most its `max_hours_horizon`, where set (an
    agent without a shift has 0 hours)."""
    paid = sh.table.groupby("agent_id")["paid"].sum() if len(sh.table) else {}
    out = []
    for a in sc.agents:
        hours = float(paid.get(a.id, 0)) / 60.0
        low, high = a.min_hours_horizon, a.max_hours_horizon
        why = (
            f"at least {low:g}"
            if low is not None and hours < low - 1e-9
            else f"at most {high:g}"
            if high is not None and hours > high + 1e-9
            else None
        )
        if why is not None:
            out.append(
                Violation(
                    "horizon hours",
                    a.id,
                    sc.horizon.start.isoformat(),
                    f"{hours:g} paid hours over the horizon ({why})",
                )
            )
    return out
