"""Every download of a variant: the solve's three files, each export format
of `optimizer.export`, the finance tables, and all of them in one zip."""

from __future__ import annotations

import io
import json
import zipfile

from dashboard.data.variant import Variant
from optimizer.export import FORMATS, render
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario


def exports(v: Variant) -> dict[str, bytes]:
    """Every download of a variant: the solve's three files, each format of
    `optimizer.export` (xlsx, csv, ics, payroll) and the finance tables."""
    files: dict[str, bytes] = {
        "roster.csv": roster_csv(v.scenario, v.output.roster).encode(),
        "coverage.csv": v.output.coverage.to_csv(index=False).encode(),
        "summary.json": json.dumps(v.output.summary(), indent=2, default=str).encode(),
    }
    for fmt in FORMATS:
        made = render(
            v.scenario, v.output.roster, fmt,
            calendars=v.prep.calendars, requirements=v.prep.requirements,
        )  # fmt: skip
        for fname, content in made.items():
            files.setdefault(fname, content)
    for name, df in v.cost_report.frames().items():
        files[f"{name}.csv"] = df.to_csv(index=False, float_format="%.4f").encode()
    return files


def roster_csv(scenario: Scenario, roster: Roster) -> str:
    """roster.csv text (`Roster.to_frame`, vectorised per site)."""
    return roster.to_frame(scenario).to_csv(index=False)


def zip_files(files: dict[str, bytes]) -> bytes:
    """All files in one zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()
