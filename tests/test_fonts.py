"""Package-level fonts (signoff/fonts.py): one subset per theme face, deterministic, cached by the font files'
digests and the character set, untrusted when read back; the PDFs laid out from them look exactly the same."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from PIL import ImageChops

from conftest import DATA_DIRS, once, page_images, run_build
from test_documents import build_package

from signoff import fonts


THEME = {"sans": "Noto Sans CJK SC", "serif": "Noto Serif CJK SC"}
SANS = {"sans": THEME["sans"]}  # two faces (regular, bold): enough for the cache's mechanics
CHARS = frozenset("验收报告 Acceptance report 第页共 0123456789")


@pytest.fixture(scope="session")
def small_faces(tmp_path_factory) -> dict[int, str]:
    """The sans faces (regular and bold) cut down to the characters the cache's tests ask for, made once per run:
    the mechanics (keys, pruning, damaged files, read-only caches) are the same for any font file, and a subset of
    a 20 MB collection took 0.3 s where one of these takes milliseconds. Every build of the suite subsets the
    installed collections themselves (test_every_theme_glyph_comes_from_the_package_subsets, the pixel test)."""
    def make(folder: Path) -> None:
        for weight in (400, 700):
            path, index = fonts._face(SANS["sans"], weight)
            (folder / f"sans-{weight}.otf").write_bytes(fonts._subset(path, index, CHARS | set("甲乙龘")))

    folder = once(tmp_path_factory, "small-faces", make)
    return {weight: str(folder / f"sans-{weight}.otf") for weight in (400, 700)}


@pytest.fixture
def small(small_faces, monkeypatch) -> None:
    """fontconfig's answer for the sans family replaced by the small faces."""
    real = fonts._face
    monkeypatch.setattr(fonts, "_face", lambda family, weight: (small_faces[weight], 0) if family == SANS["sans"]
                        else real(family, weight))


@pytest.fixture
def cache(tmp_path, monkeypatch, small) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "signoff" / "fonts"


def _files(font_set) -> dict[str, bytes]:
    return {name: Path(name.removeprefix("file://")).read_bytes()
            for name in (rule.split('url("')[1].split('")')[0] for rule in font_set.css.splitlines())}


def test_subsets_are_deterministic_and_come_from_the_cache(cache):
    """(The four faces of the theme are each subset in every build: the pixel test below reads them back.)"""
    first = fonts.package_fonts({"fonts": SANS}, CHARS)
    made = _files(first)
    assert len(made) == 2 and all(data.startswith(b"OTTO") for data in made.values())
    for path in cache.glob("*.otf"):
        path.unlink()
    second = fonts.package_fonts({"fonts": SANS}, CHARS)
    assert second.css == first.css and _files(second) == made  # made again, byte for byte


def test_the_least_recently_used_subsets_are_pruned(cache, monkeypatch):
    """A subset read from the cache counts as used: the project built every day keeps its subsets however many
    other character sets were made since (with 2 kept: the set used again survives, the one unused goes)."""
    sans = SANS  # two faces (regular, bold) per character set
    monkeypatch.setattr(fonts, "KEEP_SUBSETS", 4)  # two character sets
    first = _files(fonts.package_fonts({"fonts": sans}, CHARS))
    other = _files(fonts.package_fonts({"fonts": sans}, CHARS | {"甲"}))
    first, other = ([Path(name.removeprefix("file://")) for name in files] for files in (first, other))
    for age, path in enumerate((*first, *other), start=1):  # made in this order, long ago
        os.utime(path, (age, age))
    fonts.package_fonts({"fonts": sans}, CHARS)  # a hit: used now
    fonts.package_fonts({"fonts": sans}, CHARS | {"乙"})  # a third set: one set must go
    assert all(path.exists() for path in first)
    assert not any(path.exists() for path in other)


