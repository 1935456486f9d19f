"""Day rules (`optimizer.solve.rules.day`): each binds alone in a tiny case.

Each direct test sets one rule in `helpers.case` (one Lisbon site, UTC+0 in
March, 4-hour shifts starting on every hour), checks that it is the only day
rule removing an option, and names exactly the options that vanish — from
the rule's mask and from the candidates `build_problem` gives. The last
tests solve such cases whole and let the independent checker judge them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.rules import day
from tests.solve import helpers as h

MON = dt.date(2027, 3, 1)


def masks(p: Problem) -> dict[str, np.ndarray]:
    """Every day rule's mask for every agent (personal windows over each
    agent's own site's templates, flattened)."""
    sc, agents = p.scenario, p.scenario.agents
    window = [
        day.personal_window([a], sc.site_by_id[a.site].timezone, p.sites[p.agent_site[i]].tpl)[0]
        for i, a in enumerate(agents)
    ]
    return {
        "days_off": day.days_off(agents, p.dates),
        "leave": day.leave(agents, p.dates),
        "holiday_off": day.holiday_off(sc, agents, p.dates, p.calendars),
        "personal_window": np.concatenate(window),
        "skills": day.skills(agents, sc.queues),
        "data_residency": day.data_residency(sc, agents),
    }


def binding(p: Problem) -> set[str]:
    """The day rules that remove at least one option."""
    return {rule for rule, mask in masks(p).items() if not mask.all()}


def gone(p: Problem, agent: int) -> set[tuple[int, int]]:
    """(day, local start hour) of the templates of the agent's site that are
    not among its candidates."""
    tpl = p.sites[p.agent_site[agent]].tpl
    out = np.setdiff1d(np.arange(len(tpl)), p.cand[agent])
    return {(int(tpl.day[k]), int(tpl.local_start[k]) // 60) for k in out}


def whole(p: Problem, agent: int, days: range) -> set[tuple[int, int]]:
    """(day, local start hour) of every template of the agent's site on `days`."""
    tpl = p.sites[p.agent_site[agent]].tpl
    return {
        (int(d), int(m) // 60) for d, m in zip(tpl.day, tpl.local_start, strict=True) if d in days
    }


def only_queue_rule(p: Problem, rule: str, allowed: list[list[bool]]) -> None:
    """`rule` is the only day rule that binds and allows exactly the (agent,
    queue) pairs `allowed`, so they are the agents' eligibility; an agent left
    with no queue loses every template, the others none."""
    assert binding(p) == {rule}
    assert masks(p)[rule].tolist() == allowed
    assert p.eligible.tolist() == allowed
    for i, row in enumerate(allowed):
        assert gone(p, i) == (whole(p, i, range(p.n_days)) if not any(row) else set())


def build(tmp_path, data) -> Problem:  # type: ignore[no-untyped-def]
    return h.problem(h.load(tmp_path, data), {})


def test_days_off_removes_the_weekday_only(tmp_path):
    data = h.case(days=3, agents=2)
    data["agents"][0]["days_off"] = "Tue"
    p = build(tmp_path, data)
    assert binding(p) == {"days_off"}
    assert day.days_off(p.scenario.agents, p.dates).tolist() == [[True, False, True], [True] * 3]
    assert gone(p, 0) == whole(p, 0, range(1, 2)) and gone(p, 1) == set()


def test_leave_removes_its_dates_inside_the_horizon(tmp_path):
    data = h.case(days=3, agents=2)
    data["agents"][0]["leave"] = "2027-03-03;2027-04-01"  # a Wednesday, and a date past the horizon
    p = build(tmp_path, data)
    assert binding(p) == {"leave"}
    assert day.leave(p.scenario.agents, p.dates).tolist() == [[True, True, False], [True] * 3]
    assert gone(p, 0) == whole(p, 0, range(2, 3)) and gone(p, 1) == set()


def test_holiday_off_removes_the_site_holiday_only_at_an_off_site(tmp_path):
    # 2027-03-26 is Good Friday in Portugal
    data = h.case(days=2)
    data["horizon"]["start"] = "2027-03-25"
    data["sites"][0]["holidays"] = "off"
    p = build(tmp_path, data)
    assert binding(p) == {"holiday_off"}
    assert day.holiday_off(p.scenario, p.scenario.agents, p.dates, p.calendars).tolist() == [
        [True, False]
    ]
    assert gone(p, 0) == whole(p, 0, range(1, 2))
    data["sites"][0]["holidays"] = "premium"
    assert binding(build(tmp_path / "premium", data)) == set()


def test_personal_window_removes_starts_outside_it(tmp_path):
    # A1 works nights (22:00–07:00, across midnight), A2 days (09:00–17:00), A3 has no window
    data = h.case(days=2, agents=3)
    data["agents"][0].update({"earliest_start": "22:00", "latest_end": "07:00"})
    data["agents"][1].update({"earliest_start": "09:00", "latest_end": "17:00"})
    p = build(tmp_path, data)
    assert binding(p) == {"personal_window"}
    tpl = p.sites[0].tpl
    allowed = day.personal_window(p.scenario.agents, "Europe/Lisbon", tpl)
    starts = tpl.local_start // 60
    # 4-hour shifts: a night one starts at 22 or 23, or ends by 07:00 (starts 0–3)
    assert set(starts[allowed[0]]) == {0, 1, 2, 3, 22, 23}
    assert set(starts[allowed[1]]) == {9, 10, 11, 12, 13}
    assert allowed[2].all()
    assert gone(p, 0) == {(d, hr) for d in range(2) for hr in range(4, 22)}
    assert gone(p, 1) == {(d, hr) for d in range(2) for hr in (*range(9), *range(14, 24))}
    assert gone(p, 2) == set()


def test_skills_remove_queues_and_an_agent_with_none_works_no_shift(tmp_path):
    # queues: PT-pt-voice, ES-es-voice. A1 speaks pt and es, A2 only pt, A3 pt but on chat only
    data = h.two_languages()
    data["agents"].append({**data["agents"][1], "id": "A3", "channels": "chat"})
    only_queue_rule(build(tmp_path, data), "skills", [[True, True], [True, False], [False, False]])


def test_data_residency_removes_markets_that_do_not_admit_the_site(tmp_path):
    # PT data stays in the EU; ES data in the EU or at the Manila site itself.
    # Everyone speaks pt and es: A1 sits in Lisbon (EU), A2 in Manila, A3 in
    # Singapore (both APAC)
    data = h.two_languages()
    data["markets"][1]["residency"] = ["EU", "MNL"]
    for site in ("MNL", "SIN"):
        data["sites"].append(dict(data["sites"][0], id=site, region="APAC"))
    data["agents"].append({**data["agents"][1], "id": "A3", "site": "SIN"})
    data["agents"][1]["site"] = "MNL"
    for a in data["agents"]:
        a["languages"] = "pt;es"
    allowed = [[True, True], [False, True], [False, False]]
    only_queue_rule(build(tmp_path, data), "data_residency", allowed)


# ------------------------------------------------------------------ whole solves, checked


def test_days_off_and_leave(tmp_path):
    data = h.case(days=3)
    data["agents"][0].update({"days_off": "Mon", "leave": "2027-03-02"})
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13) | h.block(1, 9, 13) | h.block(2, 9, 13))
    assert [s[1] for s in h.shifts(res)] == [dt.date(2027, 3, 3)]


