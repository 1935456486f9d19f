"""A roster and its files (SCENARIO.md "What a roster is").

A `Roster` is a table of activity segments — one row per contiguous stretch
of one agent on one queue, or on `BREAK` — with UTC epoch minutes inside. Its
CSV form adds ISO 8601 instants in UTC and in the site's local time. Shifts
(the union of an agent's segments with the same `shift_date`) and breaks are
derived views, so any roster — solved, hand-edited or imported — reads the
same way.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.scenario import limits
from optimizer.scenario.errors import IssueLog
from optimizer.scenario.model import Scenario
from optimizer.timegrid import iso_local_many, iso_utc_many

BREAK = "BREAK"
ROSTER_COLUMNS = (
    "agent_id", "site", "shift_date", "start_utc", "end_utc", "start_local", "end_local", "activity",
)  # fmt: skip
SEGMENT_COLUMNS = ("agent_id", "site", "shift_date", "start", "end", "activity")


@dataclass(frozen=True)
class Roster:
    """Activity segments: `agent_id, site, shift_date (date), start, end (UTC
    epoch minutes), activity (queue id or BREAK)`, sorted by agent and start."""

    segments: pd.DataFrame

    @classmethod
    def from_segments(cls, rows: pd.DataFrame | list[dict[str, Any]]) -> Roster:
        df = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS)) if isinstance(rows, list) else rows
        df = df.loc[:, list(SEGMENT_COLUMNS)].copy()
        df["start"] = df["start"].astype(np.int64)
        df["end"] = df["end"].astype(np.int64)
        df = df.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
        return cls(merge_adjacent(df))

    @classmethod
    def empty(cls) -> Roster:
        return cls.from_segments([])

    @cached_property
    def shifts(self) -> pd.DataFrame:
        """One row per shift: `agent_id, site, shift_date, start, end, work_minutes, break_minutes`."""
        s = self.segments
        if s.empty:
            return pd.DataFrame(
                columns=[
                    "agent_id",
                    "site",
                    "shift_date",
                    "start",
                    "end",
                    "work_minutes",
                    "break_minutes",
                ]
            )
        length = s["end"] - s["start"]
        is_break = s["activity"] == BREAK
        g = s.assign(work=length.where(~is_break, 0), brk=length.where(is_break, 0)).groupby(
            ["agent_id", "shift_date"], sort=True
        )
        out = g.agg(
            site=("site", "first"), start=("start", "min"), end=("end", "max"),
            work_minutes=("work", "sum"), break_minutes=("brk", "sum"),
        ).reset_index()  # fmt: skip
        return out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)

    @cached_property
    def breaks(self) -> pd.DataFrame:
        """Break segments with `shift` = row position in `shifts`."""
        s = self.segments
        b = s[s["activity"] == BREAK]
        key = self.shifts.reset_index().set_index(["agent_id", "shift_date"])["index"]
        idx = key.reindex(pd.MultiIndex.from_frame(b[["agent_id", "shift_date"]])).to_numpy()
        return pd.DataFrame(
            {
                "shift": idx.astype(np.int64),
                "start": b["start"].to_numpy(),
                "end": b["end"].to_numpy(),
            }
        )

    def coverage(
        self, queue_ids: tuple[str, ...], grid_start: int, interval: int, n: int
    ) -> np.ndarray:
        """[Q, T] agents on each queue in each grid interval (segments on the grid)."""
        out = np.zeros((len(queue_ids), n), dtype=np.int64)
        s = self.segments
        qidx = {q: i for i, q in enumerate(queue_ids)}
        work = s[s["activity"].isin(qidx)]
        if work.empty:
            return out
        q = work["activity"].map(qidx).to_numpy()
        a = (work["start"].to_numpy() - grid_start) // interval
        b = (work["end"].to_numpy() - grid_start) // interval
        diff = np.zeros((len(queue_ids), n + 1), dtype=np.int64)
        np.add.at(diff, (q, np.clip(a, 0, n)), 1)
        np.add.at(diff, (q, np.clip(b, 0, n)), -1)
        return np.cumsum(diff, axis=1)[:, :n]

    def switches(self) -> int:
        """Queue changes between consecutive work segments within a shift (breaks don't count)."""
        work = self.segments[self.segments["activity"] != BREAK]
        if work.empty:
            return 0
        same = (work["agent_id"] == work["agent_id"].shift()) & (
            work["shift_date"] == work["shift_date"].shift()
        )
        return int((same & (work["activity"] != work["activity"].shift())).sum())

    # ------------------------------------------------------------ files
    def to_frame(self, scenario: Scenario) -> pd.DataFrame:
        """The roster.csv table (ISO instants in UTC and site local time)."""
        s = self.segments
        start_local = np.full(len(s), "", dtype=object)
        end_local = start_local.copy()
        site_of = s["site"].to_numpy()
        for site in scenario.sites:
            sel = site_of == site.id
            if sel.any():
                start_local[sel] = iso_local_many(s["start"].to_numpy()[sel], site.timezone)
                end_local[sel] = iso_local_many(s["end"].to_numpy()[sel], site.timezone)
        return pd.DataFrame(
            {
                "agent_id": s["agent_id"],
                "site": s["site"],
                "shift_date": [d.isoformat() for d in s["shift_date"]],
                "start_utc": iso_utc_many(s["start"].to_numpy()),
                "end_utc": iso_utc_many(s["end"].to_numpy()),
                "start_local": start_local,
                "end_local": end_local,
                "activity": s["activity"],
            },
            columns=list(ROSTER_COLUMNS),
        )

    @classmethod
    def read_csv(cls, path: str | Path, log: IssueLog | None = None) -> Roster:
        """Read roster.csv; malformed rows are reported to `log` (file, row, field)
        and skipped. Only the UTC columns are trusted for instants."""
        path = Path(path)
        own = log is None
        log = log or IssueLog()
        fname = str(path)
        if not path.is_file():
            log.error(fname, "", "", "file not found")
            log.raise_if_any()
            return cls.empty()
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            log.error(fname, "", "", "file is not UTF-8 text")
            log.raise_if_any()
            return cls.empty()
        table = _read_rows(text, fname, log)
        if table is None:
            if own:
                log.raise_if_any()
            return cls.empty()
        df, lines = table
        return cls._parse(df, log, fname, own, lines)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, log: IssueLog | None = None, source: str = "roster"
    ) -> Roster:
        """A Roster from a roster.csv-shaped table (the run store's, an upload's),
        checked exactly as `read_csv` checks the file; `source` names it in the
        issues, whose rows and lines are those of the table written as a CSV."""
        own = log is None
        log = log or IssueLog()
        text = frame.astype(str).where(frame.notna(), "")
        return cls._parse(text.reset_index(drop=True), log, source, own)

    @classmethod
    def _parse(
        cls, df: pd.DataFrame, log: IssueLog, fname: str, own: bool, lines: list[int] | None = None
    ) -> Roster:
        """Segments of a roster.csv table of strings; malformed rows reported and
        skipped. `lines`: each row's line in the file (default: row k on line k + 2)."""

        def row(k: int) -> str:
            line = lines[k] if lines is not None else k + 2
            return f"row {line - 1} (line {line})"

        missing = [
            c
            for c in ("agent_id", "site", "shift_date", "start_utc", "end_utc", "activity")
            if c not in df.columns
        ]
        for c in missing:
            log.error(fname, "line 1", c, "required column is missing")
        if missing:
            if own:
                log.raise_if_any()
            return cls.empty()
        start = pd.to_datetime(df["start_utc"], utc=True, format="ISO8601", errors="coerce")
        end = pd.to_datetime(df["end_utc"], utc=True, format="ISO8601", errors="coerce")
        dates = pd.to_datetime(df["shift_date"], format="%Y-%m-%d", errors="coerce")
        ok = np.ones(len(df), dtype=bool)
        for name in ("agent_id", "site", "activity"):
            for k in np.flatnonzero((df[name].str.strip() == "").to_numpy()):
                log.error(fname, row(k), name, "the field is empty")
                ok[k] = False
        first = pd.Timestamp(limits.FIRST_DATE)
        after = pd.Timestamp(limits.LAST_DATE) + pd.Timedelta(days=1)
        for name, col in (("start_utc", start), ("end_utc", end), ("shift_date", dates)):
            for k in np.flatnonzero(col.isna().to_numpy()):
                log.error(fname, row(k), name, f"{df[name].iat[k]!r} is not a valid ISO 8601 value")
                ok[k] = False
            naive = col.dt.tz_localize(None) if col.dt.tz is not None else col
            far = ((naive < first) | (naive >= after)).to_numpy()
            for k in np.flatnonzero(far):
                log.error(
                    fname,
                    row(k),
                    name,
                    f"{df[name].iat[k]!r} is outside the supported years "
                    f"{limits.FIRST_DATE.year}-{limits.LAST_DATE.year}",
                )
                ok[k] = False
        # instants outside the supported years would overflow the arithmetic below
        start, end, dates = (c.where(ok) for c in (start, end, dates))
        epoch = pd.Timestamp(0, tz="UTC")
        s_min = ((start.fillna(epoch) - epoch) // pd.Timedelta(minutes=1)).to_numpy(np.int64)
        e_min = ((end.fillna(epoch) - epoch) // pd.Timedelta(minutes=1)).to_numpy(np.int64)
        for k in np.flatnonzero(ok & (e_min <= s_min)):
            log.error(fname, row(k), "end_utc", "segment ends before it starts")
            ok[k] = False
        if own:
            log.raise_if_any()
        seg = pd.DataFrame(
            {
                "agent_id": df["agent_id"].str.strip(),
                "site": df["site"].str.strip(),
                "shift_date": [d.date() for d in dates.fillna(pd.Timestamp("1970-01-01"))],
                "start": s_min,
                "end": e_min,
                "activity": df["activity"].str.strip(),
            }
        )[ok]
        return cls.from_segments(seg.reset_index(drop=True))


def _read_rows(text: str, fname: str, log: IssueLog) -> tuple[pd.DataFrame, list[int]] | None:
    """roster.csv text → its rows as strings and each row's line number.

    A row with too few or too many fields is reported (its row, and the first
    missing field) and left out rather than read with blanks; None when the
    file cannot be read as a table at all (empty, a column twice, not CSV)."""
    reader = csv.reader(io.StringIO(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            log.error(fname, "", "", "file is empty (expected a header row)")
            return None
        twice = sorted({c for c in header if header.count(c) > 1})
        for c in twice:
            log.error(fname, "line 1", c, "column appears twice")
        if twice:
            return None
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            where = f"row {reader.line_num - 1} (line {reader.line_num})"
            if len(fields) < len(header):
                absent = header[len(fields) :]
                log.error(
                    fname,
                    where,
                    absent[0],
                    f"expected {len(header)} fields, found {len(fields)} "
                    f"({', '.join(absent)} missing)",
                )
            elif len(fields) > len(header):
                log.error(fname, where, "", f"expected {len(header)} fields, found {len(fields)}")
            else:
                rows.append(fields)
                lines.append(reader.line_num)
    except csv.Error as exc:
        log.error(fname, f"line {reader.line_num}", "", f"CSV error: {exc}")
        return None
    return pd.DataFrame(rows, columns=header, dtype=str), lines


def merge_adjacent(df: pd.DataFrame) -> pd.DataFrame:
    """Join back-to-back segments of the same agent, shift and activity."""
    if df.empty:
        return df.reset_index(drop=True)
    same = (
        (df["agent_id"] == df["agent_id"].shift())
        & (df["shift_date"] == df["shift_date"].shift())
        & (df["activity"] == df["activity"].shift())
        & (df["start"] == df["end"].shift())
    )
    run = (~same).cumsum()
    out = df.groupby(run, sort=False).agg(
        agent_id=("agent_id", "first"), site=("site", "first"), shift_date=("shift_date", "first"),
        start=("start", "first"), end=("end", "last"), activity=("activity", "first"),
    )  # fmt: skip
    return out.reset_index(drop=True)
