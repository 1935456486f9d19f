"""Exports for HR and finance, all derived from a roster + its scenario.

`render(scenario, roster, fmt)` gives `{file name: bytes}` for one format —
the CLI writes them, the dashboard offers them as downloads.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.export.ics import agent_calendars, ics_zip
from optimizer.export.tables import local_shifts, payroll
from optimizer.export.xlsx import workbook
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.requirements import Requirements

FORMATS = ("xlsx", "csv", "ics", "payroll")


def csv_bytes(df: pd.DataFrame, money: tuple[str, ...] = ()) -> bytes:
    """A table as UTF-8 CSV with `\\n` line ends; `money` columns to 2 decimals."""
    out = df.copy()
    for c in money:
        if c in out:
            out[c] = out[c].astype(float).round(2)
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def render(
    scenario: Scenario,
    roster: Roster,
    fmt: str,
    *,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
    stamp: dt.datetime | None = None,
) -> dict[str, bytes]:
    """The files of export format `fmt` (one of FORMATS) as `{name: bytes}`."""
    name = scenario.scenario
    cal = calendars or calendars_of(scenario)
    if fmt == "xlsx":
        return {f"{name}-roster.xlsx": workbook(scenario, roster, cal, requirements)}
    if fmt == "csv":
        return {f"{name}-shifts.csv": csv_bytes(local_shifts(scenario, roster))}
    if fmt == "payroll":
        df = payroll(scenario, roster, cal)
        return {
            f"{name}-payroll.csv": csv_bytes(
                df, money=("cost_site_currency", "cost_reporting_currency")
            )
        }
    if fmt == "ics":
        return {f"{name}-calendars.zip": ics_zip(agent_calendars(scenario, roster, stamp))}
    raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "csv_bytes", "render"]
