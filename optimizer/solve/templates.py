"""Shift templates: every shift a site's rule set allows, on the UTC grid.

A template is a local date, a local start time (a multiple of the rule set's
start step that lands on the UTC grid), a paid length from `shift_hours` —
where the rule set names its `shift_types`, only their starts and lengths —, and
— for shifts of 6 paid hours or more under a break rule — a break offset
inside the rule's window. Lengths are absolute time, so a night across a DST
change lasts its real length; a start in the skipped hour does not exist.
The structural hard rules (shift length, start step, break) hold by
construction: the solver can only pick templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from optimizer.pay import classify_minutes
from optimizer.scenario.model import RuleSet, Site
from optimizer.timegrid import TimeGrid, local_to_utc

BREAK_MIN_PAID_HOURS = 6


@dataclass(frozen=True)
class Templates:
    """All templates of one site, as parallel arrays (one entry per template)."""

    site: str
    day: np.ndarray  # horizon day index of the local shift date
    start: np.ndarray  # UTC epoch minutes
    end: np.ndarray
    local_start: np.ndarray  # minute of the local day at the start
    paid: np.ndarray  # paid minutes
    brk_start: np.ndarray  # UTC epoch minutes of the break's start (== start when none)
    brk_len: np.ndarray  # break minutes (0 when none)
    nominal: np.ndarray  # bool: the middle break option of its (day, start, length) family
    weight: np.ndarray  # premium-weighted paid minutes (night/weekend/holiday, no overtime)
    shift_type: np.ndarray  # index into the rule set's shift_types (-1: the set names none)

    def __len__(self) -> int:
        return len(self.day)


def break_rule_applies(rules: RuleSet, paid_hours: float) -> bool:
    return rules.break_ is not None and paid_hours >= BREAK_MIN_PAID_HOURS


def build_templates(
    site: Site,
    rules: RuleSet,
    dates: list[dt.date],
    grid: TimeGrid,
    holidays: frozenset[dt.date],
) -> Templates:
    """Enumerate the site's templates over the horizon's local dates."""
    step = rules.start_step_minutes
    keys = ("day", "start", "end", "local_start", "paid", "brk_start", "brk_len", "nominal", "type")
    cols: dict[str, list] = {k: [] for k in keys}
    # each start and length's shift type: the same on every date
    kind_of = {
        (s, round(h * 60)): rules.type_of(s, round(h * 60))
        for s in range(0, 1440, step)
        for h in rules.shift_hours
    }
    for di, date in enumerate(dates):
        for s in range(0, 1440, step):
            t0 = local_to_utc(site.timezone, date, s)
            if t0 is None or (t0 - grid.start) % grid.interval:
                continue
            for hours in rules.shift_hours:
                paid = round(hours * 60)
                kind = kind_of[(s, paid)]
                if rules.shift_types and (kind < 0 or rules.shift_types[kind].max_shifts == 0):
                    continue  # not in the rule set's catalogue, or a type no one here may work
                brk = rules.break_ if break_rule_applies(rules, hours) else None
                if brk is None:
                    _add(cols, di, t0, t0 + paid, s, paid, t0, 0, True, kind)
                    continue
                span = paid + (0 if brk.paid else brk.minutes)
                lo = -(-round(brk.after_hours[0] * 60) // grid.interval) * grid.interval
                hi = round(brk.after_hours[1] * 60)
                offsets = [
                    o for o in range(lo, hi + 1, grid.interval) if o > 0 and o + brk.minutes < span
                ]
                if not offsets:
                    continue
                mid = offsets[len(offsets) // 2]
                for o in offsets:
                    _add(cols, di, t0, t0 + span, s, paid, t0 + o, brk.minutes, o == mid, kind)
    arr = {k: np.asarray(v, dtype=bool if k == "nominal" else np.int64) for k, v in cols.items()}
    weight = _premium_weight(site, rules, holidays, arr)
    kinds = arr.pop("type")
    return Templates(site=site.id, weight=weight, shift_type=kinds, **arr)


def _add(cols: dict[str, list], *values: object) -> None:
    for key, v in zip(cols, values, strict=True):
        cols[key].append(v)


def _premium_weight(
    site: Site, rules: RuleSet, holidays: frozenset[dt.date], arr: dict[str, np.ndarray]
) -> np.ndarray:
    """Σ premium multiplier over each template's paid minutes, by prefix sums
    over one classified minute line (the pay model's classification)."""
    if len(arr["start"]) == 0:
        return np.zeros(0)
    t0 = int(arr["start"].min())
    t1 = int(arr["end"].max())
    line = np.arange(t0, t1, dtype=np.int64)
    mult = classify_minutes(site.timezone, rules, holidays, line).multiplier
    prefix = np.concatenate([[0.0], np.cumsum(mult)])
    whole = prefix[arr["end"] - t0] - prefix[arr["start"] - t0]
    unpaid = rules.break_ is not None and not rules.break_.paid
    if unpaid:
        b0 = arr["brk_start"] - t0
        whole = whole - (prefix[b0 + arr["brk_len"]] - prefix[b0])
    return whole
