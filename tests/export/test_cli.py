"""`sunroster export` and `sunroster cost`: files written, exit code 2 on bad input."""

from __future__ import annotations

import io
import json
import re
import zipfile

import icalendar
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.load import load_scenario
from tests import factory
from tests.export.conftest import hand_data, hand_roster, hostile_data, hostile_roster

BOM = b"\xef\xbb\xbf"

runner = CliRunner()


@pytest.fixture
def solved(tmp_path):
    """The hand scenario and its roster.csv in an output folder."""
    path = factory.write(tmp_path / "sc", hand_data())
    out = tmp_path / "out"
    out.mkdir()
    hand_roster().to_frame(load_scenario(path)).to_csv(out / "roster.csv", index=False)
    return path, out


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("xlsx", "mini-roster.xlsx"), ("csv", "mini-shifts.csv"), ("ics", "mini-calendars"),
     ("payroll", "mini-payroll.csv")],
)  # fmt: skip
def test_export_writes_each_format(solved, fmt, name):
    path, out = solved
    res = runner.invoke(app, ["export", str(path), str(out), "--format", fmt])
    assert res.exit_code == 0, res.output
    assert (out / name).stat().st_size > 100


def test_export_to_a_chosen_path(solved, tmp_path):
    path, out = solved
    target = tmp_path / "hr" / "ana.zip"
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics", "-o", str(target)])
    assert res.exit_code == 0, res.output
    assert zipfile.ZipFile(target).namelist() == ["A1.ics"]


def test_cost_prints_and_writes_the_tables(solved, tmp_path):
    path, out = solved
    res = runner.invoke(app, ["cost", str(path), str(out), "-o", str(tmp_path / "fin")])
    assert res.exit_code == 0, res.output
    assert "FX sensitivity" in res.output and "774" in res.output
    t = pd.read_csv(tmp_path / "fin" / "fx_sensitivity.csv")
    assert t["total"].tolist() == [696.71, 851.54]  # 774.125 × 0.9 and × 1.1, to the cent
    assert (tmp_path / "fin" / "cost.xlsx").exists()


def test_cost_with_an_fx_override(solved, tmp_path):
    path, out = solved
    res = runner.invoke(
        app, ["cost", str(path), str(out), "--fx", "EUR=1.2", "-o", str(tmp_path / "f")]
    )
    assert res.exit_code == 0, res.output
    by = pd.read_csv(tmp_path / "f" / "cost_by_site_week_premium.csv")
    assert by["cost_reporting"].sum() == pytest.approx(703.75 * 1.2)


def test_bad_inputs_exit_2_and_write_nothing(solved, tmp_path):
    path, out = solved
    res = runner.invoke(app, ["cost", str(path), str(out), "--fx", "GBP=1.2"])
    assert res.exit_code == 2 and "GBP" in res.output and "Traceback" not in res.output
    assert not (out / "cost").exists()
    empty = tmp_path / ("an-empty-folder-with-a-name-longer-than-a-terminal-line-" * 2)
    empty.mkdir()
    res = runner.invoke(app, ["export", str(path), str(empty), "-f", "csv"])
    # the path is printed whole on one line, however long (never wrapped by rich)
    assert res.exit_code == 2 and str(empty / "roster.csv") in res.output
    assert list(empty.iterdir()) == []
    bad = pd.read_csv(out / "roster.csv")
    bad.loc[2, "start_utc"] = "yesterday"
    bad.to_csv(out / "roster.csv", index=False)
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "payroll"])
    assert res.exit_code == 2 and "row 3" in res.output and "start_utc" in res.output
    assert not (out / "mini-payroll.csv").exists()


def test_export_roundtrips_through_csv(solved):
    path, out = solved
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "csv"])
    assert res.exit_code == 0
    df = pd.read_csv(out / "mini-shifts.csv", encoding="utf-8-sig")
    assert len(df) == len(hand_roster().segments) and set(df["timezone"]) == {"Europe/Lisbon"}


# ---------------------------------------------------------------- where the files go


def test_dash_writes_a_single_file_format_to_stdout(solved):
    path, out = solved
    before = set(out.iterdir())
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "payroll", "-o", "-"])
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes.startswith(BOM)
    df = pd.read_csv(io.BytesIO(res.stdout_bytes), encoding="utf-8-sig")
    assert df["paid_hours"].tolist() == [48]
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "xlsx", "-o", "-"])
    assert res.exit_code == 0 and res.stdout_bytes[:2] == b"PK"  # a zip container: the XLSX
    assert set(out.iterdir()) == before  # nothing written, no file named '-'


