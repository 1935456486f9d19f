"""The `sunroster` command line: thin commands over the layers below.

Every module here named `*_cmd.py` or `*_cmds.py` registers its commands on
`app` when imported; none holds business logic.
"""

from __future__ import annotations

import importlib
import pkgutil

from optimizer.cli.common import app

for _mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _mod.name.endswith(("_cmd", "_cmds")):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["app"]
