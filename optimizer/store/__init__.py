"""The run store: every solve with its levers, KPIs, roster and coverage
(SQLite by default, PostgreSQL via `SUNROSTER_DB_URL`), schema by alembic.

SQLAlchemy and alembic come with the `[store]` extra. The names below are
loaded on first use, so `optimizer.store.hashing` (and `ENV_URL`) work
without them; `RunStore` and friends raise ImportError when the extra is
missing (the CLI turns that into a one-line message, exit 2).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

ENV_URL = "SUNROSTER_DB_URL"
EXTRA_MODULES = ("sqlalchemy", "alembic")  # what `pip install 'sunroster[store]'` brings

_LAZY = {
    "RunRecord": "optimizer.store.store",
    "RunStore": "optimizer.store.store",
    "StoredRun": "optimizer.store.store",
    "StoreURLError": "optimizer.store.store",
    "default_url": "optimizer.store.store",
    "resolve_url": "optimizer.store.store",
    "point_key": "optimizer.store.hashing",
    "scenario_hash": "optimizer.store.hashing",
}

if TYPE_CHECKING:
    from optimizer.store.hashing import point_key, scenario_hash
    from optimizer.store.store import (
        RunRecord,
        RunStore,
        StoredRun,
        StoreURLError,
        default_url,
        resolve_url,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ENV_URL",
    "EXTRA_MODULES",
    "RunRecord",
    "RunStore",
    "StoreURLError",
    "StoredRun",
    "default_url",
    "point_key",
    "resolve_url",
    "scenario_hash",
]
