"""Wall-clock values of the scenario format: `HH:MM`, weekdays, service hours.

These are local by nature (service hours in the market's clock, night windows
in the site's clock). They are parsed once here into minutes of the day and
weekday numbers (Mon = 0) so the rest of the code never parses strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def parse_hhmm(value: object, allow_24: bool = False) -> int:
    """`"07:30"` → 450 minutes after local midnight; `"24:00"` only if `allow_24`."""
    if not isinstance(value, str):
        raise ValueError(f"expected a local time 'HH:MM', got {value!r}")
    m = _HHMM.match(value.strip())
    if not m:
        raise ValueError(f"expected a local time 'HH:MM', got {value!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi >= 60 or h > 24 or (h == 24 and (mi != 0 or not allow_24)):
        raise ValueError(f"{value!r} is not a valid time of day")
    return h * 60 + mi


def format_hhmm(minutes: int) -> str:
    """480 → `"08:00"` (minutes taken modulo a day)."""
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_weekday(value: object) -> int:
    """`"Sat"` or `"saturday"` → 5 (Mon = 0)."""
    if isinstance(value, str):
        v = value.strip().lower()
        for i, (short, full) in enumerate(zip(WEEKDAYS, _FULL, strict=True)):
            if v in (short.lower(), full):
                return i
    raise ValueError(f"expected a weekday Mon..Sun, got {value!r}")


def _parse_day_range(text: str) -> list[int]:
    """`"Mon-Fri"` → [0..4]; `"Sat,Sun"` → [5, 6]; `"Fri-Mon"` wraps."""
    days: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = (parse_weekday(x) for x in part.split("-", 1))
            days.extend((a + k) % 7 for k in range((b - a) % 7 + 1))
        else:
            days.append(parse_weekday(part))
    return days


@dataclass(frozen=True)
class ServiceHours:
    """When a market is open, in its local clock: windows per weekday.

    `windows` holds `(weekday, start_minute, end_minute)`; an end past 1440
    runs over midnight into the next day (it belongs to the day it starts).
    """

    text: str
    windows: tuple[tuple[int, int, int], ...]

    @property
    def always(self) -> bool:
        return self.week_mask().all()

    def week_mask(self) -> np.ndarray:
        """Boolean array of 7 × 1440: open at that local weekday and minute."""
        mask = np.zeros(MINUTES_PER_WEEK, dtype=bool)
        for day, start, end in self.windows:
            a = day * MINUTES_PER_DAY + start
            b = day * MINUTES_PER_DAY + end
            idx = np.arange(a, b) % MINUTES_PER_WEEK
            mask[idx] = True
        return mask.reshape(7, MINUTES_PER_DAY)

    def open_hours_per_week(self) -> float:
        return float(self.week_mask().sum()) / 60.0


def parse_service_hours(value: object) -> ServiceHours:
    """Parse `"24x7"` or `"Mon-Fri 08:00-20:00; Sat 09:00-17:00"`.

    Several windows for the same days may be comma-separated after the days
    (`"Mon-Fri 08:00-12:00,13:00-17:00"`). A window ending before it starts
    runs past midnight (`"Fri 20:00-02:00"`).
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"expected service hours like '24x7' or 'Mon-Fri 08:00-20:00', got {value!r}"
        )
    text = value.strip()
    if text.lower() in ("24x7", "24/7"):
        return ServiceHours(text, tuple((d, 0, MINUTES_PER_DAY) for d in range(7)))
    windows: list[tuple[int, int, int]] = []
    for clause in text.split(";"):
        clause = clause.strip()
        if not clause:
            continue
        m = re.match(r"^([A-Za-z,\- ]+?)\s+(\d.*)$", clause)
        if not m:
            raise ValueError(
                f"cannot read service hours clause {clause!r} (expected 'Mon-Fri 08:00-20:00')"
            )
        days = _parse_day_range(m.group(1))
        for span in m.group(2).split(","):
            span = span.strip()
            if span.lower() in ("24h", "00:00-24:00"):
                start, end = 0, MINUTES_PER_DAY
            else:
                if "-" not in span:
                    raise ValueError(f"cannot read time span {span!r} (expected 'HH:MM-HH:MM')")
                a, b = span.split("-", 1)
                start, end = parse_hhmm(a), parse_hhmm(b, allow_24=True)
                if end <= start:
                    end += MINUTES_PER_DAY
            windows.extend((d, start, end) for d in days)
    if not windows:
        raise ValueError(f"service hours {value!r} open no time at all")
    return ServiceHours(text, tuple(windows))
