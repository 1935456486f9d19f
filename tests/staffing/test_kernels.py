"""Requirement kernels: rounding once, occupancy, chat concurrency, email deadlines."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.staffing.erlang import agents_for_service_level
from optimizer.staffing.kernels import achieved_service_level, required_agents, spread_email


def one(
    contacts,
    channel="voice",
    shrink=0.3,
    occ=1.0,
    aht=180.0,
    level=0.8,
    secs=20.0,
    conc=1,
    hours=0.0,
    interval=30,
    open_=None,
):
    c = np.atleast_2d(np.asarray(contacts, dtype=float))
    return required_agents(
        c,
        np.ones_like(c, bool) if open_ is None else np.atleast_2d(open_),
        np.array([channel]),
        np.array([aht]),
        np.array([level]),
        np.array([secs]),
        np.array([conc]),
        np.array([hours]),
        np.array([occ]),
        np.array([shrink]),
        interval,
    )


def test_golden_with_shrinkage_rounds_once():
    r = one([100.0])
    assert r.raw[0, 0] == 14 and r.required[0, 0] == 20  # 14 / 0.7 = 20 exactly, not 21


def test_closed_intervals_need_nobody():
    r = one([100.0, 100.0], open_=[True, False])
    assert r.required.tolist() == [[20, 0]]


def test_chat_uses_aht_over_concurrency():
    # 200 chats x 180 s / 2 concurrent: 10 Erlangs with an effective AHT of 90 s,
    # which also shortens waits: Erlang C with AHT 90 s needs 13 agents
    r = one([200.0], channel="chat", conc=2)
    assert r.workload[0, 0] == pytest.approx(10.0)
    assert r.raw[0, 0] == agents_for_service_level(10.0, 90.0, 0.8, 20.0) == 13


def test_occupancy_floor_on_raw():
    r = one([100.0], level=0.5, secs=60, occ=0.8, shrink=0.0)
    # Erlang C alone: 11 agents; the occupancy cap asks for 10 / 0.8 = 12.5, rounded once → 13
    assert r.raw[0, 0] == pytest.approx(12.5) and r.required[0, 0] == 13


def test_email_spreads_over_open_time_to_next_morning():
    # 60-min grid, open 09–17 each day; 4 h deadline; 8 mails x 450 s arrive at 16:00
    open_ = np.zeros(48, bool)
    open_[9:17] = open_[33:41] = True
    contacts = np.zeros(48)
    contacts[16] = 8
    work = spread_email(contacts, open_, 450.0, 4)
    # 3600 agent-seconds over 16:00 and the next day's 09:00, 10:00, 11:00
    assert np.flatnonzero(work).tolist() == [16, 33, 34, 35]
    assert work[[16, 33, 34, 35]] == pytest.approx([900.0] * 4)


def test_email_arriving_while_closed_starts_at_the_next_open_interval_and_past_grid_is_dropped():
    open_ = np.array([False, True, True, False, True])
    contacts = np.array([2.0, 0, 0, 0, 2.0])
    work = spread_email(contacts, open_, 100.0, 3)
    # first batch: 200 s over open 1, 2, 4; second: 200 s over open 4 (the rest is past the grid)
    assert work.tolist() == pytest.approx([0, 200 / 3, 200 / 3, 0, 200 / 3 + 200 / 3])


def test_email_requirement_is_workload_over_occupancy_and_shrinkage():
    open_ = np.ones(4, bool)
    r = one(
        [36.0, 0, 0, 0],
        channel="email",
        aht=400.0,
        hours=2.0,
        interval=60,
        occ=0.8,
        shrink=0.2,
        open_=open_,
    )
    # 36 x 400 s = 14,400 s over 2 intervals = 7,200 s per hour = 2 Erlangs → 2 / 0.8 / 0.8 = 3.125 → 4
    assert r.workload[0].tolist() == pytest.approx([2.0, 2.0, 0, 0])
    assert r.required[0].tolist() == [4, 4, 0, 0]


def test_achieved_service_level_uses_productive_agents():
    sl = achieved_service_level(
        np.array([[20, 20]]),
        np.array([[100.0, 0.0]]),
        np.array(["voice"]),
        np.array([180.0]),
        np.array([20.0]),
        np.array([1]),
        np.array([0.3]),
        30,
    )
    # floor(20 x 0.7) = 14 productive agents on 10 Erlangs: SL 0.888; no traffic: 1.0
    assert sl[0, 0] == pytest.approx(0.88835, abs=1e-4) and sl[0, 1] == 1.0
    email = achieved_service_level(
        np.array([[3]]),
        np.array([[5.0]]),
        np.array(["email"]),
        np.array([300.0]),
        np.array([0.0]),
        np.array([1]),
        np.array([0.0]),
        30,
    )
    assert np.isnan(email[0, 0])
