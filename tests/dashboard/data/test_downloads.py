"""Every download of a variant: the solve's files in their format and each export."""

from __future__ import annotations

from dashboard.data import downloads


def test_roster_csv_matches_the_roster_file_format(hand):
    fast = downloads.roster_csv(hand.scenario, hand.output.roster)
    slow = hand.output.roster.to_frame(hand.scenario).to_csv(index=False)
    assert fast == slow
    assert "2027-03-02T20:00:00+08:00" in fast


def test_exports_offer_the_solve_files_and_the_export_formats(hand):
    files = downloads.exports(hand)
    assert {"roster.csv", "coverage.csv", "summary.json"} <= set(files)
    assert files["roster.csv"].startswith(b"agent_id,site,shift_date,")
    names = " ".join(files)
    for part in ("roster.xlsx", "shifts.csv", "payroll.csv", "calendars.zip"):
        assert part in names, f"export {part} missing from {sorted(files)}"
