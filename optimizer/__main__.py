"""`python -m optimizer …` — the same as the `sunroster` command."""

from optimizer.cli import app

app()
