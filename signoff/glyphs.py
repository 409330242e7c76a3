"""Glyph coverage: every printed character must be drawable by each of the theme's fonts (SPEC §3)."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path

from .errors import EnvironmentProblem, Problem
from .paths import TEMPLATES_DIR, cache_dir, prune, read_json_cache, used, write_cache
from .sources import Source
from .text import char_name, walk_strings

_IGNORED = {"\n", "\r", "\t"}
FONT_PACKAGES = "fonts-noto-cjk and fonts-dejavu-core"  # what tools/setup-env installs for the theme's fonts


def theme_coverage(theme: dict) -> frozenset[int]:
    """The code points the theme prints in every one of its roles (serif, sans): with the role's face, or, for
    what that face lacks, with the role's fallback face (theme.yaml's fallback_fonts, in both weights): the Latin
    letters the CJK faces have not (L with stroke, r with caron, o with double acute …)."""
    fallback = theme.get("fallback_fonts") or {}
    covered = None
    for kind, family in sorted(theme["fonts"].items()):
        own = covered_characters([family])
        if kind in fallback:
            own = own | covered_characters([f"{fallback[kind]}:regular", f"{fallback[kind]}:bold"])
        covered = own if covered is None else covered & own
    return covered or frozenset()


def font_files(families: list[str]) -> list[tuple[str, int]]:
    """The font file and face index fontconfig picks for each family; the family must really be there."""
    return [_match(family) for family in families]


@functools.cache
def _match(pattern: str) -> tuple[str, int]:
    """What `fc-match PATTERN` answers (a family, `:bold` and the like after it), asked of the fontconfig library
    in this process, once a run: a build asks for the same ten faces two dozen times, and each fc-match cost a
    process and fontconfig's start (8 ms)."""
    ffi, lib = _fontconfig()
    query = lib.FcNameParse(pattern.encode())
    if query == ffi.NULL:
        raise EnvironmentProblem(f"fontconfig cannot read the font pattern '{pattern}'")
    try:
        lib.FcConfigSubstitute(ffi.NULL, query, 0)  # FcMatchPattern
        lib.FcDefaultSubstitute(query)
        result = ffi.new("int *")
        found = lib.FcFontMatch(ffi.NULL, query, result)
    finally:
        lib.FcPatternDestroy(query)
    if found == ffi.NULL:
        raise EnvironmentProblem(f"fontconfig offers no font at all for '{pattern}'; run: make (it installs "
                                 f"{FONT_PACKAGES})")
    try:
        families, value, index = [], ffi.new("unsigned char **"), ffi.new("int *")
        while lib.FcPatternGetString(found, b"family", len(families), value) == 0:  # FcResultMatch
            families.append(ffi.string(value[0]).decode("utf-8", "replace"))
        if pattern.split(":")[0] not in families:
            raise EnvironmentProblem(f"the theme's font '{pattern}' is not installed (fontconfig offers "
                                     f"'{','.join(families)}'); run: make (it installs {FONT_PACKAGES})")
        if lib.FcPatternGetString(found, b"file", 0, value) != 0:
            raise EnvironmentProblem(f"fontconfig names no file for '{pattern}'")
        path = os.fsdecode(ffi.string(value[0]))
        return path, index[0] if lib.FcPatternGetInteger(found, b"index", 0, index) == 0 else 0
    finally:
        lib.FcPatternDestroy(found)


@functools.cache
def installed_files(family: str) -> tuple[str, ...]:
    """Every file fontconfig lists for `family` (what `fc-list -f '%{file}' FAMILY` prints: all its weights and
    styles), in order, asked once a run."""
    ffi, lib = _fontconfig()
    query = lib.FcNameParse(family.encode())
    if query == ffi.NULL:
        raise EnvironmentProblem(f"fontconfig cannot read the font pattern '{family}'")
    wanted = lib.FcObjectSetCreate()
    try:
        lib.FcObjectSetAdd(wanted, b"file")
        found = lib.FcFontList(ffi.NULL, query, wanted)
    finally:
        lib.FcObjectSetDestroy(wanted)
        lib.FcPatternDestroy(query)
    if found == ffi.NULL:
        return ()
    try:
        files, value = set(), ffi.new("unsigned char **")
        for n in range(found.nfont):
            if lib.FcPatternGetString(found.fonts[n], b"file", 0, value) == 0:  # FcResultMatch
                files.add(os.fsdecode(ffi.string(value[0])))
        return tuple(sorted(files))
    finally:
        lib.FcFontSetDestroy(found)


