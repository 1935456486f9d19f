"""Presentation stays in `optimizer/cli/`: no other module of the package or
the dashboard imports `rich`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rich_is_imported_only_by_the_cli():
    found = []
    for base in ("optimizer", "dashboard"):
        for path in sorted((ROOT / base).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("optimizer/cli/"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom)
                    else []
                )  # fmt: skip
                if any(n == "rich" or n.startswith("rich.") for n in names):
                    found.append(f"{rel}:{node.lineno}")
    assert not found, f"rich imported outside optimizer/cli/: {found}"
