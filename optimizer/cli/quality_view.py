"""Roster-quality KPIs as compact rich tables (printed by `solve` and `check`).

The numbers come from `optimizer.quality`; this module only lays them out,
so the domain layer stays free of presentation.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from optimizer.quality import HEADLINE, Quality


def _cell(v: Any, share: bool) -> str:
    if v is None:
        return "—"
    if share:
        return f"{v:.1%}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"


def quality_tables(q: Quality) -> list[Table]:
    """Headline quality KPIs (one column), then the per-site follow-the-sun measures."""
    t = Table(title="Roster quality", title_justify="left", header_style="bold")
    t.add_column("measure")
    t.add_column("value", justify="right")
    d = q.to_dict()
    for key, label, share in HEADLINE:
        t.add_row(label, _cell(d.get(key), share))
    s = Table(title="Nights and daytime by site", title_justify="left", header_style="bold")
    for c in ("site", "shifts", "night shifts", "longest night run", "daytime agent-h"):
        s.add_column(c, justify="left" if c == "site" else "right")
    for x in q.by_site:
        s.add_row(
            x.site,
            f"{x.shifts:,}",
            _cell(x.night_shift_share, True),
            str(x.longest_night_run),
            _cell(x.daytime_hours_share, True),
        )
    return [t, s] if q.by_site else [t]


def quality_counts(q: Quality) -> str:
    """What the shares are shares of, in one line."""
    return (
        f"{q.shifts:,} shifts, {q.day_pairs:,} consecutive-day pairs, {q.agent_weeks:,} agent-weeks, "
        f"{q.full_weeks:,} full weeks ({q.full_weeks_without_days_off_together:,} without 2 days off "
        f"together), {q.isolated_days:,} isolated days, {q.stretches:,} stretches"
    )


def print_quality(console: Console, q: Quality | None) -> None:
    """Print the quality tables and their counts (nothing when there is no measure)."""
    if q is None:
        return
    tables = quality_tables(q)
    console.print(tables[0])
    console.print(f"[dim]{quality_counts(q)}[/]", highlight=False)
    for table in tables[1:]:
        console.print(table)
