"""The search's tuning values, in one place: `solve(..., params=SearchParams())`.

Changing one changes what the search does (and so its rosters), never
whether a roster keeps the rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExactParams:
    """How far the exact rounds go (`close_gap.py`): schedules per agent and
    in all, at most, and the share of a round's time its listing of them
    may take."""

    most_per_agent: int = 20_000
    most_schedules: int = 150_000
    enumerate_share: float = 0.4


@dataclass(frozen=True)
class SearchParams:
    """Tuning values of `solver.solve` and its phases (`passes.py`, `lns.py`)."""

    # problems with at most this many shift literals are small: a short
    # neighbourhood search, then the whole model in one CP-SAT solve
    full_model_max_literals: int = 40_000
    # … and at most this many days: over a longer horizon column generation's
    # pricing of whole schedules converges too slowly to guide the search
    full_model_max_days: int = 84
    # small problems: the share of the time the search first leaves both cores to column
    # generation (it ends as soon as column generation has) …
    small_wait_share: float = 0.3
    # … and the neighbourhood search's share of the time before the whole model
    small_lns_share: float = 0.6
    # … the dive from column generation's converged master's share of the time left (`dive.py`)
    dive_share: float = 0.6
    repair_share: float = 0.2  # … of which the re-plan of its rule breakers (`repair.py`)
    # … and the restricted model's share of the time left after it (`restricted.py`)
    restricted_share: float = 0.3
    support_share: float = 0.5  # … of which its round over the master LP's support
    # … then the whole model, until it has found no better roster or bound for this
    # share of the time limit (this many seconds at least); neighbourhoods take the rest
    full_model_stall_share: float = 0.15
    full_model_stall_seconds: float = 5.0
    # before it, each agent's least reduced cost at column generation's prices, a cut of
    # the whole model and where the exact rounds start (`lagrange_cuts.py`): CP-SAT's time
    # per agent at most, the share of the time left for all agents, and below
    # `cut_least_seconds` per agent neither cuts nor rounds
    lagrange_cuts: bool = True
    cut_seconds: float = 1.0
    cut_share: float = 0.1
    cut_least_seconds: float = 0.02
    # … where every objective is whole, the exact rounds (`close_gap.py`) in this share of
    # the time left, and how far they go
    close_share: float = 0.7
    exact: ExactParams = ExactParams()

    # agent passes (`passes.py`)
    plain_passes: int = 1  # ordinary passes before the first guided round …
    pass_gain: float = 0.005  # … each while it gains this share of the objective
    final_pass_gain: float = 0.0005  # after the guided rounds: drop-and-refill and passes
    # guided rounds go on while one gains this share, as much as an ordinary pass must: past
    # that, the guided neighbourhoods gain more in the same time
    guided_round_gain: float = 0.005
    guided_round_passes: float = 1.5  # a round starts only with this many passes' time left
    repair_passes: int = 2  # ordinary passes that repair a guided pass, at most
    refill_patience: int = 200  # drop-and-refill moves in a row without a gain end a stretch
    replan_seconds: float = 0.2  # CP-SAT's time for an agent the programme finds no schedule for
    neighbourhood_agents: int = 60  # guided neighbourhoods: agents of one site moved, at most …
    neighbourhood_repairs: int = 2  # … and ordinary re-plans of them and as many others after

    # time kept back from the search for the steps after it (break pass, the
    # bound's last step, exact allocation, activities within their own time
    # budget, pay model): a fixed part, a part per agent, a margin for a slow
    # machine; at most `finish_share` of the time left when the search
    # begins, yet never less than the activities' least time
    # (`solver._finish_reserve`), and never more than `finish_most_share` of it
    finish_seconds: float = 2.0
    finish_seconds_per_agent: float = 0.006
    finish_margin: float = 1.8
    finish_share: float = 0.1
    finish_most_share: float = 0.5

    # where the stretch and switch rules bind: agent passes on the named roster
    # (`activity_passes.py`), this long per agent (a few passes on a machine of the
    # usual speed), at most this share of the time left when the search begins
    activity_pass_seconds_per_agent: float = 0.04
    activity_pass_share: float = 0.1

    # the pay model's pricing of the named roster, after the activities: a
    # fixed part and a part per agent (`pricing_estimate`)
    pricing_seconds: float = 0.5
    pricing_seconds_per_agent: float = 0.001

    # the break pass runs when the search left at least this share of the time kept back
    breaks_share: float = 0.5

    # large-neighbourhood search (`lns.py`): agents freed and days spanned,
    # first, least and most; a neighbourhood solved to optimality within
    # `lns_fast_seconds` grows them, one not solved to optimality shrinks them
    lns_size: int = 12
    lns_span: int = 4
    lns_min_size: int = 4
    lns_max_size: int = 40
    lns_min_span: int = 2
    lns_max_span: int = 7
    lns_size_step: int = 2
    lns_seconds: float = 2.0  # CP-SAT's time for one neighbourhood, at most
    lns_fast_seconds: float = 1.0
    lns_shortfall_share: float = 0.75  # neighbourhoods drawn around a shortfall (else at random)
    lns_whole_agents: int = 3  # around a cell of the cover per shift type: agents freed all through
    lns_rows_share: float = 0.5  # random neighbourhoods of a few agents over every day
    # … both only on horizons up to this many days: beyond, the model of an agent freed
    # over every day takes most of a neighbourhood's time, and such neighbourhoods rarely
    # gain (`sunroster bench curtois --instances 20-24` measures it)
    lns_rows_max_days: int = 84

    def finish_estimate(self, n_agents: int) -> float:
        """Seconds the steps after the search take on a problem of this size
        (on a machine of the usual speed: no margin)."""
        return self.finish_seconds + self.finish_seconds_per_agent * n_agents

    def activity_pass_seconds(self, n_agents: int, left: float) -> float:
        """Seconds kept for the passes on the named roster of a problem of
        this size, `left` seconds before the limit."""
        return min(self.activity_pass_share * left, self.activity_pass_seconds_per_agent * n_agents)

    def pricing_estimate(self, n_agents: int) -> float:
        """Seconds the pricing after the activities takes, with room to spare."""
        return self.pricing_seconds + self.pricing_seconds_per_agent * n_agents
