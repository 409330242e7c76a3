"""Glyph coverage (signoff/glyphs.py): its three caches in ~/.cache/signoff are untrusted. A damaged, replaced or
hostile cache file is read as no cache (the coverage worked out again), never a traceback or a blocked build."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import never_blocks
from signoff import glyphs
from signoff.paths import read_json_cache
from signoff.render import load_theme

FAMILIES = [load_theme()["fonts"]["sans"]]


@pytest.fixture(autouse=True)
def no_hang():
    """A named pipe read blocks for ever: fail after 20 s instead."""
    with never_blocks(20, "a glyph cache"):
        yield


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "signoff"


# each cache of glyphs.py, by the names of its files: what works it out
WORK = {"glyphs-*.json": lambda: glyphs.covered_characters(FAMILIES),
        "full-width-*.json": lambda: glyphs.full_width_symbols(FAMILIES[0]),
        "template-chars-*.json": glyphs.template_characters}


def _cold(cache: Path, pattern: str):
    """What the glyph code gives with no cache, and the cache file it wrote."""
    made = WORK[pattern]()
    (path,) = cache.glob(pattern)
    return made, path


HOSTILE = {
    "not JSON": "[[1, 2", "not a list": '{"a": 1}', "a number": "[1]", "out of order": "[[5, 3]]",
    "overlapping": "[[1, 9], [5, 12]]", "beyond Unicode": "[[0, 1114112]]", "floats": "[[1.0, 2.0]]",
    "deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("pattern", ["glyphs-*.json", "full-width-*.json"])
@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_damaged_coverage_cache_is_worked_out_again(cache, content, pattern):
    made, path = _cold(cache, pattern)
    path.write_text(content)
    assert WORK[pattern]() == made


CHARACTERS = {"not JSON": "{", "a list": '["x"]', "two characters a key": '{"ab": "x.j2"}',
              "a number for a file": '{"a": 1}', "null": "null"}


@pytest.mark.parametrize("content", CHARACTERS.values(), ids=CHARACTERS.keys())
def test_a_damaged_template_characters_cache_is_worked_out_again(cache, content):
    made, path = _cold(cache, "template-chars-*.json")
    path.write_text(content)
    assert glyphs.template_characters() == made


@pytest.mark.parametrize("pattern", WORK)
def test_a_fifo_or_a_link_in_the_cache_is_not_read(cache, tmp_path, pattern):
    """(And a pipe planted where the writer's temporary file would go is never opened: its name is mkstemp's.)"""
    made, path = _cold(cache, pattern)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(path.read_text())
    path.unlink()
    path.symlink_to(elsewhere)  # a link is not followed, though it points at good content
    again = WORK[pattern]()
    assert again == made and elsewhere.read_text() and not path.is_symlink()  # replaced by the file written
    path.unlink()
    os.mkfifo(path)  # would block a plain read for ever
    again = WORK[pattern]()
    assert again == made


def test_the_cache_writer_opens_no_name_planted_for_it(cache, tmp_path):
    """The temporary file a cache is written through has a name no one can guess (mkstemp): a pipe or a link put
    at the name an earlier version used (`.{pid}.tmp`) is never opened."""
    made, path = _cold(cache, "glyphs-*.json")
    path.write_text("[1]")  # damaged: written again below
    os.mkfifo(path.with_suffix(f".{os.getpid()}.tmp"))
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    os.symlink(victim, path.parent / f".{path.name}.{os.getpid()}.tmp")
    assert glyphs.covered_characters(FAMILIES) == made
    assert victim.read_text() == "keep me\n" and glyphs._code_point_ranges(read_json_cache(path))


def test_every_checkout_of_one_revision_shares_its_template_characters_and_their_number_is_bounded(cache, tmp_path,
                                                                                                  monkeypatch):
    """The entry is keyed by the templates' names and bytes, not where they are: a clone elsewhere (every test of
    provenance, every `make diff`) finds the entry its first build made. Templates that differ have their own,
    and only the KEEP_TEMPLATE_CHARACTERS most recently used stay (the cache held one per checkout, for ever)."""
    import shutil

    from signoff.paths import TEMPLATES_DIR

    made = glyphs.template_characters()
    clone = tmp_path / "clone" / "templates"
    shutil.copytree(TEMPLATES_DIR, clone)
    assert glyphs.template_characters(clone) == made and len(list(cache.glob("template-chars-*.json"))) == 1
    monkeypatch.setattr(glyphs, "KEEP_TEMPLATE_CHARACTERS", 3)
    first = next(cache.glob("template-chars-*.json"))
    os.utime(first, (1, 1))  # long ago
    for n in range(4):  # four other revisions: a catalog's text edited
        edited = tmp_path / f"rev{n}" / "templates"
        shutil.copytree(TEMPLATES_DIR, edited)
        labels = edited / "labels" / "en" / "report.yaml"
        labels.write_text(labels.read_text(encoding="utf-8") + f"extra_{n}: \"Ω{n}\"\n", encoding="utf-8")
        assert glyphs.template_characters(edited)["Ω"] == "labels/en/report.yaml"
    assert len(list(cache.glob("template-chars-*.json"))) == 3
    assert not first.exists()  # the least recently used went first


def _theme_patterns() -> list[str]:
    theme = load_theme()
    families = [*theme["fonts"].values(), *(theme.get("fallback_fonts") or {}).values()]
    return [f"{family}{style}" for family in families for style in ("", ":regular", ":bold")]


@pytest.mark.parametrize("pattern", _theme_patterns())
def test_each_face_of_the_theme_is_the_file_and_index_fc_match_gives(pattern):
    """fontconfig is asked in the process (the library fc-match is a client of), not through fc-match: the same
    file and face of a collection for each family and weight the build asks for."""
    import subprocess

    out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert glyphs.font_files([pattern]) == [(out[0], int(out[1] or 0))]


def test_a_family_fontconfig_does_not_have_is_an_environment_problem_that_says_what_it_offers_instead():
    import subprocess

    from signoff.errors import EnvironmentProblem

    offered = subprocess.run(["fc-match", "-f", "%{family}", "Signoff Missing Face"], capture_output=True,
                             text=True, check=True).stdout
    with pytest.raises(EnvironmentProblem) as raised:
        glyphs.font_files(["Signoff Missing Face:bold"])
    assert str(raised.value) == (f"the theme's font 'Signoff Missing Face:bold' is not installed (fontconfig offers "
                                 f"'{offered}'); run: make (it installs {glyphs.FONT_PACKAGES})")


@pytest.mark.parametrize("family", sorted({*load_theme()["fonts"].values(), "Signoff Missing Face",
                                           *(load_theme().get("fallback_fonts") or {}).values()}))
def test_the_files_of_a_family_are_those_fc_list_gives(family):
    """The cache's font state (an upgraded font makes new subsets) lists each family's files from the library too."""
    import subprocess

    listed = subprocess.run(["fc-list", "-f", "%{file}\n", family], capture_output=True, text=True,
                            check=True).stdout
    assert glyphs.installed_files(family) == tuple(sorted(set(listed.split())))