@functools.cache
def _fontconfig():
    """The fontconfig library (what fc-match, fc-list and the renderer use) and the few calls made of it here."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("""
        typedef struct _FcPattern FcPattern;
        FcPattern *FcNameParse(const unsigned char *name);
        int FcConfigSubstitute(void *config, FcPattern *p, int kind);
        void FcDefaultSubstitute(FcPattern *pattern);
        FcPattern *FcFontMatch(void *config, FcPattern *p, int *result);
        int FcPatternGetString(const FcPattern *p, const char *object, int n, unsigned char **s);
        int FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
        void FcPatternDestroy(FcPattern *p);
        typedef struct _FcObjectSet FcObjectSet;
        typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
        FcObjectSet *FcObjectSetCreate(void);
        int FcObjectSetAdd(FcObjectSet *os, const char *object);
        void FcObjectSetDestroy(FcObjectSet *os);
        FcFontSet *FcFontList(void *config, FcPattern *p, FcObjectSet *os);
        void FcFontSetDestroy(FcFontSet *s);
    """)
    for name in ("libfontconfig.so.1", "fontconfig", "libfontconfig.1.dylib", "libfontconfig-1.dll"):
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    raise EnvironmentProblem("the fontconfig library cannot be loaded; run: make (it installs fontconfig)")


def covered_characters(families: list[str]) -> frozenset[int]:
    """The code points every one of the families can draw; cached by font file, size and time."""
    return _font_points("glyphs", font_files(families), _covered)


def full_width_symbols(family: str) -> frozenset[int]:
    """The symbols and punctuation before the CJK blocks (U+2E80) that `family` (a fontconfig pattern) draws only
    an em wide, with no proportional form (`pwid`): Noto CJK's § × ÷ ≤ ≥ → •, which English text printed with a
    gap either side ("5 × 8"). Letters are not among them (a name's letters come from one face). Cached as
    `covered_characters` is."""
    return _font_points("full-width", font_files([family]), _full_width)


def _font_points(kind: str, files: list[tuple[str, int]], compute) -> frozenset[int]:
    """`compute(files)`, a set of code points, cached under `kind` by the font files' names, sizes and times."""
    key_parts = []
    for path, index in files:
        stat = os.stat(path)
        key_parts.append(f"{path}:{index}:{stat.st_size}:{stat.st_mtime_ns}")
    key = hashlib.sha256("\n".join(key_parts).encode()).hexdigest()[:24]
    cache = cache_dir() / f"{kind}-{key}.json"
    ranges = read_json_cache(cache)
    if _code_point_ranges(ranges):
        return frozenset(c for start, end in ranges for c in range(start, end + 1))
    points = frozenset(compute(files))
    write_cache(cache, json.dumps(_ranges(sorted(points))).encode())
    return points


def _covered(files: list[tuple[str, int]]) -> set[int]:
    from fontTools.ttLib import TTFont  # imported only when the cache is cold

    covered = None
    for path, index in files:
        font = TTFont(path, fontNumber=index, lazy=True)
        cmap = set(font.getBestCmap())
        covered = cmap if covered is None else covered & cmap
    return covered or set()


def _full_width(files: list[tuple[str, int]]) -> set[int]:
    from fontTools.ttLib import TTFont

    (path, index), = files
    font = TTFont(path, fontNumber=index, lazy=True)
    em, metrics = font["head"].unitsPerEm, font["hmtx"]
    proportional: set[str] = set()  # the glyphs the font has a proportional form of
    if "GSUB" in font:
        table = font["GSUB"].table
        for record in table.FeatureList.FeatureRecord:
            if record.FeatureTag == "pwid":
                for lookup in record.Feature.LookupListIndex:
                    for subtable in table.LookupList.Lookup[lookup].SubTable:
                        subtable = getattr(subtable, "ExtSubTable", subtable)  # (an extension lookup)
                        proportional.update(getattr(subtable, "mapping", None) or ())
    return {point for point, glyph in font.getBestCmap().items()
            if 0x7F < point < 0x2E80 and not unicodedata.category(chr(point)).startswith("L")
            and metrics[glyph][0] >= em and glyph not in proportional}


def _code_point_ranges(value) -> bool:
    """A list of [first, last] code points, in order and apart, as `_ranges` writes them."""
    if not isinstance(value, list):
        return False
    last = -1
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and all(type(n) is int for n in item)
                and last < item[0] <= item[1] <= 0x10FFFF):
            return False
        last = item[1]
    return True


