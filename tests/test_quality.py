"""Roster-quality KPIs (optimizer/quality.py) on hand-made rosters whose every
number is worked out by hand below, plus properties on random rosters.

The scenario is tests/factory.mini(): one Lisbon site (UTC+0 until 28 March
2027, so local = UTC in the hand cases), rule set PT with the night window
22:00–06:00; 2027-03-01 is a Monday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.pipeline import evaluate, prepare
from optimizer.quality import circular_change, quality_kpis, shift_table, stretch_lengths
from optimizer.roster import BREAK, Roster
from optimizer.solve.result import SolveResult
from optimizer.timegrid import to_epoch_minutes
from tests import factory

Q, Q2 = "PT-pt-voice", "PT-pt-chat"
LISBON = ZoneInfo("Europe/Lisbon")


def at(day: int, hhmm: str, month: int = 3) -> int:
    """Epoch minutes of Lisbon wall-clock `hhmm` on 2027-`month`-`day`."""
    h, m = map(int, hhmm.split(":"))
    return to_epoch_minutes(dt.datetime(2027, month, day, h, m, tzinfo=LISBON))


def shift(
    agent: str, day: int, start: str, hours: float = 8, activity: str = Q, site: str = "LIS"
) -> list[dict]:
    """One shift on one queue starting at local `start` on March `day`."""
    s = at(day, start)
    return [seg(agent, day, s, s + round(hours * 60), activity, site)]


def seg(agent: str, day: int, start: int, end: int, activity: str = Q, site: str = "LIS") -> dict:
    return {
        "agent_id": agent, "site": site, "shift_date": dt.date(2027, 3, day),
        "start": start, "end": end, "activity": activity,
    }  # fmt: skip


def roster(*shifts: list[dict]) -> Roster:
    return Roster.from_segments([r for s in shifts for r in s])


@pytest.fixture
def mini14(load):
    """mini() over two weeks, Mon 1 – Sun 14 March, with a chat queue too."""
    d = factory.mini(days=14)
    d["queues"].append({**d["queues"][0], "id": Q2, "channel": "chat"})
    return load(d)


# ------------------------------------------------------------------ the issue's example


def test_the_issue_example_every_share_by_hand(mini):
    """Starts 01:00, 16:00, 18:30, 17:00, 01:30 Mon–Fri, 8 h each, one queue.

    Round-the-clock changes: −9 h, +2.5 h, −1.5 h, +8.5 h: ≥ 2 h 3/4, ≥ 4 h
    2/4, backward (< −1 h) 2/4. One full week (Mon–Sun inside the 7-day
    horizon, 5 shifts) with Sat+Sun off: not counted. Night minutes (22–06):
    5 h, 2 h, 4.5 h, 3 h, 4.5 h: nights Mon, Wed, Thu, Fri (≥ 3 h, Thu exactly
    3 h), longest run 3 (Wed–Fri); daytime 40 − 19 = 21 of 40 h."""
    r = roster(
        shift("A1", 1, "01:00"), shift("A1", 2, "16:00"), shift("A1", 3, "18:30"),
        shift("A1", 4, "17:00"), shift("A1", 5, "01:30"),
    )  # fmt: skip
    q = quality_kpis(mini, r)
    assert (q.shifts, q.day_pairs) == (5, 4)
    assert q.start_change_2h_share == pytest.approx(3 / 4)
    assert q.start_change_4h_share == pytest.approx(2 / 4)
    assert q.backward_rotation_share == pytest.approx(2 / 4)
    assert (q.agent_weeks, q.distinct_starts_median, q.distinct_starts_p90) == (1, 5.0, 5.0)
    assert (q.full_weeks, q.full_weeks_without_days_off_together) == (1, 0)
    assert q.full_weeks_without_days_off_together_share == 0.0
    assert (q.isolated_days, q.isolated_day_share) == (0, 0.0)
    assert (q.queue_changes_per_shift_mean, q.queue_changes_per_shift_max) == (0.0, 0)
    assert (q.stretches, q.short_stretch_share) == (5, 0.0)
    assert q.longest_night_run == 3
    assert q.night_shift_share == pytest.approx(4 / 5)
    assert q.daytime_hours_share == pytest.approx(21 / 40)
    (lis,) = q.by_site
    assert (lis.site, lis.shifts, lis.night_shifts, lis.longest_night_run) == ("LIS", 5, 4, 3)
    assert lis.paid_hours == 40.0
    t = shift_table(mini, r)
    assert t["night_minutes"].tolist() == [300, 120, 270, 180, 270]
    assert t["start_minute"].tolist() == [60, 960, 1110, 1020, 90]


def test_circular_change_is_signed_round_the_clock():
    prev = np.array([23 * 60 + 30, 60, 17 * 60, 0, 720, 30])
    nxt = np.array([30, 16 * 60, 90, 720, 0, 23 * 60 + 30])
    assert circular_change(prev, nxt).tolist() == [60, -540, 510, 720, 720, -60]


def test_start_changes_across_midnight(mini):
    """23:30 → 00:30 (+1 h), → 23:30 (−1 h: not backward, it must be more than
    1 h), → 22:00 (−1.5 h: backward), → 02:00 (+4 h). Pairs 4."""
    r = roster(
        shift("A1", 1, "23:30"), shift("A1", 2, "00:30"), shift("A1", 3, "23:30"),
        shift("A1", 4, "22:00"), shift("A1", 5, "02:00"),
    )  # fmt: skip
    q = quality_kpis(mini, r)
    assert q.day_pairs == 4
    assert q.start_change_2h_share == pytest.approx(1 / 4)
    assert q.start_change_4h_share == pytest.approx(1 / 4)
    assert q.backward_rotation_share == pytest.approx(1 / 4)
    assert q.distinct_starts_median == 4.0  # 23:30, 00:30, 22:00, 02:00


def test_only_consecutive_dates_make_pairs(mini):
    """Mon 08:00, Wed 20:00, Thu 20:00: one pair (Wed–Thu, no change); Mon–Wed is no pair."""
    r = roster(shift("A1", 1, "08:00"), shift("A1", 3, "20:00"), shift("A1", 4, "20:00"))
    q = quality_kpis(mini, r)
    assert q.day_pairs == 1
    assert (q.start_change_2h_share, q.backward_rotation_share) == (0.0, 0.0)


def test_two_agents_never_pair(mini):
    q = quality_kpis(mini, roster(shift("A1", 1, "08:00"), shift("A2", 2, "20:00")))
    assert q.day_pairs == 0
    assert q.start_change_2h_share is None and q.backward_rotation_share is None


# ------------------------------------------------------------------ weeks and days off


def test_sunday_monday_off_pair_does_not_count(mini14):
    """A1 works Mon–Sat (Sun 7 off) then Tue–Sun (Mon 8 off): each week has
    one day off, the Sun–Mon pair spans two weeks: 2 full weeks, both without
    two days off together. A2 works Mon–Fri and Mon–Fri: fine."""
    a1 = [shift("A1", d, "09:00") for d in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14)]
    a2 = [shift("A2", d, "09:00") for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]
    q = quality_kpis(mini14, roster(*a1, *a2))
    assert q.full_weeks == 4
    assert q.full_weeks_without_days_off_together == 2
    assert q.full_weeks_without_days_off_together_share == pytest.approx(0.5)
    assert q.distinct_starts_median == 1.0 and q.distinct_starts_p90 == 1.0


def test_four_shifts_are_not_a_full_week_nor_partial_weeks(load):
    """Horizon Wed 3 – Tue 16 March: only Mon 8 – Sun 14 lies wholly inside.
    Wed–Sun 3–7 has 5 shifts and no two days off inside the horizon, but its
    Mon–Tue are unknown: not judged. Mon–Thu 8–11 has 4 shifts: not full."""
    sc = load(factory.mini(days=14, start="2027-03-03"))
    r = roster(*[shift("A1", d, "09:00") for d in (3, 4, 5, 6, 7, 8, 9, 10, 11)])
    q = quality_kpis(sc, r)
    assert q.agent_weeks == 2
    assert (q.full_weeks, q.full_weeks_without_days_off_together) == (0, 0)
    assert q.full_weeks_without_days_off_together_share is None


def test_isolated_days_and_horizon_edges(mini):
    """Mon, Wed, Fri, Sat, Sun of the 7-day horizon: Wed is isolated (Tue and
    Thu off); Mon and Sun touch the horizon's edges (unknown: not isolated);
    Fri has Sat. 1 of 5. The week (5 shifts) has no two days off together."""
    r = roster(*[shift("A1", d, "09:00") for d in (1, 3, 5, 6, 7)])
    q = quality_kpis(mini, r)
    assert (q.isolated_days, q.isolated_day_share) == (1, pytest.approx(1 / 5))
    assert (q.full_weeks, q.full_weeks_without_days_off_together) == (1, 1)


# ------------------------------------------------------------------ stretches


def test_a_break_inside_a_stretch_does_not_end_it(mini14):
    """Voice 08–10, break 10–11, voice 11–12, chat 12:00–12:30, voice 12:30–16:
    stretches 180, 30, 210 min: 2 queue changes, 1 of 3 stretches under 60 min.
    A second shift all on voice: 0 changes. Mean 1, max 2."""
    r = Roster.from_segments([
        seg("A1", 1, at(1, "08:00"), at(1, "10:00")),
        seg("A1", 1, at(1, "10:00"), at(1, "11:00"), BREAK),
        seg("A1", 1, at(1, "11:00"), at(1, "12:00")),
        seg("A1", 1, at(1, "12:00"), at(1, "12:30"), Q2),
        seg("A1", 1, at(1, "12:30"), at(1, "16:00")),
        seg("A1", 2, at(2, "08:00"), at(2, "16:00")),
    ])  # fmt: skip
    assert stretch_lengths(r).tolist() == [180, 30, 210, 480]
    q = quality_kpis(mini14, r)
    assert (q.queue_changes_per_shift_mean, q.queue_changes_per_shift_max) == (1.0, 2)
    assert (q.stretches, q.short_stretch_share) == (4, pytest.approx(1 / 4))
    assert q.queue_changes_per_shift_mean * q.shifts == r.switches()
    # paid minutes leave the break out: 7 h + 8 h
    assert shift_table(mini14, r)["paid_minutes"].tolist() == [420, 480]


# ------------------------------------------------------------------ nights and daytime


def test_night_across_the_spring_dst_change(load):
    """Lisbon goes 01:00 → 02:00 on Sun 28 March 2027. Sat 27 22:00 to Sun
    06:00 local lasts 7 h, all inside 22–06: a night shift, 0 % daytime."""
    sc = load(factory.mini(days=7, start="2027-03-22"))
    s, e = at(27, "22:00"), at(28, "06:00")
    assert e - s == 420
    r = Roster.from_segments([{**seg("A1", 1, s, e), "shift_date": dt.date(2027, 3, 27)}])
    t = shift_table(sc, r)
    assert t["night_minutes"].tolist() == [420] and t["night"].tolist() == [True]
    assert quality_kpis(sc, r).daytime_hours_share == 0.0


def test_daytime_is_07_to_19_without_a_night_window(load):
    """A rule set with no night window: 06:00–14:00 has 7 h in 07–19, no night shift."""
    d = factory.mini()
    d["rules"]["PT"].pop("night")
    d["rules"]["PT"]["premiums"]["night"] = 1.0
    sc = load(d)
    q = quality_kpis(sc, roster(shift("A1", 1, "06:00"), shift("A1", 2, "03:00")))
    # 06–14: 7 h of day; 03–11: 4 h of day → 11 of 16
    assert q.daytime_hours_share == pytest.approx(11 / 16)
    assert (q.night_shift_share, q.longest_night_run) == (0.0, 0)


def test_per_site_nights_and_runs(load):
    """A Manila site (UTC+8) on the same rule set: M1 works 22:00–06:00 Manila
    time three nights in a row; Lisbon's A1 works days."""
    d = factory.mini()
    d["sites"].append({**d["sites"][0], "id": "MNL", "timezone": "Asia/Manila"})
    d["agents"][2]["site"] = "MNL"
    sc = load(d)
    manila = ZoneInfo("Asia/Manila")

    def mnl(day: int) -> list[dict]:
        s = to_epoch_minutes(dt.datetime(2027, 3, day, 22, 0, tzinfo=manila))
        return [seg("A3", day, s, s + 480, site="MNL")]

    r = roster(mnl(1), mnl(2), mnl(3), shift("A1", 1, "09:00"), shift("A1", 2, "09:00"))
    q = quality_kpis(sc, r)
    by = {s.site: s for s in q.by_site}
    assert (by["MNL"].night_shift_share, by["MNL"].longest_night_run) == (1.0, 3)
    assert (by["LIS"].night_shift_share, by["LIS"].longest_night_run) == (0.0, 0)
    assert by["MNL"].daytime_hours_share == 0.0 and by["LIS"].daytime_hours_share == 1.0
    assert q.longest_night_run == 3 and q.night_shift_share == pytest.approx(3 / 5)
    assert shift_table(sc, r).set_index("agent_id").loc["A3", "start_minute"].tolist() == [1320] * 3


