"""Tiny hand-written rosters for the checker's tests: the `mini` scenario's
Lisbon site (UTC+0 in early March), shifts in local time, and the same
scenario with v1.1 rules set."""

from __future__ import annotations

import copy
import datetime as dt

from optimizer.check import check_roster
from optimizer.roster import Roster
from optimizer.scenario.model import Activities, Scenario
from optimizer.timegrid import local_to_utc
from tests import factory

Q = "PT-pt-voice"
CHAT = "PT-pt-chat"
MON = "week of 2027-03-01"


def at(day: int, hhmm: str, start: dt.date = dt.date(2027, 3, 1)) -> int:
    h, m = map(int, hhmm.split(":"))
    return local_to_utc("Europe/Lisbon", start + dt.timedelta(days=day), h * 60 + m)


def shift(
    agent: str,
    day: int,
    begin: str,
    end: str,
    brk: str | None = "13:00",
    start: dt.date = dt.date(2027, 3, 1),
) -> list[dict]:
    """An 8-paid-hour shift with a 1 h break at `brk` (mini rules), as segments."""
    date = start + dt.timedelta(days=day)
    s, e = at(day, begin, start), at(day, end, start)
    if e <= s:
        e = at(day + 1, end, start)
    if brk is None:
        return [
            {
                "agent_id": agent,
                "site": "LIS",
                "shift_date": date,
                "start": s,
                "end": e,
                "activity": Q,
            }
        ]
    b = at(day, brk, start)
    if b < s:
        b = at(day + 1, brk, start)
    return [
        {"agent_id": agent, "site": "LIS", "shift_date": date, "start": s, "end": b, "activity": Q},
        {
            "agent_id": agent,
            "site": "LIS",
            "shift_date": date,
            "start": b,
            "end": b + 60,
            "activity": "BREAK",
        },
        {
            "agent_id": agent,
            "site": "LIS",
            "shift_date": date,
            "start": b + 60,
            "end": e,
            "activity": Q,
        },
    ]


def rules_of(report) -> set[str]:
    return {v.rule for v in report.violations}


def parts(agent: str, day: int, *pieces: tuple[str, str, str]) -> list[dict]:
    """One shift as (begin, end, activity) pieces in local Lisbon time, in order."""
    date = dt.date(2027, 3, 1) + dt.timedelta(days=day)
    out, last = [], None
    for begin, end, activity in pieces:
        s = at(day, begin) if last is None or at(day, begin) >= last else at(day + 1, begin)
        e = at(day, end) if at(day, end) > s else at(day + 1, end)
        out.append(
            {"agent_id": agent, "site": "LIS", "shift_date": date, "start": s, "end": e}
            | {"activity": activity}
        )
        last = e
    return out


def with_chat(data: dict) -> dict:
    """A copy of scenario data with a second queue (Portuguese chat) every agent serves."""
    data = copy.deepcopy(data)
    data["queues"].append(
        {"id": CHAT, "market": "PT", "language": "pt", "channel": "chat", "aht_seconds": 360}
    )
    for a in data["agents"]:
        a["channels"] = "voice;chat"
    return data


def horizon(
    data: dict, days: int | None = None, start: str | None = None, interval: int | None = None
) -> dict:
    """Scenario data with another horizon (length, first date or grid)."""
    new = {"days": days, "start": start, "interval_minutes": interval}
    data["horizon"].update({k: v for k, v in new.items() if v is not None})
    return data


def load_v11(load, data: dict, **rules) -> Scenario:
    """Load `data` with the given v1.1 rules (factory.v11); `activities` is set
    on the model too, so these tests do not depend on the loader reading it."""
    sc = load(factory.v11(data, **rules))
    acts = {k: rules.get(k) for k in ("min_minutes", "max_switches_per_shift")}
    return (
        sc
        if acts == dict.fromkeys(acts)
        else sc.model_copy(update={"activities": Activities(**acts)})
    )


def found(report) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.agent_id, v.when) for v in report.violations)


def check(sc, segments: list[dict]):
    return check_roster(sc, Roster.from_segments(segments))


def days(agent: str, which: list[int], begin: str = "09:00", end: str = "18:00", **kw) -> list:
    return [s for d in which for s in shift(agent, d, begin, end, **kw)]


NIGHTS = {"begin": "22:00", "end": "07:00", "brk": "02:00"}  # 7 paid hours inside 22:00-06:00
