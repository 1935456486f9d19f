"""A rule set's named shifts and their forbidden successions
(`optimizer.check.shift_types`)."""

from __future__ import annotations

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import shift

TYPES = [
    {"id": "D", "start": "09:00", "hours": 8},
    {"id": "N", "start": "22:00", "hours": 8},
]


def _rules(mini_data, forbidden=()):
    mini_data["rules"]["PT"].update(
        {"min_rest_hours": 0, "shift_types": TYPES, "forbidden_successions": list(forbidden)}
    )
    return mini_data


def _found(sc, segments) -> list[tuple[str, str]]:
    return [(v.rule, v.when) for v in check_roster(sc, Roster.from_segments(segments)).violations]


def test_a_shift_outside_the_catalogue_is_a_violation(load, mini_data):
    sc = load(_rules(mini_data))
    assert _found(sc, shift("A1", 0, "09:00", "18:00")) == []
    ((rule, _),) = _found(sc, shift("A1", 0, "10:00", "19:00", brk="14:00"))
    assert rule == "shift type"


def test_a_forbidden_succession_is_a_violation(load, mini_data):
    """N → D forbidden: Monday's night then Tuesday's day breaks it, named at
    Tuesday; Tuesday's day then Wednesday's night does not."""
    sc = load(_rules(mini_data, [["N", "D"]]))
    night = shift("A1", 0, "22:00", "07:00", brk="02:00")
    day = shift("A1", 1, "09:00", "18:00")
    assert _found(sc, night + day) == [("forbidden succession", "2027-03-02")]
    assert _found(sc, day + shift("A1", 2, "22:00", "07:00", brk="02:00")) == []


def test_a_shift_beyond_its_types_maximum_is_a_violation(load, mini_data):
    """At most one N shift in the horizon: the second, on Wednesday, breaks it."""
    _rules(mini_data)["rules"]["PT"]["shift_types"] = [TYPES[0], TYPES[1] | {"max_shifts": 1}]
    sc = load(mini_data)
    monday, wednesday = (shift("A1", d, "22:00", "07:00", brk="02:00") for d in (0, 2))
    assert _found(sc, monday + wednesday) == [("max shifts of type", "2027-03-03")]
    assert _found(sc, monday) == []
