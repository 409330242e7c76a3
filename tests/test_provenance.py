"""Provenance on every page (SPEC §8): the commit, uncommitted changes marked DRAFT, a folder outside git."""
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, edit, pages_of, run_build
from test_bundle import git, make_repo


def built_pages(repo, data="data"):
    """The text of each page of the issue log (two pages: provenance on each, across a page break) as the
    checkout's own build.py makes it."""
    out = repo.parent / f"out-{repo.name}"
    done = run_build("build", "--data", data, "--out", str(out), "--only", "issue_log", "-j", "1", "--force",
                     cwd=repo, root=repo)
    assert done.returncode == 0, done.stderr
    pages = pages_of(out / "03-issue-log.pdf")
    assert len(pages) == len(PdfReader(out / "03-issue-log.pdf").pages) > 1
    return [" ".join(page.split()) for page in pages]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("provenance") / "repo")


def test_committed_data_names_its_commit_on_every_page(repo):
    commit = git(repo, "rev-parse", "--short=7", "HEAD")
    pages = built_pages(repo)
    assert all(f"Source: commit {commit}" in page for page in pages)
    assert not any("DRAFT" in page or "uncommitted" in page for page in pages)


def test_uncommitted_data_marks_every_page_draft(repo, tmp_path):
    dirty = tmp_path / "dirty"
    subprocess.run(["git", "clone", "-q", str(repo), str(dirty)], check=True)
    commit = git(dirty, "rev-parse", "--short=7", "HEAD")
    edit(dirty / "data" / "criteria.yaml", "title: ", "title: Edited ", 1)
    pages = built_pages(dirty)
    assert all(f"Source: commit {commit} with uncommitted changes" in page and "DRAFT" in page for page in pages)


@pytest.mark.parametrize("path", ["schemas/fault_levels.yaml", "signoff/vocab.py", "build.py"])
def test_an_edited_schema_or_module_of_the_tool_marks_every_page_draft(repo, tmp_path, path):
    """Only the data and the templates counted: a fault-level table edited in schemas/ printed other promises
    under the plain commit, and the bundle carried them as the commit's (found by an attacker)."""
    dirty = tmp_path / "dirty"
    subprocess.run(["git", "clone", "-q", str(repo), str(dirty)], check=True)
    commit = git(dirty, "rev-parse", "--short=7", "HEAD")
    with open(dirty / path, "a", encoding="utf-8") as stream:
        stream.write("\n# edited\n")
    pages = built_pages(dirty)
    assert all(f"Source: commit {commit} with uncommitted changes" in page and "DRAFT" in page for page in pages)


def test_a_folder_outside_git_says_so(tmp_path):
    code = tmp_path / "code"
    shutil.copytree(make_repo(tmp_path / "repo"), code, ignore=shutil.ignore_patterns(".git"))
    pages = built_pages(code)
    assert all("Source: not under version control" in page for page in pages)
    assert not any("DRAFT" in page for page in pages)


def assert_uncommitted(repo, data, templates, pages, commit="—"):
    """Every page says "uncommitted changes" with the DRAFT mark; bundle refuses it without --allow-dirty."""
    from signoff.bundle import write_bundle
    from signoff.errors import BundleError
    from signoff.pipeline import check
    from signoff.provenance import find_provenance

    assert all(f"Source: commit {commit} with uncommitted changes" in page and "DRAFT" in page for page in pages)
    facts = check(data).facts
    provenance = find_provenance(data, templates, facts["report"]["date"])
    assert provenance.state == "dirty" and provenance.draft
    with pytest.raises(BundleError, match="uncommitted changes"):
        write_bundle(data, repo.parent / "never", [], facts, provenance, allow_dirty=False)


