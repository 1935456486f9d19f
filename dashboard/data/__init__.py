"""The dashboard's logic, free of Streamlit: one module per page concern,
each a plain function of a `Variant` (one roster of one scenario) or of
files, unit-tested without a browser. `dashboard/state.py` adds Streamlit's
caches on top; the pages in `dashboard/views/` only lay the results out.

`run` (finding a scenario's solved run), `variant` (a roster and its derived
tables), `workspace` (a scenario's variants, background solves, run store),
`jobs` (one background solve), `overview`, `coverage`, `follow_the_sun`,
`roster`, `quality`, `cost`, `whatif`, `compare`, `upload`, `downloads`
(one per page), `clock` (epoch minutes as the datetimes the charts draw).
The computing itself — solving, reading a run's files, pricing, KPIs — is in
`optimizer/`.
"""