def test_output_onto_an_existing_folder_is_refused_for_a_single_file(solved, tmp_path):
    path, out = solved
    folder = tmp_path / "hr"
    folder.mkdir()
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "xlsx", "-o", str(folder)])
    assert res.exit_code == 2 and "is a folder" in res.output
    assert "Traceback" not in res.output and list(folder.iterdir()) == []


def test_calendars_go_to_a_folder_a_zip_or_one_ics(solved, tmp_path):
    path, out = solved
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics"])
    assert res.exit_code == 0, res.output
    assert [p.name for p in (out / "mini-calendars").iterdir()] == ["A1.ics"]
    target = tmp_path / "all.zip"
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics", "-o", str(target)])
    assert res.exit_code == 0 and zipfile.ZipFile(target).namelist() == ["A1.ics"]
    one = tmp_path / "ana.ics"
    res = runner.invoke(
        app, ["export", str(path), str(out), "-f", "ics", "--agent", "A1", "-o", str(one)]
    )
    assert res.exit_code == 0, res.output
    assert icalendar.Calendar.from_ical(one.read_bytes())["METHOD"] == "PUBLISH"
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics", "-o", "-"])
    assert res.exit_code == 0 and res.stdout_bytes.startswith(b"BEGIN:VCALENDAR")


def test_an_ics_file_is_refused_for_several_calendars(tmp_path):
    path = factory.write(tmp_path / "sc", hostile_data())
    out = tmp_path / "out"
    out.mkdir()
    hostile_roster().to_frame(load_scenario(path)).to_csv(out / "roster.csv", index=False)
    target = tmp_path / "all.ics"
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics", "-o", str(target)])
    assert res.exit_code == 2 and "2 calendars" in res.output and not target.exists()


def test_republishing_with_previous_cancels_a_removed_shift(solved):
    path, out = solved
    folder = out / "mini-calendars"
    assert runner.invoke(app, ["export", str(path), str(out), "-f", "ics"]).exit_code == 0
    roster = pd.read_csv(out / "roster.csv")
    roster[roster["shift_date"] != "2027-03-24"].to_csv(out / "roster.csv", index=False)
    res = runner.invoke(
        app, ["export", str(path), str(out), "-f", "ics", "--previous", str(folder)]
    )
    assert res.exit_code == 0, res.output
    evs = {
        str(e["UID"]): e
        for e in icalendar.Calendar.from_ical((folder / "A1.ics").read_bytes()).walk("VEVENT")
    }
    gone = evs["mini-A1-2027-03-24@sunroster"]
    assert (gone["STATUS"], gone["SEQUENCE"]) == ("CANCELLED", 1)
    assert {e["SEQUENCE"] for u, e in evs.items() if u != gone["UID"]} == {0}


def test_an_unreadable_previous_export_exits_2_naming_the_file(solved, tmp_path):
    path, out = solved
    bad = tmp_path / "prev"
    bad.mkdir()
    (bad / "A1.ics").write_text("not a calendar")
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "ics", "--previous", str(bad)])
    assert res.exit_code == 2 and "A1.ics" in res.output and "Traceback" not in res.output
    assert not (out / "mini-calendars").exists()


# ---------------------------------------------------------------- --json: what was written


