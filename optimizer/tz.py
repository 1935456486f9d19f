"""Time-zone rules from the pinned `tzdata` package, never from the host.

The host's /usr/share/zoneinfo changes with OS updates; Sunroster pins
`tzdata` so a roster computed today computes the same next year. Importing
this module points `zoneinfo` at the package's data only.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

zoneinfo.reset_tzpath(to=())


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name the pinned tzdata knows."""
    return frozenset(zoneinfo.available_timezones())


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone `name` (cached)."""
    return zoneinfo.ZoneInfo(name)
