"""Every shell command of README.md and docs/*.md runs as written (issue #25).

The commands are the lines of the ```sh / ```bash / ```console blocks (a
line ending in `\\` goes on on the next one). They run in a copy of this
checkout's tracked files (a fresh clone, with `.venv` linked to this one's),
after `make demo`, as a reader would: README's commands as written, docs/'s
with `.venv/bin` on PATH (the README says to activate it), and a run store of
the test's own (`SUNROSTER_DB_URL`).

What is changed, and only this:

- time limits: `--time-limit N` becomes `--time-limit $SUNROSTER_DOCS_TIME_LIMIT`
  (default 5 s); a `solve` or `hire` without one gets it; `make demo` runs as
  `make -o .venv/.installed demo TIME_LIMIT=…` (the install is this checkout's);
  a `sweep` solves 2 of its points (`--limit 2`);
- a synopsis — a line with `[optional parts]` or a CAPITALS placeholder — runs
  with its optional parts left out and the placeholders filled: SCENARIO the
  bundled scenario, OUTDIR `out/baseline` (what `make demo` solved), ID a
  stored run (the demo's, then a second one the setup stores), NAME its
  scenario, PATH the test's store; every option it names must exist;
- not run: `make test` (this suite), `make dashboard` and `streamlit run`
  (servers that run until stopped; tests/dashboard starts them) and the
  browser test's `pytest` line (a test of this suite).

The long ones are marked `slow` (`pytest -m slow tests/test_docs_commands.py`):
sweeps, hiring plans, and docs/ commands on the global scenario; the fast
part is `make demo`, the README's commands after it and the run-store ones.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

from optimizer.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIME_LIMIT = os.environ.get("SUNROSTER_DOCS_TIME_LIMIT", "5")
TIMEOUT = 1800  # seconds: a guard against a hang, not a measure
PLACEHOLDER = re.compile(r"(?<![\w=$/.-])([A-Z][A-Z_]+)(?![\w=])")
NOT_RUN = {
    r"^make test\b": "this test suite",
    r"^make dashboard\b": "a server that runs until stopped",
    r"\bstreamlit run\b": "a server that runs until stopped",
    r"\bpytest\b": "a test of this suite",
}
# a documented outcome other than 0: hire's exit 1 is "no plan found" (a short solve may
# leave more to cover than --max allows); 2 (bad input) and 3 are never expected
EXITS = {r"\bsunroster hire\b": (0, 1)}
FILL = {
    "SCENARIO": "scenarios/global-baseline.yaml",
    "OUTDIR": "out/baseline",
    "NAME": "global-baseline",
    "PATH": "$SUNROSTER_DB_URL",
}


@dataclass(frozen=True)
class Command:
    doc: str  # README.md or docs/x.md
    line: int
    text: str  # as written, continuation lines joined

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    def not_run(self) -> str | None:
        return next((why for rx, why in NOT_RUN.items() if re.search(rx, self.text)), None)


def _code(text: str) -> str:
    """The command without its trailing `# comment`."""
    return re.sub(r"\s+#.*$", "", text)


def commands() -> list[Command]:
    """Every shell line of every documentation page, in reading order."""
    out: list[Command] = []
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        shell, pending, start = False, "", 0
        for n, line in enumerate(lines, 1):
            if line.startswith("```"):
                shell = not shell and line[3:].strip() in ("sh", "bash", "console", "shell")
                continue
            if not shell or (not line.strip() and not pending):
                continue
            if not pending:
                start = n
            text = line.strip().removeprefix("$ ")
            if text.endswith("\\"):
                pending += text[:-1].strip() + " "
                continue
            out.append(Command(str(path.relative_to(ROOT)), start, pending + text))
            pending = ""
    return out


ALL = commands()


def as_run(cmd: Command, run_ids: list[int]) -> str:
    """The command line actually run (the substitutions of the module doc)."""
    text = _code(cmd.text)
    if re.match(r"^make demo\b", text):
        return f"make -o .venv/.installed demo TIME_LIMIT={TIME_LIMIT}"
    text = re.sub(r"\[[^\[\]]*\]", "", text)  # optional parts left out
    ids = iter(run_ids)

    def fill(m: re.Match[str]) -> str:
        if m[1] == "ID":
            return str(next(ids))
        if m[1] not in FILL:
            raise AssertionError(f"{cmd.id}: no value for the placeholder {m[1]} (FILL)")
        return FILL[m[1]]

    text = PLACEHOLDER.sub(fill, text)
    text = re.sub(r"--time-limit \d+(\.\d+)?", f"--time-limit {TIME_LIMIT}", text)
    if re.search(r"\bsunroster (solve|hire)\b", text) and "--time-limit" not in text:
        text += f" --time-limit {TIME_LIMIT}"
    if re.search(r"\bsunroster sweep\b", text):
        text += " --limit 2"
    return re.sub(r"\s+", " ", text).strip()


def slow(cmd: Command) -> bool:
    """Long: a sweep or a hiring plan anywhere, and in docs/ a command on the
    global scenario (the README's, which follow `make demo`, are the fast part)."""
    if cmd.not_run() or re.match(r"^make demo\b", cmd.text):
        return False
    text = as_run(cmd, [1, 2])
    return bool(re.search(r"\bsunroster (sweep|hire)\b", text)) or (
        cmd.doc != "README.md" and "global-baseline" in text
    )


def params() -> list[object]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if slow(c) else []) for c in ALL]


