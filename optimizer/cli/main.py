"""`python -m optimizer.cli.main …` — the same as the `sunroster` command."""

from optimizer.cli import app

if __name__ == "__main__":
    app()
