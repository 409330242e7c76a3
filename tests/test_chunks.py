"""Long documents laid out in chunks of rows (signoff/chunks.py, issue 15): the joined PDF's pages are
pixel-identical at 60 dpi to the document laid out whole, its page numbers, outline, PDF/A catalog and
attachments are right, and the bytes depend neither on the cores nor on the run.

The chunking threshold is lowered here (a few rows a chunk) rather than building thousands of issues: the same
joins happen, more often."""
from __future__ import annotations

import datetime
import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import ImageChops
from pypdf import PdfReader

from conftest import DATA_DIRS, edit, page_images, pages_of
from stress import make_long_project

from signoff import chunks, joined
from signoff import pdf as pdf_module

# The issue log, the report and the confirmation's Attachment 1, in both languages: data/'s issue log and report
# (zh), pending-en's Attachment 1 and pass-en's report (en), and the stress package's issue log (18 pages; without
# its rows taller than a page: a document with one is laid out whole, see below). The long tables of a document
# make one sequence of rows: the issue log's issues and deferred issues, the report's criteria of each category
# (one table each, under its heading), its performance criteria and its outstanding issues. The English examples
# have a few criteria each, on pages that all begin with a heading or a table's first row, where no chunks can
# join: their documents are laid out with each row of the long tables three times (the same HTML both ways).
CASES = [("data", "issue_log", 1), ("data", "report", 1), ("pending-en", "confirmation", 3), ("pass-en", "report", 3),
         ("long", "issue_log", 1)]


def _repeated(html: str, times: int) -> str:
    """`html` with each row of its long tables `times` times (the copies without a continuation mark: continued.py
    knows a row by its mark)."""
    if times == 1:
        return html
    parts, at = [], 0
    for start, end, _, _ in chunks.long_tables(html).rows:
        row = html[start:end]
        parts += [html[at:start], row, re.sub(r' data-cont="[^"]*"', "", row, count=1) * (times - 1)]
        at = end
    return "".join(parts) + html[at:]


TALL_ROW = 1  # data/'s ISS-002, made taller than a landscape page by `make_tall` (a page and a half, not ten)


def make_tall(data: Path) -> Path:
    """data/ (copied into `data`) with ISS-002's description 1,200 characters long: its row continues on the
    next page of the issue log."""
    shutil.copytree(DATA_DIRS["data"], data)
    edit(data / "issues.yaml", "description: 8 位新能源车牌在东区 1 号入口识别失败 7 次 / 20 次，需人工抬杆。",
         'description: "' + "车牌识别失败，需人工抬杆放行。" * 80 + '"')
    return data


@pytest.fixture(scope="session")
def sources(tmp_path_factory):
    folders = dict(DATA_DIRS)
    folders["long"] = make_long_project(tmp_path_factory.mktemp("chunks-long") / "data", tall=False)
    folders["tall"] = make_tall(tmp_path_factory.mktemp("chunks-tall") / "data")
    return folders


@functools.lru_cache(maxsize=None)
def _prepared(data: Path):
    from signoff import pipeline
    from signoff.documents import plan_outputs
    from signoff.paths import TEMPLATES_DIR
    from signoff.pdf import Renderer
    from signoff.provenance import Provenance
    from signoff.render import make_environment, render_html

    checked = pipeline.check(data)
    fonts = pipeline._package_fonts(checked)
    provenance = Provenance("untracked", None, None, 1_700_000_000)
    env = make_environment()
    renderer = Renderer([TEMPLATES_DIR, data / "assets", *fonts.folders])
    htmls = {o.document.key: render_html(env, checked.facts, o, provenance, data / "assets", fonts)
             for o in plan_outputs(checked.facts) if o.document.key in ("issue_log", "report", "confirmation")}
    return renderer, htmls


