"""Exports for HR and finance, all derived from a roster + its scenario.

`render(scenario, roster, fmt)` gives `{file name: bytes}` for one format —
the CLI writes them, the dashboard offers them as downloads. What each file
holds: docs/exports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from optimizer.calendars import Calendars, calendars_of
from optimizer.export.ics import agent_calendars, ics_zip
from optimizer.export.spreadsheet import csv_bytes
from optimizer.export.tables import payroll, payroll_money, stretches
from optimizer.export.xlsx import workbook
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.requirements import Requirements

FORMATS = ("xlsx", "csv", "ics", "payroll")


def file_name(scenario: Scenario, fmt: str) -> str:
    """The default file name of an export format."""
    kind = {"xlsx": "roster.xlsx", "csv": "shifts.csv", "ics": "calendars.zip",
            "payroll": "payroll.csv"}  # fmt: skip
    if fmt not in kind:
        raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return f"{scenario.scenario}-{kind[fmt]}"


def render(
    scenario: Scenario,
    roster: Roster,
    fmt: str,
    *,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
    stamp: dt.datetime | None = None,
    previous: Mapping[str, bytes] | None = None,
    per_day: bool = False,
    week_start: Mapping[str, int] | None = None,
    bom: bool = True,
) -> dict[str, bytes]:
    """The files of export format `fmt` (one of FORMATS) as `{name: bytes}`.

    `ics` is one zip of the agents' calendars here (`stamp` and `previous` as
    in `ics.agent_calendars`); `per_day` and `week_start` shape the payroll
    (and the workbook's weeks); `bom=False` leaves the byte-order mark out of
    the CSV files."""
    name = file_name(scenario, fmt)
    cal = calendars or calendars_of(scenario)
    if fmt == "xlsx":
        return {name: workbook(scenario, roster, cal, requirements, week_start=week_start)}
    if fmt == "csv":
        return {name: csv_bytes(stretches(scenario, roster), bom=bom)}
    if fmt == "payroll":
        df = payroll(scenario, roster, cal, per_day=per_day, week_start=week_start)
        money, money_in = payroll_money(scenario)
        return {name: csv_bytes(df, money=money, money_in=money_in, bom=bom)}
    return {name: ics_zip(agent_calendars(scenario, roster, stamp, previous))}


def contents(fmt: str, files: Mapping[str, bytes]) -> dict[str, Any]:
    """What the files of export format `fmt` hold, read back from their bytes:
    the workbook's `sheets` and their `sheet_names`, a CSV's data `rows`, or
    the `calendars` (one per file) with their `events`, of which `cancelled`."""
    if fmt == "xlsx":
        sheets: list[str] = []
        for data in files.values():
            book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode("utf-8")
            sheets += [html.unescape(s) for s in re.findall(r'<sheet name="([^"]*)"', book)]
        return {"sheets": len(sheets), "sheet_names": sheets}
    if fmt in ("csv", "payroll"):
        rows = sum(
            max(sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1, 0)
            for data in files.values()
        )
        return {"rows": rows}
    if fmt == "ics":
        return {
            "calendars": len(files),
            "events": sum(data.count(b"BEGIN:VEVENT\r\n") for data in files.values()),
            "cancelled": sum(data.count(b"\r\nSTATUS:CANCELLED\r\n") for data in files.values()),
        }
    raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "contents", "csv_bytes", "file_name", "render"]
