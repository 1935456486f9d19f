"""The Curtois–Qu shift scheduling benchmark (Instances 1–24).

`parse` reads the instance format, `evaluate` scores and checks a roster
independently of any solver, `model` states the rules as CP-SAT constraints,
`colgen` prices single employees' rows (CP-SAT) and computes the
column-generation lower bound, `dp` is the fast per-employee dynamic
programme for long horizons, `solve` is the solving strategy (construction,
column generation, DP descent, LNS, full model) and `run` measures a list of
instances against the best-known values.
"""
