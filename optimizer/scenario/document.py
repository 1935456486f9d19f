"""The scenario YAML being read: where each value is, and each section checked
against its model with every error reported at its line.

A `Document` holds the plain YAML values, the line of every key path and the
`IssueLog`; it validates a mapping as a model (one issue per field error, with
pydantic's wording made plain), warns about unknown keys (or refuses them
where ignoring one would drop a hard rule), finds duplicate ids, and resolves
the CSV file a key names inside the scenario's folder. It remembers where each
agent was read (a YAML line or a CSV row), so a later check can point there.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from optimizer.scenario.errors import IssueLog
from optimizer.scenario.model import Activities, RuleSet
from optimizer.scenario.yaml_file import KeyPath, dotted

M = TypeVar("M", bound=BaseModel)

# v1.1 rules (and the extensions: minimums of consecutive days, weekends) are hard rules: a
# misspelt one would silently not apply, so an unknown rule-set key that
# reads like one of these is an error, not a warning
V11_RULE_KEYS = (
    "start_band_hours",
    "days_off_together",
    "max_consecutive_nights",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
)
# sections read strictly: every key in them is a rule, so an unknown key is an error
STRICT_SECTIONS: tuple[type[BaseModel], ...] = (Activities,)


class Document:
    """One scenario document being validated, collecting issues."""

    def __init__(self, path: Path, data: dict[str, Any], lines: dict[KeyPath, int], log: IssueLog):
        self.path = path
        self.file = str(path)
        self.data = data
        self.lines = lines
        self.log = log
        self.agent_where: dict[str, tuple[str, str]] = {}  # agent id → (file, row or line)

    # -- locating
    def where(self, at: KeyPath) -> str:
        probe = tuple(at)
        while probe:
            if probe in self.lines:
                return f"line {self.lines[probe]} ({dotted(at)})"
            probe = probe[:-1]
        return dotted(at)

    def err(self, at: KeyPath, fld: str, message: str) -> None:
        self.log.error(self.file, self.where(at), fld, message)

    def model(
        self, cls: type[M], data: Any, at: KeyPath, context: Any = None, **extra: Any
    ) -> M | None:
        """Validate `data` as `cls`; on failure record one issue per error."""
        if not isinstance(data, dict):
            self.err(at, "", f"expected a mapping, got {type(data).__name__} {data!r}")
            return None
        self._unknown_keys(cls, data, at)
        try:
            return cls.model_validate({**data, **extra}, context=context)
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                fld = ".".join(str(p) for p in loc if not isinstance(p, int)) or ""
                self.err((*at, *loc), fld.split(".")[0] if fld else "", error_message(e))
            return None

    def _unknown_keys(self, cls: type[BaseModel], data: Mapping[str, Any], at: KeyPath) -> None:
        """Warn about keys `cls` does not know, except where ignoring one would
        drop a hard rule: any unknown key of a strict section (`activities`),
        and a rule-set key that looks like a misspelt v1.1 rule, are errors."""
        known = {f.alias or n for n, f in cls.model_fields.items()} | set(cls.model_fields)
        public = sorted(k for k in known if k != "id" and not k.endswith("_"))
        for k in data:
            if k in known:
                continue
            if cls in STRICT_SECTIONS:
                self.err((*at, k), str(k), f"unknown key (known: {', '.join(public)})")
            elif cls is RuleSet and (rule := _misspelt_v11_rule(str(k), known)) is not None:
                self.err(
                    (*at, k),
                    str(k),
                    f"unknown key: did you mean '{rule}'? (a v1.1 rule under another "
                    "name would not apply)",
                )
            else:
                self.log.warn(self.file, self.where((*at, k)), str(k), "unknown key ignored")

    # -- what the document says, valid or not
    def raw_ids(self, key: str) -> set[str]:
        """Ids defined under `key` as written, valid or not: a site naming a rule
        set that failed validation is not also told the rule set is unknown."""
        raw = self.data.get(key)
        return {str(k) for k in raw} if isinstance(raw, dict) else set()

    def raw_values(self, key: str, fld: str) -> set[str]:
        """`fld` of every entry of the list `key` as written, valid or not: one
        site that failed validation (a bad time zone) is reported once, not
        again by every agent, market and queue that names it."""
        raw = self.data.get(key)
        if not isinstance(raw, list):
            return set()
        return {str(e[fld]) for e in raw if isinstance(e, dict) and e.get(fld) is not None}

    def duplicates(self, ids: list[Any], at: Callable[[int], KeyPath], what: str) -> None:
        counts = Counter(ids)
        for i, x in enumerate(ids):
            if x is not None and counts[x] > 1:
                self.err(at(i), "id", f"duplicate {what} id {x!r}")

    # -- the tables it names
    def table_path(self, raw: str, key: str) -> Path | None:
        """The CSV file `raw` names, relative to the scenario's folder; None
        (an error at the YAML line) when it resolves, symlinks followed, to a
        file outside that folder. Such a file is never opened, so none of its
        rows can appear in an error message."""
        folder = self.path.parent
        try:
            inside = (folder / raw).resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            inside = False
        if not inside:
            self.err(
                (key,),
                key,
                f"{raw!r} is outside the scenario's folder: a CSV file the scenario "
                "reads must lie in the YAML file's folder or below it (symlinks too)",
            )
            return None
        return folder / raw


_V11_STEMS = {
    "band": "start_band_hours",
    "together": "days_off_together",
    "nights": "max_consecutive_nights",
    "weekends": "max_weekends",
}


def _misspelt_v11_rule(key: str, known: set[str]) -> str | None:
    """The v1.1 rule `key` most likely misspells, or None.

    `key` is compared (case-insensitively) with every key of a rule set; it is
    a misspelt v1.1 rule when it holds a word only those rules use (`band`,
    `together`, `nights`, `weekends`) or when its closest known key is one of them, so
    `max_consecutive_day` stays a (warned) typo of the v1 `max_consecutive_days`."""
    low = key.strip().lower()
    if low in V11_RULE_KEYS:
        return low  # a case or spacing variant: `Start_Band_Hours`
    for stem, rule in _V11_STEMS.items():
        if stem in low:
            return rule  # `start_band_minutes`, `max_nights`
    best = difflib.get_close_matches(low, sorted(known), n=1, cutoff=0.75)
    return best[0] if best and best[0] in V11_RULE_KEYS else None


def error_message(e: Mapping[str, Any]) -> str:
    """A pydantic error as the planner reads it (no "Value error, " prefix)."""
    msg = str(e.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    inp = e.get("input")
    if e.get("type") == "missing":
        return "required field is missing"
    if e.get("type", "").startswith(("literal_error", "enum")) or "Input should be" in msg:
        return f"{msg} (got {inp!r})"
    return msg


__all__ = ["Document", "error_message"]
