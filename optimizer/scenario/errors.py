"""Input errors that name the file, the row or key path, and the field.

The loader collects every problem of a file in one pass and raises one
`ScenarioError` holding them all, so a planner fixes a file once, not once per
mistake. The CLI turns it into a readable list and exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Issue:
    """One problem in the input: where it is and what was expected."""

    file: str
    where: str  # "row 17", "line 23 (tiers.T1.sla.voice.level)", or ""
    field: str  # the field or column name, or ""
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{', '.join(parts)}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__(self.render())

    def render(self, limit: int = 200) -> str:
        """All issues, one a line (the first `limit`, then a count of the rest)."""
        lines = [str(i) for i in self.issues[:limit]]
        rest = len(self.issues) - limit
        if rest > 0:
            lines.append(f"... and {rest} more")
        return "\n".join(lines)


@dataclass
class IssueLog:
    """Collects issues (errors) and warnings while loading."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, file: str, where: str, fld: str, message: str) -> None:
        self.errors.append(Issue(file, where, fld, message))

    def warn(self, file: str, where: str, fld: str, message: str) -> None:
        self.warnings.append(Issue(file, where, fld, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScenarioError(self.errors)


def byte_line(data: bytes, offset: int) -> str:
    """Where byte `offset` of a file lies, as an issue's `where`: `"line 3"`."""
    newline = b"\n"
    return f"line {data[:offset].count(newline) + 1}"
