"""Optional parts of Sunroster (pip extras) and the message when one is missing.

The core install validates, solves, checks and exports. The run store
(`[store]`: SQLAlchemy, alembic, psycopg), sweeps on Ray with their plots
(`[sweep]`) and the dashboard (`[dashboard]`: Streamlit, Plotly) are extras,
imported only by the commands that use them. A command that needs a missing
extra says which one and how to install it, and exits 2 before doing anything.
"""

from __future__ import annotations

import importlib.util

import typer
from rich.markup import escape

from optimizer.cli.common import EXIT_INPUT, err_console

# extra → the modules whose presence says it is installed
EXTRAS: dict[str, tuple[str, ...]] = {
    "store": ("sqlalchemy", "alembic"),
    "sweep": ("ray", "plotly"),
    "dashboard": ("streamlit", "plotly"),
}


def missing(extra: str, modules: tuple[str, ...] | None = None) -> list[str]:
    """The modules of `extra` (or just `modules` of it) that cannot be imported."""
    return [m for m in modules or EXTRAS[extra] if importlib.util.find_spec(m) is None]


def install_hint(extra: str) -> str:
    """How to install an extra, in one phrase."""
    return f"pip install 'sunroster[{extra}]' (in a clone: pip install -e '.[{extra}]')"


def require(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Exit 2 with one line unless the extra's modules are importable."""
    gone = missing(extra, modules)
    if gone:
        text = (
            f"{what} needs the [{extra}] extra, which is not installed "
            f"(no module {', '.join(gone)}): {install_hint(extra)}"
        )
        err_console.print(f"[bold red]error:[/] {escape(text)}", highlight=False)
        raise typer.Exit(EXIT_INPUT)