# ------------------------------------------------------------------ empty and wiring


def test_empty_roster(mini):
    q = quality_kpis(mini, Roster.empty())
    assert q.shifts == 0 and q.start_change_2h_share is None
    assert q.queue_changes_per_shift_mean is None and q.by_site == ()
    assert q.to_dict()["by_site"] == {}


def test_summary_json_carries_quality(mini):
    prep = prepare(mini)
    r = roster(shift("A1", 1, "01:00"), shift("A1", 2, "16:00"))
    out = evaluate(prep, SolveResult("FEASIBLE", r, objective=1.0))
    s = out.summary()["quality"]
    assert s["backward_rotation_share"] == 1.0
    assert s["by_site"]["LIS"]["shifts"] == 2
    assert set(s) >= {
        "start_change_2h_share", "start_change_4h_share", "distinct_starts_median",
        "distinct_starts_p90", "full_weeks_without_days_off_together_share", "isolated_day_share",
        "queue_changes_per_shift_mean", "queue_changes_per_shift_max", "short_stretch_share",
        "longest_night_run", "night_shift_share", "daytime_hours_share",
    }  # fmt: skip


# ------------------------------------------------------------------ properties

ACTIVITIES = st.sampled_from([Q, Q2, BREAK])


@st.composite
def random_rosters(draw: st.DrawFn) -> Roster:
    """Up to 3 agents; each works some of the 14 dates; each shift starts
    00:00–05:00 and is 1–6 segments of 5–180 min back to back (queues and
    breaks at random)."""
    rows = []
    for agent in ("A1", "A2", "A3")[: draw(st.integers(1, 3))]:
        days = draw(st.sets(st.integers(1, 14), max_size=14))
        for d in sorted(days):
            t = at(d, "00:00") + draw(st.integers(0, 5 * 60))  # ends by 23:00: no overlap
            for _ in range(draw(st.integers(1, 6))):
                length = draw(st.integers(5, 180))
                rows.append(seg(agent, d, t, t + length, draw(ACTIVITIES)))
                t += length
    return Roster.from_segments(rows)


