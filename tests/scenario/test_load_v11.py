"""Contract v1.1 in the loader: the workability rules (`start_band_hours`,
`days_off_together`, `max_consecutive_nights`, top-level `activities`) and
`weights.stability` load with their values, a v1 scenario means what it meant,
and every bad value stops `sunroster validate` with exit 2, naming the file,
the YAML line and the field, and writing nothing."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.load import load_scenario, load_scenario_with_warnings
from optimizer.scenario.model import Activities
from tests import factory

runner = CliRunner()


def with_v11(data: dict[str, Any], rules: dict[str, Any], activities: Any = None) -> dict:
    """A copy of `data` whose rule set PT carries `rules` and, if given, `activities`."""
    doc = copy.deepcopy(data)
    doc["rules"]["PT"].update(rules)
    if activities is not None:
        doc["activities"] = activities
    return doc


def validate(tmp_path: Path, data: dict[str, Any]) -> tuple[int, str, Path]:
    """Run `sunroster validate` on `data`; its exit code, output and YAML path."""
    path = factory.write(tmp_path / "sc", data)
    before = sorted(p.name for p in path.parent.iterdir())
    res = runner.invoke(app, ["validate", str(path)])
    assert sorted(p.name for p in path.parent.iterdir()) == before, "validate wrote a file"
    assert "Traceback" not in res.output
    return res.exit_code, res.output, path


def line_of(path: Path, key: str, after: str | None = None) -> int:
    """1-based line of the first `key:` in the YAML (after the line holding `after:`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, t in enumerate(lines) if t.strip().startswith(f"{after}:"))
    for i in range(start, len(lines)):
        if lines[i].strip().startswith(f"{key}:"):
            return i + 1
    raise AssertionError(f"{key} not in {path}")


def assert_refused(tmp_path: Path, data: dict, field: str, says: str, after: str | None = None):
    code, out, path = validate(tmp_path, data)
    assert code == 2, out
    hits = [ln for ln in out.splitlines() if f"field '{field}'" in ln]
    assert hits, f"no error naming field {field!r} in:\n{out}"
    line = line_of(path, field, after)
    assert any("scenario.yaml" in h and f"line {line} " in h and says in h for h in hits), (
        f"expected scenario.yaml, line {line}, {says!r} in:\n{out}"
    )


# ---------------------------------------------------------------- good scenarios


def test_a_v1_scenario_sets_no_v11_rule(mini):
    r = mini.rules["PT"]
    assert (r.start_band_hours, r.days_off_together, r.max_consecutive_nights) == (None,) * 3
    assert mini.activities == Activities()
    assert (mini.activities.min_minutes, mini.activities.max_switches_per_shift) == (None, None)
    assert mini.weights.stability == 0.0


def test_a_v11_scenario_loads_with_its_values(tmp_path, mini_data):
    doc = with_v11(
        mini_data,
        {"start_band_hours": 2.5, "days_off_together": 2, "max_consecutive_nights": 4},
        {"min_minutes": 120, "max_switches_per_shift": 1},
    )
    doc["weights"] = {"stability": 3.5}
    sc, warnings = load_scenario_with_warnings(factory.write(tmp_path / "sc", doc))
    r = sc.rules["PT"]
    assert (r.start_band_hours, r.days_off_together, r.max_consecutive_nights) == (2.5, 2, 4)
    assert (sc.activities.min_minutes, sc.activities.max_switches_per_shift) == (120, 1)
    assert sc.weights.stability == 3.5
    assert not any("activities" in w for w in warnings), warnings


def test_rules_at_their_limits_load(load, mini_data):
    doc = with_v11(
        mini_data,
        {"start_band_hours": 0, "days_off_together": 7, "max_consecutive_nights": 0},
        {"max_switches_per_shift": 0},
    )
    sc = load(doc)
    assert sc.rules["PT"].start_band_hours == 0 and sc.rules["PT"].days_off_together == 7
    assert sc.rules["PT"].max_consecutive_nights == 0
    assert sc.activities.max_switches_per_shift == 0
    assert load(with_v11(mini_data, {"start_band_hours": 24})).rules["PT"].start_band_hours == 24


def test_an_empty_activities_section_is_no_rule(load, mini_data):
    assert load(with_v11(mini_data, {}, {})).activities == Activities()
    doc = with_v11(mini_data, {})
    doc["activities"] = None
    assert load(doc).activities == Activities()


def test_validate_prints_the_v11_rules(tmp_path, mini_data):
    doc = with_v11(
        mini_data,
        {"start_band_hours": 2, "days_off_together": 2},
        {"min_minutes": 60, "max_switches_per_shift": 2},
    )
    doc["weights"] = {"stability": 5}
    code, out, _ = validate(tmp_path, doc)
    assert code == 0, out
    assert "rules PT (v1.1): start band 2 h, 2 days off together" in out
    assert "consecutive nights" not in out  # not set, not printed
    assert (
        "activities (v1.1): stretches of at least 60 min, at most 2 queue changes per shift\n"
        in out
    )  # one line, never wrapped
    assert "weights.stability: 5 EUR per hour of start change" in out
    assert "isolated working days: 20 EUR each (4 h of weights.stability)" in out


def test_validate_prints_nothing_of_v11_for_a_v1_scenario(tmp_path, mini_data):
    code, out, _ = validate(tmp_path, mini_data)
    assert code == 0, out
    assert "v1.1" not in out and "stability" not in out


