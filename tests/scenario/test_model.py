"""`optimizer.scenario.model` stays the one place the scenario's models are
imported from, whichever section module defines them."""

from __future__ import annotations

from optimizer.scenario import (
    field_types,
    labour_rules,
    markets,
    model,
    shift_cover,
    shift_requests,
    workforce,
)


def test_every_section_model_is_importable_from_model():
    for module in (field_types, markets, labour_rules, workforce, shift_requests, shift_cover):
        for name in module.__all__:
            if name in model.__all__:
                assert getattr(model, name) is getattr(module, name), name
    defined = set(markets.__all__) | set(labour_rules.__all__) | set(workforce.__all__)
    defined |= {"ShiftRequest", "ShiftCover"}
    assert defined <= set(model.__all__)
    assert {"Scenario", "ScenarioHeader", "Horizon", "Weights", "Activities"} <= set(model.__all__)
