"""The v1.1 activity rules — how a shift is divided between queues: each
stretch on one queue long enough, and few queue changes per shift."""

from __future__ import annotations

import pandas as pd

from optimizer.check.report import Violation, instant, per_row
from optimizer.check.shifts import Shifts
from optimizer.roster import BREAK
from optimizer.scenario.model import Scenario


def stretches(segments: pd.DataFrame) -> pd.DataFrame:
    """The stretches of every shift: its segments in time order with the
    `BREAK` rows dropped, a stretch being a maximal run of consecutive segments
    on one queue (a break inside it does not end it). One row per stretch:
    `agent_id, site, shift_date, activity, start, minutes` (sum of its
    segments' minutes), in time order within each shift."""
    cols = ["agent_id", "site", "shift_date", "activity", "start", "minutes"]
    work = segments[segments["activity"] != BREAK]
    if work.empty:
        return pd.DataFrame(columns=cols)
    work = work.sort_values(["agent_id", "shift_date", "start"], kind="stable")
    new = ~(
        (work["agent_id"] == work["agent_id"].shift())
        & (work["shift_date"] == work["shift_date"].shift())
        & (work["activity"] == work["activity"].shift())
    )
    out = (
        work.assign(minutes=work["end"] - work["start"], run=new.cumsum())
        .groupby("run", sort=True)
        .agg(
            agent_id=("agent_id", "first"),
            site=("site", "first"),
            shift_date=("shift_date", "first"),
            activity=("activity", "first"),
            start=("start", "first"),
            minutes=("minutes", "sum"),
        )
    )
    return out.reset_index(drop=True)[cols]


def minimum_stretch(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Every stretch on one queue lasts at least `activities.min_minutes`
    (breaks dropped first, so a break inside a stretch does not end it)."""
    need = sc.activities.min_minutes
    if need is None:
        return []
    st = stretches(sh.segments)
    short = st[st["minutes"] < need]
    return per_row(
        sc,
        short,
        "minimum stretch",
        lambda r: f"{r['minutes']} min on {r['activity']} (minimum {need})",
    )


def queue_switches(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift changes queue at most `activities.max_switches_per_shift` times:
    switches = stretches − 1, breaks dropped (a break between two stretches on
    the same queue is no switch)."""
    cap = sc.activities.max_switches_per_shift
    if cap is None:
        return []
    st = stretches(sh.segments)
    if st.empty:
        return []
    count = st.groupby(["agent_id", "shift_date"])["minutes"].transform("size")
    out = []
    for (agent, _), g in st[count > cap + 1].groupby(["agent_id", "shift_date"], sort=True):
        first = g.iloc[0]
        out.append(
            Violation(
                "queue switches",
                str(agent),
                instant(sc, first["site"], first["start"]),
                f"{len(g) - 1} queue changes (limit {cap}): "
                + " → ".join(
                    f"{q} {m} min" for q, m in zip(g["activity"], g["minutes"], strict=True)
                ),
            )
        )
    return out
