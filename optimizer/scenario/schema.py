"""The JSON Schema of a scenario YAML file, for editors and other tools.

It is generated from the domain models (`optimizer.scenario.model`), so it
cannot drift from them, but it describes the file as written rather than the
validated objects: a local time is the text `"22:00"` (the model keeps minutes),
a weekday `Mon`, a list may be one `;`-separated string, `agents` is a CSV file
name or a list and `demand` a CSV file name (the model holds a DataFrame). Each
validator that reads such text (`field_types`) is mapped to the schema of its
input below.

What the schema cannot say (a site naming a rule set that exists, demand rows
on the grid, …) the loader checks; `sunroster validate` is the full check.
Unknown keys are allowed, as the loader only warns about them, except in
`activities`, whose unknown keys are errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from optimizer.scenario import field_types, model
from optimizer.scenario.clock import WEEKDAYS

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_STRING_LIST = {"type": "string", "description": "items separated by ';' (or '|')"}
_DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
_DATE_ITEM = {
    "type": "string",
    "pattern": r"^\s*\d{4}-\d{2}-\d{2}(\s*\.\.\s*\d{4}-\d{2}-\d{2})?\s*$",
    "description": "a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
}

# validator → the schema of what it reads (None: its inner type's schema is right)
_INPUT: dict[Callable[..., Any], dict[str, Any] | None] = {
    field_types._hhmm: {
        "type": "string",
        "pattern": r"^\s*\d{1,2}:\d{2}\s*$",
        "description": "a local time HH:MM (quote it in YAML)",
    },
    field_types._weekday: {
        "anyOf": [
            {"type": "string", "enum": list(WEEKDAYS)},
            {"type": "string", "pattern": r"^\s*[A-Za-z]{3,9}\s*$"},
            {"type": "integer", "minimum": 0, "maximum": 6},
        ],
        "description": "a weekday: Mon … Sun (any case, or the full name; 0 = Monday)",
    },
    field_types._timezone: {
        "type": "string",
        "description": "an IANA time zone, e.g. Europe/Lisbon",
    },
    field_types._country: {
        "type": "string",
        "pattern": "^[A-Za-z]{2}$",
        "description": "ISO 3166-1 alpha-2 country code",
    },
    field_types._currency: {
        "type": "string",
        "pattern": "^[A-Za-z]{3}$",
        "description": "ISO 4217 currency code",
    },
    field_types._language: {
        "type": "string",
        "pattern": r"^\s*[A-Za-z]{2}\s*$",
        "description": "ISO 639-1 language code",
    },
    field_types._ident: {
        "anyOf": [{"type": "string", "pattern": field_types.ID_RE.pattern}, {"type": "number"}],
        "description": "letters, digits, '-', '_', '.'",
    },
    field_types._dates: {
        "anyOf": [
            {**_DATE_ITEM, "description": "dates or ranges separated by ';'"},
            {"type": "array", "items": _DATE_ITEM},
            {"type": "null"},
        ]
    },
    field_types._finite: None,
}
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


class _FileSchema(GenerateJsonSchema):
    """Pydantic's generator, reading each custom validator's input as written."""

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        fn = schema["function"]["function"]
        fn = getattr(fn, "__func__", fn)  # a field_validator's classmethod
        if fn is field_types.split_list:  # a ';'-separated string or a list of the inner items
            inner = self.generate_inner(schema["schema"])
            return {"anyOf": [_STRING_LIST, inner, {"type": "null"}]}
        if fn is getattr(model.Tier._hours, "__func__", None):
            return {
                "type": "string",
                "description": "'24x7' or days and local times, e.g. "
                "'Mon-Fri 08:00-20:00; Sat 09:00-17:00'",
            }
        override = _INPUT.get(fn)
        if override is not None:
            return dict(override)
        return super().function_before_schema(schema)

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        return {}  # arbitrary types (the demand DataFrame): replaced below


def _fix_bounds(node: Any) -> None:
    """Constraints pydantic leaves in their Python spelling (`gt`, `le`, … on a
    type with a before validator) → the JSON Schema keywords."""
    if isinstance(node, dict):
        for py, js in _BOUNDS.items():
            if py in node and "type" in node:
                node[js] = node.pop(py)
        for v in node.values():
            _fix_bounds(v)
    elif isinstance(node, list):
        for v in node:
            _fix_bounds(v)


def _table_or_list(description: str, model_name: str) -> dict[str, Any]:
    """A section written as a CSV file name or as a list of `model_name` rows."""
    return {
        "description": description,
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"$ref": f"#/$defs/{model_name}"}},
        ],
    }


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario YAML file."""
    doc = model.Scenario.model_json_schema(by_alias=True, schema_generator=_FileSchema)
    defs = doc.get("$defs", {})
    props = doc["properties"]
    props.pop("source", None)  # set by the loader: the file's own path
    for name in ("Tier", "RuleSet"):  # the id is the mapping's key
        defs[name]["properties"].pop("id", None)
        if "id" in defs[name].get("required", []):
            defs[name]["required"].remove("id")
    defs["Activities"]["additionalProperties"] = False
    props["agents"] = _table_or_list(
        "the agents: a CSV file name (beside the YAML) or a list", "Agent"
    )
    props["requests"] = _table_or_list(
        "extension: the agents' shift requests — a CSV file name (beside the YAML) with "
        "columns agent, date, kind, start, weight, or a list",
        "ShiftRequest",
    )
    props["shift_cover"] = _table_or_list(
        "extension: agents needed per site, local date and named shift type — a CSV file "
        "name (beside the YAML) with columns site, date, shift_type, required, "
        "under_penalty, over_penalty, or a list",
        "ShiftCover",
    )
    props["demand"] = {
        "description": "the demand forecast: a CSV file name (beside the YAML) with "
        "columns queue, interval_start, contacts",
        "type": "string",
    }
    props["extra_holidays"] = {
        "description": "extension: extra public holidays by site id, market id or country "
        "code — a list of dates or a mapping date → name",
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": _DATE},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ]
        },
    }
    _fix_bounds(doc)
    doc["required"] = [
        "scenario", "horizon", "currency", "tiers", "rules", "sites", "markets", "queues",
        "agents", "demand",
    ]  # fmt: skip
    head = {
        "$schema": DRAFT,
        "title": "Sunroster scenario (contract v1.1)",
        "description": "A Sunroster scenario file (docs/scenario-format.md). "
        "`sunroster validate` checks what a schema cannot (references, demand on the grid).",
    }
    doc.pop("title", None)
    doc.pop("description", None)
    return {**head, **doc}