# ---------------------------------------------------------------- the clone and its runs


@dataclass
class Clone:
    root: Path
    env: dict[str, str]
    store: Path
    results: dict[str, subprocess.CompletedProcess[str]]


def _run(clone: Clone, line: str, docs_env: bool) -> subprocess.CompletedProcess[str]:
    env = dict(clone.env)
    if docs_env:  # as after `. .venv/bin/activate`
        env["PATH"] = f"{clone.root / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
        env["VIRTUAL_ENV"] = str(clone.root / ".venv")
    return subprocess.run(
        ["bash", "-c", line], cwd=clone.root, env=env, capture_output=True, text=True,
        timeout=TIMEOUT, check=False,
    )  # fmt: skip


def _run_ids(clone: Clone) -> list[int]:
    import sqlite3

    with sqlite3.connect(clone.store) as db:
        return [r[0] for r in db.execute("SELECT id FROM runs ORDER BY id")]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    """A fresh clone after `make demo` (and a second stored run, for `runs compare`)."""
    if not (ROOT / ".venv" / "bin" / "sunroster").exists():
        pytest.skip("no .venv with sunroster in this checkout (make install)")
    root = tmp_path_factory.mktemp("clone")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        src = ROOT / name
        if src.is_file() and not name.startswith("docs/screenshots/"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name)
    (root / ".venv").symlink_to(ROOT / ".venv")
    store = root / "runs.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}  # README's: not activated
    env |= {"SUNROSTER_DB_URL": f"sqlite:///{store}", "COLUMNS": "120", "NO_COLOR": "1"}
    c = Clone(root, env, store, {})
    demo = as_run(Command("README.md", 0, "make demo"), [])
    c.results[demo] = _run(c, demo, docs_env=False)
    second = f".venv/bin/sunroster solve scenarios/tiny.yaml -o out/tiny --time-limit {TIME_LIMIT}"
    assert _run(c, second, docs_env=False).returncode == 0
    return c


@pytest.mark.parametrize("cmd", params())
def test_documented_command_runs_as_written(clone: Clone, cmd: Command) -> None:
    why = cmd.not_run()
    if why is not None:
        pytest.skip(f"not run: {why}")
    line = as_run(cmd, _run_ids(clone))
    res = clone.results.get(line)  # a command documented twice runs once
    if res is None:
        res = clone.results[line] = _run(clone, line, docs_env=cmd.doc != "README.md")
    ok = next((codes for rx, codes in EXITS.items() if re.search(rx, line)), (0,))
    assert res.returncode in ok, f"{cmd.id}: `{line}` exited {res.returncode}\n{res.stderr[-3000:]}"
    assert "Traceback" not in res.stderr


# ---------------------------------------------------------------- synopses name real options


def _options(words: list[str]) -> tuple[str, set[str]]:
    """The subcommand `words` start with, and the option names it takes."""
    cmd = typer.main.get_command(app)  # typer's own click: groups known by their commands
    path: list[str] = []
    for w in words:
        if w not in getattr(cmd, "commands", {}):
            break
        cmd, path = cmd.commands[w], [*path, w]
    names = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
    return " ".join(path), names


@pytest.mark.parametrize(
    "cmd", [pytest.param(c, id=c.id) for c in ALL if re.search(r"\bsunroster\b", c.text)]
)
def test_every_option_a_page_names_exists(cmd: Command) -> None:
    words = shlex.split(_code(cmd.text).replace("[", " ").replace("]", " ").replace("...", ""))
    at = next(i for i, w in enumerate(words) if w.endswith("sunroster"))
    sub, names = _options(words[at + 1 :])
    named = {w.split("=")[0] for w in words[at + 1 :] if w.startswith("-") and w != "-"}
    assert named <= names, f"{cmd.id}: `sunroster {sub}` has no {sorted(named - names)}"


def test_the_pages_have_commands_to_run() -> None:
    """The parser finds the README's own commands (a changed fence would hide them)."""
    readme = [c for c in ALL if c.doc == "README.md"]
    assert readme[0].text.startswith("make demo") and any(
        "sunroster cost" in c.text for c in readme
    )
