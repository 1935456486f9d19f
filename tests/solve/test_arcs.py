"""The arcs of a week's starts the search offers the one-agent programme:
how wide, and where they begin."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from optimizer.solve.arcs import anchor_candidates, steady_band


@pytest.mark.parametrize(
    ("band", "stability", "steady"),
    [(-1, 0.0, -1), (120, 0.0, 120), (120, 5.0, 60), (-1, 5.0, 60), (30, 5.0, 30)],
)
def test_the_search_keeps_a_weeks_starts_within_an_hour_when_stability_is_priced(
    band, stability, steady
):
    # the rule set's band, narrowed to STEADY_BAND minutes once weights.stability is set
    p = SimpleNamespace(
        band=np.array([band]),
        agent_site=np.array([0]),
        scenario=SimpleNamespace(weights=SimpleNamespace(stability=stability)),
    )
    assert steady_band(p, 0) == steady  # type: ignore[arg-type]


def _week(band: int) -> SimpleNamespace:
    """One agent, one week of two days, starts at 09:00, 10:00 and 15:00 each day."""
    tpl = SimpleNamespace(
        local_start=np.array([540, 600, 900, 540, 600, 900]), day=np.array([0, 0, 0, 1, 1, 1])
    )
    return SimpleNamespace(
        band=np.array([band]),
        agent_site=np.array([0]),
        sites=[SimpleNamespace(tpl=tpl)],
        week_of_day=np.array([0, 0]),
        n_weeks=1,
    )


NET = np.array([5.0, 4.0, 8.0, 1.0, 6.0, -1.0])


def test_the_arcs_that_could_earn_most_are_offered():
    # an hour's arc from 09:00 earns 5 + 6 (its best each day), from 10:00 4 + 6,
    # from 15:00 8 + 0: the two best begin at 09:00 and 10:00
    arcs = anchor_candidates(_week(60), 0, np.arange(6), NET, most=2)  # type: ignore[arg-type]
    assert arcs[0].tolist() == [540, 600]


def test_the_current_arc_start_is_always_offered():
    keep = np.array([900])
    arcs = anchor_candidates(_week(60), 0, np.arange(6), NET, keep, most=2)  # type: ignore[arg-type]
    assert arcs[0].tolist() == [540, 600, 900]


def test_without_a_band_every_start_is_an_arc_start():
    arcs = anchor_candidates(_week(-1), 0, np.arange(6), NET, most=1)  # type: ignore[arg-type]
    assert arcs[0].tolist() == [540, 600, 900]
