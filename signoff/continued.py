"""Rows taller than a page: their ID on every page they continue on, with a continuation mark (issue 13).

A table row is kept whole (theme.css), so only a row taller than a page is split, and WeasyPrint does not repeat a
cell's content on the next page: the continued part showed the description beside an empty ID cell. CSS cannot
say "on the page where this row continues", so the layout is read back. A row that may be split carries its mark
text (`data-cont="ISS-002（续）"`) and an empty `<i class="cont"></i>` where the mark goes. After a layout:

1. a row found on more than one page is made splittable (`class="tall"`, no `break-inside: avoid`): WeasyPrint
   drops the repeated header on the pages of a row that avoids breaks and is taller than a page, and leaves the
   rest of the page before it blank;
2. laid out again, each such row gets one mark per page it continues on, each after a forced page break inside
   its ID cell (the cell's break carries the mark to the top of the row's part on the next page; the row's other
   cells, and so the pages, stay as they were).

Documents without such a row are laid out once, as before.
"""
from __future__ import annotations

import gc
import re

from markupsafe import escape as _escape  # as the templates (Jinja) escape the mark in the attribute

from .overflow import with_breaks

ATTR = "data-cont"
_SLOT = '<i class="cont"></i>'


def rows_by_pages(document) -> dict[str, int]:
    """Each marked row's mark text and the number of pages it is laid out on, for rows on more than one page."""
    from weasyprint.formatting_structure import boxes

    pages: dict[str, set[int]] = {}
    for number, page in enumerate(document.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableRowBox):
                element = box.element
                mark = element.get(ATTR) if element is not None else None
                if mark:
                    pages.setdefault(mark, set()).add(number)
                continue  # nothing to find inside a row
            if isinstance(box, (boxes.LineBox, boxes.TableCellBox)) or not isinstance(box, boxes.ParentBox):
                continue
            stack.extend(box.children)
    return {mark: len(found) for mark, found in pages.items() if len(found) > 1}


def _row(mark: str) -> re.Pattern:
    return re.compile(r'<tr( class="[^"]*")? ' + ATTR + '="' + re.escape(str(_escape(mark))) + '"')


def make_splittable(html: str, marks) -> str:
    """The rows of `marks` allowed to break (step 1)."""
    for mark in marks:
        html = _row(mark).sub(lambda m: f'<tr class="tall" {ATTR}="{_escape(mark)}"', html, count=1)
    return html


def add_marks(html: str, spans: dict[str, int]) -> str:
    """Each row of `spans` with its mark on every page after its first (step 2)."""
    for mark, pages in spans.items():
        match = _row(mark).search(html)
        if not match:
            continue
        slot = html.find(_SLOT, match.end())
        if slot < 0:
            continue
        # A mark wider than its cell breaks after a hyphen before it breaks inside a word: ISS-NORTHCAMPUS-…
        marks = f'<span class="cont-mark">{with_breaks(str(_escape(mark)))}</span>' * (pages - 1)
        html = html[:slot] + marks + html[slot + len(_SLOT):]
    return html


def lay_out_with_marks(render, html: str, stop_if_tall: bool = False):
    """`render(html)` → a WeasyPrint document; the document with every continued row marked, the HTML it was laid
    out from, and whether it has such a row (when not: one layout of the HTML as given). With `stop_if_tall`, a
    document that has one is returned unmarked after its first layout (a chunk that will not be used)."""
    document = render(html)
    spans = rows_by_pages(document)
    if not spans:
        return document, html, False
    if stop_if_tall:
        return document, html, True
    html = make_splittable(html, spans)
    del document
    gc.collect()  # a layout is full of reference cycles, and pdf.py lays out with the collector off
    document = render(html)
    html = add_marks(html, rows_by_pages(document))
    del document
    gc.collect()
    return render(html), html, True
