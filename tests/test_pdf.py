"""Rendered PDFs read back: facts, page size, fonts, metadata; font subsetting through harfbuzz."""
import subprocess

import pytest
from pypdf import PdfReader


@pytest.fixture(scope="module")
def confirmation(tmp_path_factory):
    """data/'s confirmation, from the package the other test files share (test_documents.build_package)."""
    from test_documents import build_package

    return build_package("data", tmp_path_factory).out / "01-confirmation.pdf"


def test_confirmation_facts(confirmation):
    text = subprocess.run(["pdftotext", "-layout", str(confirmation), "-"], capture_output=True,
                          text=True).stdout
    for fact in ("智慧园区综合管理平台", "HT-2026-0412", "ZHYQ-2026-017-CONF", "附件1", "验收标准清单", "F-01",
                 "P-01", "≤3s", "第1页共", "2026年10月28日"):
        assert fact in text.replace(" ", "")


def test_confirmation_is_a4_with_embedded_fonts(confirmation):
    reader = PdfReader(confirmation)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    fonts = subprocess.run(["pdffonts", str(confirmation)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(row[0].split("+", 1)[1].startswith(("Signoff-Sans", "Signoff-Serif")) for row in rows)  # package subsets
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows)  # embedded, subset, unicode map
    meta = reader.metadata
    assert meta.author == "江临数智信息技术有限公司"
    assert "验收标准确认函" in meta.title


def test_font_subsetting_uses_harfbuzz(monkeypatch, tmp_path):
    """Without libharfbuzz-subset WeasyPrint subsets with fontTools: 13–25 s a document instead of 0.1 s."""
    import weasyprint
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None

    def refuse(*args, **kwargs):
        raise AssertionError("fontTools subsetting was used")

    monkeypatch.setattr(fonts.Font, "_fonttools_subset", refuse)
    pdf = weasyprint.HTML(string='<html lang="zh-CN"><p style="font-family: Noto Sans CJK SC">验收报告</p>'
                          ).write_pdf()
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("markup, refused", [
    ('<img src="file:///etc/hostname">', "outside templates/ and assets/"),
    ('<img src="http://127.0.0.1:9/x.png">', "only the project's own files are read"),
    ('<link rel="stylesheet" href="https://example.com/x.css">', "only the project's own files are read"),
    ('<div style="background: url(file:///etc/passwd)">x</div>', "outside templates/ and assets/"),
], ids=["local-file", "http-image", "https-stylesheet", "css-url"])
def test_the_renderer_reads_only_templates_and_assets(tmp_path, markup, refused):
    """The URL fetcher is the last fence (SPEC §3): anything but data: URIs and the two folders stops the build."""
    from signoff.paths import TEMPLATES_DIR
    from signoff.pdf import Renderer, RenderError

    renderer = Renderer([TEMPLATES_DIR, tmp_path / "assets"])
    html = f'<html lang="en"><head><meta charset="utf-8"></head><body><p>x</p>{markup}</body></html>'
    with pytest.raises(RenderError, match="refusing") as caught:
        renderer.layout(html, "out.pdf", TEMPLATES_DIR)
    assert refused in str(caught.value)
    assert renderer.layout('<html lang="en"><body><p>fine</p></body></html>', "ok.pdf", TEMPLATES_DIR
                           ).pdf.startswith(b"%PDF-")


def _lay_out(html: str):
    """`html` laid out by the product's renderer, without attachments (a signoff.embed.Layout)."""
    from signoff.paths import TEMPLATES_DIR
    from signoff.pdf import Renderer

    return Renderer([TEMPLATES_DIR]).layout(html, "t.pdf", TEMPLATES_DIR)


def test_embedding_the_data_files_keeps_the_pdf_valid_and_is_reproducible(tmp_path):
    """embed.py appends the data files as an incremental update (ISO 32000-1 §7.5.6) with what PDF/A-3 asks of
    them: MIME type, dates, checksum, /AFRelationship, each file listed once in the catalog's /AF."""
    import datetime
    import hashlib
    import io

    from signoff.embed import Layout, embed

    laid_out = _lay_out('<html lang="zh-CN"><head><title>验收</title></head><body><p>验收报告</p></body></html>')
    stamp = datetime.datetime(2026, 11, 11, 9, 30, tzinfo=datetime.timezone.utc)
    files = [("project.yaml", "name: 智慧园区\n".encode()), ("issues.yaml", b"issues: []\n")]
    pdf = embed(laid_out, files, stamp)
    assert pdf == embed(laid_out, list(reversed(files)), stamp)
    assert pdf.startswith(laid_out.pdf) and embed(laid_out, [], stamp) == laid_out.pdf
    kept = laid_out.to_bytes("k1")  # as kept in output/.signoff-layout/k1.layout
    assert Layout.from_bytes(kept, "k1") == laid_out
    for wrong, key in ((kept, "k2"), (kept[:-1], "k1"), (kept[:-5] + b"EOF\n\n", "k1"), (b"%PDF-1.7", "k1")):
        with pytest.raises(ValueError):  # another document's layout, truncated, altered, not a layout at all
            Layout.from_bytes(wrong, key)
    (tmp_path / "a.pdf").write_bytes(pdf)
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "a.pdf")], capture_output=True, text=True)
    assert check.returncode == 0 and "WARNING" not in check.stdout + check.stderr, check.stdout + check.stderr

    reader = PdfReader(tmp_path / "a.pdf", strict=True)
    assert reader.attachments == {name: [data] for name, data in sorted(files)}
    catalog = reader.trailer["/Root"]
    assert [spec.get_object()["/UF"] for spec in catalog["/AF"]] == ["issues.yaml", "project.yaml"]
    for spec in catalog["/AF"]:
        spec = spec.get_object()
        assert spec["/AFRelationship"] == "/Source"
        stream = spec["/EF"]["/F"].get_object()
        data = dict(files)[spec["/UF"]]
        assert stream["/Subtype"] == "/application/yaml"
        assert stream["/Params"]["/ModDate"] == "D:20261111093000Z"
        assert bytes(stream["/Params"]["/CheckSum"].original_bytes) == hashlib.md5(data).digest()
    assert catalog["/Lang"] == "zh-CN" and "/OutputIntents" in catalog and "/Metadata" in catalog
    assert reader.metadata.title == "验收" and reader.metadata.producer.startswith("WeasyPrint")
    assert reader.trailer["/ID"][0] == PdfReader(io.BytesIO(laid_out.pdf)).trailer["/ID"][0]


