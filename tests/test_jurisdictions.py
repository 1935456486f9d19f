"""optimizer/jurisdictions is the one source of the labour-rule data: each
module is a valid rule set, and the bundled scenarios, the synthetic scaling
scenarios and data/README.md's table all carry exactly its figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from optimizer import jurisdictions
from optimizer.bench.scale import write_synthetic
from optimizer.jurisdictions import JURISDICTIONS, markdown_table, rule_set
from optimizer.scenario.model import RuleSet

REPO = Path(__file__).resolve().parents[1]


def yaml_rules(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("code", list(JURISDICTIONS))
def test_each_country_is_a_valid_rule_set_with_its_basis(code: str):
    module = JURISDICTIONS[code]
    assert module.__name__ == f"optimizer.jurisdictions.{code.lower()}"
    assert module.__doc__ and module.__doc__.startswith(f"{module.NAME} ({code})")
    rs = RuleSet.model_validate(module.RULES)
    assert rs.max_consecutive_nights == (4 if code in ("PL", "PT", "IE") else 5)
    assert rs.night is not None and rs.break_ is not None


def test_rule_set_is_a_copy_with_changes():
    a = rule_set("PT", shift_hours=[4, 8])
    assert a["shift_hours"] == [4, 8] and JURISDICTIONS["PT"].RULES["shift_hours"] == [8]
    a["premiums"]["night"] = 9.0
    assert rule_set("PT")["premiums"]["night"] == 1.25


def test_an_unknown_country_names_the_known_ones():
    with pytest.raises(KeyError, match="no labour rules for 'XX': known are PH, MY, PL"):
        rule_set("XX")


def test_the_bundled_scenarios_carry_the_modules_figures():
    bundled = yaml_rules(REPO / "scenarios" / "global-baseline.yaml")
    assert bundled == {code: rule_set(code) for code in JURISDICTIONS}
    assert yaml_rules(REPO / "scenarios" / "tiny.yaml") == {
        "PT": rule_set("PT", shift_hours=[4, 8])
    }
    assert yaml_rules(REPO / "scenarios" / "dst-weekend.yaml") == {"PT": rule_set("PT")}


def test_the_synthetic_scenarios_use_each_sites_country(tmp_path: Path):
    path = write_synthetic(tmp_path, agents=16, sites=8, markets=2, days=7)
    doc = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert {s["rules"] for s in doc["sites"]} == set(JURISDICTIONS)
    assert all(s["rules"] == s["country"] for s in doc["sites"])
    assert doc["rules"] == {code: rule_set(code) for code in doc["rules"]}


def test_the_readme_table_is_the_generated_one():
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- jurisdictions table: generated -->\n")[1].split("<!--")[0]
    assert table == markdown_table(), "run python -m optimizer.jurisdictions and paste the table"
    assert jurisdictions.__doc__ and "one module per country" in jurisdictions.__doc__
