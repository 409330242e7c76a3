"""The data format for people and editors: the field tables of docs/DATA-FORMAT.md and the JSON Schemas of
schemas/json/, both made from schemas/ and its descriptions (`meta: {description: …}`)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .paths import SCHEMA_DIR
from .schema import load_schema
from .sources import DATA_FILES, read_shipped_yaml
from .text import HIDDEN
from .vocab import DURATION_BOUNDED

DOC_PATH = SCHEMA_DIR.parent / "docs" / "DATA-FORMAT.md"
JSON_DIR = SCHEMA_DIR / "json"

# The characters check_characters refuses in any value (signoff/text.py): C0 and C1 controls but newline, and
# text.HIDDEN (bidirectional controls, zero-width and other invisible characters): one table for both.
_PRINTABLE = "^[^\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f" + "".join(f"\\u{code:04x}" for code in sorted(HIDDEN)) + "]*$"
_END = "(?![\\s\\S])"  # the end of the text, in Python's and ECMAScript's regexes alike (`$` differs on "x\n")
# A real day of the years 1900–2999 (signoff/schema.py parse_date), as a regular expression: `format: date` alone
# is not enough, since a validator may ignore formats and none checks the years, and a `datetime` has no format.
_YEAR = "(19|2[0-9])[0-9]{2}"
_LEAP_YEAR = "((19|2[0-9])(0[48]|[2468][048]|[13579][26])|2[048]00)"  # 1900, 2100, 2200, … are not leap years
_DAY = (f"({_YEAR}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
        f"|{_LEAP_YEAR}-02-29)")
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]"
_PATTERNS = {  # the custom types of signoff/schema.py, as JSON Schema
    "date": {"type": "string", "pattern": f"^{_DAY}" + _END, "format": "date"},
    "time": {"type": "string", "pattern": f"^{_CLOCK}" + _END},
    "datetime": {"type": "string", "pattern": f"^{_DAY} {_CLOCK}" + _END},
    "duration": {"type": "string", "pattern": f"^{DURATION_BOUNDED}" + _END},
    "number": {"type": ["integer", "string"], "pattern": "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?" + _END},
    "text": {"type": ["string", "integer"], "pattern": _PRINTABLE},
    "markdown": {"type": ["string", "integer"], "pattern": _PRINTABLE},
    "asset": {"type": "string", "pattern": _PRINTABLE},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
}
_REGEX_NAMES = {
    r"[A-Z0-9]+(-[A-Z0-9]+)*\Z": "id: A–Z, 0–9, single hyphens",
    r"[a-z][a-z0-9_-]*\Z": "key: a–z, then a–z 0–9 _ -",
    r"[0-9a-fA-F]{64}\Z": "64 hexadecimal digits",
    r"[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*\Z": "code: letters, digits, - _ .",
    r"([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)\Z": "interval HH:MM-HH:MM",
}
_TYPE_WORDS = {"text": "text", "markdown": "Markdown", "date": "date", "time": "time HH:MM",
               "datetime": "time YYYY-MM-DD HH:MM",
               "duration": "duration (`15 min`, `2 h`, `8 wd`)", "number": "number", "integer": "integer",
               "boolean": "`true` or `false`", "asset": "image under assets/", "string": "text",
               "dict": "mapping", "list": "list"}


@dataclass(frozen=True)
class Field:
    """One row of a field table: a key's path, whether it is required, its values, default and description."""

    path: str
    required: bool
    values: str
    default: str
    description: str


def schema_names() -> list[str]:
    """Every data file that has a schema, in the order of the data files."""
    return [name for name, _ in DATA_FILES]


def common_rule_sets() -> dict:
    return read_shipped_yaml(SCHEMA_DIR / "common.yaml")


def missing_descriptions() -> list[str]:
    """Every rule set and every key of every schema without `meta: {description: …}`, as `file: path`."""
    missing = [f"common.yaml: {name}" for name, rules in common_rule_sets().items()
               if not _description(rules)]
    for name in schema_names():
        missing += [f"{name}.yaml: {field.path}" for field in fields(name) if not field.description]
    return missing


def fields(name: str) -> list[Field]:
    """The rows of the field table of data/{name}.yaml, depth first in the schema's order."""
    rows: list[Field] = []

    def walk(schema: dict, prefix: str) -> None:
        for key, rules in schema.items():
            path = f"{prefix}{key}"
            rows.append(_field(path, rules))
            _descend(rules, path)

    def _descend(rules: dict, path: str) -> None:
        if rules.get("type") == "dict" and isinstance(rules.get("schema"), dict):
            walk(rules["schema"], path + ".")
        if rules.get("type") == "dict" and isinstance(rules.get("valuesrules"), dict):
            rows.append(_field(path + ".<key>", {**rules["valuesrules"], "required": False}))
            _descend(rules["valuesrules"], path + ".<key>")
        if rules.get("type") == "list" and isinstance(rules.get("schema"), dict):
            _descend(rules["schema"], path + "[]")

    walk(load_schema(name), "")
    return rows


def _description(rules) -> str:
    meta = rules.get("meta") if isinstance(rules, dict) else None
    return " ".join(str(meta.get("description", "")).split()) if isinstance(meta, dict) else ""


def _field(path: str, rules: dict) -> Field:
    meta = rules.get("meta") or {}
    if "default" in meta:
        default = f"`{_yaml_scalar(meta['default'])}`"
    else:
        default = meta.get("defaults_to", "")
    return Field(path, bool(rules.get("required")), _values(rules), default, _description(rules))


