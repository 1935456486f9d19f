"""Finance: what a roster costs, split every way finance asks.

* by site × local week × premium type, in the site currency and the
  reporting one (the premium types of the pay model: a paid minute counts
  under the type that priced it, overtime included, so the split sums to the
  total);
* what each premium adds on top of the base rate (night, weekend, holiday,
  overtime uplift);
* cost per handled contact per market and tier: each paid minute's cost goes
  to the queue the agent was on at that minute; a paid break's minutes go to
  the shift's queues in proportion to their minutes. Handled contacts are the
  forecast contacts of the horizon (every offered contact is answered in the
  Erlang model; service level says how fast, not whether);
* FX sensitivity: the reporting-currency total when each currency moves
  ±10 % against the reporting currency (cost is linear in each rate).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.export.sheets import Formats, frame_sheet, new_workbook, sheet_title
from optimizer.export.spreadsheet import csv_bytes
from optimizer.pay import PREMIUM_TYPES, price_minutes, price_shifts
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario

FX_MOVES = (-0.10, 0.10)
UPLIFTS = ("night", "weekend", "holiday", "overtime")


@dataclass(frozen=True)
class CostReport:
    """A roster's cost tables (see module doc); every cost column says its currency."""

    currency: str
    by_site_week_premium: (
        pd.DataFrame
    )  # site, currency, week_start, premium, hours, cost_site, cost_reporting
    uplifts: pd.DataFrame  # premium, hours, cost_reporting (+ per currency: currency, cost_site)
    uplifts_by_site: pd.DataFrame  # site, currency, premium, hours, cost_site, cost_reporting
    by_market: pd.DataFrame  # market, tier, contacts, cost_reporting, cost_per_contact
    by_tier: pd.DataFrame  # tier, contacts, cost_reporting, cost_per_contact
    fx_sensitivity: pd.DataFrame  # currency, rate, share, cost_reporting, move, total, delta
    total_reporting: float
    extra: dict[str, float] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table by a file-friendly name."""
        return {
            "cost_by_site_week_premium": self.by_site_week_premium,
            "premium_uplifts": self.uplifts_by_site,
            "cost_per_contact_market": self.by_market,
            "cost_per_contact_tier": self.by_tier,
            "fx_sensitivity": self.fx_sensitivity,
        }

    def csv_files(self, bom: bool = True) -> dict[str, bytes]:
        """Every table as a CSV for spreadsheets (`spreadsheet.csv_bytes`): amounts
        rounded to their currency's minor unit (`cost_site` to the row's
        currency, reporting amounts to the reporting currency)."""
        reporting = {c: self.currency for c in ("cost_reporting", "total", "delta")}
        return {
            f"{name}.csv": csv_bytes(
                df, money=reporting, money_in={"cost_site": "currency"}, bom=bom
            )
            for name, df in self.frames().items()
        }

    def workbook(self) -> bytes:
        """Every table as a sheet of one workbook (an Excel table each, set up to print)."""
        buf = io.BytesIO()
        wb = new_workbook(buf)
        fm = Formats(wb)
        sheets: set[str] = set()
        tables: set[str] = set()
        money = "#,##0.00"
        formats = {"hours": "#,##0.00", "cost_site": money, "cost_reporting": money,
                   "total": money, "delta": money, "cost_per_contact": "#,##0.0000",
                   "share": "0.0%", "move": "+0%;-0%"}  # fmt: skip
        for name, df in self.frames().items():
            title = sheet_title(name, sheets)
            heading = f"{name.replace('_', ' ')} (reporting currency {self.currency})"
            frame_sheet(wb, fm, title, heading, df, tables, num_formats=formats)
        wb.close()
        return buf.getvalue()


def cost_report(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    fx: dict[str, float] | None = None,
) -> CostReport:
    """All the finance tables of `roster` (`fx` overrides the scenario's rates)."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    sh = roster.shifts[["agent_id", "site", "shift_date", "start", "end"]]
    p = price_shifts(sc, cal, sh, roster.breaks, fx).table
    rates = {**{s.currency: sc.fx_rate(s.currency) for s in sc.sites}, **(fx or {})}
    rate_of = p["currency"].map(rates).astype(float) if len(p) else pd.Series(dtype=float)

    # site × week × premium type
    long = []
    for k in PREMIUM_TYPES:
        long.append(
            pd.DataFrame(
                {
                    "site": p["site"],
                    "currency": p["currency"],
                    "week_start": p["week_start"],
                    "premium": k,
                    "hours": p[f"{k}_minutes"] / 60.0,
                    "cost_site": p[f"cost_{k}"],
                    "cost_reporting": p[f"cost_{k}"] * rate_of,
                }
            )
        )
    by_swp = (
        pd.concat(long, ignore_index=True)
        .groupby(["site", "currency", "week_start", "premium"], sort=True)[
            ["hours", "cost_site", "cost_reporting"]
        ]
        .sum()
        .reset_index()
    )
    by_swp["premium"] = pd.Categorical(by_swp["premium"], categories=list(PREMIUM_TYPES))
    by_swp = by_swp.sort_values(["site", "week_start", "premium"]).reset_index(drop=True)
    by_swp["premium"] = by_swp["premium"].astype(str)
    by_swp["week_start"] = [d.isoformat() for d in by_swp["week_start"]]

    # premium uplifts
    rows = []
    for k in UPLIFTS:
        hours = p["overtime_minutes"] if k == "overtime" else p[f"{k}_minutes"]
        for (site, currency), g in p.assign(_h=hours / 60.0, _r=rate_of).groupby(
            ["site", "currency"], sort=True
        ):
            rows.append({
                "site": site, "currency": currency, "premium": k, "hours": float(g["_h"].sum()),
                "cost_site": float(g[f"uplift_{k}"].sum()),
                "cost_reporting": float((g[f"uplift_{k}"] * g["_r"]).sum()),
            })  # fmt: skip
    upl_site = pd.DataFrame(
        rows, columns=["site", "currency", "premium", "hours", "cost_site", "cost_reporting"]
    )
    upl = (
        upl_site.groupby("premium", sort=False)[["hours", "cost_reporting"]].sum().reset_index()
        if len(upl_site)
        else pd.DataFrame({"premium": list(UPLIFTS), "hours": 0.0, "cost_reporting": 0.0})
    )

    # cost per handled contact
    queue_cost = cost_by_queue(sc, cal, roster, fx)
    contacts = sc.demand.groupby("queue")["contacts"].sum()
    qrows = pd.DataFrame({
        "queue": [q.id for q in sc.queues], "market": [q.market for q in sc.queues],
        "tier": [sc.market_by_id[q.market].tier for q in sc.queues],
    })  # fmt: skip
    qrows["contacts"] = qrows["queue"].map(contacts).fillna(0.0)
    qrows["cost_reporting"] = qrows["queue"].map(queue_cost).fillna(0.0)
    by_market = qrows.groupby(["market", "tier"], sort=False)[["contacts", "cost_reporting"]].sum()
    by_market = by_market.reset_index()
    by_tier = qrows.groupby("tier", sort=False)[["contacts", "cost_reporting"]].sum().reset_index()
    for df in (by_market, by_tier):
        with np.errstate(divide="ignore", invalid="ignore"):
            df["cost_per_contact"] = np.where(
                df["contacts"] > 0,
                df["cost_reporting"] / df["contacts"].where(df["contacts"] > 0),
                np.nan,
            )

    # FX sensitivity
    total = float(p["cost_reporting"].sum())
    fxrows = []
    cost_by_cur = p.groupby("currency")["cost_reporting"].sum()
    for cur in sorted(set(p["currency"])):
        if cur == sc.currency:
            continue
        c = float(cost_by_cur.get(cur, 0.0))
        for move in FX_MOVES:
            fxrows.append({
                "currency": cur, "rate": rates[cur], "share": c / total if total else 0.0,
                "cost_reporting": c, "move": move, "total": total + c * move, "delta": c * move,
            })  # fmt: skip
    fx_df = pd.DataFrame(
        fxrows, columns=["currency", "rate", "share", "cost_reporting", "move", "total", "delta"]
    )
    return CostReport(
        currency=sc.currency,
        by_site_week_premium=by_swp,
        uplifts=upl,
        uplifts_by_site=upl_site,
        by_market=by_market,
        by_tier=by_tier,
        fx_sensitivity=fx_df,
        total_reporting=total,
        extra={"unattributed_reporting": total - float(queue_cost.sum())},
    )


def cost_by_queue(
    scenario: Scenario,
    calendars: Calendars,
    roster: Roster,
    fx: dict[str, float] | None = None,
) -> pd.Series:
    """Reporting-currency cost per queue: each paid minute to the queue worked then.

    Paid minutes on a break are shared among the shift's queues in proportion
    to the shift's minutes on each.
    """
    sh = roster.shifts
    if sh.empty:
        return pd.Series(dtype=float)
    pm = price_minutes(
        scenario, calendars, sh[["agent_id", "site", "shift_date", "start", "end"]], roster.breaks
    )
    seg = roster.segments
    key = sh.reset_index().set_index(["agent_id", "shift_date"])["index"]
    seg_shift = key.reindex(pd.MultiIndex.from_frame(seg[["agent_id", "shift_date"]])).to_numpy()
    order = np.lexsort((seg["start"].to_numpy(), seg_shift))
    big = np.int64(1) << 32
    starts = sh["start"].to_numpy(np.int64)
    seg_key = seg_shift[order].astype(np.int64) * big + (
        seg["start"].to_numpy(np.int64)[order] - starts[seg_shift[order]]
    )
    min_key = pm.shift.astype(np.int64) * big + (pm.t - starts[pm.shift])
    pos = np.searchsorted(seg_key, min_key, side="right") - 1
    activity = seg["activity"].to_numpy()[order][pos]
    currency = sh["site"].map({s.id: s.currency for s in scenario.sites}).to_numpy()
    rates = {**{c: scenario.fx_rate(c) for c in set(currency)}, **(fx or {})}
    cost = pm.cost_site * np.array([rates[c] for c in currency])[pm.shift]
    frame = pd.DataFrame({"shift": pm.shift, "activity": activity, "cost": cost})
    on_queue = frame[frame["activity"] != BREAK]
    direct = on_queue.groupby("activity")["cost"].sum()
    # paid break minutes: shared by the shift's queue minutes
    brk = frame[frame["activity"] == BREAK].groupby("shift")["cost"].sum()
    if len(brk):
        mins = on_queue.groupby(["shift", "activity"]).size().rename("m").reset_index()
        mins = mins[mins["shift"].isin(brk.index)]
        mins["share"] = mins["m"] / mins.groupby("shift")["m"].transform("sum")
        mins["cost"] = mins["share"] * mins["shift"].map(brk)
        direct = direct.add(mins.groupby("activity")["cost"].sum(), fill_value=0.0)
    return direct
