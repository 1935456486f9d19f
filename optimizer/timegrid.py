"""The UTC coverage grid and the local clocks laid over it.

Inside Sunroster every instant is an integer count of minutes since
1970-01-01T00:00Z ("epoch minutes"). Local time appears only where a rule is
local by nature — shift starts, night windows, weekends, holidays, weeks.
Single conversions at the edges (a local wall time to UTC, an instant to
local ISO text) use pendulum; whole-grid views are vectorised with pandas'
zone conversion. Both read the pinned tzdata package (see `optimizer.tz`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
import pendulum

from optimizer.tz import zone

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_epoch_minutes(instant: dt.datetime) -> int:
    """An aware datetime → epoch minutes (seconds must be zero)."""
    if instant.tzinfo is None:
        raise ValueError(f"{instant!r} has no UTC offset")
    delta = instant - EPOCH
    return int(delta.total_seconds() // 60)


def from_epoch_minutes(minutes: int) -> dt.datetime:
    """Epoch minutes → aware UTC datetime."""
    return EPOCH + dt.timedelta(minutes=int(minutes))


def iso_utc(minutes: int) -> str:
    """Epoch minutes → `2027-03-01T08:00:00Z`."""
    return from_epoch_minutes(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(minutes: int, tz: str) -> str:
    """Epoch minutes → local ISO 8601 with the zone's offset at that instant (pendulum)."""
    return pendulum.from_timestamp(int(minutes) * 60).in_timezone(tz).isoformat()


def iso_utc_many(minutes: np.ndarray) -> np.ndarray:
    """Vectorised `iso_utc`: epoch minutes → `2027-03-01T08:00:00Z` strings."""
    utc = pd.Series(pd.to_datetime(np.asarray(minutes, dtype=np.int64) * 60, unit="s", utc=True))
    return utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(dtype=object)


def iso_local_many(minutes: np.ndarray, tz: str) -> np.ndarray:
    """Vectorised `iso_local`: local ISO 8601 with the zone's offset at each instant."""
    utc = pd.Series(pd.to_datetime(np.asarray(minutes, dtype=np.int64) * 60, unit="s", utc=True))
    s = utc.dt.tz_convert(zone(tz)).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return (s.str[:-2] + ":" + s.str[-2:]).to_numpy(dtype=object)