def test_a_damaged_or_replaced_cache_file_is_made_again(cache):
    first = fonts.package_fonts({"fonts": SANS}, CHARS)
    made = _files(first)
    victim, other = sorted(cache.glob("*.otf"))[:2]
    victim.write_bytes(other.read_bytes())  # another face's subset in its place
    assert _files(fonts.package_fonts({"fonts": SANS}, CHARS)) == made
    victim.write_bytes(b"OTTO")  # truncated
    assert _files(fonts.package_fonts({"fonts": SANS}, CHARS)) == made


def test_the_key_follows_the_characters_the_font_files_and_the_subsetting_code(cache, monkeypatch):
    base = fonts.package_fonts({"fonts": SANS}, CHARS)
    assert fonts.package_fonts({"fonts": SANS}, CHARS | {"龘"}).digest != base.digest
    with monkeypatch.context() as edited:  # _subset's options changed: a subset of the old code is not taken
        edited.setattr(fonts, "_subset_code", lambda: "0" * 64)
        assert fonts.package_fonts({"fonts": SANS}, CHARS).digest != base.digest
    monkeypatch.setattr(fonts, "_file_digest", lambda path, folder: "0" * 64)  # an upgraded font package
    assert fonts.package_fonts({"fonts": SANS}, CHARS).digest != base.digest


def test_a_cache_one_may_read_but_not_write_is_still_used(cache, monkeypatch):
    """A read-only cache (a CI cache mounted read-only, files of another user): marking a hit as used fails, and
    the subsets are taken from it all the same, not made again."""
    first = _files(fonts.package_fonts({"fonts": SANS}, CHARS))

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    def never(*args):
        raise AssertionError("a subset was made again")

    monkeypatch.setattr(fonts.os, "utime", refused)
    monkeypatch.setattr(fonts, "_subset", never)
    assert _files(fonts.package_fonts({"fonts": SANS}, CHARS)) == first


def test_an_unwritable_cache_still_builds(tmp_path, monkeypatch, small):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    font_set = fonts.package_fonts({"fonts": SANS}, CHARS)
    assert len(_files(font_set)) == 2 and all(data.startswith(b"OTTO") for data in _files(font_set).values())


def _plant(folder: Path) -> dict[Path, bytes]:
    """Every subset in `folder` replaced by other bytes, with the record that vouches for them, as someone who can
    write to the cache would: the planted files, which agree with their records."""
    planted = {}
    for subset in sorted(folder.glob("*.otf")):
        data = b"OTTO planted " + subset.name.encode()
        subset.write_bytes(data)
        subset.with_suffix(".sha256").write_text(hashlib.sha256(data).hexdigest())
        planted[subset] = data
    return planted


def test_a_cache_others_may_write_to_is_closed_and_emptied_before_use(cache):
    """A subset decides which glyphs print: in one's own cache folder that others could write to (made under a
    umask of 002), a subset that agrees with its record is someone's as much as ours. The folder is closed to
    them and emptied, and the subsets are made again."""
    made = _files(fonts.package_fonts({"fonts": SANS}, CHARS))
    root = cache.parent
    (root / "layout-seal.key").write_bytes(b"k" * 32)
    assert _plant(cache)
    os.chmod(root, 0o777)
    assert _files(fonts.package_fonts({"fonts": SANS}, CHARS)) == made
    assert os.stat(root).st_mode & 0o777 == 0o700
    assert not (root / "layout-seal.key").exists()


def test_an_open_cache_that_cannot_be_emptied_is_never_trusted(cache, monkeypatch):
    """A folder another user made inside one's open cache cannot be removed by its owner: closed first and then
    emptied, the cache kept it, and the next look found a closed folder of one's own and trusted what was left."""
    from signoff import paths

    root = cache.parent
    planted = root / "fonts"
    planted.mkdir(parents=True)
    (planted / "x.otf").write_bytes(b"OTTO planted")
    (planted / "x.sha256").write_text(hashlib.sha256(b"OTTO planted").hexdigest())
    os.chmod(root, 0o777)
    monkeypatch.setattr(paths.shutil, "rmtree", lambda *args, **kwargs: None)  # removes nothing, as it could not
    assert paths.cache_dir() == root and paths.cache_dir() == root
    assert list(root.iterdir()) == [] and os.stat(root).st_mode & 0o777 == 0o700
    aside = [path for path in root.parent.iterdir() if path.name.startswith(".signoff-untrusted-")]
    assert [sorted(p.name for p in (a / "signoff" / "fonts").iterdir()) for a in aside] == [["x.otf", "x.sha256"]]


