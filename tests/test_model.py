"""The model (signoff/model.py): frozen records read as rec.key, rec["key"] and rec.get(); read-only tables;
one serialiser; and the stage modules import one another one way only."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from signoff.model import Facts, Record, Table, to_json
from signoff.validation import check_data
from conftest import DATA_DIRS, ROOT


@pytest.fixture(scope="module")
def facts() -> Facts:
    return check_data(DATA_DIRS["data"]).facts


def test_records_read_as_attributes_items_and_get(facts):
    assert facts.project.name == facts["project"]["name"] == facts.get("project").get("name")
    person = facts.people["zhangwei"]
    assert person.name == person["name"] and person.get("nickname", "—") == "—"
    material = facts.acceptance.materials[0]
    assert material["from"] == material.from_ and "from" in material
    assert facts.counts.criteria["pass"] == facts.counts.criteria.pass_
    with pytest.raises(KeyError):
        person["get"]  # methods are not fields


def test_records_and_tables_are_frozen(facts):
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.project.name = "other"
    with pytest.raises(TypeError):
        facts.people["zhangwei"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.parties.x = 1
    assert isinstance(facts.criteria, tuple) and isinstance(facts.people, Table)


def test_optional_parts_are_always_present(facts):
    for record in (facts.parties["customer"], facts.issues[0], facts.meetings[0], facts.criteria[0]):
        for field in dataclasses.fields(record):
            assert hasattr(record, field.name)
    pending = check_data(DATA_DIRS["pending-en"]).facts
    assert pending.delivery is None and pending.service is None and pending.handover is None
    assert pending.faults is None and pending.compliance is None and pending.visits is None


def test_every_record_is_a_record_and_serialises(facts):
    def walk(value):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            assert isinstance(value, Record) or type(value).__name__ == "Problem", type(value)
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, Table):
            for item in value.values():
                walk(item)
        else:
            assert value is None or isinstance(value, (str, int, bool)), type(value)
    walk(facts)
    data = json.loads(json.dumps(to_json(facts)))
    assert data["acceptance"]["materials"][0]["from"] in ("customer", "contractor")
    assert data["deferred_issues"] == [i.id for i in facts.deferred_issues]  # subsets as ids
    assert "index" not in data["criteria"][0]["history"][0]  # positions are for the rules only


def test_computed_subsets(facts):
    assert [m.kind for m in facts.acceptance.basis] == [m.kind for m in facts.acceptance.materials
                                                        if m.kind in ("srs", "design")]
    assert {i.id for i in facts.deferred_issues} == {"ISS-004", "ISS-009"}
    assert all(c.category == cat for cat, group in facts.criteria_by_category.items() for c in group)
    assert sum(len(g) for g in facts.criteria_by_category.values()) == len(facts.criteria)
    assert facts.meetings[0].title_key == f"meeting_kind.{facts.meetings[0].kind}"


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("signoff."):
            found.add(node.module.split(".")[1])
    return found


def test_no_import_cycle_among_the_modules():
    package = ROOT / "signoff"
    graph = {path.stem: _imports(path) for path in package.glob("*.py")}
    state: dict[str, str] = {}

    def visit(name, trail):
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", " -> ".join(trail + [name])
        state[name] = "open"
        for other in sorted(graph.get(name, ())):
            visit(other, trail + [name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])