def _small_chunks(monkeypatch, rows: int) -> None:
    """About three chunks of the table, each repeating a third of the one before."""
    size = max(2, rows // 3)
    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", size)
    monkeypatch.setattr(chunks, "OVERLAP", max(1, size // 3))
    monkeypatch.setattr(joined, "NUMBER_PAGES", 3)  # the page numbers in pieces too
    monkeypatch.setattr(chunks, "PROBE", size)


def _serial(renderer, joins: list, laid: dict | None = None):
    """Lays documents out one after another; `laid`, when given, maps each chunk's PDF to its HTML."""
    from signoff.paths import TEMPLATES_DIR

    def run(htmls, inspect):
        if inspect:
            joins.append(len(htmls))
            results = [chunks.lay_out_chunk(renderer, html, "chunk", TEMPLATES_DIR) for html in htmls]
            if laid is not None:
                laid.update((pdf, html) for (pdf, _), html in zip(results, htmls))
            return results
        return [renderer.pdf_of(html, "numbers", TEMPLATES_DIR) for html in htmls]
    return run


def _joined_from(monkeypatch, laid: dict) -> list:
    """Filled, when the chunks are joined, with the rows (their numbers in the sequence) of each chunk that gives
    the joined document pages."""
    sources: list[list[int]] = []
    join = joined.join

    def spy(html, results, kept, *rest):
        for k in sorted({k for k, _ in kept}):
            sources.append([int(n) for n in re.findall(r'<tr data-row="(\d+)"', laid[results[k][0]])])
        return join(html, results, kept, *rest)
    monkeypatch.setattr(joined, "join", spy)
    return sources


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, reader.get_destination_page_number(item)))
    walk(reader.outline)
    return found


@pytest.mark.parametrize("package, key, times", CASES, ids=[f"{p}-{k}" for p, k, _ in CASES])
def test_chunked_pages_are_pixel_identical_to_one_layout(package, key, times, sources, tmp_path, monkeypatch):
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources[package])
    html = _repeated(htmls[key], times)
    found = chunks.long_tables(html)
    assert found is not None and len(found.rows) >= 3, "no long table to lay out in chunks"
    _small_chunks(monkeypatch, len(found.rows))
    joins: list[int] = []
    laid: dict = {}
    joined_from = _joined_from(monkeypatch, laid)
    chunked = chunks.lay_out(html, chunks.plan(html), key, TEMPLATES_DIR, _serial(renderer, joins, laid))
    assert chunked is not None and len(joined_from) >= 2, joined_from  # pages of two chunks or more, joined
    if len(found.tables) > 1:  # a chunk that gives pages holds the end of one table and the start of the next
        spanning = [rows for rows in joined_from if any(rows[0] < first <= rows[-1] for first in found.firsts)]
        assert spanning, (joined_from, sorted(found.firsts))
    whole = renderer.layout(html, key, TEMPLATES_DIR)
    (tmp_path / "whole.pdf").write_bytes(whole.pdf)
    (tmp_path / "chunked.pdf").write_bytes(chunked.pdf)

    one = page_images(tmp_path / "whole.pdf", tmp_path / "whole")
    joined = page_images(tmp_path / "chunked.pdf", tmp_path / "chunked")
    assert len(joined) == len(one) > 1
    differ = [n for n, (a, b) in enumerate(zip(one, joined), 1) if ImageChops.difference(a, b).getbbox()]
    assert differ == [], f"pages {differ} differ from the document laid out whole"
    assert _outline(PdfReader(tmp_path / "chunked.pdf")) == _outline(PdfReader(tmp_path / "whole.pdf"))


def test_a_row_taller_than_a_page_lays_the_document_out_whole(sources, monkeypatch):
    """Where a row taller than a page breaks, and so its continuation marks, depends on the pages around it: a
    row taller than a page makes the issue log be laid out in one piece (lay_out gives None)."""
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources["tall"])
    html = htmls["issue_log"]
    _small_chunks(monkeypatch, len(chunks.long_tables(html).rows))
    monkeypatch.setattr(chunks, "PROBE", TALL_ROW + 2)  # the first layout, of rows 0-2, holds the tall row, and says so
    renders = []
    marks = pdf_module.lay_out_with_marks
    monkeypatch.setattr(pdf_module, "lay_out_with_marks", lambda render, *rest, **options: marks(
        lambda text: renders.append(1) or render(text), *rest, **options))
    joins: list[int] = []
    assert chunks.lay_out(html, chunks.plan(html), "issue_log", TEMPLATES_DIR, _serial(renderer, joins)) is None
    assert joins == [1] and renders == [1]  # the probe, laid out once (not marked, not written), and nothing after