def test_two_builds_that_find_the_cache_open_at_once_keep_the_one_the_first_made(cache, monkeypatch):
    """Both see the open folder; the first moves it aside and makes a new one, and fills it. The second, moving
    "the open folder" aside after that, moved the first's new one, with the subsets that build was reading."""
    from signoff import paths

    root = cache.parent
    root.mkdir(parents=True)
    os.chmod(root, 0o777)
    real = paths.tempfile.mkdtemp

    def first_build_meanwhile(**options):  # the first build's whole move, between the second's look and its move
        os.rename(root, Path(real(**options)) / "gone")
        root.mkdir(mode=0o700)
        (root / "in-use").write_text("the first build's")
        return real(**options)

    monkeypatch.setattr(paths.tempfile, "mkdtemp", first_build_meanwhile)
    assert paths.private_folder(root)
    assert (root / "in-use").read_text() == "the first build's" and os.stat(root).st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="only root can build with another user's HOME")
def test_root_with_another_users_home_makes_nothing_there(tmp_path, monkeypatch):
    """`sudo make` without -H: root made the user's ~/.cache, and the cache in it, root's: the user's own builds
    could then never cache, nor other programs write to ~/.cache."""
    from signoff import paths

    home = tmp_path / "alice"
    home.mkdir()
    os.chown(home, 65534, 65534)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    assert not paths.cache_dir().is_relative_to(home)
    assert list(home.iterdir()) == []


@pytest.mark.parametrize("kind", ["a link", "another user's"])
def test_a_cache_that_is_a_link_or_another_users_is_not_used(cache, tmp_path, kind):
    """~/.cache/signoff a link to another folder, or a folder another user owns: nothing in it is read or
    written; the build makes its subsets in a folder of its own."""
    made = _files(fonts.package_fonts({"fonts": SANS}, CHARS))
    root = cache.parent
    elsewhere = tmp_path / "elsewhere"
    root.rename(elsewhere)
    planted = _plant(elsewhere / "fonts")
    if kind == "a link":
        root.symlink_to(elsewhere, target_is_directory=True)
    elif os.getuid() != 0:
        pytest.skip("only root can give a folder to another user")
    else:
        elsewhere.rename(root)
        os.chown(root, 65534, 65534)
        planted = {root / path.relative_to(elsewhere): data for path, data in planted.items()}
    before = sorted(p.name for p in (root / "fonts").iterdir())
    found = fonts.package_fonts({"fonts": SANS}, CHARS)
    assert sorted(_files(found).values()) == sorted(made.values())
    assert all(not Path(name.removeprefix("file://")).is_relative_to(root.resolve()) for name in _files(found))
    assert sorted(p.name for p in (root / "fonts").iterdir()) == before  # nothing written there
    assert all(path.read_bytes() == data for path, data in planted.items())


def _embedded_fonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines()[2:]]


@pytest.mark.parametrize("name", ["data", "pass-en"])
def test_every_theme_glyph_comes_from_the_package_subsets(name, tmp_path_factory):
    """A character missing from the subsets would be drawn from the installed collection instead (bigger PDFs):
    the package's characters must all be in them."""
    package = build_package(name, tmp_path_factory)
    for pdf in sorted(package.out.glob("*.pdf")):
        families = {font.split("+", 1)[1] for font in _embedded_fonts(pdf)}
        assert not {f for f in families if f.startswith("Noto")}, (pdf.name, families)
        assert families & {"Signoff-Sans", "Signoff-Serif"}, (pdf.name, families)


