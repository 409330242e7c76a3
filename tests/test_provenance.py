"""Provenance on every page (SPEC §8): the commit, uncommitted changes marked DRAFT, a folder outside git."""
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, edit
from test_bundle import git, make_repo


def build_confirmation(repo, data="data"):
    out = repo.parent / f"out-{repo.name}"
    done = subprocess.run([sys.executable, str(repo / "build.py"), "build", "--data", data, "--out", str(out),
                           "--only", "confirmation", "-j", "1", "--force"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return [" ".join(page.extract_text().split()) for page in PdfReader(out / "01-confirmation.pdf").pages]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("provenance") / "repo")


def test_committed_data_names_its_commit_on_every_page(repo):
    commit = git(repo, "rev-parse", "--short=7", "HEAD")
    pages = build_confirmation(repo)
    assert all(f"Source: commit {commit}" in page for page in pages)
    assert not any("DRAFT" in page or "uncommitted" in page for page in pages)


def test_uncommitted_data_marks_every_page_draft(repo, tmp_path):
    dirty = tmp_path / "dirty"
    subprocess.run(["git", "clone", "-q", str(repo), str(dirty)], check=True)
    commit = git(dirty, "rev-parse", "--short=7", "HEAD")
    edit(dirty / "data" / "criteria.yaml", "title: ", "title: Edited ", 1)
    pages = build_confirmation(dirty)
    assert all(f"Source: commit {commit} with uncommitted changes" in page and "DRAFT" in page for page in pages)


def test_a_folder_outside_git_says_so(tmp_path):
    code = tmp_path / "code"
    shutil.copytree(make_repo(tmp_path / "repo"), code, ignore=shutil.ignore_patterns(".git"))
    pages = build_confirmation(code)
    assert all("Source: not under version control" in page for page in pages)
    assert not any("DRAFT" in page for page in pages)
