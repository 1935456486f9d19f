"""The price of workability: one scenario solved with and without each of
the contract v1.1 workability rules, side by side in one run.

Each variant keeps some of the scenario's v1.1 rules (and its
`weights.stability`) and turns the others off: none (the v1 rules), each
alone, and all of them. The price of a
rule is what its roster costs above the v1 roster of the same command;
every roster is checked by the independent checker and measured by the
quality KPIs, so the table says what the money buys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from optimizer.check import check_roster
from optimizer.pipeline import prepare, run
from optimizer.quality import quality_kpis
from optimizer.scenario.model import Activities, Scenario
from optimizer.solve.stop import StopCriteria

RULE_FIELDS = {
    "start_band": ("start_band_hours",),
    "days_off_together": ("days_off_together",),
    "consecutive_nights": ("max_consecutive_nights",),
    "activities": (),  # the top-level `activities` block
    "stability": (),  # `weights.stability` and `weights.isolated_day`: the soft terms for steady rosters
}
VARIANTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("v1 rules", frozenset()),
    *((f"v1 + {name}", frozenset({name})) for name in RULE_FIELDS),
    ("v1.1 (all)", frozenset(RULE_FIELDS)),
)
QUALITY_KEYS = (
    "start_change_2h_share",
    "backward_rotation_share",
    "distinct_starts_median",
    "distinct_starts_p90",
    "full_weeks_without_days_off_together_share",
    "isolated_day_share",
    "queue_changes_per_shift_mean",
    "short_stretch_share",
    "longest_night_run",
)


def keep_rules(sc: Scenario, keep: Iterable[str]) -> Scenario:
    """The scenario with only the workability rules named in `keep` (keys of
    `RULE_FIELDS`) as it sets them; the others turned off."""
    keep = set(keep)
    off = {f: None for name, fs in RULE_FIELDS.items() if name not in keep for f in fs}
    rules = {k: r.model_copy(update=off) for k, r in sc.rules.items()}
    activities = sc.activities if "activities" in keep else Activities()
    steady_off = {"stability": 0.0, "isolated_day": None}
    weights = sc.weights if "stability" in keep else sc.weights.model_copy(update=steady_off)
    return sc.model_copy(update={"rules": rules, "activities": activities, "weights": weights})


def sets_any(sc: Scenario) -> bool:
    """Does the scenario set any workability rule to price?"""
    return (
        sc.activities != Activities()
        or sc.weights.stability > 0
        or sc.weights.isolated_day_price > 0
        or any(
            getattr(r, f) is not None
            for r in sc.rules.values()
            for fs in RULE_FIELDS.values()
            for f in fs
        )
    )


@dataclass(frozen=True)
class Priced:
    """One variant's roster: its objective and what it is made of."""

    variant: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    cost: float
    under_cover_hours: float
    first_roster_seconds: float | None
    violations: int
    quality: dict[str, Any]
    stability: float = 0.0  # the objective's stability term (`weights.stability`)

    @property
    def money(self) -> float | None:
        """The objective without the stability term: pay and under-cover
        penalties, what the rules cost in money."""
        return None if self.objective is None else self.objective - self.stability

    def row(self, base: Priced | None) -> dict[str, Any]:
        """JSON-ready, with the price against `base` (the v1 variant)."""
        out = {k: v for k, v in self.__dict__.items() if k != "quality"}
        out |= {k: self.quality.get(k) for k in QUALITY_KEYS}
        if base is not None and base.objective and self.objective is not None:
            out["price"] = round(self.objective / base.objective - 1.0, 6)
            if base.money and self.money is not None:
                out["money_price"] = round(self.money / base.money - 1.0, 6)
            if base.cost:
                out["cost_price"] = round(self.cost / base.cost - 1.0, 6)
            out["under_cover_change"] = (
                round(self.under_cover_hours / base.under_cover_hours - 1.0, 6)
                if base.under_cover_hours
                else None
            )
        return out


def price_of_workability(
    sc: Scenario,
    stop: Callable[[], StopCriteria],
    seed: int = 0,
    variants: tuple[tuple[str, frozenset[str]], ...] = VARIANTS,
    on_variant: Callable[[Priced], None] | None = None,
) -> list[Priced]:
    """Solve every variant (a fresh `stop()` each) and measure its roster."""
    out: list[Priced] = []
    for name, keep in variants:
        variant = keep_rules(sc, keep)
        prep = prepare(variant)
        res = run(prep, stop(), seed=seed)
        r = res.result
        report = check_roster(variant, r.roster, prep.calendars)
        priced = Priced(
            variant=name,
            status=r.status,
            objective=r.objective,
            bound=r.bound,
            gap=r.gap,
            cost=round(res.kpis.total_cost, 2),
            under_cover_hours=round(float(res.kpis.by_tier["under_cover_hours"].sum()), 1),
            first_roster_seconds=r.first_feasible_seconds,
            violations=len(report.violations),
            quality=quality_kpis(variant, r.roster).to_dict(),
            stability=float(r.terms.get("stability", 0.0)),
        )
        out.append(priced)
        if on_variant is not None:
            on_variant(priced)
    return out


def markdown(rows: list[Priced]) -> str:
    """The table for BENCHMARKS.md: one line a variant, prices against the first."""

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:,.0f}"

    lines = [
        "| variant | objective | price vs v1 | without stability term vs v1 | cost | cost vs v1 "
        "| under-cover h | gap | violations "
        "| start moves ≥ 2 h | backward | distinct starts (median / p90) "
        "| full weeks without 2 days off | isolated days | queue changes / shift "
        "| stretches < 60 min | longest night run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = rows[0] if rows else None
    for p in rows:
        r = p.row(base)
        q = p.quality
        changes = q.get("queue_changes_per_shift_mean")
        lines.append(
            f"| {p.variant} | {num(p.objective)} | {pct(r.get('price'))} "
            f"| {pct(r.get('money_price'))} "
            f"| {num(p.cost)} | {pct(r.get('cost_price'))} "
            f"| {p.under_cover_hours:,.1f} | {pct(p.gap)} | {p.violations} "
            f"| {pct(q.get('start_change_2h_share'))} | {pct(q.get('backward_rotation_share'))} "
            f"| {q.get('distinct_starts_median')} / {q.get('distinct_starts_p90')} "
            f"| {pct(q.get('full_weeks_without_days_off_together_share'))} "
            f"| {pct(q.get('isolated_day_share'))} "
            f"| {'—' if changes is None else f'{changes:.2f}'} "
            f"| {pct(q.get('short_stretch_share'))} | {q.get('longest_night_run')} |"
        )
    return "\n".join(lines)
