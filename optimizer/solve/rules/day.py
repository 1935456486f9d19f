"""Day rules: which of an agent's options each rule allows, as boolean masks.

Each function says its rule in plain words and returns a numpy mask, True
where the rule allows the option, with one row per agent passed (in order):

- over (agent, day) `[A, D]`: `days_off`, `leave`, `holiday_off`;
- over (agent, template) of one site `[A, K]`: `personal_window`;
- over (agent, queue) `[A, Q]`: `skills`, `data_residency`.

They are named as the independent checker's rules (`optimizer.check`: "days
off", "leave", "holiday off", "personal window", "skills", "data
residency"). `problem.build_problem` combines them into each agent's
candidate templates, so the search never sees a shift that breaks one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import numpy as np

from optimizer.calendars import Calendars
from optimizer.pay import local_clock
from optimizer.scenario.model import Agent, Queue, Scenario
from optimizer.solve.templates import Templates


def _pairs(rows: Sequence[Collection[object]]) -> tuple[np.ndarray, list[object]]:
    """(row index of each item, the items) of a ragged table, row by row."""
    lens = np.array([len(r) for r in rows], dtype=np.int64)
    return np.repeat(np.arange(len(rows)), lens), [x for r in rows for x in r]


def on_dates(rows: Sequence[Collection[dt.date]], dates: Sequence[dt.date]) -> np.ndarray:
    """[len(rows), D] True where `dates[d]` is one of row's dates (those outside `dates` ignored)."""
    out = np.zeros((len(rows), len(dates)), dtype=bool)
    row, items = _pairs(rows)
    if not items:
        return out
    days = np.array([d.toordinal() for d in dates], dtype=np.int64)
    want = np.array([d.toordinal() for d in items], dtype=np.int64)  # type: ignore[attr-defined]
    col = np.minimum(np.searchsorted(days, want), len(days) - 1)
    hit = days[col] == want
    out[row[hit], col[hit]] = True
    return out


def on_weekdays(rows: Sequence[Collection[int]], dates: Sequence[dt.date]) -> np.ndarray:
    """[len(rows), D] True where the weekday (Mon = 0) of `dates[d]` is one of row's weekdays."""
    table = np.zeros((len(rows), 7), dtype=bool)
    row, items = _pairs(rows)
    table[row, np.array(items, dtype=np.int64)] = True
    return table[:, [d.weekday() for d in dates]]


def _has(rows: Sequence[Collection[str]], wanted: Sequence[str]) -> np.ndarray:
    """[len(rows), len(wanted)] True where row holds `wanted[j]`."""
    row, items = _pairs(rows)
    vocab = {v: i for i, v in enumerate(dict.fromkeys([*items, *wanted]))}
    table = np.zeros((len(rows), len(vocab)), dtype=bool)
    table[row, np.array([vocab[x] for x in items], dtype=np.int64)] = True
    return table[:, np.array([vocab[w] for w in wanted], dtype=np.int64)]


def days_off(agents: Sequence[Agent], dates: Sequence[dt.date]) -> np.ndarray:
    """[A, D] An agent starts no shift on a local date whose weekday is one of its `days_off`."""
    return ~on_weekdays([a.days_off for a in agents], dates)


def leave(agents: Sequence[Agent], dates: Sequence[dt.date]) -> np.ndarray:
    """[A, D] An agent starts no shift on a date of its `leave`."""
    return ~on_dates([a.leave for a in agents], dates)


def holiday_off(
    sc: Scenario, agents: Sequence[Agent], dates: Sequence[dt.date], cal: Calendars
) -> np.ndarray:
    """[A, D] At a `holidays: off` site, an agent starts no shift on a public
    holiday of the site (by the shift's local date); at a `holidays: premium`
    site it may (and is paid the premium)."""
    closed = on_dates([cal.site[s.id] if s.holidays == "off" else () for s in sc.sites], dates)
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    return ~closed[np.array([site_index[a.site] for a in agents], dtype=np.int64)]


def personal_window(agents: Sequence[Agent], timezone: str, tpl: Templates) -> np.ndarray:
    """[A, K] A shift fits the agent's `earliest_start`/`latest_end` window
    (site clock): it starts no earlier and ends no later. A window across
    midnight (22:00/07:00) may open on the start day or the day before, so
    a shift ending by 07:00 fits too. An agent without a window, or whose
    window is the whole day (earliest = latest), may work any template.
    `tpl` are the templates of the agents' site, on its `timezone`."""
    out = np.ones((len(agents), len(tpl)), dtype=bool)
    has = np.array([a.earliest_start is not None for a in agents], dtype=bool)
    rows = np.flatnonzero(has)
    if not len(rows) or not len(tpl):
        return out
    es = np.array([agents[i].earliest_start for i in rows], dtype=np.int64)[:, None]
    le = np.array([agents[i].latest_end for i in rows], dtype=np.int64)[:, None]
    start_day, _, _ = local_clock(timezone, tpl.start)
    end_day, _, end_minute = local_clock(timezone, tpl.end)
    start = tpl.local_start[None, :]
    # the end in minutes after the start day's local midnight
    end = ((end_day - start_day) * 1440 + end_minute)[None, :]
    same_day = (start >= es) & (end <= le)
    across = ((start >= es) & (end <= 1440 + le)) | (end <= le)
    out[rows] = np.where(es < le, same_day, across) | (es == le)
    return out


def skills(agents: Sequence[Agent], queues: Sequence[Queue]) -> np.ndarray:
    """[A, Q] An agent serves only queues in a language and on a channel it has."""
    language = _has([a.languages for a in agents], [q.language for q in queues])
    channel = _has([a.channels for a in agents], [q.channel for q in queues])
    return language & channel


def data_residency(sc: Scenario, agents: Sequence[Agent]) -> np.ndarray:
    """[A, Q] An agent serves only queues of markets whose data residency
    admits its site (its region or the site itself; no residency: any site)."""
    may = np.array(
        [[sc.may_serve(s, m) for m in sc.markets] for s in sc.sites], dtype=bool
    ).reshape(len(sc.sites), len(sc.markets))
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    market_index = {m.id: i for i, m in enumerate(sc.markets)}
    rows = np.array([site_index[a.site] for a in agents], dtype=np.int64)
    cols = np.array([market_index[q.market] for q in sc.queues], dtype=np.int64)
    return may[np.ix_(rows, cols)]