@pytest.mark.parametrize(
    ("fmt", "name", "counts"),
    [("xlsx", "mini-roster.xlsx", {"sheets": 7}), ("csv", "mini-shifts.csv", {"rows": 18}),
     ("payroll", "mini-payroll.csv", {"rows": 1, "per": "week"}),
     ("ics", "mini-calendars/A1.ics", {"calendars": 1, "events": 6, "cancelled": 0})],
)  # fmt: skip
def test_export_json_says_what_was_written_and_nothing_else(solved, fmt, name, counts):
    path, out = solved
    res = runner.invoke(app, ["export", str(path), str(out), "-f", fmt, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # the JSON alone on stdout
    target = out / name
    assert doc["scenario"] == "mini" and doc["format"] == fmt
    assert doc["files"] == [str(target)] and doc["bytes"] == target.stat().st_size
    assert doc["counts"] == {"agents": 1, "shifts": 6, **counts}
    if fmt == "xlsx":
        assert doc["sheets"] == openpyxl.load_workbook(target).sheetnames
        assert doc["sheets"][-1] == "Payroll"


def test_export_json_counts_the_rows_written_and_a_cancelled_shift(solved, tmp_path):
    path, out = solved
    target = tmp_path / "days.csv"
    res = runner.invoke(
        app, ["export", str(path), str(out), "-f", "payroll", "--per-day", "-o", str(target), "--json"]
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["files"] == [str(target)] and doc["counts"]["per"] == "day"
    assert doc["counts"]["rows"] == len(pd.read_csv(target, encoding="utf-8-sig")) == 6
    folder = out / "mini-calendars"
    assert runner.invoke(app, ["export", str(path), str(out), "-f", "ics"]).exit_code == 0
    roster = pd.read_csv(out / "roster.csv")
    roster[roster["shift_date"] != "2027-03-24"].to_csv(out / "roster.csv", index=False)
    zipped = tmp_path / "cal.zip"
    res = runner.invoke(
        app, ["export", str(path), str(out), "-f", "ics", "--previous", str(folder), "-o",
              str(zipped), "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["files"] == [str(zipped)] and doc["bytes"] == zipped.stat().st_size
    assert doc["counts"] == {"agents": 1, "shifts": 5, "calendars": 1, "events": 6,
                             "cancelled": 1}  # fmt: skip


def test_export_json_and_stdout_output_are_refused_together(solved):
    path, out = solved
    before = set(out.iterdir())
    for fmt in ("xlsx", "ics"):
        res = runner.invoke(app, ["export", str(path), str(out), "-f", fmt, "-o", "-", "--json"])
        assert res.exit_code == 2 and "standard output" in res.stderr and res.stdout == ""
    assert set(out.iterdir()) == before


# ---------------------------------------------------------------- payroll and CSV options


def test_payroll_per_day_and_a_site_week_start(solved):
    path, out = solved
    target = out / "p.csv"
    res = runner.invoke(
        app, ["export", str(path), str(out), "-f", "payroll", "--per-day", "--week-start",
              "LIS=sat", "-o", str(target)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    df = pd.read_csv(target, encoding="utf-8-sig")
    assert len(df) == 6
    assert sorted(set(df["week_start"])) == ["2027-03-20", "2027-03-27"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["-f", "payroll", "--week-start", "funday"], "expected a weekday"),
     (["-f", "payroll", "--week-start", "XXX=sat"], "no site 'XXX'"),
     (["-f", "csv", "--per-day"], "--per-day applies to --format payroll"),
     (["-f", "xlsx", "--previous", "."], "--previous applies to --format ics"),
     (["-f", "ics", "--no-bom"], "--bom applies to --format csv or payroll"),
     (["-f", "ics", "--agent", "Z9"], "Z9")],
)  # fmt: skip
def test_options_that_do_not_fit_exit_2(solved, args, message):
    path, out = solved
    before = set(out.iterdir())
    res = runner.invoke(app, ["export", str(path), str(out), *args])
    assert res.exit_code == 2 and message in res.output, res.output
    assert set(out.iterdir()) == before


def test_no_bom_on_request(solved):
    path, out = solved
    res = runner.invoke(app, ["export", str(path), str(out), "-f", "csv", "--no-bom", "-o", "-"])
    assert res.exit_code == 0 and res.stdout_bytes.startswith(b"agent_id,")


def test_cost_csvs_have_a_bom_and_cents(solved, tmp_path):
    path, out = solved
    res = runner.invoke(app, ["cost", str(path), str(out), "-o", str(tmp_path / "fin")])
    assert res.exit_code == 0, res.output
    data = (tmp_path / "fin" / "cost_by_site_week_premium.csv").read_bytes()
    assert data.startswith(BOM)
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert all(re.fullmatch(r"\d+\.\d\d", x) for x in df["cost_reporting"])
    wb = openpyxl.load_workbook(tmp_path / "fin" / "cost.xlsx")
    assert all(len(ws.tables) == 1 for ws in wb.worksheets)
    res = runner.invoke(app, ["cost", str(path), str(out), "--no-bom", "-o", str(tmp_path / "f2")])
    assert not (tmp_path / "f2" / "fx_sensitivity.csv").read_bytes().startswith(BOM)
