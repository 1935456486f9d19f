"""Per-employee dynamic programme: a good row in milliseconds, resources by Lagrange.

One employee's row is a path over the days whose state is what the
sequence rules need to know: working shift t in a run of r days
(r ≤ MaxConsecutiveShifts), or off in a run of k days (k capped at
MinConsecutiveDaysOff). Fixed days off, forbidden successions, the maximum
and minimum run lengths (a run touching day 0 or the last day is exempt)
are therefore exact in the DP. The horizon-wide resources — shifts per
type, total minutes, weekends worked — are priced with Lagrange
multipliers and adjusted by subgradient steps until the path respects
them; `best_row` keeps the cheapest path that does.

Each day is one vectorised numpy step over ≤ T·MaxConsecutive + MinDaysOff
states, so a 52-week row costs a few tens of milliseconds where a
single-employee CP-SAT model often finds no row at all in a second (the
tight minutes band over 364 days). The DP is a heuristic when the
multipliers do not close the gap; `RowModels` (CP-SAT) stays the exact
pricing.
"""

from __future__ import annotations

import numpy as np

from optimizer.bench.curtois.parse import Instance

INF = 1e18


def sequence_limits(inst: Instance, e: int) -> tuple[int, int, int, np.ndarray]:
    """Employee e's run limits as the state machines use them: (longest work
    run ≥ 1, shortest work run, shortest run of days off ≥ 1, `(H, T)` cells
    it may work at all — none when MaxConsecutiveShifts is 0)."""
    allowed = (inst.max_shifts[e] > 0)[None, :] & ~inst.days_off[e][:, None]
    if int(inst.max_consecutive[e]) == 0:
        allowed = np.zeros_like(allowed)
    return (
        max(1, int(inst.max_consecutive[e])),
        int(inst.min_consecutive[e]),
        max(1, int(inst.min_days_off[e])),
        allowed,
    )


