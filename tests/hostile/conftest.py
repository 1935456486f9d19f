"""Hostile-user tests: the CLI run as a user would, on a copy of scenarios/tiny.yaml."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUNROSTER = Path(sys.executable).with_name("sunroster")
FAST = ["--time-limit", "5", "--workers", "1", "--no-store"]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """tiny.yaml and its demand CSV, copied into a folder of their own."""
    folder = tmp_path / "scenario"
    folder.mkdir()
    for name in ("tiny.yaml", "tiny-demand.csv"):
        shutil.copy(REPO / "scenarios" / name, folder / name)
    return folder / "tiny.yaml"


def _child_setup(umask: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as at a terminal, even under a CI runner
    if umask is not None:
        os.umask(umask)


def sr(
    *args: str | Path, cwd: Path | None = None, umask: int | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the `sunroster` command; its exit code, stdout and stderr."""
    return subprocess.run(
        [str(SUNROSTER), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: _child_setup(umask),
    )


def popen(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SUNROSTER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: _child_setup(None),
    )
