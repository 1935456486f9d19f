"""Proven lower bounds of the roster objective, found beside the search.

`lp` (the LP relaxation of the pooled coverage problem, GLOP), `weekdp`
(each agent's best schedule for given shift values, week by week),
`lagrange` (the Lagrangian relaxation of the coverage rows: the agents
priced through `weekdp`, and subgradient steps on those prices), `colgen`
(column generation over the agents' schedules) and `worker` (runs them
beside the search: a thread, or a child process on large problems).
"""
