"""The HR workbook (openpyxl): a roster sheet per site, a coverage sheet per
market, payroll and the shift list.

Site sheets are agents × local dates: each cell holds the shift's local
times (`07:00–16:00`) and its break, filled with the colour of the language
of the queue the agent spends most of the shift on; leave and closed
holidays are marked. Times are the site's wall clock (its zone is in the
title). Headers are frozen and columns sized so the sheet prints.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.calendars import Calendars, calendars_of
from optimizer.export.tables import local_hhmm, local_shifts, payroll
from optimizer.kpi import coverage_table
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid

# colour-blind-friendly pastel palette (fills), cycled by language
PALETTE = (
    "A6CEE3", "B2DF8A", "FDBF6F", "CAB2D6", "FFFF99", "FB9A99",
    "8DD3C7", "BEBADA", "80B1D3", "FDB462", "B3DE69", "FCCDE5",
)  # fmt: skip
LEAVE_FILL = "D9D9D9"
HOLIDAY_FILL = "EFEFEF"
HEADER_FILL = "1F3864"
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (≤ 31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def language_colours(scenario: Scenario) -> dict[str, str]:
    langs = sorted({q.language for q in scenario.queues})
    return {lang: PALETTE[i % len(PALETTE)] for i, lang in enumerate(langs)}


def workbook(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
) -> bytes:
    """The whole workbook as XLSX bytes."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    req = requirements or compute_requirements(sc, TimeGrid.of(sc), cal)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    shifts = local_shifts(sc, roster)
    colours = language_colours(sc)
    main_lang = _main_language(sc, roster)
    for site in sc.sites:
        ws = wb.create_sheet(sheet_title(f"{site.id} roster", taken))
        _site_sheet(ws, sc, site.id, shifts, main_lang, colours, cal)
    cov = coverage_table(sc, req, roster)
    for market in sc.markets:
        ws = wb.create_sheet(sheet_title(f"{market.id} coverage", taken))
        _coverage_sheet(ws, sc, market.id, cov)
    _table_sheet(
        wb.create_sheet(sheet_title("Payroll", taken)),
        payroll(sc, roster, cal),
        f"Payroll by agent and local week (costs in site currency and {sc.currency})",
    )
    _table_sheet(
        wb.create_sheet(sheet_title("Shifts", taken)),
        shifts,
        "Every shift in the site's local time",
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _main_language(sc: Scenario, roster: Roster) -> dict[tuple[str, dt.date], str]:
    """(agent, shift_date) → language of the queue with the most minutes."""
    seg = roster.segments
    work = seg[seg["activity"] != BREAK]
    if work.empty:
        return {}
    lang = {q.id: q.language for q in sc.queues}
    w = work.assign(minutes=work["end"] - work["start"], lang=work["activity"].map(lang))
    best = (
        w.groupby(["agent_id", "shift_date", "lang"])["minutes"]
        .sum()
        .reset_index()
        .sort_values("minutes", ascending=False, kind="stable")
        .drop_duplicates(["agent_id", "shift_date"])
    )
    return {
        (a, d): str(x)
        for a, d, x in zip(best["agent_id"], best["shift_date"], best["lang"], strict=True)
    }


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for j, v in enumerate(values, start=1):
        c = ws.cell(row=row, column=j, value=v)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = BOX


def _site_sheet(
    ws: Worksheet,
    sc: Scenario,
    site_id: str,
    shifts: pd.DataFrame,
    main_lang: dict[tuple[str, dt.date], str],
    colours: dict[str, str],
    cal: Calendars,
) -> None:
    site = sc.site_by_id[site_id]
    dates = sc.horizon.dates()
    ws.cell(
        row=1,
        column=1,
        value=f"{site.id} — {site.city or site.country} · shift times in {site.timezone} (site local time)",
    ).font = Font(bold=True, size=13)
    fixed = ["Agent", "Name", "Team", "Languages"]
    _header(ws, 2, fixed + [d.strftime("%a %d %b") for d in dates])
    agents = [a for a in sc.agents if a.site == site_id]
    cells = {
        (r["agent_id"], r["shift_date"]): r
        for r in shifts[shifts["site"] == site_id].to_dict("records")
    }
    holidays = cal.site_dates(site_id)
    for i, a in enumerate(agents, start=3):
        for j, v in enumerate([a.id, a.name, a.team or "", ", ".join(a.languages)], start=1):
            ws.cell(row=i, column=j, value=v).border = BOX
        leave = set(a.leave)
        for j, d in enumerate(dates, start=len(fixed) + 1):
            c = ws.cell(row=i, column=j)
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.border = BOX
            r = cells.get((a.id, d.isoformat()))
            if r is not None:
                text = r["shift"] + (f"\nbreak {r['break']}" if r["break"] else "")
                c.value = text
                lang = main_lang.get((a.id, d))
                if lang in colours:
                    c.fill = PatternFill("solid", fgColor=colours[lang])
            elif d in leave:
                c.value = "leave"
                c.fill = PatternFill("solid", fgColor=LEAVE_FILL)
            elif d in holidays:
                c.value = "holiday" if site.holidays == "off" else "hol."
                c.fill = PatternFill("solid", fgColor=HOLIDAY_FILL)
            elif d.weekday() in a.days_off:
                c.value = "off"
    ws.freeze_panes = ws.cell(row=3, column=len(fixed) + 1)
    for j, width in enumerate([12, 24, 10, 12], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for j in range(len(fixed) + 1, len(fixed) + len(dates) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14
    for i in range(3, len(agents) + 3):
        ws.row_dimensions[i].height = 30
    # legend below the grid
    row = len(agents) + 5
    ws.cell(row=row, column=1, value="Legend").font = Font(bold=True)
    for k, (lang, colour) in enumerate(colours.items(), start=1):
        ws.cell(row=row + k, column=1).fill = PatternFill("solid", fgColor=colour)
        ws.cell(row=row + k, column=2, value=f"language {lang} (main queue of the shift)")
    k = len(colours) + 1
    ws.cell(row=row + k, column=1, value="leave").fill = PatternFill("solid", fgColor=LEAVE_FILL)
    ws.cell(row=row + k, column=2, value="on leave")
    ws.cell(row=row + k + 1, column=1, value="holiday").fill = PatternFill(
        "solid", fgColor=HOLIDAY_FILL
    )
    ws.cell(row=row + k + 1, column=2, value="site public holiday (hol. = worked at a premium)")
    ws.cell(row=row + k + 2, column=1, value="off")
    ws.cell(row=row + k + 2, column=2, value="contractual day off")
    ws.cell(row=row + k + 3, column=1, value="+1")
    ws.cell(row=row + k + 3, column=2, value="shift ends on the next local day")


def _coverage_sheet(ws: Worksheet, sc: Scenario, market_id: str, cov: pd.DataFrame) -> None:
    """Per local date of the market: required vs scheduled agent-hours, SL."""
    market = sc.market_by_id[market_id]
    queues = [q.id for q in sc.queues if q.market == market_id]
    c = cov[cov["queue"].isin(queues)].copy()
    ws.cell(
        row=1,
        column=1,
        value=f"{market.id} (tier {market.tier}) — coverage per day in {market.timezone}",
    ).font = Font(bold=True, size=13)
    cols = [
        "date", "contacts", "required agent-h", "scheduled agent-h", "under-cover agent-h",
        "service level", "SL target",
    ]  # fmt: skip
    _header(ws, 2, cols)
    if c.empty:
        return
    interval_h = sc.horizon.interval_minutes / 60.0
    t = (
        pd.to_datetime(c["interval_start_utc"], utc=True) - pd.Timestamp(0, tz="UTC")
    ) // pd.Timedelta(minutes=1)
    dates, _ = local_hhmm(np.full(len(c), market.timezone, dtype=object), t.to_numpy())
    c["date"] = dates
    c["short"] = (c["required"] - c["scheduled"]).clip(lower=0)
    live = c["queue"].map({q.id: q.channel != "email" for q in sc.queues}).astype(bool)
    c["slw"] = np.where(live & c["service_level"].notna(), c["service_level"] * c["contacts"], 0.0)
    c["w"] = np.where(live & c["service_level"].notna(), c["contacts"], 0.0)
    g = c.groupby("date").agg(
        contacts=("contacts", "sum"), required=("required", "sum"), scheduled=("scheduled", "sum"),
        short=("short", "sum"), slw=("slw", "sum"), w=("w", "sum"),
    )  # fmt: skip
    tier = sc.tiers[market.tier]
    levels = [tier.sla[q.channel].level for q in sc.queues if q.market == market_id]
    target = max((x for x in levels if x is not None), default=None)
    for i, (d, r) in enumerate(g.iterrows(), start=3):
        sl = r["slw"] / r["w"] if r["w"] > 0 else None
        values = [
            d, round(float(r["contacts"]), 1), r["required"] * interval_h,
            r["scheduled"] * interval_h, r["short"] * interval_h, sl, target,
        ]  # fmt: skip
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=v)
            cell.border = BOX
            if j >= 6:
                cell.number_format = "0.0%"
            elif j == 1:
                cell.number_format = "yyyy-mm-dd ddd"
            else:
                cell.number_format = "#,##0.0"
            if j == 6 and sl is not None and target is not None and sl < target:
                cell.font = Font(color="C00000", bold=True)
    ws.freeze_panes = "B3"
    for j, width in enumerate([16, 11, 16, 17, 19, 13, 10], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def _table_sheet(ws: Worksheet, df: pd.DataFrame, title: str) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    _header(ws, 2, [str(c) for c in df.columns])
    for i, row in enumerate(df.itertuples(index=False), start=3):
        for j, v in enumerate(row, start=1):
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            cell = ws.cell(row=i, column=j, value=v)
            if isinstance(v, float):
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "B3"
    for j, col in enumerate(df.columns, start=1):
        longest = max([len(str(col)), *(len(str(x)) for x in df[col].head(200))], default=8)
        ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 40)
