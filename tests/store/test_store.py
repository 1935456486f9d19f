"""The run store, against SQLite and a real PostgreSQL server: schema by
migration from empty, save → list → get → delete round trip."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import inspect

from optimizer.scenario.load import load_scenario
from optimizer.store import RunStore, resolve_url, scenario_hash
from optimizer.whatif import WhatIf, apply
from tests.store.helpers import hand_run, mini_scenario_path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url):
    with RunStore(store_url) as st:
        yield st


def test_opening_an_empty_database_migrates_it_to_head(store_url):
    with RunStore(store_url) as st:
        assert st.schema_revision() == "0001"
        tables = set(inspect(st.engine).get_table_names())
    assert {"runs", "run_artifacts", "alembic_version"} <= tables
    with RunStore(store_url) as again:  # reopening is a no-op migration
        assert again.schema_revision() == "0001" and again.list_runs() == []


def test_save_list_get_round_trip(store, tmp_path):
    out = hand_run(tmp_path / "sc")
    before = dt.datetime.now(dt.UTC)
    rid = store.save(out, name="hand", overrides={"volume": "+10%"}, params={"seed": 3},
                     scenario_path="x.yaml", timings={"queue_seconds": 0.5})  # fmt: skip
    [rec] = store.list_runs()
    assert rec.id == rid and rec.name == "hand" and rec.scenario == "mini"
    assert rec.scenario_hash == scenario_hash(out.scenario) and len(rec.scenario_hash) == 64
    assert rec.overrides == {"volume": "+10%"} and rec.params == {"seed": 3}
    assert rec.status == "FEASIBLE" and rec.sweep_id is None
    # stored as given / as measured (see helpers: 7 paid h × 10 EUR; 1 agent-hour short)
    assert (rec.objective, rec.bound) == (170.0, 150.0)
    assert rec.gap == pytest.approx(20 / 170)
    assert rec.cost_reporting_currency == 70.0 and rec.under_cover_agent_hours == 1.0
    assert rec.solve_seconds == 1.5
    assert rec.created_at.tzinfo is not None and before <= rec.created_at <= dt.datetime.now(dt.UTC)
    d = rec.to_dict()
    assert json.loads(json.dumps(d)) == d and d["created_at"].endswith("+00:00")

    got = store.get(rid)
    assert got.record == rec
    assert got.summary["service_level_by_tier"] == {"T1": 0.413186}
    assert got.summary == json.loads(json.dumps(out.summary()))
    pd.testing.assert_frame_equal(got.roster, out.roster.to_frame(out.scenario))
    pd.testing.assert_frame_equal(got.coverage, out.coverage)
    assert len(got.roster) == 3 and (got.coverage["service_level"] == 1.0).sum() == 7 * 24 - 1
    assert store.timings(rid)["queue_seconds"] == 0.5 and store.timings(rid)["solve_seconds"] == 1.5


def test_list_is_newest_first_and_filters(store, tmp_path):
    out = hand_run(tmp_path / "sc")
    a = store.save(out)
    b = store.save(out, sweep_id="s1", overrides={"fx.EUR": "1.1"})
    c = store.save(out, sweep_id="s1", overrides={"volume": "-10%"})
    assert [r.id for r in store.list_runs()] == [c, b, a]
    assert [r.id for r in store.list_runs(sweep_id="s1")] == [c, b]
    assert store.list_runs(scenario="other") == []
    assert [r.id for r in store.list_runs(scenario="mini")] == [c, b, a]
    assert store.done_points("s1") == {'{"fx.EUR": "1.1"}': b, '{"volume": "-10%"}': c}


def test_delete_removes_the_run_and_its_tables(store, tmp_path):
    out = hand_run(tmp_path / "sc")
    a, b = store.save(out), store.save(out)
    store.delete(a)
    assert [r.id for r in store.list_runs()] == [b]
    with pytest.raises(KeyError):
        store.get(a)
    with pytest.raises(KeyError):
        store.delete(a)
    with store.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT DISTINCT run_id FROM run_artifacts").scalars().all()
    assert left == [b]


def test_scenario_hash_is_content_not_location(tmp_path):
    a = load_scenario(mini_scenario_path(tmp_path / "a"))
    b = load_scenario(mini_scenario_path(tmp_path / "b"))
    assert a.source != b.source and scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(apply(a, WhatIf.from_pairs(["volume=+10%"]))) != scenario_hash(a)


def test_a_path_means_sqlite_there_and_the_env_url_is_the_default(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "runs.db"
    assert resolve_url(path) == f"sqlite:///{path}"
    with RunStore(str(path)) as st:
        st.save(hand_run(tmp_path / "sc"))
    assert path.exists()
    monkeypatch.setenv("SUNROSTER_DB_URL", f"sqlite:///{path}")
    with RunStore() as st:
        assert len(st.list_runs()) == 1
