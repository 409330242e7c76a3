"""A long document laid out in chunks of rows, in parallel, and joined into the PDF one layout would give.

WeasyPrint keeps every page's boxes until a PDF is written (about 2 MB a page of the issue log: 3.7 GB at 5,000
issues) and lays a document out on one core. The long tables of a document (`table.grid.long`, in document order,
not one inside another: the issue log's issues and deferred issues, the report's criteria of each category, its
performance criteria and its outstanding issues, the confirmation's Attachment 1) make one numbered sequence of
rows. A document with more than THRESHOLD of them is laid out as chunks of about CHUNK_ROWS rows, each a document
of its own made from the document's HTML; a chunk is rows [start, end) of the sequence and may span several
tables. The first chunk is the document up to its rows, the last the rest after them; between two tables of a
chunk comes the HTML between them as it is (the end of one table, the headings and the intro, the next one's
head); a chunk that does not begin with the first row carries the document's head, running header and DRAFT mark
and re-opens the ancestors and the head of the table its first row belongs to, and one that does not end with
the last row closes its last table and its ancestors. A chunk is laid out, written as a PDF and dropped, so
memory is bounded by the chunk, and the chunks run on every core.

Where the pages break. A page that begins with a row of a long table (not with the rest of a row taller than a
page, and not with the first row of a table) is laid out the same whatever came before it: the table's head,
then rows from that one on, then what follows them in the document. So the rows that begin pages form a chain,
each link decided by the one before (through the pages between that begin otherwise: with a heading, an intro,
another table). A page whose first row is the first row of a table is no link: what precedes the table in the
document (its heading and intro, the end of what came before) may be on that page above the row, and a chunk
that begins with that row does not hold it. Nothing else can come between a page's top and its first row: what
precedes a row that is not the first of its table is the table's earlier rows, and a page without them begins
with the table's head repeated. Chunk k+1 begins OVERLAP rows before the end of chunk k (or three pages' worth
of rows, where a first short chunk, the probe, shows more rows a page: the report's criteria); its first pages
may break elsewhere than the whole document would (it starts at a row that need not begin a page), but its chain
of page-beginning rows meets chunk k's, and from the first row that begins a page in both, chunk k+1's pages are
the document's. The joined document takes chunk k's pages before that row and chunk k+1's from it. Should the
chains not meet in the overlap (rows of the same height, one page's worth of them or more: the probe's pages set
the chunks' starts in step with the first table's, but a later table's rows may fall differently), chunk k+1 is
laid out again from the row that begins chunk k's last page, which is a true page beginning, and joined there;
when chunk k's last pages each hold the same number of rows, the later chunks that start in that table are moved
in step with them and laid out again at the same time (their own chains would not have met either), so a
document of such tables takes a round of layouts a table, not one a chunk. A chunk none of whose pages begins
with a row (short tables, each under its heading) takes the next chunk's rows too.

What a chunk cannot know (its page numbers, the outline) is stamped afterwards, when joined.py joins the pages
kept of each chunk.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import joined
from .embed import Layout

THRESHOLD = 300  # rows of the long tables beyond which a document is laid out in chunks
CHUNK_ROWS = 250  # rows a chunk (about 80 landscape pages of the issue log, 0.3 GB)
OVERLAP = 12  # rows a chunk repeats of the one before, for the two to find a common page beginning

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_PRELUDE = re.compile(r'<body[^>]*>\s*<div class="run"[^>]*></div>\s*(?:<div class="draft-mark">[^<]*</div>\s*)?')
NO_PAGE_NUMBER = "<style>@page { @bottom-center { content: none; } }</style>\n</head>"
# The join numbers the pages in pieces (joined.py) and takes the theme's margin boxes as they are: the page number
# alone in @bottom-center (NO_PAGE_NUMBER), the running header and source in @top-left, @top-right and
# @bottom-left (joined.ONLY_PAGE_NUMBER). A chunk's first page is no first page of the document, nor of the same
# parity: a theme whose @page rules select pages, or that prints the page number anywhere else, lays out whole.
# (The same goes for a reference to another page's number, a running string other than the theme's, and a break
# to a left or right page, whose blank pages follow the parity.)
_PAGE_SELECTOR = re.compile(r"@page[^{]*:(?:first|left|right|blank|recto|verso|nth)\b", re.I)
_MARGIN_BOX = re.compile(r"@((?:top|bottom)-(?:left-corner|left|center|right-corner|right)|(?:left|right)-"
                         r"(?:top|middle|bottom))\s*\{([^{}]*)\}", re.I)
_JOINED_BOXES = {"top-left", "top-right", "bottom-left", "bottom-center"}
_PAGE_REFERENCE = re.compile(r"counter\(\s*pages?\s*\)|target-counters?\(|target-text\(", re.I)
_STRING = re.compile(r"\bstring\(\s*([\w-]+)", re.I)
_THEME_STRINGS = {"project", "docnumber", "source"}  # set by the running header, which every chunk repeats
_PARITY_BREAK = re.compile(r"break-(?:before|after)\s*:\s*(?:left|right|recto|verso)\b", re.I)


@dataclass(frozen=True)
class Table:
    """One `table.grid.long` of a document's HTML, as positions in it."""
    start: int  # of `<table`
    open_end: int  # end of the table's head (its first <tbody> starts here)
    close: int  # of `</table>`
    ancestors: tuple[str, ...]  # the open tags between <body> and the table
    groups: tuple[str, ...]  # each row group's opening tag
    first: int  # the number of its first row in the document's sequence of rows


