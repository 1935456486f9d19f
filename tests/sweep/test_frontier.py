"""The frontier PNG: a browser start that fails once is retried; one that
always fails is reported, never raised."""

from __future__ import annotations

import pytest

from optimizer.sweep.frontier import _write_png

pytest.importorskip("kaleido")


class FlakyFigure:
    """Stands in for a plotly figure whose renderer fails `fails` times."""

    def __init__(self, fails: int) -> None:
        self.fails = fails
        self.calls = 0

    def write_image(self, path, width: int, height: int) -> None:
        self.calls += 1
        if self.calls <= self.fails:
            raise RuntimeError("browser closed before the page loaded\nmore text")
        path.write_bytes(b"png")


def test_a_failed_browser_start_is_retried(tmp_path):
    fig = FlakyFigure(fails=1)
    assert _write_png(fig, tmp_path / "f.png") is None
    assert fig.calls == 2 and (tmp_path / "f.png").read_bytes() == b"png"


def test_a_renderer_that_always_fails_gives_a_note_naming_the_error(tmp_path):
    fig = FlakyFigure(fails=99)
    note = _write_png(fig, tmp_path / "f.png", attempts=3)
    assert fig.calls == 3 and not (tmp_path / "f.png").exists()
    assert note == (
        "frontier.png skipped after 3 tries: RuntimeError: browser closed before the page loaded"
    )