def test_templates_edited_in_a_checkout_apart_from_the_data(repo, tmp_path):
    code = tmp_path / "code"
    subprocess.run(["git", "clone", "-q", str(repo), str(code)], check=True)
    shutil.rmtree(code / "data")
    data_repo = tmp_path / "project"
    shutil.copytree(DATA_DIRS["pass-en"], data_repo / "data")
    git(data_repo, "init", "-q", "-b", "main")
    git(data_repo, "add", "-A")
    git(data_repo, "commit", "-q", "-m", "data")
    commit = git(data_repo, "rev-parse", "--short=7", "HEAD")
    assert all(f"Source: commit {commit}" in page and "uncommitted" not in page
               for page in built_pages(code, str(data_repo / "data")))
    template = code / "templates" / "confirmation.html.j2"
    template.write_text(template.read_text() + "{# edited #}\n")
    pages = built_pages(code, str(data_repo / "data"))
    assert_uncommitted(code, data_repo / "data", code / "templates", pages, commit)


def test_a_data_file_git_ignores_is_uncommitted(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    git(clone, "rm", "-q", "--cached", "data/delivery.yaml")
    (clone / ".gitignore").write_text("delivery.yaml\n")
    git(clone, "add", ".gitignore")
    git(clone, "commit", "-q", "-m", "delivery.yaml kept out of git")
    assert git(clone, "status", "--porcelain") == ""  # git itself calls this clean
    commit = git(clone, "rev-parse", "--short=7", "HEAD")
    assert_uncommitted(clone, clone / "data", clone / "templates", built_pages(clone), commit)


def test_a_repository_with_no_commit_is_uncommitted(tmp_path):
    code = tmp_path / "fresh"
    shutil.copytree(make_repo(tmp_path / "repo"), code, ignore=shutil.ignore_patterns(".git"))
    git(code, "init", "-q", "-b", "main")
    assert_uncommitted(code, code / "data", code / "templates", built_pages(code))


def test_the_no_op_check_sees_the_templates_repository(tmp_path, monkeypatch):
    """Committing a template edit changes no byte, but the provenance (DRAFT or not): a build must notice."""
    import signoff.cache as cache

    code, data = tmp_path / "code", tmp_path / "project" / "data"
    shutil.copytree(cache.TEMPLATES_DIR, code / "templates")
    shutil.copytree(DATA_DIRS["pass-en"], data)
    for repo in (code, data.parent):
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "start")
    monkeypatch.setattr(cache, "TEMPLATES_DIR", code / "templates")
    clean = cache.inputs_digest(data)
    template = code / "templates" / "confirmation.html.j2"
    template.write_text(template.read_text() + "{# edited #}\n")
    edited = cache.inputs_digest(data)
    git(code, "commit", "-q", "-am", "template edited")
    committed = cache.inputs_digest(data)
    assert len({clean, edited, committed}) == 3


def test_a_commit_dated_past_the_year_9999_is_an_environment_error(tmp_path):
    """git allows a commit dated in the year 11476; its time is every PDF timestamp, and the build ended in a
    traceback ("year 11476 is out of range", found by an attacker). It is exit 3 with what to do."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(DATA_DIRS["pass-en"], repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "far", env={"GIT_COMMITTER_DATE": "@300000000000 +0000"})
    done = run_build("build", "--data", str(repo / "data"), "--out", str(tmp_path / "out"), "--only", "confirmation",
                     env={"SOURCE_DATE_EPOCH": ""})
    assert (done.returncode, "Traceback" in done.stderr) == (3, False), done.stderr
    assert done.stderr.splitlines()[-1] == (f"signoff: error: the last commit of {repo / 'data'} is dated at "
                                           "300000000000 seconds from 1970, a time a PDF cannot carry; set "
                                           "SOURCE_DATE_EPOCH")


def _two_commits(repo):
    """pass-en's data committed on 2026-12-11, then a commit that changes only a README on 2027-01-05."""
    repo.mkdir()
    shutil.copytree(DATA_DIRS["pass-en"], repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "data")
    (repo / "README.md").write_text("notes\n")
    git(repo, "add", ".")
    later = "2027-01-05T10:00:00+00:00"
    git(repo, "commit", "-qm", "readme", env={"GIT_AUTHOR_DATE": later, "GIT_COMMITTER_DATE": later})
    return repo


