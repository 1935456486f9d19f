"""Cost by site, currency and premium type from the pay model's own split
(`optimizer.pay.price_shifts`), and the FX sliders' arithmetic: cost is
linear in the rates, so a new rate needs no re-pricing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.scenario.model import Scenario

PREMIUM_COMPONENTS = ("base", "night", "weekend", "holiday", "overtime")
# each component's cost and hours in `optimizer.pay.price_shifts`' table
_PAY_COLUMNS = {
    "base": ("base_cost", "paid_minutes"),
    **{k: (f"uplift_{k}", f"{k}_minutes") for k in PREMIUM_COMPONENTS[1:]},
}


def cost_components(scenario: Scenario, priced: pd.DataFrame) -> pd.DataFrame:
    """The pay model's split of the priced shifts' cost (site currency), summed
    per site: site, currency, component (base, night, weekend, holiday,
    overtime), hours, cost_site. base = rate × paid hours; each premium's
    uplift is what it adds on top (`price_shifts`), so the components sum to
    the cost. A premium's hours are also in the base hours."""
    cols = ["site", "currency", "component", "hours", "cost_site"]
    if priced.empty:
        return pd.DataFrame(columns=cols)
    per_site = priced.groupby(["site", "currency"], sort=False)
    frames = []
    for component, (cost, minutes) in _PAY_COLUMNS.items():
        sums = per_site[[cost, minutes]].sum().reset_index()
        frames.append(
            pd.DataFrame({
                "site": sums["site"], "currency": sums["currency"], "component": component,
                "hours": sums[minutes] / 60.0, "cost_site": sums[cost],
            })
        )  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    site_order = {s.id: i for i, s in enumerate(scenario.sites)}
    order = {c: i for i, c in enumerate(PREMIUM_COMPONENTS)}
    out = out.sort_values(
        ["site", "component"], key=lambda s: s.map(site_order if s.name == "site" else order)
    )
    return out.reset_index(drop=True)[cols]


def scenario_fx(scenario: Scenario) -> dict[str, float]:
    """Reporting value of one unit of every site currency (1 for the reporting one)."""
    return {c: scenario.fx_rate(c) for c in sorted({s.currency for s in scenario.sites})}


def apply_fx(components: pd.DataFrame, fx: dict[str, float]) -> pd.DataFrame:
    """Components with `cost_reporting` = cost_site × fx[currency]: cost is
    linear in the rates, so a new rate needs no re-pricing."""
    out = components.copy()
    out["cost_reporting"] = out["cost_site"] * out["currency"].map(fx).astype(float)
    return out


def cost_by(components: pd.DataFrame, fx: dict[str, float], by: str | list[str]) -> pd.DataFrame:
    """Reporting-currency cost (and site-currency cost, hours) grouped by `by`
    (site, currency, component, or a list)."""
    c = apply_fx(components, fx)
    keys = [by] if isinstance(by, str) else list(by)
    agg = {"cost_reporting": "sum"}
    if "component" not in keys:
        # hours: paid hours are the base component's; premiums re-count them
        c = c.assign(hours=np.where(c["component"] == "base", c["hours"], 0.0))
    agg["hours"] = "sum"
    if set(keys) & {"site", "currency"}:
        agg["cost_site"] = "sum"
    return c.groupby(keys, sort=False, as_index=False).agg(agg)