def test_pages_are_pixel_identical_to_the_installed_fonts(tmp_path):
    """The same HTML laid out from the installed collections and from the package subsets, at 60 dpi: a
    rectification report of two pages, which sets all four theme faces (the report, of seven, does too), with no
    word hyphenated."""
    from signoff import pipeline
    from signoff.documents import plan_outputs
    from signoff.paths import TEMPLATES_DIR
    from signoff.pdf import Renderer
    from signoff.provenance import Provenance
    from signoff.render import make_environment, render_html

    data = DATA_DIRS["pass-en"]
    checked = pipeline.check(data)
    font_set = pipeline._package_fonts(checked)
    provenance = Provenance("untracked", None, None, 1_700_000_000)
    env = make_environment()
    renderer = Renderer([TEMPLATES_DIR, data / "assets", *font_set.folders])
    output = next(o for o in plan_outputs(checked.facts) if o.file == "07-rectification-ISS-002.pdf")
    pdfs = {}
    for label, chosen in (("installed", None), ("subset", font_set)):
        html = render_html(env, checked.facts, output, provenance, data / "assets", chosen)
        # no word hyphenated: the subsets draw U+2010 as their "-" on purpose (the next test)
        html = html.replace("</head>", "<style>html td, html th, html p { hyphens: manual !important; }</style></head>")
        pdfs[label] = tmp_path / f"{label}.pdf"
        pdfs[label].write_bytes(renderer.layout(html, output.file, TEMPLATES_DIR).pdf)
    assert pdfs["subset"].stat().st_size < pdfs["installed"].stat().st_size / 2
    installed, subset = page_images(pdfs["installed"], tmp_path / "a"), page_images(pdfs["subset"], tmp_path / "b")
    assert len(installed) == len(subset) > 1
    assert {font.split("+", 1)[1] for font in _embedded_fonts(pdfs["subset"])} == {
        "Signoff-Sans", "Signoff-Sans-Bold", "Signoff-Serif", "Signoff-Serif-Bold"}
    for number, (a, b) in enumerate(zip(installed, subset), 1):
        assert ImageChops.difference(a, b).getbbox() is None, f"page {number} differs"


@pytest.mark.parametrize("name, proportional", [("pass-en", True), ("data", False)])
def test_curly_quotes_are_proportional_in_english_and_full_width_in_chinese(name, proportional, data_copy, tmp_path):
    """The theme's CJK fonts set “ ” ‘ ’ and … full-width, as Chinese does: typed in English they printed
    'the  “Gateway”  Programme’ s' (found by a reader), and "5 × 8" (found looking at a page). English documents set the fonts' proportional forms (the
    subsets keep them); Chinese ones keep the full-width forms. Measured in the PDF: a glyph's advance against its
    font size, in the running header (a margin box, whose `font:` had reset the variant) and the body."""
    import pdfplumber

    from conftest import edit

    folder = data_copy(name)
    old = "Harbour Yard Management System" if name == "pass-en" else "智慧园区综合管理平台"
    edit(folder / "project.yaml", f"  name: {old}", f"  name: {old} “Gateway” Programme’s… §3 5×8 ≤")
    out = tmp_path / "out"
    done = run_build("build", "--data", str(folder), "--out", str(out), "--only", "confirmation")
    assert done.returncode == 0, done.stderr
    with pdfplumber.open(out / "01-confirmation.pdf") as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"] in "“”’"]  # (… is about 1 em wide either way)
        symbols = [c for c in pdf.pages[0].chars if c["text"] in "§×≤"]
    assert len({round(c["top"]) for c in chars}) >= 3 and len(chars) >= 9  # the header, the title, the table
    for c in chars:
        share = c["width"] / c["size"]
        assert (share < 0.6 if proportional else share > 0.9), (c["text"], round(c["top"]), share)
    # § × ≤ have no proportional form in the CJK faces ("5 × 8" in English): English takes them from the Latin
    # faces, Chinese keeps them full-width
    assert len({round(c["top"]) for c in symbols}) >= 3 and len(symbols) >= 9
    for c in symbols:
        share, latin = c["width"] / c["size"], "-Latin" in c["fontname"]
        assert (share < 0.9 and latin if proportional else share > 0.9 and not latin), (c["text"], c["fontname"],
                                                                                          share)