def test_a_joined_pdf_is_pdfa_with_its_attachments(sources, tmp_path, monkeypatch):
    """(That two layouts in chunks give the same bytes, on one core or two, is the build's test below.)"""
    from signoff.embed import embed
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources["data"])
    html = htmls["issue_log"]
    _small_chunks(monkeypatch, len(chunks.long_tables(html).rows))
    made = chunks.lay_out(html, chunks.plan(html), "log", TEMPLATES_DIR, _serial(renderer, []))
    stamp = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    files = [("issues.yaml", b"issues: []\n"), ("project.yaml", "项目: 验收\n".encode())]
    pdf = tmp_path / "log.pdf"
    pdf.write_bytes(embed(made, files, stamp))
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors found" in check.stdout, check.stdout
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert sorted(reader.attachments) == ["issues.yaml", "project.yaml"]
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Source", "/Source"]
    total = len(reader.pages)
    pages = pages_of(pdf)
    assert [f"第{n}页共{total}页" in "".join(page.split()) for n, page in enumerate(pages, 1)] == [True] * total


def test_a_build_lays_a_long_document_out_in_chunks_the_same_on_one_core_and_on_two(tmp_path, monkeypatch):
    """What `make` writes does not depend on the cores, nor on the run: the chunks follow the rows only, and two
    layouts in chunks give the same bytes."""
    from signoff import pipeline

    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 4)
    monkeypatch.setattr(chunks, "OVERLAP", 2)
    said = []
    outs = {}
    for jobs in (1, 2):
        outs[jobs] = tmp_path / f"out{jobs}"
        pipeline.build(DATA_DIRS["data"], outs[jobs], jobs, ("issue_log",), True, lambda problems: None, said.append)
    assert said.count("  rendered 03-issue-log.pdf (in chunks)") == 2  # both builds: chunks against chunks
    assert (outs[1] / "03-issue-log.pdf").read_bytes() == (outs[2] / "03-issue-log.pdf").read_bytes()
    assert sorted(PdfReader(outs[2] / "03-issue-log.pdf").attachments) == ["criteria.yaml", "issues.yaml",
                                                                            "project.yaml"]


def test_a_build_says_when_a_long_document_was_laid_out_whole(sources, tmp_path, monkeypatch):
    """A row taller than a page stops the chunking: the build lays the document out in one piece and says so (the
    benchmark reads this line to tell a bounded layout from one that is not)."""
    from signoff import pipeline

    folder = sources["tall"]
    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 4)
    monkeypatch.setattr(chunks, "OVERLAP", 2)
    said = []
    pipeline.build(folder, tmp_path / "out", 1, ("issue_log",), True, lambda problems: None, said.append)
    assert "  rendered 03-issue-log.pdf (whole: its chunks could not be joined)" in said, said
    pages = ["".join(page.split()) for page in pages_of(tmp_path / "out" / "03-issue-log.pdf")]
    assert any("ISS-002（续）" in page for page in pages), pages


def test_a_document_whose_running_header_is_not_where_chunks_take_it_is_not_chunked(sources, monkeypatch):
    """Every chunk repeats the document's running header and DRAFT mark from right after <body>: should a template
    move them, the document is laid out whole rather than joined from chunks that lack them."""
    _, htmls = _prepared(sources["data"])
    html = htmls["issue_log"]
    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    assert chunks.plan(html) is not None
    assert chunks.plan(html.replace('<div class="run"', '<div class="running"', 1)) is None


@pytest.mark.parametrize("rule", [
    "@page :first { margin-top: 40mm; }", "@page landscape:left { margin-left: 20mm; }", "@page :nth(2) { }",
    "@page { @top-center { content: counter(page); } }", "@page { @bottom-right { content: 'x'; } }",
    ".folio::after { content: counter(page); }", "@page { @top-right { content: counter( page ); } }",
    "@PAGE :FIRST { margin-top: 40mm; }", "a::after { content: target-counter(attr(href), page); }",
    "@page { @top-left { content: string(section); } }", "h2 { break-before: right; }"],
    ids=["first", "left", "nth", "number-elsewhere", "other-box", "number-in-body", "number-in-a-joined-box",
         "upper-case", "page-reference", "other-string", "parity-break"])
def test_a_theme_the_join_does_not_know_lays_the_document_out_whole(sources, monkeypatch, rule):
    """A chunk's first page is not the document's first, nor of its parity, and the join numbers the pages in
    @bottom-center and blanks the theme's other margin boxes: page selectors or other boxes mean no chunks."""
    _, htmls = _prepared(sources["data"])
    html = htmls["issue_log"]
    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    assert chunks.plan(html) is not None  # the theme as shipped
    assert chunks.plan(html.replace("</head>", f"<style>{rule}</style></head>", 1)) is None