@dataclass(frozen=True)
class Rows:
    """The long tables of a document, in document order, and their rows as one sequence."""
    tables: tuple[Table, ...]
    rows: tuple[tuple[int, int, int, int], ...]  # (start, end, table, row group of that table) of each row

    @property
    def firsts(self) -> frozenset[int]:
        """The first row of each table: a page that shows one first may begin with what precedes the table."""
        return frozenset(table.first for table in self.tables)


def long_tables(html: str) -> Rows | None:
    """The document's tables of class `grid long` that have rows (not those inside another), or None."""
    body = html.find("<body")
    if body < 0:
        return None
    stack: list[list] = []  # [tag, start, open tag text, table record or None, row record or None]
    tables = []
    for match in _TAG.finditer(html, body):
        closing, tag = match[1], match[2].lower()
        if tag in _VOID:
            continue
        if not closing:
            record = None
            if tag == "table" and re.search(r'class="[^"]*\bgrid\b[^"]*\blong\b', match[0]) \
                    and not any(item[3] is not None for item in stack):
                record = {"start": match.start(), "ancestors": tuple(item[2] for item in stack[1:]), "rows": [],
                          "groups": [], "open_end": None}
                tables.append(record)
            elif tag == "tbody" and stack and stack[-1][3] is not None:
                table = stack[-1][3]
                table["groups"].append(match[0])
                if table["open_end"] is None:
                    table["open_end"] = match.start()
            elif tag == "tr" and len(stack) > 1 and stack[-1][0] == "tbody" and stack[-2][3] is not None:
                record = {"row": match.start()}
            stack.append([tag, match.start(), match[0], record if tag == "table" else None, record])
            continue
        if not any(item[0] == tag for item in stack):  # a stray end tag
            continue
        while stack[-1][0] != tag:  # an element closed by its parent's end tag
            stack.pop()
        item = stack.pop()
        if tag == "table" and item[3] is not None:
            item[3]["close"] = match.start()
        elif tag == "tr" and item[4] is not None and stack and stack[-2][3] is not None:
            table = stack[-2][3]
            table["rows"].append((item[1], match.end(), len(table["groups"]) - 1))
    found, rows = [], []
    for table in tables:
        if not (table.get("close") and table["rows"]):
            continue
        found.append(Table(table["start"], table["open_end"], table["close"], table["ancestors"],
                           tuple(table["groups"]), len(rows)))
        rows += [(start, end, len(found) - 1, group) for start, end, group in table["rows"]]
    return Rows(tuple(found), tuple(rows)) if found else None


def _theme_fits(head: str) -> bool:
    """The page rules of the document's <head> are those the join knows (see _MARGIN_BOX)."""
    boxes = {name.lower() for name, _ in _MARGIN_BOX.findall(head)}
    besides_the_number = _MARGIN_BOX.sub(lambda m: "" if m[1].lower() == "bottom-center" else m[0], head)
    return (boxes <= _JOINED_BOXES and not _PAGE_SELECTOR.search(head)
            and not _PAGE_REFERENCE.search(besides_the_number) and not _PARITY_BREAK.search(head)
            and {name.lower() for name in _STRING.findall(head)} <= _THEME_STRINGS)


def plan(html: str) -> Rows | None:
    """The long tables to lay out in chunks, when the document has enough rows in them."""
    body = max(html.find("<body"), 0)
    if html.count("<tr") <= THRESHOLD or not _PRELUDE.match(html, body) or not _theme_fits(html[:body]):
        return None  # (a chunk repeats the running header and DRAFT mark: without them where expected, no chunks)
    found = long_tables(html)
    return found if found is not None and len(found.rows) > THRESHOLD else None