def test_the_hyphen_of_a_hyphenated_word_is_drawn_as_the_fonts_hyphen_minus():
    """Noto CJK sets U+2010, the hyphen WeasyPrint adds where it hyphenates an English word, full-width with the
    dash in its middle: "trans ‐ ceiver" (found looking at a page). The subsets draw it as their "-", as wide,
    under a glyph of its own (the text still reads U+2010)."""
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from signoff import pipeline

    faces = pipeline._package_fonts(pipeline.check(DATA_DIRS["pass-en"]))
    # the theme's four faces (an English package takes some symbols from the Latin faces, which set no hyphen)
    files = [Path(url.removeprefix("file://")) for family, url in
             re.findall(r'font-family: "([^"]+)";[^}]*url\("([^"]+)"\)', faces.css) if family in fonts.FAMILIES.values()]
    assert len(files) == 4, faces.css
    # A Chinese package has those four alone: no letter the CJK faces lack is written in Signoff's own files,
    # whose characters every package holds (a comment's ☐ once gave every package Latin faces).
    assert len(re.findall(r"url\(", pipeline._package_fonts(pipeline.check(DATA_DIRS["data"])).css)) == 4
    for path in files:
        font = TTFont(path)
        cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
        hyphen, minus = cmap[0x2010], cmap[0x2D]
        assert hyphen != minus and font["hmtx"][hyphen] == font["hmtx"][minus], path.name
        drawn = []
        for name in (hyphen, minus):
            pen = RecordingPen()
            glyphs[name].draw(pen)
            drawn.append(pen.value)
        assert drawn[0] == drawn[1] and drawn[0], path.name


LATIN_NAMES = {"Margaret Holt": "Łukasz Wróblewski", "Daniel Okafor": "Jiří Dvořák", "Priya Raman": "Ödön Erdős",
               "Lucas Meyer": "Ayşe Yılmaz", "Larkspur Harbour Logistics Co., Ltd.": "Gdańsk Żegluga Co., Ltd."}


def test_letters_the_cjk_faces_lack_print_from_the_latin_fallback(data_copy, tmp_path):
    """Noto CJK has no Ł, ř, ő or ş: a Polish, Czech, Hungarian or Turkish name was refused by the glyph check.
    What the theme's faces lack is drawn from their fallback (theme.yaml: DejaVu), a subset under a name of its
    own; everything else as before. Read back from the PDF: the names whole, each of those letters from the
    fallback and every other letter from the theme's subsets (with the fallback as a second face of the same
    name, WeasyPrint read one face's glyph ids in the other: "Co., Ltd." printed "Co.ŻLtd.")."""
    import pdfplumber

    from conftest import edit, pages_of

    folder = data_copy("pass-en")
    for old, new in LATIN_NAMES.items():
        edit(folder / "project.yaml", f"name: {old}", f"name: {new}")
    out = tmp_path / "out"
    done = run_build("build", "--data", str(folder), "--out", str(out), "--only", "report")
    assert done.returncode == 0, done.stderr
    pdf = out / "04-report.pdf"
    text = " ".join(" ".join(pages_of(pdf)).split())
    for name in LATIN_NAMES.values():
        assert name in text, name
    assert "Co., Ltd." in text and "Co.Ż" not in text
    lacking = set("ŁřőşŻı")  # (ó, ń, ě, í and Ö are in Noto CJK)
    with pdfplumber.open(pdf) as document:
        chars = [c for page in document.pages for c in page.chars]
    fallback = {c["fontname"].split("+", 1)[1] for c in chars if c["text"] in lacking}
    assert fallback == {"Signoff-Sans-Latin", "Signoff-Serif-Latin"}, fallback
    theme = {c["fontname"].split("+", 1)[1] for c in chars if c["text"].isascii() and c["text"].isalnum()}
    assert theme == {"Signoff-Sans", "Signoff-Sans-Bold", "Signoff-Serif", "Signoff-Serif-Bold"}, theme
