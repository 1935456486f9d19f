"""Rules on the segments themselves: each names a known agent at its own
site and a known activity on the grid, a shift's segments join up, and its
`shift_date` is the local date it starts, inside the horizon."""

from __future__ import annotations

from optimizer.check.report import Violation, per_row
from optimizer.check.shifts import Shifts
from optimizer.roster import BREAK
from optimizer.scenario.model import Scenario
from optimizer.timegrid import TimeGrid, iso_utc


def segments_known(sc: Scenario, sh: Shifts, grid: TimeGrid) -> list[Violation]:
    """Segments name a known agent at its own site and a known queue (or BREAK),
    and start and end on the UTC grid."""
    out = []
    seg = sh.segments
    queues = set(sc.queue_by_id) | {BREAK}
    for _, r in seg.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None:
            out.append(
                Violation(
                    "known agent",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    "no such agent in the scenario",
                )
            )
        elif a.site != r["site"]:
            out.append(
                Violation(
                    "agent site",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"site {r['site']} but the agent sits at {a.site}",
                )
            )
        if r["activity"] not in queues:
            out.append(
                Violation(
                    "known activity",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"unknown activity {r['activity']!r}",
                )
            )
        if (r["start"] - grid.start) % grid.interval or (r["end"] - grid.start) % grid.interval:
            out.append(
                Violation(
                    "on the grid",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"segment not on the {grid.interval}-minute grid",
                )
            )
    return out


def one_contiguous_shift_per_date(sc: Scenario, sh: Shifts) -> list[Violation]:
    """An agent works at most one shift per local date, and a shift is contiguous:
    its segments with the same shift_date leave no gap and never overlap."""
    seg = sh.segments.sort_values(["agent_id", "shift_date", "start"])
    prev_end = seg.groupby(["agent_id", "shift_date"])["end"].shift()
    bad = seg[prev_end.notna() & (seg["start"] != prev_end)]
    return per_row(
        sc,
        bad,
        "one contiguous shift per date",
        lambda r: "the shift has a gap or an overlap between its segments",
    )


def shift_date_is_local_start_date(sc: Scenario, sh: Shifts) -> list[Violation]:
    """`shift_date` is the site-local date on which the shift starts, inside the horizon."""
    s = sh.table
    if s.empty:
        return []
    wrong = s[s["shift_date"] != s["local_date"]]
    out = per_row(
        sc,
        wrong,
        "shift date",
        lambda r: f"shift_date {r['shift_date']} but it starts on local {r['local_date']}",
    )
    outside = s[(s["shift_date"] < sc.horizon.start) | (s["shift_date"] >= sc.horizon.end)]
    out += per_row(
        sc, outside, "horizon", lambda r: f"shift_date {r['shift_date']} is outside the horizon"
    )
    return out
