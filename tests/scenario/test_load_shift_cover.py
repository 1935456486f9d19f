"""The optional `shift_cover` in the loader: inline or as a CSV table; a row
naming an unknown site, a shift type its rule set lacks, a cell twice or a
bad number stops `sunroster validate` with exit 2 naming the place and the
field; a row outside the horizon is ignored with a warning."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from optimizer.scenario.load import load_scenario_with_warnings
from tests import factory
from tests.scenario.test_load_v11 import validate

TYPES = [{"id": "D", "start": "09:00", "hours": 8}]
ROW = {"site": "LIS", "date": "2027-03-01", "shift_type": "D", "required": 2, "under_penalty": 100}


def with_cover(data: dict[str, Any], *rows: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(data)
    doc["rules"]["PT"]["shift_types"] = TYPES
    doc["shift_cover"] = [dict(r) for r in rows]
    return doc


def test_a_scenario_without_it_has_none(mini):
    assert mini.shift_cover == ()


def test_rows_load_inline_and_from_a_csv(tmp_path, load, mini_data):
    (row,) = load(with_cover(mini_data, ROW)).shift_cover
    assert (row.site, row.shift_type, row.required, row.under_penalty, row.over_penalty) == (
        "LIS", "D", 2, 100.0, 0.0,
    )  # fmt: skip
    path = factory.write_with_table(
        tmp_path,
        with_cover(mini_data),
        "shift_cover",
        "site,date,shift_type,required,under_penalty,over_penalty\nLIS,2027-03-02,D,1,50,2\n",
    )
    sc, _ = load_scenario_with_warnings(path)
    assert [(r.required, r.over_penalty) for r in sc.shift_cover] == [(1, 2.0)]


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"site": "XX"}, "site", "unknown site 'XX'"),
        ({"shift_type": "N"}, "shift_type", "'N' is not a shift type of rule set PT"),
        ({"required": -1}, "required", "greater than or equal to 0"),
        ({"under_penalty": -5}, "under_penalty", "greater than or equal to 0"),
    ],
)
def test_a_bad_row_exits_2(tmp_path, mini_data, change, field, says):
    code, out, _ = validate(tmp_path, with_cover(mini_data, ROW | change))
    assert code == 2 and f"field '{field}'" in out and says in out, out


def test_a_cell_written_twice_exits_2(tmp_path, mini_data):
    code, out, _ = validate(tmp_path, with_cover(mini_data, ROW, ROW | {"required": 3}))
    assert code == 2 and "the same shift cover row as at" in out


def test_a_row_outside_the_horizon_is_ignored_with_a_warning(tmp_path, mini_data):
    path = factory.write(tmp_path, with_cover(mini_data, ROW | {"date": "2027-06-01"}))
    sc, warnings = load_scenario_with_warnings(path)
    assert len(sc.shift_cover) == 1
    assert any("outside the horizon ignored" in w for w in warnings)
