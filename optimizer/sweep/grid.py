"""The grid of a sweep: `--vary` specs → the cartesian product of what-ifs.

A spec is `KEY=FROM..TO:STEP` (`volume=-10%..+20%:5%`, `fx.EUR=0.9..1.2:0.1`,
`hire.MNL.ja=0..6:2`), `KEY=V1,V2,…` or `KEY=V`; the items of a list may be
ranges, so a rule can be swept with its `off` point too
(`rules.start_band_hours=off,2..6:2` → off, 2, 4, 6). Ranges include both ends
and are counted in decimal arithmetic, so `0.9..1.2:0.1` is exactly four
values; a value listed twice is one point. An outage's date range
(`outage.LIS=2027-03-01..2027-03-03`) is one value, not a numeric range.
Values keep the spec's form (a `%` range yields `+5%`), so every point is a
valid `WhatIf.from_pairs` input and reads the same in the store.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from optimizer.whatif import WhatIf

MAX_POINTS = 10_000


class GridError(ValueError):
    """A `--vary` spec that cannot be read; the message names the spec."""


@dataclass(frozen=True)
class Axis:
    key: str
    values: tuple[str, ...]


def _dec(text: str, spec: str) -> tuple[Decimal, bool]:
    t = text.strip()
    pct = t.endswith("%")
    try:
        return Decimal(t.rstrip("%").strip()), pct
    except InvalidOperation:
        raise GridError(f"--vary {spec!r}: {text!r} is not a number") from None


def _fmt(x: Decimal, pct: bool, signed: bool) -> str:
    x = x.normalize() if x != 0 else Decimal(0)
    text = format(x, "f")
    if signed and x >= 0:
        text = "+" + text
    return text + ("%" if pct else "")


_DATE_RANGE_LEVERS = ("outage.",)  # levers whose one value is written FROM..TO


def _range(item: str, spec: str) -> list[str]:
    """`FROM..TO[:STEP]` → its values, both ends included, in the item's form."""
    rng, _, step_text = item.partition(":")
    a_text, _, b_text = rng.partition("..")
    a, pa = _dec(a_text, spec)
    b, pb = _dec(b_text, spec)
    step, ps = _dec(step_text, spec) if step_text else (Decimal(1), pa)
    if step <= 0:
        raise GridError(f"--vary {spec!r}: the step must be positive")
    if b < a:
        raise GridError(f"--vary {spec!r}: the range ends ({b_text}) before it starts ({a_text})")
    if len({pa, pb, ps}) > 1:
        raise GridError(f"--vary {spec!r}: use % on all of FROM, TO and STEP or on none")
    n = int((b - a) / step)
    if n + 1 > MAX_POINTS:
        raise GridError(f"--vary {spec!r}: {n + 1} values, more than {MAX_POINTS}")
    signed = pa or a_text.strip().startswith(("+", "-"))
    return [_fmt(a + i * step, pa, signed) for i in range(n + 1)]


def parse_vary(spec: str) -> Axis:
    """One `--vary` spec → an axis of text values (see module doc)."""
    if "=" not in spec:
        raise GridError(f"--vary {spec!r}: expected KEY=FROM..TO:STEP, KEY=V1,V2 or KEY=V")
    key, _, body = spec.partition("=")
    key, body = key.strip(), body.strip()
    if not key or not body:
        raise GridError(f"--vary {spec!r}: expected KEY=FROM..TO:STEP, KEY=V1,V2 or KEY=V")
    listed: list[str] = []
    for item in (v.strip() for v in body.split(",")):
        if ".." in item and not key.startswith(_DATE_RANGE_LEVERS):
            listed.extend(_range(item, spec))
        elif item:
            listed.append(item)
        if len(listed) > MAX_POINTS:
            raise GridError(f"--vary {spec!r}: {len(listed)} values, more than {MAX_POINTS}")
    values = tuple(dict.fromkeys(listed))
    if not values:
        raise GridError(f"--vary {spec!r}: no values")
    for v in values:  # every value must be a lever WhatIf understands
        try:
            WhatIf.from_pairs({key: v})
        except ValueError as exc:
            raise GridError(f"--vary {spec!r}: {exc}") from None
    return Axis(key, values)


def grid_points(axes: list[Axis]) -> list[dict[str, str]]:
    """The cartesian product, one overrides dict per point (axes' order)."""
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise GridError(f"--vary: a key is varied twice ({', '.join(keys)})")
    total = 1
    for a in axes:
        total *= len(a.values)
    if total > MAX_POINTS:
        raise GridError(f"--vary: {total} points, more than {MAX_POINTS}")
    return [
        dict(zip(keys, combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]


def point_seed(base_seed: int, overrides: dict[str, str]) -> int:
    """A solver seed for a point: the same base seed and point give the same seed."""
    key = json.dumps(overrides, sort_keys=True)
    return int(hashlib.sha256(f"{base_seed}:{key}".encode()).hexdigest()[:8], 16) % (2**31 - 1)


def sweep_id(scenario_hash: str, points: list[dict[str, str]], params: dict[str, Any]) -> str:
    """The sweep's identity: scenario content + grid + solve parameters (16 hex)."""
    doc = {
        "scenario": scenario_hash,
        "points": sorted(json.dumps(p, sort_keys=True) for p in points),
        "params": params,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]
