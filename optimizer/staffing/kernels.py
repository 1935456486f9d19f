"""Requirement kernels on arrays: queue × interval in, agents out.

No scenario objects here (requirements.py wires them): per-queue parameter
arrays and [Q, T] contacts/open masks. The rules are SCENARIO.md's "How a
requirement is derived":

* voice: Erlang C for the SLA; chat: the same on AHT / concurrency;
* email: each interval's workload (contacts × AHT) spread evenly over the
  queue's next N open intervals starting with the arrival interval (N = the
  email hours in intervals; mail arriving while closed starts at the next
  open interval; work past the grid's end is dropped);
* then at least workload / max_occupancy, divided by (1 − shrinkage),
  rounded up once at the end with a 1e-9 tolerance; closed intervals need 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.staffing.erlang import agents_for_service_level, service_level

ROUND_TOL = 1e-9


@dataclass(frozen=True)
class RequirementArrays:
    workload: np.ndarray  # [Q, T] Erlangs of pure work (email: after spreading)
    raw: np.ndarray  # [Q, T] agents before shrinkage (real)
    required: np.ndarray  # [Q, T] int


def effective_aht(
    channel: np.ndarray, aht_seconds: np.ndarray, concurrency: np.ndarray
) -> np.ndarray:
    """AHT the queue model sees: chat divides by concurrency."""
    return np.where(
        np.asarray(channel) == "chat", aht_seconds / np.maximum(concurrency, 1), aht_seconds
    )


def spread_email(
    contacts: np.ndarray, open_mask: np.ndarray, aht_seconds: float, n_intervals: int
) -> np.ndarray:
    """[T] agent-seconds of email work per interval for one queue (see module doc)."""
    T = contacts.shape[0]
    out = np.zeros(T)
    opened = np.flatnonzero(open_mask)
    if opened.size == 0 or n_intervals <= 0:
        return out
    arrivals = np.flatnonzero(contacts > 0)
    pos = np.searchsorted(opened, arrivals, side="left")  # first open interval at or after arrival
    keep = pos < opened.size
    pos, arrivals = pos[keep], arrivals[keep]
    rate = contacts[arrivals] * aht_seconds / n_intervals
    diff = np.zeros(opened.size + 1)
    np.add.at(diff, pos, rate)
    np.add.at(diff, np.minimum(pos + n_intervals, opened.size), -rate)
    out[opened] = np.cumsum(diff)[:-1]
    return out


def required_agents(
    contacts: np.ndarray,
    open_mask: np.ndarray,
    channel: np.ndarray,
    aht_seconds: np.ndarray,
    sla_level: np.ndarray,
    sla_seconds: np.ndarray,
    concurrency: np.ndarray,
    email_hours: np.ndarray,
    max_occupancy: np.ndarray,
    shrinkage: np.ndarray,
    interval_minutes: int,
) -> RequirementArrays:
    """Agents required per queue and interval (see module doc)."""
    secs = interval_minutes * 60.0
    channel = np.asarray(channel)
    aht_eff = effective_aht(channel, aht_seconds, concurrency)
    workload = np.zeros(contacts.shape)
    raw = np.zeros(contacts.shape)
    is_email = channel == "email"
    live = ~is_email
    if live.any():
        traffic = np.where(open_mask[live], contacts[live] * aht_eff[live, None] / secs, 0.0)
        n = agents_for_service_level(
            traffic, aht_eff[live, None], sla_level[live, None], sla_seconds[live, None], 1.0
        )
        workload[live] = traffic
        raw[live] = np.maximum(n, traffic / max_occupancy[live, None])
    for q in np.flatnonzero(is_email):
        n_int = round(float(email_hours[q]) * 60.0 / interval_minutes)
        work = spread_email(contacts[q], open_mask[q], float(aht_seconds[q]), n_int) / secs
        workload[q] = work
        raw[q] = work / max_occupancy[q]
    raw = np.where(open_mask, raw, 0.0)
    required = np.ceil(raw / (1.0 - shrinkage[:, None]) - ROUND_TOL).astype(np.int64)
    return RequirementArrays(workload, raw, np.maximum(required, 0))


def achieved_service_level(
    scheduled: np.ndarray,
    contacts: np.ndarray,
    channel: np.ndarray,
    aht_seconds: np.ndarray,
    sla_seconds: np.ndarray,
    concurrency: np.ndarray,
    shrinkage: np.ndarray,
    interval_minutes: int,
    open_mask: np.ndarray | None = None,
) -> np.ndarray:
    """[Q, T] Erlang C service level with the productive agents
    floor(scheduled × (1 − shrinkage)); NaN for email and closed intervals."""
    channel = np.asarray(channel)
    aht_eff = effective_aht(channel, aht_seconds, concurrency)
    productive = np.floor(scheduled * (1.0 - shrinkage[:, None]) + ROUND_TOL)
    traffic = contacts * aht_eff[:, None] / (interval_minutes * 60.0)
    sl = service_level(productive, traffic, aht_eff[:, None], sla_seconds[:, None])
    sl = np.where((channel == "email")[:, None], np.nan, sl)
    if open_mask is not None:
        sl = np.where(open_mask, sl, np.nan)
    return sl
