"""Parser of the Curtois–Qu shift scheduling instance format.

The format (see ../shared/benchmarks/curtois/BEST_KNOWN.md): `#` comment
lines, sections opened by a `SECTION_…` header and closed by a blank line,
comma-separated fields, `|`-lists inside fields, case-sensitive IDs. The
parser turns IDs into indices and the sections into numpy arrays held by a
frozen `Instance`; any malformed line raises `ValueError` naming file and
line, so a broken download is reported where it is broken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True, eq=False)
class Instance:
    """One benchmark instance, IDs mapped to indices (E staff, H days, T shift types).

    Requests are int arrays of rows `(employee, day, shift, weight)`; cover
    arrays are indexed `[day, shift]` (zero requirement where the file has no
    line; every file has one line per pair)."""

    name: str
    horizon: int
    shift_ids: tuple[str, ...]
    shift_minutes: np.ndarray  # (T,) int
    cannot_follow: np.ndarray  # (T, T) bool: [t, u] = u may not be worked the day after t
    staff_ids: tuple[str, ...]
    max_shifts: np.ndarray  # (E, T) int
    max_minutes: np.ndarray  # (E,) int
    min_minutes: np.ndarray  # (E,) int
    max_consecutive: np.ndarray  # (E,) int
    min_consecutive: np.ndarray  # (E,) int
    min_days_off: np.ndarray  # (E,) int
    max_weekends: np.ndarray  # (E,) int
    days_off: np.ndarray  # (E, H) bool
    on_requests: np.ndarray  # (n, 4) int: employee, day, shift, weight
    off_requests: np.ndarray  # (n, 4) int
    cover: np.ndarray  # (H, T) int requirement
    weight_under: np.ndarray  # (H, T) int
    weight_over: np.ndarray  # (H, T) int

    @property
    def n_staff(self) -> int:
        return len(self.staff_ids)

    @property
    def n_shifts(self) -> int:
        return len(self.shift_ids)

    @property
    def n_weekends(self) -> int:
        return self.horizon // 7


class _Reader:
    """Lines of one file with their numbers, for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_bytes().decode("ascii")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not an ASCII file ({exc})") from None
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def fail(self, lineno: int, msg: str) -> ValueError:
        return ValueError(f"{self.path}:{lineno}: {msg}")

    def sections(self) -> dict[str, list[tuple[int, str]]]:
        """Section name → its (line number, text) data lines, comments dropped."""
        out: dict[str, list[tuple[int, str]]] = {}
        current: str | None = None
        for i, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if line.startswith("#"):
                continue
            if not line:
                current = None
                continue
            if line.startswith("SECTION_"):
                if line not in SECTIONS:
                    raise self.fail(i, f"unknown section {line!r}")
                if line in out:
                    raise self.fail(i, f"section {line} appears twice")
                current = line
                out[line] = []
                continue
            if current is None:
                raise self.fail(i, f"data outside a section: {line!r}")
            out[current].append((i, line))
        for name in SECTIONS:
            if name not in out and name not in (
                "SECTION_SHIFT_ON_REQUESTS",
                "SECTION_SHIFT_OFF_REQUESTS",
            ):
                raise ValueError(f"{self.path}: missing section {name}")
        return out

    def conv(self, lineno: int, what: str, value: str, fn: Callable[[str], T]) -> T:
        try:
            return fn(value)
        except (ValueError, KeyError):
            raise self.fail(lineno, f"bad {what} {value!r}") from None


def _nonneg_int(s: str) -> int:
    v = int(s)
    if v < 0:
        raise ValueError(s)
    return v


