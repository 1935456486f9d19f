"""The packaging section: figures laid out as measured (the measuring itself
installs two venvs, so it runs by hand: python -m optimizer.bench.packaging)."""

from __future__ import annotations

from optimizer.bench.packaging import MEASURED, Measurement, Side, render, report_section


def test_render_shows_each_side_with_its_median():
    m = Measurement(
        machine="test box",
        date="2027-01-01",
        command="python -m optimizer.bench.packaging --before a --after b",
        note="",
        sides=(Side("before", "a", 60, 900.4, [3.0, 1.0, 2.0]), Side("after", "b", 30, 490.0, [])),
    )
    text = render(m)
    assert "Machine: test box. Date: 2027-01-01." in text
    assert "`python -m optimizer.bench.packaging --before a --after b`" in text
    assert "| before | `a` | 60 | 900 MiB | 2.00 s | 3.00, 1.00, 2.00 |" in text
    assert "| after | `b` | 30 | 490 MiB | — | — |" in text


def test_the_report_section_carries_the_last_measurement():
    before, after = MEASURED.sides
    assert before.size_mib > after.size_mib > 0 and before.packages > after.packages
    text = report_section()
    assert MEASURED.command in text and f"{after.help_median:.2f} s" in text