def test_a_shallow_clone_says_its_date_is_not_the_full_clones(tmp_path, monkeypatch):
    """`git clone --depth 1` of a commit that changed only a README: the last commit touching the data looked like
    the one the history begins at, so the PDFs carried its date, and other bytes than a full clone's, silently
    (found by an attacker)."""
    from signoff.paths import TEMPLATES_DIR
    from signoff.provenance import find_provenance

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = _two_commits(tmp_path / "repo")
    full, shallow = tmp_path / "full", tmp_path / "shallow"
    git(tmp_path, "clone", "-q", str(repo), str(full))
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    whole = find_provenance(full / "data", TEMPLATES_DIR, "2026-12-01")
    cut = find_provenance(shallow / "data", TEMPLATES_DIR, "2026-12-01")
    assert (whole.epoch, whole.note) == (1796983200, None)  # 2026-12-11 10:00 UTC
    assert cut.epoch == 1799143200 and cut.note.startswith(f"{shallow} is a shallow clone")  # 2027-01-05 10:00
    assert whole.commit == cut.commit
    done = run_build("build", "--data", str(shallow / "data"), "--out", str(tmp_path / "out"), "--only",
                     "acceptance_letter", env={"SOURCE_DATE_EPOCH": ""})
    assert done.returncode == 0 and "signoff: warning: " + cut.note in done.stderr, done.stderr


def test_a_data_folder_named_like_a_pattern_is_that_folder_only(tmp_path):
    """--data 'd*': git read the name as a pattern, so a change in the sibling folder dzz/ made the build a
    DRAFT (found by an attacker)."""
    from signoff.provenance import find_provenance

    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(DATA_DIRS["pass-en"], repo / "d*")
    (repo / "templates").mkdir()  # the templates committed with the data: this checkout's own state does not count
    (repo / "templates" / "base.html.j2").write_text("{% block body %}{% endblock %}\n")
    (repo / "dzz").mkdir()
    (repo / "dzz" / "notes.txt").write_text("one\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "data")
    (repo / "dzz" / "notes.txt").write_text("two\n")
    assert find_provenance(repo / "d*", repo / "templates", "2026-12-01").state == "committed"
    (repo / "d*" / "notes.txt").write_text("mine\n")
    assert find_provenance(repo / "d*", repo / "templates", "2026-12-01").state == "dirty"


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a repository to another user")
def test_a_repository_git_refuses_to_read_is_an_error_not_untracked(tmp_path):
    """A checkout another user owns: git refuses it ("dubious ownership"), and the build said "not under version
    control", with no DRAFT mark for the changes it could not see (found by an attacker). It is exit 3."""
    repo = _two_commits(tmp_path / "repo")
    (repo / "data" / "notes.txt").write_text("uncommitted\n")
    subprocess.run(["chown", "-R", "65534:65534", str(repo)], check=True)
    done = run_build("build", "--data", str(repo / "data"), "--out", str(tmp_path / "out"), "--only",
                     "acceptance_letter", env={"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    assert done.returncode == 3 and not (tmp_path / "out").exists(), done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"signoff: error: git refuses the repository at {repo}: another user owns it, so which commit the data comes "
        f"from and whether it has uncommitted changes cannot be known; if you trust it, run: git config --global "
        f"--add safe.directory {repo} (or build from a clone of your own)")


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a repository to another user")
def test_a_templates_checkout_git_refuses_to_read_is_an_error(tmp_path, monkeypatch):
    """The templates in a checkout another user owns were taken for an installed copy: edits there printed no
    DRAFT mark (found by a reviewer). Like the data's repository, it is an error saying what to run."""
    from signoff.errors import EnvironmentProblem
    from signoff.provenance import find_provenance

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    data = _two_commits(tmp_path / "data-repo") / "data"
    code = tmp_path / "code"
    (code / "templates").mkdir(parents=True)
    (code / "templates" / "base.html.j2").write_text("edited\n")
    git(code, "init", "-q", "-b", "main")
    subprocess.run(["chown", "-R", "65534:65534", str(code)], check=True)
    with pytest.raises(EnvironmentProblem, match=f"git refuses the repository at {code}: another user owns it"):
        find_provenance(data, code / "templates", "2026-12-01")
