"""Long documents laid out in chunks of rows (signoff/chunks.py, issue 15): the joined PDF's pages are
pixel-identical at 60 dpi to the document laid out whole, its page numbers, outline, PDF/A catalog and
attachments are right, and the bytes depend neither on the cores nor on the run.

The chunking threshold is lowered here (a few rows a chunk) rather than building thousands of issues: the same
joins happen, more often."""
from __future__ import annotations

import datetime
import functools
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from conftest import DATA_DIRS
from stress import make_long_project

from signoff import chunks

# The issue log and the confirmation's Attachment 1 (the report's criteria are short tables, one a category).
# Both documents in both languages: data/'s issue log (zh), pending-en's Attachment 1 (en), and the stress package's
# issue log (65 pages; without its rows taller than a page: a document with one is laid out whole, see below).
PACKAGES = {"data": ("issue_log",), "pending-en": ("confirmation",), "long": ("issue_log",)}
CASES = [(package, key) for package, keys in PACKAGES.items() for key in keys]


@functools.lru_cache(maxsize=None)
def _long_source(root: str, tall: bool) -> Path:
    return make_long_project(Path(root) / "data", tall=tall)


@pytest.fixture(scope="session")
def sources(tmp_path_factory):
    folders = dict(DATA_DIRS)
    folders["long"] = _long_source(str(tmp_path_factory.mktemp("chunks-long")), False)
    folders["tall"] = _long_source(str(tmp_path_factory.mktemp("chunks-tall")), True)
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
    fonts = pipeline._package_fonts(checked.sources)
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
    monkeypatch.setattr(chunks, "NUMBER_PAGES", 3)  # the page numbers in pieces too


def _serial(renderer, joins: list):
    from signoff.paths import TEMPLATES_DIR

    def run(htmls, inspect):
        if inspect:
            joins.append(len(htmls))
            return [chunks.lay_out_chunk(renderer, html, "chunk", TEMPLATES_DIR) for html in htmls]
        return [renderer.pdf_of(html, "numbers", TEMPLATES_DIR) for html in htmls]
    return run


def _pages(pdf: Path) -> list[Image.Image]:
    folder = pdf.with_suffix("")
    folder.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / "p")], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(folder.glob("*.png"))]


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


@pytest.mark.parametrize("package, key", CASES, ids=[f"{p}-{k}" for p, k in CASES])
def test_chunked_pages_are_pixel_identical_to_one_layout(package, key, sources, tmp_path, monkeypatch):
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources[package])
    html = htmls[key]
    table = chunks.long_table(html)
    assert table is not None and len(table.rows) >= 3, "no long table to lay out in chunks"
    _small_chunks(monkeypatch, len(table.rows))
    joins: list[int] = []
    chunked = chunks.lay_out(html, chunks.plan(html), key, TEMPLATES_DIR, _serial(renderer, joins))
    assert chunked is not None and max(joins) >= 2, joins
    whole = renderer.layout(html, key, TEMPLATES_DIR)
    (tmp_path / "whole.pdf").write_bytes(whole.pdf)
    (tmp_path / "chunked.pdf").write_bytes(chunked.pdf)

    one, joined = _pages(tmp_path / "whole.pdf"), _pages(tmp_path / "chunked.pdf")
    assert len(joined) == len(one) > 1
    differ = [n for n, (a, b) in enumerate(zip(one, joined), 1) if ImageChops.difference(a, b).getbbox()]
    assert differ == [], f"pages {differ} differ from the document laid out whole"
    assert _outline(PdfReader(tmp_path / "chunked.pdf")) == _outline(PdfReader(tmp_path / "whole.pdf"))


