"""The rules over the whole horizon in the loader — a rule set's optional
`max_weekends` and an agent's `min_hours_horizon` and `max_hours_horizon`:
each loads with its value, a scenario without them has no such rule, and a
bad or misspelt value stops `sunroster validate` with exit 2, naming the
file, the YAML line and the field, and writing nothing."""

from __future__ import annotations

import pytest

from tests.scenario.test_load_v11 import assert_refused, with_v11


def test_a_rule_set_without_it_has_no_maximum(mini):
    assert mini.rules["PT"].max_weekends is None


@pytest.mark.parametrize("value", [0, 2])
def test_it_loads_with_its_value(load, mini_data, value):
    assert load(with_v11(mini_data, {"max_weekends": value})).rules["PT"].max_weekends == value


@pytest.mark.parametrize(
    ("value", "says"),
    [(-1, "greater than or equal to 0"), (1.5, "valid integer"), (54, "less than or equal to 53")],
)
def test_a_bad_value_exits_2_naming_file_line_and_field(tmp_path, mini_data, value, says):
    assert_refused(tmp_path, with_v11(mini_data, {"max_weekends": value}), "max_weekends", says)


@pytest.mark.parametrize("key", ["max_weekend", "max_weekends_worked"])
def test_a_misspelt_maximum_exits_2_and_names_the_rule_meant(tmp_path, mini_data, key):
    doc = with_v11(mini_data, {key: 1})
    assert_refused(tmp_path, doc, key, "did you mean 'max_weekends'")


def test_an_agents_hours_over_the_horizon_load_and_a_bad_pair_exits_2(tmp_path, load, mini_data):
    from tests.scenario.test_load_v11 import validate

    mini_data["agents"][0].update({"min_hours_horizon": 20, "max_hours_horizon": 120})
    a = load(mini_data).agents[0]
    assert (a.min_hours_horizon, a.max_hours_horizon) == (20.0, 120.0)
    mini_data["agents"][0]["min_hours_horizon"] = 130
    code, out, _ = validate(tmp_path, mini_data)
    assert code == 2 and "min_hours_horizon 130 exceeds max_hours_horizon 120" in out