@lru_cache(maxsize=1 << 16)
def local_to_utc(tz: str, date: dt.date, minute_of_day: int) -> int | None:
    """Local wall time `date` + `minute_of_day` in `tz` → epoch minutes (pendulum).

    Returns None for a wall time that does not exist (the hour skipped when
    clocks go forward). An ambiguous wall time (clocks going back) is read as
    its first occurrence. Cached: the sites of one time zone ask for the same
    wall times over the same horizon.
    """
    naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute_of_day)
    local = pendulum.datetime(
        naive.year, naive.month, naive.day, naive.hour, naive.minute, tz=tz, fold=0
    )
    if (local.year, local.month, local.day, local.hour, local.minute) != (
        naive.year, naive.month, naive.day, naive.hour, naive.minute,
    ):  # fmt: skip
        return None  # pendulum moved a skipped wall time past the gap
    return int(local.int_timestamp // 60)


def local_midnight_utc(tz: str, date: dt.date) -> int:
    """Epoch minutes of the first instant of local `date` in `tz`."""
    t = local_to_utc(tz, date, 0)
    if t is None:  # a zone that skips midnight itself: the day starts when the gap ends
        for m in range(1, 181):
            t = local_to_utc(tz, date, m)
            if t is not None:
                break
    assert t is not None
    return t


def utc_offsets(tz: str, start: int, end: int, step: int = 60) -> set[int]:
    """The set of UTC offsets (minutes) `tz` uses between two instants."""
    ts = pd.to_datetime(np.arange(start, end + 1, step, dtype=np.int64) * 60, unit="s", utc=True)
    local = ts.tz_convert(zone(tz)).tz_localize(None)
    offs = ((local - ts.tz_localize(None)).total_seconds() // 60).astype(int)
    return set(np.unique(offs).tolist())


def grid_bounds(start: dt.date, days: int, interval: int, zones: Iterable[str]) -> tuple[int, int]:
    """UTC span of the grid: from the earliest local midnight of `start` over
    `zones` to the latest local midnight of `start + days`, widened to the
    interval so both ends lie on the grid."""
    zs = sorted(set(zones))
    end_date = start + dt.timedelta(days=days)
    t0 = min(local_midnight_utc(z, start) for z in zs)
    t1 = max(local_midnight_utc(z, end_date) for z in zs)
    return (t0 // interval) * interval, -((-t1) // interval) * interval


@dataclass(frozen=True)
class LocalFrame:
    """The grid seen from one zone: local date, weekday, minute of day per interval."""

    tz: str
    ordinal: np.ndarray  # local date as proleptic ordinal (date.toordinal()), int64
    weekday: np.ndarray  # Mon = 0, int8
    minute: np.ndarray  # minute of the local day at the interval's start, int16
    offset: np.ndarray  # UTC offset in minutes at the interval's start, int16


@dataclass(frozen=True)
class TimeGrid:
    """The UTC interval grid: `n` intervals of `interval` minutes from `start`."""

    start: int
    interval: int
    n: int

    @classmethod
    def covering(cls, start: dt.date, days: int, interval: int, zones: Iterable[str]) -> TimeGrid:
        t0, t1 = grid_bounds(start, days, interval, zones)
        return cls(t0, interval, (t1 - t0) // interval)

    @classmethod
    def of(cls, scenario: object) -> TimeGrid:
        """The grid of a `Scenario` (all site and market zones)."""
        sc = scenario
        zones = [s.timezone for s in sc.sites] + [m.timezone for m in sc.markets]  # type: ignore[attr-defined]
        h = sc.horizon  # type: ignore[attr-defined]
        return cls.covering(h.start, h.days, h.interval_minutes, zones)

    @property
    def end(self) -> int:
        return self.start + self.interval * self.n

    @cached_property
    def starts(self) -> np.ndarray:
        """Epoch minutes of every interval's start (int64)."""
        return self.start + self.interval * np.arange(self.n, dtype=np.int64)

    def index(self, t: np.ndarray) -> np.ndarray:
        """Interval index of instants on the grid (no bounds check)."""
        return (np.asarray(t) - self.start) // self.interval

    def contains(self, t: np.ndarray) -> np.ndarray:
        return (t >= self.start) & (t < self.end)

    def local(self, tz: str) -> LocalFrame:
        """The grid's interval starts in `tz`'s local clock (vectorised)."""
        return _local_frame(self.start, self.interval, self.n, tz)

    def timestamps(self) -> pd.DatetimeIndex:
        return pd.to_datetime(self.starts * 60, unit="s", utc=True)


_FRAMES: dict[tuple[int, int, int, str], LocalFrame] = {}


def _local_frame(start: int, interval: int, n: int, tz: str) -> LocalFrame:
    key = (start, interval, n, tz)
    hit = _FRAMES.get(key)
    if hit is not None:
        return hit
    utc = pd.to_datetime((start + interval * np.arange(n, dtype=np.int64)) * 60, unit="s", utc=True)
    local = utc.tz_convert(zone(tz)).tz_localize(None)
    offset = ((local - utc.tz_localize(None)).total_seconds() // 60).astype(np.int16)
    days = local.values.astype("datetime64[D]")
    ordinal = days.astype(np.int64) + dt.date(1970, 1, 1).toordinal()
    weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int8)  # 1970-01-01 was a Thursday
    minute = ((local.values - days).astype("timedelta64[m]").astype(np.int64)).astype(np.int16)
    frame = LocalFrame(tz, ordinal, weekday, minute, np.asarray(offset))
    _FRAMES[key] = frame
    return frame


def week_start(date: dt.date) -> dt.date:
    """The Monday of `date`'s local Mon–Sun week."""
    return date - dt.timedelta(days=date.weekday())
