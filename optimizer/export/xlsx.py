"""The HR workbook: a roster sheet per site and week, a coverage sheet per
market and the payroll (xlsxwriter, see `sheets`). The flat list of shifts
is the shifts CSV (one row per stretch), not a sheet: it would be most of
the printed pages.

A roster sheet is one site's agents × the seven local dates of one week,
so each prints on one landscape page width. A cell holds the shift's local
times (`07:00–16:00`, `+1` when it ends the next day) and its break, filled
with the colour of the language the agent works most of that shift; leave,
public holidays the agent is not rostered on and contractual days off are
marked, and a holiday's name stands above its date. The legend under the
grid lists only that site's languages and the queues its agents work.
Coverage sheets hold the market's local dates inside the horizon only.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook

from optimizer.calendars import Calendars, calendars_of
from optimizer.export.sheets import (
    Formats,
    add_table,
    frame_sheet,
    new_workbook,
    print_setup,
    sheet_title,
    table_name,
)
from optimizer.export.spreadsheet import round_money
from optimizer.export.tables import HOUR_COLUMNS, local_shifts, payroll, week_of
from optimizer.kpi import coverage_table
from optimizer.pay import local_clock
from optimizer.roster import BREAK, Roster
from optimizer.scenario.clock import WEEKDAYS
from optimizer.scenario.model import Scenario, Site
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid

# colour-blind-friendly pastel palette (fills), cycled by language
PALETTE = (
    "A6CEE3", "B2DF8A", "FDBF6F", "CAB2D6", "FFFF99", "FB9A99",
    "8DD3C7", "BEBADA", "80B1D3", "FDB462", "B3DE69", "FCCDE5",
)  # fmt: skip
LEAVE_FILL = "D9D9D9"
HOLIDAY_FILL = "F2DCDB"
HOLIDAY_HEADER = "953735"
FIXED = ("Agent", "Name", "Team", "Languages")
EPOCH_DATE = dt.date(1970, 1, 1)
DAY_WIDTH = 18  # "break 12:30–13:30" on one line
ROW_HEIGHT = 30  # two lines: the shift, its break


def language_colours(scenario: Scenario) -> dict[str, str]:
    """A fill colour per language of the scenario's queues (the same on every sheet)."""
    langs = sorted({q.language for q in scenario.queues})
    return {lang: PALETTE[i % len(PALETTE)] for i, lang in enumerate(langs)}


