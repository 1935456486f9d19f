"""Shared fixtures: small hand-made scenarios written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.calendars import calendars_of
from optimizer.scenario.load import load_scenario
from optimizer.scenario.model import Scenario
from tests import factory

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def mini_data() -> dict:
    return factory.mini()


@pytest.fixture
def load(tmp_path: Path):
    """Write scenario data to a temp folder and load it."""

    def _load(data: dict, agents_csv: bool = False) -> Scenario:
        return load_scenario(factory.write(tmp_path / "sc", data, agents_csv=agents_csv))

    return _load


@pytest.fixture
def mini(load, mini_data) -> Scenario:
    return load(mini_data)


@pytest.fixture
def mini_calendars(mini):
    return calendars_of(mini)


@pytest.fixture(autouse=True)
def _private_run_store(tmp_path, monkeypatch):
    """Solves in tests record into a throw-away store, never the user's."""
    monkeypatch.setenv("SUNROSTER_DB_URL", f"sqlite:///{tmp_path / 'runs.sqlite'}")