def brute_force(r: Roster) -> tuple[list[int], list[int]]:
    """Per shift: queue changes; and every stretch's minutes — read off the contract."""
    changes, lengths = [], []
    for _, s in r.segments.groupby(["agent_id", "shift_date"], sort=True):
        work = s[s["activity"] != BREAK].sort_values("start")
        stretches: list[list] = []
        for row in work.itertuples():
            if stretches and stretches[-1][0] == row.activity:
                stretches[-1][1] += row.end - row.start
            else:
                stretches.append([row.activity, row.end - row.start])
        changes.append(max(len(stretches) - 1, 0))
        lengths += [m for _, m in stretches]
    return changes, lengths


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(r=random_rosters())
def test_properties_on_random_rosters(mini14, r: Roster):
    q = quality_kpis(mini14, r)
    changes, lengths = brute_force(r)
    assert q.shifts == len(changes)
    if changes:
        assert q.queue_changes_per_shift_mean == pytest.approx(np.mean(changes))
        assert q.queue_changes_per_shift_max == max(changes)
    assert sorted(stretch_lengths(r).tolist()) == sorted(lengths)
    assert q.stretches == len(lengths)
    d = q.to_dict()
    shares = [v for k, v in d.items() if k.endswith("share")]
    shares += [v for s in d["by_site"].values() for k, v in s.items() if k.endswith("share")]
    assert all(v is None or 0.0 <= v <= 1.0 for v in shares)
    assert q.start_change_4h_share is None or q.start_change_4h_share <= q.start_change_2h_share
    assert q.isolated_days <= q.shifts and q.longest_night_run <= q.shifts
    assert q.distinct_starts_median is None or 1 <= q.distinct_starts_median <= 7


