"""Markdown to safe HTML: raw HTML printed as typed, links guarded, nesting capped, CJK lines joined (SPEC §3)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

_SAFE_SCHEMES = ("http:", "https:", "mailto:")


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


# Lists as the pull request shows them (GitHub's CommonMark), where Python-Markdown alone reads them otherwise:
# - a list right under a line of text, or a list of the other kind right under a list, starts there (Python-Markdown
#   wants a blank line before it, and ran `包括：- 一 - 二` into one paragraph): _ListStarts puts one in;
# - a sub-list is nested however far it is indented past its parent, two spaces or four (Python-Markdown wants
#   four, and flattened a two-space one into its parent, renumbered): _ListStarts indents each level by four; a
#   list indented one to three spaces is a list, four spaces outside a list are code, as before;
# - an ordered list keeps its first number (`3. 4.` printed 1. 2.), and a bullet list after an ordered one is a
#   list of its own (it was that list's next item): the `sane_lists` extension.
# As on GitHub, an ordered list starts under text only from 1 (`…共\n2. 项` stays a sentence).
_LIST_ITEM = re.compile(r"^( *)(?:([-*+])|(\d{1,9})[.)])[ \t]+\S")


class _ListStarts(Preprocessor):
    """A blank line before a list that follows a line of text or a list of the other kind; each level of a list
    indented four spaces past the one above it."""

    def run(self, lines):
        out = []
        before = ""  # what the previous lines are: "" blank, "text", "ul" or "ol" (a list's lines)
        indents: list[int] = []  # the indentation of each level of the list the lines are in, as typed
        for line in lines:
            item = _LIST_ITEM.match(line)
            if item and (indents or len(item[1]) <= 3):
                indent = len(item[1])
                while indents and indent < indents[-1]:
                    indents.pop()
                if not indents or indent > indents[-1]:
                    indents.append(indent)
                if len(indents) == 1:  # a top-level item
                    kind = "ul" if item[2] else "ol"
                    starts = kind == "ul" or int(item[3]) == 1
                    if before == "text" and not starts:  # a number that ends a sentence's line
                        indents.clear()
                        out.append(line)
                        continue
                    if before == "text" or before in ("ul", "ol") and before != kind:
                        out.append("")
                    before = kind
                line = " " * (4 * (len(indents) - 1)) + line[indent:]
            elif not line.strip():
                before = ""
            elif before == "" and not line.startswith(" "):  # text at the margin after a blank line: the list ended
                indents.clear()
                before = "text"
            elif before not in ("ul", "ol"):  # an item's own further lines keep the list going
                before = "text"
            out.append(line)
        return out


# Seven or more `#` make no heading on GitHub (CommonMark allows six): Python-Markdown printed `####### x` as a
# heading "# x" and twenty `#` as nothing at all. The first one is escaped, so the line prints as typed.
_NOT_A_HEADING = re.compile(  # in a quote or a list item too; never in code (four spaces)
    r"^( {0,3}(?:(?:>[ ]?)+[ ]{0,3})?(?:(?:[-*+]|\d{1,9}[.)])[ ]+)?)#(?=#{6})")


class _Hashes(Preprocessor):
    def run(self, lines):
        return [_NOT_A_HEADING.sub(r"\1\\#", line) for line in lines]


MAX_INLINE = 200
_INLINE_TAGS = {"em", "strong", "code", "a", "span", "br"}
_LEAF_BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}


class _InlineGuard(Treeprocessor):
    """A block holding more than MAX_INLINE inline elements is printed as its plain text: `*a*` typed 6,300 times
    with nothing between made as many <em>, which WeasyPrint took minutes to lay out, as one word it cannot break
    between boxes, off the page."""

    def run(self, root):
        for block in root.iter():
            if block.tag not in _LEAF_BLOCKS or len(block) == 0:
                continue
            inline = [e for e in block.iter() if e is not block]
            if len(inline) > MAX_INLINE and all(e.tag in _INLINE_TAGS for e in inline):
                text, tail, attrib = "".join(block.itertext()), block.tail, dict(block.attrib)
                block.clear()
                block.text, block.tail = text, tail
                block.attrib.update(attrib)


class _Literal(markdown.Extension):
    """Raw HTML and entities are text: the parts of Python-Markdown that pass them through are removed. Lists
    are read as GitHub shows them (above), and a fenced block (``` or ~~~) is code, as there."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        # after normalize_whitespace (30) and fenced_code (20), which has put each fenced block away by then
        md.preprocessors.register(_ListStarts(md), "list_starts", 19)
        md.preprocessors.register(_Hashes(md), "hashes", 18)
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.treeprocessors.register(_LinkGuard(md), "link_guard", 0)
        md.treeprocessors.register(_DepthGuard(md), "depth_guard", -1)  # after the link guard
        md.treeprocessors.register(_InlineGuard(md), "inline_guard", -2)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_Literal(), "sane_lists", "fenced_code"], output_format="html")


_MARKDOWN = _new_markdown()
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


# A soft line break is a space in English but nothing in Chinese: a paragraph typed over several lines must not
# print `平台 进行了`. After Markdown, a newline (with the blanks around it) inside running text is dropped when
# it joins two CJK characters, or follows or precedes CJK punctuation (`。\nJMeter`); inline tags around it are
# kept. Only the whitespace goes, so no markup can be made; text inside <pre> is left alone.
# The Han ideographs Chinese words and names are written in (unified, extension A, B to H, compatibility) and 〇;
# render.py's rules for names and line ends use the same class.
HAN = "\u3007\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F"
_CJK = ("\u2E80-\u2FDF\u3000-\u303F\u3040-\u30FF\u3100-\u312F\u3190-\u31FF" + HAN
        + "\uFE30-\uFE4F\uFF00-\uFFEF")
_CJK_PUNCT = "\u3000-\u303F\uFE30-\uFE4F\uFF00-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65"
_INLINE = r"(?:strong|em|code|a|span|b|i)"
_SOFT_BREAK = re.compile(
    rf"(?:(?<=[{_CJK}])((?:</{_INLINE}>)*)[ \t]*\n[ \t]*((?:<{_INLINE}\b[^>]*>)*)(?=[{_CJK}])"
    rf"|(?<=[{_CJK_PUNCT}])((?:</{_INLINE}>)*)[ \t]*\n[ \t]*((?:<{_INLINE}\b[^>]*>)*)(?=[^\s<])"
    rf"|(?<=[^\s>])((?:</{_INLINE}>)*)[ \t]*\n[ \t]*((?:<{_INLINE}\b[^>]*>)*)(?=[{_CJK_PUNCT}]))")
_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


def _join_cjk_lines(html: str) -> str:
    parts = _PRE.split(html)
    for index in range(0, len(parts), 2):  # the odd parts are <pre> blocks
        parts[index] = _SOFT_BREAK.sub(lambda m: "".join(g for g in m.groups() if g), parts[index])
    return "".join(parts)


# A fence's info string (```{.nb #x}) gives the block an id and classes: the theme's own (`nb`) among them.
_FENCE_ATTRIBUTES = re.compile(r"<(pre|code)\s[^>]*>")


def render_markdown(value) -> Markup:
    """Markdown to safe HTML; every `<` and `&` the user typed is printed as typed."""
    global _MARKDOWN
    if value is None:
        return Markup("")
    _MARKDOWN.reset()
    try:
        html = _MARKDOWN.convert(_tame_quotes(_tame_brackets(str(value).replace("&", _AMPERSAND))))
    except RecursionError:  # lists nested hundreds deep (`- 1. - 1. …`): Python-Markdown recurses once a level
        # and its parser's state is left mid-list (the next text lost its paragraphs): a new one
        _MARKDOWN = _new_markdown()
        return Markup("<p>") + escape(str(value)) + Markup("</p>")  # printed as typed, as its raw HTML would be
    html = _join_cjk_lines(_FENCE_ATTRIBUTES.sub(lambda m: f"<{m[1]}>", html))
    return Markup(html.replace(_AMPERSAND, "&amp;").replace(_OPEN, "[").replace(_CLOSE, "]").replace(_GT, "&gt;"))
