"""A scenario YAML is measured before it is built (issue #24 item 7;
docs/safety.md "Input size and YAML aliases"): alias bombs, too many
aliases, an alias inside its own anchor, deep nesting and oversized files
are refused with exit 2 naming the file and line, at no cost in memory."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from optimizer.scenario import limits
from tests.hostile.conftest import SUNROSTER, sr

MEMORY_CAP = 2 * 2**30  # the command runs under this address-space limit: a bomb dies, not the host


def _validate_capped(scenario: Path) -> subprocess.CompletedProcess[str]:
    """`sunroster validate` under a memory cap, so that a loader which does
    expand the bomb fails (MemoryError) instead of exhausting the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [str(SUNROSTER), "validate", str(scenario)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=cap,
    )


def _append(scenario: Path, text: str) -> int:
    """Append `text` (an unknown top-level key) to the scenario; its first line's number."""
    before = scenario.read_text()
    scenario.write_text(before + text)
    return before.count("\n") + 1


def _refused(res: subprocess.CompletedProcess[str], scenario: Path, line: int, words: str) -> None:
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "Traceback" not in out and "MemoryError" not in out
    assert f"{scenario}, line {line}: " in out, out
    assert words in out, out


def test_a_billion_laughs_is_refused(scenario: Path) -> None:
    # the 3.4 KB bomb: nine levels of ten aliases, 10**9 strings expanded
    rows = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    first = _append(scenario, "\n".join(rows) + "\n")
    res = _validate_capped(scenario)
    # the nodes pass the limit inside a5 (10**6 strings): its line is named
    _refused(res, scenario, first + 5, f"expands to more than {limits.MAX_YAML_NODES:,} values")


def test_more_aliases_than_the_limit_are_refused(scenario: Path) -> None:
    n = limits.MAX_YAML_ALIASES
    rows = ["shared: &shared 1"] + [f"copy{i}: *shared" for i in range(n + 1)]
    first = _append(scenario, "\n".join(rows) + "\n")
    _refused(_validate_capped(scenario), scenario, first + n + 1, f"more than {n} YAML aliases")


def test_an_alias_inside_its_own_anchor_is_refused(scenario: Path) -> None:
    first = _append(scenario, "loop: &loop [1, [2, *loop]]\n")
    _refused(_validate_capped(scenario), scenario, first, "alias *loop lies inside its own anchor")


def test_deep_nesting_is_refused(scenario: Path) -> None:
    first = _append(scenario, "deep: " + "[" * 10_000 + "]" * 10_000 + "\n")
    _refused(
        _validate_capped(scenario), scenario, first, f"more than {limits.MAX_YAML_DEPTH} levels"
    )


def test_an_oversized_file_is_refused_before_it_is_parsed(scenario: Path) -> None:
    with scenario.open("a") as f:
        f.write("# " + "x" * (limits.MAX_YAML_BYTES + 1) + "\n")
    res = sr("validate", scenario)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{scenario}: the file holds" in res.stderr and "at most 8 MiB" in res.stderr


@pytest.mark.parametrize("copies", [1, limits.MAX_YAML_ALIASES])
def test_a_scenario_that_shares_values_by_aliases_loads(scenario: Path, copies: int) -> None:
    text = scenario.read_text()
    text = text.replace("under_cover_penalty: 150", "under_cover_penalty: &penalty 150")
    text = text.replace("under_cover_penalty: 40", "under_cover_penalty: *penalty")
    extra = "".join(f"note{i}: *penalty\n" for i in range(copies - 1))
    scenario.write_text(text + extra)
    res = sr("validate", scenario)
    assert res.returncode == 0, res.stderr
