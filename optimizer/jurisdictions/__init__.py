"""Labour-rule data, one module per country (as the `holidays` package keeps
one module per country): each holds the country's rule set in the
scenario's `rules.<SET>` form — hours, rest, breaks, weekend days, night
window, premiums, start step and the contract v1.1 workability rules — with
its legal basis in the module's docstring.

This is the one source of those figures: `data/generate.py` writes them into
the bundled scenarios, `optimizer/bench/scale.py` into the synthetic ones,
and `python -m optimizer.jurisdictions` prints the table data/README.md
shows. The v1.1 rules are the same house policy everywhere (starts within
2 hours a week, two days off together) except the cap on consecutive night
shifts: 4 at EU sites (night-work health guidance), 5 elsewhere.
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from optimizer.jurisdictions import co, eg, ie, mx, my, ph, pl, pt

_MODULES: tuple[ModuleType, ...] = (ph, my, pl, pt, ie, eg, mx, co)
JURISDICTIONS: dict[str, ModuleType] = {m.CODE: m for m in _MODULES}


def rule_set(code: str, **changes: Any) -> dict[str, Any]:
    """A fresh copy of country `code`'s rule set (scenario form), with any
    top-level keys replaced by `changes` (e.g. `shift_hours=[4, 8]`)."""
    try:
        rules = JURISDICTIONS[code].RULES
    except KeyError:
        raise KeyError(
            f"no labour rules for {code!r}: known are {', '.join(JURISDICTIONS)}"
        ) from None
    return {**copy.deepcopy(rules), **copy.deepcopy(changes)}


def _hours(x: float) -> str:
    return f"{x:g}"


def markdown_table() -> str:
    """One row per country: the figures a reader compares (docs table)."""
    head = (
        "| country | rest h | week h (overtime after) | days in a row | start step | break "
        "| weekend | night window | premiums night / weekend / holiday / overtime "
        "| start band h | days off together | nights in a row |"
    )
    rows = [head, "|" + " --- |" * 12]
    for code, m in JURISDICTIONS.items():
        r = m.RULES
        p, b = r["premiums"], r["break"]
        rows.append(
            f"| {code} {m.NAME} | {_hours(r['min_rest_hours'])} "
            f"| {_hours(r['max_hours_week'])} ({_hours(p['overtime_after_hours_week'])}) "
            f"| {r['max_consecutive_days']} | {r['start_step_minutes']} min "
            f"| {b['minutes']} min {'paid' if b['paid'] else 'unpaid'} "
            f"| {'–'.join(r['weekend'])} | {r['night']['from']}–{r['night']['to']} "
            f"| ×{p['night']:g} / ×{p['weekend']:g} / ×{p['holiday']:g} / ×{p['overtime']:g} "
            f"| {_hours(r['start_band_hours'])} | {r['days_off_together']} "
            f"| {r['max_consecutive_nights']} |"
        )
    return "\n".join(rows) + "\n"


__all__ = ["JURISDICTIONS", "markdown_table", "rule_set"]
