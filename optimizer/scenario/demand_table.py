"""Read the demand forecast: a CSV table of contacts per queue and UTC interval.

Each row names a known queue, an ISO 8601 timestamp with its UTC offset on the
grid's interval, inside the supported years, and a finite, non-negative number
of contacts; every bad row is an issue naming its row and field (the first 200
of each problem, then a count), and a queue may not have an interval twice.
Rows outside the coverage grid are dropped with a warning. The table may be
long, so it is read as one frame and checked column by column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from optimizer.scenario import limits
from optimizer.scenario.csv_tables import read_csv_frame
from optimizer.scenario.document import Document
from optimizer.timegrid import TimeGrid

DEMAND_COLUMNS = ("queue", "interval_start", "contacts")
_OFFSET_RE = r"(?:Z|z|[+-]\d{2}:?\d{2})$"


def demand(doc: Document, raw: Any, qids: set[str], grid: TimeGrid | None) -> pd.DataFrame | None:
    """The demand `raw` names as a frame of `queue`, `t` (UTC epoch minutes) and
    `contacts`, sorted; None when absent or when any row is wrong."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        doc.err(("demand",), "demand", "expected the name of a CSV file")
        return None
    path = doc.table_path(raw, "demand")
    if path is None:
        return None
    rows = read_csv_frame(path, doc.log, DEMAND_COLUMNS)
    if rows is None:
        return None
    fname = str(path)
    n0 = doc.log.errors.__len__()
    rowno = np.arange(len(rows)) + 2

    def bad(mask: np.ndarray, fld: str, msg: Callable[[int], str]) -> None:
        for k in np.flatnonzero(mask)[:200]:
            doc.log.error(fname, f"row {rowno[k] - 1} (line {rowno[k]})", fld, msg(k))
        extra = int(mask.sum()) - 200
        if extra > 0:
            doc.log.error(fname, "", fld, f"... and {extra} more rows with the same problem")

    queue = rows["queue"].str.strip()
    bad(~queue.isin(qids).to_numpy(), "queue", lambda k: f"unknown queue {queue.iat[k]!r}")
    contacts = pd.to_numeric(rows["contacts"].str.strip(), errors="coerce")
    cvals = contacts.to_numpy(dtype=float)
    bad(np.isnan(cvals), "contacts", lambda k: f"{rows['contacts'].iat[k]!r} is not a number")
    bad(
        ~np.isnan(cvals) & ((cvals < 0) | ~(cvals <= limits.MAX_CONTACTS)),
        "contacts",
        lambda k: (
            f"contacts must be a finite number >= 0 and <= {limits.MAX_CONTACTS:g}, "
            f"got {rows['contacts'].iat[k].strip()}"
        ),
    )
    stamp = rows["interval_start"].str.strip()
    has_offset = stamp.str.contains(_OFFSET_RE, regex=True).to_numpy()
    bad(
        ~has_offset,
        "interval_start",
        lambda k: f"{stamp.iat[k]!r} has no UTC offset (write e.g. 2027-03-01T08:00:00Z)",
    )
    parsed = pd.to_datetime(stamp.where(has_offset), utc=True, format="ISO8601", errors="coerce")
    nat = parsed.isna().to_numpy() & has_offset
    bad(nat, "interval_start", lambda k: f"{stamp.iat[k]!r} is not an ISO 8601 timestamp")
    first = pd.Timestamp(limits.FIRST_DATE, tz="UTC")
    after = pd.Timestamp(limits.LAST_DATE + dt.timedelta(days=1), tz="UTC")
    far = ~nat & has_offset & ((parsed < first) | (parsed >= after)).to_numpy()
    bad(
        far,
        "interval_start",
        lambda k: (
            f"{stamp.iat[k]!r} is outside the supported years "
            f"{limits.FIRST_DATE.year}-{limits.LAST_DATE.year}"
        ),
    )
    nat |= far
    parsed = parsed.where(~far)
    epoch = pd.Timestamp(0, tz="UTC")
    secs = ((parsed.fillna(epoch) - epoch) // pd.Timedelta(seconds=1)).to_numpy(np.int64)
    secs = np.where(nat | ~has_offset, 0, secs)
    step = grid.interval if grid is not None else 60
    off_grid = ~nat & has_offset & ((secs % (step * 60)) != 0)
    bad(
        off_grid,
        "interval_start",
        lambda k: f"{stamp.iat[k]!r} is not on the {step}-minute UTC grid",
    )
    if len(doc.log.errors) > n0 or grid is None:
        return None
    t = secs // 60
    inside = grid.contains(t)
    if (~inside).any():
        doc.log.warn(
            fname,
            "",
            "interval_start",
            f"{int((~inside).sum())} rows lie outside the coverage grid and are ignored",
        )
    frame = pd.DataFrame(
        {
            "queue": queue.to_numpy()[inside],
            "t": t[inside].astype(np.int64),
            "contacts": cvals[inside],
        }
    )
    dup = frame.duplicated(["queue", "t"], keep=False).to_numpy()
    if dup.any():
        idx = np.flatnonzero(inside)[dup]
        mask = np.zeros(len(rows), bool)
        mask[idx] = True
        bad(mask, "interval_start", lambda k: f"queue {queue.iat[k]!r} has this interval twice")
        return None
    return frame.sort_values(["queue", "t"], kind="stable").reset_index(drop=True)


__all__ = ["demand"]
