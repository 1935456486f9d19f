"""What every command shares: the Typer app, the console, input-error handling,
Ctrl-C handling and the exit codes.

Bad input is reported as a list of issues (file, row or line, field) on
stderr with exit code 2 — never a traceback. Exit codes (docs/safety.md):
0 done, 1 done but not all good (check found violations, sweep points
failed, a solve's run could not be recorded), 2 bad input or a refused
output path, 3 infeasible, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import signal
import sys


def _interrupted_at_start(signum: int, frame: object) -> None:
    """Ctrl-C while the command line is still loading: no traceback."""
    sys.stderr.write("interrupted: nothing was written\n")
    raise SystemExit(130)


def _is_command_line() -> bool:
    """True in the `sunroster` command (or `python -m optimizer[.cli.main]`), not when
    a test, the dashboard or a notebook imports the CLI modules."""
    argv0 = (sys.argv[0] if sys.argv else "").replace("\\", "/")
    return argv0.rsplit("/", 1)[-1] in ("sunroster", "sunroster.exe") or argv0.endswith(
        ("optimizer/cli/main.py", "optimizer/__main__.py")
    )


# installed first, before the slow imports below (Ctrl-C ignored by the parent,
# as for a background job, stays ignored)
if _is_command_line() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted_at_start)

import multiprocessing  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from contextlib import contextmanager, suppress  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any, TypeVar  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from optimizer.scenario.errors import ScenarioError  # noqa: E402

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from optimizer.files import OutputRefused
    from optimizer.scenario.model import Scenario

EXIT_NOT_ALL_GOOD = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130
INTERRUPT_GRACE_SECONDS = 5.0  # after Ctrl-C, how long a solve may take to stop


class _Reported:
    interrupt = False  # a command printed its own "interrupted" line


class SunrosterApp(typer.Typer):
    """The Typer app, with what no single command should have to repeat: a
    refused output path (`OutputRefused`) is exit 2 with one line, Ctrl-C is
    exit 130 with one line and no traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if signal.getsignal(signal.SIGINT) is _interrupted_at_start:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            from optimizer.files import OutputRefused

            if not isinstance(exc, OutputRefused):
                raise
            err_console.print(f"[bold red]error:[/] refused: {exc}", highlight=False)
            sys.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            _say_interrupted()
            sys.exit(EXIT_INTERRUPTED)
        except SystemExit as exc:  # Typer turns KeyboardInterrupt into exit 130
            if exc.code == EXIT_INTERRUPTED:
                _say_interrupted()
            raise


def _say_interrupted(what: str = "stopped") -> None:
    if not _Reported.interrupt:
        _Reported.interrupt = True
        err_console.print(f"[yellow]interrupted[/]: {what}", highlight=False)


app = SunrosterApp(
    name="sunroster",
    help="Follow-the-sun workforce scheduling: validate scenarios, build and check 24/7 rosters.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
console = Console()
# Errors are never wrapped by rich: a file path split over two lines cannot be
# copied, and the terminal wraps long lines by itself.
err_console = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")


def fail_input(error: ScenarioError, what: str = "input") -> typer.Exit:
    """Print every issue of a ScenarioError; the exit to raise (code 2)."""
    err_console.print(f"[bold red]error:[/] the {what} has {len(error.issues)} problem(s):")
    for line in error.render().splitlines():
        err_console.print(f"  {line}", markup=False, highlight=False)
    return typer.Exit(EXIT_INPUT)


def load(path: Path, quiet: bool = False) -> Scenario:
    """Load a scenario for a command; on bad input print the issues and exit 2."""
    from optimizer.scenario.load import load_scenario_with_warnings

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
        _say_interrupted("nothing was written")
        sys.exit(EXIT_INTERRUPTED)


def refuse(exc: OutputRefused) -> typer.Exit:
    """Print a refused output path (one line); the exit to raise (code 2)."""
    err_console.print(f"[bold red]error:[/] refused: {exc}", highlight=False)
    return typer.Exit(EXIT_INPUT)


def scenario_inputs(path: Path) -> list[Path]:
    """The files a scenario reads: its YAML and the agents/demand CSV files it
    names (relative to the YAML's folder). Call after `load` succeeded."""
    from ruamel.yaml import YAML

    files = [Path(path)]
    try:
        doc = YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))
    except Exception:  # loaded once already: a second read that fails adds nothing
        return files
    if isinstance(doc, dict):
        for key in ("agents", "demand"):
            if isinstance(doc.get(key), str):
                files.append(Path(path).parent / doc[key])
    return files


def output_dir(folder: Path, inputs: Iterable[Path]) -> None:
    """Exit 2 unless `folder` may take a command's output files (files.check_output_dir)."""
    from optimizer.files import OutputRefused, check_output_dir

    try:
        check_output_dir(folder, inputs)
    except OutputRefused as exc:
        raise refuse(exc) from None


def interrupted(what: str) -> typer.Exit:
    """Print the one line for Ctrl-C; the exit to raise (code 130)."""
    _say_interrupted(what)
    return typer.Exit(EXIT_INTERRUPTED)


def run_cancellable(fn: Callable[[], T], cancel: threading.Event) -> T:
    """Run `fn` (a solve) in a worker thread so that Ctrl-C is seen at once, even
    while CP-SAT holds the main thread's place in native code.

    On Ctrl-C: `cancel` is set (stopping the search and any CP-SAT solve watching
    it, see optimizer/solve/stop.py), the worker gets a few seconds to wind down,
    and KeyboardInterrupt is raised — the caller writes nothing and exits 130. A
    worker that does not stop in time (or a second Ctrl-C) ends the process at
    once with exit 130: nothing has been written by then, files only ever
    replace whole files."""
    box: dict[str, Any] = {}
    done = threading.Event()  # not Thread.join: in Python 3.11 a join interrupted by
    # Ctrl-C can mark a running thread as stopped (the bpo-45274 clean-up)

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="sunroster-solve", daemon=True).start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        cancel.set()
        with suppress(KeyboardInterrupt):  # a second Ctrl-C: stop waiting
            done.wait(INTERRUPT_GRACE_SECONDS)
        if not done.is_set():
            _hard_exit()
        raise KeyboardInterrupt from None
    if "error" in box:
        raise box["error"]
    return box["value"]


def _hard_exit() -> None:
    """Exit 130 now, without waiting for a solve that does not stop."""
    _say_interrupted("stopped, nothing was written")
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):  # a closed stream: nothing to flush
            stream.flush()
    for child in multiprocessing.active_children():  # a bound's child process
        child.terminate()
    os._exit(EXIT_INTERRUPTED)
