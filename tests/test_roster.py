"""Roster.from_frame reads a roster.csv-shaped table exactly as read_csv reads
the file: the same segments, and the same issues (row, line, field, message)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.roster import ROSTER_COLUMNS, Roster
from optimizer.scenario.errors import IssueLog, ScenarioError

ROWS = [
    ("A1", "LIS", "2027-03-01", "2027-03-01T08:00:00Z", "2027-03-01T12:00:00Z", "PT-pt-voice"),
    ("A1", "LIS", "2027-03-01", "2027-03-01T12:00:00Z", "2027-03-01T13:00:00Z", "BREAK"),
    ("A2", "MNL", "2027-03-02", "2027-03-02T12:00:00+00:00", "2027-03-02T16:00:00Z", "PT-pt-voice"),
]


def table(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    """roster.csv columns (local instants left blank: they are never trusted)."""
    full = [(a, s, d, b, e, "", "", x) for a, s, d, b, e, x in rows]
    return pd.DataFrame(full, columns=list(ROSTER_COLUMNS))


def both(df: pd.DataFrame, tmp: Path) -> tuple[tuple[Roster, list], tuple[Roster, list]]:
    """(roster, issues) of from_frame(df) and of read_csv(df written as a CSV)."""
    path = tmp / "roster.csv"
    df.to_csv(path, index=False)
    out = []
    for read in (lambda log: Roster.from_frame(df, log), lambda log: Roster.read_csv(path, log)):
        log = IssueLog()
        r = read(log)
        out.append((r, [(i.where, i.field, i.message) for i in log.errors]))
    return out[0], out[1]


def test_from_frame_equals_the_csv_parse_by_hand(tmp_path: Path):
    (fr, fi), (cr, ci) = both(table(ROWS), tmp_path)
    pd.testing.assert_frame_equal(fr.segments, cr.segments)
    assert fi == ci == []
    assert fr.segments["end"].sub(fr.segments["start"]).tolist() == [240, 60, 240]


def test_from_frame_reports_bad_rows_as_the_file_does(tmp_path: Path):
    bad = [*ROWS, ("A3", "LIS", "2027-02-30", "noon", "2027-03-03T08:00:00Z", "BREAK")]
    (fr, fi), (cr, ci) = both(table(bad), tmp_path)
    assert fi == ci
    assert [(w, f) for w, f, _ in fi] == [
        ("row 4 (line 5)", "start_utc"),
        ("row 4 (line 5)", "shift_date"),
    ]
    pd.testing.assert_frame_equal(fr.segments, cr.segments)  # the good rows kept
    with pytest.raises(ScenarioError, match="store run 7, row 4 \\(line 5\\)"):
        Roster.from_frame(table(bad), source="store run 7")


def test_from_frame_names_a_missing_column():
    with pytest.raises(ScenarioError, match="'end_utc': required column is missing"):
        Roster.from_frame(table(ROWS).drop(columns=["end_utc"]))


def test_from_frame_reads_blank_cells_of_a_typed_table_as_blank(tmp_path: Path):
    """The run store reads roster.csv back with blank cells; NaN must not become 'nan'."""
    df = table(ROWS).astype(object)
    df.loc[0, "start_local"] = None
    (fr, _), (cr, _) = both(df, tmp_path)
    pd.testing.assert_frame_equal(fr.segments, cr.segments)


instant = st.one_of(
    st.builds(
        "2027-03-{:02d}T{:02d}:{:02d}:00Z".format,
        st.integers(1, 7), st.integers(0, 23), st.sampled_from([0, 15, 30, 45]),
    ),
    st.sampled_from(["", "soon", "2027-13-01T00:00:00Z"]),
)  # fmt: skip
row = st.tuples(
    st.sampled_from(["A1", "A2", " A3 "]),
    st.sampled_from(["LIS", "MNL"]),
    st.sampled_from(["2027-03-01", "2027-03-02", "1 March", ""]),
    instant,
    instant,
    st.sampled_from(["PT-pt-voice", "BREAK", "ES-es-email"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row, max_size=8))
def test_from_frame_equals_the_csv_parse_on_any_table(tmp_path: Path, rows):
    (fr, fi), (cr, ci) = both(table(rows), tmp_path)
    assert fi == ci
    pd.testing.assert_frame_equal(fr.segments, cr.segments)
