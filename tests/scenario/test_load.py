"""The loader: a valid scenario loads; each class of bad input gets a clear
error naming the file, the row or key path, and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario, load_scenario_with_warnings
from tests import factory

VOICE = "PT-pt-voice"


def errors_of(tmp_path: Path, data: dict, agents_csv: bool = False) -> list[str]:
    path = factory.write(tmp_path / "sc", data, agents_csv=agents_csv)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(i) for i in info.value.issues]


def one(errors: list[str], *needles: str) -> str:
    hits = [e for e in errors if all(n in e for n in needles)]
    assert hits, f"no error with {needles} in:\n" + "\n".join(errors)
    return hits[0]


def test_valid_scenario_loads(mini_data, load):
    mini_data["demand"] = [
        (VOICE, "2027-03-01T08:00:00Z", 10.5),
        (VOICE, "2027-03-01T09:00:00+00:00", 3),
    ]
    sc = load(mini_data, agents_csv=True)
    assert sc.scenario == "mini" and len(sc.agents) == 3
    assert sc.demand["contacts"].tolist() == [10.5, 3.0]
    assert sc.rules["PT"].break_.minutes == 60 and sc.rules["PT"].night.from_ == 22 * 60


def test_yaml_syntax_error_names_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("scenario: x\nhorizon: {start: 2027-03-01\n  days: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    msg = str(info.value)
    assert "bad.yaml" in msg and "line" in msg and "YAML syntax error" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.yaml: file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_missing_agents_csv(tmp_path, mini_data):
    mini_data["agents"] = "agents-missing.csv"
    one(errors_of(tmp_path, mini_data), "agents-missing.csv", "file not found")


def test_missing_required_field(tmp_path, mini_data):
    del mini_data["sites"][0]["timezone"]
    del mini_data["horizon"]
    errs = errors_of(tmp_path, mini_data)
    one(errs, "sites[0]", "field 'timezone'", "required field is missing")
    one(errs, "field 'horizon'", "required field is missing")


def test_unknown_time_zone(tmp_path, mini_data):
    mini_data["markets"][0]["timezone"] = "Europe/Atlantis"
    e = one(
        errors_of(tmp_path, mini_data),
        "markets[0].timezone",
        "'Europe/Atlantis' is not an IANA time zone",
    )
    assert "scenario.yaml, line" in e


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("sites", 0, "rules"), "XX", "unknown rule set 'XX'"),
        (("markets", 0, "tier"), "T9", "unknown tier 'T9'"),
        (("queues", 0, "market"), "ZZ", "unknown market 'ZZ'"),
        (("markets", 0, "residency"), ["MOON"], "'MOON' is neither a site region nor a site id"),
    ],
)
def test_unknown_references(tmp_path, mini_data, path, value, needle):
    node = mini_data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    one(errors_of(tmp_path, mini_data), needle)


def test_unknown_site_of_an_agent_names_the_row(tmp_path, mini_data):
    mini_data["agents"][1]["site"] = "NOPE"
    one(
        errors_of(tmp_path, mini_data, agents_csv=True),
        "agents.csv",
        "row 2 (line 3)",
        "field 'site'",
        "unknown site 'NOPE'",
    )


def test_language_not_iso_639_1(tmp_path, mini_data):
    mini_data["agents"][2]["languages"] = "pt;xx"
    mini_data["queues"][0]["language"] = "portuguese"
    errs = errors_of(tmp_path, mini_data, agents_csv=True)
    one(errs, "agents.csv", "row 3 (line 4)", "field 'languages'", "'xx' is not an ISO 639-1")
    one(errs, "queues[0].language", "'portuguese' is not an ISO 639-1")


def test_channel_not_known(tmp_path, mini_data):
    mini_data["queues"][0]["channel"] = "fax"
    mini_data["agents"][0]["channels"] = "voice;sms"
    errs = errors_of(tmp_path, mini_data, agents_csv=True)
    one(errs, "queues[0].channel", "'voice', 'chat' or 'email'", "'fax'")
    one(errs, "agents.csv", "row 1 (line 2)", "field 'channels'", "'sms'")


def test_duplicate_ids(tmp_path, mini_data):
    mini_data["agents"][2]["id"] = "A1"
    mini_data["queues"].append(dict(mini_data["queues"][0]))
    errs = errors_of(tmp_path, mini_data, agents_csv=True)
    one(errs, "agents.csv", "row 3", "duplicate agent id 'A1'")
    one(errs, "queues[1]", "duplicate queues id")


def test_negative_and_non_numeric_contacts(tmp_path, mini_data):
    mini_data["demand"] = [
        (VOICE, "2027-03-01T08:00:00Z", -1),
        (VOICE, "2027-03-01T09:00:00Z", "many"),
    ]
    errs = errors_of(tmp_path, mini_data)
    one(errs, "demand.csv", "row 1 (line 2)", "field 'contacts'", ">= 0")
    one(errs, "demand.csv", "row 2 (line 3)", "field 'contacts'", "'many' is not a number")


def test_demand_timestamp_without_offset_or_off_grid(tmp_path, mini_data):
    mini_data["demand"] = [
        (VOICE, "2027-03-01T08:00:00", 1),
        (VOICE, "2027-03-01T08:30:00Z", 1),
        (VOICE, "yesterday+01:00", 1),
    ]
    errs = errors_of(tmp_path, mini_data)
    one(errs, "row 1 (line 2)", "field 'interval_start'", "has no UTC offset")
    one(errs, "row 2 (line 3)", "is not on the 60-minute UTC grid")
    one(errs, "row 3 (line 4)", "is not an ISO 8601 timestamp")


def test_demand_outside_grid_is_ignored_with_a_warning(tmp_path, mini_data):
    mini_data["demand"] = [(VOICE, "2026-01-01T08:00:00Z", 4), (VOICE, "2027-03-02T08:00:00Z", 2)]
    sc, warnings = load_scenario_with_warnings(factory.write(tmp_path / "sc", mini_data))
    assert sc.demand["contacts"].tolist() == [2.0]
    assert any("outside the coverage grid" in w for w in warnings)


def test_empty_shift_hours(tmp_path, mini_data):
    mini_data["rules"]["PT"]["shift_hours"] = []
    one(errors_of(tmp_path, mini_data), "rules.PT.shift_hours", "shift_hours is empty")


def test_break_not_a_multiple_of_the_interval(tmp_path, mini_data):
    mini_data["rules"]["PT"]["break"]["minutes"] = 45
    one(
        errors_of(tmp_path, mini_data),
        "rules.PT.break.minutes",
        "not a multiple of the 60-minute interval",
    )


def test_site_offset_incompatible_with_grid_and_start_step(tmp_path, mini_data):
    mini_data["sites"][0]["timezone"] = "Asia/Kathmandu"
    mini_data["horizon"]["interval_minutes"] = 30
    mini_data["rules"]["PT"]["start_step_minutes"] = 30
    one(errors_of(tmp_path, mini_data), "sites[0].timezone", "UTC+05:45", "30-minute UTC grid")


def test_kathmandu_is_fine_on_a_15_minute_grid(load, mini_data):
    mini_data["sites"][0]["timezone"] = "Asia/Kathmandu"
    mini_data["horizon"]["interval_minutes"] = 15
    mini_data["rules"]["PT"]["start_step_minutes"] = 15
    assert load(mini_data).sites[0].timezone == "Asia/Kathmandu"


def test_csv_not_utf8(tmp_path, mini_data):
    path = factory.write(tmp_path / "sc", mini_data, agents_csv=True)
    agents = path.parent / "agents.csv"
    agents.write_bytes(
        agents.read_bytes() + "A9,Jos\xe9,LIS,pt,voice,0,40,,,,,,\n".encode("latin-1")
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    one([str(i) for i in info.value.issues], "agents.csv", "line 5", "not UTF-8")


def test_all_errors_of_a_file_in_one_pass(tmp_path, mini_data):
    for a in mini_data["agents"]:
        a["max_hours_week"] = -5
    errs = errors_of(tmp_path, mini_data, agents_csv=True)
    assert len([e for e in errs if "max_hours_week" in e]) == 3


def test_yaml_12_scalars_stay_strings(load, mini_data):
    # 'off' would be False in YAML 1.1; '22:00' would be the number 1320
    mini_data["sites"][0]["holidays"] = "off"
    sc = load(mini_data)
    assert sc.sites[0].holidays == "off" and sc.rules["PT"].night.to == 6 * 60


def test_agent_fields_and_leave_ranges(load, mini_data):
    mini_data["agents"][0].update(
        {
            "leave": "2027-03-02;2027-03-04..2027-03-05",
            "days_off": "Sat;Sun",
            "earliest_start": "22:00",
            "latest_end": "07:00",
        }
    )
    a = load(mini_data, agents_csv=True).agents[0]
    assert [d.day for d in a.leave] == [2, 4, 5] and a.days_off == (5, 6)
    assert (a.earliest_start, a.latest_end) == (22 * 60, 7 * 60)


def test_bad_leave_range_names_the_field(tmp_path, mini_data):
    mini_data["agents"][0]["leave"] = "2027-03-09..2027-03-02"
    one(
        errors_of(tmp_path, mini_data, agents_csv=True),
        "row 1",
        "field 'leave'",
        "ends before it starts",
    )


@pytest.mark.parametrize("name", ["scenario.yaml", "agents.csv", "demand.csv"])
def test_an_unreadable_file_is_an_issue_not_a_traceback(tmp_path, mini_data, monkeypatch, name):
    path = factory.write(tmp_path / "sc", mini_data, agents_csv=True)
    read = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [str(i) for i in info.value.issues] == [
        f"{path.parent / name}: cannot be read: Permission denied"
    ]
