"""The `sunroster` command line: thin commands over the layers below.

Each module here registers its commands on `app`; none holds business logic.
"""

from __future__ import annotations

from optimizer.cli.common import app

# command modules register themselves on import
from optimizer.cli import bench_cmds, check_cmd, scenario_cmds, solve_cmd  # noqa: F401  isort: skip

__all__ = ["app"]
