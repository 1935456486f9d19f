"""Run the chosen sections, store their records, render BENCHMARKS.md from
every stored record.

A section's record is saved as soon as the section ends, so a report cut
short keeps what it measured; BENCHMARKS.md is then written whole. Stored
records are read (and checked) before anything runs, so a broken record
fails in seconds, not after hours of benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.bench.report import markdown
from optimizer.bench.report.base import Section, SectionFailed, Settings, Skipped
from optimizer.bench.report.record import Record, RecordError, load, machine, save
from optimizer.bench.report.registry import SECTIONS


@dataclass
class Outcome:
    """What a report did: sections rerun, skipped (why), failed (why)."""

    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def choose(text: str) -> list[str]:
    """`--sections`: comma-separated names, `all`, or `none`; unknown names are a
    ValueError listing the known ones."""
    text = text.strip()
    if text == "all":
        return list(SECTIONS)
    if text in ("none", ""):
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise ValueError(
            f"unknown section {', '.join(repr(n) for n in unknown)} "
            f"(known: {', '.join(SECTIONS)}, or all, or none)"
        )
    return list(dict.fromkeys(names))


def load_records(folder: Path) -> dict[str, Record]:
    """Every stored record of a known section in `folder`."""
    out = {}
    for name in SECTIONS:
        path = folder / f"{name}.json"
        if path.exists():
            rec = load(path)
            if rec.section != name:
                raise RecordError(f"{path}: field 'section' is {rec.section!r}, expected {name!r}")
            out[name] = rec
    return out


def run_section(
    sec: Section, settings: Settings, folder: Path, stored: Record | None = None
) -> Record:
    """Measure one section and store its record (folded into the `stored`
    one where the section merges a rerun of part of itself)."""
    at_start = machine()
    measured = sec.run(settings)
    record = Record(sec.name, at_start, measured.runs, measured.data, measured.notes)
    if sec.merge is not None and stored is not None:
        record = sec.merge(stored, record)
    save(record, folder)
    return record


def render(folder: Path, records: dict[str, Record], skipped: dict[str, str]) -> str:
    """BENCHMARKS.md from the records; a record whose data its section cannot
    render is a RecordError naming the file."""
    parts = []
    for sec in SECTIONS.values():
        try:
            parts.append(markdown.section(sec, records.get(sec.name), skipped.get(sec.name)))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise RecordError(
                f"{folder / (sec.name + '.json')}: field 'data' does not fit the section "
                f"({type(exc).__name__}: {exc})"
            ) from None
    return markdown.document(list(SECTIONS.values()), records, skipped, parts)


def report(
    names: Iterable[str],
    settings: Settings,
    folder: Path,
    output: Path,
    say: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Rerun `names`, then write `output` from every record in `folder`."""
    from optimizer.files import atomic_file, make_dir

    records = load_records(folder)
    make_dir(folder)
    done = Outcome()
    for name in names:
        say(f"{name}: running")
        try:
            records[name] = run_section(SECTIONS[name], settings, folder, records.get(name))
        except Skipped as exc:
            done.skipped[name] = str(exc)
            say(f"{name}: skipped: {exc}")
            continue
        except SectionFailed as exc:
            done.failed[name] = str(exc)
            say(f"{name}: failed: {exc}")
            continue
        done.ran.append(name)
        say(f"{name}: stored in {folder / (name + '.json')}")
    text = render(folder, records, done.skipped)
    with atomic_file(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return done
