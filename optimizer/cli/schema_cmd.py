"""`sunroster schema`: the JSON Schema of a scenario file (docs/scenario.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import app, console

STDOUT = Path("-")


def schema_text() -> str:
    """The schema as the project publishes it: indented JSON, one final newline."""
    from optimizer.scenario.schema import scenario_schema

    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


@app.command()
def schema(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="file to write; '-' (the default) for standard output"),
    ] = STDOUT,
) -> None:
    """Print (or write) the JSON Schema of a scenario YAML file, for editors and other tools."""
    text = schema_text()
    if output == STDOUT:
        print(text, end="")
        return
    from optimizer.files import atomic_file

    with atomic_file(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}")
