"""The HR workbook, read back with openpyxl and printed by LibreOffice as a planner would."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import warnings

import openpyxl
import pytest

from optimizer.export import render
from optimizer.export.xlsx import PALETTE
from tests.export.conftest import INJECTION, hand_data, hand_roster

PT_FILL = PALETTE[0]  # the only language of the hand scenario's site: pt


def book(sc, roster, **kw) -> tuple[openpyxl.Workbook, bytes]:
    ((name, data),) = render(sc, roster, "xlsx", **kw).items()
    assert name.endswith("-roster.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Workbook contains no default style"
        return openpyxl.load_workbook(io.BytesIO(data)), data


def column_of(ws, header_row: int, header: str) -> int:
    return next(c.column for c in ws[header_row] if c.value == header)


def row_of(ws, agent_id: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == agent_id)


def with_a_far_market(d: dict) -> dict:
    """A market in New York with a Spanish queue no Lisbon agent speaks."""
    d["markets"].append({"id": "US", "country": "US", "timezone": "America/New_York", "tier": "T1"})
    d["queues"].append(
        {
            "id": "US-es-voice",
            "market": "US",
            "language": "es",
            "channel": "voice",
            "aht_seconds": 300,
        }
    )
    d["demand"].append(["US-es-voice", "2027-03-01T12:00:00Z", 10])
    return d


def test_a_sheet_per_site_and_week_then_coverage_and_payroll(hand):
    sc, roster = hand
    wb, _ = book(sc, roster)
    weeks = ["2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-03-29"]
    assert wb.sheetnames == [f"LIS {w}" for w in weeks] + ["PT coverage", "Payroll"]
    ws = wb["LIS 2027-03-22"]
    assert "Europe/Lisbon" in ws["A1"].value and "Mon 22 Mar 2027" in ws["A1"].value
    header = [c.value for c in ws[3]]
    assert header == ["Agent", "Name", "Team", "Languages", "Mon 22 Mar", "Tue 23 Mar",
                      "Wed 24 Mar", "Thu 25 Mar", "Fri 26 Mar", "Sat 27 Mar", "Sun 28 Mar"]  # fmt: skip
    row = row_of(ws, "A1")
    sat = ws.cell(row=row, column=column_of(ws, 3, "Sat 27 Mar"))
    assert sat.value == "22:00–08:00 +1\nbreak 02:00–03:00"
    assert sat.fill.fgColor.rgb.endswith(PT_FILL)
    mon = ws.cell(row=row, column=column_of(ws, 3, "Mon 22 Mar"))
    assert mon.value == "09:00–18:00\nbreak 13:00–14:00"


def test_cells_are_wide_enough_for_a_break_on_one_line(hand):
    sc, roster = hand
    wb, _ = book(sc, roster)
    ws = wb["LIS 2027-03-22"]
    col = ws.cell(row=3, column=column_of(ws, 3, "Mon 22 Mar")).column_letter
    assert ws.column_dimensions[col].width >= len("break 12:30–13:30")
    grid = ws.iter_rows(min_row=4, max_row=3 + len(sc.agents), min_col=5)
    lines = [line for r in grid for c in r if c.value for line in c.value.splitlines()]
    assert lines and max(len(x) for x in lines) <= ws.column_dimensions[col].width
    assert all(len(c.value.splitlines()) <= 2 for r in ws.iter_rows(min_row=4, max_row=4, min_col=5)
               for c in r if c.value)  # fmt: skip


def test_holidays_are_marked_truthfully(hand):
    """Good Friday, not rostered: 'holiday'. Easter Sunday, rostered: the shift, under
    the holiday's name; the legend says what a shift on a holiday is paid."""
    sc, roster = hand
    ws = book(sc, roster)[0]["LIS 2027-03-22"]
    row = row_of(ws, "A1")
    fri, sun = column_of(ws, 3, "Fri 26 Mar"), column_of(ws, 3, "Sun 28 Mar")
    assert ws.cell(row=row, column=fri).value == "holiday"
    assert ws.cell(row=2, column=fri).value == "Good Friday"
    assert ws.cell(row=row, column=sun).value.startswith("22:00–07:00 +1")
    assert ws.cell(row=2, column=sun).value == "Easter Sunday"
    legend = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
              for r in range(row + 2, ws.max_row + 1)}  # fmt: skip
    assert legend["holiday"] == (
        "public holiday at the site, agent not rostered; "
        "a shift on a public holiday is paid the holiday premium (×2)"
    )
    assert "worked at a premium" not in " ".join(str(v) for v in legend.values())


def test_the_legend_lists_only_the_sites_own_languages_and_queues(load):
    sc = load(with_a_far_market(hand_data()))
    ws = book(sc, hand_roster())[0]["LIS 2027-03-22"]
    cells = [str(c.value) for r in ws.iter_rows(min_row=5) for c in r if c.value]
    assert "language pt: most of the shift on PT-pt-chat, PT-pt-voice" in cells
    assert not any("language es" in c or "US-es-voice" in c for c in cells)


