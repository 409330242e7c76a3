"""The `check` stage: load, validate, derive and judge the data, collecting every problem before anything is built."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assets import check_assets
from .errors import ERROR, DataError, Problem
from .facts import derive_facts
from .model import Facts
from .record_rules import check_records
from .rules import check_references, check_rules
from .schema import validate_schema, values_of_type
from .sources import Source, load_sources
from .text import check_blank, check_characters, check_markdown


@dataclass(frozen=True)
class Checked:
    """Data that passed every check: the sources, the model derived from them, and the warnings."""

    sources: dict[str, Source]
    facts: Facts
    warnings: list[Problem]


def check_data(data_dir: Path, glyph_check=None) -> Checked:
    """Everything `check` does; raises DataError with every problem (errors and warnings) when one is an error.

    `glyph_check(sources) -> [Problem]` checks the printed characters against the theme's fonts."""
    sources, problems = load_sources(data_dir)
    for source in sources.values():
        found = validate_schema(source)
        found += check_characters(source)
        found += check_blank(source)
        if not found:
            for path, value in values_of_type(source, "markdown"):
                found += check_markdown(source, path, value)
            found += check_assets(source, data_dir)
        problems += found
    _stop_on_errors(problems)
    # the references of the acceptance files and the service records' rules (SPEC §10) at once: each reads only
    # what the schemas have checked, so an unknown tester does not hide an unknown fault reporter until it is fixed
    problems += check_references(sources)
    problems += check_records(sources)
    _stop_on_errors(problems)
    facts = derive_facts(sources)
    problems += check_rules(sources, facts)
    problems += facts.warnings
    if glyph_check is not None:
        problems += glyph_check(sources)
    _stop_on_errors(problems)
    return Checked(sources, facts, sorted(problems, key=Problem.sort_key))


def _stop_on_errors(problems: list[Problem]) -> None:
    if any(p.severity == ERROR for p in problems):
        raise DataError(problems)
