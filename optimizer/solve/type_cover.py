"""Cover per shift type (the scenario's `shift_cover`): agents needed on a
named shift type on a date — at one site, or, for a row without a site, at
every site whose rule set names that type — with a price for each one short
and for each one beyond.

Unlike interval demand, which agents serve through the allocation to
queues, this cover is a count of shifts, so its term is exact from the
roster's shifts alone (`type_cover_cost`). One more shift of type t on date
d is worth the shortfall price of each cell it counts in while the cell is
short and costs the over-cover price once it is full, so an agent
re-planned alone, the others fixed, sees the exact change of the term
(`type_cover_values`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimizer.scenario.model import Scenario

if TYPE_CHECKING:
    from optimizer.solve.problem import Problem
    from optimizer.solve.state import State


@dataclass(frozen=True)
class TypeCover:
    """The cells (one per `shift_cover` row on a horizon date) as arrays.

    Shift types are numbered across rule sets by id (`type_ids`); `kind[s]`
    maps site s's own shift types to those numbers."""

    type_ids: tuple[str, ...]
    kind: tuple[np.ndarray, ...]  # [S] → [T_s] the site's shift types, as numbers of `type_ids`
    day: np.ndarray  # [C]
    type: np.ndarray  # [C] number of the cell's shift type
    sites: np.ndarray  # [C, S] bool: the sites whose shifts count in the cell
    required: np.ndarray  # [C] agents needed
    under: np.ndarray  # [C] reporting currency per agent short
    over: np.ndarray  # [C] reporting currency per agent beyond

    @classmethod
    def of(cls, sc: Scenario, dates: Sequence[dt.date]) -> TypeCover:
        """The scenario's `shift_cover` rows on horizon dates (others left out)."""
        ids = sorted({t.id for s in sc.sites for t in sc.rules_of(s).shift_types})
        number = {x: i for i, x in enumerate(ids)}
        kind = tuple(
            np.array([number[t.id] for t in sc.rules_of(s).shift_types], dtype=np.int64)
            for s in sc.sites
        )
        day = {d: i for i, d in enumerate(dates)}
        rows = [r for r in sc.shift_cover if r.date in day and r.shift_type in number]
        sites = np.zeros((len(rows), len(sc.sites)), dtype=bool)
        for c, r in enumerate(rows):
            for si, s in enumerate(sc.sites):
                names = any(t.id == r.shift_type for t in sc.rules_of(s).shift_types)
                sites[c, si] = names and (r.site is None or r.site == s.id)
        return cls(
            type_ids=tuple(ids),
            kind=kind,
            day=np.array([day[r.date] for r in rows], dtype=np.int64),
            type=np.array([number[r.shift_type] for r in rows], dtype=np.int64),
            sites=sites,
            required=np.array([r.required for r in rows], dtype=np.int64),
            under=np.array([r.under_penalty for r in rows], dtype=float),
            over=np.array([r.over_penalty for r in rows], dtype=float),
        )

    @property
    def any(self) -> bool:
        """Whether any cell has a price: otherwise the term is always 0."""
        return bool(self.under.any() or self.over.any())


def shift_numbers(p: Problem, site: int, templates: np.ndarray) -> np.ndarray:
    """The shift type numbers (`TypeCover.type_ids`) of a site's templates (-1: untyped)."""
    local = p.sites[site].tpl.shift_type[templates]
    kind = p.type_cover.kind[site]
    return np.where(local >= 0, kind[np.maximum(local, 0)] if len(kind) else -1, -1)


def shift_cells(p: Problem) -> Callable[[int, int, int], list[int]]:
    """(site, day, template) → the cells of the cover per shift type that a
    shift of that template on that day at that site counts in."""
    tc = p.type_cover
    cells_of: dict[tuple[int, int, int], list[int]] = {}
    for c, si in zip(*np.nonzero(tc.sites), strict=True):
        cells_of.setdefault((int(si), int(tc.day[c]), int(tc.type[c])), []).append(int(c))
    numbers = [shift_numbers(p, si, np.arange(len(st.tpl.day))) for si, st in enumerate(p.sites)]

    def cells(site: int, day: int, template: int) -> list[int]:
        return cells_of.get((site, day, int(numbers[site][template])), [])

    return cells


def counts(p: Problem, works: np.ndarray, tpl: np.ndarray) -> np.ndarray:
    """[S, D, G] the agents of each site working each shift type on each
    date, in a roster's `works` and `tpl` ([A, D], as in `State`)."""
    tc = p.type_cover
    out = np.zeros((len(p.sites), p.n_days, len(tc.type_ids)), dtype=np.int64)
    a, d = np.nonzero(works)
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = site == si
        g = shift_numbers(p, int(si), tpl[a[sel], d[sel]])
        typed = g >= 0
        np.add.at(out, (si, d[sel][typed], g[typed]), 1)
    return out


def cell_counts(p: Problem, n: np.ndarray) -> np.ndarray:
    """[C] the agents in each cell, from `counts`' [S, D, G]."""
    tc = p.type_cover
    return (tc.sites * n[:, tc.day, tc.type].T).sum(axis=1)


def cell_costs(p: Problem, n: np.ndarray, cells: np.ndarray | slice = slice(None)) -> np.ndarray:
    """What each of `cells` (all by default) costs with `n` agents in it:
    each agent short times its shortfall price, each agent beyond times its
    over-cover price."""
    tc = p.type_cover
    gap = tc.required[cells] - n
    return tc.under[cells] * np.clip(gap, 0, None) + tc.over[cells] * np.clip(-gap, 0, None)


def cells_cost(p: Problem, n: np.ndarray, cells: np.ndarray | slice = slice(None)) -> float:
    """The term of `n` agents in `cells` (all by default): `cell_costs` summed."""
    return float(cell_costs(p, n, cells).sum())


def roster_cell_costs(p: Problem, s: State) -> np.ndarray:
    """[C] what each cell costs with the shifts of `s` (`cell_costs`)."""
    if not p.type_cover.any:
        return np.zeros(len(p.type_cover.required))
    return cell_costs(p, cell_counts(p, counts(p, s.works, s.tpl)))


def type_cover_cost(p: Problem, s: State) -> float:
    """The term of `s`: `roster_cell_costs` summed."""
    return float(roster_cell_costs(p, s).sum())


def type_cover_values(p: Problem, s: State, a: int) -> np.ndarray:
    """[T] what each template of agent a's site is worth to the term, the
    other agents' shifts as in `s` (a's own left out): over the cells it
    counts in, the shortfall price of each that is short, less the
    over-cover price of each that is full."""
    site = int(p.agent_site[a])
    tpl = p.sites[site].tpl
    out = np.zeros(len(tpl.day))
    tc = p.type_cover
    if not tc.any:
        return out
    others = s.works.copy()
    others[a] = False
    n = cell_counts(p, counts(p, others, s.tpl))
    mine = tc.sites[:, site]
    worth = np.where(n < tc.required, tc.under, -tc.over)[mine]
    G = max(len(tc.type_ids), 1)
    by_key = np.zeros(p.n_days * G)
    np.add.at(by_key, tc.day[mine] * G + tc.type[mine], worth)
    g = shift_numbers(p, site, np.arange(len(tpl.day)))
    typed = g >= 0
    out[typed] = by_key[tpl.day[typed] * G + g[typed]]
    return out
