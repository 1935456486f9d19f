"""What-ifs: each lever changes exactly what it says, on the mini scenario."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.whatif import WhatIf, apply, lever_changes, lever_values, parse_relative
from tests import factory


@pytest.fixture
def sc(load, mini_data):
    mini_data["currency"] = "USD"
    mini_data["fx"] = {"EUR": 1.1}
    mini_data["demand"] = [["PT-pt-voice", "2027-03-01T10:00:00Z", 20.0]]
    return load(mini_data)


def test_relative_changes_parse():
    assert parse_relative("+10%") == pytest.approx(0.10)
    assert parse_relative("-5%") == pytest.approx(-0.05)
    assert parse_relative("0.2") == pytest.approx(0.2)
    with pytest.raises(ValueError):
        parse_relative("ten")


def test_empty_whatif_is_the_same_scenario(sc):
    assert apply(sc, WhatIf()) is sc


def test_volume_and_aht_scale(sc):
    s = apply(sc, WhatIf.from_pairs(["volume=+10%", "aht=-50%"]))
    assert s.demand["contacts"].tolist() == [pytest.approx(22.0)]
    assert s.queues[0].aht_seconds == pytest.approx(180)
    assert sc.demand["contacts"].tolist() == [20.0]  # the original is untouched


def test_sla_shrinkage_and_hours_per_tier(sc):
    s = apply(
        sc, WhatIf.from_pairs({"sla.T1": 0.9, "shrinkage": 0.3, "hours.T1": "Mon-Fri 08:00-20:00"})
    )
    assert s.tiers["T1"].sla["voice"].level == 0.9
    assert s.tiers["T1"].sla["email"].level is None  # email has a deadline, not a level
    assert s.shrinkage == 0.3 and s.shrinkage_of(s.tiers["T1"]) == 0.3
    assert not s.tiers["T1"].hours.always


def test_fx_override_and_refusals(sc):
    assert apply(sc, WhatIf(fx={"EUR": 1.2})).fx_rate("EUR") == 1.2
    with pytest.raises(ValueError, match="GBP"):
        apply(sc, WhatIf(fx={"GBP": 1.2}))
    with pytest.raises(ValueError, match="tier"):
        apply(sc, WhatIf(sla={"T9": 0.8}))


def test_outage_puts_the_sites_agents_on_leave(sc):
    s = apply(sc, WhatIf.from_pairs(["outage.LIS=2027-03-02..2027-03-03"]))
    for a in s.agents:
        assert {dt.date(2027, 3, 2), dt.date(2027, 3, 3)} <= set(a.leave)
    with pytest.raises(ValueError, match="no such site"):
        apply(sc, WhatIf.from_pairs(["outage.XXX=2027-03-02"]))


def test_hiring_adds_agents_with_the_sites_rules(sc):
    s = apply(sc, WhatIf.from_pairs(["hire.LIS.pt=2"]))
    new = [a for a in s.agents if a.id.startswith("HIRE-")]
    assert [a.id for a in new] == ["HIRE-LIS-pt-1", "HIRE-LIS-pt-2"]
    assert all(a.languages == ("pt",) and a.channels == ("voice",) for a in new)
    assert all(a.max_hours_week == 40 and a.min_hours_week == 0 for a in new)


def test_pairs_round_trip():
    w = WhatIf.from_pairs(
        ["volume=+10%", "fx.EUR=1.1", "hire.LIS.pt+en=3", "outage.LIS=2027-03-01..2027-03-02"]
    )
    assert WhatIf.from_pairs(w.to_pairs()) == w
    with pytest.raises(ValueError, match="unknown lever"):
        WhatIf.from_pairs(["colour=red"])


# ---------------------------------------------------------------- v1.1: the price of workability


@pytest.fixture
def sc11(load, mini_data):
    """The mini scenario with a second rule set (ES) and v1.1 rules on PT."""
    mini_data["rules"]["PT"].update({"start_band_hours": 4, "days_off_together": 2})
    mini_data["rules"]["ES"] = {**mini_data["rules"]["PT"], "start_band_hours": 6}
    mini_data["activities"] = {"min_minutes": 60, "max_switches_per_shift": 2}
    return load(mini_data)


def test_v11_levers_parse_with_the_scenarios_types():
    w = WhatIf.from_pairs(
        [
            "rules.start_band_hours=2",
            "rules.ES.days_off_together=3",
            "rules.max_consecutive_nights=off",
            "activities.min_minutes=120",
            "activities.max_switches_per_shift=OFF",
            "weights.stability=2.5",
        ]
    )
    assert w.rules == {
        "*": {"start_band_hours": 2.0, "max_consecutive_nights": None},
        "ES": {"days_off_together": 3},
    }
    assert isinstance(w.rules["ES"]["days_off_together"], int)
    assert w.activities == {"min_minutes": 120, "max_switches_per_shift": None}
    assert w.stability == 2.5
    assert WhatIf.from_pairs(["weights.stability=off"]).stability == 0.0


def test_v11_levers_round_trip_through_the_text_form():
    w = WhatIf.from_pairs(
        [
            "rules.start_band_hours=2.5",
            "rules.PT.start_band_hours=off",
            "rules.days_off_together=2",
            "activities.max_switches_per_shift=0",
            "activities.min_minutes=off",
            "weights.stability=4",
        ]
    )
    text = w.to_pairs()
    assert text == {
        "rules.days_off_together": "2",
        "rules.start_band_hours": "2.5",
        "rules.PT.start_band_hours": "off",
        "activities.max_switches_per_shift": "0",
        "activities.min_minutes": "off",
        "weights.stability": "4",
    }
    assert WhatIf.from_pairs(text) == w
    assert WhatIf.from_pairs([f"{k}={v}" for k, v in text.items()]) == w


def test_a_rule_lever_for_all_sets_changes_every_rule_set(sc11):
    s = apply(sc11, WhatIf.from_pairs(["rules.start_band_hours=2", "rules.days_off_together=off"]))
    assert {k: r.start_band_hours for k, r in s.rules.items()} == {"PT": 2.0, "ES": 2.0}
    assert {k: r.days_off_together for k, r in s.rules.items()} == {"PT": None, "ES": None}
    assert s.rules["PT"].max_hours_week == 40  # the other rules are kept
    assert sc11.rules["PT"].start_band_hours == 4  # the original is untouched


def test_a_rule_lever_naming_a_set_changes_only_that_set_and_wins(sc11):
    s = apply(
        sc11,
        WhatIf.from_pairs(["rules.start_band_hours=off", "rules.ES.start_band_hours=1"]),
    )
    assert s.rules["PT"].start_band_hours is None and s.rules["ES"].start_band_hours == 1
    s = apply(sc11, WhatIf.from_pairs(["rules.ES.max_consecutive_nights=3"]))
    assert (
        s.rules["ES"].max_consecutive_nights == 3 and s.rules["PT"].max_consecutive_nights is None
    )


def test_activity_and_stability_levers(sc11):
    s = apply(
        sc11,
        WhatIf.from_pairs(["activities.max_switches_per_shift=off", "weights.stability=3"]),
    )
    assert s.activities.max_switches_per_shift is None and s.activities.min_minutes == 60
    assert s.weights.stability == 3 and s.weights.cost == sc11.weights.cost
    s = apply(sc11, WhatIf.from_pairs(["activities.min_minutes=120"]))
    assert s.activities.min_minutes == 120 and s.activities.max_switches_per_shift == 2


# ------------------------------------------- weights.isolated_day: the price of an isolated day


def test_the_isolated_day_lever_takes_a_price_or_off():
    assert WhatIf().isolated_day is None  # unset: the scenario's price stays
    w = WhatIf.from_pairs(["weights.isolated_day=40"])
    assert w.isolated_day == 40.0 and w.stability is None
    assert WhatIf.from_pairs({"weights.isolated_day": 12.5}).isolated_day == 12.5
    assert WhatIf.from_pairs(["weights.isolated_day=off"]).isolated_day == 0.0
    assert WhatIf.from_pairs(["weights.isolated_day=OFF"]).isolated_day == 0.0
    assert WhatIf(isolated_day="off") == WhatIf(isolated_day=0)


def test_the_isolated_day_lever_round_trips_through_the_text_form():
    for pairs, text in [
        (["weights.isolated_day=40"], {"weights.isolated_day": "40"}),
        (["weights.isolated_day=off"], {"weights.isolated_day": "0"}),  # off is a price of 0
        (
            ["weights.isolated_day=7.5", "weights.stability=2"],
            {"weights.stability": "2", "weights.isolated_day": "7.5"},
        ),
    ]:
        w = WhatIf.from_pairs(pairs)
        assert w.to_pairs() == text
        assert WhatIf.from_pairs(w.to_pairs()) == w
        assert WhatIf.from_pairs([f"{k}={v}" for k, v in w.to_pairs().items()]) == w


def test_the_isolated_day_lever_sets_that_weight_and_nothing_else(sc11):
    assert sc11.weights.isolated_day is None and sc11.weights.stability == 0
    s = apply(sc11, WhatIf.from_pairs(["weights.isolated_day=40"]))
    assert s.weights == sc11.weights.model_copy(update={"isolated_day": 40.0})
    assert s.weights.isolated_day_price == 40.0
    assert (s.rules, s.activities, s.agents, s.tiers) == (
        sc11.rules, sc11.activities, sc11.agents, sc11.tiers
    )  # fmt: skip
    assert sc11.weights.isolated_day is None  # the original is untouched
    s = apply(sc11, WhatIf.from_pairs(["weights.stability=3", "weights.isolated_day=off"]))
    assert (s.weights.stability, s.weights.isolated_day, s.weights.isolated_day_price) == (3, 0, 0)


def test_without_the_isolated_day_lever_its_price_follows_stability(sc11):
    s = apply(sc11, WhatIf.from_pairs(["weights.stability=3"]))
    assert s.weights.isolated_day is None and s.weights.isolated_day_price == 4 * 3


def test_isolated_day_lever_values_and_changes(sc11):
    key = "weights.isolated_day"
    assert lever_values(sc11, key) == {key: None}  # unset: the price follows stability
    # any price pins it, even today's (0 here), so it no longer follows stability
    assert lever_changes(sc11, key, 0) and lever_changes(sc11, key, "off")
    assert lever_changes(sc11, key, "40")
    s = apply(sc11, WhatIf.from_pairs([f"{key}=40"]))
    assert lever_values(s, key) == {key: 40.0}
    assert not lever_changes(s, key, 40) and not lever_changes(s, key, "40.0")
    assert lever_changes(s, key, 20) and lever_changes(s, key, "off")
    with pytest.raises(ValueError, match=r"weights\.isolated_day=-3: .*greater than or equal"):
        lever_changes(s, key, -3)


def test_the_dashboard_form_keeps_the_isolated_day_price_only_when_given(sc11):
    from dashboard.data.whatif import whatif_from_form

    assert whatif_from_form(sc11, workability={"weights.isolated_day": None}).is_empty()
    wi = whatif_from_form(sc11, workability={"weights.isolated_day": 40.0})
    assert wi.to_pairs() == {"weights.isolated_day": "40"}


def test_the_unknown_lever_message_lists_the_isolated_day_lever():
    with pytest.raises(ValueError, match=r"weights\.\{stability,isolated_day\}"):
        WhatIf.from_pairs(["weights.cost=2"])


def test_turning_every_rule_off_gives_the_v1_scenario(sc11, load):
    v1 = load(factory.mini())
    off = WhatIf.from_pairs(
        [
            f"rules.{k}=off"
            for k in ("start_band_hours", "days_off_together", "max_consecutive_nights")
        ]
        + ["activities.min_minutes=off", "activities.max_switches_per_shift=off"]
    )
    s = apply(sc11, off)
    assert s.rules["PT"] == v1.rules["PT"] and s.activities == v1.activities


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        ("rules.start_band_hours=25", "less than or equal to 24"),
        ("rules.start_band_hours=-1", "greater than or equal to 0"),
        ("rules.start_band_hours=inf", "finite"),
        ("rules.days_off_together=8", "less than or equal to 7"),
        ("rules.days_off_together=0", "greater than or equal to 1"),
        ("rules.days_off_together=2.5", "integer"),
        ("rules.max_consecutive_nights=-1", "greater than or equal to 0"),
        ("activities.min_minutes=0", "greater than 0"),
        ("activities.max_switches_per_shift=-1", "greater than or equal to 0"),
        ("weights.stability=-2", "greater than or equal to 0"),
        ("weights.stability=nan", "finite"),
        ("weights.isolated_day=-1", "greater than or equal to 0"),
        ("weights.isolated_day=forty", "valid number"),
        ("weights.isolated_day=inf", "finite"),
        ("weights.isolated_day=2e6", "less than or equal to 1000000"),
        ("weights.isolated=4", "unknown lever"),
        ("rules.start_band=2", "unknown lever"),
        ("activities.min_minute=60", "unknown lever"),
        ("weights.cost=2", "unknown lever"),
    ],
)
def test_bad_v11_values_are_refused_naming_the_lever(pair, says):
    with pytest.raises(ValueError) as exc:
        WhatIf.from_pairs([pair])
    assert says in str(exc.value) and pair.split("=")[0] in str(exc.value)


def test_v11_levers_refuse_what_the_scenario_lacks(sc11):
    with pytest.raises(ValueError, match=r"rules\.EU: no such rule set \(rule sets: PT, ES\)"):
        apply(sc11, WhatIf.from_pairs(["rules.EU.start_band_hours=2"]))
    with pytest.raises(ValueError, match="not a multiple of the scenario's 60-minute interval"):
        apply(sc11, WhatIf.from_pairs(["activities.min_minutes=90"]))


def _sweep(tmp_path, mini_data, *vary: str):
    """`sunroster sweep` on `data` with the `--vary` specs, without Ray."""
    path = factory.write(tmp_path / "sc", mini_data)
    args = ["sweep", str(path), "--sequential", "--time-limit", "1"]
    for v in vary:
        args += ["--vary", v]
    return CliRunner().invoke(app, args)


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        ("rules.days_off_together=off,6..8", "rules.days_off_together=8"),
        ("activities.max_switches_per_shift=-1", "greater than or equal to 0"),
        ("rules.EU.start_band_hours=2", "no such rule set"),
        ("activities.min_minutes=off,90", "not a multiple of the scenario's 60-minute interval"),
        ("weights.isolated_day=off,-5", "weights.isolated_day=-5"),
    ],
)
def test_the_sweep_refuses_a_bad_v11_lever_with_exit_2(tmp_path, mini_data, vary, says):
    res = _sweep(tmp_path, mini_data, vary)
    assert res.exit_code == 2, res.output
    assert says in res.output and "Traceback" not in res.output
    assert not (tmp_path / "runs.sqlite").exists()  # nothing recorded


def test_the_dashboard_form_keeps_only_the_workability_levers_that_change(sc11):
    from dashboard.data.whatif import whatif_from_form

    wi = whatif_from_form(
        sc11,
        workability={
            "rules.start_band_hours": "4",  # PT has 4, ES 6: a change
            "rules.days_off_together": "2",  # both sets have 2: none
            "rules.max_consecutive_nights": "off",  # off already: none
            "activities.min_minutes": None,  # "as is"
            "activities.max_switches_per_shift": "off",
            "weights.stability": 0.0,  # the scenario's weight: none
        },
    )
    assert wi.to_pairs() == {
        "rules.start_band_hours": "4",
        "activities.max_switches_per_shift": "off",
    }


def test_the_minimum_runs_are_levers_too(sc11):
    w = WhatIf.from_pairs(["rules.min_consecutive_days=2", "rules.ES.min_consecutive_days_off=3"])
    out = apply(sc11, w)
    assert out.rules["PT"].min_consecutive_days == 2
    assert out.rules["ES"].min_consecutive_days == 2
    assert out.rules["ES"].min_consecutive_days_off == 3
    assert out.rules["PT"].min_consecutive_days_off is None
    with pytest.raises(ValueError, match="max_consecutive_days"):
        apply(sc11, WhatIf.from_pairs(["rules.min_consecutive_days=7"]))


def test_the_weekends_worked_are_a_lever(sc11):
    out = apply(sc11, WhatIf.from_pairs(["rules.max_weekends=2"]))
    assert {r.max_weekends for r in out.rules.values()} == {2}
    back = apply(out, WhatIf.from_pairs(["rules.ES.max_weekends=off"]))
    assert back.rules["ES"].max_weekends is None and back.rules["PT"].max_weekends == 2
    with pytest.raises(ValueError, match="max_weekends"):
        WhatIf.from_pairs(["rules.max_weekends=-1"])
