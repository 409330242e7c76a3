"""The font-subset cache (signoff/fonts.py `_cached_subset`, pruned by paths.prune) against a cache someone has tampered with:
every case ends with the right bytes returned, made again when the cache's copy cannot be trusted; never a
traceback, a hang or a cache that grows without end. Cheap: the subset is a stand-in, no font is read."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import never_blocks
from signoff import fonts

KEY = "0" * 32
DATA = b"OTTO a subset"


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "fonts"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def no_hang():
    """A FIFO read blocks for ever: fail after 10 s instead."""
    with never_blocks(10, "the cache"):
        yield


def _made(calls: list):
    def make():
        calls.append(1)
        return DATA
    return make


def _record(folder: Path, data: bytes = DATA) -> None:
    (folder / f"{KEY}.sha256").write_text(hashlib.sha256(data).hexdigest())


def test_a_good_entry_is_a_hit(folder):
    (folder / f"{KEY}.otf").write_bytes(DATA)
    _record(folder)
    calls = []
    assert fonts._cached_subset(folder, KEY, _made(calls)) == folder / f"{KEY}.otf" and calls == []


def test_a_subset_replaced_by_a_symlink_is_not_followed(folder, tmp_path):
    # a link to a file elsewhere whose digest the record matches: the cache must not serve what it did not write
    elsewhere = tmp_path / "elsewhere.otf"
    elsewhere.write_bytes(b"OTTO someone else's")
    (folder / f"{KEY}.otf").symlink_to(elsewhere)
    _record(folder, elsewhere.read_bytes())
    calls = []
    target = fonts._cached_subset(folder, KEY, _made(calls))
    assert calls == [1] and target.read_bytes() == DATA and not target.is_symlink()
    assert elsewhere.read_bytes() == b"OTTO someone else's"  # the link replaced, its target untouched


def test_a_subset_replaced_by_a_folder_falls_back_to_a_temporary_copy(folder):
    (folder / f"{KEY}.otf").mkdir()
    _record(folder)
    target = fonts._cached_subset(folder, KEY, _made([]))
    assert target.read_bytes() == DATA and target.parent != folder
    assert (folder / f"{KEY}.otf").is_dir()  # a folder Signoff did not make is left alone


def test_a_fifo_in_place_of_a_record_or_subset_does_not_block(folder):
    os.mkfifo(folder / f"{KEY}.sha256")
    os.mkfifo(folder / f"{KEY}.otf")
    target = fonts._cached_subset(folder, KEY, _made([]))
    assert target.read_bytes() == DATA


def test_a_record_that_is_not_text_is_made_again(folder):
    (folder / f"{KEY}.otf").write_bytes(DATA)
    (folder / f"{KEY}.sha256").write_bytes(b"\xff\xfe\x00garbage")  # UnicodeDecodeError: a traceback, before
    calls = []
    assert fonts._cached_subset(folder, KEY, _made(calls)).read_bytes() == DATA and calls == [1]


def test_a_digest_memo_that_is_a_fifo_does_not_block(folder, tmp_path):
    font = tmp_path / "face.otf"
    font.write_bytes(b"OTTO face")
    os.mkfifo(folder / "digests.json")
    assert fonts._file_digest(str(font), folder) == hashlib.sha256(b"OTTO face").hexdigest()


def test_pruning_passes_over_what_it_cannot_remove(folder, monkeypatch):
    """50 stale subsets, a dangling link and a folder among them: all but the most recent go (a dangling link
    stopped the pruning for good before: the stat of its target failed, and the cache grew with every set)."""
    for n in range(50):
        path = folder / f"{n:032x}.otf"
        path.write_bytes(b"OTTO")
        path.with_suffix(".sha256").write_text("x")
        os.utime(path, (n + 10, n + 10))
    (folder / "dangling.otf").symlink_to(folder / "nowhere")
    (folder / "afolder.otf").mkdir()
    os.utime(folder / "dangling.otf", (1, 1), follow_symlinks=False)  # the oldest: first to go
    os.utime(folder / "afolder.otf", (2, 2))
    monkeypatch.setattr(fonts, "KEEP_SUBSETS", 4)
    fonts._cached_subset(folder, KEY, _made([]))
    left = sorted(p.name for p in folder.glob("*.otf"))
    assert left == sorted([f"{n:032x}.otf" for n in (47, 48, 49)] + ["afolder.otf", f"{KEY}.otf"])
    assert sorted(p.name for p in folder.glob("*.sha256")) == sorted(
        [f"{n:032x}.sha256" for n in (47, 48, 49)] + [f"{KEY}.sha256"])
