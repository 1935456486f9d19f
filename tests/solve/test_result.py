"""SolveResult.from_summary inverts summary(): every key back, in its type;
missing keys take the defaults; a key of the wrong type is named."""

from __future__ import annotations

import json

import pytest

from optimizer.roster import Roster
from optimizer.solve.result import SolveResult, SummaryFieldError


def full() -> SolveResult:
    return SolveResult(
        "OPTIMAL", Roster.empty(), objective=1500.25, bound=1500.0, gap=0.000167,
        bound_method="lagrange", solve_seconds=12.3456, first_feasible_seconds=0.8,
        terms={"cost": 1400.25, "under_cover": 100.0}, switches=7, stats={"passes": 4},
    )  # fmt: skip


def test_from_summary_inverts_summary_through_json():
    s = json.loads(json.dumps(full().summary()))
    back = SolveResult.from_summary(s, Roster.empty())
    assert back.summary() == full().summary()
    assert back.solve_seconds == 12.346  # summary() keeps milliseconds
    assert (back.terms, back.switches, back.stats) == (full().terms, 7, {"passes": 4})


def test_missing_and_null_keys_take_the_defaults():
    r = SolveResult.from_summary({"objective": None, "bound": 900}, Roster.empty())
    assert (r.status, r.objective, r.bound, r.gap, r.bound_method) == (
        "UNKNOWN",
        None,
        900,
        None,
        "",
    )
    assert (r.solve_seconds, r.terms, r.switches, r.stats) == (0.0, {}, 0, {})


@pytest.mark.parametrize(
    ("key", "value"),
    [("gap", "small"), ("status", 3), ("objective_terms", [1, 2]), ("switches", True)],
)
def test_a_key_of_the_wrong_type_is_named(key: str, value: object):
    with pytest.raises(SummaryFieldError, match=f"^{key}: ") as exc:
        SolveResult.from_summary({key: value}, Roster.empty())
    assert exc.value.key == key
