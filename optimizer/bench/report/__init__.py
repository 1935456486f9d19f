"""BENCHMARKS.md as a report: `sunroster bench report` reruns the chosen
benchmark sections and renders the file from every section's stored record.

- `base`: what a section is (`Section`, `Settings`, `Measured`, `Skipped`);
- `record`: a section's stored result, `bench/results/<section>.json`, with
  the machine, and for each run its commands, date and commit;
- `markdown`: number formats, tables and the frame every section shares;
- `solver`, `curtois`, `tools`, `delegated`: the sections themselves;
- `registry`: the sections in the file's order; `build`: run, store, render.
"""