def ranges(count: int, overlap: int | None = None) -> list[tuple[int, int]]:
    """The rows of each chunk, [start, end): about CHUNK_ROWS each, every chunk after the first beginning `overlap`
    (OVERLAP) rows before the end of the one before. Depends on the rows only (never on the cores)."""
    overlap = OVERLAP if overlap is None else overlap
    parts = max(1, math.ceil(count / CHUNK_ROWS))
    size = math.ceil(count / parts)
    bounds = [min(count, k * size) for k in range(parts + 1)]
    return [(max(0, bounds[k] - (overlap if k else 0)), bounds[k + 1]) for k in range(parts)]


OVERLAP_PAGES = 3  # pages' worth of rows a chunk repeats at least (of the probe's rows a page)


def _overlap(probe: list[Page]) -> int:
    """The rows a chunk repeats of the one before: OVERLAP, or more where the probe's pages hold more than a
    third of that (the report's criteria, ten a page): the next chunk's first page is no page of the document,
    so the two chains can meet only on a page after it, on rows both chunks hold."""
    starts = [page.row for page in probe if page.row is not None]
    steps = sorted(b - a for a, b in zip(starts, starts[1:]))
    return max(OVERLAP, OVERLAP_PAGES * steps[len(steps) // 2]) if steps else OVERLAP


PROBE = 40  # rows laid out first, to see whether every page holds the same number of rows


def _in_step(found: Rows, spans: list[tuple[int, int]], after: int, pages: list[Page],
             every: bool = False) -> dict[int, int]:
    """The chunks from `after` on moved onto rows that will begin pages, when the last of `pages` (true pages of
    the document, the last four or more beginning with rows of one table; with `every`, all of those) each hold
    the same number of rows: the chunks that start later in that table, {chunk: its new first row}. Two chains of
    page-beginning rows meet only when some row begins a page in both: rows of one height, m a page, make chains
    m apart that never meet, and a chunk started between them would be laid out again. The probe asks for
    `every`: rows of nearly one height (the generated confirmation's: a page of seven among pages of six) drift
    out of step over a chunk's length, and a chunk moved by them meets no better than one left where it was."""
    rows: list[int] = []  # the last pages' first rows, in one table
    for page in reversed(pages):
        if page.row is None or (rows and found.rows[page.row][2] != found.rows[rows[0]][2]):
            break
        rows.insert(0, page.row)
    if len(rows) < 4:
        return {}
    step, equal = rows[-1] - rows[-2], 1
    while equal < len(rows) - 1 and rows[-1 - equal] - rows[-2 - equal] == step:
        equal += 1
    if equal < 3 or (every and equal < len(rows) - 1):
        return {}
    anchor, table, moved = rows[-1], found.rows[rows[-1]][2], {}
    for j in range(after, len(spans)):
        start = spans[j][0]
        if start > anchor and found.rows[start][2] == table:
            start = anchor + step * ((start - anchor) // step)
            if start != spans[j][0]:
                moved[j] = start
    return moved


def chunk_html(html: str, found: Rows, start: int, end: int) -> str:
    """The HTML of the rows [start, end) of the long tables as a document of its own (see the module's
    docstring). Each row carries its number in the sequence (`data-row`), for inspect()."""
    rows, tables = found.rows, found.tables
    first, last = tables[rows[start][2]], tables[rows[end - 1][2]]
    parts = []
    if start == 0:
        parts.append(html[:first.open_end].replace("</head>", NO_PAGE_NUMBER, 1))
    else:
        head = html[:_PRELUDE.match(html, html.find("<body")).end()]  # plan() made sure it is there
        parts += [head.replace("</head>", NO_PAGE_NUMBER, 1), *first.ancestors, html[first.start:first.open_end]]
    table, group = rows[start][2], None
    for index in range(start, end):
        row_start, row_end, row_table, row_group = rows[index]
        if row_table != table:  # the end of one table, what is between, the next one's head: as they are
            parts.append("</tbody>\n" + html[tables[table].close:tables[row_table].open_end])
            table, group = row_table, None
        if row_group != group:
            if group is not None:
                parts.append("</tbody>\n")
            parts.append(tables[table].groups[row_group])
            group = row_group
        parts.append(f'<tr data-row="{index}"' + html[row_start + 3:row_end])
    parts.append("</tbody>\n")
    if end == len(rows):
        parts.append(html[last.close:])
    else:
        parts.append("</table>\n" + "".join(f"</{re.match(r'<([a-zA-Z0-9]+)', tag)[1]}>"
                                             for tag in reversed(last.ancestors)) + "\n</body>\n</html>\n")
    return "".join(parts)


@dataclass(frozen=True)
class Page:
    """What the join needs of a chunk's page: the row it begins with (None: it begins with something else, or
    with the rest of a row; lay_out makes it None too where the row is a table's first), its page type's name,
    its height, and its bookmarks."""
    row: int | None
    name: str
    height: float
    bookmarks: tuple


def _rows_of(box, found: list) -> None:
    from weasyprint.formatting_structure import boxes

    stack = [box]
    while stack:
        item = stack.pop()
        if isinstance(item, boxes.TableRowBox):
            element = item.element
            if element is not None and element.get("data-row") is not None:
                found.append(int(element.get("data-row")))
            continue
        if isinstance(item, boxes.ParentBox):
            stack.extend(reversed(item.children))


def inspect(document) -> list[Page]:
    """Each laid-out page of a chunk, for the join."""
    pages, previous_last = [], None
    for page in document.pages:
        rows: list[int] = []
        _rows_of(page._page_box, rows)
        begins = rows[0] if rows and rows[0] != previous_last else None
        pages.append(Page(begins, page._page_box.page_type.name or "", page.height,
                          tuple(tuple(b) for b in page.bookmarks)))
        previous_last = rows[-1] if rows else previous_last
    return pages


# ---------------------------------------------------------------- laying out and joining


def lay_out_chunk(renderer, html: str, name: str, base_dir: Path) -> tuple[bytes, list[Page]]:
    pdf, captured = renderer.pdf_of(html, name, base_dir, inspect=inspect)
    return pdf, captured["inspected"]


class _Whole(Exception):
    """A chunk holds a row taller than a page (continued.py marks it): the document is laid out whole."""


def lay_out(html: str, found: Rows, name: str, base_dir: Path, run) -> Layout | None:
    """The document laid out in chunks, or None when the chunks cannot be joined (then it is laid out whole).
    `run(list of HTML, inspect)` lays documents out (in parallel or not) and returns [(pdf, pages)] in order;
    a chunk's pages are None when it held a row taller than a page."""
    firsts = found.firsts

    def checked(htmls, inspect):
        results = run(htmls, inspect)
        if not inspect:
            return results
        if any(pages is None for _, pages in results):
            raise _Whole
        # A page that shows a table's first row first may begin with what precedes the table: no page beginning.
        return [(pdf, [replace(page, row=None) if page.row in firsts else page for page in pages])
                for pdf, pages in results]

    try:
        return _lay_out(html, found, name, base_dir, checked)
    except _Whole:
        return None


def _lay_out(html: str, found: Rows, name: str, base_dir: Path, run) -> Layout | None:
    count = len(found.rows)
    spans = ranges(count)
    if len(spans) > 1:
        probe = run([chunk_html(html, found, 0, min(PROBE, count))], True)[0][1]
        spans = ranges(count, _overlap(probe))
        for j, start in _in_step(found, spans, 1, probe, every=True).items():
            spans[j] = (start, spans[j][1])
    results = run([chunk_html(html, found, start, end) for start, end in spans], True)
    kept: list[tuple[int, int]] = []  # (chunk, page index)
    begin, k = 0, 0
    while True:
        pages = results[k][1]
        if k == len(spans) - 1:
            kept += [(k, i) for i in range(begin, len(pages))]
            break
        mine = {page.row: i for i, page in enumerate(pages) if i >= begin and page.row is not None}
        if not mine:  # no page of this chunk begins with a row: it takes the next chunk's rows too
            spans[k:k + 2] = [(spans[k][0], spans[k + 1][1])]
            results[k:k + 2] = run([chunk_html(html, found, *spans[k])], True)
            continue
        join = _meet(mine, results[k + 1][1], spans[k + 1][0])
        if join is None:  # the chains did not meet: lay the next chunk out again from a true page beginning
            restart = max(mine, key=mine.get)  # the row that begins this chunk's last page
            moved = {k + 1: restart} if restart != spans[k + 1][0] else {}  # (else the next one begins with it)
            moved.update(_in_step(found, spans, k + 2, pages[begin:mine[restart] + 1]))
            for j, start in moved.items():
                spans[j] = (start, spans[j][1])
            if moved:
                for j, result in zip(moved, run([chunk_html(html, found, *spans[j]) for j in moved], True)):
                    results[j] = result
            first = [j for j, page in enumerate(results[k + 1][1]) if page.row == restart]
            if not first:  # never seen: a chunk begins with its first row, or a page of its own before it
                return None
            join = (mine[restart], first[0])
        kept += [(k, i) for i in range(begin, join[0])]
        begin, k = join[1], k + 1
    return joined.join(html, results, kept, name, base_dir, run)


def _meet(mine, theirs, start):
    """The first page of the next chunk (after its first) that begins with a row beginning a page of this one."""
    for j, page in enumerate(theirs):
        if j and page.row is not None and page.row > start and page.row in mine:
            return mine[page.row], j
    return None