def test_site_holiday_off(tmp_path):
    # 2027-03-26 is Good Friday in Portugal; a `holidays: off` site does not work it
    data = h.case(days=2)
    data["horizon"]["start"] = "2027-03-25"
    data["sites"][0]["holidays"] = "off"
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13) | h.block(1, 9, 13))
    assert [s[1] for s in h.shifts(res)] == [dt.date(2027, 3, 25)]


def test_window_across_midnight(tmp_path):
    # a night-only agent (22:00–07:00) covers 23–03 but not 12–16
    data = h.case(days=2)
    data["agents"][0].update({"earliest_start": "22:00", "latest_end": "07:00"})
    res = h.run(h.load(tmp_path, data), h.block(0, 12, 16) | h.block(0, 23, 24) | h.block(1, 0, 3))
    assert h.shifts(res) == [("A1", MON, 23, 4)]


def test_skills_and_residency(tmp_path):
    # A1 speaks no Portuguese; A2 sits in a non-EU region and the market requires EU
    data = h.case(days=1, agents=3)
    data["agents"][0]["languages"] = "es"
    data["sites"].append(dict(data["sites"][0], id="MNL", region="APAC", timezone="Europe/Lisbon"))
    data["agents"][1]["site"] = "MNL"
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13, 3))
    assert {s[0] for s in h.shifts(res)} == {"A3"}
