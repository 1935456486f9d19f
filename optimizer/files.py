"""Safe file output: nothing half-written, nothing deleted that the tool did not write.

Every file is written to a hidden temporary file beside its target
(`.NAME.xxxx.tmp`), flushed to disk, and renamed over the target in one
`os.replace` — a reader sees the old file or the new one, never a part.
Sunroster never replaces or removes a folder: it writes its own files into
it and leaves everything else there alone (docs/safety.md).

New files and folders follow the user's umask (0o666 / 0o777 masked), as a
plain `open` would; a file that already exists keeps its permissions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np


class OutputRefused(Exception):
    """An output path that would overwrite an input or turn a file into a folder
    (the CLI prints the message and exits 2)."""


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def file_mode(target: Path) -> int:
    """Permissions for a new version of `target`: the old file's, else 0o666 & ~umask."""
    with suppress(OSError):
        st = target.stat()
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    return 0o666 & ~umask()


def make_dir(folder: Path) -> bool:
    """Create `folder` (and its parents) as `mkdir -p` would; True if it was created.
    Refuses a path that exists and is not a folder."""
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{folder} exists and is not a folder")
    existed = folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)  # 0o777 & ~umask
    return not existed


def check_output_dir(folder: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a folder output (`solve -o`, `cost -o`) that is an existing file, or a
    folder holding one of `inputs` (the scenario YAML and the CSV files it reads)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{folder} is an existing file, not a folder")
    here = folder.resolve()
    for f in inputs:
        f = Path(f)
        if f.resolve().parent == here:
            raise OutputRefused(
                f"{folder} holds the input {f.name}: write the outputs to a folder of their own"
            )


def check_output_file(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a file output that is an existing folder or one of `inputs`."""
    target = Path(target)
    if target.is_dir():
        raise OutputRefused(f"{target} is a folder: name a file to write")
    if target.exists() and not target.is_file():
        raise OutputRefused(f"{target} exists and is not a regular file")
    here = target.resolve()
    for f in inputs:
        if Path(f).resolve() == here:
            raise OutputRefused(f"{target} is an input of this command: name another file")


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def _flush(path: Path) -> None:
    """fsync a written file (the rename after it must not outrun its content)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    with suppress(OSError):  # not every system can open a folder for fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_files(folder: str | Path, names: Sequence[str]) -> Iterator[dict[str, Path]]:
    """Write the files `names` into `folder` together.

    Yields a temporary path (in `folder`) for each name; once the block ends
    without an error each is flushed and renamed over its target, in the order
    given — so name the file that describes the others last (a solve renames
    summary.json last). On any error or Ctrl-C in the block the temporary files
    are removed and every old file stays as it was. Renames are atomic one by
    one, not as a set: only a crash in the microseconds between two renames can
    leave new and old files side by side. Nothing else in `folder` is touched;
    `folder` is created (with its parents) if missing."""
    folder = Path(folder)
    targets = [folder / n for n in names]
    for t in targets:
        if t.exists() and not t.is_file():
            raise OutputRefused(f"{t} exists and is not a regular file")
    created = make_dir(folder)
    temps: dict[str, Path] = {}
    try:
        for n, t in zip(names, targets, strict=True):
            temps[n] = _temp_beside(t)
        yield dict(temps)
        for n, t in zip(names, targets, strict=True):
            os.chmod(temps[n], file_mode(t))
            _flush(temps[n])
        for n, t in zip(names, targets, strict=True):
            os.replace(temps[n], t)
        _sync_dir(folder)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        if created:
            with suppress(OSError):
                folder.rmdir()  # only if it is still empty: ours, and nothing in it
        raise


@contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` on success
    (see `atomic_files`). Refuses a target that is a folder."""
    target = Path(target)
    if target.is_dir():
        raise OutputRefused(f"{target} is a folder: name a file to write")
    with atomic_files(target.parent, [target.name]) as tmp:
        yield tmp[target.name]


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n", encoding="utf-8")


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, dt.date):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
