"""Rules on a rule set's named shifts, where it names them: every shift is
one of its `shift_types`, no agent works more of a type than its
`max_shifts`, and no shift type follows one it may not."""

from __future__ import annotations

import datetime as dt

from optimizer.check.report import Violation, per_row
from optimizer.check.shifts import Shifts
from optimizer.scenario.model import Scenario


def _catalogue(sc: Scenario) -> dict[str, dict[tuple[int, int], str]]:
    """Per site whose rule set names shift types: (local start minute, paid
    minutes) → the type's id."""
    out = {}
    for site in sc.sites:
        types = sc.rules_of(site).shift_types
        if types:
            out[site.id] = {(t.start, round(t.hours * 60)): t.id for t in types}
    return out


def shift_types(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where the rule set names `shift_types`, each shift starts at one
    type's local start with that type's paid length."""
    cat = _catalogue(sc)
    s = sh.table
    bad = s[
        [
            x in cat and (int(m), int(p)) not in cat[x]
            for x, m, p in zip(s["site"], s["local_minute"], s["paid"], strict=True)
        ]
    ]
    return per_row(
        sc,
        bad,
        "shift type",
        lambda r: (
            f"starts {int(r['local_minute']) // 60:02d}:{int(r['local_minute']) % 60:02d} local "
            f"with {r['paid'] / 60:g} paid hours: none of the shift types "
            f"{', '.join(sorted(cat[r['site']].values()))}"
        ),
    )


def forbidden_successions(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where the rule set forbids the succession (a, b) of its shift types, no
    shift of type b falls on the local shift date after a shift of type a."""
    cat = _catalogue(sc)
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        if site not in cat:
            continue
        forbid = set(sc.rules_of(site).forbidden_successions)
        if not forbid:
            continue
        kind = {
            d: cat[site].get((int(m), int(p)))
            for d, m, p in zip(g["shift_date"], g["local_minute"], g["paid"], strict=True)
        }
        for d, a in sorted(kind.items()):
            b = kind.get(d + dt.timedelta(days=1))
            if a is not None and b is not None and (a, b) in forbid:
                out.append(
                    Violation(
                        "forbidden succession",
                        str(agent),
                        (d + dt.timedelta(days=1)).isoformat(),
                        f"a {b} shift the day after a {a} shift",
                    )
                )
    return out


def max_shifts_of_type(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where a shift type sets `max_shifts`, an agent works at most that many
    shifts of the type in the horizon; the violation names the first shift
    beyond it."""
    cat = _catalogue(sc)
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        if site not in cat:
            continue
        most = {t.id: t.max_shifts for t in sc.rules_of(site).shift_types}
        seen: dict[str, int] = {}
        for d, m, p in sorted(zip(g["shift_date"], g["local_minute"], g["paid"], strict=True)):
            kind = cat[site].get((int(m), int(p)))
            if kind is None or most[kind] is None:
                continue
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] == most[kind] + 1:
                out.append(
                    Violation(
                        "max shifts of type",
                        str(agent),
                        d.isoformat(),
                        f"more than {most[kind]} {kind} shift(s) in the horizon",
                    )
                )
    return out
