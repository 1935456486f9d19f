"""The run store's tables (SQLAlchemy 2 typed declarative mappings).

One row per solve in `runs` (what was solved, with which levers and
parameters, and what came out: status, objective, bound, gap, cost,
under-cover, timings and the whole summary.json), and the roster and
coverage tables of the run as compressed CSV in `run_artifacts` — a sweep of
hundreds of runs then stays a few megabytes, and a run reads back exactly as
`roster.csv` / `coverage.csv` would.

Any change here needs a new migration under `migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


class Run(Base):
    """One solve."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str | None] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(200), index=True)
    scenario_hash: Mapped[str] = mapped_column(String(64), index=True)
    scenario_path: Mapped[str | None] = mapped_column(Text)
    overrides: Mapped[dict[str, Any]]
    params: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    cost_reporting_currency: Mapped[float | None] = mapped_column(Float)
    under_cover_agent_hours: Mapped[float | None] = mapped_column(Float)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    timings: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    sweep_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # canonical text of the overrides, so a sweep can tell which points are done
    point_key: Mapped[str | None] = mapped_column(Text)

    artifacts: Mapped[list[Artifact]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class Artifact(Base):
    """A table of a run (`roster` or `coverage`), gzip-compressed CSV."""

    __tablename__ = "run_artifacts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40), default="text/csv+gzip")
    data: Mapped[bytes] = mapped_column(LargeBinary)

    run: Mapped[Run] = relationship(back_populates="artifacts")
