"""Fixtures of the dashboard tests: a hand-made two-site scenario with a
hand-made roster whose numbers are worked out by hand, and the tiny bundled
scenario solved once per session (for the AppTest and browser tests).

The scenario (`two_sites`): Lisbon (UTC+0 in early March, 10 EUR/h) and
Manila (UTC+8, 300 PHP/h, 1 PHP = 0.016 EUR); premiums night 22–06 ×1.25,
weekend ×1.5; one PT voice queue (AHT 360 s, SLA 80 % in 20 s, no shrinkage,
occupancy 1) with one contact an hour at 08, 09, 10, 11, 12 and 17 UTC on
Mon 1 March. One contact an hour is 0.1 Erlang: one agent is required, and
one agent answers SL1 = 1 − 0.1·e^(−0.9·20/360) = 0.904877 within 20 s.

The roster (`hand_roster`): A1 Mon 08–17 UTC with a 12–13 break (8 paid h,
80 EUR); A2 Sat 08–12 (4 h at the weekend premium: 60 EUR); A3 in Manila Tue
20–24 local (2 h plain + 2 h night: 300·2 + 375·2 = 1,350 PHP = 21.60 EUR).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from dashboard.data.variant import Variant
from optimizer.pipeline import evaluate, prepare, run, write_outputs
from optimizer.roster import BREAK, Roster
from optimizer.scenario.load import load_scenario
from optimizer.solve.result import SolveResult
from optimizer.solve.stop import StopCriteria
from optimizer.timegrid import to_epoch_minutes
from tests import factory

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "scenarios" / "tiny.yaml"
Q = "PT-pt-voice"
SL1 = 1 - 0.1 * np.exp(-0.9 * 20 / 360)  # one agent, one contact an hour


def two_sites() -> dict:
    """factory.mini() plus a Manila site paying in PHP (1 PHP = 0.016 EUR), and
    one voice contact an hour on Mon 1 March 08:00–12:00 and 17:00 UTC."""
    d = factory.mini()
    d["fx"] = {"PHP": 0.016}
    d["sites"].append({
        "id": "MNL", "city": "Manila", "country": "PH", "subdivision": None, "timezone": "Asia/Manila",
        "currency": "PHP", "region": "APAC", "hourly_cost": 300, "rules": "PT", "holidays": "premium",
    })  # fmt: skip
    d["markets"][0].pop("residency")
    d["agents"][2]["site"] = "MNL"
    d["agents"][0]["languages"] = "pt;es"
    d["agents"][1]["team"] = "weekend"
    d["demand"] = [(Q, f"2027-03-01T{h:02d}:00:00Z", 1) for h in (8, 9, 10, 11, 12, 17)]
    return d


def utc(text: str) -> int:
    return to_epoch_minutes(dt.datetime.fromisoformat(text))


def seg(agent: str, site: str, day: str, start: str, end: str, activity: str = Q) -> dict:
    return {
        "agent_id": agent, "site": site, "shift_date": dt.date.fromisoformat(day),
        "start": utc(start), "end": utc(end), "activity": activity,
    }  # fmt: skip


def hand_roster(with_a2: bool = True) -> Roster:
    """A1 (Lisbon, UTC+0): Mon 1 Mar 08–17 with a 12–13 break. A2 (Lisbon):
    Sat 6 Mar 08–12. A3 (Manila, UTC+8): Tue 2 Mar 20:00–24:00 local = 12–16 UTC."""
    rows = [
        seg("A1", "LIS", "2027-03-01", "2027-03-01T08:00+00:00", "2027-03-01T12:00+00:00"),
        seg("A1", "LIS", "2027-03-01", "2027-03-01T12:00+00:00", "2027-03-01T13:00+00:00", BREAK),
        seg("A1", "LIS", "2027-03-01", "2027-03-01T13:00+00:00", "2027-03-01T17:00+00:00"),
        seg("A3", "MNL", "2027-03-02", "2027-03-02T12:00+00:00", "2027-03-02T16:00+00:00"),
    ]
    if with_a2:
        rows.append(
            seg("A2", "LIS", "2027-03-06", "2027-03-06T08:00+00:00", "2027-03-06T12:00+00:00")
        )
    return Roster.from_segments(rows)


@pytest.fixture(scope="session")
def two_sites_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.write(tmp_path_factory.mktemp("two-sites"), two_sites())


@pytest.fixture(scope="session")
def two_sites_prep(two_sites_path: Path):
    return prepare(load_scenario(two_sites_path))


def variant_of(prep, roster: Roster, name: str = "baseline") -> Variant:
    res = SolveResult(
        "FEASIBLE", roster, objective=1000.0, bound=900.0, gap=0.1, bound_method="hand"
    )
    return Variant(name, evaluate(prep, res), {}, "hand")


@pytest.fixture(scope="session")
def hand(two_sites_prep) -> Variant:
    return variant_of(two_sites_prep, hand_roster())


@pytest.fixture(scope="session")
def hand_out(tmp_path_factory: pytest.TempPathFactory, hand: Variant) -> Path:
    """The hand-made roster written as a solve's output folder."""
    root = tmp_path_factory.mktemp("two-sites-out")
    write_outputs(root / "mini", hand.output)
    return root


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scenarios/tiny.yaml solved once (2 s, one worker) into OUT/tiny."""
    root = tmp_path_factory.mktemp("tiny-out")
    out = run(prepare(load_scenario(TINY)), StopCriteria(time_limit=2.0, workers=1), seed=0)
    write_outputs(root / "tiny", out)
    return root


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private run store for the test (never the user's)."""
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    monkeypatch.setenv("SUNROSTER_DB_URL", url)
    return url
