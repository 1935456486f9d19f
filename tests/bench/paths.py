"""Where the Curtois–Qu benchmark files are, for the tests that need them."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = (REPO / ".." / "shared" / "benchmarks" / "curtois").resolve()
TINY = Path(__file__).parent / "data" / "tiny_curtois.txt"
needs_bench = pytest.mark.skipif(not BENCH.is_dir(), reason=f"no benchmark folder {BENCH}")
