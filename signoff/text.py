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


MAX_NESTING = 8


class _DepthGuard(Treeprocessor):
    """Markup nested deeper than MAX_NESTING (`- - - - x`, `**…**`) is printed as its plain text: WeasyPrint
    recurses once per nested box and 300 levels overflowed its stack."""

    def run(self, root):
        self.flatten(root, 0)

    def flatten(self, parent, depth):
        for index, child in enumerate(list(parent)):
            if depth >= MAX_NESTING:
                span = etree.Element("span")
                span.text = " ".join(part for part in child.itertext() if part.strip())
                span.tail = child.tail
                parent.remove(child)
                parent.insert(index, span)
            else:
                self.flatten(child, depth + 1)


class _Literal(markdown.Extension):
    """Raw HTML and entities are text: the parts of Python-Markdown that pass them through are removed."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.treeprocessors.register(_LinkGuard(md), "link_guard", 0)
        md.treeprocessors.register(_DepthGuard(md), "depth_guard", -1)  # after the link guard


_MARKDOWN = markdown.Markdown(extensions=[_Literal()], output_format="html")
# Python-Markdown's serializer keeps anything shaped like an entity (`&#x202E;` would print a bidi override),
# so every `&` travels through it as a control character, which validation has refused in the data.
_AMPERSAND = "\x01"


# Python-Markdown scans to the end of the text for every `[` (and every `(` after a `]`): 20,000 brackets
# took minutes. Only a few well-formed, shallow pairs may form links; every other bracket travels through it
# as a control character, like `&`, and is printed as typed.
_OPEN, _CLOSE = "\x0e", "\x0f"  # not \x02 and \x03: Python-Markdown uses those itself
MAX_LINKS = 50
MAX_LINK_DEPTH = 2


def _tame_brackets(text: str) -> str:
    if "[" not in text:
        return text
    chars = list(text)
    stack: list[int] = []
    pairs: list[tuple[int, int, int]] = []  # (open index, close index, depth)
    for index, char in enumerate(chars):
        if char == "[":
            stack.append(index)
        elif char == "]" and stack:
            pairs.append((stack.pop(), index, len(stack)))
    live = 0
    for start, end, depth in sorted(pairs):
        if depth < MAX_LINK_DEPTH and live < MAX_LINKS:
            live += 1
        else:
            chars[start], chars[end] = _OPEN, _CLOSE
    for start in stack:  # never closed
        chars[start] = _OPEN
    return "".join(chars)


# WeasyPrint recurses once per nested box: 300 nested quotes (`> > > …`) overflowed its stack. Quote markers
# beyond the fifth level travel through Markdown as a control character and are printed as typed.
MAX_QUOTE_DEPTH = 5
_GT = "\x10"
_QUOTE_MARKERS = re.compile(r"^(?:[ ]{0,3}>[ ]?)+", re.M)


def _tame_quotes(text: str) -> str:
    def cut(match):
        prefix = match.group()
        markers = [index for index, char in enumerate(prefix) if char == ">"]
        if len(markers) <= MAX_QUOTE_DEPTH:
            return prefix
        keep = markers[MAX_QUOTE_DEPTH]
        return prefix[:keep] + prefix[keep:].replace(">", _GT)
    return _QUOTE_MARKERS.sub(cut, text)


def render_markdown(value) -> Markup:
    """Markdown to safe HTML; every `<` and `&` the user typed is printed as typed."""
    if value is None:
        return Markup("")
    _MARKDOWN.reset()
    html = _MARKDOWN.convert(_tame_quotes(_tame_brackets(str(value).replace("&", _AMPERSAND))))
    return Markup(html.replace(_AMPERSAND, "&amp;").replace(_OPEN, "[").replace(_CLOSE, "]").replace(_GT, "&gt;"))
