"""The optional shift `requests` in the loader: inline or as a CSV table
beside the YAML; a scenario without them has none; a bad request stops
`sunroster validate` with exit 2, naming the file, the line or row and the
field, and writing nothing; a request outside the horizon is kept aside
with a warning."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.load import load_scenario_with_warnings
from tests import factory
from tests.scenario.test_load_v11 import assert_refused, validate

GOOD = {"agent": "A1", "date": "2027-03-02", "kind": "off", "weight": 50}


def with_requests(data: dict[str, Any], *rows: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(data)
    doc["requests"] = [dict(r) for r in rows]
    return doc


def test_a_scenario_without_requests_has_none(mini):
    assert mini.requests == ()


def test_requests_load_inline(load, mini_data):
    on = {"agent": "A2", "date": "2027-03-03", "kind": "on", "start": "09:30", "weight": 20}
    sc = load(with_requests(mini_data, GOOD, on))
    off, wish = sc.requests
    assert (off.agent, off.kind, off.start, off.weight) == ("A1", "off", None, 50.0)
    assert (wish.kind, wish.start) == ("on", 9 * 60 + 30)


def test_requests_load_from_a_csv_table(tmp_path, mini_data):
    path = factory.write_with_table(
        tmp_path,
        mini_data,
        "requests",
        "agent,date,kind,start,weight\nA1,2027-03-02,off,,50\nA2,2027-03-03,on,09:00,20\n",
    )
    sc, _ = load_scenario_with_warnings(path)
    assert [(r.agent, r.kind, r.start) for r in sc.requests] == [
        ("A1", "off", None),
        ("A2", "on", 540),
    ]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("kind", "maybe", "'on' or 'off'"),
        ("weight", 0, "greater than 0"),
        ("start", "25:00", "not a valid time of day"),
        ("date", "2027-02-30", "date"),
    ],
)
def test_a_bad_request_exits_2_naming_file_line_and_field(tmp_path, mini_data, field, value, says):
    assert_refused(
        tmp_path, with_requests(mini_data, GOOD | {field: value}), field, says, "requests"
    )


def test_an_unknown_agent_exits_2(tmp_path, mini_data):
    code, out, _ = validate(tmp_path, with_requests(mini_data, GOOD | {"agent": "ZZ"}))
    assert code == 2 and "field 'agent'" in out and "unknown agent 'ZZ'" in out


def test_the_same_request_twice_exits_2(tmp_path, mini_data):
    code, out, _ = validate(tmp_path, with_requests(mini_data, GOOD, GOOD | {"weight": 9}))
    assert code == 2 and "the same request as at" in out


def test_a_bad_csv_row_names_the_row_and_column(tmp_path, mini_data):
    path = factory.write_with_table(
        tmp_path,
        mini_data,
        "requests",
        "agent,date,kind,weight\nA1,2027-03-02,off,50\nA1,2027-03-03,off,-1\n",
    )
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert "requests.csv" in res.output and "row 2 (line 3)" in res.output
    assert "field 'weight'" in res.output


def test_a_request_outside_the_horizon_is_ignored_with_a_warning(tmp_path, mini_data):
    path = factory.write(tmp_path, with_requests(mini_data, GOOD | {"date": "2027-06-01"}))
    sc, warnings = load_scenario_with_warnings(path)
    assert len(sc.requests) == 1
    assert any("outside the horizon ignored" in w for w in warnings)