def parse_instance(path: str | Path) -> Instance:
    """Read one instance file; `ValueError` naming file and line on bad input."""
    path = Path(path)
    r = _Reader(path)
    sec = r.sections()

    # horizon
    hz = sec["SECTION_HORIZON"]
    if len(hz) != 1:
        raise r.fail(hz[0][0] if hz else 0, "SECTION_HORIZON must hold exactly one integer")
    horizon = r.conv(hz[0][0], "horizon", hz[0][1], _nonneg_int)
    if horizon == 0 or horizon % 7:
        raise r.fail(hz[0][0], f"horizon {horizon} is not a positive multiple of 7")

    # shifts: two passes, CannotFollow may name shifts defined later
    shift_rows = []
    for ln, line in sec["SECTION_SHIFTS"]:
        f = line.split(",")
        if len(f) != 3:
            raise r.fail(ln, f"a shift line has 3 fields (ID,minutes,cannot-follow), got {len(f)}")
        shift_rows.append((ln, f))
    shift_ids = tuple(f[0] for _, f in shift_rows)
    sidx = {s: i for i, s in enumerate(shift_ids)}
    if len(sidx) != len(shift_ids):
        raise r.fail(shift_rows[0][0], "duplicate shift ID")
    n_t = len(shift_ids)
    minutes = np.zeros(n_t, dtype=np.int64)
    cannot = np.zeros((n_t, n_t), dtype=bool)
    for t, (ln, f) in enumerate(shift_rows):
        minutes[t] = r.conv(ln, "shift length", f[1], _nonneg_int)
        for u in filter(None, f[2].split("|")):
            cannot[t, r.conv(ln, "shift ID in cannot-follow", u, sidx.__getitem__)] = True

    # staff
    staff_rows = sec["SECTION_STAFF"]
    staff_ids = tuple(line.split(",")[0] for _, line in staff_rows)
    eidx = {s: i for i, s in enumerate(staff_ids)}
    if len(eidx) != len(staff_ids):
        raise r.fail(staff_rows[0][0], "duplicate staff ID")
    n_e = len(staff_ids)
    max_shifts = np.zeros((n_e, n_t), dtype=np.int64)
    ints = np.zeros((n_e, 6), dtype=np.int64)
    for e, (ln, line) in enumerate(staff_rows):
        f = line.split(",")
        if len(f) != 8:
            raise r.fail(ln, f"a staff line has 8 fields, got {len(f)}")
        seen = np.zeros(n_t, dtype=bool)
        for item in filter(None, f[1].split("|")):
            sid, eq, val = item.partition("=")
            if not eq:
                raise r.fail(ln, f"bad MaxShifts item {item!r} (want ShiftID=max)")
            t = r.conv(ln, "shift ID in MaxShifts", sid, sidx.__getitem__)
            max_shifts[e, t] = r.conv(ln, "MaxShifts value", val, _nonneg_int)
            seen[t] = True
        if not seen.all():
            missing = [shift_ids[t] for t in np.flatnonzero(~seen)]
            raise r.fail(ln, f"MaxShifts misses shift(s) {missing}")
        for k in range(6):
            ints[e, k] = r.conv(ln, f"field {k + 3}", f[k + 2], _nonneg_int)

    # days off
    days_off = np.zeros((n_e, horizon), dtype=bool)
    for ln, line in sec["SECTION_DAYS_OFF"]:
        f = line.split(",")
        e = r.conv(ln, "employee ID", f[0], eidx.__getitem__)
        for d in filter(None, f[1:]):
            day = r.conv(ln, "day", d, _nonneg_int)
            if day >= horizon:
                raise r.fail(ln, f"day {day} outside the horizon 0..{horizon - 1}")
            days_off[e, day] = True

    def requests(name: str) -> np.ndarray:
        rows = []
        for ln, line in sec.get(name, []):
            f = line.split(",")
            if len(f) != 4:
                raise r.fail(ln, f"a request line has 4 fields, got {len(f)}")
            e = r.conv(ln, "employee ID", f[0], eidx.__getitem__)
            d = r.conv(ln, "day", f[1], _nonneg_int)
            if d >= horizon:
                raise r.fail(ln, f"day {d} outside the horizon 0..{horizon - 1}")
            t = r.conv(ln, "shift ID", f[2], sidx.__getitem__)
            rows.append((e, d, t, r.conv(ln, "weight", f[3], _nonneg_int)))
        return np.array(rows, dtype=np.int64).reshape(-1, 4)

    cover = np.zeros((horizon, n_t), dtype=np.int64)
    w_under = np.zeros((horizon, n_t), dtype=np.int64)
    w_over = np.zeros((horizon, n_t), dtype=np.int64)
    for ln, line in sec["SECTION_COVER"]:
        f = line.split(",")
        if len(f) != 5:
            raise r.fail(ln, f"a cover line has 5 fields, got {len(f)}")
        d = r.conv(ln, "day", f[0], _nonneg_int)
        if d >= horizon:
            raise r.fail(ln, f"day {d} outside the horizon 0..{horizon - 1}")
        t = r.conv(ln, "shift ID", f[1], sidx.__getitem__)
        cover[d, t] = r.conv(ln, "requirement", f[2], _nonneg_int)
        w_under[d, t] = r.conv(ln, "under-cover weight", f[3], _nonneg_int)
        w_over[d, t] = r.conv(ln, "over-cover weight", f[4], _nonneg_int)

    return Instance(
        name=path.stem,
        horizon=horizon,
        shift_ids=shift_ids,
        shift_minutes=minutes,
        cannot_follow=cannot,
        staff_ids=staff_ids,
        max_shifts=max_shifts,
        max_minutes=ints[:, 0].copy(),
        min_minutes=ints[:, 1].copy(),
        max_consecutive=ints[:, 2].copy(),
        min_consecutive=ints[:, 3].copy(),
        min_days_off=ints[:, 4].copy(),
        max_weekends=ints[:, 5].copy(),
        days_off=days_off,
        on_requests=requests("SECTION_SHIFT_ON_REQUESTS"),
        off_requests=requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover=cover,
        weight_under=w_under,
        weight_over=w_over,
    )


def instance_path(folder: str | Path, number: int) -> Path:
    """`folder/InstanceN.txt`."""
    return Path(folder) / f"Instance{number}.txt"
