"""The data format reference and the JSON Schemas: complete, up to date, and in agreement with the validator."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import DATA_DIRS, ROOT
from signoff import formats
from signoff.schema import validate_schema
from signoff.sources import DATA_FILES, load_source
from signoff.text import check_characters
from test_corpus import CASES, prepare

NAMES = [name for name, _ in DATA_FILES]
# Every shipped data folder: data/ and each example (conftest's DATA_DIRS holds only those other tests copy).
FOLDERS = [*DATA_DIRS.values(), *sorted(path for path in (ROOT / "examples").iterdir()
                                        if path.is_dir() and path not in DATA_DIRS.values())]


def test_every_key_of_every_schema_and_every_rule_set_has_a_description():
    assert formats.missing_descriptions() == []


def test_a_key_without_a_description_is_found(monkeypatch):
    real = formats.load_schema
    monkeypatch.setattr(formats, "load_schema", lambda name: {**real(name), "extra": {"type": "string"}})
    assert "report.yaml: extra" in formats.missing_descriptions()


def test_a_rule_the_json_schema_cannot_express_fails_loudly():
    with pytest.raises(ValueError, match="cannot express \\['nullable'\\]"):
        formats._json({"type": "string", "nullable": True})
    with pytest.raises(ValueError, match="cannot express 'colour'"):
        formats._json({"type": "colour"})


def test_every_schema_file_is_a_data_file():
    """A schema (a mapping of keys) that is not in the table of data files would go undocumented."""
    for path in sorted((ROOT / "schemas").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name != "common.yaml" and isinstance(content, dict):
            assert path.stem in NAMES, f"schemas/{path.name} is not in signoff.sources.DATA_FILES"


def test_the_reference_and_the_json_schemas_are_what_make_formats_writes():
    stale = [str(path.relative_to(ROOT)) for path, text in formats.generated_files().items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    assert stale == [], "run `make formats`"
    assert sorted(p.name for p in formats.JSON_DIR.glob("*.json")) == sorted(f"{n}.schema.json" for n in NAMES)


def test_write_formats_check_passes_here_and_regenerating_repairs_an_edited_table():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "write-formats"), "--check"], capture_output=True,
                            text=True)
    assert (result.returncode, result.stderr) == (0, "")
    reference = formats.DOC_PATH.read_text(encoding="utf-8")
    row = "| `summary` | yes | Markdown |  | The acceptance group's overall assessment. |"
    assert row in reference
    edited = reference.replace(row, "| `summary` |  | text |  | Whatever. |")
    assert formats.reference_text(edited) == reference
    with pytest.raises(ValueError, match="no field table for report"):
        formats.reference_text(reference.replace("<!-- fields: report (", "<!-- fieldz: report ("))


def test_the_reference_documents_every_key_and_how_to_choose_english():
    text = formats.DOC_PATH.read_text(encoding="utf-8")
    for name in NAMES:
        for field in formats.fields(name):
            assert f"| `{field.path}` |" in text
    assert "locale: en" in text
    assert "| `project.locale` |  | one of `zh-CN`, `en` | `zh-CN` |" in text


def test_every_data_file_names_its_json_schema_for_the_editor():
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.yaml")):
            line = formats.schema_line(folder.relative_to(ROOT), path.stem)
            head = path.read_text(encoding="utf-8").splitlines()[:2]
            assert any(text == line or text.startswith(line + " ") for text in head), path
            target = (folder / line.split("$schema=")[1]).resolve()
            assert target == (formats.JSON_DIR / f"{path.stem}.schema.json").resolve() and target.is_file()


@pytest.mark.parametrize("name", NAMES)
def test_the_json_schemas_are_valid_draft_7(name):
    jsonschema.Draft7Validator.check_schema(json.loads((formats.JSON_DIR / f"{name}.schema.json").read_text()))


# ---- The JSON Schemas agree with Signoff's validator --------------------------------------------------------------
# Both are fed each data file as Signoff's strict loader reads it (only null, true/false and integers typed).
# Compared: the schema and the character checks, which run on each file by itself. Not compared, because JSON
# Schema cannot express them:
NOT_EXPRESSIBLE = (
    "YAML itself: syntax, duplicate keys, anchors and aliases, tags, encodings, several documents, sizes and "
    "nesting (the loader refuses the file; there is nothing to hand a JSON Schema validator)",
    "references between files and between values (a person, criterion, material or meeting that must exist), "
    "dates in order, the conclusion and every other rule of signoff/rules.py",
    "the service records' rules of signoff/record_rules.py: a channel of service.yaml, customer and contractor "
    "people, times within the service period and as_of, events in time order, pauses resumed, the keys an event "
    "kind needs (responded: by, manner), windows that exist, notice_sent, tasks of service.yaml, notes unless done, "
    "working_hours in order and 5x8 only",
    "Markdown images (signoff/text.py check_markdown) and image files (signoff/assets.py: existence, format, size, "
    "a path that leaves the data folder)",
    "the glyph check: characters the theme's fonts cannot draw",
)
VALIDATORS = {name: jsonschema.Draft7Validator(json.loads((formats.JSON_DIR / f"{name}.schema.json").read_text()),
                                               format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
              for name in NAMES}


def verdicts(data_dir: Path) -> list[tuple[str, bool, bool, str]]:
    """(file, Signoff accepts, the JSON Schema accepts, what each said) for every data file the loader can read."""
    found = []
    for name in NAMES:
        path = data_dir / f"{name}.yaml"
        if not path.is_file() or path.is_symlink():
            continue
        verdict = _verdict(name, path.read_bytes(), path)
        if verdict is not None:
            found.append((name, *verdict))
    return found


_VERDICTS: dict[tuple[str, bytes], tuple[bool, bool, str] | None] = {}


def _verdict(name: str, content: bytes, path: Path) -> tuple[bool, bool, str] | None:
    """One file's verdicts, remembered by its bytes: a corpus case changes one file of eleven, and the other ten
    need not be validated again (what is said names the path where the content was first seen)."""
    key = (name, content)
    if key not in _VERDICTS:
        source, problems = load_source(name, path)
        if source is None or any(p.severity == "error" for p in problems):
            _VERDICTS[key] = None  # refused by the loader: NOT_EXPRESSIBLE[0]
        else:
            refusals = [p.format() for p in validate_schema(source) + check_characters(source)
                        if p.severity == "error"]
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATORS[name].iter_errors(
                source.data)]
            _VERDICTS[key] = (not refusals, not errors, "; ".join(refusals + errors)[:300])
    return _VERDICTS[key]


def test_json_schemas_accept_the_shipped_data_examples_and_the_data_init_writes():
    folders = [*FOLDERS, *sorted((ROOT / "signoff" / "skeleton").iterdir())]
    checked = [(folder.name, *verdict) for folder in folders for verdict in verdicts(folder)]
    assert len(checked) >= 30 and [verdict for verdict in checked if not (verdict[2] and verdict[3])] == []


def test_json_schemas_agree_with_the_validator_on_every_corpus_case(tmp_path):
    disagreements, compared, refused = [], 0, 0
    for index, case in enumerate(CASES):
        data = prepare(tmp_path / str(index), case)
        for name, signoff_ok, json_ok, said in verdicts(data):
            compared += 1
            refused += not signoff_ok
            if signoff_ok != json_ok:
                disagreements.append(f"{case['name']}: {name}.yaml: Signoff {'accepts' if signoff_ok else 'refuses'},"
                                     f" the JSON Schema {'accepts' if json_ok else 'refuses'}: {said}")
    assert disagreements == []
    assert compared > 500 and refused >= 20  # the comparison saw the corpus's refusals, not only valid files


def test_json_schemas_refuse_what_the_validator_refuses_in_value_types(data_copy):
    """Retyping and near-miss values the strict loader keeps as text: each refused by both."""
    folder = data_copy("pass-en")
    cases = [("report", "date: 2026-12-11", "date: 2026-02-30"), ("report", "date: 2026-12-11", "date: 20261211"),
             ("delivery", "quantity: 2", "quantity: true"), ("delivery", "quantity: 2", "quantity: '2'"),
             ("project", "locale: en", "locale: EN"), ("meetings", 'time: "10:00"', 'time: "9:30"'),
             ("meetings", 'time: "10:00"', 'time: "24:00"'),
             ("criteria", "id: F-01", 'id: "F-01\\n"'), ("criteria", "id: F-01", "id: F-０1"),
             ("report", "signatories:", "signatorys:"), ("results", "complete: true", "complete: yes")]
    for name, old, new in cases:
        path = folder / f"{name}.yaml"
        original = path.read_text(encoding="utf-8")
        assert old in original, (name, old)
        path.write_text(original.replace(old, new, 1), encoding="utf-8")
        verdict = [v for v in verdicts(folder) if v[0] == name]
        path.write_text(original, encoding="utf-8")
        assert verdict and verdict[0][1:3] == (False, False), (name, new, verdict)



def test_json_schemas_check_times_and_dates_as_real_days_as_the_validator_does(data_copy):
    """A time of faults.yaml (YYYY-MM-DD HH:MM) and a date: the day must exist, in the years 1900-2999."""
    path = data_copy("data") / "faults.yaml"
    original = path.read_text(encoding="utf-8")
    cases = {"2028-02-29 10:12": True, "2000-02-29 00:00": True, "2999-12-31 23:59": True,
             "2027-02-29 10:12": False, "2100-02-29 10:12": False, "1899-12-31 10:12": False,
             "3000-01-01 10:12": False, "2026-04-31 10:12": False, "2026-11-25 24:00": False,
             "2026-11-25 9:12": False, "2026-11-25T10:12": False, "2026-11-25 10:12:00": False}
    edits = [("reported_at: 2026-11-25 10:12", f"reported_at: {value}", valid) for value, valid in cases.items()]
    days = {"2028-02-29": True, "2000-02-29": True, "2027-02-29": False, "2100-02-29": False, "1899-12-31": False,
            "3000-01-01": False, "2026-04-31": False, "2026-4-30": False}
    edits += [("as_of: 2027-02-26", f"as_of: {value}", valid) for value, valid in days.items()]
    for old, new, valid in edits:
        assert old in original
        path.write_text(original.replace(old, new, 1), encoding="utf-8")
        verdict = [v for v in verdicts(path.parent) if v[0] == "faults"]
        assert verdict and verdict[0][1:3] == (valid, valid), (new, verdict)
    path.write_text(original, encoding="utf-8")
