"""Kept-together text wider than its column: it wraps rather than run over the column's rule.

render.keep_together keeps identifiers, dates and numbers with their units on one line (`<span class="nb">`,
white-space: nowrap): "ZHYQ-2026-017-" / "CONF" is never printed. A token wider than the line it stands on (a
record number made of the project code and the user's visit id, 26 characters, in a column a quarter of the page
wide) then runs out of its cell, over the rule and into the next column; how wide a token prints is known only
once it is laid out. So the layout is read back: each such span loses its nowrap (`<span class="wrap">`), and the
document is laid out again. It then breaks where a line may (at a space, after a hyphen before a letter: "…-017-PM-"
/ "PM-2027-Q1"), or as the last resort anywhere (the body's overflow-wrap). A token that fits its line, or runs
only into its cell's padding, is kept whole as before; a document without one that does not is laid out once.
"""
from __future__ import annotations

import gc
import itertools
import re

_OPEN = '<span class="nb">'
_OPEN_TAG = re.compile(re.escape(_OPEN))
TOLERANCE = 0.5  # CSS pixels: rounding in the layout, never a visible overflow


def lay_out_fitted(render, html: str):
    """`render(html)` → a WeasyPrint document; the document laid out with every kept-together span that does not
    fit its line made breakable, and the HTML it was laid out from (the HTML as given, laid out once, when all fit)."""
    document = render(html)
    if _OPEN not in html:
        return document, html
    wide = overflowing(document)
    if not wide:
        return document, html
    html = breakable(html, wide)
    del document
    gc.collect()  # a layout is full of reference cycles, and pdf.py lays out with the collector off
    return render(html), html


def overflowing(document) -> set[int]:
    """The kept-together spans (their order among the document's `<span class="nb">`) laid out past the padding of
    the block that holds them: over a cell's rule, or off the page."""
    from weasyprint.formatting_structure import boxes

    pages = document.pages
    if not pages:
        return set()
    order: dict[int, int] | None = None
    found: set[int] = set()
    for page in pages:
        stack = [(page._page_box, float("inf"))]
        while stack:
            box, limit = stack.pop()
            if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.LineBox):
                limit = box.padding_box_x() + box.padding_width()  # into the padding: tight, not over the rule
            element = box.element
            if (isinstance(box, boxes.InlineBox) and element is not None and element.get("class") == "nb"
                    and box.position_x + box.margin_width() > limit + TOLERANCE):
                if order is None:
                    order = _span_order(pages[0]._page_box.children[0].element)
                found.add(order[id(element)])
            if isinstance(box, boxes.ParentBox):
                stack.extend((child, limit) for child in box.children)
    return found


def _span_order(root) -> dict[int, int]:
    """Each `<span class="nb">` element under `root` (the document's <html>), by its order in the document."""
    spans = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "span"
             and e.get("class") == "nb"]
    return {id(e): k for k, e in enumerate(spans)}


def breakable(html: str, spans: set[int]) -> str:
    """`html` with the kept-together spans `spans` (their order among its `<span class="nb">`, one inside another
    counted too) free to wrap. What such a span holds is unchanged: a span kept together inside it stays whole
    unless it is one of `spans` itself."""
    count = itertools.count()
    return _OPEN_TAG.sub(lambda match: '<span class="wrap">' if next(count) in spans else match[0], html)