def test_embedding_keeps_the_catalogs_other_names_and_takes_any_file_name(tmp_path):
    """A document with internal links has /Names /Dests: the update keeps it beside /EmbeddedFiles."""
    import datetime
    import io

    from signoff.embed import embed

    laid_out = _lay_out('<html lang="en"><body><p><a href="#x">go</a></p>'
                        '<p id="x" style="break-before: page">there</p></body></html>')
    assert b"/Dests" in laid_out.names
    files = [("项目.yaml", b"a: 1\n"), ("x (1).yaml", b"b: 2\n")]
    pdf = embed(laid_out, files, datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    (tmp_path / "a.pdf").write_bytes(pdf)
    assert subprocess.run(["qpdf", "--check", str(tmp_path / "a.pdf")], capture_output=True).returncode == 0
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert list(reader.named_destinations) == ["x"]
    assert reader.attachments == {name: [data] for name, data in files}


ONE_PAGE_LIMIT = 150_000  # bytes (issue 15): fonts subset per package, seals with a 16-level alpha


@pytest.mark.parametrize("name", ["data", "pass-en", "pending-en", "service-5x8-en"])
def test_no_one_page_document_is_over_150_kb(name, tmp_path_factory):
    from conftest import ROOT
    from test_documents import build_package

    source = ROOT / "examples" / name if name == "service-5x8-en" else None
    package = build_package(name, tmp_path_factory, source=source)
    sizes = {pdf.name: pdf.stat().st_size for pdf in sorted(package.out.glob("*.pdf"))
             if len(PdfReader(pdf).pages) == 1}
    assert sizes, "no one-page document was built"
    assert {file: size for file, size in sizes.items() if size > ONE_PAGE_LIMIT} == {}
    if name == "data":  # the rectification reports carry two seals and four faces
        assert any(file.startswith("07-rectification") for file in sizes)


def _png(mode: str, pixels) -> bytes:
    import io

    from PIL import Image

    image = Image.new(mode, (len(pixels), 1))
    image.putdata(pixels)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_images_reach_the_renderer_with_a_16_level_alpha_and_their_own_colours():
    import io

    from PIL import Image

    from signoff.pdf import print_image

    ramp = [(200 - v // 2, 30, 40 + v // 3, v) for v in range(256)]
    printed = print_image(_png("RGBA", ramp))
    with Image.open(io.BytesIO(printed)) as image:
        assert image.mode == "RGBA"
        raw = image.tobytes()
    pixels = [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    assert [p[:3] for p in pixels] == [p[:3] for p in ramp]  # colour untouched
    alphas = sorted({p[3] for p in pixels})
    assert len(alphas) == 16 and alphas[0] == 0 and alphas[-1] == 255
    assert max(abs(p[3] - q[3]) for p, q in zip(pixels, ramp)) <= 9  # 255 / 15 / 2, rounded
    assert print_image(_png("RGBA", ramp)) == printed  # deterministic
    opaque = _png("RGB", [(v, v, v) for v in range(256)])
    assert print_image(opaque) == opaque
    assert print_image(b"\xff\xd8\xff\xe0 a JPEG") == b"\xff\xd8\xff\xe0 a JPEG"


def test_the_seals_of_data_reach_the_renderer_with_16_alpha_levels_and_their_colours():
    """The seal's soft mask is what a one-page report paid for: 33 KB each at 226 alpha levels. WeasyPrint decodes
    the image and compresses it again itself, so what the PDF gains is in the pixels (16 levels), not in how
    print_image compresses them (the 150 KB test above weighs the PDFs)."""
    import io

    from PIL import Image

    from conftest import DATA_DIRS
    from signoff.pdf import ALPHA_LEVELS, print_image

    for seal in ("customer-seal.png", "contractor-seal.png"):
        data = (DATA_DIRS["data"] / "assets" / seal).read_bytes()
        before, after = (Image.open(io.BytesIO(d)).convert("RGBA") for d in (data, print_image(data)))
        levels = [len(image.getchannel("A").histogram()) - image.getchannel("A").histogram().count(0)
                  for image in (before, after)]
        assert levels[0] > 100 and levels[1] <= ALPHA_LEVELS, levels
        assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()


def test_embedding_finds_a_long_cross_reference_stream(tmp_path):
    """A 2,000-issue log has tens of thousands of objects: its cross-reference stream is longer than the 4 KB
    embed.py once searched at the end of the PDF (the build stopped with a traceback)."""
    import datetime
    import io

    import pydyf

    from signoff.embed import Layout, embed

    document = pydyf.PDF()
    for n in range(8_000):
        document.add_object(pydyf.Dictionary({"N": n}))
    out = io.BytesIO()
    document.write(out, identifier=True, compress=True)
    pdf = out.getvalue()
    xref = pdf.rfind(b"/Type /XRef")
    assert len(pdf) - xref > 4096 or b"/Type /XRef" not in pdf[-4096:]
    catalog = pydyf.Dictionary({k: v for k, v in document.catalog.items()}).data[2:-2]
    stamp = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    (tmp_path / "a.pdf").write_bytes(embed(Layout(pdf, catalog, b""), [("issues.yaml", b"issues: []\n")], stamp))
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "a.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert list(PdfReader(tmp_path / "a.pdf").attachments) == ["issues.yaml"]


def test_a_line_is_not_cut_after_one_word_when_only_its_trailing_space_overflows(tmp_path):
    """WeasyPrint laid "customer's cluster is out, see " (the text before the kept-together ISS-004) out as
    "customer's" alone on its line when the text fitted but for its trailing space (signoff/linebreak.py). In
    boxes 40 to 80 mm wide, no line of the paragraph ends where the next line's first word would still have fitted
    on it."""
    import io

    import pdfplumber

    from signoff.render import keep_together

    text = ("Upgrade to v3.10.2-rc.1 once the vendor&#39;s patch for the customer&#39;s cluster is out, see "
            "ISS-004. The fix waits on the third party&#39;s release of the library, due 2027-03-01 at the latest.")
    widths = range(40, 81)
    boxes = "".join(f'<div style="width: {w}mm; margin: 0 0 4mm; page-break-inside: avoid">{text}</div>'
                    for w in widths)
    html = keep_together(f'<html lang="en"><head><style>@page {{ size: A4; margin: 10mm }} body {{ font: 9pt '
                         f'"DejaVu Sans" }} .nb {{ white-space: nowrap }}</style></head><body>{boxes}</body></html>')
    early = []
    with pdfplumber.open(io.BytesIO(_lay_out(html).pdf)) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text_lines()]
    paragraphs = []  # the lines of each box, in order: a box's first line starts with "Upgrade"
    for line in lines:
        if line["text"].startswith("Upgrade"):
            paragraphs.append([])
        paragraphs[-1].append(line)
    assert len(paragraphs) == len(widths)
    space = 9 * 0.318  # DejaVu Sans's space, 9 pt
    for width, paragraph in zip(widths, paragraphs):
        right = 10 * 72 / 25.4 + width * 72 / 25.4
        for line, after in zip(paragraph, paragraph[1:]):
            word = after["text"].split()[0]
            word_width = sum(c["x1"] - c["x0"] for c in after["chars"][:len(word)])
            if line["x1"] + space + word_width <= right - 0.5:
                early.append((width, line["text"], word))
    assert early == []


def test_an_english_possessive_is_never_hyphenated(tmp_path):
    """pyphen's breaks left a possessive's ending alone on the next line of a narrow English cell ("custom‐ /
    er's", "carri‐ / er's", "operat‐ / or's", found by a reader); in cells 20 to 60 mm wide no line ends in a
    hyphen before a possessive (31 did before), while the other words still hyphenate."""
    import io
    import re

    import pdfplumber

    from signoff.render import keep_together

    text = ("Restart the customer&#39;s gateway after the carrier&#39;s maintenance window and check the "
            "operator&#39;s dashboard, the supplier&#39;s certificate and the engineer&#39;s handover notes")
    widths = [w / 2 for w in range(40, 121)]
    cells = "".join(f'<table style="width: {w}mm; margin: 0 0 3mm; border-collapse: collapse; table-layout: fixed; '
                    f'page-break-inside: avoid"><tr><td>{text}</td></tr></table>' for w in widths)
    html = keep_together(f'<html lang="en"><head><style>@page {{ size: A4; margin: 10mm }} body {{ font: 9pt '
                         f'"Noto Sans CJK SC"; overflow-wrap: anywhere }} td {{ hyphens: auto; padding: 0 }} '
                         f'.nb {{ white-space: nowrap }} .nh {{ hyphens: manual }}</style></head><body>{cells}'
                         '</body></html>')
    with pdfplumber.open(io.BytesIO(_lay_out(html).pdf)) as pdf:
        lines = [line["text"] for page in pdf.pages for line in page.extract_text_lines()]
    hyphenated = [(a.split()[-1], b.split()[0]) for a, b in zip(lines, lines[1:]) if a.endswith(("-", "\u2010"))]
    assert [pair for pair in hyphenated if re.match(r"[a-z]+['’]s", pair[1])] == []
    assert ("main\u2010", "tenance") in hyphenated  # hyphenation itself is still on
