"""The strict YAML loader: nothing retyped, every refused construct reported at its line:col."""
from pathlib import Path

import pytest

from signoff.sources import MAX_DEPTH, load_source


def load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "project.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    source, problems = load_source("project", path)
    return source, [f"{p.line}:{p.col}: {p.path}: {p.message}"
                    for p in problems]


def test_plain_scalars_stay_as_typed(tmp_path):
    source, problems = load(tmp_path, "a: NO\nb: 1.10\nc: 010\nd: 09:30\ne: +8613900001111\nf: yes\n"
                                      "g: 12\nh: true\ni: ~\nj: Null\nk: '12'\nl: 2026-11-03\n")
    assert problems == []
    assert source.data == {"a": "NO", "b": "1.10", "c": "010", "d": "09:30", "e": "+8613900001111", "f": "yes",
                           "g": 12, "h": True, "i": None, "j": "Null", "k": "12", "l": "2026-11-03"}


def test_positions_of_values_and_keys(tmp_path):
    source, _ = load(tmp_path, "people:\n  lina: {name: 李娜, party: x}\n")
    assert source.positions[("people", "lina", "party")] == (2, 27)
    assert source.key_positions[("people", "lina")] == (2, 3)


@pytest.mark.parametrize("text, expected", [
    ("a: 1\na: 2\n", "2:1: a: duplicate key 'a' (first at line 1, column 1)"),
    ("a:\n  b:\n    c: 1\n    c: 2\n", "4:5: a.b.c: duplicate key 'c' (first at line 3, column 5)"),
    ("a: &x 1\n", "1:4: a: anchor &x is not allowed; write the value out"),
    ("a: 1\nb: *x\n", None),
    ("a: !!python/object:os.system x\n", "1:4: a: tag !!python/object:os.system is not allowed; write the plain value"),
    ("<<: {a: 1}\n", "1:1: <<: merge keys (<<) are not allowed; write the values out"),
    ("a:\n\tb: 1\n", "2:1: : a tab in indentation; indent with spaces"),
    ("- 1\n- 2\n", "1:1: : the top level must be a mapping of keys to values"),
    ("a: 1\n---\nb: 2\n", "2:1: : several YAML documents in one file; keep one"),
    ("", "1:1: : the file is empty"),
    ("# only a comment\n", "1:1: : the file is empty"),
    ("? [1, 2]\n: x\n", "1:3: : a key must be a plain string"),
    ("1: x\n", "1:1: : the key '1' is not a string; quote it"),
    ("a: [1, 2\n", None),
    ("a: b\x07c\n", "1:5: : control character U+0007 is not allowed"),
])
def test_refused(tmp_path, text, expected):
    source, problems = load(tmp_path, text)
    assert source is None
    if expected is None:
        assert len(problems) == 1
    else:
        assert problems == [expected]


def test_alias_is_refused_at_its_place(tmp_path):
    _, problems = load(tmp_path, "a: &x 1\nb: *x\n")
    assert problems == ["1:4: a: anchor &x is not allowed; write the value out",
                        "2:4: b: alias *x is not allowed; write the value out"]


def test_syntax_error_has_position(tmp_path):
    _, problems = load(tmp_path, "a: [1, 2\nb: 3\n")
    assert problems[0].startswith("2:2: : YAML syntax error")


@pytest.mark.parametrize("text, expected", [
    ('a: 1\nb: "open\nc: 2\n', '2:4: : YAML syntax error: the quoted text opened here is never closed'),
    ("a: {b: 1\n", "1:4: : YAML syntax error: the { … } opened here is never closed"),
    ("a: [1, 2\n\n", "1:4: : YAML syntax error: the [ … ] opened here is never closed"),
])
def test_what_is_left_open_at_the_end_is_reported_where_it_opens(tmp_path, text, expected):
    """An unclosed quote was reported past the file's last line (report.yaml:4:1 for a 3-line file)."""
    _, problems = load(tmp_path, text)
    assert problems == [expected]


def test_encodings(tmp_path):
    source, problems = load(tmp_path, b"\xef\xbb\xbfa: 1\n")
    assert problems == [] and source.data == {"a": 1}
    _, problems = load(tmp_path, "a: 1\n".encode("utf-16"))
    assert problems == ["1:1: : the file is UTF-16; save it as UTF-8"]
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le"):  # no byte order mark: was 723 "control character" lines
        _, problems = load(tmp_path, "project:\n  code: X-1\n".encode(encoding))
        assert problems == ["1:1: : the file looks like UTF-16 or UTF-32 (every other byte is zero); save it as UTF-8"]
    _, problems = load(tmp_path, b"a: 1\x00\nb: 2\n")  # one NUL in UTF-8 text is still named where it is
    assert problems == ["1:5: : control character U+0000 is not allowed"]
    _, problems = load(tmp_path, "a: caf\xe9\n".encode("latin-1"))
    assert problems == ["1:7: : the file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_limits(tmp_path):
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    _, problems = load(tmp_path, deep)
    assert problems == [f"1:{3 + MAX_DEPTH}: {'a' + '[0]' * (MAX_DEPTH - 1)}: nesting deeper than 32 levels"]
    _, problems = load(tmp_path, "a: [" + ", ".join(["1"] * 20001) + "]\n")
    assert problems == ["1:4: a: a list of more than 20,000 items"]
    _, problems = load(tmp_path, "a: " + "x" * 20001 + "\n")
    assert problems == ["1:4: a: the text is 20,001 characters long; the limit is 20,000"]
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (8 * 1024 * 1024) + b"\n")
    _, problems = load_source("project", big)
    assert [p.message for p in problems] == ["the file is 8,388,612 bytes; the limit is 8,388,608 (8 MiB)"]


def test_a_yml_file_beside_its_yaml_is_an_error_and_alone_is_named(data_copy):
    """report.yml beside report.yaml was silently ignored, and bundled (found by an attacker): an edit there
    changed nothing. Alone, it is named for what it should be called."""
    from signoff.errors import DataError
    from signoff.validation import check_data

    folder = data_copy("pass-en")
    (folder / "report.yml").write_bytes((folder / "report.yaml").read_bytes())
    with pytest.raises(DataError) as both:
        check_data(folder)
    assert [p.format() for p in both.value.problems] == [
        f"{folder}/report.yml:1:1: error: beside report.yaml, which is the file read: merge it into report.yaml and "
        "remove it"]
    (folder / "report.yaml").unlink()
    with pytest.raises(DataError) as alone:
        check_data(folder)
    assert [p.format() for p in alone.value.problems] == [
        f"{folder}/report.yml:1:1: error: name the file report.yaml (with .yaml, not .yml)"]


@pytest.mark.parametrize("char, name", [("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"),
                                        ("\x85", "NEXT LINE")])
def test_a_line_break_only_yaml_sees_is_an_error_where_an_editor_shows_it(tmp_path, char, name):
    """YAML 1.1 ends a line at NEL, LS and PS; editors and grep do not: after one in a comment every error was a
    line off, and the comment's rest was read as data ("the top level must be a mapping")."""
    text = f"# pasted{char}notes: more of the comment\na: 1\nb: \"x{char}y\"\n"
    source, problems = load(tmp_path, text)
    message = f"U+{ord(char):04X} {name} is a line break to YAML where an editor shows none; start a new line instead"
    assert (source, problems) == (None, [f"1:9: : {message}", f"3:6: : {message}"])