def _ranges(points: list[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for point in points:
        if out and out[-1][1] == point - 1:
            out[-1][1] = point
        else:
            out.append([point, point])
    return [tuple(r) for r in out]


_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


KEEP_TEMPLATE_CHARACTERS = 32  # the template sets most recently used (each checkout of another revision has its own)


def template_characters(templates_dir: Path = TEMPLATES_DIR) -> dict[str, str]:
    """{character: the file that prints it} for the templates' own text (Jinja comments aside) and every value of
    the label catalogs: what the documents print besides the data. Cached by the files' names and bytes, so that
    every checkout of one revision shares the entry: parsing the catalogs costs 0.2 s, more than the rest of
    `check`."""
    digest = hashlib.sha256()
    for path in sorted(templates_dir.glob("*.j2")) + sorted(templates_dir.glob("labels/*/*.yaml")):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    cache = cache_dir() / f"template-chars-{digest.hexdigest()[:24]}.json"
    found = read_json_cache(cache)
    if isinstance(found, dict) and all(isinstance(char, str) and len(char) == 1 and isinstance(where, str)
                                       for char, where in found.items()):
        used(cache)
        return found
    found = _read_template_characters(templates_dir)
    prune(cache_dir(), "template-chars-*.json", KEEP_TEMPLATE_CHARACTERS - 1)
    write_cache(cache, json.dumps(found, ensure_ascii=False).encode())
    return found


def _read_template_characters(templates_dir: Path) -> dict[str, str]:
    from .sources import read_project_yaml

    found: dict[str, str] = {}
    for path in sorted(templates_dir.glob("*.j2")):
        for char in _JINJA_COMMENT.sub("", path.read_text(encoding="utf-8")):
            found.setdefault(char, path.name)
    for path in sorted(templates_dir.glob("labels/*/*.yaml")):
        for _, value in walk_strings(read_project_yaml(path)):
            for char in value:
                found.setdefault(char, str(path.relative_to(templates_dir)))
    return found


def check_template_glyphs(covered: frozenset[int], templates_dir: Path = TEMPLATES_DIR) -> None:
    """The templates and catalogs print only what the theme's fonts draw; else the theme cannot be used (exit 3)."""
    missing = [(char, where) for char, where in template_characters(templates_dir).items()
               if char not in _IGNORED and ord(char) not in covered]
    if missing:
        listed = ", ".join(f"U+{ord(c):04X} '{c}' ({where})" for c, where in missing[:5])
        raise EnvironmentProblem(f"the theme's fonts cannot draw what the templates print: {listed}; choose fonts "
                                 "in templates/theme.yaml that cover them, or change the text")


def check_glyphs(sources: dict[str, Source], covered: frozenset[int]) -> list[Problem]:
    check_template_glyphs(covered)
    problems = []
    seen_ok: set[str] = set()  # characters already found drawable: most of a large project's text
    for source in sources.values():
        for path, value in walk_strings(source.data):
            fresh = set(value) - seen_ok
            if not fresh:
                continue
            for char in sorted(fresh, key=value.index):
                if char not in _IGNORED and ord(char) not in covered:
                    problems.append(source.problem(path, f"character U+{ord(char):04X} '{char}' is not in the "
                                                   "theme's fonts and would print as a box"))
                else:
                    seen_ok.add(char)
    return problems
