"""Cover counted per shift type (an extension of the contract): how many
agents a site needs on one of its rule set's named shift types on a local
date — or, for a row without a site, every site whose rule set names that
type together — what each agent short costs and what each agent beyond
costs.

Interval demand (`demand`) asks for agents on queues through the day; some
operations plan by shifts instead — so many on the early shift, so many on
the night — and pay for over-staffing a shift too. Both may be given; each
adds its own term to the objective.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from optimizer.scenario import limits
from optimizer.scenario.field_types import FiniteFloat, FiniteInt, Frozen, Ident, SupportedDate

COVER_COLUMNS = ("site", "date", "shift_type", "required", "under_penalty", "over_penalty")
COVER_REQUIRED = ("date", "shift_type", "required", "under_penalty")


class ShiftCover(Frozen):
    """Agents needed on one shift type on one local date, at one site (None:
    at every site whose rule set names the type, counted together)."""

    site: str | None = None
    date: SupportedDate
    shift_type: Ident
    required: Annotated[FiniteInt, Field(ge=0, le=100_000)]
    under_penalty: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_WEIGHT)]  # per agent short
    over_penalty: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_WEIGHT)] = (
        0.0  # per agent beyond
    )

    def key(self) -> tuple[str | None, object, str]:
        """What makes two rows the same cell."""
        return (self.site, self.date, self.shift_type)


__all__ = ["COVER_COLUMNS", "COVER_REQUIRED", "ShiftCover"]
