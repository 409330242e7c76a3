"""A stock Debian 12 machine: its Python 3.11.2, tools/setup-env, and the Makefile's quoting."""
from __future__ import annotations

import ast
import io
import tarfile

import pytest

from conftest import ROOT
from signoff.errors import SignoffError
from signoff.review import extract_tree


def tar_of(*members: tuple[str, bytes | str | None, str]) -> bytes:
    """A tar archive: (name, content or link target, kind) with kind 'file', 'dir', 'sym', 'hard' or 'fifo'."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(content)
                info.mode = 0o664
                tar.addfile(info, io.BytesIO(content))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            if kind in ("sym", "hard"):
                info.linkname = content
            tar.addfile(info)
    return buffer.getvalue()


@pytest.fixture(params=["filter", "fallback"])
def python_tarfile(request, monkeypatch):
    """Both ways of extracting: with tarfile's data filter (3.11.4+) and without it, as on Debian 12's 3.11.2."""
    if request.param == "fallback":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile data filter (before 3.11.4): only the fallback can run")
    return request.param


def test_extract_tree_writes_files_and_folders_and_leaves_links_out(tmp_path, python_tarfile):
    archive = tar_of(("data", None, "dir"), ("data/project.yaml", b"project: {}\n", "file"),
                     ("data/link.yaml", "/etc/passwd", "sym"), ("data/hard.yaml", "data/project.yaml", "hard"))
    extract_tree(archive, tmp_path / "tree", "abc1234")
    assert sorted(p.relative_to(tmp_path / "tree").as_posix() for p in (tmp_path / "tree").rglob("*")) == [
        "data", "data/project.yaml"]
    assert (tmp_path / "tree" / "data" / "project.yaml").read_bytes() == b"project: {}\n"


@pytest.mark.parametrize("name", ["../escape.yaml", "/tmp/escape.yaml", "data/../../escape.yaml",
                                  "data\\..\\escape.yaml"])
def test_extract_tree_refuses_a_member_outside_the_tree(tmp_path, python_tarfile, name):
    with pytest.raises(SignoffError, match="outside its tree"):
        extract_tree(tar_of((name, b"x", "file")), tmp_path / "tree", "abc1234")
    assert not (tmp_path / "escape.yaml").exists() and not list(tmp_path.rglob("escape.yaml"))


def test_extract_tree_refuses_a_device_or_fifo(tmp_path, python_tarfile):
    with pytest.raises(SignoffError, match="not a file: 'pipe'"):
        extract_tree(tar_of(("pipe", None, "fifo")), tmp_path / "tree", "abc1234")


# Standard-library names that arrived after Python 3.11.2 (Debian 12), with the version that added them.
NEWER_THAN_3_11_2 = {"data_filter": "3.11.4", "tar_filter": "3.11.4", "fully_trusted_filter": "3.11.4",
                     "batched": "3.12", "splitroot": "3.12", "with_segments": "3.12", "override": "3.12",
                     "getmembers_filtered": "3.11.4"}
EXTRACTING = {"extractall", "extract", "unpack_archive"}


def test_no_standard_library_name_newer_than_debian_12_outside_a_guard():
    """Every attribute the code uses that Python 3.11.2 lacks must sit under a hasattr() guard."""
    found = []
    for path in sorted([ROOT / "build.py", *(ROOT / "signoff").glob("*.py"), *(ROOT / "tests").glob("*.py")]):
        if path.name == "test_setup.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {node.args[1].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and getattr(node.func, "id", None) == "hasattr" and len(node.args) == 2
                   and isinstance(node.args[1], ast.Constant)}
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in NEWER_THAN_3_11_2 and node.attr not in guarded:
                found.append(f"{where}:{node.lineno}: {node.attr} (Python {NEWER_THAN_3_11_2[node.attr]})")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in EXTRACTING \
                    and any(k.arg == "filter" for k in node.keywords) and "data_filter" not in guarded:
                found.append(f"{where}:{node.lineno}: {node.func.attr}(filter=…) (Python 3.11.4)")
    assert found == []
