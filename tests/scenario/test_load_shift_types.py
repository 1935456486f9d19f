"""A rule set's optional `shift_types` and `forbidden_successions` in the
loader: they load with their values, and a shift type the set's other rules
do not allow, a duplicate id or a succession naming an unknown type stops
`sunroster validate` with exit 2, naming the file, the line and the field."""

from __future__ import annotations

import pytest

from tests.scenario.test_load_v11 import assert_refused, line_of, validate, with_v11

D = {"id": "D", "start": "09:00", "hours": 8}
N = {"id": "N", "start": "22:00", "hours": 8}


def test_a_rule_set_without_them_names_no_shift(mini):
    assert mini.rules["PT"].shift_types == () and mini.rules["PT"].forbidden_successions == ()


def test_they_load_with_their_values(load, mini_data):
    r = load(
        with_v11(mini_data, {"shift_types": [D, N], "forbidden_successions": [["N", "D"]]})
    ).rules["PT"]
    assert [(t.id, t.start, t.hours) for t in r.shift_types] == [("D", 540, 8.0), ("N", 1320, 8.0)]
    assert r.forbidden_successions == (("N", "D"),)
    assert (r.type_of(540, 480), r.type_of(540, 420), r.type_of(600, 480)) == (0, -1, -1)


@pytest.mark.parametrize(
    ("types", "says"),
    [
        ([D | {"hours": 6}], "is not one of shift_hours"),
        ([D | {"start": "09:30"}], "not a multiple of start_step_minutes 60"),
        ([D, D], "written twice"),
    ],
)
def test_a_shift_type_the_rules_do_not_allow_exits_2(tmp_path, mini_data, types, says):
    assert_refused(tmp_path, with_v11(mini_data, {"shift_types": types}), "shift_types", says)


def test_a_succession_of_an_unknown_type_exits_2(tmp_path, mini_data):
    doc = with_v11(mini_data, {"shift_types": [D], "forbidden_successions": [["N", "D"]]})
    assert_refused(tmp_path, doc, "forbidden_successions", "'N' is not a shift type")


def test_a_negative_maximum_of_a_type_exits_2_at_its_line(tmp_path, mini_data):
    code, out, path = validate(
        tmp_path, with_v11(mini_data, {"shift_types": [D | {"max_shifts": -1}]})
    )
    assert code == 2
    line = line_of(path, "max_shifts")
    assert f"line {line} (rules.PT.shift_types[0].max_shifts)" in out
    assert "greater than or equal to 0" in out