def test_chunk_ranges_cover_every_row_and_overlap():
    assert chunks.ranges(10) == [(0, 10)] or chunks.CHUNK_ROWS < 10
    spans = chunks.ranges(5_000)
    assert spans[0][0] == 0 and spans[-1][1] == 5_000
    assert all(b[0] == a[1] - chunks.OVERLAP for a, b in zip(spans, spans[1:]))
    assert max(end - start for start, end in spans) <= chunks.CHUNK_ROWS + chunks.OVERLAP


def test_chunks_start_in_phase_when_every_page_holds_the_same_number_of_rows():
    """Rows of one height, three a page: chains of page beginnings three apart never meet, so each chunk after
    the first starts on a row the probe's pages say will begin a page; with rows of varied height it stays. After
    a chunk laid out again, only the last pages before it count (the confirmation's first page of criteria holds
    one more than the others; the probe asks for all of them), only those of one table, and only the chunks that
    start in it (a later table's rows fall otherwise)."""
    def probe(rows):
        return [chunks.Page(row, "landscape", 0, ()) for row in rows]

    one = chunks.Rows((chunks.Table(0, 0, 0, (), (), 0),), tuple((0, 0, 0, 0) for _ in range(750)))
    two = chunks.Rows((chunks.Table(0, 0, 0, (), (), 0), chunks.Table(0, 0, 0, (), (), 10)),
                      tuple((0, 0, 0 if n < 10 else 1, 0) for n in range(750)))
    spans = [(0, 250), (238, 500), (488, 750)]
    assert chunks._in_step(one, spans, 1, probe([None, None, 2, 5, 8, 11, 14])) == {1: 236}  # 488 is in step
    assert chunks._in_step(one, spans, 1, probe([None, None, 0, 6, 13, 19, 25, 31])) == {1: 235, 2: 487}
    assert chunks._in_step(one, spans, 1, probe([None, None, 0, 6, 13, 19, 25, 31]), every=True) == {}  # the probe
    assert chunks._in_step(one, spans, 1, probe([None, None, 2, 5, 8, 11, 14]), every=True) == {1: 236}
    assert chunks._in_step(one, spans, 2, probe([None, None, 0, 6, 13, 19, 25, 31])) == {2: 487}
    assert chunks._in_step(one, spans, 1, probe([None, None, 2, 5, 7, 11, 14])) == {}
    assert chunks._in_step(one, spans, 1, probe([None, None, 3])) == {}  # too few pages to tell
    assert chunks._in_step(one, spans, 1, probe([2, 5, 8, None, 11, 14, 17])) == {}  # a page begins otherwise
    assert chunks._in_step(two, spans, 1, probe([2, 5, 8, 11, 14, 17])) == {}  # 11, 14, 17: too few of table 2
    assert chunks._in_step(two, spans, 1, probe([11, 14, 17, 20])) == {1: 236}


def test_a_chunk_repeats_three_pages_of_short_rows():
    """The next chunk's first page is no page of the document: the chains can meet only on a later page, on rows
    both chunks hold. The issue log's rows (a few a page) keep OVERLAP; the report's criteria, ten a page, 30."""
    def probe(rows):
        return [chunks.Page(row, "", 0, ()) for row in rows]

    assert chunks._overlap(probe([None, None, 1, 11, 21, 31])) == 30
    assert chunks._overlap(probe([None, None, 2, 5, 9, 12])) == chunks.OVERLAP == 12
    assert chunks._overlap(probe([None, None])) == chunks.OVERLAP
    spans = chunks.ranges(1_010, 30)
    assert all(b[0] == a[1] - 30 for a, b in zip(spans, spans[1:])) and spans[-1][1] == 1_010


