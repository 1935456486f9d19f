"""The LP relaxation: summing coverage over blocks weakens it, never past a roster."""

from __future__ import annotations

import tempfile
from pathlib import Path

from optimizer.solve.bounds.lagrange import lagrangian_bound
from optimizer.solve.bounds.lp import lp_bound
from tests.solve import helpers as h


def test_block_lps_are_weaker_but_valid():
    """Summing coverage over blocks relaxes the LP: block 4 ≤ block 1 ≤ any roster."""
    data = h.case(days=2, agents=2)
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 1), (1, 20): 3}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        res = h.solve(p, h.limits(3), seed=0)
        exact = lp_bound(p, block=1).value
        coarse = lp_bound(p, block=4).value
        lag = lagrangian_bound(p, time_limit=1.0).value
    assert coarse <= exact + 1e-6 and exact <= res.objective + 1e-6
    assert lag <= res.objective + 1e-6
