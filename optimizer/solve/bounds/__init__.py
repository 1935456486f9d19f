"""Proven lower bounds of the roster objective, found beside the search.

`lp` (the LP relaxation of the pooled coverage problem, GLOP), `lagrange`
(the Lagrangian relaxation of the coverage rows: each agent's best schedule
at given prices, and the subgradient steps on those prices), `colgen`
(column generation over the agents' schedules) and `worker` (runs them
beside the search: a thread, or a child process on large problems).
"""
