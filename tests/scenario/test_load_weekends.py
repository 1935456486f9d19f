"""The optional `max_weekends` of a rule set in the loader: it loads with
its value, a scenario without it has no such rule, and a bad or misspelt
value stops `sunroster validate` with exit 2, naming the file, the YAML
line and the field, and writing nothing."""

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
