"""Package-level fonts: one small subset of each theme face for the characters a package can print, cached."""
from __future__ import annotations

import atexit
import functools
import hashlib
import inspect
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .glyphs import covered_characters, font_files, full_width_symbols
from .paths import CODE_DIR, SCHEMA_DIR, TEMPLATES_DIR, cache_dir, prune, read_cache, read_json_cache, used, write_cache

# WeasyPrint embeds each face it uses, subset by HarfBuzz but with the glyph ids of the font it was given: a
# Noto CJK face has 65,535 glyphs, so every PDF carried three or four 150 KB subsets, and reading the 20–27 MB
# collections was a fifth of a one-page document's time. Laying out from a subset of a few thousand glyphs
# made once per package (the characters of its data, its templates and labels, and Signoff's own code, which
# formats dates) gives the same glyphs at a fraction of both costs.
#
# The faces are given to WeasyPrint under names of their own (FAMILIES): fontconfig would otherwise prefer the
# installed collection of the same name, whose character set covers the page's language and a subset's does not.
FAMILIES = {"sans": "Signoff Sans", "serif": "Signoff Serif"}
# A face of its own name, not a second face of the same one: WeasyPrint tells the fonts of a PDF apart by family,
# weight and style, and drew one face's glyph ids with the other's (a Z with a dot above for the ", " of "Co., Ltd.").
# (No letter the CJK faces lack is written in Signoff's code: the code's characters are in every package.)
FALLBACK_FAMILIES = {"sans": "Signoff Sans Latin", "serif": "Signoff Serif Latin"}
WEIGHTS = {400: "regular", 700: "bold"}
# Characters WeasyPrint or Babel may print that no data file, template or label spells out (U+2010 is the hyphen
# WeasyPrint adds where it hyphenates an English word).
_ALWAYS = "".join(map(chr, range(0x20, 0x7F))) + "\u00a0\u2010\u00ad•◦▪–—…‘’“”·×≤≥≠±°℃№〇一二三四五六七八九十年月日"


_SPACES = frozenset(" \u00a0")
# Full-width symbols an English package still takes from the theme's face: the hyphen, which the subsets draw in
# a form of their own (`_hyphen_as_the_hyphen_minus`), and the check box □, under whose corner theme.css sets the
# face's ✓ (from the fallback, the box was narrower and the tick stood out of it)
_KEPT_IN_THEME = frozenset({0x2010, 0x25A1})


@dataclass(frozen=True)
class FontSet:
    """The subset faces of one package: the CSS that declares them, the folders that hold them, a digest."""

    css: str
    folders: tuple[Path, ...]
    digest: str
    families: dict[str, tuple[str, ...]]  # each role's families, in the order CSS lists them


def package_characters(texts) -> frozenset[str]:
    """Every character a package may print: `texts` (the data's strings), the templates, labels and code."""
    chars = set(_ALWAYS)
    for text in texts:
        chars.update(text)
    for folder, pattern in ((TEMPLATES_DIR, "**/*"), (SCHEMA_DIR, "*.yaml"), (CODE_DIR, "*.py")):
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and path.suffix in (".j2", ".yaml", ".py"):
                chars.update(path.read_text(encoding="utf-8"))
    return frozenset(c for c in chars if c.isprintable() or c == "\u00a0")


def _face(family: str, weight: int) -> tuple[str, int]:
    """The file and face index fontconfig gives for a family at a weight (glyphs.font_files)."""
    return font_files([f"{family}:{WEIGHTS[weight]}"])[0]


def _file_digest(path: str, cache: Path) -> str:
    """The SHA-256 of a font file, remembered by path, size and modification time (the files are 20–27 MB)."""
    stat = os.stat(path)
    memo = cache / "digests.json"
    key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    known = read_json_cache(memo)
    if not isinstance(known, dict):
        known = {}
    digest = known.get(key)
    if isinstance(digest, str) and len(digest) == 64:
        return digest
    h = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    known[key] = digest
    write_cache(memo, json.dumps(known, sort_keys=True).encode())
    return digest


def _hyphen_as_the_hyphen_minus(font) -> None:
    """U+2010, the hyphen WeasyPrint adds where it hyphenates an English word, drawn as the font's "-" and as
    wide: Noto CJK sets it full-width with the dash in its middle ("trans ‐ ceiver"), and has no proportional
    form of it. A glyph of its own, so that the PDF's text still reads U+2010 there and "-" elsewhere."""
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    cmap = font.getBestCmap()
    source, target = cmap.get(0x2D), cmap.get(0x2010)
    if not source or not target or source == target or "CFF " not in font:
        return
    charstrings = font["CFF "].cff.topDictIndex[0].CharStrings
    old = charstrings[target]
    width, lsb = font["hmtx"][source]
    glyphs = font.getGlyphSet()
    pen = T2CharStringPen(width - getattr(old.private, "nominalWidthX", 0), glyphs)
    glyphs[source].draw(pen)
    charstrings[target] = pen.getCharString(private=old.private, globalSubrs=old.globalSubrs)
    font["hmtx"][target] = (width, lsb)


