"""Labour rule sets: what one shift and one week of an agent may be, and what
an hour costs on top of the base rate.

A rule set (one per country, usually; sites name one) bounds rest, weekly
hours, consecutive days, shift lengths and start steps, places a break, names
the weekend and the night and their pay premiums; the v1.1 workability rules
(start band, days off together, consecutive nights) and the extensions
(minimum runs of days worked and off, weekends worked in the horizon) are
hard when set.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from optimizer.scenario import limits
from optimizer.scenario.field_types import (
    FiniteFloat,
    FiniteInt,
    Frozen,
    Ident,
    LocalMinute,
    Premium,
    Weekday,
    WeekHours,
)


class BreakRule(Frozen):
    """One break for shifts of 6 paid hours or more, starting `after_hours` in."""

    minutes: Annotated[FiniteInt, Field(gt=0, le=24 * 60)]
    paid: bool = False
    after_hours: tuple[
        Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_DAY_HOURS)],
        Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_DAY_HOURS)],
    ]

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        a, b = self.after_hours
        if a < 0 or b < a:
            raise ValueError(
                f"after_hours {list(self.after_hours)} must be [earliest, latest] with 0 <= earliest <= latest"
            )
        return self


class NightWindow(Frozen):
    """Local night window, e.g. 22:00 → 06:00 (wraps past midnight)."""

    from_: LocalMinute = Field(alias="from")
    to: LocalMinute

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class Premiums(Frozen):
    """Multipliers of the base hourly cost; overtime stacks on the others."""

    night: Premium = 1.0
    weekend: Premium = 1.0
    holiday: Premium = 1.0
    overtime_after_hours_week: WeekHours | None = None
    overtime: Premium = 1.0


class ShiftType(Frozen):
    """A named shift of a rule set's catalogue: a local start, a paid length,
    and at most how many an agent works in the horizon (None: no limit)."""

    id: Ident
    start: LocalMinute
    hours: Annotated[FiniteFloat, Field(gt=0, le=24)]
    max_shifts: Annotated[FiniteInt, Field(ge=0, le=400)] | None = None


def runs_conflict(least: int | None, most: int | None) -> str | None:
    """Why a rule set's `min_consecutive_days` cannot hold beside its
    `max_consecutive_days`, or None when both can."""
    if least is not None and most is not None and least > most:
        return f"{least} is more than max_consecutive_days {most}: no run of working days could keep both"
    return None


class RuleSet(Frozen):
    """A labour rule set (one per country, usually); sites name one."""

    id: str = ""
    min_rest_hours: WeekHours = 0
    max_hours_week: Annotated[WeekHours, Field(gt=0)]
    max_consecutive_days: Annotated[FiniteInt, Field(ge=1, le=7 * 53)] = 7
    shift_hours: tuple[Annotated[FiniteFloat, Field(gt=0)], ...]
    start_step_minutes: Annotated[FiniteInt, Field(gt=0, le=1440)] = 30
    break_: BreakRule | None = Field(default=None, alias="break")
    weekend: tuple[Weekday, ...] = (5, 6)
    night: NightWindow | None = None
    premiums: Premiums = Premiums()
    # v1.1 workability rules (hard when set; None: no such rule)
    start_band_hours: Annotated[FiniteFloat, Field(ge=0, le=24)] | None = None
    days_off_together: Annotated[FiniteInt, Field(ge=1, le=7)] | None = None
    max_consecutive_nights: Annotated[FiniteInt, Field(ge=0, le=7 * 53)] | None = None
    # extension (hard when set; None: no such rule)
    min_consecutive_days: Annotated[FiniteInt, Field(ge=1, le=7 * 53)] | None = None
    min_consecutive_days_off: Annotated[FiniteInt, Field(ge=1, le=7 * 53)] | None = None
    max_weekends: Annotated[FiniteInt, Field(ge=0, le=53)] | None = None
    # extension: the only shifts the set allows, each named (empty: every start on the
    # step with every length of shift_hours), and the successions it forbids
    shift_types: tuple[ShiftType, ...] = ()
    forbidden_successions: tuple[tuple[Ident, Ident], ...] = ()

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @field_validator("shift_types")
    @classmethod
    def _allowed_shifts(
        cls, v: tuple[ShiftType, ...], info: ValidationInfo
    ) -> tuple[ShiftType, ...]:
        """Each shift type is a shift the set's other rules allow (a length of
        `shift_hours`, a start on the step), and ids are unique."""
        hours, step = info.data.get("shift_hours", ()), info.data.get("start_step_minutes", 1)
        for t in v:
            if hours and not any(abs(t.hours - h) < 1e-9 for h in hours):
                raise ValueError(f"shift type {t.id}: {t.hours:g} h is not one of shift_hours")
            if t.start % step:
                raise ValueError(
                    f"shift type {t.id}: its start is not a multiple of start_step_minutes {step}"
                )
        ids = [t.id for t in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"shift type id {dup[0]!r} is written twice")
        return v

    @field_validator("forbidden_successions")
    @classmethod
    def _known_types(
        cls, v: tuple[tuple[str, str], ...], info: ValidationInfo
    ) -> tuple[tuple[str, str], ...]:
        """A forbidden succession names two shift types of the set."""
        if "shift_types" not in info.data:
            return v  # the shift types are invalid: reported there
        ids = {t.id for t in info.data["shift_types"]}
        for pair in v:
            for x in pair:
                if x not in ids:
                    raise ValueError(f"{x!r} is not a shift type of the set (shift_types)")
        return v

    def type_of(self, start: int, paid_minutes: int) -> int:
        """The index of the shift type starting at local minute `start` with
        `paid_minutes` paid, or -1 (none: no catalogue, or not in it)."""
        for i, t in enumerate(self.shift_types):
            if t.start == start and round(t.hours * 60) == paid_minutes:
                return i
        return -1

    @field_validator("min_consecutive_days")
    @classmethod
    def _at_most_the_maximum(cls, v: int | None, info: ValidationInfo) -> int | None:
        why = runs_conflict(v, info.data.get("max_consecutive_days"))
        if why is not None:
            raise ValueError(why)
        return v

    @field_validator("shift_hours")
    @classmethod
    def _non_empty(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v:
            raise ValueError("shift_hours is empty: list at least one allowed paid shift length")
        if any(h > 24 for h in v):
            raise ValueError("a shift cannot last more than 24 hours")
        return tuple(sorted(set(v)))


__all__ = ["BreakRule", "NightWindow", "Premiums", "RuleSet", "ShiftType"]