def workbook(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
    *,
    week_start: Mapping[str, int] | None = None,
) -> bytes:
    """The whole workbook as XLSX bytes; weeks start on Monday unless `week_start`
    maps a site id to another weekday (Mon = 0)."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    req = requirements or compute_requirements(sc, TimeGrid.of(sc), cal)
    starts = dict(week_start or {})
    buf = io.BytesIO()
    wb = new_workbook(buf)
    fm = Formats(wb)
    sheets: set[str] = set()
    tables: set[str] = set()
    shifts = local_shifts(sc, roster)
    main = _main_language(sc, roster)
    shifts["language"] = [
        main.get(k, "")
        for k in zip(shifts["agent_id"].tolist(), shifts["shift_date"].tolist(), strict=True)
    ]
    colours = language_colours(sc)
    worked = _queues_by_site_language(sc, roster)
    for site in sc.sites:
        dates = pd.Series(sc.horizon.dates())
        weeks = week_of(dates, np.full(len(dates), starts.get(site.id, 0)))
        cells = _cells(shifts[shifts["site"] == site.id])
        for _, days in dates.groupby(weeks.to_numpy(), sort=True):
            first = days.iat[0]  # the week's first date inside the horizon
            title = sheet_title(f"{site.id} {first.isoformat()}", sheets)
            _site_week(wb, fm, title, tables, sc, site, list(days), cells, cal, colours, worked)
    cov = coverage_table(sc, req, roster)
    # rows are queue-major over the grid (Requirements.frame): each row's UTC minute
    cov["t"] = np.tile(req.grid.starts, len(req.queue_ids))
    for market in sc.markets:
        title = sheet_title(f"{market.id} coverage", sheets)
        frame, heading = _coverage(sc, market.id, cov)
        ws = frame_sheet(
            wb, fm, title, heading, frame, tables, num_formats={
                "contacts": "#,##0.0", "required agent-h": "#,##0.0",
                "scheduled agent-h": "#,##0.0", "under-cover agent-h": "#,##0.0",
                "service level": "0.0%", "SL target": "0.0%",
            },
        )  # fmt: skip
        if len(frame):  # a day below target in red
            ws.conditional_format(
                3, 5, 2 + len(frame), 5,
                {"type": "formula", "criteria": "=AND(ISNUMBER($F4),$F4<$G4)",
                 "format": fm.get(bold=True, font_color="#C00000")},
            )  # fmt: skip
    pay = payroll(sc, roster, cal, week_start=starts)
    for col, cur in (
        ("cost_local", pay["local_currency"]),
        ("cost_reporting", pay["reporting_currency"]),
    ):
        pay[col] = [float(round_money(v, c)) for v, c in zip(pay[col], cur, strict=True)]
    week_text = ", ".join(
        f"{s}: {WEEKDAYS[d]}–{WEEKDAYS[(d + 6) % 7]}" for s, d in sorted(starts.items()) if d
    )
    frame_sheet(
        wb, fm, sheet_title("Payroll", sheets),
        f"Payroll by agent and local week (Mon–Sun{'; ' + week_text if week_text else ''}); "
        f"costs in the site's currency and in {sc.currency}",
        pay, tables,
        num_formats={**dict.fromkeys([*HOUR_COLUMNS, "paid_hours"], "0.00"),
                     "cost_local": "#,##0.00", "cost_reporting": "#,##0.00"},
        freeze_cols=2,
    )  # fmt: skip
    wb.close()
    return buf.getvalue()


def _cells(shifts: pd.DataFrame) -> dict[tuple[str, dt.date], tuple[str, str]]:
    """(agent, shift date) → the cell's text (times, break) and the shift's main language."""
    text = [
        f"{s}\nbreak {b}" if b else s
        for s, b in zip(shifts["shift"].tolist(), shifts["break"].tolist(), strict=True)
    ]
    keys = zip(shifts["agent_id"].tolist(), shifts["shift_date"].tolist(), strict=True)
    return dict(zip(keys, zip(text, shifts["language"].tolist(), strict=True), strict=True))


def _main_language(sc: Scenario, roster: Roster) -> dict[tuple[str, dt.date], str]:
    """(agent, shift_date) → language of the queues with the most minutes."""
    seg = roster.segments
    work = seg[seg["activity"] != BREAK]
    if work.empty:
        return {}
    lang = {q.id: q.language for q in sc.queues}
    w = work.assign(minutes=work["end"] - work["start"], lang=work["activity"].map(lang))
    best = (
        w.dropna(subset=["lang"])
        .groupby(["agent_id", "shift_date", "lang"])["minutes"]
        .sum()
        .reset_index()
        .sort_values("minutes", ascending=False, kind="stable")
        .drop_duplicates(["agent_id", "shift_date"])
    )
    return {
        (a, d): str(x)
        for a, d, x in zip(best["agent_id"], best["shift_date"], best["lang"], strict=True)
    }


def _queues_by_site_language(sc: Scenario, roster: Roster) -> dict[str, dict[str, list[str]]]:
    """site → language → the queues of that language its agents work in the roster."""
    seg = roster.segments
    out: dict[str, dict[str, list[str]]] = {}
    queue = sc.queue_by_id
    pairs = seg[["site", "activity"]].drop_duplicates()
    for site, activity in sorted(
        zip(pairs["site"].tolist(), pairs["activity"].tolist(), strict=True)
    ):
        if activity in queue:
            out.setdefault(site, {}).setdefault(queue[activity].language, []).append(activity)
    return out


def _site_week(
    wb: Workbook,
    fm: Formats,
    title: str,
    tables: set[str],
    sc: Scenario,
    site: Site,
    days: list[dt.date],
    cells: dict[tuple[str, dt.date], tuple[str, str]],
    cal: Calendars,
    colours: dict[str, str],
    worked: dict[str, dict[str, list[str]]],
) -> None:
    ws = wb.add_worksheet(title)
    holidays = cal.site.get(site.id, {})
    ws.write_string(
        0, 0,
        f"{site.id} · {site.city or site.country} — week of {days[0]:%a %d %b %Y} · "
        f"shift times in {site.timezone} (site local time)",
        fm.title,
    )  # fmt: skip
    head, first = 2, len(FIXED)
    agents = [a for a in sc.agents if a.site == site.id]
    last = head + max(len(agents), 1)
    day_header = fm.get(
        bold=True, font_color="#FFFFFF", bg_color=f"#{HOLIDAY_HEADER}", align="center",
        valign="vcenter", border=1, border_color="#BFBFBF",
    )  # fmt: skip
    columns = [{"header": h, "header_format": fm.header} for h in FIXED] + [
        {"header": f"{d:%a %d %b}", "header_format": day_header if d in holidays else fm.header}
        for d in days
    ]
    add_table(ws, head, 0, last, first + len(days) - 1, columns, table_name(title, tables),
              banded_rows=False)  # fmt: skip
    note = fm.get(italic=True, font_size=9, font_color=f"#{HOLIDAY_HEADER}", text_wrap=True,
                  align="center", valign="bottom")  # fmt: skip
    for j, d in enumerate(days):
        if d in holidays:
            ws.write_string(1, first + j, holidays[d], note)
    base = {"align": "center", "valign": "vcenter", "text_wrap": True, "border": 1,
            "border_color": "#BFBFBF"}  # fmt: skip
    plain = fm.get(border=1, border_color="#BFBFBF", valign="vcenter")
    cell = fm.get(**base)
    fill = {lang: fm.get(**base, bg_color=f"#{colour}") for lang, colour in colours.items()}
    leave_fmt = fm.get(**base, bg_color=f"#{LEAVE_FILL}")
    holiday_fmt = fm.get(**base, bg_color=f"#{HOLIDAY_FILL}")
    text = ws.write_string
    for i, a in enumerate(agents, start=head + 1):
        for j, v in enumerate((a.id, a.name, a.team or "", ", ".join(a.languages))):
            text(i, j, v, plain)
        leave = set(a.leave)
        for j, d in enumerate(days, start=first):
            hit = cells.get((a.id, d))
            if hit is not None:
                text(i, j, hit[0], fill.get(hit[1], cell))
            elif d in leave:
                text(i, j, "leave", leave_fmt)
            elif d in holidays:
                text(i, j, "holiday", holiday_fmt)
            elif d.weekday() in a.days_off:
                text(i, j, "off", cell)
            else:
                ws.write_blank(i, j, None, cell)
        ws.set_row(i, ROW_HEIGHT)
    widths = (
        max([8, *(len(a.id) for a in agents)]) + 2,
        min(max([10, *(len(a.name) for a in agents)]) + 2, 28),
        min(max([6, *(len(a.team or "") for a in agents)]) + 2, 16),
        11,
    )
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.set_column(first, first + len(days) - 1, DAY_WIDTH)
    ws.set_row(1, 24)
    ws.set_row(head, 20)
    ws.freeze_panes(head + 1, 2)
    _legend(ws, fm, last + 2, sc, site, colours, worked.get(site.id, {}), bool(holidays))
    print_setup(ws, (1, head))


def _legend(
    ws, fm: Formats, row: int, sc: Scenario, site: Site, colours: dict[str, str],
    worked: dict[str, list[str]], any_holiday: bool,
) -> None:  # fmt: skip
    """The site's own legend: its languages (by the queues its agents work) and marks."""
    box = {"border": 1, "border_color": "#BFBFBF", "align": "center"}
    ws.write_string(row, 0, "Legend", fm.get(bold=True))
    row += 1
    for lang in sorted(worked):
        ws.write_string(row, 0, lang, fm.get(**box, bg_color=f"#{colours.get(lang, 'FFFFFF')}"))
        ws.write_string(row, 1, f"language {lang}: most of the shift on {', '.join(worked[lang])}")
        row += 1
    rules = sc.rules_of(site)
    premium = rules.premiums.holiday
    holiday_pay = (
        f"a shift on a public holiday is paid the holiday premium (×{premium:g})"
        if premium > 1
        else "no holiday premium in this site's rules"
    )
    marks = [
        ("leave", LEAVE_FILL, "on leave"),
        ("holiday", HOLIDAY_FILL, "public holiday at the site, agent not rostered"
         + (f"; {holiday_pay}" if any_holiday else "")),
        ("off", None, "contractual day off"),
        ("+1", None, "the shift ends on the next local day"),
    ]  # fmt: skip
    for mark, fill, text in marks:
        ws.write_string(row, 0, mark, fm.get(**box, **({"bg_color": f"#{fill}"} if fill else {})))
        ws.write_string(row, 1, text)
        row += 1
    ws.write_string(
        row, 1, "a holiday's name stands above its date; times are the site's wall clock"
    )


