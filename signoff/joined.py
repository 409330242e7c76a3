"""A long document's chunks joined into one PDF with pikepdf: their pages kept, numbered, and the outline rebuilt.

What a chunk cannot know is stamped afterwards: the chunks are laid out without the page number ("第 X 页 共 Y
页"), and one more document of Y empty pages (the same head and page types, only the page-number box drawn) is
laid out by WeasyPrint and overlaid page by page, so the numbers are set exactly as one layout sets them. The
outline is rebuilt from every kept page's bookmarks, as WeasyPrint builds it. The joined PDF keeps the first
chunk's catalog (PDF/A-3b metadata and output intent), is written by qpdf with a deterministic /ID, and gets
its data files attached like any other (embed.py). Which pages are kept is chunks.py's business.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from .embed import Layout

ONLY_PAGE_NUMBER = ("<style>@page { @top-left { content: none; } @top-right { content: none; } "
                    "@bottom-left { content: none; } }</style>\n</head>")


class _Paged:
    """What WeasyPrint's make_bookmark_tree reads of a document: its pages' bookmarks and heights."""

    def __init__(self, pages):
        self.pages = pages


def join(html: str, results, kept, name: str, base_dir: Path, run) -> Layout:
    """The pages `kept` ((chunk, page index), in order) of the chunks' `results` ([(pdf, pages)]) as one PDF,
    numbered and with its outline; `run` lays out the page-number overlay as chunks.lay_out's does."""
    try:
        import pikepdf
    except ImportError as exc:
        from .errors import EnvironmentProblem

        raise EnvironmentProblem(f"pikepdf, which joins a long document's chunks, cannot be loaded ({exc}); "
                                 "run: make") from exc
    from weasyprint.document import Document

    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf, _ in results]
    joined = sources[0]
    first_kept = [i for k, i in kept if k == 0]
    # the first chunk's own pages that are not kept go (from the end, so that indices stay valid)
    for index in reversed(range(len(joined.pages))):
        if index not in first_kept:
            del joined.pages[index]
    for k, i in kept:
        if k:
            joined.pages.append(sources[k].pages[i])
    pages = [results[k][1][i] for k, i in kept]

    # The page numbers: Y empty pages of the same types, only the page-number box drawn, laid out by WeasyPrint
    # in pieces (in parallel), each numbering on from the one before and stating the same total.
    pieces = [_numbers_html(html, pages, start, min(len(pages), start + NUMBER_PAGES))
              for start in range(0, len(pages), NUMBER_PAGES)]
    overlays = [pikepdf.open(io.BytesIO(pdf)) for pdf, _ in run(pieces, False)]
    numbered = [page for overlay in overlays for page in overlay.pages]
    if len(numbered) != len(joined.pages):
        raise RuntimeError(f"{name}: {len(numbered)} numbered pages for {len(joined.pages)}")
    # pikepdf's add_overlay names the form at random; the pages of a chunk share one resource dictionary, so
    # each page's form has a name of its own.
    for index, (page, number) in enumerate(zip(joined.pages, numbered), 1):
        form = number.as_form_xobject()
        placed = page.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(f"/SignoffPage{index}"))
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\n", prepend=False)
        page.contents_add(page.calc_form_xobject_placement(form, placed, pikepdf.Rectangle(page.trimbox)))
        page.contents_coalesce()

    _outline(joined, Document.make_bookmark_tree(_Paged(pages), 0.75, transform_pages=True))
    out = io.BytesIO()
    joined.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    pdf = out.getvalue()
    with pikepdf.open(io.BytesIO(pdf)) as written:
        root = written.Root
        catalog = b"".join(pikepdf.Name(key).unparse() + b" " + root[key].unparse()
                           for key in sorted(root.keys()) if key not in ("/Names", "/AF"))
        names = root.get("/Names", pikepdf.Dictionary())
        names = b"".join(pikepdf.Name(key).unparse() + b" " + names[key].unparse()
                         for key in sorted(names.keys()) if key != "/EmbeddedFiles")
    return Layout(pdf, catalog, names)


NUMBER_PAGES = 400  # pages of a piece of the page-number overlay (5 ms a page)
_PAGES_COUNTER = re.compile(r"counter\(\s*pages\s*\)")


def _numbers_html(html: str, pages: list[Page], start: int, end: int) -> str:
    """Pages [start, end) of the document, empty, each of its page type, numbered from start + 1 of
    len(pages): the page-number box as the document's CSS draws it, the total written out."""
    head = html[:html.find("<body")]
    head = _PAGES_COUNTER.sub(f'"{len(pages)}"', head).replace(
        "</head>", ONLY_PAGE_NUMBER.replace("</style>", f" @page :first {{ counter-reset: page {start + 1}; }}</style>"), 1)
    divs = []
    for number in range(start, end):
        name = pages[number].name
        style = f"page: {name}" if name else "page: auto"
        if number > start:
            style += "; break-before: page"
        divs.append(f'<div style="{style}"></div>')
    return head + "<body>\n" + "\n".join(divs) + "\n</body>\n</html>\n"


def _outline(pdf, tree) -> None:
    """WeasyPrint's outline (pdf/anchors.py add_outlines) over the joined pages."""
    import pikepdf

    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if not tree:
        return

    def add(items, parent):
        made, count = [], len(items)
        for title, (page, x, y), children, state in items:
            outline = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title), Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, outline)
            outline.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                outline.Prev = made[-1]
                made[-1].Next = outline
            if kids:
                outline.First, outline.Last = kids[0], kids[-1]
            if parent is not None:
                outline.Parent = parent
            made.append(outline)
        return made, count

    made, count = add(tree, None)
    top = pdf.make_indirect(pikepdf.Dictionary(Count=count, First=made[0], Last=made[-1]))
    for outline in made:
        outline.Parent = top
    pdf.Root.Outlines = top
