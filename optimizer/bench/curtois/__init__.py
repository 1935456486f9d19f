"""The Curtois–Qu shift scheduling benchmark (Instances 1–24).

`parse` reads the instance format, `evaluate` scores and checks a roster
independently of any solver, `model` states the rules as CP-SAT constraints,
`solve` is the solving strategy (construction, LNS, full model) and `run`
measures a list of instances against the best-known values.
"""
