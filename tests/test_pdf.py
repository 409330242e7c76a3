"""Rendered PDFs read back: facts, page size, fonts, metadata; font subsetting through harfbuzz."""
import subprocess

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, run_build


@pytest.fixture(scope="module")
def confirmation(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_build("build", "--data", str(DATA_DIRS["data"]), "--out", str(out), "--only", "confirmation")
    assert result.returncode == 0, result.stderr
    return out / "01-confirmation.pdf"


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
    assert rows and all("Noto" in row[0] for row in rows)
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

    renderer = Renderer([TEMPLATES_DIR, tmp_path / "assets"], epoch=0)
    html = f'<html lang="en"><head><meta charset="utf-8"></head><body><p>x</p>{markup}</body></html>'
    with pytest.raises(RenderError, match="refusing") as caught:
        renderer.write_pdf(html, tmp_path / "out.pdf", [], TEMPLATES_DIR)
    assert refused in str(caught.value)
    assert not (tmp_path / "out.pdf").exists()
    renderer.write_pdf('<html lang="en"><body><p>fine</p></body></html>', tmp_path / "ok.pdf", [], TEMPLATES_DIR)
    assert (tmp_path / "ok.pdf").read_bytes().startswith(b"%PDF-")
