"""Workbook plumbing shared by the HR workbook and the cost workbook (xlsxwriter).

Every sheet holds an Excel table (autofilter, frozen header; column names
with spaces for underscores, so headers wrap) and is set up to print: A4 landscape, one page wide, the header repeated on every page,
the sheet name and page number in the footer. Text is always written as
text — a name like `=HYPERLINK(…)` is never a formula — and dates and
numbers as real dates and numbers (dates are Excel serial days with a date
format). Columns are written one at a time, each with the one writer its
type needs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

HEADER_FILL = "#1F3864"
EXCEL_EPOCH = dt.date(1899, 12, 30)
A4 = 9
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TABLE_STYLE = "Table Style Light 9"


def new_workbook(buf: io.BytesIO) -> Workbook:
    """An in-memory workbook that never turns a string into a formula, number or link."""
    return xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


@dataclass
class Formats:
    """The workbook's cell formats, made once each."""

    wb: Workbook
    cache: dict[tuple, Format] = field(default_factory=dict)

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]

    @property
    def title(self) -> Format:
        return self.get(bold=True, font_size=13)

    @property
    def header(self) -> Format:
        return self.get(
            bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, text_wrap=True,
            valign="vcenter", align="center", border=1, border_color="#BFBFBF",
        )  # fmt: skip


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (≤ 31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", text)[:31].strip("'") or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def table_name(title: str, taken: set[str]) -> str:
    """A valid, unique Excel table name for a sheet title."""
    base = "T_" + re.sub(r"[^A-Za-z0-9_]", "_", title)
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name.lower())
    return name


def print_setup(ws: Worksheet, header_rows: tuple[int, int], *, portrait: bool = False) -> None:
    """A4, landscape unless `portrait`, one page wide, `header_rows` repeated on each page."""
    if not portrait:
        ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(*header_rows)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RPage &P of &N")
    ws.center_horizontally()


def excel_days(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Dates or naive datetimes → Excel serial days (float; NaN where missing)."""
    s = pd.to_datetime(pd.Series(values), errors="coerce")
    days = (s - pd.Timestamp(EXCEL_EPOCH)) / pd.Timedelta(days=1)
    return days.to_numpy(dtype=float)


def _is_date_column(col: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(col):
        return True
    first = col.dropna()
    return col.dtype == object and len(first) > 0 and isinstance(first.iat[0], dt.date)


def write_column(
    ws: Worksheet, row: int, col: int, values: pd.Series, fmt: Format | None = None
) -> None:
    """One column from `row` down: numbers as numbers, dates as dates (with `fmt`),
    everything else as text; missing values left blank."""
    if pd.api.types.is_bool_dtype(values):
        for i, v in enumerate(values.tolist()):
            ws.write_boolean(row + i, col, bool(v), fmt)
        return
    if pd.api.types.is_numeric_dtype(values) or _is_date_column(values):
        data = (
            excel_days(values.to_numpy())
            if _is_date_column(values)
            else values.to_numpy(dtype=float)
        )
        number, floats = ws.write_number, data.tolist()  # Python floats format faster
        for i in np.flatnonzero(np.isfinite(data)).tolist():
            number(row + i, col, floats[i], fmt)
        return
    text = ws.write_string
    for i, v in enumerate(values.to_numpy(dtype=object).tolist()):
        if v is None or v != v:  # None or NaN: blank
            continue
        text(row + i, col, v if type(v) is str else str(v), fmt)


def column_format(formats: Formats, values: pd.Series, num_format: str | None) -> Format | None:
    """The default format of a column: its `num_format`, or a date format for dates."""
    if num_format:
        return formats.get(num_format=num_format)
    if pd.api.types.is_datetime64_any_dtype(values):
        return formats.get(num_format=DATETIME_FORMAT)
    if _is_date_column(values):
        return formats.get(num_format=DATE_FORMAT)
    return None


def display_header(name: str) -> str:
    """A column name as a header that wraps between words: `overtime night hours`."""
    return name.replace("_", " ")


def width_of(header: str, values: pd.Series, num_format: str | None) -> float:
    """A column width that fits the header's longest word (the header wraps
    between words) and the longest of the first values."""
    if num_format or pd.api.types.is_numeric_dtype(values):
        longest = 10
    elif _is_date_column(values):
        longest = 16 if pd.api.types.is_datetime64_any_dtype(values) else 11
    else:
        longest = max((len(str(v)) for v in values.head(300)), default=6)
    word = max((len(w) for w in header.split()), default=4)
    return float(min(max(word * 1.1, longest) + 2, 48))


def frame_sheet(
    wb: Workbook,
    formats: Formats,
    title: str,
    heading: str,
    df: pd.DataFrame,
    tables: set[str],
    *,
    num_formats: Mapping[str, str] | None = None,
    freeze_cols: int = 1,
) -> Worksheet:
    """A sheet `title` holding `heading` and `df` as an Excel table, set up to print."""
    ws = wb.add_worksheet(title)
    ws.write_string(0, 0, heading, formats.title)
    head = 2
    last = head + max(len(df), 1)
    nf = dict(num_formats or {})
    columns = [
        {
            "header": display_header(str(c)),
            "header_format": formats.header,
            "format": column_format(formats, df[c], nf.get(str(c))),
        }
        for c in df.columns
    ]
    add_table(ws, head, 0, last, len(df.columns) - 1, columns, table_name(title, tables))
    for j, c in enumerate(df.columns):
        write_column(ws, head + 1, j, df[c], columns[j]["format"])
        ws.set_column(j, j, width_of(display_header(str(c)), df[c], nf.get(str(c))))
    ws.set_row(head, 45)  # three lines of header
    ws.freeze_panes(head + 1, freeze_cols)
    print_setup(ws, (head, head))
    return ws


def add_table(
    ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int,
    columns: list[dict[str, Any]], name: str, **options: Any,
) -> None:  # fmt: skip
    """`ws.add_table`, raising on what xlsxwriter only warns about."""
    rc = ws.add_table(
        first_row, first_col, last_row, last_col,
        {"columns": columns, "name": name, "style": TABLE_STYLE, **options},
    )  # fmt: skip
    if rc not in (None, 0):
        raise ValueError(f"cannot add table {name!r} to sheet {ws.name!r} (xlsxwriter code {rc})")
