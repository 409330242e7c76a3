"""Free text: the characters refused in any value, and Markdown rendered without smuggled markup (SPEC §3)."""
from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .errors import Problem
from .sources import Source

# Bidirectional overrides and isolates, zero-width characters and the byte-order mark inside text.
_HIDDEN = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
           0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
_IMAGE = re.compile(r"!\[[^\]\n]*\]\s*[(\[]")
_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


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
        for char in sorted(set(value), key=value.index):
            code = ord(char)
            if code in _HIDDEN:
                problems.append(source.problem(path, f"invisible character {char_name(char)} is not allowed "
                                               "(it hides or reorders what a signer reads)"))
            elif unicodedata.category(char) == "Cc" and char != "\n":
                problems.append(source.problem(path, f"control character U+{code:04X} is not allowed"))
    return problems


def check_markdown(source: Source, path: tuple, value: str) -> list[Problem]:
    if _IMAGE.search(value):
        return [source.problem(path, "Markdown images are not allowed; put images in assets/ fields")]
    return []


class _LinkGuard(Treeprocessor):
    """Keeps links to http, https and mailto; any other link is printed as its text and its URL."""

    def run(self, root):
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "a":
                    href = child.get("href", "")
                    if not href.lower().startswith(_SAFE_SCHEMES):
                        span = etree.Element("span")
                        span.text = "".join(child.itertext()) + f" ({href})"
                        span.tail = child.tail
                        parent.remove(child)
                        parent.insert(index, span)
                elif child.tag == "img":  # refused by validation; printed literally if it ever gets here
                    span = etree.Element("span")
                    span.text = f"![{child.get('alt', '')}]({child.get('src', '')})"
                    span.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, span)


class _Literal(markdown.Extension):
    """Raw HTML and entities are text: the parts of Python-Markdown that pass them through are removed."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.treeprocessors.register(_LinkGuard(md), "link_guard", 0)


_MARKDOWN = markdown.Markdown(extensions=[_Literal()], output_format="html")
# Python-Markdown's serializer keeps anything shaped like an entity (`&#x202E;` would print a bidi override),
# so every `&` travels through it as a control character, which validation has refused in the data.
_AMPERSAND = "\x01"


def render_markdown(value) -> Markup:
    """Markdown to safe HTML; every `<` and `&` the user typed is printed as typed."""
    if value is None:
        return Markup("")
    _MARKDOWN.reset()
    html = _MARKDOWN.convert(str(value).replace("&", _AMPERSAND))
    return Markup(html.replace(_AMPERSAND, "&amp;"))
