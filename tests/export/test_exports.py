"""Payroll, shift CSV, iCalendar and XLSX on the hand-computed roster of conftest.py."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import icalendar
import openpyxl
import pandas as pd
import pytest

from optimizer.calendars import calendars_of
from optimizer.check import check_roster
from optimizer.export import render
from optimizer.export.ics import agent_calendars
from optimizer.export.tables import local_shifts, payroll


def test_the_hand_roster_breaks_no_rule(hand):
    sc, roster = hand
    report = check_roster(sc, roster)
    assert report.ok, report.to_text()


def test_payroll_hours_and_cost_by_hand(hand):
    sc, roster = hand
    p = payroll(sc, roster)
    assert len(p) == 1
    r = p.iloc[0]
    assert (r.agent_id, r.site, r.week_start, r.currency) == ("A1", "LIS", "2027-03-22", "EUR")
    assert (r.regular_hours, r.night_hours, r.weekend_hours, r.holiday_hours) == (25, 7, 2, 14)
    assert (r.overtime_hours, r.paid_hours) == (8, 48)
    assert r.cost_site_currency == pytest.approx(703.75)
    assert r.cost_reporting_currency == pytest.approx(774.125)


def test_payroll_equals_what_check_recomputes(hand):
    sc, roster = hand
    p = payroll(sc, roster)
    k = check_roster(sc, roster).kpis
    assert p["paid_hours"].sum() == pytest.approx(k.paid_hours)
    assert p["cost_reporting_currency"].sum() == pytest.approx(k.total_cost)
    split = p[["regular_hours", "night_hours", "weekend_hours", "holiday_hours"]].sum(axis=1)
    assert (split == p["paid_hours"]).all()


def test_payroll_csv_has_the_documented_columns_and_rounded_money(hand):
    sc, roster = hand
    ((name, data),) = render(sc, roster, "payroll").items()
    assert name == "mini-payroll.csv"
    df = pd.read_csv(io.BytesIO(data))
    assert list(df.columns) == [
        "agent_id", "site", "week_start", "regular_hours", "night_hours", "weekend_hours",
        "holiday_hours", "overtime_hours", "paid_hours", "cost_site_currency", "currency",
        "cost_reporting_currency",
    ]  # fmt: skip
    assert (
        df.loc[0, "cost_reporting_currency"] == 774.12
        or df.loc[0, "cost_reporting_currency"] == 774.13
    )


def test_local_shift_csv_shows_wall_clock_times(hand):
    sc, roster = hand
    s = local_shifts(sc, roster).set_index("shift_date")
    assert s.loc["2027-03-22", "shift"] == "09:00–18:00"
    assert s.loc["2027-03-22", "queues"] == "PT-pt-voice → PT-pt-chat"
    dst = s.loc["2027-03-27"]
    assert (dst["shift"], dst["break"]) == ("22:00–08:00 +1", "02:00–03:00")
    assert dst["start_local"] == "2027-03-27T22:00:00+00:00"
    assert dst["end_local"] == "2027-03-28T08:00:00+01:00"
    assert dst["paid_hours"] == 8
    assert (dst["start_utc"], dst["end_utc"]) == ("2027-03-27T22:00:00Z", "2027-03-28T07:00:00Z")


def _events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_ics_events_land_on_the_right_utc_instants(hand):
    sc, roster = hand
    cals = agent_calendars(sc, roster, stamp=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert list(cals) == ["A1"]
    text = cals["A1"].decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Lisbon" in text
    assert "DTSTART;TZID=Europe/Lisbon:20270327T220000" in text
    assert "DTEND;TZID=Europe/Lisbon:20270328T080000" in text
    shifts = roster.shifts
    events = sorted(_events(cals["A1"]), key=lambda e: e.decoded("dtstart"))
    assert len(events) == len(shifts) == 6
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for ev, (_, sh) in zip(events, shifts.iterrows(), strict=True):
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        assert str(start.tzinfo) == "Europe/Lisbon"
        assert (start - epoch) // dt.timedelta(minutes=1) == sh["start"]
        assert (end - epoch) // dt.timedelta(minutes=1) == sh["end"]
    dst = next(e for e in events if e.decoded("dtstart").date() == dt.date(2027, 3, 27))
    # (same-zone datetimes subtract as wall clocks in Python: compare in UTC)
    real = dst.decoded("dtend").astimezone(dt.UTC) - dst.decoded("dtstart").astimezone(dt.UTC)
    assert real == dt.timedelta(hours=9)
    assert "Break: 02:00–03:00" in str(dst.get("description"))
    paid = [
        float(str(e.get("description")).split("Paid hours: ")[1].split("\n")[0]) for e in events
    ]
    assert sum(paid) == 48  # the hand-computed week, as in the payroll


def test_ics_zip_holds_one_valid_calendar_per_agent(hand):
    sc, roster = hand
    ((name, data),) = render(sc, roster, "ics").items()
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["A1.ics"]
        cal = icalendar.Calendar.from_ical(z.read("A1.ics"))
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    for ev in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
            assert required in ev


def _workbook(sc, roster):
    ((name, data),) = render(sc, roster, "xlsx").items()
    assert name.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(data)), data


def test_xlsx_site_sheet_is_an_agents_by_local_dates_grid(hand):
    sc, roster = hand
    wb, _ = _workbook(sc, roster)
    assert wb.sheetnames == ["LIS roster", "PT coverage", "Payroll", "Shifts"]
    ws = wb["LIS roster"]
    assert "Europe/Lisbon" in ws["A1"].value
    assert ws.freeze_panes == "E3"
    header = [c.value for c in ws[2]]
    col = header.index("Sat 27 Mar") + 1
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=1).value == "A1")
    assert ws.cell(row=row, column=col).value == "22:00–08:00 +1\nbreak 02:00–03:00"
    assert ws.cell(row=row, column=col).fill.fgColor.rgb.endswith("A6CEE3")  # language pt
    mon = header.index("Mon 22 Mar") + 1
    assert ws.cell(row=row, column=mon).value == "09:00–18:00\nbreak 13:00–14:00"
    legend = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
    assert "language pt (main queue of the shift)" in legend


def test_xlsx_payroll_and_coverage_sheets(hand):
    sc, roster = hand
    wb, _ = _workbook(sc, roster)
    pay = wb["Payroll"]
    header = [c.value for c in pay[2]]
    values = dict(zip(header, [c.value for c in pay[3]], strict=True))
    assert values["paid_hours"] == 48 and values["overtime_hours"] == 8
    assert values["cost_reporting_currency"] == pytest.approx(774.125)
    cov = wb["PT coverage"]
    rows = {
        c[0].value.date() if hasattr(c[0].value, "date") else c[0].value: c
        for c in cov.iter_rows(min_row=3)
    }
    mon = rows[dt.date(2027, 3, 22)]
    assert mon[1].value == pytest.approx(100.0)  # contacts that day
    assert mon[3].value == pytest.approx(8.0)  # scheduled agent-hours (voice 4 + chat 4)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_xlsx_converts_headless_with_libreoffice(hand, tmp_path):
    sc, roster = hand
    _, data = _workbook(sc, roster)
    src = tmp_path / "roster.xlsx"
    src.write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    assert (tmp_path / "roster.pdf").stat().st_size > 1000


def test_unknown_format_is_refused(hand):
    sc, roster = hand
    with pytest.raises(ValueError, match="unknown export format"):
        render(sc, roster, "pdf")


def test_good_friday_is_a_lisbon_holiday(hand):
    # the premise of the hand-computed holiday hours
    sc, _ = hand
    assert dt.date(2027, 3, 26) in calendars_of(sc).site_dates("LIS")


def test_on_a_solved_roster_payroll_and_cost_add_up_to_the_kpis():
    """The bundled tiny scenario, solved: payroll hours = roster paid hours, cost = check's."""
    from optimizer.export.cost import cost_report
    from optimizer.pipeline import prepare, run
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.stop import StopCriteria
    from tests.conftest import REPO

    sc = load_scenario(REPO / "scenarios" / "tiny.yaml")
    out = run(prepare(sc), StopCriteria(time_limit=5, gap=0.05, workers=2))
    report = check_roster(sc, out.roster)
    assert report.ok
    p = payroll(sc, out.roster)
    assert p["paid_hours"].sum() == pytest.approx(report.kpis.paid_hours)
    assert p["cost_reporting_currency"].sum() == pytest.approx(report.kpis.total_cost)
    assert cost_report(sc, out.roster).total_reporting == pytest.approx(report.kpis.total_cost)
    s = local_shifts(sc, out.roster)
    assert s["paid_hours"].sum() == pytest.approx(report.kpis.paid_hours)
