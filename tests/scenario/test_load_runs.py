"""The optional `min_consecutive_days` and `min_consecutive_days_off` of a
rule set in the loader: each loads with its value, a scenario without them
means what it meant, and a bad value stops `sunroster validate` with exit 2,
naming the file, the YAML line and the field, and writing nothing."""

from __future__ import annotations

import pytest

from tests.scenario.test_load_v11 import assert_refused, with_v11


def test_a_rule_set_without_it_has_no_minimum(mini):
    assert mini.rules["PT"].min_consecutive_days is None


def test_it_loads_with_its_value(load, mini_data):
    assert (
        load(with_v11(mini_data, {"min_consecutive_days": 3})).rules["PT"].min_consecutive_days == 3
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (0, "greater than or equal to 1"),
        (2.5, "valid integer"),
        (float("inf"), "finite number"),
        (7, "more than max_consecutive_days 6"),
    ],
)
def test_a_bad_value_exits_2_naming_file_line_and_field(tmp_path, mini_data, value, says):
    doc = with_v11(mini_data, {"min_consecutive_days": value})
    assert_refused(tmp_path, doc, "min_consecutive_days", says)


def test_a_misspelt_minimum_exits_2_and_names_the_rule_meant(tmp_path, mini_data):
    doc = with_v11(mini_data, {"min_consecutive_day": 2})
    assert_refused(tmp_path, doc, "min_consecutive_day", "did you mean 'min_consecutive_days'")


@pytest.mark.parametrize(
    ("value", "says"), [(0, "greater than or equal to 1"), (1.5, "valid integer")]
)
def test_a_bad_minimum_of_days_off_exits_2(tmp_path, mini_data, value, says):
    doc = with_v11(mini_data, {"min_consecutive_days_off": value})
    assert_refused(tmp_path, doc, "min_consecutive_days_off", says)


def test_the_minimum_of_days_off_loads(load, mini_data):
    sc = load(with_v11(mini_data, {"min_consecutive_days_off": 2}))
    assert sc.rules["PT"].min_consecutive_days_off == 2