_TWO_TABLES = """<html><head><title>t</title></head>
<body class="b">
<div class="run" data-project="p"></div>
<div class="draft-mark">DRAFT</div>
<div class="cover">cover</div>
<section class="part">
<h4>A</h4>
<p class="intro">a</p>
<table class="grid long a"><thead><tr><th>A</th></tr></thead>
<tbody class="g"><tr><td>a0</td></tr><tr><td>a1<table class="grid long"><tbody><tr><td>in</td></tr></tbody></table></td></tr></tbody>
<tbody class="g"><tr><td>a2</td></tr></tbody>
</table>
<table class="grid long empty"><thead><tr><th>E</th></tr></thead><tbody></tbody></table>
<table class="grid small"><tbody><tr><td>s</td></tr></tbody></table>
</section>
<h4>B</h4>
<p class="intro">b</p>
<table class="grid long b"><thead><tr><th>B</th></tr></thead>
<tbody><tr><td>b0</td></tr><tr><td>b1</td></tr></tbody>
</table>
<p>end</p>
</body>
</html>
"""


def _skeleton(html: str) -> list[str]:
    """The elements of `html` in order, as `<tag class data-row>` and `</tag>`, and its words; every element closed
    where it was opened (or the assertion fails)."""
    from html.parser import HTMLParser

    found, open_tags = [], []

    class Walk(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            found.append("<" + " ".join([tag] + [f"{k}={attrs[k]}" for k in ("class", "data-row") if k in attrs]) + ">")
            if tag not in ("meta", "br"):
                open_tags.append(tag)

        def handle_endtag(self, tag):
            assert open_tags and open_tags.pop() == tag, (tag, open_tags)
            found.append(f"</{tag}>")

        def handle_data(self, data):
            found.extend(data.split())
    Walk().feed(html)
    assert open_tags == []
    return found


def test_a_chunk_spans_tables_with_what_is_between_them_as_it_is():
    """The long tables of a document make one sequence of rows (a table inside another, and one without rows, are
    none of them); a chunk over a table boundary re-opens the first one's ancestors and head, keeps what is between
    the two tables as it is, and closes the last one and its ancestors."""
    found = chunks.long_tables(_TWO_TABLES)
    assert [_TWO_TABLES[t.start:t.start + 30].split(">")[0] for t in found.tables] == [
        '<table class="grid long a"', '<table class="grid long b"']
    assert len(found.rows) == 5 and found.firsts == {0, 3}
    assert [(table, group) for _, _, table, group in found.rows] == [(0, 0), (0, 0), (0, 1), (1, 0), (1, 0)]
    assert found.tables[0].ancestors == ('<section class="part">',)

    middle = _skeleton(chunks.chunk_html(_TWO_TABLES, found, 1, 4))
    body = middle[middle.index("<body class=b>"):]
    assert body == [
        "<body class=b>", "<div class=run>", "</div>", "<div class=draft-mark>", "DRAFT", "</div>",
        "<section class=part>",  # re-opened, and table a's head: not its heading, intro, nor the cover before it
        "<table class=grid long a>", "<thead>", "<tr>", "<th>", "A", "</th>", "</tr>", "</thead>",
        "<tbody class=g>", "<tr data-row=1>", "<td>", "a1",
        "<table class=grid long>", "<tbody>", "<tr>", "<td>", "in", "</td>", "</tr>", "</tbody>", "</table>",
        "</td>", "</tr>", "</tbody>",
        "<tbody class=g>", "<tr data-row=2>", "<td>", "a2", "</td>", "</tr>", "</tbody>",
        # between the tables, as it is: the end of table a, the table without rows, a short table, the end of the
        # section, table b's heading, intro and head
        "</table>",
        "<table class=grid long empty>", "<thead>", "<tr>", "<th>", "E", "</th>", "</tr>", "</thead>", "<tbody>",
        "</tbody>", "</table>",
        "<table class=grid small>", "<tbody>", "<tr>", "<td>", "s", "</td>", "</tr>", "</tbody>", "</table>",
        "</section>", "<h4>", "B", "</h4>", "<p class=intro>", "b", "</p>",
        "<table class=grid long b>", "<thead>", "<tr>", "<th>", "B", "</th>", "</tr>", "</thead>",
        "<tbody>", "<tr data-row=3>", "<td>", "b0", "</td>", "</tr>", "</tbody>",
        "</table>", "</body>", "</html>"]  # closed after its last row: not b1, nor what follows the table
    assert "@bottom-center { content: none; }" in chunks.chunk_html(_TWO_TABLES, found, 1, 4)  # numbered afterwards

    first, last = (_skeleton(chunks.chunk_html(_TWO_TABLES, found, *span)) for span in ((0, 2), (2, 5)))
    assert first[first.index("cover"):first.index("<tr data-row=0>")] == [
        "cover", "</div>", "<section class=part>", "<h4>", "A", "</h4>", "<p class=intro>", "a", "</p>",
        "<table class=grid long a>", "<thead>", "<tr>", "<th>", "A", "</th>", "</tr>", "</thead>", "<tbody class=g>"]
    assert first[-4:] == ["</table>", "</section>", "</body>", "</html>"] and "a2" not in first
    assert last[last.index("<tr data-row=4>"):] == [
        "<tr data-row=4>", "<td>", "b1", "</td>", "</tr>", "</tbody>", "</table>", "<p>", "end", "</p>", "</body>",
        "</html>"]
    assert "<section class=part>" in last and "cover" not in last


def _model(heights: list[int], rows: list[tuple[int, int]], start: int, end: int, whole: bool = False):
    """A page layout of the items of a chunk [start, end) (or of the whole document): pages of 100 units, a
    table's head (5) on every page it continues on, a heading (8) kept with the row after it, a cover page before
    the first row and a closing part (30) after the last. Each page as its list of items."""
    items = []
    if whole or start == 0:
        items += [("cover", 0, 100), ("heading", 0, 8)]
    for n in range(start, end):
        table = rows[n][0]
        if n > start and rows[n - 1][0] != table:
            items.append(("heading", table, 8))
        items.append(("row", n, heights[table]))
    if end == len(rows):
        items.append(("closing", 0, 30))
    pages, used, tables_on_page = [[]], 0, set()
    for kind, key, height in items:
        need = height
        if kind == "row" and rows[key][0] not in tables_on_page:
            need += 5
        if kind == "heading":  # kept with the table's head and first row
            need += 5 + heights[key]
        if used + need > 100 and pages[-1]:
            pages.append([])
            used, tables_on_page = 0, set()
        if kind == "row" and rows[key][0] not in tables_on_page:
            used += 5
            tables_on_page.add(rows[key][0])
        used += height
        pages[-1].append((kind, key))
    return pages


def test_chunks_of_rows_of_one_height_a_table_join_to_the_document_and_start_in_step():
    """The join, on a model of the layout (no WeasyPrint): four tables of 2,000, 1,000, 1,000 and 1,000 rows, the
    rows of each of one height (ten, nine, ten and eight a page), as bench/generate.py's report has them. The
    probe sets the chunks' starts in step with the first table's pages; in the others they fall out of step, and a
    chunk laid out again from a true page beginning takes the later chunks of its table into step with it, all in
    one layout of chunks: the joined pages are the document's, in a few rounds of layouts, not one a chunk."""
    sizes, heights = (2000, 1000, 1000, 1000), (9, 10, 9, 11)
    rows = [(table, n) for table, size in enumerate(sizes) for n in range(size)]
    html = "<html><head></head><body>\n<div class=\"run\"></div>\n" + "".join(
        f'<h4>{table}</h4><table class="grid long"><thead><tr><th>h</th></tr></thead><tbody>'
        + "<tr><td>r</td></tr>" * size + "</tbody></table>\n" for table, size in enumerate(sizes)) + "</body></html>"
    found = chunks.long_tables(html)
    assert len(found.rows) == 5000 and found.firsts == {0, 2000, 3000, 4000}

    def page(items):
        first = next((key for kind, key in items if kind == "row"), None)
        return chunks.Page(first, "", 0, (items[0], items[-1]))

    rounds = []

    def run(htmls, inspect):
        rounds.append(len(htmls))
        results = []
        for text in htmls:
            numbers = [int(n) for n in re.findall(r'data-row="(\d+)"', text)]
            results.append((b"", [page(items) for items in _model(heights, rows, numbers[0], numbers[-1] + 1)]))
        return results

    kept_pages = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(joined, "join", lambda html, results, kept, *rest: kept_pages.extend(
            results[k][1][i].bookmarks for k, i in kept) or "joined")
        assert chunks.lay_out(html, found, "model", Path("."), run) == "joined"
    document = [(items[0], items[-1]) for items in _model(heights, rows, 0, len(rows), whole=True)]
    assert kept_pages == document and len(document) > 500
    assert rounds[:2] == [1, len(chunks.ranges(5000))]  # the probe, then every chunk at once
    assert len(rounds) <= 2 + 2 * (len(sizes) - 1), rounds  # then, for each later table, a round or two
