"""`sunroster --version`: the release and the versions a roster depends on.

Public holidays come from `holidays` and zone rules from `tzdata`, so their
releases are printed too: two rosters of one scenario agree when these agree.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from optimizer.cli.common import app


def version_text() -> str:
    """`sunroster 0.1.0 (Python 3.11.7; ortools 9.14, holidays 0.108, tzdata 2026.6)`."""

    def of(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "not installed"

    deps = ", ".join(f"{d} {of(d)}" for d in ("ortools", "holidays", "tzdata"))
    return f"sunroster {of('sunroster')} (Python {platform.python_version()}; {deps})"


def _show_version(value: bool) -> None:
    if value:
        print(version_text())
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="print the version (and those of OR-Tools, holidays, tzdata) and exit",
        ),
    ] = False,
) -> None:
    """Follow-the-sun workforce scheduling: validate scenarios, build and check 24/7 rosters."""
