"""The published JSON Schema of a scenario file (docs/scenario.schema.json).

Checked as an editor would use it: the bundled scenarios and a factory-made
one pass, files with a mistake the schema can see fail, and the published
file is what `sunroster schema` prints today.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.schema import scenario_schema
from tests import factory

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "docs" / "scenario.schema.json"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def as_written(node: Any) -> Any:
    """A YAML document as a YAML editor sees it: unquoted dates are text."""
    if isinstance(node, dict):
        return {str(k.isoformat() if isinstance(k, dt.date) else k): as_written(v) for k, v in node.items()}  # fmt: skip
    if isinstance(node, list):
        return [as_written(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def read_yaml(path: Path) -> Any:
    return as_written(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


def problems(doc: Any) -> list[str]:
    """The schema's complaints about `doc`, each at its key path (needs jsonschema,
    which the [test] extra brings)."""
    jsonschema = pytest.importorskip("jsonschema")
    v = jsonschema.Draft202012Validator(scenario_schema())

    def leaves(errors: Any) -> list[Any]:  # an anyOf's own errors are in its context
        return [x for e in errors for x in ([e] if not e.context else leaves(e.context))]

    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in leaves(v.iter_errors(doc))
    ]


def test_the_published_schema_is_what_sunroster_schema_prints():
    res = CliRunner().invoke(app, ["schema"])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == json.loads(PUBLISHED.read_text(encoding="utf-8")), (
        "docs/scenario.schema.json is stale: sunroster schema -o docs/scenario.schema.json"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema():
    schema = scenario_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    try:
        import jsonschema
    except ImportError:  # structural: every $ref resolves, no Python spelling left
        text = json.dumps(schema)
        for ref in {r for r in text.split('"$ref": "')[1:]}:
            assert ref.split('"')[0].removeprefix("#/$defs/") in schema["$defs"]
        assert '"gt":' not in text and '"le":' not in text
        return
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_the_bundled_scenarios_validate(path):
    assert problems(read_yaml(path)) == []


def test_a_factory_scenario_with_agents_inline_validates(tmp_path):
    d = factory.mini()
    d["agents"][0].update({"days_off": "Sat;Sun", "leave": "2027-03-03..2027-03-04"})
    d["agents"][1].update({"earliest_start": "22:00", "latest_end": "07:00", "days_off": ["Mon"]})
    assert problems(read_yaml(factory.write(tmp_path / "sc", d))) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["activities"].update(max_switches=2), "activities"),  # strict section
        (lambda d: d["rules"]["PT"]["night"].update({"from": 2200}), "rules.PT.night.from"),
        (lambda d: d["horizon"].update(interval_minutes=45), "horizon.interval_minutes"),
        (lambda d: d["sites"][0].update(currency="EURO"), "sites.0.currency"),
        (lambda d: d["agents"][0].update(channels=["phone"]), "agents.0.channels"),
        (lambda d: d.pop("demand"), ""),
    ],
)
def test_mistakes_the_schema_can_see_are_reported_where_they_are(tmp_path, change, where):
    d = factory.mini()
    d["activities"] = {"min_minutes": 60}
    doc = read_yaml(factory.write(tmp_path / "sc", d))
    assert problems(doc) == []
    bad = copy.deepcopy(doc)
    change(bad)
    found = problems(bad)
    assert found and any(p.split(":")[0] == where for p in found), found
