"""The run store: every solve with its levers, KPIs, roster and coverage
(SQLite by default, PostgreSQL via `SUNROSTER_DB_URL`), schema by alembic."""

from optimizer.store.hashing import point_key, scenario_hash
from optimizer.store.store import (
    ENV_URL,
    RunRecord,
    RunStore,
    StoredRun,
    StoreURLError,
    default_url,
    resolve_url,
)

__all__ = [
    "ENV_URL",
    "RunRecord",
    "RunStore",
    "StoreURLError",
    "StoredRun",
    "default_url",
    "point_key",
    "resolve_url",
    "scenario_hash",
]
