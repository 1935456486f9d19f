"""Uploads: zips with folders, unsafe names and sizes refused, every problem as
file/row/field, YAML tags never run."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dashboard.data import upload
from tests import factory


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in entries.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_upload_zip_with_folders_loads(tmp_path: Path):
    src = factory.write(tmp_path / "src", factory.mini())
    blob = _zip({
        "sc/scenario.yaml": src.read_bytes(), "sc/demand.csv": (src.parent / "demand.csv").read_bytes(),
    })  # fmt: skip
    path = upload.unpack_upload([("mine.zip", blob)], tmp_path / "up")
    assert path == tmp_path / "up" / "sc" / "scenario.yaml"
    sc, issues, _ = upload.validate_scenario(path, tmp_path / "up")
    assert sc is not None and sc.scenario == "mini" and issues.empty


def test_upload_refuses_unsafe_names_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(upload.UploadError, match="unsafe path"):
        upload.unpack_upload([("evil.zip", _zip({"../../etc/x.yaml": b"a: 1"}))], tmp_path / "a")
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(upload.UploadError, match="limit"):
        upload.unpack_upload([("s.yaml", b"x" * 11)], tmp_path / "b")
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 10_000)
    with pytest.raises(upload.UploadError, match="no scenario"):
        upload.unpack_upload([("d.csv", b"a,b\n")], tmp_path / "c")


def test_upload_validation_errors_name_file_row_and_field(tmp_path: Path):
    bad = factory.mini()
    bad["agents"][1]["max_hours_week"] = -5
    src = factory.write(tmp_path / "src", bad, agents_csv=True)
    files = [(p.name, p.read_bytes()) for p in src.parent.iterdir()]
    path = upload.unpack_upload(files, tmp_path / "up")
    sc, issues, _ = upload.validate_scenario(path, tmp_path / "up")
    assert sc is None
    row = issues[issues["field"] == "max_hours_week"].iloc[0]
    assert row["file"] == "agents.csv"
    assert "2" in row["where"]  # the second agent's row
    assert list(issues.columns) == ["file", "where", "field", "message"]


def test_python_tags_in_yaml_are_refused_not_run(tmp_path: Path):
    (tmp_path / "s.yaml").write_text("scenario: !!python/object/apply:os.system ['touch pwned']\n")
    sc, issues, _ = upload.validate_scenario(tmp_path / "s.yaml", tmp_path)
    assert sc is None and len(issues) >= 1
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