def test_check_prints_and_reports_the_quality_kpis(tmp_path):
    """`sunroster check` prints the quality tables and `--json` carries them."""
    import json

    from typer.testing import CliRunner

    from optimizer.cli import app
    from optimizer.scenario.load import load_scenario

    path = factory.write(tmp_path / "sc", factory.mini())
    r = roster(shift("A1", 1, "01:00"), shift("A1", 2, "16:00"))
    (tmp_path / "out").mkdir()
    r.to_frame(load_scenario(path)).to_csv(tmp_path / "out" / "roster.csv", index=False)
    runner = CliRunner()
    res = runner.invoke(app, ["check", str(path), str(tmp_path / "out")])
    assert "Roster quality" in res.stdout and "backward rotations" in res.stdout
    assert "Nights and daytime by site" in res.stdout
    res = runner.invoke(app, ["check", str(path), str(tmp_path / "out"), "--json"])
    q = json.loads(res.stdout)["kpis"]["quality"]
    assert q["backward_rotation_share"] == 1.0 and q["day_pairs"] == 1


@pytest.mark.parametrize(
    ("paid", "night_minutes", "is_night"), [(False, 120, False), (True, 180, True)]
)
def test_a_paid_break_counts_as_paid_night_time(load, paid, night_minutes, is_night):
    """A shift 17:00–01:00 with its break 23:00–00:00: 3 h of it fall in the
    night window 22:00–06:00, 2 h of them worked. Where breaks are paid the
    break is paid night time too (3 h: a night shift, as the contract and
    the pay model count it); where unpaid, 2 h: not a night shift."""
    d = factory.mini()
    for rs in d["rules"].values():
        rs["break"]["paid"] = paid
    sc = load(d)
    s, b = at(1, "17:00"), at(1, "23:00")
    r = roster([seg("A1", 1, s, b), seg("A1", 1, b, b + 60, BREAK), seg("A1", 1, b + 60, s + 480)])
    t = shift_table(sc, r)
    assert t["night_minutes"].tolist() == [night_minutes]
    assert t["night"].tolist() == [is_night]
    assert t["paid_minutes"].tolist() == [480 if paid else 420]
