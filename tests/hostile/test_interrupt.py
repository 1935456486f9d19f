"""Ctrl-C stops a solve within moments, keeps the old outputs and exits 130 with
one line — at start-up, in the neighbourhood search and in the full CP-SAT model
(issue #24 item 3; docs/safety.md)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import popen

STOPS_WITHIN = 20.0  # generous: a loaded CI machine; the solve's own limit is 60 s
LIMIT = ["--time-limit", "60", "--workers", "1", "--gap", "0", "--no-store"]


class Stderr:
    """stderr of a running command, read as it comes."""

    def __init__(self, proc) -> None:  # type: ignore[no-untyped-def]
        self.text = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._pump, args=(proc.stderr,), daemon=True).start()

    def _pump(self, stream) -> None:  # type: ignore[no-untyped-def]
        for chunk in iter(lambda: stream.read(1), ""):
            with self._lock:
                self.text += chunk

    def wait_for(self, marker: str, proc, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while marker not in self.text:
            if proc.poll() is not None or time.monotonic() > end:
                pytest.fail(f"no {marker!r} in the progress before the solve ended:\n{self.text}")
            time.sleep(0.05)


@pytest.fixture
def old_outputs(scenario: Path) -> Path:
    out = scenario.parent.parent / "out"
    out.mkdir()
    for name in ("roster.csv", "coverage.csv", "summary.json", "notes.txt"):
        (out / name).write_text(f"old {name}")
    return out


def _interrupt_after(
    scenario: Path, out: Path, marker: str | None, then: float = 0.0
) -> tuple[int, str]:
    proc = popen("solve", scenario, "-o", out, *LIMIT, env={"FORCE_COLOR": "1"})
    err = Stderr(proc)
    try:
        if marker is None:
            time.sleep(0.3)  # still starting: importing, reading the scenario
        else:
            err.wait_for(marker, proc)
            time.sleep(then)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=STOPS_WITHIN)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    proc.stdout.read()
    time.sleep(0.1)
    return code, err.text


def _assert_untouched(out: Path) -> None:
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        n: f"old {n}" for n in ("roster.csv", "coverage.csv", "summary.json", "notes.txt")
    }


def test_ctrl_c_at_start_up_exits_130_without_a_traceback(
    scenario: Path, old_outputs: Path
) -> None:
    code, err = _interrupt_after(scenario, old_outputs, None)

    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "interrupted" in err
    _assert_untouched(old_outputs)


def test_ctrl_c_in_the_neighbourhood_search_stops_and_keeps_the_old_roster(
    scenario: Path, old_outputs: Path
) -> None:
    # the neighbourhood search starts after the first bound and runs 40 % of the limit
    code, err = _interrupt_after(scenario, old_outputs, "bound", then=2.0)

    assert code == 130, err
    assert "Traceback" not in err
    assert err.count("interrupted") == 1
    _assert_untouched(old_outputs)


def test_ctrl_c_in_the_full_cp_sat_model_stops_and_keeps_the_old_roster(
    scenario: Path, old_outputs: Path
) -> None:
    code, err = _interrupt_after(scenario, old_outputs, "search")

    assert code == 130, err
    assert "Traceback" not in err
    assert err.count("interrupted") == 1
    _assert_untouched(old_outputs)