def _subset(path: str, index: int, chars: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    # fontTools' default features are those HarfBuzz applies to horizontal text; all of them ('*') drew in
    # every vertical and alternate form of each character: twice the glyphs and ten times the time.
    options.notdef_outline = True
    # ...and the proportional forms English sets its quotes and ellipsis in (theme.css: proportional-width); the
    # default features keep only the full-width ones Chinese sets.
    options.layout_features += ["pwid"]
    # Vertical metrics: no document is set vertically. Hints and bounding boxes are kept as the font has them:
    # dropping or recomputing them runs every charstring, most of the time a subset took.
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    options.recalc_timestamp = False
    font = TTFont(path, fontNumber=index, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    _hyphen_as_the_hyphen_minus(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cached_subset(folder: Path, key: str, make) -> Path:
    """The subset file for `key`: taken from the cache only when its bytes are those recorded when it was made
    (a cache is untrusted: a damaged or replaced file is made again); else made and written. A cache that cannot
    be written holds the subset in a temporary folder for this process."""
    target = folder / f"{key}.otf"
    record = folder / f"{key}.sha256"
    expected = read_cache(record)
    found = read_cache(target) if expected else None
    if found is not None and hashlib.sha256(found).hexdigest().encode() == expected.strip():
        used(target)
        return target
    data = make()
    prune(folder, "*.otf", KEEP_SUBSETS - 1, companions=(".sha256",))
    write_cache(target, data)
    write_cache(record, hashlib.sha256(data).hexdigest().encode())
    if read_cache(target) == data:
        return target
    fallback = Path(tempfile.mkdtemp(prefix="signoff-fonts-"))
    atexit.register(shutil.rmtree, fallback, True)
    target = fallback / f"{key}.otf"
    target.write_bytes(data)
    return target


# A new character set makes four new subsets (about 1.3 MB together, 0.5–2 s to make); the least recently used
# beyond this many go. Enough for a few dozen projects, or one project's history under `make diff`.
KEEP_SUBSETS = 160


@functools.cache
def _subset_code() -> str:
    """What makes a subset besides fontTools: the source of `_subset` (its options) and of what it changes in the
    font, so that a subset an earlier version made is never taken for one this version would make."""
    return hashlib.sha256((inspect.getsource(_subset) + inspect.getsource(_hyphen_as_the_hyphen_minus)).encode()
                          ).hexdigest()


def package_fonts(theme: dict, chars: frozenset[str], proportional: bool = False) -> FontSet:
    """The subset faces for `chars` of the theme's families, made once and kept in the cache. What a family's face
    cannot draw and its fallback face (theme.yaml's fallback_fonts) can is a subset of the fallback, under a name
    of its own (FALLBACK_FAMILIES) listed after the first in CSS: each character is drawn by the one face that
    has it, and a package with no such character is as before, with no second face. A `proportional` package (an
    English one) takes from the fallback also the symbols its face draws only full-width (§ × ≤ →): they are left
    out of the face's subset."""
    folder = cache_dir() / "fonts"
    rules, keys, folders = [], [], set()
    fallback = theme.get("fallback_fonts") or {}
    families: dict[str, tuple[str, ...]] = {}
    for kind, family in sorted(theme["fonts"].items()):
        if kind not in FAMILIES:
            continue
        families[kind] = (FAMILIES[kind],)
        for weight in sorted(WEIGHTS):
            faces = [(FAMILIES[kind], family, chars)]
            if kind in fallback:
                style = WEIGHTS[weight]
                own, other = (covered_characters([f"{name}:{style}"]) for name in (family, fallback[kind]))
                wide = full_width_symbols(f"{family}:{style}") - _KEPT_IN_THEME if proportional else frozenset()
                moved = frozenset(c for c in chars if ord(c) in wide and ord(c) in other)
                drawn = frozenset(c for c in chars if ord(c) not in own and ord(c) in other) | moved
                if drawn:
                    # Pango sets a space in the face of the letter before it without asking whether the face
                    # has one (".notdef glyph rendered for U+0020" after a Czech name): the fallback has them too.
                    faces = [(FAMILIES[kind], family, chars - moved),
                             (FALLBACK_FAMILIES[kind], fallback[kind], drawn | _SPACES)]
                    families[kind] = (FAMILIES[kind], FALLBACK_FAMILIES[kind])
            for name, face_family, face_chars in faces:
                target, key = _face_subset(folder, face_family, weight, face_chars)
                folders.add(target.parent)
                keys.append(key)
                rules.append(f'@font-face {{ font-family: "{name}"; font-weight: {weight}; '
                             f'src: url("{target.as_uri()}"); }}')
    return FontSet("\n".join(rules), tuple(sorted(folders)), hashlib.sha256("".join(keys).encode()).hexdigest(),
                   families)


def _face_subset(folder: Path, family: str, weight: int, chars: frozenset[str]) -> tuple[Path, str]:
    """The cached subset of `family` at `weight` for `chars`, and its key."""
    from fontTools import version as fonttools_version

    path, index = _face(family, weight)
    key = hashlib.sha256(json.dumps([_subset_code(), fonttools_version, _file_digest(path, folder), index,
                                     "".join(sorted(chars))]).encode()).hexdigest()[:32]
    return _cached_subset(folder, key, lambda: _subset(path, index, chars)), key
