"""The pool of column generation's shifts, as the search reads it."""

from __future__ import annotations

import numpy as np

from optimizer.solve.bounds.pool import ColumnPool


def test_a_round_s_schedules_are_each_agent_s_proposed_shifts():
    pool = ColumnPool(2)
    pool.add(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([5, 6, 7]))
    pool.add(np.array([0]), np.array([0]), np.array([8]))
    assert pool.shifts(0) == {(0, 5), (1, 6), (0, 8)}
    assert pool.shifts(1) == {(0, 7)}
    assert pool.rounds == 2
    assert pool.shifts(0, support=True) == set()  # no master optimum published yet


def test_the_support_and_the_rounding_replace_the_last_ones():
    pool = ColumnPool(2)
    pool.support([(0, 0, 5), (0, 1, 6), (1, 0, 7)], heaviest=[(0, 0, 5)])
    pool.support([(1, 2, 9)], heaviest=[(1, 2, 9)])
    assert pool.shifts(0, support=True) == set()
    assert pool.shifts(1, support=True) == {(2, 9)}
    assert pool.rounded(1) == {(2, 9)} and pool.rounded(0) == set()


def test_a_dived_roster_becomes_the_rounding_and_joins_support_and_shifts():
    pool = ColumnPool(2)
    pool.support([(0, 0, 5)], heaviest=[(0, 0, 5)])
    pool.dived(np.array([[4, -1], [-1, 3]]))  # negative: off
    assert pool.rounded(0) == {(0, 4)} and pool.rounded(1) == {(1, 3)}
    assert pool.shifts(0, support=True) == {(0, 5), (0, 4)}
    assert pool.shifts(1) == {(1, 3)}


def test_an_offered_roster_is_taken_once_and_a_later_offer_replaces_it():
    pool = ColumnPool(1)
    assert pool.take_offer() is None
    pool.offer(np.array([[1, 2]]))
    pool.offer(np.array([[3, -1]]))
    taken = pool.take_offer()
    assert taken is not None and taken.tolist() == [[3, -1]]
    assert pool.take_offer() is None
