"""A real PostgreSQL server for the store tests: a temporary cluster made with
Debian's initdb/pg_ctl, on a free local port, torn down at the end.

initdb refuses to run as root, so as root the server runs as the `postgres`
user (or `nobody`) via runuser, in a folder that user owns.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runas() -> tuple[list[str], pwd.struct_passwd | None]:
    """Command prefix and user to run the server as (only as root)."""
    if os.geteuid() != 0:
        return [], None
    runuser = shutil.which("runuser")
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        if runuser:
            return [runuser, "-u", name, "--"], user
    pytest.skip("running as root without runuser or an unprivileged user: initdb refuses root")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, object]]:
    bindir = _bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        )
    prefix, user = _runas()
    root = Path(tempfile.mkdtemp(prefix="sunroster-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user is not None:
        for p in (root, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
    os.chmod(root, 0o755)
    port = _free_port()

    def run(*args: str) -> None:
        res = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            log = root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"{' '.join(args[:2])} failed: {res.stdout}{res.stderr}{tail}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "sunroster", "-A", "trust", "-E", "UTF8",
        "--no-locale", "--no-sync")  # fmt: skip
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        opts,
        "-l",
        str(root / "server.log"),
        "-w",
        "start",
    )
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "sunroster"}
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


_db_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_server) -> str:
    """A new, empty database on the test server; its SQLAlchemy URL."""
    import psycopg

    name = f"runs_{os.getpid()}_{next(_db_numbers)}"
    s = pg_server
    with psycopg.connect(host=s["host"], port=s["port"], user=s["user"], dbname="postgres",
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{s['user']}@{s['host']}:{s['port']}/{name}"
