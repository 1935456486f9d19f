"""RunStore: every solve, kept — SQLite by default, PostgreSQL by URL.

`RunStore(url)` opens (and migrates to the newest schema with alembic) the
database at `url`: an SQLAlchemy URL, a plain file path (SQLite there), or
nothing — then `$SUNROSTER_DB_URL` if set, else `runs.sqlite` in the user's
data directory. `save` records a `RunOutput` with its what-if overrides and
parameters; `list_runs`, `get` and `delete` read it back for the CLI, the
dashboard and sweeps.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, defer, sessionmaker

from optimizer.store.hashing import point_key, scenario_hash
from optimizer.store.models import Artifact, Run

if TYPE_CHECKING:
    from optimizer.pipeline import RunOutput

ENV_URL = "SUNROSTER_DB_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# read-back dtypes of the stored tables (columns not named here are inferred)
_ROSTER_COLS = (
    "agent_id", "site", "shift_date", "start_utc", "end_utc", "start_local", "end_local", "activity",
)  # fmt: skip
_DTYPES: dict[str, dict[str, Any]] = {
    "roster": dict.fromkeys(_ROSTER_COLS, str),
    "coverage": {"queue": str, "interval_start_utc": str},
}


def default_url() -> str:
    """`$SUNROSTER_DB_URL`, else SQLite in the user's data directory."""
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return env
    import platformdirs

    return _sqlite_url(Path(platformdirs.user_data_dir("sunroster")) / "runs.sqlite")


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """An SQLAlchemy URL from a URL, a file path (SQLite) or None (the default)."""
    if url is None or str(url).strip() == "":
        return default_url()
    text = str(url)
    return text if "://" in text else _sqlite_url(Path(text))