def test_coverage_sheets_hold_the_horizons_local_dates_only(load):
    """New York's grid starts on 28 Feb local time (Lisbon's midnight of 1 Mar) and
    ends on 5 Apr: those partial days are left out."""
    sc = load(with_a_far_market(hand_data()))
    wb = book(sc, hand_roster())[0]
    for name in ("US coverage", "PT coverage"):
        ws = wb[name]
        dates = [r[0].value.date() for r in ws.iter_rows(min_row=4) if r[0].value is not None]
        assert dates == sc.horizon.dates(), name
    pt = {r[0].value.date(): r for r in wb["PT coverage"].iter_rows(min_row=4)}
    mon = pt[dt.date(2027, 3, 22)]
    assert mon[1].value == pytest.approx(100.0)  # contacts that day
    assert mon[3].value == pytest.approx(8.0)  # scheduled agent-hours (voice 4 + chat 4)
    assert mon[5].number_format == "0.0%"


def test_payroll_holds_real_dates_and_numbers(hand):
    sc, roster = hand
    wb, _ = book(sc, roster)
    pay = wb["Payroll"]
    # headers are the CSV's column names with spaces, so they wrap
    header = [c.value.replace(" ", "_") for c in pay[3]]
    values = dict(zip(header, [c.value for c in pay[4]], strict=True))
    assert values["week_start"] == dt.datetime(2027, 3, 22)
    assert values["week_end"] == dt.datetime(2027, 3, 28)
    assert (values["paid_hours"], values["overtime_night_hours"]) == (48, 5)
    assert (values["cost_local"], values["cost_reporting"]) == (703.75, 774.13)
    assert (values["local_currency"], values["reporting_currency"]) == ("EUR", "USD")


def test_every_sheet_is_a_table_with_a_frozen_header_set_up_to_print(hand):
    sc, roster = hand
    wb, _ = book(sc, roster)
    for ws in wb.worksheets:
        (table,) = ws.tables.values()
        assert table.ref.startswith("A3:") and table.autoFilter is not None, ws.title
        assert ws.freeze_panes in ("B4", "C4"), ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # one page wide (1 is the default, left out of the file), as many pages down as need be
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows, ws.title


def test_text_is_never_a_formula(hostile):
    """An agent named =HYPERLINK("x") and a team +1 stay text."""
    sc, roster = hostile
    wb, _ = book(sc, roster)
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    site = wb["LIS 2027-03-22"]
    row = row_of(site, "A2")
    assert [site.cell(row=row, column=k).value for k in (2, 3)] == [INJECTION, "+1"]
    pay = wb["Payroll"]
    names = {r[1].value: r[2].value for r in pay.iter_rows(min_row=4)}
    assert names[INJECTION] == "+1"


def test_a_site_may_start_its_weeks_on_saturday(hand):
    sc, roster = hand
    wb, _ = book(sc, roster, week_start={"LIS": 5})
    assert wb.sheetnames[:2] == ["LIS 2027-03-01", "LIS 2027-03-06"]  # Mon 1 (partial), Sat 6
    assert [c.value for c in wb["LIS 2027-03-06"][3]][4] == "Sat 06 Mar"


# ---------------------------------------------------------------- printed by LibreOffice


def _first_page(pdf, tmp_path) -> tuple[bytes, str]:
    """Page 1 of a PDF as PNG bytes and its text: poppler's tools, else PyMuPDF."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(tmp_path / "page1")], check=True, timeout=120)  # fmt: skip
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                              check=True, capture_output=True, text=True, timeout=120).stdout  # fmt: skip
        return (tmp_path / "page1.png").read_bytes(), text
    try:
        import fitz  # PyMuPDF
    except ImportError:
        pytest.skip(
            "NOT RUN: rendering page 1 needs poppler-utils (pdftoppm, pdftotext) or PyMuPDF",
        )
    with fitz.open(pdf) as doc:
        page = doc[0]
        return page.get_pixmap(dpi=50).tobytes("png"), page.get_text()


@pytest.mark.skipif(
    not shutil.which("soffice"),
    reason="NOT RUN: LibreOffice (soffice) is not installed — the workbook was not printed",
)
def test_libreoffice_prints_the_shifts_on_page_one_in_landscape(load, tmp_path):
    d = hand_data()
    d["horizon"].update(start="2027-03-22", days=8)
    sc = load(d)
    _, data = book(sc, hand_roster())
    src = tmp_path / "roster.xlsx"
    src.write_bytes(data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "roster.pdf"
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    # two site weeks (7 days, then 1), PT coverage and Payroll: one page each
    assert pages == 4
    png, text = _first_page(pdf, tmp_path)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height  # landscape
    for shift in ("09:00–18:00", "22:00–08:00 +1", "break 02:00–03:00", "Sat 27 Mar"):
        assert shift in text, f"{shift!r} not on page 1:\n{text}"
    try:
        from PIL import Image
    except ImportError:
        return
    image = Image.open(io.BytesIO(png)).convert("RGB")
    fill = tuple(int(PT_FILL[k : k + 2], 16) for k in (0, 2, 4))
    assert sum(n for n, rgb in image.getcolors(1 << 20) if rgb == fill) > 100  # coloured shifts
