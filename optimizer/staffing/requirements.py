"""Agents required per queue and UTC interval (SCENARIO.md "How a requirement
is derived"), from a scenario: contacts on the grid, the holiday factor, the
service hours in each market's clock, then the staffing kernels (Erlang C
for voice and chat, deadline spreading for email, occupancy, shrinkage)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.scenario.model import Scenario
from optimizer.staffing import kernels
from optimizer.timegrid import TimeGrid, iso_utc

_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Requirements:
    """Queue × interval tables on the UTC grid (row order = scenario queues)."""

    grid: TimeGrid
    queue_ids: tuple[str, ...]
    contacts: np.ndarray  # [Q, T] float, holiday factor applied
    open: np.ndarray  # [Q, T] bool
    workload: np.ndarray  # [Q, T] float, Erlangs of pure work
    raw: np.ndarray  # [Q, T] float, agents before shrinkage
    required: np.ndarray  # [Q, T] int

    @cached_property
    def index(self) -> dict[str, int]:
        return {q: i for i, q in enumerate(self.queue_ids)}

    def frame(self) -> pd.DataFrame:
        """Long table: queue, interval_start_utc, contacts, required (one row per cell)."""
        q, t = np.meshgrid(np.arange(len(self.queue_ids)), np.arange(self.grid.n), indexing="ij")
        stamps = np.array([iso_utc(int(x)) for x in self.grid.starts])
        return pd.DataFrame(
            {
                "queue": np.array(self.queue_ids)[q.ravel()],
                "interval_start_utc": stamps[t.ravel()],
                "contacts": np.round(self.contacts.ravel(), 6),
                "required": self.required.ravel(),
            }
        )

    def agent_hours(self) -> np.ndarray:
        """Required agent-hours per queue."""
        return self.required.sum(axis=1) * self.grid.interval / 60.0


def contacts_on_grid(scenario: Scenario, grid: TimeGrid) -> np.ndarray:
    """The demand table as a dense [Q, T] array (zero where absent)."""
    out = np.zeros((len(scenario.queues), grid.n))
    d = scenario.demand
    if len(d):
        rows = pd.Index([q.id for q in scenario.queues]).get_indexer(d["queue"])
        cols = grid.index(d["t"].to_numpy(np.int64))
        np.add.at(out, (rows, cols), d["contacts"].to_numpy(float))
    return out


def market_holiday_mask(
    scenario: Scenario, grid: TimeGrid, calendars: Calendars
) -> dict[str, np.ndarray]:
    """Per market: [T] bool, the interval starts on a market public holiday (local date)."""
    out = {}
    for m in scenario.markets:
        frame = grid.local(m.timezone)
        days = np.array(sorted(d.toordinal() for d in calendars.market[m.id]), dtype=np.int64)
        out[m.id] = np.isin(frame.ordinal, days)
    return out


def open_mask(
    scenario: Scenario,
    grid: TimeGrid,
    calendars: Calendars,
    holiday: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """[Q, T] bool: the interval's start, in the market's clock, is inside the
    tier's service hours and not on a holiday of a tier closed on holidays."""
    holiday = holiday if holiday is not None else market_holiday_mask(scenario, grid, calendars)
    rows = []
    cache: dict[str, np.ndarray] = {}
    for q in scenario.queues:
        m = scenario.market_by_id[q.market]
        if m.id not in cache:
            tier = scenario.tiers[m.tier]
            f = grid.local(m.timezone)
            is_open = tier.hours.week_mask()[f.weekday, f.minute]
            if tier.closed_on_holidays:
                is_open = is_open & ~holiday[m.id]
            cache[m.id] = is_open
        rows.append(cache[m.id])
    return np.array(rows, dtype=bool).reshape(len(scenario.queues), grid.n)


def compute_requirements(
    scenario: Scenario, grid: TimeGrid | None = None, calendars: Calendars | None = None
) -> Requirements:
    """Required agents per queue and interval for `scenario`."""
    grid = grid or TimeGrid.of(scenario)
    calendars = calendars or calendars_of(scenario)
    contacts = contacts_on_grid(scenario, grid)
    holiday = market_holiday_mask(scenario, grid, calendars)
    factor = np.ones_like(contacts)
    for i, q in enumerate(scenario.queues):
        m = scenario.market_by_id[q.market]
        factor[i, holiday[m.id]] = m.holiday_demand_factor
    contacts = contacts * factor
    is_open = open_mask(scenario, grid, calendars, holiday)
    tiers = [scenario.tier_of(q) for q in scenario.queues]
    slas = [t.sla[q.channel] for t, q in zip(tiers, scenario.queues, strict=True)]
    arr = kernels.required_agents(
        contacts=contacts,
        open_mask=is_open,
        channel=np.array([q.channel for q in scenario.queues]),
        aht_seconds=np.array([q.aht_seconds for q in scenario.queues], dtype=float),
        sla_level=np.array([s.level if s.level is not None else 0.0 for s in slas], dtype=float),
        sla_seconds=np.array(
            [s.seconds if s.seconds is not None else 0.0 for s in slas], dtype=float
        ),
        concurrency=np.array([s.concurrency for s in slas], dtype=float),
        email_hours=np.array([s.hours if s.hours is not None else 0.0 for s in slas], dtype=float),
        max_occupancy=np.array([t.max_occupancy for t in tiers], dtype=float),
        shrinkage=np.array([scenario.shrinkage_of(t) for t in tiers], dtype=float),
        interval_minutes=grid.interval,
    )
    return Requirements(
        grid=grid,
        queue_ids=tuple(q.id for q in scenario.queues),
        contacts=contacts,
        open=is_open,
        workload=arr.workload,
        raw=arr.raw,
        required=arr.required.astype(np.int64),
    )
