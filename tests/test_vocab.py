"""One table per vocabulary (signoff/vocab.py): the schemas' allowed lists, the standard fault levels and every label
catalog are checked against the tables, so a term added in one place and not the others fails here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from cerberus import rules_set_registry

from signoff import vocab
from signoff.documents import DOCUMENT_KEYS
from signoff.schema import load_schema
from signoff.service import load_fault_levels
from signoff.sources import DATA_FILES
from conftest import ROOT

LABELS = ROOT / "templates" / "labels"
LOCALES = sorted(p.name for p in LABELS.iterdir() if p.is_dir())

# Every `allowed:` list of the schemas, by file and path ([] for a list's items), and the table it must equal.
SCHEMA_ALLOWED = {
    ("project", "project.locale"): vocab.LOCALES,
    ("project", "people.*.party"): vocab.PARTIES,
    ("project", "acceptance.group[].role"): tuple(vocab.ROLES),
    ("project", "acceptance.materials[].kind"): vocab.MATERIAL_KINDS,
    ("project", "acceptance.materials[].from"): vocab.PARTIES,
    ("criteria", "criteria[].category"): vocab.CATEGORIES,
    ("criteria", "criteria[].characteristic"): vocab.CHARACTERISTICS,
    ("criteria", "criteria[].metric.operator"): tuple(vocab.OPERATORS),
    ("meetings", "meetings[].kind"): vocab.MEETING_KINDS,
    ("results", "tests[].result"): vocab.TEST_RESULTS,
    ("issues", "issues[].kind"): vocab.ISSUE_KINDS,
    ("issues", "issues[].severity"): vocab.SEVERITIES,
    ("issues", "issues[].responsible"): vocab.PARTIES,
    ("issues", "issues[].reverification[].result"): vocab.REVERIFICATION_RESULTS,
    ("report", "conclusion"): vocab.STATED_CONCLUSIONS,
    ("service", "hours"): vocab.SERVICE_HOURS,
    ("service", "channels[].kind"): vocab.CHANNEL_KINDS,
    ("service", "levels[].level"): vocab.FAULT_LEVELS,
    ("service", "maintenance.preventive.every"): tuple(vocab.MAINTENANCE_MONTHS),
    ("service", "maintenance.inspection.per_year"): vocab.INSPECTIONS_PER_YEAR,
    ("service", "levels[].resolution_events[]"): vocab.FULFILLING_EVENTS,
}

# Label catalog keys (common.yaml or a document's own) that name the terms of a vocabulary, and the table.
CATALOG_TABLES = {
    "titles": DOCUMENT_KEYS,
    "party": vocab.PARTIES,
    "side": vocab.PARTIES,
    "sign_person": vocab.PARTIES,
    "category": vocab.CATEGORIES,
    "result": vocab.RESULTS,
    "opinion": vocab.REVERIFICATION_RESULTS,
    "conclusion": vocab.CONCLUSIONS,
    "statement": vocab.CONCLUSIONS,
    "reason": vocab.REASONS,
    "status": vocab.STATUSES,
    "severity": vocab.SEVERITIES,
    "kind": vocab.ISSUE_KINDS,
    "role": tuple(vocab.ROLES),
    "material": vocab.MATERIAL_KINDS,
    "characteristic": vocab.CHARACTERISTICS,
    "operator": tuple(vocab.OPERATORS),
    "meeting_kind": vocab.MEETING_KINDS,
    "channel_kind": vocab.CHANNEL_KINDS,
    "channel_kinds": vocab.CHANNEL_KINDS,
    "level_no": tuple(str(level) for level in vocab.FAULT_LEVELS),
    "duration": vocab.DURATION_UNITS,
    "duration_one": vocab.DURATION_UNITS,
    "hours": vocab.SERVICE_HOURS,
    "hours_short": vocab.SERVICE_HOURS,
    "clock": vocab.SERVICE_HOURS,
    "sla_clock": vocab.SERVICE_HOURS,
    "every": tuple(vocab.MAINTENANCE_MONTHS),
    "per_year": tuple(str(n) for n in vocab.INSPECTIONS_PER_YEAR),
}
# A catalog whose key means another vocabulary than the same key elsewhere: the records' `status` is a target's.
CATALOG_TABLES_IN = {"records.yaml": {"status": vocab.TARGET_STATUSES, "severity": vocab.FINDING_SEVERITIES,
                                     "result": vocab.TASK_RESULTS}}
LIST_TABLES = {"channel_kinds"}  # catalog lists that are a vocabulary, in the table's order
# Catalog mappings that are wording, not a vocabulary of the data (each checked by the document that uses it).
NOT_VOCABULARIES = {"team", "terms", "period_half", "normal",
                    # variants of one sentence, chosen in signoff/wording.py (not terms of the data)
                    "closing", "request", "h_handover", "channel_inline"}
# Babel's, and exact counts ("=2"): a sentence by count, not a vocabulary
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _allowed(node, path=""):
    """(path, allowed) for every allowed list in a schema node."""
    if isinstance(node, str):
        node = rules_set_registry.get(node)
    if "allowed" in node:
        yield path, tuple(node["allowed"])
    inner = node.get("schema")
    if node.get("type") == "list" and inner is not None:
        yield from _allowed(inner, path + "[]")
    elif isinstance(inner, dict):
        for key, child in inner.items():
            yield from _allowed(child, f"{path}.{key}" if path else key)
    if "valuesrules" in node:
        yield from _allowed(node["valuesrules"], path + ".*")


def _schema_allowed() -> dict:
    found = {}
    for name, _ in DATA_FILES:
        for path, allowed in _allowed({"type": "dict", "schema": load_schema(name)}):
            found[(name, path)] = allowed
    return found


def _tables() -> dict[str, set]:
    """Every table of vocab.py, as a set of its terms."""
    return {name: {str(term) for term in value} for name, value in vars(vocab).items()
            if name.isupper() and isinstance(value, (tuple, dict)) and value}


def test_every_schema_allowed_list_is_a_table():
    found = _schema_allowed()
    assert set(SCHEMA_ALLOWED) <= set(found), "a table whose allowed list is gone from the schemas"
    tables = _tables().values()
    for where, allowed in found.items():
        if where in SCHEMA_ALLOWED:
            assert allowed == SCHEMA_ALLOWED[where], where
        else:  # a schema this test does not map yet: its allowed list must still be a table of vocab.py
            assert {str(term) for term in allowed} in tables, f"{where}: {allowed} is in no table of vocab.py"


def test_the_standard_fault_levels_are_the_table_and_their_durations_parse():
    levels = load_fault_levels()
    assert tuple(level["level"] for level in levels) == vocab.FAULT_LEVELS
    for level in levels:
        for field in ("response", "resolution"):
            assert vocab.DURATION.match(level[field]), (level["level"], field)


def test_roles_parties_and_seniority_agree():
    assert sorted(vocab.SENIORITY) == sorted(vocab.ROLES)
    assert set(vocab.ROLES.values()) <= {*vocab.PARTIES, None}
    assert set(vocab.REQUIRED_ROLES) <= set(vocab.ROLES) and set(vocab.LEADER_ROLES) <= set(vocab.ROLES)
    assert set(vocab.roles_of("customer")) | set(vocab.roles_of("contractor")) == set(vocab.ROLES)
    assert set(vocab.REQUIRED_MATERIALS) | set(vocab.BASIS_MATERIALS) <= set(vocab.MATERIAL_KINDS)
    assert set(vocab.ACCEPTED) < set(vocab.STATED_CONCLUSIONS) < set(vocab.CONCLUSIONS)
    assert set(vocab.MEETINGS_IN_WINDOW) <= set(vocab.MEETING_KINDS)
    assert set(vocab.DURATION_MINUTES) == set(vocab.DURATION_UNITS)


def _catalogs():
    for locale in LOCALES:
        for path in sorted((LABELS / locale).glob("*.yaml")):
            yield locale, path


@pytest.mark.parametrize("locale, path", list(_catalogs()), ids=lambda v: v if isinstance(v, str) else v.name)
def test_label_catalog_terms_equal_the_tables(locale, path: Path):
    catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = {**CATALOG_TABLES, **CATALOG_TABLES_IN.get(path.name, {})}
    for key, value in catalog.items():
        if isinstance(value, dict) and key not in tables and key not in NOT_VOCABULARIES \
                and not {term for term in map(str, value) if not re.fullmatch(r"=\d+", term)} <= PLURAL_CATEGORIES:
            # a catalog this test does not map yet: its terms must still be those of a table of vocab.py
            assert {str(term) for term in value} in _tables().values(), \
                f"{locale}/{path.name}: {key} is no table of vocab.py (add one, or list it in NOT_VOCABULARIES)"
        if key not in tables or not isinstance(value, (dict, list)):
            continue  # a sentence that happens to share a vocabulary's name
        table = [str(term) for term in tables[key]]
        terms = [str(term) for term in value]
        if isinstance(value, list):
            if key not in LIST_TABLES:
                continue  # a list of sentences
            assert terms == table, f"{locale}/{path.name}: {key}"
        else:
            lacking, unknown = set(table) - set(terms), set(terms) - set(table)
            assert not lacking and not unknown, f"{locale}/{path.name}: {key} lacks {sorted(lacking)}, " \
                                                f"has unknown {sorted(unknown)}"


def test_every_catalog_names_the_same_vocabularies_in_each_locale():
    for path in sorted((LABELS / LOCALES[0]).glob("*.yaml")):
        keys = [{k for k, v in yaml.safe_load((LABELS / locale / path.name).read_text(encoding="utf-8")).items()
                 if k in CATALOG_TABLES and isinstance(v, dict)} for locale in LOCALES]
        assert all(k == keys[0] for k in keys), path.name
