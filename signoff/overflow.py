"""Kept-together text wider than its column wraps rather than run over the column's rule; a one-sheet form fits.

render.keep_together keeps identifiers, dates and numbers with their units on one line (`<span class="nb">`,
white-space: nowrap): "ZHYQ-2026-017-" / "CONF" is never printed. A token wider than the line it stands on (a
record number made of the project code and the user's visit id, 26 characters, in a column a quarter of the page
wide) then runs out of its cell, over the rule and into the next column; how wide a token prints is known only
once it is laid out. So the layout is read back: each such span loses its nowrap (`<span class="wrap">`) and may
break after each of its hyphens, and the document is laid out again ("HYYY-2025-008-PM-PM-" / "2025-1"); a
piece wider than the line breaks anywhere (the body's overflow-wrap). A token that fits its line, or runs only
into its cell's padding, is kept whole as before; a document without one that does not is laid out once.

A form meant to be one sheet (`data-fit="page"`: the blank fault form) that the layout puts on two, because the
contacts printed under it are long, is laid out again with `data-fit="tight"`: the theme makes its writing boxes
lower. A form that still does not fit keeps its second page (nothing is cut off).
"""
from __future__ import annotations

import gc
import itertools
import re

_OPEN = '<span class="nb">'
# A span and the text it begins with; when that is all it holds, also whether closing punctuation follows it.
_CLOSING = ")]}）」』】〕〉》〗〙〛、。，．,.;:!?！？；：”’%％"
_OPEN_TEXT = re.compile(re.escape(_OPEN) + r"(?P<text>[^<]*)(?P<closed></span>[" + re.escape(_CLOSING) + "])?")
# A line may break after a hyphen only before a letter (UAX #14: "-017-" / "PM", never "-" / "2027"), and never
# before closing punctuation: `（ISS-NORTHCAMPUS-DATACENTRE-004）。` kept its last piece and the `）。` on one line,
# over the rule. A zero-width space after each separator (hyphen, slash, dot …) of a token let wrap is a break there too
# (it is not in the PDF's text).
ZWSP = "\u200b"
SEPARATORS = "-/_.@+?=－／＿．"  # not &, # or ;: never inside an entity (&#39;) of the escaped text
_SEPARATOR = re.compile(f"[{re.escape(SEPARATORS)}]")
# not after a separator a token starts with: the "/" of "/opt/…" is never left alone at a line's end
_AFTER_SEPARATOR = re.compile(rf"(?<=\S{_SEPARATOR.pattern})(?=\w)")
# The last piece of a token let wrap, before closing punctuation, and longer than this: it may break before its
# last character too. WeasyPrint breaks a piece wider than its line anywhere, but only to fit the piece alone: the
# punctuation, which no line may begin with, then ran over the rule (`（ISS-04NORTHCAMPUSDATACENTREB）。` printed
# `…DATACENTREB）。`); now `…DATACENTRE` / `B）。`. A shorter piece (`-004）。`) moves to the next line whole.
LAST_PIECE = 6
TOLERANCE = 0.5  # CSS pixels: rounding in the layout, never a visible overflow


def with_breaks(text: str) -> str:
    """`text` free to break after each hyphen, slash, underscore, dot, @, +, ? and = too (a zero-width space
    there): where an identifier, a version, an address or a path breaks best."""
    return _AFTER_SEPARATOR.sub(ZWSP, text)


ONE_SHEET = 'data-fit="page"'
_TIGHT = 'data-fit="tight"'


def fitted(render):
    """`render(html)` → a WeasyPrint document, as `render`, but with every kept-together span its first layout found
    too wide for its line let wrap, in that layout (laid out again) and in every later one, and a one-sheet form
    its first layout put on two pages tightened in every layout. The later ones (continued.py's) lay the same
    spans out again: their changes touch rows and marks, never a span's text."""
    wide: set[int] | None = None
    tight = False

    def run(html: str):
        nonlocal wide, tight
        if tight:
            html = html.replace(ONE_SHEET, _TIGHT)
        if wide is None:
            document = render(html)
            if ONE_SHEET in html and len(document.pages) > 1:
                tight, html = True, html.replace(ONE_SHEET, _TIGHT)
                del document
                gc.collect()
                document = render(html)
            wide = overflowing(document) if _OPEN in html else set()
            if not wide:
                return document
            del document
            gc.collect()  # a layout is full of reference cycles, and pdf.py lays out with the collector off
        return render(breakable(html, wide)) if wide else render(html)
    return run


def overflowing(document) -> set[int]:
    """The kept-together spans (their order among the document's `<span class="nb">`) laid out past the padding of
    the block that holds them: over a cell's rule, or off the page; and those wider than the block's line that
    end within its padding but have the line's next word run past it. (WeasyPrint puts the next word, or its
    hyphenated first piece, on the line of a token wider than the line: "Blood-product trace-" ran over the rule
    of a Criterion cell that "Blood-product" alone fitted into its padding.)"""
    from weasyprint.formatting_structure import boxes

    pages = document.pages
    if not pages:
        return set()
    order: dict[int, int] | None = None
    found: set[int] = set()

    def flag(element) -> None:
        nonlocal order
        if order is None:
            order = _span_order(pages[0]._page_box.children[0].element)
        if id(element) in order:  # (only a span is ever given the class)
            found.add(order[id(element)])

    for page in pages:
        stack = [(page._page_box, float("inf"), float("inf"))]
        while stack:
            box, limit, line_end = stack.pop()
            if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.LineBox):
                limit = box.padding_box_x() + box.padding_width()  # into the padding: tight, not over the rule
                line_end = box.content_box_x() + box.width
            if isinstance(box, boxes.LineBox) and _right_end(box) > limit + TOLERANCE:
                for span in _spans(box):
                    if span.position_x + span.margin_width() > line_end + TOLERANCE:
                        flag(span.element)
            if _is_span(box) and box.position_x + box.margin_width() > limit + TOLERANCE:
                flag(box.element)
            if isinstance(box, boxes.ParentBox):
                stack.extend((child, limit, line_end) for child in box.children)
    return found


def _is_span(box) -> bool:
    from weasyprint.formatting_structure import boxes
    return isinstance(box, boxes.InlineBox) and box.element is not None and box.element.get("class") == "nb"


def _spans(line):
    """The kept-together spans laid out on `line`."""
    return (box for box in line.descendants() if _is_span(box))


def _right_end(line) -> float:
    """Where the text of `line` ends."""
    from weasyprint.formatting_structure import boxes
    return max((box.position_x + box.width for box in line.descendants() if isinstance(box, boxes.TextBox)),
               default=line.position_x)


def _span_order(root) -> dict[int, int]:
    """Each `<span class="nb">` element under `root` (the document's <html>), by its order in the document."""
    spans = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "span"
             and e.get("class") == "nb"]
    return {id(e): k for k, e in enumerate(spans)}


def breakable(html: str, spans: set[int]) -> str:
    """`html` with the kept-together spans `spans` (their order among its `<span class="nb">`, one inside another
    counted too) free to wrap, also after each separator (`with_breaks`). A span kept together inside such a one
    stays whole unless it is one of `spans` itself."""
    count = itertools.count()

    def one(match: re.Match) -> str:
        if next(count) not in spans:
            return match[0]
        text = with_breaks(match["text"])
        if match["closed"] and len(_SEPARATOR.split(match["text"])[-1]) > LAST_PIECE:
            text = text[:-1] + ZWSP + text[-1]
        return '<span class="wrap">' + text + (match["closed"] or "")
    return _OPEN_TEXT.sub(one, html)