# ---------------------------------------------------------------- bad values: exit 2


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("start_band_hours", -1, "greater than or equal to 0"),
        ("start_band_hours", 25, "less than or equal to 24"),
        ("start_band_hours", float("inf"), "finite number"),
        ("start_band_hours", float("nan"), "finite number"),
        ("start_band_hours", True, "expected a number"),
        ("start_band_hours", "two", "valid number"),
        ("days_off_together", 0, "greater than or equal to 1"),
        ("days_off_together", 8, "less than or equal to 7"),
        ("days_off_together", 2.5, "valid integer"),
        ("days_off_together", float("inf"), "finite number"),
        ("max_consecutive_nights", -1, "greater than or equal to 0"),
        ("max_consecutive_nights", float("nan"), "finite number"),
    ],
)
def test_a_bad_rule_set_value_exits_2_naming_file_line_and_field(
    tmp_path, mini_data, field, value, says
):
    assert_refused(tmp_path, with_v11(mini_data, {field: value}), field, says)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("min_minutes", 0, "greater than 0"),
        ("min_minutes", -60, "greater than 0"),
        ("min_minutes", 90, "not a multiple of the 60-minute interval"),
        ("min_minutes", 30, "use 60"),
        ("min_minutes", float("inf"), "finite number"),
        ("max_switches_per_shift", -1, "greater than or equal to 0"),
        ("max_switches_per_shift", 1.5, "valid integer"),
        ("max_switches_per_shift", float("nan"), "finite number"),
    ],
)
def test_a_bad_activities_value_exits_2_naming_file_line_and_field(
    tmp_path, mini_data, field, value, says
):
    assert_refused(tmp_path, with_v11(mini_data, {}, {field: value}), field, says)


def test_min_minutes_must_be_a_multiple_of_the_grid_not_of_an_hour(load, tmp_path, mini_data):
    doc = with_v11(mini_data, {}, {"min_minutes": 45})
    doc["horizon"]["interval_minutes"] = 15
    assert load(doc).activities.min_minutes == 45
    doc["horizon"]["interval_minutes"] = 30
    assert_refused(tmp_path, doc, "min_minutes", "45 min is not a multiple of the 30-minute")


@pytest.mark.parametrize("value", [-1, float("inf"), float("nan")])
@pytest.mark.parametrize("weight", ["stability", "isolated_day"])
def test_a_bad_stability_weight_exits_2(tmp_path, mini_data, weight, value):
    doc = copy.deepcopy(mini_data)
    doc["weights"] = {weight: value}
    assert_refused(tmp_path, doc, weight, "", after="weights")


def test_the_isolated_day_price_is_its_own_weight_or_4_h_of_stability(load, mini_data):
    doc = copy.deepcopy(mini_data)
    doc["weights"] = {"stability": 5}
    assert load(doc).weights.isolated_day_price == 20.0
    doc["weights"] = {"stability": 5, "isolated_day": 40}
    assert load(doc).weights.isolated_day_price == 40.0
    doc["weights"] = {"isolated_day": 0}
    assert load(doc).weights.isolated_day_price == 0.0


def test_an_unknown_key_inside_activities_exits_2(tmp_path, mini_data):
    doc = with_v11(mini_data, {}, {"min_minute": 60, "max_switches_per_shift": 2})
    assert_refused(tmp_path, doc, "min_minute", "unknown key (known: max_switches_per_shift")


def test_activities_must_be_a_mapping(tmp_path, mini_data):
    code, out, _ = validate(tmp_path, with_v11(mini_data, {}, [60, 2]))
    assert code == 2 and "activities" in out and "expected a mapping" in out


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("start_band_hour", "start_band_hours"),
        ("Start_Band_Hours", "start_band_hours"),
        ("start_band_minutes", "start_band_hours"),
        ("days_off_togther", "days_off_together"),
        ("max_consecutive_night", "max_consecutive_nights"),
        ("max_nights", "max_consecutive_nights"),
    ],
)
def test_a_misspelt_v11_rule_exits_2_and_names_the_rule_meant(tmp_path, mini_data, key, meant):
    assert_refused(tmp_path, with_v11(mini_data, {key: 2}), key, f"did you mean '{meant}'")


def test_other_unknown_keys_keep_warning(tmp_path, mini_data):
    doc = with_v11(mini_data, {"max_consecutive_day": 5, "colour": "red"})
    doc["mood"] = "sunny"
    sc, warnings = load_scenario_with_warnings(factory.write(tmp_path / "sc", doc))
    assert sc.rules["PT"].max_consecutive_days == 6  # the v1 rule, as written
    for key in ("max_consecutive_day", "colour", "mood"):
        assert any(f"field '{key}'" in w and "ignored" in w for w in warnings), (key, warnings)


def test_every_problem_is_reported_in_one_pass(tmp_path, mini_data):
    doc = with_v11(mini_data, {"start_band_hours": 30, "days_off_together": 9}, {"min_minutes": -1})
    code, out, _ = validate(tmp_path, doc)
    assert code == 2
    for field in ("start_band_hours", "days_off_together", "min_minutes"):
        assert f"field '{field}'" in out, out
    assert "unknown rule set" not in out  # the site names PT, which is there but bad


def test_the_library_raises_the_same_issues(tmp_path, mini_data):
    from optimizer.scenario.errors import ScenarioError

    path = factory.write(tmp_path / "sc", with_v11(mini_data, {"start_band_hours": 25}))
    with pytest.raises(ScenarioError, match=r"rules\.PT\.start_band_hours"):
        load_scenario(path)
