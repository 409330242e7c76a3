"""Checking each data file against its closed Cerberus schema under schemas/, with messages that say where."""
from __future__ import annotations

import datetime
import difflib
import re
from functools import lru_cache

from cerberus import TypeDefinition, Validator, errors as cerr, rules_set_registry
from cerberus import schema as cerberus_schema

from .errors import Problem
from .paths import SCHEMA_DIR
from .sources import MAX_INT_DIGITS, Source, format_path, read_shipped_yaml
from .vocab import DURATION_BOUNDED, DURATION_LIMITS  # the one duration pattern


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]\Z")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]\Z")  # SPEC §10: local time
_DURATION = re.compile(DURATION_BOUNDED + r"\Z")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")

_REGEX_HINTS = {
    r"[A-Z0-9]+(-[A-Z0-9]+)*\Z": "is not a valid id: use A–Z, 0–9 and single hyphens, as in F-01",
    r"[a-z][a-z0-9_-]*\Z": "is not a valid key: start with a–z, then a–z, 0–9, _ or -",
    r"[0-9a-fA-F]{64}\Z": "is not a SHA-256: 64 hexadecimal digits",
    r"[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*\Z": "is not a valid project code: letters, digits and - _ .",
    r"([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)\Z":
        "is not an interval HH:MM-HH:MM of one day (it may close at 24:00, not later)",
}

_QUOTED_KEYS = ("id", "number", "code", "version", "contract")  # identifiers a number may be typed for

_TYPE_NAMES = {
    "text": "text", "markdown": "text", "string": "text", "integer": "a whole number",
    "boolean": "true or false", "list": "a list", "dict": "a mapping of keys to values",
    "number": "a number", "date": "a date (YYYY-MM-DD)", "time": "a time (HH:MM)",
    "datetime": "a time (YYYY-MM-DD HH:MM)",
    "duration": f"a duration above zero such as 15 min, 2 h or 8 wd (at most {DURATION_LIMITS})", "asset": "a path under assets/",
}


FIRST_YEAR, LAST_YEAR = 1900, 2999  # dates outside are refused: date arithmetic near 9999 overflows


def parse_date(value: str) -> datetime.date | None:
    """A date of the data: `YYYY-MM-DD`, a real day, in the years 1900–2999; None otherwise."""
    if not isinstance(value, str) or not _DATE.match(value) or not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class DataValidator(Validator):
    """Cerberus with the data types of SPEC §4; `integer` never accepts true or false."""

    types_mapping = dict(Validator.types_mapping)
    types_mapping["integer"] = TypeDefinition("integer", (int,), (bool,))
    del types_mapping["date"], types_mapping["datetime"], types_mapping["number"]  # ours are text, checked below

    def _validate_type_text(self, value):
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))

    _validate_type_markdown = _validate_type_text

    def _validate_type_date(self, value):
        return parse_date(value) is not None

    def _validate_type_time(self, value):
        return isinstance(value, str) and bool(_TIME.match(value))

    def _validate_type_datetime(self, value):
        return isinstance(value, str) and bool(_DATETIME.match(value)) and parse_date(value[:10]) is not None

    def _validate_type_duration(self, value):
        return isinstance(value, str) and bool(_DURATION.match(value))

    def _validate_type_number(self, value):
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and bool(_NUMBER.match(value)))

    def _validate_type_asset(self, value):
        return isinstance(value, str)


