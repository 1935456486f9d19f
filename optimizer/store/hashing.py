"""Content hashes: which scenario a run solved, and which sweep point it is."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from optimizer.scenario.model import Scenario


def scenario_hash(scenario: Scenario) -> str:
    """sha256 over the scenario's content: its canonical model dump (without
    the file path) and its demand table as sorted CSV — the same for the same
    content wherever the files live, different after any what-if."""
    doc = scenario.model_dump(mode="json", exclude={"demand", "source"})
    h = hashlib.sha256()
    h.update(json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode())
    d = scenario.demand.sort_values(["queue", "t"], kind="stable")
    h.update(d[["queue", "t", "contacts"]].to_csv(index=False, float_format="%.9g").encode())
    return h.hexdigest()


def point_key(overrides: Mapping[str, Any]) -> str:
    """Canonical text of a what-if's overrides (`{}` for the base scenario)."""
    return json.dumps({str(k): str(v) for k, v in overrides.items()}, sort_keys=True)
