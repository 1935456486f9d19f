"""The Curtois–Qu shift scheduling benchmark (Instances 1–24), solved by
Sunroster's engine.

`parse` reads the instance format, `evaluate` scores and checks a roster
independently of any solver, `adapter` turns an instance into a scenario and
the engine's roster back into the benchmark's, and `run` measures a list of
instances against the best-known values (`sunroster bench curtois`).
"""