# Cerberus re-validates a schema definition for every nested value it checks: most of the time `check` took.
# The definitions are our shipped files; tests/test_schema.py validates each one with the original method.
VALIDATE_DEFINITION = cerberus_schema.DefinitionSchema.validate
cerberus_schema.DefinitionSchema.validate = lambda self, schema=None: None


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The schema of one data file; the shared rule sets of common.yaml are registered first."""
    if "text" not in rules_set_registry.all():
        common = read_shipped_yaml(SCHEMA_DIR / "common.yaml")
        rules_set_registry.extend(common.items())
    return with_rule_sets(read_shipped_yaml(SCHEMA_DIR / f"{name}.yaml"), rules_set_registry.all())


def with_rule_sets(node, rule_sets: dict):
    """`{ruleset: NAME, meta: …}` (a shared rule set with a field's own description) as the rules it stands for."""
    if isinstance(node, list):
        return [with_rule_sets(item, rule_sets) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("ruleset"), str):
        node = {**rule_sets[node["ruleset"]], **{k: v for k, v in node.items() if k != "ruleset"}}
    return {key: with_rule_sets(value, rule_sets) for key, value in node.items()}


def validate_schema(source: Source) -> list[Problem]:
    """Every way `source` departs from its schema, as problems at the offending key or value."""
    schema = load_schema(source.name)
    validator = DataValidator(schema, allow_unknown=False)
    validator.validate(source.data, normalize=False)  # nothing is retyped or defaulted: facts.py fills gaps
    return [_problem(source, error, schema) for error in _leaves(validator._errors)]


def _leaves(errors):
    for error in errors:
        if error.is_group_error:
            yield from _leaves(error.child_errors)
        else:
            yield error


SHOWN_CHARS = 80


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a value of thousands of characters is not echoed whole into the error line
        if len(value) > SHOWN_CHARS:
            return f"{value[:SHOWN_CHARS // 2]!r}… ({len(value):,} characters)"
        return repr(value)
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def _problem(source: Source, error, schema) -> Problem:
    path = tuple(error.document_path)
    code = error.code
    rule_value = error.constraint
    if code == cerr.UNKNOWN_FIELD.code:
        known = _known_keys(schema, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else (
            f"; known keys: {', '.join(sorted(known))}" if known else "")
        return source.problem(path, f"unknown key '{path[-1]}'{hint}", key=True)
    if code == cerr.REQUIRED_FIELD.code:
        return source.problem(path, "is required")
    if code == cerr.NOT_NULLABLE.code:
        return source.problem(path, "has no value")
    if code == cerr.BAD_TYPE.code:
        kinds = rule_value if isinstance(rule_value, list) else [rule_value]
        if "date" in kinds and _DATE.match(str(error.value)):
            if not FIRST_YEAR <= int(str(error.value)[:4]) <= LAST_YEAR:
                return source.problem(path, f"{_show(error.value)} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
            return source.problem(path, f"{_show(error.value)} is not a valid date")
        if "datetime" in kinds and re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\Z", str(error.value)):
            if not FIRST_YEAR <= int(str(error.value)[:4]) <= LAST_YEAR:
                return source.problem(path, f"{_show(error.value)} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
            return source.problem(path, f"{_show(error.value)} is not a valid time (no such day, hour or minute)")
        if "number" in kinds and isinstance(error.value, str) and error.value.lower().lstrip("+-") in (
                "nan", ".nan", "inf", ".inf", "infinity"):
            return source.problem(path, f"{_show(error.value)} is not a number (NaN and infinity are refused)")
        digits = error.value.lstrip("-") if isinstance(error.value, str) else ""
        if ("integer" in kinds and digits.isdigit() and len(digits) > 1 and digits.startswith("0")
                and not error.value.startswith("-")):
            return source.problem(path, f"{_show(error.value)} is not a whole number: write {int(digits)}, without "
                                  "leading zeros or quotes")
        if "integer" in kinds and digits.isdigit() and len(digits) > MAX_INT_DIGITS:  # the loader keeps it as text
            shown = _show(error.value) if len(digits) <= SHOWN_CHARS else f"a number of {len(digits):,} digits"
            return source.problem(path, f"{shown} is too large a number (at most {MAX_INT_DIGITS} digits)")
        expected = " or ".join(_TYPE_NAMES.get(kind, kind) for kind in kinds)
        # `id: 2027` is read as a number: the fix is the quotes, which the bare "is not text" did not say
        quote = (f"; quote it: \"{error.value}\"" if expected == "text" and isinstance(error.value, (int, float))
                 and not isinstance(error.value, bool) and path and path[-1] in _QUOTED_KEYS else "")
        return source.problem(path, f"{_show(error.value)} is not {expected}{quote}")
    if code == cerr.UNALLOWED_VALUE.code:
        return source.problem(path, f"{_show(error.value)} is not one of {', '.join(map(str, rule_value))}")
    if code == cerr.REGEX_MISMATCH.code:
        hint = _REGEX_HINTS.get(rule_value, f"does not match {rule_value}")
        if path and path[-1] == error.value and path in source.key_positions:  # a key of `people`
            return source.problem(path, f"the key {_show(error.value)} {hint}", key=True)
        return source.problem(path, f"{_show(error.value)} {hint}")
    if code == cerr.EMPTY_NOT_ALLOWED.code:
        return source.problem(path, "may not be empty")
    if code == cerr.MIN_VALUE.code:
        return source.problem(path, f"{_show(error.value)} is less than {rule_value}{_why(schema, path)}")
    if code == cerr.MAX_VALUE.code:
        return source.problem(path, f"{_show(error.value)} is more than {rule_value}")
    if code == cerr.MAX_LENGTH.code:
        return source.problem(path, f"{_show(error.value)} is {len(error.value)} characters; the limit is {rule_value}")
    return source.problem(path, f"{_show(error.value)}: {error.rule} {rule_value}")


def _rules_at(schema, path) -> dict:
    """The rule set that governs the value at `path`."""
    node = {"type": "dict", "schema": schema}
    for part in path:
        if isinstance(node, str):
            node = rules_set_registry.get(node)
        if isinstance(part, int):
            node = node.get("schema", {})
        elif "valuesrules" in node:
            node = node["valuesrules"]
        else:
            node = node.get("schema", {}).get(part, {})
    return rules_set_registry.get(node) if isinstance(node, str) else node


def _known_keys(schema, path) -> list[str]:
    """The keys the schema allows at `path`, for a did-you-mean hint."""
    inner = _rules_at(schema, path).get("schema", {})
    return [key for key in inner] if isinstance(inner, dict) and "type" not in inner else []


def _why(schema, path) -> str:
    """The reason a schema gives for a bound (`meta: {why: …}`), as the end of its message."""
    meta = _rules_at(schema, path).get("meta") or {}
    return f": {' '.join(str(meta['why']).split())}" if "why" in meta else ""


def governed_values(source: Source):
    """(path, value, rules, in_list) for every value of a source with the schema rules that govern it, a container
    before what it holds; `in_list` when the value is an item of a list."""
    def rules(node):
        return rules_set_registry.get(node) if isinstance(node, str) else node

    def walk(value, node, path, in_list):
        node = rules(node)
        yield path, value, node, in_list
        if isinstance(value, dict):
            for key, item in value.items():
                if "schema" in node and key in node["schema"]:
                    yield from walk(item, node["schema"][key], path + (key,), False)
                elif "valuesrules" in node:
                    yield from walk(item, node["valuesrules"], path + (key,), False)
        elif isinstance(value, list) and node.get("type") == "list" and isinstance(rules(node.get("schema")), dict):
            for index, item in enumerate(value):
                yield from walk(item, node["schema"], path + (index,), True)

    yield from walk(source.data, {"type": "dict", "schema": load_schema(source.name)}, (), False)


def values_of_type(source: Source, kind: str):
    """(path, value) for every value whose schema type is `kind`, e.g. every Markdown field."""
    return ((path, value) for path, value, node, _ in governed_values(source) if node.get("type") == kind)
