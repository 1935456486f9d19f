"""`sunroster export` and `sunroster cost`: files written, exit code 2 on bad input."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from tests import factory
from tests.export.conftest import hand_data, hand_roster

runner = CliRunner()


@pytest.fixture
def solved(tmp_path):
    """The hand scenario and its roster.csv in an output folder."""
    path = factory.write(tmp_path / "sc", hand_data())
    out = tmp_path / "out"
    out.mkdir()
    from optimizer.scenario.load import load_scenario

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
