"""A new project in one command (`build.py init`), and what `bundle` refuses before it builds anything."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, pages_of, run_build
from test_bundle import make_repo


def test_bundle_refuses_a_dirty_tree_before_building(tmp_path):
    repo = make_repo(tmp_path / "repo")
    with (repo / "data" / "report.yaml").open("a", encoding="utf-8") as report:
        report.write("# not committed\n")
    result = run_build("bundle", "--out", str(tmp_path / "out"), cwd=repo, root=repo)
    assert result.returncode == 1
    assert result.stderr == ("signoff: error: data or the templates have uncommitted changes: commit them, "
                             "or bundle a draft with --allow-dirty (make bundle ALLOW_DIRTY=1)\n")
    assert not (tmp_path / "out").exists()


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
                "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python build.py …` in `cwd`, with that folder's own build.py."""
    return run_build(*args, cwd=cwd, env={**GIT_IDENTITY, **(env or {})}, root=cwd)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """`build.py init DIR --locale en`, once: a committed repository with a pending package of placeholders."""
    target = tmp_path_factory.mktemp("init") / "newproj"
    result = run(ROOT, "init", str(target), "--locale", "en")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"created {target} (en): data/ holds placeholders to fill in, README.md says where to start",
        "git init done, with a first commit; next: cd into it, fill in data/project.yaml, run make"]
    return target


def test_init_lays_out_a_project_repository_with_the_tool_at_this_version(project):
    for name in ("build.py", "Makefile", "requirements.txt", "pyproject.toml", "tools/setup-env",
                 "docs/DATA-FORMAT.md", "schemas/json/project.schema.json", "templates/report.html.j2",
                 "signoff/pipeline.py", ".github/workflows/acceptance-package.yml"):
        assert (project / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert not (project / "tests").exists() and not (project / "examples").exists()
    assert "/output/" in (project / ".gitignore").read_text() and "/.venv" in (project / ".gitignore").read_text()
    assert "First steps" in (project / "README.md").read_text()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout == ""
    log = subprocess.run(["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True).stdout
    assert log == "New acceptance project (Signoff)\n"
    for path in sorted((project / "data").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schemas/json/{path.stem}.schema.json"
        assert (path.parent / first.split("=", 1)[1]).is_file()


def test_init_data_passes_check_as_a_pending_package_of_placeholders(project):
    result = run(project, "facts", "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["conclusion"] == "pending"
    assert facts["project"]["name"] == "[TO FILL] Project name"
    assert all(person["name"] == "[TO FILL] Name" for person in facts["people"].values())


def test_init_project_builds_draft_documents(project, tmp_path):
    result = run(project, "build", "--out", str(tmp_path / "out"), "-j", "2")
    assert result.returncode == 0, result.stderr
    pdfs = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert pdfs == ["01-confirmation.pdf", "03-issue-log.pdf", "04-report.pdf"]
    for pdf in pdfs:
        pages = pages_of(tmp_path / "out" / pdf)
        assert len(pages) == len(PdfReader(tmp_path / "out" / pdf).pages), pdf
        assert all("DRAFT" in page for page in pages), pdf  # pending: every page is a draft
    text = pages_of(tmp_path / "out" / "04-report.pdf")[0]
    assert "[TO FILL] Project name" in text and "[TO FILL] Customer's full name" in text


def test_bundle_refuses_a_placeholder_left_anywhere_in_the_data(project, tmp_path):
    result = run(project, "bundle", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert ("data/project.yaml:6:10: error: a placeholder is left ([TO FILL] Project name): replace it with the "
            "real fact before bundling") in lines
    assert ("data/project.yaml:5:35: error: a placeholder is left ([TO FILL] the project's code, used in document nu…): "
            "replace it with the real fact before bundling") in lines  # in a comment too
    assert any(line.startswith("data/report.yaml:3:") and "[TO FILL] the report's date" in line for line in lines)
    assert lines[-1].endswith("error(s); nothing was written")
    assert not (tmp_path / "out").exists()


def test_bundle_refuses_a_placeholder_even_with_allow_dirty(project, tmp_path):
    result = run(project, "bundle", "--out", str(tmp_path / "out"), "--allow-dirty")
    assert result.returncode == 1 and "a placeholder is left" in result.stderr


def test_init_in_chinese_passes_check(tmp_path):
    target = tmp_path / "新项目"
    assert run(ROOT, "init", str(target)).returncode == 0
    result = run(target, "facts", "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert (facts["conclusion"], facts["project"]["locale"], facts["project"]["name"]) == (
        "pending", "zh-CN", "【待填写】项目名称")


def test_init_refuses_a_folder_that_is_not_empty_and_a_file(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine\n")
    (tmp_path / "file").write_text("x\n")
    for target in (tmp_path / "taken", tmp_path / "file"):
        result = run(ROOT, "init", str(target))
        assert (result.returncode, result.stderr) == (
            2, f"signoff: error: {target} exists and is not an empty folder: give a new folder\n")
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]


def test_init_without_a_git_identity_says_what_to_do(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))},
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_COUNT": "1",
           "GIT_CONFIG_KEY_0": "user.useConfigOnly", "GIT_CONFIG_VALUE_0": "true"}
    result = subprocess.run([sys.executable, "build.py", "init", str(tmp_path / "p")], cwd=ROOT, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[1].startswith("git init done; the first commit needs your name: git config")
    assert (tmp_path / "p" / ".git").is_dir()
