"""Free text: the characters refused in any value, and Markdown images refused (SPEC §3)."""
from __future__ import annotations

import re
import unicodedata

from .errors import Problem
from .schema import governed_values
from .sources import Source

# Bidirectional overrides and isolates, zero-width characters and the byte-order mark inside text; the Hangul
# fillers, invisible operators and the like, which print as nothing and make a text look blank or other than it is.
HIDDEN = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
           0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,
           0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064}
# Every character check_characters may refuse (the C0 and C1 controls but newline, and HIDDEN): a quick test.
_SUSPECT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + "".join(map(chr, sorted(HIDDEN))) + "]")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\s*[(\[]")


def char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def how_it_differs(given: str, known: str) -> str | None:
    """What tells `given` from `known` when a reader cannot see it, or None when they differ plainly: the same
    text in another Unicode form (an accent composed or decomposed), or a few characters that look alike (a
    no-break space, a Cyrillic а)."""
    if given == known:
        return None
    if unicodedata.normalize("NFC", given) == unicodedata.normalize("NFC", known):
        return "the same letters in another Unicode form (an accent made of two characters, or of one); retype it"
    if len(given) == len(known):
        apart = [i for i, (a, b) in enumerate(zip(given, known)) if a != b]
        if len(apart) <= 2 and all(_look_alike(given[i], known[i]) for i in apart):
            i = apart[0]
            return f"character {i + 1} is {char_name(given[i])} where it has {char_name(known[i])}"
    return None


def _look_alike(a: str, b: str) -> bool:
    """Two characters a reader takes for one: two spaces, a full-width or compatibility form and its plain one, or
    the same letter of two scripts (CYRILLIC SMALL LETTER A, LATIN SMALL LETTER A). 测验 is no 测试."""
    if a.isspace() and b.isspace() or unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b):
        return True
    name_a, name_b = unicodedata.name(a, ""), unicodedata.name(b, "")
    return " " in name_a and name_a.split(" ", 1)[1] == name_b.split(" ", 1)[-1]


def walk_strings(value, path=()):
    """Every string in a data value, with its path (keys are checked by the schema)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, path + (index,))


def check_characters(source: Source) -> list[Problem]:
    """Control characters, bidirectional controls and zero-width characters hide what a signer reads."""
    problems = []
    for path, value in walk_strings(source.data):
        if not _SUSPECT.search(value):
            continue
        for char in sorted(set(value), key=value.index):
            code = ord(char)
            if code in HIDDEN:
                problems.append(source.problem(path, f"invisible character {char_name(char)} is not allowed "
                                               "(it hides or reorders what a signer reads)"))
            elif unicodedata.category(char) == "Cc" and char != "\n":
                problems.append(source.problem(path, f"control character U+{code:04X} is not allowed"))
    return problems


def check_markdown(source: Source, path: tuple, value) -> list[Problem]:
    """No image in a Markdown value (a number typed as the value is text with no image: `symptom: 7`)."""
    if _IMAGE.search(str(value)):
        return [source.problem(path, "Markdown images are not allowed; put images in assets/ fields")]
    return []


def check_blank(source: Source) -> list[Problem]:
    """A required text that is empty or only spaces (a full-width space too) would print as nothing: a signature
    block with no name. Only fields the schema requires: an optional one is simply left out."""
    return [source.problem(path, message) for path, value, message in _required_texts(source)
            if isinstance(value, str) and not value.strip()]


def _required_texts(source: Source):
    """(path, value, message) of every required text or Markdown value, and of every item of a list of texts."""
    for path, value, node, in_list in governed_values(source):
        if node.get("type") not in ("text", "markdown"):
            continue
        if in_list:  # a list of texts: every item of it must say something
            yield path, value, "is blank: write the text or leave the item out"
        elif node.get("required"):
            yield path, value, "is blank: write the text, it is required"
