"""`--vary` specs → the grid of what-ifs; seeds and sweep ids."""

from __future__ import annotations

import pytest

from optimizer.sweep.grid import GridError, grid_points, parse_vary, point_seed, sweep_id
from optimizer.whatif import WhatIf


def test_ranges_include_both_ends_and_keep_the_spec_form():
    assert parse_vary("volume=-10%..+20%:5%").values == (
        "-10%", "-5%", "+0%", "+5%", "+10%", "+15%", "+20%",
    )  # fmt: skip
    assert parse_vary("fx.EUR=0.9..1.2:0.1").values == ("0.9", "1", "1.1", "1.2")
    assert parse_vary("hire.MNL.ja=0..6:2").values == ("0", "2", "4", "6")
    assert parse_vary("sla.T1=0.8,0.9").values == ("0.8", "0.9")
    assert parse_vary("aht=+5%").values == ("+5%",)
    assert WhatIf.from_pairs({"volume": "-5%"}).volume == pytest.approx(-0.05)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("volume", "expected KEY="),
        ("volume=+20%..-10%:5%", "ends"),
        ("volume=-10%..+20%:0%", "step must be positive"),
        ("volume=-10%..20:5%", "% on all"),
        ("fx.EUR=0.9..x:0.1", "'x' is not a number"),
        ("colour=1,2", "unknown lever"),
    ],
)
def test_bad_specs_are_named(spec, says):
    with pytest.raises(GridError, match=None) as exc:
        parse_vary(spec)
    assert says in str(exc.value) and spec.split("=")[0] in str(exc.value)


def test_the_grid_is_the_cartesian_product():
    pts = grid_points([parse_vary("volume=-10%..+10%:10%"), parse_vary("fx.EUR=1,1.1")])
    assert len(pts) == 3 * 2
    assert pts[0] == {"volume": "-10%", "fx.EUR": "1"} and pts[-1] == {
        "volume": "+10%",
        "fx.EUR": "1.1",
    }
    with pytest.raises(GridError, match="twice"):
        grid_points([parse_vary("aht=+1%"), parse_vary("aht=+2%")])


def test_seeds_and_sweep_ids_are_deterministic():
    p, q = {"volume": "+5%"}, {"volume": "+10%"}
    assert point_seed(0, p) == point_seed(0, p) != point_seed(0, q)
    assert point_seed(0, p) != point_seed(1, p)
    a = sweep_id("h", [p, q], {"time_limit": 5})
    assert a == sweep_id("h", [q, p], {"time_limit": 5}) and len(a) == 16
    assert a != sweep_id("h", [p, q], {"time_limit": 6}) and a != sweep_id(
        "g", [p, q], {"time_limit": 5}
    )


def test_v11_levers_sweep_over_ranges_and_lists_with_off():
    assert parse_vary("rules.start_band_hours=2..6:2").values == ("2", "4", "6")
    assert parse_vary("activities.max_switches_per_shift=off,1,2").values == ("off", "1", "2")
    assert parse_vary("rules.EU.days_off_together=off,1..3").values == ("off", "1", "2", "3")
    assert parse_vary("weights.stability=0..10:2.5").values == ("0", "2.5", "5", "7.5", "10")
    assert parse_vary("weights.isolated_day=0,20,40").values == ("0", "20", "40")
    assert parse_vary("weights.isolated_day=off,10..30:10").values == ("off", "10", "20", "30")
    # list items may be ranges; a value listed twice is one point
    assert parse_vary("rules.start_band_hours=off,2..6:2,4").values == ("off", "2", "4", "6")
    for v in parse_vary("rules.start_band_hours=off,2..6:2").values:
        WhatIf.from_pairs({"rules.start_band_hours": v})  # every point is a valid lever


def test_an_outage_date_range_is_one_value_not_a_numeric_range():
    axis = parse_vary("outage.LIS=2027-03-01..2027-03-03,2027-03-05")
    assert axis.values == ("2027-03-01..2027-03-03", "2027-03-05")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("rules.days_off_together=5..8", "less than or equal to 7"),
        ("rules.start_band_hours=off,2..6:0", "step must be positive"),
        ("activities.min_minutes=off,sixty", "integer"),
        ("weights.stability=-1..1", "greater than or equal to 0"),
        ("weights.isolated_day=-20..20:20", "greater than or equal to 0"),
    ],
)
def test_bad_v11_specs_are_named(spec, says):
    with pytest.raises(GridError) as exc:
        parse_vary(spec)
    assert says in str(exc.value) and spec.split("=")[0] in str(exc.value)


def test_a_grid_of_rules_prices_each_rule_against_off():
    pts = grid_points(
        [
            parse_vary("rules.start_band_hours=off,2"),
            parse_vary("activities.max_switches_per_shift=off,1"),
        ]
    )
    assert pts == [
        {"rules.start_band_hours": "off", "activities.max_switches_per_shift": "off"},
        {"rules.start_band_hours": "off", "activities.max_switches_per_shift": "1"},
        {"rules.start_band_hours": "2", "activities.max_switches_per_shift": "off"},
        {"rules.start_band_hours": "2", "activities.max_switches_per_shift": "1"},
    ]
