"""Where the dashboard finds a scenario's solved run, and the cache key of
everything derived from the scenario."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from ruamel.yaml import YAML, YAMLError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "scenarios" / "global-baseline.yaml"


def _referenced_files(yaml_path: Path) -> list[Path]:
    """The CSV tables a scenario YAML names (agents, demand), if any."""
    try:
        doc = YAML(typ="safe", pure=True).load(yaml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return []  # the loader names the problem when the scenario is opened
    if not isinstance(doc, dict):
        return []
    out = []
    for key in ("agents", "demand"):
        v = doc.get(key)
        if isinstance(v, str):
            out.append(yaml_path.parent / v)
    return out


def fingerprint(yaml_path: str | Path) -> str:
    """A short hash of a scenario's YAML bytes and its tables' size and mtime:
    the cache key of everything derived from the scenario."""
    p = Path(yaml_path)
    h = hashlib.sha256(p.read_bytes())
    for f in _referenced_files(p):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def find_run_dir(scenario_id: str, roots: Iterable[Path]) -> Path | None:
    """The newest solve output (roster.csv + summary.json naming this scenario)
    directly under any of `roots`, or one of `roots` itself."""
    found: list[tuple[float, Path]] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for d in [root, *sorted(x for x in root.iterdir() if x.is_dir())]:
            s, r = d / "summary.json", d / "roster.csv"
            if not (s.is_file() and r.is_file()):
                continue
            try:
                sid = json.loads(s.read_text(encoding="utf-8")).get("scenario")
            except (OSError, ValueError):
                continue
            if sid == scenario_id:
                found.append((s.stat().st_mtime, d))
    return max(found)[1] if found else None
