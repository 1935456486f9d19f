"""A scenario uploaded in the browser: unpacked under a folder with size,
name and zip-bomb limits, then loaded with every problem as a table."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import pandas as pd

from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario_with_warnings
from optimizer.scenario.model import Scenario

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # total of the uploaded files


MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # total after unzipping (zip bombs)


MAX_FILES = 200


class UploadError(ValueError):
    """An upload that is refused before the scenario is read (size, zip, names)."""


def _safe_rel(name: str) -> PurePosixPath:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0].endswith(":"):
        raise UploadError(f"{name}: unsafe path in upload")
    return p


def unpack_upload(files: Sequence[tuple[str, bytes]], dest: Path) -> Path:
    """Write uploaded files (YAML + CSVs, or one zip) under `dest`, refusing
    oversize uploads, unsafe names and zip bombs; return the scenario YAML."""
    total = sum(len(b) for _, b in files)
    if total > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"upload is {total / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        )
    if not files:
        raise UploadError("nothing uploaded")
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            try:
                zf = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                raise UploadError(f"{name}: not a zip file") from exc
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_FILES:
                raise UploadError(f"{name}: {len(infos)} files; the limit is {MAX_FILES}")
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise UploadError(f"{name}: unzips to more than {MAX_UNZIPPED_BYTES / 1e6:.0f} MB")
            for i in infos:
                rel = _safe_rel(i.filename)
                if rel.parts[0] == "__MACOSX":
                    continue
                target = dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(i) as src:
                    content = src.read(MAX_UNZIPPED_BYTES + 1)
                target.write_bytes(content)
                written.append(target)
        else:
            rel = _safe_rel(PurePosixPath(name.replace("\\", "/")).name)
            target = dest / rel.name
            target.write_bytes(data)
            written.append(target)
    yamls = [p for p in written if p.suffix.lower() in (".yaml", ".yml")]
    if not yamls:
        raise UploadError("no scenario .yaml file in the upload")
    if len(yamls) > 1:
        # the scenario is the YAML nearest the top; others may be unrelated
        yamls.sort(key=lambda p: (len(p.relative_to(dest).parts), p.name))
        if len(yamls[0].relative_to(dest).parts) == len(yamls[1].relative_to(dest).parts):
            raise UploadError(
                "several scenario files: "
                + ", ".join(str(p.relative_to(dest)) for p in yamls)
                + " — upload one"
            )
    return yamls[0]


def validate_scenario(
    path: Path, root: Path | None = None
) -> tuple[Scenario | None, pd.DataFrame, list[str]]:
    """Load a scenario; on failure the issues as a table (file, where, field, message)
    with file names relative to `root`."""
    cols = ["file", "where", "field", "message"]

    def rel(f: str) -> str:
        if root is None:
            return f
        try:
            return str(Path(f).resolve().relative_to(root.resolve()))
        except ValueError:
            return Path(f).name

    try:
        sc, warnings = load_scenario_with_warnings(path)
    except ScenarioError as exc:
        rows = [(rel(i.file), i.where, i.field, i.message) for i in exc.issues]
        return None, pd.DataFrame(rows, columns=cols), []
    except OSError as exc:  # unreadable after unpacking (permissions, a vanished folder)
        where = rel(exc.filename) if exc.filename else rel(str(path))
        return None, pd.DataFrame([(where, "", "", exc.strerror or str(exc))], columns=cols), []
    return sc, pd.DataFrame(columns=cols), warnings