def _sqlite_url(path: Path) -> str:
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class RunRecord:
    """One stored run without its tables (what lists and comparisons need)."""

    id: int
    name: str | None
    scenario: str
    scenario_hash: str
    overrides: dict[str, str]
    params: dict[str, Any]
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    cost_reporting_currency: float | None
    under_cover_agent_hours: float | None
    solve_seconds: float | None
    created_at: dt.datetime
    sweep_id: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (created_at as ISO 8601 UTC)."""
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        return d


@dataclass(frozen=True)
class StoredRun:
    """A run with its summary.json content and its roster and coverage tables."""

    record: RunRecord
    summary: dict[str, Any]
    roster: pd.DataFrame
    coverage: pd.DataFrame


class RunStore:
    """The run store (see module doc)."""

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        self.url = resolve_url(url)
        self.engine: Engine = create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()

    # ------------------------------------------------------------ schema
    def alembic_config(self) -> Config:
        """An alembic Config for this store, built in code (no alembic.ini needed)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default)."""
        cfg = self.alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._session() as s, s.begin():
            yield s

    # ------------------------------------------------------------ writes
    def save(
        self,
        output: RunOutput,
        *,
        name: str | None = None,
        overrides: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        scenario_path: str | None = None,
        sweep_id: str | None = None,
        timings: dict[str, Any] | None = None,
    ) -> int:
        """Record a solve; returns its id."""
        return self.save_tables(
            summary=output.summary(),
            roster=output.roster.to_frame(output.scenario),
            coverage=output.coverage,
            scenario_hash=scenario_hash(output.scenario),
            name=name,
            overrides=overrides,
            params=params,
            scenario_path=scenario_path or output.scenario.source or None,
            sweep_id=sweep_id,
            timings=timings,
        )

    def save_tables(
        self,
        *,
        summary: dict[str, Any],
        roster: pd.DataFrame,
        coverage: pd.DataFrame,
        scenario_hash: str,
        name: str | None = None,
        overrides: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        scenario_path: str | None = None,
        sweep_id: str | None = None,
        timings: dict[str, Any] | None = None,
    ) -> int:
        """`save` from the parts of a RunOutput (what a Ray worker sends back)."""
        summary = _jsonable(summary)
        overrides = {str(k): str(v) for k, v in (overrides or {}).items()}
        under = summary.get("under_cover_agent_hours")
        t = {
            "solve_seconds": summary.get("solve_seconds"),
            "first_feasible_seconds": summary.get("first_feasible_seconds"),
            **(timings or {}),
        }
        run = Run(
            name=name,
            scenario=str(summary.get("scenario", "")),
            scenario_hash=scenario_hash,
            scenario_path=scenario_path,
            overrides=overrides,
            params=_jsonable(params or {}),
            status=str(summary.get("status", "UNKNOWN")),
            objective=_num(summary.get("objective")),
            bound=_num(summary.get("bound")),
            gap=_num(summary.get("gap")),
            cost_reporting_currency=_num(summary.get("cost_reporting_currency")),
            under_cover_agent_hours=(
                round(sum(float(v) for v in under.values()), 6) if isinstance(under, dict) else None
            ),
            solve_seconds=_num(summary.get("solve_seconds")),
            timings=_jsonable(t),
            summary=summary,
            created_at=dt.datetime.now(dt.UTC),
            sweep_id=sweep_id,
            point_key=point_key(overrides),
        )
        run.artifacts = [
            Artifact(kind="roster", content_type="text/csv+gzip", data=_pack(roster)),
            Artifact(kind="coverage", content_type="text/csv+gzip", data=_pack(coverage)),
        ]
        with self.session() as s:
            s.add(run)
            s.flush()
            return int(run.id)

    def delete(self, run_id: int) -> None:
        """Remove a run and its tables; KeyError if there is no such run."""
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                raise KeyError(run_id)
            s.execute(delete(Artifact).where(Artifact.run_id == run_id))
            s.delete(run)

    # ------------------------------------------------------------ reads
    def list_runs(
        self, scenario: str | None = None, sweep_id: str | None = None
    ) -> list[RunRecord]:
        """Runs, newest first, optionally of one scenario (name) or one sweep."""
        q = select(Run).options(defer(Run.summary), defer(Run.timings))
        if scenario is not None:
            q = q.where(Run.scenario == scenario)
        if sweep_id is not None:
            q = q.where(Run.sweep_id == sweep_id)
        q = q.order_by(Run.created_at.desc(), Run.id.desc())
        with self.session() as s:
            return [_record(r) for r in s.scalars(q)]

    def get(self, run_id: int) -> StoredRun:
        """A run with its summary, roster and coverage; KeyError if absent."""
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                raise KeyError(run_id)
            tables = {a.kind: _unpack(a.data, a.kind) for a in run.artifacts}
            return StoredRun(
                record=_record(run),
                summary=dict(run.summary),
                roster=tables.get("roster", pd.DataFrame()),
                coverage=tables.get("coverage", pd.DataFrame()),
            )

    def timings(self, run_id: int) -> dict[str, Any]:
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                raise KeyError(run_id)
            return dict(run.timings)

    def done_points(self, sweep_id: str) -> dict[str, int]:
        """Point key → run id of the runs already recorded for a sweep."""
        q = select(Run.point_key, Run.id).where(Run.sweep_id == sweep_id).order_by(Run.id)
        with self.session() as s:
            return {k: int(i) for k, i in s.execute(q) if k is not None}


# ------------------------------------------------------------ helpers
def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _record(r: Run) -> RunRecord:
    created = r.created_at
    if created.tzinfo is None:  # SQLite keeps no zone; we always write UTC
        created = created.replace(tzinfo=dt.UTC)
    return RunRecord(
        id=int(r.id),
        name=r.name,
        scenario=r.scenario,
        scenario_hash=r.scenario_hash,
        overrides=dict(r.overrides or {}),
        params=dict(r.params or {}),
        status=r.status,
        objective=r.objective,
        bound=r.bound,
        gap=r.gap,
        cost_reporting_currency=r.cost_reporting_currency,
        under_cover_agent_hours=r.under_cover_agent_hours,
        solve_seconds=r.solve_seconds,
        created_at=created.astimezone(dt.UTC),
        sweep_id=r.sweep_id,
    )


def _pack(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=6, mtime=0)


def _unpack(data: bytes, kind: str) -> pd.DataFrame:
    text = gzip.decompress(data).decode("utf-8")
    if not text.strip():
        return pd.DataFrame()
    return pd.read_csv(
        io.StringIO(text),
        dtype=_DTYPES.get(kind),
        keep_default_na=kind != "roster",
    )


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _jsonable(obj: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN/inf to None, dates to ISO."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if obj is None or isinstance(obj, str | int | bool):
        return obj
    return json.loads(json.dumps(obj, default=str))
