"""Rules on a shift's shape under its site's rule set: paid length, local
start step, and the break."""

from __future__ import annotations

from optimizer.check.report import Violation, instant, per_row
from optimizer.check.shifts import Shifts
from optimizer.scenario.model import Scenario

BREAK_MIN_PAID_MINUTES = 6 * 60


def paid_shift_length(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Paid minutes (real time less an unpaid break) are one of the rule set's `shift_hours`."""
    s = sh.table
    allowed = {site.id: {round(h * 60) for h in sc.rules_of(site).shift_hours} for site in sc.sites}
    bad = s[[p not in allowed.get(x, set()) for p, x in zip(s["paid"], s["site"], strict=True)]]
    return per_row(
        sc,
        bad,
        "shift length",
        lambda r: (
            f"{r['paid'] / 60:g} paid hours; allowed {sorted(h / 60 for h in allowed.get(r['site'], ()))}"
        ),
    )


def start_step(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift starts on a local time that is a multiple of the rule set's `start_step_minutes`."""
    s = sh.table
    step = {site.id: sc.rules_of(site).start_step_minutes for site in sc.sites}
    bad = s[[m % step.get(x, 1) != 0 for m, x in zip(s["local_minute"], s["site"], strict=True)]]
    return per_row(
        sc,
        bad,
        "start step",
        lambda r: (
            f"starts at local minute {r['local_minute']}, not a multiple of {step.get(r['site'])}"
        ),
    )


def break_rule(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Shifts of 6 paid hours or more have one break of exactly the rule's
    minutes, starting `after_hours` into the shift (both ends inclusive);
    shorter shifts, and sites without a break rule, have none."""
    out = []
    for _, r in sh.table.iterrows():
        rule = sc.rules_of(r["site"]).break_ if r["site"] in sc.site_by_id else None
        needs = rule is not None and r["paid"] >= BREAK_MIN_PAID_MINUTES
        if not needs:
            if r["breaks"]:
                out.append(
                    Violation(
                        "break",
                        r["agent_id"],
                        instant(sc, r["site"], r["start"]),
                        "a break where the rule asks for none",
                    )
                )
            continue
        assert rule is not None
        if r["breaks"] != 1 or r["break_len"] != r["break_minutes"]:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    instant(sc, r["site"], r["start"]),
                    f"expected one break of {rule.minutes} min, found {r['break_minutes']} min in {r['breaks']} piece(s) apart",
                )
            )
            continue
        if r["break_len"] != rule.minutes:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    instant(sc, r["site"], r["start"]),
                    f"break of {r['break_len']} min, expected {rule.minutes}",
                )
            )
        offset = r["break_start"] - r["start"]
        lo, hi = rule.after_hours
        if not lo * 60 <= offset <= hi * 60:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    instant(sc, r["site"], r["start"]),
                    f"break starts {offset / 60:g} h in, outside [{lo:g}, {hi:g}] h",
                )
            )
    return out
