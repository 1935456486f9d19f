"""RunStore: every solve, kept — SQLite by default, PostgreSQL by URL.

`RunStore(url)` opens (and migrates to the newest schema with alembic) the
database at `url`: an SQLAlchemy URL, a plain file path (SQLite there), or
nothing — then `$SUNROSTER_DB_URL` if set, else `runs.sqlite` in the user's
data directory. An in-memory SQLite URL (it would keep nothing), a garbled
URL or a path with a colon is refused (`StoreURLError`).

Many processes may share one store (docs/safety.md): the schema is migrated
once, under a lock (SQLite: a write transaction taken up front, `BEGIN
IMMEDIATE`; PostgreSQL: an advisory lock); SQLite runs in WAL mode with a
30 s busy timeout and takes its write lock at the start of every writing
transaction, so concurrent saves wait for each other instead of failing. A
save either commits or raises. `save` records a `RunOutput` with its what-if overrides and
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
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, event, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, defer, sessionmaker

from optimizer.store import ENV_URL
from optimizer.store.hashing import point_key, scenario_hash
from optimizer.store.models import Artifact, Run

if TYPE_CHECKING:
    from optimizer.pipeline import RunOutput

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


class StoreURLError(ValueError):
    """A store URL or path that cannot name a store that keeps runs."""


_EXAMPLES = "a file path (runs.sqlite), sqlite:///path/runs.sqlite or postgresql://host/db"
_MIGRATION_LOCK = 0x53524E53  # PostgreSQL advisory lock key of schema migrations


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """An SQLAlchemy URL from a URL, a file path (SQLite) or None (the default).
    Raises StoreURLError for a URL that would keep nothing (in-memory SQLite),
    does not parse, or names an unknown database, and for a path with a colon
    (`sqlite:/x`, `::::` are typos, not file names) or that is a folder."""
    if url is None or str(url).strip() == "":
        return _check_url(default_url())
    raw = str(url).strip()
    if "://" in raw:
        return _check_url(raw)
    if ":" in raw and not (len(raw) > 2 and raw[1] == ":" and raw[2] in "\\/"):  # C:\…
        raise StoreURLError(f"{raw!r} is neither a file path nor a URL: give {_EXAMPLES}")
    path = Path(raw).expanduser()
    if path.is_dir():
        raise StoreURLError(
            f"{raw} is a folder: name the store's file, e.g. {path / 'runs.sqlite'}"
        )
    return _sqlite_url(path)


def _check_url(raw: str) -> str:
    try:
        parsed = make_url(raw)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreURLError(
            f"{raw!r} is not a usable store URL ({exc}): give {_EXAMPLES}"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if db in ("", ":memory:") or "mode=memory" in raw or db.startswith("file::memory:"):
            raise StoreURLError(
                f"{raw!r} is an in-memory database: it would keep nothing. Give {_EXAMPLES}"
            )
        if Path(db).expanduser().is_dir():
            raise StoreURLError(f"{raw!r} names a folder, not the store's file")
    return raw


def _sqlite_url(path: Path) -> str:
    path = path.expanduser().resolve()
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
        writer = self.engine
        if self.engine.dialect.name == "sqlite":
            db = self.engine.url.database or ""
            if not db.startswith("file:"):
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
            writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = writer
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._write_session = sessionmaker(writer, expire_on_commit=False)
        self.migrate()

    # ------------------------------------------------------------ schema
    def alembic_config(self) -> Config:
        """An alembic Config for this store, built in code (no alembic.ini needed)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (the newest by default), once: under a
        lock that other processes opening the same store wait for (module doc);
        a store already at `head` is only read."""
        if revision == "head" and self._at_head():
            return
        cfg = self.alembic_config()
        with self._writer.begin() as conn:  # SQLite: BEGIN IMMEDIATE, the lock
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)  # reads the version inside the lock

    def _at_head(self) -> bool:
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory.from_config(self.alembic_config()).get_heads())
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == heads

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
    def session(self, write: bool = False) -> Iterator[Session]:
        """A transaction; `write=True` takes SQLite's write lock at its start
        (waiting up to the busy timeout), so it cannot fail half-way on a lock."""
        with (self._write_session if write else self._session)() as s, s.begin():
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
        with self.session(write=True) as s:
            s.add(run)
            s.flush()
            run_id = int(run.id)
        return run_id  # committed: the `with` raised otherwise

    def delete(self, run_id: int) -> None:
        """Remove a run and its tables; KeyError if there is no such run."""
        with self.session(write=True) as s:
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
    # transactions are begun by `_sqlite_begin`, not by the driver (which would
    # begin them late, and commit before DDL): SQLAlchemy's documented recipe
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # readers never wait for a writer; where WAL is not possible: the rollback journal
    with suppress(Exception):
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


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