def _coverage(sc: Scenario, market_id: str, cov: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Per local date of the market inside the horizon: required vs scheduled
    agent-hours, shortfall, service level against target. `cov` is the coverage
    table with each row's UTC minute `t`."""
    market = sc.market_by_id[market_id]
    heading = (
        f"{market.id} (tier {market.tier}) — coverage per local date in {market.timezone}, "
        f"{sc.horizon.start:%d %b} – {sc.horizon.end - dt.timedelta(days=1):%d %b %Y}"
    )
    cols = ["date", "contacts", "required agent-h", "scheduled agent-h", "under-cover agent-h",
            "service level", "SL target"]  # fmt: skip
    queues = {q.id: q for q in sc.queues if q.market == market_id}
    c = cov[cov["queue"].isin(queues)]
    if c.empty:
        return pd.DataFrame(columns=cols), heading
    local_day, _, _ = local_clock(market.timezone, c["t"].to_numpy(np.int64))
    day = local_day - (sc.horizon.start - EPOCH_DATE).days  # 0 … days-1 inside the horizon
    inside = (day >= 0) & (day < sc.horizon.days)
    day = day[inside]
    required, scheduled = (
        c["required"].to_numpy(float)[inside],
        c["scheduled"].to_numpy(float)[inside],
    )
    contacts = c["contacts"].to_numpy(float)[inside]
    email = {q for q, spec in queues.items() if spec.channel == "email"}
    live = ~c["queue"].isin(email).to_numpy(bool)[inside]
    sl = c["service_level"].to_numpy(float)[inside]
    ok = live & ~np.isnan(sl)
    n = sc.horizon.days

    def per_day(values: np.ndarray) -> np.ndarray:
        return np.bincount(day, weights=values, minlength=n)

    w = per_day(np.where(ok, contacts, 0.0))
    slw = per_day(np.where(ok, np.nan_to_num(sl) * contacts, 0.0))
    h = sc.horizon.interval_minutes / 60.0
    tier = sc.tiers[market.tier]
    levels = [tier.sla[q.channel].level for q in queues.values() if q.channel in tier.sla]
    target = max((x for x in levels if x is not None), default=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(w > 0, slw / w, np.nan)
    out = pd.DataFrame(
        {
            "date": sc.horizon.dates(), "contacts": per_day(contacts),
            "required agent-h": per_day(required) * h, "scheduled agent-h": per_day(scheduled) * h,
            "under-cover agent-h": per_day(np.clip(required - scheduled, 0, None)) * h,
            "service level": level, "SL target": target,
        }
    )  # fmt: skip
    return out, heading
