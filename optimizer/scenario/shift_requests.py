"""Shift requests: what an agent asks for on one date (an extension of the
contract), each a soft wish with its own price.

`off`: the agent would rather not work the date, or, with `start`, not a
shift starting at that local time; each shift against it costs `weight`.
`on`: the agent would like to work the date, or, with `start`, a shift
starting then; not granting it costs `weight`. Weights are in the reporting
currency, so a planner sets how much a wish is worth against cover and pay.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from optimizer.scenario import limits
from optimizer.scenario.field_types import FiniteFloat, Frozen, LocalMinute, SupportedDate

REQUEST_COLUMNS = ("agent", "date", "kind", "start", "weight")
REQUEST_REQUIRED = ("agent", "date", "kind", "weight")


class ShiftRequest(Frozen):
    """One agent's wish for one local date (see the module doc)."""

    agent: str
    date: SupportedDate
    kind: Literal["on", "off"]
    start: LocalMinute | None = None  # site clock; None: any shift of the date
    weight: Annotated[FiniteFloat, Field(gt=0, le=limits.MAX_WEIGHT)]

    def key(self) -> tuple[str, object, str, int | None]:
        """What makes two requests the same wish."""
        return (self.agent, self.date, self.kind, self.start)


__all__ = ["REQUEST_COLUMNS", "REQUEST_REQUIRED", "ShiftRequest"]
