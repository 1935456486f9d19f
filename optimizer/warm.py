"""Compile the solver's numba kernels into their on-disk cache.

The one-agent programme (`agentdp_kernel`), the queue-sequence programme
(`stretches`), the activities' best responses (`activity_search`) and the
search for chains of hand-overs (`chains`) are
compiled the first time a process calls them, which takes longer than a
small solve, and then cached beside their modules (numba's `cache=True`).
`python -m optimizer.warm` (run by `make install`) solves a small
synthetic v1.1 scenario the way a large one is solved (agent passes, not
the whole model in CP-SAT), so that the first real solve finds them
compiled, with the very argument types a solve passes.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from optimizer.bench.scale import write_synthetic
from optimizer.pipeline import prepare
from optimizer.scenario.load import load_scenario
from optimizer.solve.params import SearchParams
from optimizer.solve.problem import build_problem
from optimizer.solve.solver import solve
from optimizer.solve.stop import StopCriteria


def warm(seconds: float = 5.0) -> float:
    """Solve a small synthetic scenario for `seconds`; the time it all took."""
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_synthetic(Path(tmp), agents=12, sites=2, markets=2, days=7)
        prep = prepare(load_scenario(path))
        problem = build_problem(prep.scenario, prep.requirements, prep.calendars)
        large = SearchParams(full_model_max_literals=0)  # the path with the kernels
        solve(problem, StopCriteria(time_limit=seconds, workers=1), params=large)
    return time.monotonic() - t0


if __name__ == "__main__":
    print(f"solver kernels compiled and cached in {warm():.1f} s")
