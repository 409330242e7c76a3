"""Reading the data files: a strict YAML loader that keeps line:col for every key and value (SPEC §3)."""
from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.events import (AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent,
                         MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent,
                         StreamEndEvent, StreamStartEvent)

from .errors import Problem
from .paths import NotRegularFile, open_regular

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 20_000
MAX_TEXT = 20_000
MAX_INT_DIGITS = 18

# The data files, in the order they are read; `required` ones must exist.
DATA_FILES = (
    ("project", True),
    ("criteria", True),
    ("meetings", False),
    ("results", True),
    ("issues", False),
    ("report", True),
    ("delivery", False),
    ("service", False),
    ("faults", False),
    ("visits", False),
)

_INT = re.compile(r"-?(0|[1-9][0-9]*)")
# Characters PyYAML refuses to read at all; found first so that each gets its own line:col.
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# What YAML 1.1 (PyYAML) reads as the end of a line though editors, grep and diff show none: NEL, LINE SEPARATOR,
# PARAGRAPH SEPARATOR (a text pasted from a web page or a word processor). Taken as line breaks, they moved every
# error after them down a line, and text after one in a comment was read as data.
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
_HIDDEN_NAMES = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}

# libyaml's parser when PyYAML has it (about ten times faster); both give the same events and marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple  # a path into the data: ("issues", 3, "due")


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Source:
    """One data file as read: its display name, its data and where each value and key stands."""

    name: str
    path: Path
    display: str
    data: dict
    raw: bytes
    positions: dict = field(default_factory=dict)      # path -> (line, col) of the value
    key_positions: dict = field(default_factory=dict)  # path -> (line, col) of the key

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The position of a value (or its key); the nearest enclosing value when it is absent."""
        table = self.key_positions if key else self.positions
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: Path_, message: str, severity: str = "error", key: bool = False) -> Problem:
        line, col = self.where(path, key)
        return Problem(self.display, line, col, format_path(path), message, severity)


class _Abort(Exception):
    """Stops reading a file after a problem that makes the rest meaningless."""


def display_path(path: Path) -> str:
    """A data file as the user named it: relative when --data was relative, absolute when it was absolute."""
    return str(path)


def load_sources(data_dir: Path) -> tuple[dict[str, Source], list[Problem]]:
    """Read every data file of `data_dir`; return the sources read and every problem found."""
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    if not data_dir.is_dir():
        try:
            data_dir.stat()
            message = "the data folder is not a folder"
        except FileNotFoundError:
            message = "the data folder does not exist"
        except OSError as exc:  # a symbolic-link loop, a folder that cannot be read
            message = f"the data folder cannot be read ({exc.strerror or exc})"
        problems.append(Problem(display_path(data_dir), 1, 1, "", message))
        return sources, problems
    for name, required in DATA_FILES:
        path = data_dir / f"{name}.yaml"
        for candidate in (path, data_dir / f"{name}.yml"):
            if candidate.is_symlink():  # followed, it would read a file elsewhere; dangling, hide an optional one
                problems.append(Problem(display_path(candidate), 1, 1, "",
                                        "is a symbolic link; put the file itself in the data folder"))
        if path.is_symlink():
            continue
        if not os.path.lexists(path):
            if os.path.lexists(data_dir / f"{name}.yml"):
                problems.append(Problem(display_path(data_dir / f"{name}.yml"), 1, 1, "",
                                        f"name the file {name}.yaml (with .yaml, not .yml)"))
            elif required:
                problems.append(Problem(display_path(path), 1, 1, "", "the file is missing"))
            continue
        if os.path.lexists(data_dir / f"{name}.yml"):  # an edit there would change nothing, silently
            problems.append(Problem(display_path(data_dir / f"{name}.yml"), 1, 1, "",
                                    f"beside {name}.yaml, which is the file read: merge it into {name}.yaml and remove it"))
        source, found = load_source(name, path)
        problems.extend(found)
        if source is not None:
            sources[name] = source
    return sources, problems


# What PyYAML was scanning when the file ended: a quote or a bracket left open
_UNCLOSED = {"while scanning a quoted scalar": "the quoted text", "while parsing a flow mapping": "the { … }",
             "while parsing a flow sequence": "the [ … ]"}


def load_source(name: str, path: Path) -> tuple[Source | None, list[Problem]]:
    """Read one YAML file strictly; `None` when it cannot be read at all."""
    display = display_path(path)

    def whole(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(display, 1, 1, "", message)]

    try:
        stream = open_regular(path)  # only a regular file is data: no link followed, no pipe waited on
    except NotRegularFile:
        return whole("is not a regular file")
    except OSError as exc:
        return whole("is a symbolic link; put the file itself in the data folder" if exc.errno == errno.ELOOP
                     else f"cannot be read ({exc.strerror or exc})")
    with stream:
        info = os.fstat(stream.fileno())
        if info.st_size > MAX_FILE_BYTES:
            return whole(f"the file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} (8 MiB)")
        try:
            raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return whole(f"cannot be read ({exc.strerror or exc})")
    if len(raw) > MAX_FILE_BYTES:
        return whole(f"the file is more than {MAX_FILE_BYTES:,} bytes (8 MiB), the limit")
    data_bytes = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if data_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        return whole("the file is UTF-16; save it as UTF-8")
    head = data_bytes[:4096]
    if len(head) >= 2 and head.count(0) * 3 >= len(head):  # a NUL in every other byte: UTF-16 with no BOM
        return whole("the file looks like UTF-16 or UTF-32 (every other byte is zero); save it as UTF-8")
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data_bytes[:exc.start].count(b"\n") + 1
        col = exc.start - (data_bytes.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(display, line, col, "",
                              f"the file is not UTF-8 (byte 0x{data_bytes[exc.start]:02x}); save it as UTF-8")]
    if not text.strip():
        return whole("the file is empty")

    problems = []
    for match in _UNREADABLE.finditer(text):
        line, col = _line_col(text, match.start())
        problems.append(Problem(display, line, col, "",
                                f"control character U+{ord(match.group()):04X} is not allowed"))
    for match in _HIDDEN_BREAKS.finditer(text):
        line, col = _line_col(text, match.start())
        point = ord(match.group())
        problems.append(Problem(display, line, col, "",
                                f"U+{point:04X} {_HIDDEN_NAMES[match.group()]} is a line break to YAML where an "
                                "editor shows none; start a new line instead"))
    for number, line_text in enumerate(text.split("\n"), 1):
        indent = line_text[:len(line_text) - len(line_text.lstrip(" \t"))]
        if "\t" in indent:
            problems.append(Problem(display, number, indent.index("\t") + 1, "",
                                    "a tab in indentation; indent with spaces"))
    if problems:
        return None, problems

    source = Source(name, path, display, {}, raw)
    reader = _Reader(source, text)
    try:
        source.data = reader.read()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem])) or "syntax error"
        unclosed = _UNCLOSED.get(exc.context or "")
        if "maximum nesting depth" in message:  # libyaml stops at 1,000 levels, before we see the 33rd
            message = f"nesting deeper than {MAX_DEPTH} levels"
        elif unclosed and exc.context_mark and exc.problem_mark and exc.problem_mark.index >= len(text.rstrip()):
            # the error is where it was opened, not past the file's last line where the scanner gave up
            mark, message = exc.context_mark, f"YAML syntax error: {unclosed} opened here is never closed"
        else:
            message = f"YAML syntax error: {message}"
        reader.problems.append(Problem(display, mark.line + 1, mark.column + 1, "", message))
    except _Abort:
        pass
    if reader.problems:
        return None, reader.problems
    return source, []


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _Reader:
    """Builds plain Python values from PyYAML's events, refusing what SPEC §3 refuses."""

    def __init__(self, source: Source, text: str):
        self.source = source
        self.problems: list[Problem] = []
        self.loader = _Loader(text)

    def fail(self, mark, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.source.display, mark.line + 1, mark.column + 1,
                                     format_path(path), message))

    def read(self) -> dict:
        loader = self.loader
        try:
            assert isinstance(loader.get_event(), StreamStartEvent)
            if loader.check_event(StreamEndEvent):
                self.problems.append(Problem(self.source.display, 1, 1, "", "the file is empty"))
                raise _Abort
            start = loader.get_event()
            assert isinstance(start, DocumentStartEvent)
            if loader.check_event(ScalarEvent, SequenceStartEvent, AliasEvent):
                event = loader.peek_event()
                self.fail(event.start_mark, (), "the top level must be a mapping of keys to values")
                raise _Abort
            data = self.node((), 1)
            loader.get_event()  # DocumentEndEvent
            if not loader.check_event(StreamEndEvent):
                event = loader.peek_event()
                self.fail(event.start_mark, (), "several YAML documents in one file; keep one")
            return data
        finally:
            loader.dispose()

    def node(self, path: Path_, depth: int):
        event = self.loader.get_event()
        if isinstance(event, AliasEvent):
            self.fail(event.start_mark, path, f"alias *{event.anchor} is not allowed; write the value out")
            return None
        if depth > MAX_DEPTH:
            self.fail(event.start_mark, path, f"nesting deeper than {MAX_DEPTH} levels")
            raise _Abort
        if event.anchor is not None:
            self.fail(event.start_mark, path, f"anchor &{event.anchor} is not allowed; write the value out")
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self.fail(event.start_mark, path, f"tag {tag} is not allowed; write the plain value")
        self.source.positions[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, ScalarEvent):
            value = scalar_value(event)
            if isinstance(value, str) and len(value) > MAX_TEXT:
                self.fail(event.start_mark, path,
                          f"the text is {len(value):,} characters long; the limit is {MAX_TEXT:,}")
            return value
        if isinstance(event, SequenceStartEvent):
            items = []
            while not self.loader.check_event(SequenceEndEvent):
                if len(items) == MAX_ITEMS:
                    self.fail(event.start_mark, path, f"a list of more than {MAX_ITEMS:,} items")
                    raise _Abort
                items.append(self.node(path + (len(items),), depth + 1))
            self.loader.get_event()
            return items
        if isinstance(event, MappingStartEvent):
            mapping: dict = {}
            while not self.loader.check_event(MappingEndEvent):
                key_event = self.loader.peek_event()
                if not isinstance(key_event, ScalarEvent):
                    self.fail(key_event.start_mark, path, "a key must be a plain string")
                    raise _Abort
                self.loader.get_event()
                key = scalar_value(key_event)
                if key_event.anchor is not None or key_event.tag is not None:
                    self.fail(key_event.start_mark, path, "anchors and tags are not allowed on keys")
                if key == "<<" and not key_event.style:
                    self.fail(key_event.start_mark, path + ("<<",), "merge keys (<<) are not allowed; write the values out")
                elif not isinstance(key, str):
                    self.fail(key_event.start_mark, path, f"the key {key_event.value!r} is not a string; quote it")
                    key = key_event.value
                elif key in mapping:
                    line, col = self.source.key_positions[path + (key,)]
                    self.fail(key_event.start_mark, path + (key,),
                              f"duplicate key '{key}' (first at line {line}, column {col})")
                    self.node(path + ("<duplicate>",), depth + 1)
                    continue
                self.source.key_positions[path + (key,)] = (key_event.start_mark.line + 1,
                                                            key_event.start_mark.column + 1)
                mapping[key] = self.node(path + (key,), depth + 1)
            self.loader.get_event()
            return mapping
        raise AssertionError(f"unexpected YAML event {event}")


def scalar_value(event: ScalarEvent):
    """Plain scalars become null, true/false or integers only when written exactly so; all else is text."""
    if event.style:  # quoted or block: always text (libyaml gives '' for plain, PyYAML None)
        return event.value
    value = event.value
    if value in ("", "~", "null"):
        return None
    if value == "true":
        return True
    if value == "false":
        return False
    if _INT.fullmatch(value):
        # Longer integers stay text as written (a version, a measurement): Python refuses to convert more than
        # 4,300 digits, and no count or quantity of the data is that large. A whole-number field says so.
        return int(value) if len(value.lstrip("-")) <= MAX_INT_DIGITS else value
    return value


def read_project_yaml(path: Path) -> dict:
    """One of Signoff's own YAML files (labels, theme), read as strictly as the data: `no` stays 'no'."""
    source, problems = load_source(path.stem, path)
    if problems:
        raise ValueError("\n".join(p.format() for p in problems))
    return source.data


def read_shipped_yaml(path: Path):
    """One of Signoff's schema files, with YAML's own types (Cerberus rules need `true`), by libyaml."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
