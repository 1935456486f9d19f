"""Read the scenario's CSV tables (agents, demand) as text, row by row.

A table must be UTF-8 (a byte-order mark is allowed), start with a header
naming every required column once, and give each row as many fields as the
header; each problem is an issue naming the file, the row and line, and the
column. Small tables come back as rows of texts with their line numbers, large
ones as a frame of strings; what a cell means is for its reader to check.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pandas as pd

from optimizer.scenario.errors import IssueLog, byte_line


def _decode(path: Path, log: IssueLog) -> str | None:
    """The table's text, or None (an issue) when it is missing, unreadable or not UTF-8."""
    fname = str(path)
    if not path.is_file():
        log.error(fname, "", "", "file not found")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error(fname, "", "", f"cannot be read: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        log.error(
            fname, byte_line(data, exc.start), "", "file is not UTF-8 text (save it as UTF-8)"
        )
        return None
    return text


def read_csv_rows(
    path: Path, log: IssueLog, required: tuple[str, ...], known: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]] | None:
    """Rows of a small CSV as `(line number, {column: text})`."""
    text = _decode(path, log)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        log.error(str(path), "", "", "file is empty (expected a header row)")
        return None
    except csv.Error as exc:
        log.error(str(path), "header (line 1)", "", f"CSV error: {exc}")
        return None
    if not _check_header(path, header, required, known, log):
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            lineno = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                log.error(
                    str(path),
                    f"row {lineno - 1} (line {lineno})",
                    "",
                    f"expected {len(header)} fields, found {len(row)}",
                )
                continue
            rows.append((lineno, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        log.error(str(path), f"line {reader.line_num}", "", f"CSV error: {exc}")
        return None
    return rows


def read_csv_frame(path: Path, log: IssueLog, required: tuple[str, ...]) -> pd.DataFrame | None:
    """A large CSV as a frame of strings (one issue per malformed row)."""
    text = _decode(path, log)
    if text is None:
        return None
    first = text.split("\n", 1)[0]
    try:
        header = [h.strip() for h in next(csv.reader([first]))] if first.strip() else []
    except csv.Error as exc:
        log.error(str(path), "header (line 1)", "", f"CSV error: {exc}")
        return None
    if not header:
        log.error(str(path), "", "", "file is empty (expected a header row)")
        return None
    if not _check_header(path, header, required, required, log):
        return None
    bad_lines: list[list[str]] = []

    def on_bad(line: list[str]) -> None:
        bad_lines.append(line)
        return None

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            on_bad_lines=on_bad,
            engine="python",
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        log.error(str(path), "", "", f"CSV error: {exc}")
        return None
    if bad_lines:
        # find their line numbers by a plain pass: rare, so a Python loop is fine
        for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if lineno > 1 and row and len(row) != len(header):
                log.error(
                    str(path),
                    f"row {lineno - 1} (line {lineno})",
                    "",
                    f"expected {len(header)} fields, found {len(row)}",
                )
        return None
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _check_header(
    path: Path, header: list[str], required: tuple[str, ...], known: tuple[str, ...], log: IssueLog
) -> bool:
    """Every required column present, none twice (errors); unknown ones warned about."""
    ok = True
    for col in required:
        if col not in header:
            log.error(str(path), "line 1", col, "required column is missing")
            ok = False
    for col in header:
        if col not in known:
            log.warn(str(path), "line 1", col, "unknown column ignored")
    dup = [c for c, n in Counter(header).items() if n > 1]
    for c in dup:
        log.error(str(path), "line 1", c, "column appears twice")
        ok = False
    return ok


__all__ = ["read_csv_frame", "read_csv_rows"]
