"""The files a scenario reads stay inside its folder (issue #24 item 6;
docs/safety.md "What it reads"): a CSV path that leads outside — absolute,
`..`, or a symlink — is refused with exit 2 at the YAML line, and the file is
never opened, so none of its rows can appear in an error message. The
dashboard's upload lives in a temporary folder that is removed afterwards."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import streamlit as st
from ruamel.yaml import YAML
from streamlit.testing.v1 import AppTest

from tests.hostile.conftest import REPO, sr

SECRET = "TOPSECRET-7f3a"
ROWS = f"queue,interval_start,contacts\n{SECRET},2027-03-01T00:00:00Z,1\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A CSV outside the scenario's folder whose rows must never be shown."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "secret.csv"
    path.write_text(ROWS)
    return path


def _names(scenario: Path, key: str, value: str) -> None:
    """Make the scenario's `key` (agents or demand) name the file `value`."""
    yaml = YAML()
    doc = yaml.load(scenario.read_text())
    doc[key] = value
    with scenario.open("w") as f:
        yaml.dump(doc, f)


def _line_of(scenario: Path, key: str) -> int:
    lines = scenario.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(f"{key}:"))


def _refused(scenario: Path, key: str) -> str:
    res = sr("validate", scenario)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "Traceback" not in out
    assert SECRET not in out
    assert str(scenario) in out
    assert f"line {_line_of(scenario, key)}" in out and f"field '{key}'" in out
    assert "outside the scenario's folder" in out
    return out


def test_an_absolute_path_outside_is_refused_and_never_read(scenario: Path, secret: Path) -> None:
    _names(scenario, "demand", str(secret))
    _refused(scenario, "demand")


def test_a_relative_path_that_climbs_out_is_refused(scenario: Path, secret: Path) -> None:
    _names(scenario, "demand", "../elsewhere/secret.csv")
    _refused(scenario, "demand")
    _names(scenario, "demand", "tiny-demand.csv")
    _names(scenario, "agents", "sub/../../elsewhere/secret.csv")
    _refused(scenario, "agents")


def test_a_symlink_out_of_the_folder_is_refused(scenario: Path, secret: Path) -> None:
    (scenario.parent / "demand-link.csv").symlink_to(secret)
    _names(scenario, "demand", "demand-link.csv")
    _refused(scenario, "demand")


def test_a_symlinked_folder_out_is_refused(scenario: Path, secret: Path) -> None:
    (scenario.parent / "data").symlink_to(secret.parent, target_is_directory=True)
    _names(scenario, "demand", "data/secret.csv")
    _refused(scenario, "demand")


def test_files_in_a_subfolder_or_linked_within_the_folder_load(scenario: Path) -> None:
    sub = scenario.parent / "tables"
    sub.mkdir()
    shutil.move(scenario.parent / "tiny-demand.csv", sub / "demand.csv")
    (scenario.parent / "demand-link.csv").symlink_to(Path("tables") / "demand.csv")
    _names(scenario, "demand", "tables/demand.csv")
    assert sr("validate", scenario).returncode == 0
    _names(scenario, "demand", "demand-link.csv")
    assert sr("validate", scenario).returncode == 0


# ---------------------------------------------------------------- the dashboard's upload


@pytest.fixture
def scenario_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    """The dashboard's Scenario page (on tiny.yaml, nothing solved), with
    temporary folders made under a folder of the test's own."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("SUNROSTER_SCENARIO", str(REPO / "scenarios" / "tiny.yaml"))
    monkeypatch.setenv("SUNROSTER_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("SUNROSTER_DB_URL", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/scenario.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at, temp
    st.cache_resource.clear()


def _upload(at: AppTest, yaml_text: str) -> AppTest:
    demand = (REPO / "scenarios" / "tiny-demand.csv").read_bytes()
    at.file_uploader(key="sc_files").set_value(
        [
            ("tiny.yaml", yaml_text.encode(), "application/x-yaml"),
            ("tiny-demand.csv", demand, "text/csv"),
        ]
    )
    at.run()
    at.button(key="sc_validate").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _uploads(temp: Path) -> list[str]:
    return sorted(p.name for p in temp.iterdir() if p.name.startswith("sunroster-upload-"))


def test_an_upload_reads_nothing_outside_and_its_folder_is_removed(
    scenario_page: tuple[AppTest, Path], secret: Path
) -> None:
    at, temp = scenario_page
    tiny = (REPO / "scenarios" / "tiny.yaml").read_text()
    for target in (str(secret), "../" * 40 + os.path.relpath(secret, "/")):
        bad = re.sub(r"(?m)^demand:.*$", f"demand: {target}", tiny)
        at = _upload(at, bad)
        issues = at.dataframe[-1].value
        shown = issues.to_string()
        assert SECRET not in shown
        assert list(issues["field"]) == ["demand"]
        assert "outside the scenario's folder" in issues["message"].iloc[0]
        assert _uploads(temp) == []  # refused: its folder is gone at once


def test_a_valid_uploads_folder_lasts_only_while_it_is_offered_or_open(
    scenario_page: tuple[AppTest, Path],
) -> None:
    at, temp = scenario_page
    tiny = (REPO / "scenarios" / "tiny.yaml").read_text()
    at = _upload(at, tiny)
    first = _uploads(temp)
    assert len(first) == 1  # kept: the user may open it
    at = _upload(at, tiny.replace("scenario: tiny", "scenario: tiny-two"))
    second = _uploads(temp)
    assert len(second) == 1 and second != first  # the first offer is gone
    at.button(key="sc_open").click()
    at.run()
    assert _uploads(temp) == second  # open: kept while it is
    at.button(key="sc_default").click()
    at.run()
    assert _uploads(temp) == []  # closed: removed