def _yaml_scalar(value) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _values(rules: dict) -> str:
    kind = rules.get("type")
    if "allowed" in rules:
        words = "one of " + ", ".join(f"`{_yaml_scalar(value)}`" for value in rules["allowed"])
    elif kind == "string" and rules.get("regex") in _REGEX_NAMES:
        words = _REGEX_NAMES[rules["regex"]]
    elif kind == "list":
        item = rules.get("schema")
        inner = common_rule_sets()[item] if isinstance(item, str) else item if isinstance(item, dict) else {}
        words = "list of " + ("mappings" if inner.get("type") == "dict" else f"({_values(inner)})" if inner else "items")
    else:
        words = _TYPE_WORDS.get(kind, str(kind))
    if "min" in rules and "max" in rules:
        words += f", {rules['min']} to {rules['max']}"
    elif "min" in rules:
        words += f", at least {rules['min']}"
    if "maxlength" in rules:
        words += f", {rules['maxlength']} characters at most"
    if rules.get("empty") is False:
        words += ", at least one"
    return words


def field_table(name: str) -> str:
    """The Markdown table of every key of data/{name}.yaml."""
    lines = ["| key | required | value | default | description |", "|---|---|---|---|---|"]
    for field in fields(name):
        cells = [f"`{field.path}`", "yes" if field.required else "", field.values, field.default,
                 field.description]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


_REGION = re.compile(r"(?P<start><!-- fields: (?P<name>[a-z_]+) "
                     r"\(generated by `make formats`; do not edit\) -->\n)"
                     r"(?:.*?\n)??(?P<end><!-- end of fields -->)", re.S)


def reference_text(current: str) -> str:
    """docs/DATA-FORMAT.md with every generated field table replaced by the one the schemas give now."""
    found = {match["name"] for match in _REGION.finditer(current)}
    missing = [name for name in schema_names() if name not in found]
    if missing:
        raise ValueError(f"{DOC_PATH.name} has no field table for {', '.join(missing)}")
    return _REGION.sub(lambda match: match["start"] + field_table(match["name"]) + "\n" + match["end"], current)


def json_schema(name: str) -> dict:
    """The JSON Schema (draft-07) of data/{name}.yaml: the same keys, types, values and descriptions."""
    document = {"$schema": "http://json-schema.org/draft-07/schema#",
                "title": f"Signoff data/{name}.yaml",
                "description": f"The format of data/{name}.yaml (docs/DATA-FORMAT.md). Generated from "
                               f"schemas/{name}.yaml by `make formats`; do not edit.",
                **_object(load_schema(name))}
    return document


def _object(schema: dict) -> dict:
    result = {"type": "object", "properties": {key: _json(rules) for key, rules in schema.items()},
              "additionalProperties": False}
    required = [key for key, rules in schema.items() if rules.get("required")]
    if required:
        result["required"] = required
    return result


# The Cerberus rules _json translates; a schema using any other fails loudly rather than being left out of the JSON
# Schema, which would then accept what the validator refuses.
_KNOWN_RULES = {"type", "required", "schema", "keysrules", "valuesrules", "empty", "regex", "allowed", "min", "max",
                "maxlength", "meta"}


def _json(rules) -> dict:
    if isinstance(rules, str):  # a rule set named as the schema of list items
        rules = common_rule_sets()[rules]
    unknown = set(rules) - _KNOWN_RULES
    if unknown or rules.get("type") not in (*_PATTERNS, "dict", "list"):
        raise ValueError(f"signoff/formats.py cannot express {sorted(unknown) or rules.get('type')!r} in JSON Schema "
                         "yet: add it to _json")
    kind = rules.get("type")
    if kind == "dict":
        result = _object(rules["schema"]) if "schema" in rules else {"type": "object"}
        if "keysrules" in rules:
            result["propertyNames"] = _json(rules["keysrules"])
        if "valuesrules" in rules:
            result["additionalProperties"] = _json(rules["valuesrules"])
    elif kind == "list":
        result = {"type": "array"}
        if "schema" in rules:
            result["items"] = _json(rules["schema"])
        if rules.get("empty") is False:
            result["minItems"] = 1
    else:
        result = dict(_PATTERNS[kind])
    if "regex" in rules:
        result["pattern"] = "^(" + rules["regex"].removesuffix("\\Z") + ")" + _END
    if "allowed" in rules:
        result["enum"] = list(rules["allowed"])
    if "min" in rules:
        result["minimum"] = rules["min"]
    if "max" in rules:
        result["maximum"] = rules["max"]
    if "maxlength" in rules:
        result["maxLength"] = rules["maxlength"]
    meta = rules.get("meta") or {}
    if _description(rules):
        text = _description(rules)
        if "default" in meta:
            result["default"] = meta["default"]
        elif "defaults_to" in meta:
            text += f" Default: {meta['defaults_to']}."
        result = {"description": text, **result}
    return result


def json_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"


def generated_files() -> dict[Path, str]:
    """Every file `make formats` writes, with the text it must hold."""
    files = {DOC_PATH: reference_text(DOC_PATH.read_text(encoding="utf-8"))}
    files.update({JSON_DIR / f"{name}.schema.json": json_text(name) for name in schema_names()})
    return files


def schema_line(data_dir: Path, name: str) -> str:
    """The first line of data/{name}.yaml that tells the YAML language server its JSON Schema."""
    relative = Path(*[".."] * len(data_dir.parts)) / "schemas" / "json" / f"{name}.schema.json"
    return f"# yaml-language-server: $schema={relative.as_posix()}"
