"""What every command shares: the Typer app, the console, input-error handling.

Bad input is reported as a list of issues (file, row or line, field) on
stderr with exit code 2 — never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console

from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario_with_warnings
from optimizer.scenario.model import Scenario

app = typer.Typer(
    name="sunroster",
    help="Follow-the-sun workforce scheduling: validate scenarios, build and check 24/7 rosters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
# Errors are never wrapped by rich: a file path split over two lines cannot be
# copied, and the terminal wraps long lines by itself.
err_console = Console(stderr=True, soft_wrap=True)

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
T = TypeVar("T")


def fail_input(error: ScenarioError, what: str = "input") -> typer.Exit:
    """Print every issue of a ScenarioError; the exit to raise (code 2)."""
    err_console.print(f"[bold red]error:[/] the {what} has {len(error.issues)} problem(s):")
    for line in error.render().splitlines():
        err_console.print(f"  {line}", markup=False, highlight=False)
    return typer.Exit(EXIT_INPUT)


def load(path: Path, quiet: bool = False) -> Scenario:
    """Load a scenario for a command; on bad input print the issues and exit 2."""
    try:
        scenario, warnings = load_scenario_with_warnings(path)
    except ScenarioError as exc:
        raise fail_input(exc, "scenario") from None
    if not quiet:
        for w in warnings:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    return scenario


@contextmanager
def input_errors(what: str = "input") -> Iterator[None]:
    """Turn ScenarioError (and unreadable files) raised inside into exit 2."""
    try:
        yield
    except ScenarioError as exc:
        raise fail_input(exc, what) from None
    except (OSError, UnicodeDecodeError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_INPUT) from None


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`; a KeyboardInterrupt exits 130 without a traceback."""
    try:
        return fn()
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]: nothing was written")
        sys.exit(130)
