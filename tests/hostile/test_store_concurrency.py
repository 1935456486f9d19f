"""The run store under many processes, and store URLs that would keep nothing
(issue #24 item 4; docs/safety.md)."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from optimizer.store import RunStore, StoreURLError, resolve_url
from tests.hostile.conftest import FAST, sr

SAVER = """
import sys
import pandas as pd
from optimizer.store import RunStore
url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
frame = pd.DataFrame({"agent_id": ["a"], "site": ["s"]})
for i in range(n):
    with RunStore(url) as st:
        st.save_tables(summary={"scenario": who, "status": "FEASIBLE", "objective": i},
                       roster=frame, coverage=frame, scenario_hash=who)
"""


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: sr("runs", "list", "--store", db), range(6)))

    for res in results:
        assert res.returncode == 0, res.stderr
    with RunStore(db) as st:
        assert st.list_runs() == []


def test_threads_opening_fresh_stores_at_once_all_succeed(tmp_path: Path) -> None:
    """The same race as above, many times over and without the command's start-up."""
    for k in range(5):
        db = tmp_path / f"fresh{k}.db"
        gate = threading.Barrier(8)

        def open_store(_: int, db: Path = db, gate: threading.Barrier = gate) -> int:
            gate.wait()
            with RunStore(db) as st:
                return len(st.list_runs())

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(open_store, range(8))) == [0] * 8


def test_concurrent_saves_all_land(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    procs = [
        subprocess.Popen([sys.executable, "-c", SAVER, url, f"p{k}", "15"], stderr=subprocess.PIPE)
        for k in range(6)
    ]
    errors = [p.communicate(timeout=180)[1].decode() for p in procs]

    assert [p.returncode for p in procs] == [0] * 6, errors
    with RunStore(url) as st:
        runs = st.list_runs()
    assert len(runs) == 6 * 15
    assert {r.scenario for r in runs} == {f"p{k}" for k in range(6)}


@pytest.mark.parametrize(
    "url", ["sqlite:///", "sqlite://", "sqlite:///:memory:", "sqlite:/bad", "::::", "nosuch://x"]
)
def test_store_urls_that_would_keep_nothing_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(StoreURLError):
        resolve_url(url)

    res = sr("runs", "list", "--store", url, cwd=tmp_path)

    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []  # no odd files ("sqlite:/bad" made a folder)


def test_solve_refuses_an_in_memory_store_before_solving(tmp_path: Path, scenario: Path) -> None:
    out = tmp_path / "out"
    args = [a for a in FAST if a != "--no-store"]

    res = sr("solve", scenario, "-o", out, *args, "--store", "sqlite:///")

    assert res.returncode == 2
    assert "recorded" not in res.stdout
    assert not out.exists()


def test_a_save_that_fails_says_so_and_exits_non_zero(tmp_path: Path, scenario: Path) -> None:
    store = tmp_path / "runs.sqlite"
    store.write_text("this is not a database")
    out = tmp_path / "out"
    args = [a for a in FAST if a != "--no-store"]

    res = sr("solve", scenario, "-o", out, *args, "--store", store)

    assert res.returncode == 1
    assert "NOT recorded" in res.stderr
    assert "recorded as run" not in res.stdout
    assert (out / "roster.csv").is_file()  # the files were written before
