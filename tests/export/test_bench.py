"""`optimizer.bench.exports`: the benchmark report's section on building the exports."""

from __future__ import annotations

import re

from optimizer.bench.exports import compare, report_section
from optimizer.export import FORMATS
from tests.conftest import REPO

TINY = REPO / "scenarios" / "tiny.yaml"


def test_the_section_times_every_format_on_a_given_roster(tiny_solved, tmp_path):
    sc, roster = tiny_solved
    roster.to_frame(sc).to_csv(tmp_path / "roster.csv", index=False)
    text = report_section(TINY, tmp_path, repeat=1)
    assert text.startswith("### Building the exports")
    assert f"roster: `{tmp_path / 'roster.csv'}`" in text
    assert "Machine: " in text and "logical CPUs" in text
    assert f".venv/bin/python -m optimizer.bench.exports {TINY} {tmp_path}" in text
    rows = [ln for ln in text.splitlines() if re.match(r"\| (xlsx|csv|ics|payroll) \|", ln)]
    assert [r.split("|")[1].strip() for r in rows] == list(FORMATS)
    assert "`tiny-roster.xlsx`" in text and "Goal: the workbook in ≤ 2 s" in text


def test_without_a_roster_it_solves_and_keeps_the_roster(tmp_path):
    text = report_section(TINY, tmp_path, time_limit=2, repeat=1)
    assert (tmp_path / "roster.csv").is_file()
    assert "a 2 s solve with 1 worker" in text


def test_against_another_version_times_both_alternating(tiny_solved, tmp_path):
    sc, roster = tiny_solved
    roster.to_frame(sc).to_csv(tmp_path / "roster.csv", index=False)
    text = compare(TINY, tmp_path, REPO, "payroll", rounds=2, repeat=1)  # this checkout twice
    rows = [ln.split("|")[1:3] for ln in text.splitlines() if re.match(r"\| (before|after) ", ln)]
    assert [(v.strip(), n.strip()) for v, n in rows] == [("before", "2"), ("after", "2")]