def test_a_row_taller_than_a_page_lays_the_document_out_whole(sources, monkeypatch):
    """Where a row taller than a page breaks, and so its continuation marks, depends on the pages around it: the
    stress package's ISS-030 makes its issue log be laid out in one piece (lay_out gives None)."""
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources["tall"])
    html = htmls["issue_log"]
    _small_chunks(monkeypatch, len(chunks.long_table(html).rows))
    joins: list[int] = []
    assert chunks.lay_out(html, chunks.plan(html), "issue_log", TEMPLATES_DIR, _serial(renderer, joins)) is None
    assert joins  # the chunks were tried


def test_a_joined_pdf_is_pdfa_with_its_attachments_and_the_same_bytes_every_time(sources, tmp_path, monkeypatch):
    from signoff.embed import embed
    from signoff.paths import TEMPLATES_DIR

    renderer, htmls = _prepared(sources["data"])
    html = htmls["issue_log"]
    _small_chunks(monkeypatch, len(chunks.long_table(html).rows))
    made = [chunks.lay_out(html, chunks.plan(html), "log", TEMPLATES_DIR, _serial(renderer, [])) for _ in range(2)]
    assert made[0] == made[1]
    stamp = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    files = [("issues.yaml", b"issues: []\n"), ("project.yaml", "项目: 验收\n".encode())]
    pdf = tmp_path / "log.pdf"
    pdf.write_bytes(embed(made[0], files, stamp))
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors found" in check.stdout, check.stdout
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert sorted(reader.attachments) == ["issues.yaml", "project.yaml"]
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Source", "/Source"]
    total = len(reader.pages)
    texts = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = texts.split("\f")[:-1]
    assert [f"第{n}页共{total}页" in "".join(page.split()) for n, page in enumerate(pages, 1)] == [True] * total


def test_a_build_lays_a_long_document_out_in_chunks_the_same_on_one_core_and_on_two(tmp_path, monkeypatch):
    """What `make` writes does not depend on the cores: the chunks follow the rows only."""
    from signoff import pipeline

    monkeypatch.setattr(chunks, "THRESHOLD", 2)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 4)
    monkeypatch.setattr(chunks, "OVERLAP", 2)
    said = []
    outs = {}
    for jobs in (1, 2):
        outs[jobs] = tmp_path / f"out{jobs}"
        pipeline.build(DATA_DIRS["data"], outs[jobs], jobs, ("issue_log",), True, lambda problems: None, said.append)
    assert "  rendered 03-issue-log.pdf (in chunks)" in said
    assert (outs[1] / "03-issue-log.pdf").read_bytes() == (outs[2] / "03-issue-log.pdf").read_bytes()
    assert sorted(PdfReader(outs[2] / "03-issue-log.pdf").attachments) == ["criteria.yaml", "issues.yaml",
                                                                            "project.yaml"]


def test_chunk_ranges_cover_every_row_and_overlap():
    assert chunks.ranges(10) == [(0, 10)] or chunks.CHUNK_ROWS < 10
    spans = chunks.ranges(5_000)
    assert spans[0][0] == 0 and spans[-1][1] == 5_000
    assert all(b[0] == a[1] - chunks.OVERLAP for a, b in zip(spans, spans[1:]))
    assert max(end - start for start, end in spans) <= chunks.CHUNK_ROWS + chunks.OVERLAP


def test_chunks_start_in_phase_when_every_page_holds_the_same_number_of_rows():
    """Rows of one height, three a page: chains of page beginnings three apart never meet, so each chunk after
    the first starts on a row the probe's pages say will begin a page; with rows of varied height it stays."""
    def probe(rows):
        return [chunks.Page(row, "landscape", 0, ()) for row in rows]

    spans = [(0, 250), (238, 500), (488, 750)]
    assert chunks._in_phase(spans, probe([None, 0, 2, 5, 8, 11, 14])) == [(0, 250), (236, 500), (488, 750)]
    assert chunks._in_phase(spans, probe([None, 0, 2, 5, 7, 11, 14])) == spans
    assert chunks._in_phase(spans, probe([None, 0, 3])) == spans  # too few pages to tell