class RowDP:
    """The DP of one employee; `path(cost)` is the cheapest sequence-feasible row."""

    def __init__(self, inst: Instance, e: int) -> None:
        self.inst, self.e = inst, e
        self.h, self.nt = inst.horizon, inst.n_shifts
        self.mx, self.mn, self.md, allowed = sequence_limits(inst, e)
        self.blocked = np.where(allowed, 0.0, INF)  # (H, T)
        self.cf = np.where(inst.cannot_follow, INF, 0.0)  # (T, T)
        self.minutes = inst.shift_minutes.astype(float)
        day = np.arange(self.h) % 7
        self.saturday, self.sunday = day == 5, day == 6

    def path(self, cost: np.ndarray, weekend: float = 0.0) -> tuple[np.ndarray, float]:
        """Cheapest row under the sequence rules for `cost[d, t]` of working t
        on day d, plus `weekend` for each weekend worked; (row, its cost)."""
        h, nt, mx, md = self.h, self.nt, self.mx, self.md
        nw = nt * mx
        c = cost + self.blocked
        pred = np.empty((h, nw + md), dtype=np.int64)
        s = np.full(nw + md, INF)
        w0 = c[0] + (weekend if self.saturday[0] or self.sunday[0] else 0.0)
        s[0:nw:mx] = w0  # W[t, r=1]
        s[nw] = 0.0  # off, run of 1
        pred[0] = -1
        for d in range(1, h):
            wv = s[:nw].reshape(nt, mx)
            ov = s[nw:]
            new = np.full(nw + md, INF)
            pr = np.full(nw + md, -1, dtype=np.int64)
            sat = weekend if self.saturday[d] else 0.0
            sun = weekend if self.sunday[d] else 0.0
            cw = c[d]
            # continue a work run: W[t, r] -> W[u, r + 1]
            if mx > 1:
                cont = wv[:, :-1, None] + self.cf[:, None, :]  # (t, r, u)
                bt = cont.argmin(axis=0)  # (r, u)
                bv = np.take_along_axis(cont, bt[None], axis=0)[0]  # (r, u)
                nwv = np.full((nt, mx), INF)
                npr = np.full((nt, mx), -1, dtype=np.int64)
                nwv[:, 1:] = bv.T + cw[:, None] + sat
                npr[:, 1:] = bt.T * mx + np.arange(mx - 1)[None, :]
            else:
                nwv = np.full((nt, mx), INF)
                npr = np.full((nt, mx), -1, dtype=np.int64)
            # start a work run after days off: long enough, or off since day 0
            k = np.arange(md)
            ok = (k + 1 >= md) | (k + 1 == d)
            om = np.where(ok, ov, INF)
            ko = int(om.argmin())
            nwv[:, 0] = om[ko] + cw + sat + sun
            npr[:, 0] = nw + ko
            new[:nw] = nwv.ravel()
            pr[:nw] = npr.ravel()
            # end a work run: long enough, or worked since day 0
            r = np.arange(mx)
            okw = (r + 1 >= self.mn) | (r + 1 == d)
            wm = np.where(okw[None, :], wv, INF).ravel()
            wi = int(wm.argmin())
            cand = [(wm[wi], wi)]
            if md == 1:
                cand.append((ov[0], nw))
            val, arg = min(cand)
            new[nw], pr[nw] = val, arg
            # continue days off (capped at md)
            if md > 1:
                new[nw + 1 : nw + md] = ov[:-1]
                pr[nw + 1 : nw + md] = nw + np.arange(md - 1)
                if ov[-1] < new[nw + md - 1]:
                    new[nw + md - 1], pr[nw + md - 1] = ov[-1], nw + md - 1
            s = new
            pred[d] = pr
        st = int(s.argmin())
        best = float(s[st])
        row = np.full(h, -1, dtype=np.int64)
        if best >= INF / 2:
            return row, INF
        for d in range(h - 1, -1, -1):
            if st < nw:
                row[d] = st // mx
            st = int(pred[d, st]) if d > 0 else st
        return row, best

    def path_weekends(self, cost: np.ndarray) -> tuple[np.ndarray, float]:
        """`path` with MaxWeekends exact: the state also counts the weekends
        worked so far (0…MaxWeekends), so the row never exceeds it. Slower by
        that factor; the fallback when blocking weekends greedily fails."""
        h, nt, mx, md = self.h, self.nt, self.mx, self.md
        kk = int(self.inst.max_weekends[self.e]) + 1
        nw = nt * mx
        c = cost + self.blocked
        pred = np.full((h, nw + md, kk), -1, dtype=np.int64)
        s = np.full((nw + md, kk), INF)
        k0 = 1 if (self.saturday[0] or self.sunday[0]) else 0
        if k0 < kk:
            s[0:nw:mx, k0] = c[0]
        s[nw, 0] = 0.0

        def shift(a: np.ndarray, inc: int, fill: float | int) -> np.ndarray:
            if not inc:
                return a
            out = np.full_like(a, fill)
            out[..., inc:] = a[..., :-inc]
            return out

        for d in range(1, h):
            wv = s[:nw].reshape(nt, mx, kk)
            ov = s[nw:]
            inc_c = 1 if self.saturday[d] else 0
            inc_s = 1 if (self.saturday[d] or self.sunday[d]) else 0
            cw = c[d]
            nwv = np.full((nt, mx, kk), INF)
            npr = np.full((nt, mx, kk), -1, dtype=np.int64)
            if mx > 1:
                cont = wv[:, :-1, None, :] + self.cf[:, None, :, None]  # (t, r, u, k)
                bt = cont.argmin(axis=0)  # (r, u, k)
                bv = np.take_along_axis(cont, bt[None], axis=0)[0]
                nwv[:, 1:] = shift(bv.transpose(1, 0, 2), inc_c, INF) + cw[:, None, None]
                idx = bt.transpose(1, 0, 2) * mx + np.arange(mx - 1)[None, :, None]
                npr[:, 1:] = shift(idx, inc_c, -1)
            ok = (np.arange(md) + 1 >= md) | (np.arange(md) + 1 == d)
            om = np.where(ok[:, None], ov, INF)  # (md, k)
            ko = om.argmin(axis=0)  # (k,)
            start = shift(om[ko, np.arange(kk)], inc_s, INF)
            nwv[:, 0] = start[None, :] + cw[:, None]
            npr[:, 0] = shift(nw + ko, inc_s, -1)[None, :]
            new = np.full((nw + md, kk), INF)
            pr = np.full((nw + md, kk), -1, dtype=np.int64)
            new[:nw] = nwv.reshape(nw, kk)
            pr[:nw] = npr.reshape(nw, kk)
            r = np.arange(mx)
            okw = (r + 1 >= self.mn) | (r + 1 == d)
            wm = np.where(okw[None, :, None], wv, INF).reshape(nw, kk)
            wi = wm.argmin(axis=0)
            new[nw] = wm[wi, np.arange(kk)]
            pr[nw] = wi
            if md == 1:
                better = ov[0] < new[nw]
                new[nw] = np.where(better, ov[0], new[nw])
                pr[nw] = np.where(better, nw, pr[nw])
            else:
                new[nw + 1 : nw + md] = ov[:-1]
                pr[nw + 1 : nw + md] = (nw + np.arange(md - 1))[:, None]
                better = ov[-1] < new[nw + md - 1]
                new[nw + md - 1] = np.where(better, ov[-1], new[nw + md - 1])
                pr[nw + md - 1] = np.where(better, nw + md - 1, pr[nw + md - 1])
            s = new
            pred[d] = pr
        st, k = np.unravel_index(int(s.argmin()), s.shape)
        st, k = int(st), int(k)
        best = float(s[st, k])
        row = np.full(h, -1, dtype=np.int64)
        if best >= INF / 2:
            return row, INF
        for d in range(h - 1, 0, -1):
            prev = int(pred[d, st, k])
            if st < nw:
                row[d] = st // mx
                if st % mx == 0:  # started after a day off
                    k -= 1 if (self.saturday[d] or self.sunday[d]) else 0
                else:
                    k -= 1 if self.saturday[d] else 0
            st = prev
        if st < nw:
            row[0] = st // mx
        return row, best

    def violations(self, row: np.ndarray) -> tuple[np.ndarray, float, float, int]:
        """(excess per shift type, minutes above max, minutes below min, excess weekends)."""
        inst, e = self.inst, self.e
        worked = row >= 0
        counts = np.bincount(row[worked], minlength=self.nt)
        mins = float(self.minutes[row[worked]].sum())
        wk = int((worked[5::7] | worked[6::7]).sum())
        return (
            counts - inst.max_shifts[e],
            mins - float(inst.max_minutes[e]),
            float(inst.min_minutes[e]) - mins,
            wk - int(inst.max_weekends[e]),
        )

    def feasible(self, row: np.ndarray) -> bool:
        ex, hi, lo, wk = self.violations(row)
        return bool((ex <= 0).all() and hi <= 0 and lo <= 0 and wk <= 0)

    def best_row(
        self, cost: np.ndarray, iterations: int = 40, seed: int = 0, exact_weekends: bool = False
    ) -> tuple[np.ndarray | None, float]:
        """A cheap resource-feasible row; (row or None, its cost under `cost`).

        Minutes: bisection on a price per minute worked (the minutes band is
        narrow; a little noise on the costs makes the minutes worked move
        gradually with the price). Weekends and shifts per type: when the path
        works too many, the cheapest allowed ones are kept and the others
        blocked for the remaining iterations (a greedy repair, so the result
        is a heuristic, not the resource-constrained optimum)."""
        rng = np.random.default_rng(seed + self.e)
        noisy = cost + rng.uniform(0.0, 0.3, cost.shape)
        block = np.zeros((self.h, self.nt))
        mu, mu_lo, mu_hi, delta = 0.0, -np.inf, np.inf, 1.0
        unit = float(self.minutes.max()) or 1.0
        maxw = int(self.inst.max_weekends[self.e])
        best, best_val = None, INF
        for _ in range(iterations):
            c = noisy + block + (mu / unit) * self.minutes[None, :]
            row, val = self.path_weekends(c) if exact_weekends else self.path(c)
            if val >= INF / 2:
                break
            ex, hi, lo, wk = self.violations(row)
            worked = np.flatnonzero(row >= 0)
            if wk > 0:  # keep the maxw cheapest weekends worked, block the others
                wc = np.zeros(self.inst.n_weekends)
                np.add.at(wc, worked // 7, np.where(worked % 7 >= 5, c[worked, row[worked]], 0))
                used = np.flatnonzero((row[5::7] >= 0) | (row[6::7] >= 0))
                drop = used[np.argsort(wc[used], kind="stable")][maxw:]
                block[7 * drop + 5] = INF
                block[7 * drop + 6] = INF
            for t in np.flatnonzero(ex > 0):  # keep the cheapest max cells of type t
                days = np.flatnonzero(row == t)
                drop = days[np.argsort(c[days, t], kind="stable")][
                    self.inst.max_shifts[self.e, t] :
                ]
                block[drop, t] = INF
            if wk > 0 or (ex > 0).any():
                mu_lo, mu_hi, delta = -np.inf, np.inf, 1.0
                continue
            if hi <= 0 and lo <= 0:
                true = float(cost[worked, row[worked]].sum())
                if true < best_val:
                    best, best_val = row, true
                if mu == 0:
                    break  # no price on minutes needed
                if mu_hi - mu_lo < 0.02:
                    break
            if hi > 0:
                mu_lo = mu
            elif lo > 0 or mu > 0:  # too few, or in the band at a positive price
                mu_hi = mu
            else:
                mu_lo = mu
            if mu_lo > -np.inf and mu_hi < np.inf:
                mu = 0.5 * (mu_lo + mu_hi)
            elif mu_lo > -np.inf:
                mu, delta = mu_lo + delta, 2 * delta
            else:
                mu, delta = mu_hi - delta, 2 * delta
        return best, best_val
