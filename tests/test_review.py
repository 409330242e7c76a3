"""The review report: facts that changed in words, and each document's text diff, between two revisions."""
import os
import shutil
import subprocess

import pytest

from conftest import DATA_DIRS, ROOT, edit, run_build
from test_bundle import commit, git, make_repo
from signoff.errors import SignoffError, UsageError
from signoff.review import diff_report, fact_changes, resolve_commit

LAST_REVERIFICATION = "    reverification:\n      - { date: 2026-12-02, result: pass, by: [okafor, wanglei] }\n"
ONLY = ("confirmation", *(key for key in ("issue_log",) if (ROOT / "templates" / f"{key}.html.j2").exists()))


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """Two commits: ISS-003 open (conclusion pending), then re-verified and closed (pass), a criterion renamed."""
    base = tmp_path_factory.mktemp("review")
    data = base / "start"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    edit(data / "issues.yaml", LAST_REVERIFICATION, "")
    repo = make_repo(base / "repo", data)
    shutil.copy2(DATA_DIRS["pass-en"] / "issues.yaml", repo / "data" / "issues.yaml")
    edit(repo / "data" / "criteria.yaml", "title: ", "title: Renamed ", 1)
    edit(repo / "data" / "issues.yaml", "title: User manual describes the old gate screen",
         'title: "User manual | `gate` *screen* <!--"')
    commit(repo, "ISS-003 re-verified")
    return repo


@pytest.fixture(scope="module")
def report(repo):
    return diff_report("HEAD~1", repo / "data", only=ONLY)


def test_report_names_the_closed_issue_and_the_changed_conclusion(report):
    facts = report.split("## Documents")[0]
    assert "- conclusion: pending → pass" in facts
    assert "- ISS-003: open → closed (re-verified 2026-12-02)" in facts
    assert "- counts.issues.open: 1 → 0" in facts
    assert "ISS-001" not in facts and "ISS-002" not in facts


def test_report_diffs_each_documents_text(report):
    documents = report.split("## Documents")[1]
    assert "### 01-confirmation.pdf: changed" in documents
    block = documents.split("```diff\n")[1].split("```")[0]
    assert any(line.startswith("+") and "Renamed" in line for line in block.splitlines())
    assert any(line.startswith("-") and not line.startswith("---") for line in block.splitlines())


def test_fact_changes_in_words():
    old = {"conclusion": "pending", "criteria": [{"id": "P-01", "title": "t", "result": "fail", "measured": "3.4",
                                                   "metric": {"unit": "s"}}]}
    new = {"conclusion": "conditional", "criteria": [{"id": "P-01", "title": "t", "result": "pass",
                                                       "measured": "1.8", "metric": {"unit": "s"}}]}
    assert fact_changes(old, new) == ["conclusion: pending → conditional", "P-01 measured 3.4 s → 1.8 s",
                                      "P-01: fail → pass"]


def test_a_revision_is_named_as_git_names_it_then_peeled_to_its_commit(repo):
    """`:/text` is the newest commit whose message matches text (asked with ^{commit} after it, it matched
    nothing and `make diff BASE=:/fixture` was refused); an annotated tag is its commit; a tree is no commit."""
    first = git(repo, "rev-parse", "HEAD~1")
    git(repo, "tag", "-a", "-m", "the fixture, signed off", "signed-off", "HEAD~1")
    assert resolve_commit(repo, ":/fixture") == first
    assert resolve_commit(repo, "signed-off") == first
    assert resolve_commit(repo, "HEAD:data") is None and resolve_commit(repo, "HEAD^{tree}") is None


def test_unknown_revision_is_a_usage_error(repo):
    with pytest.raises(UsageError):
        diff_report("no-such-rev", repo / "data")
    result = run_build("diff", "--base", "no-such-rev", "--data", str(repo / "data"))
    assert result.returncode == 2 and "no-such-rev" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("given, shown", [("--base=--", "'--'"), ("--base=", "''"), ("--base=-x", "'-x'")])
def test_a_base_that_is_no_revision_name_says_so(repo, given, shown):
    """`--base=--` said "[] is not a revision" (argparse's remainder of options); a name starting with "-" went to
    git as an option (found by an attacker)."""
    result = run_build("diff", given, "--data", str(repo / "data"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"signoff: error: {shown} is not a revision: give a branch, a tag or a commit, e.g. --base main\n"


def test_github_workflow_checks_builds_uploads_and_posts_the_review():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "acceptance-package.yml").read_text())
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True
    steps = workflow["jobs"]["package"]["steps"]
    runs = [step.get("run", "") for step in steps]
    order = [next(i for i, run in enumerate(runs) if needle in run)
             for needle in ("make check", 'make DATA="$DATA"', "build.py diff --base", "gh pr comment")]
    assert order == sorted(order)
    assert "--report review.md" in runs[order[2]] and "--body-file review.md" in runs[order[3]]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "output/*.pdf"
    assert next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))["with"][
        "fetch-depth"] == 0


def test_data_printed_into_the_report_is_escaped(report):
    """A title ending in `<!--` would comment out the rest of a pull-request comment; pipes, backticks and
    asterisks would make a table, code or emphasis of it."""
    facts = report.split("## Documents")[0]
    assert ("- ISS-003 title: User manual describes the old gate screen → User manual \\| \\`gate\\` \\*screen\\* "
            "\\<\\!--") in facts.splitlines()
    outside_code = "".join(part for k, part in enumerate(report.split("```")) if k % 2 == 0)
    assert "<!--" not in outside_code.replace("\\<\\!--", "")
    assert "## Documents" in report and report.rstrip().endswith("```")  # nothing after the title was lost


def test_markdown_text_keeps_every_line_one_line():
    from signoff.review import markdown_text

    assert markdown_text("a\n# heading\r<b>&amp;") == "a\\\\n# heading\\\\r\\<b\\>\\&amp;"


# --- the base revision's tree (review._export): as git stores it, never through git archive ---------------------

def _git(cwd, *args, data: bytes | None = None) -> bytes:
    from test_bundle import GIT_ENV

    return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def test_the_base_tree_is_the_commits_files_whatever_its_gitattributes_say(tmp_path):
    """diff took the base from `git archive`, which applies .gitattributes: `delivery.yaml export-ignore` made an
    unchanged delivery checklist "new" (found by an attacker); export-subst and eol rewrote files too."""
    from signoff.review import _export

    repo = tmp_path / "repo"
    repo.mkdir()
    files = {"data/delivery.yaml": b"hardware: []\n", "data/note.txt": b"$Format:%H$\n", "data/lf.yaml": b"a: 1\n",
             ".gitattributes": b"data/delivery.yaml export-ignore\nnote.txt export-subst\n*.yaml text eol=crlf\n",
             "tool.sh": b"#!/bin/sh\n"}
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(content)
    (repo / "tool.sh").chmod(0o755)
    (repo / "data" / "link.yaml").symlink_to("/etc/passwd")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _export(repo, _git(repo, "rev-parse", "HEAD").decode(), tmp_path / "tree")
    found = {p.relative_to(tmp_path / "tree").as_posix(): p.read_bytes()
             for p in (tmp_path / "tree").rglob("*") if p.is_file() or p.is_symlink()}
    assert found == files  # every file, byte for byte; the link left out
    assert (tmp_path / "tree" / "tool.sh").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "tree" / "data" / "lf.yaml").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("name", ["..", "sub/..", "a\\b", ".git/config", "data/.GIT/config"])
def test_a_crafted_tree_with_a_path_outside_it_is_refused(tmp_path, name):
    """git itself stores a tree entry named `..` (`git mktree` takes one); nothing is written outside the target.
    Nor is a `.git` folder: the base copy would be a repository whose config (written by whoever made the commit)
    the base's build then asks git about (found by a reviewer)."""
    from signoff.errors import SignoffError
    from signoff.review import _export

    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    blob = _git(repo, "hash-object", "-w", "--stdin", data=b"escaped\n").decode()
    *folders, last = name.split("/")
    tree = _git(repo, "mktree", data=f"100644 blob {blob}\t{last}\n".encode()).decode()
    for folder in reversed(folders):
        tree = _git(repo, "mktree", data=f"040000 tree {tree}\t{folder}\n".encode()).decode()
    commit = _git(repo, "commit-tree", tree, "-m", "crafted").decode()
    with pytest.raises(SignoffError, match="has a path outside its tree|has a .git folder in its tree"):
        _export(repo, commit, tmp_path / "out" / "tree")
    assert not list(tmp_path.glob("out/**/escaped")) and not (tmp_path / "out" / "tree").exists()


def test_a_repository_of_data_alone_is_reviewed_with_this_tool(tmp_path):
    """diff on a data repository kept apart from the tool failed with "HEAD has no build.py to build with" (found
    by an attacker): both sides are built with this checkout's code, so the report shows what the data changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(DATA_DIRS["pass-en"], repo / "data")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "data")
    edit(repo / "data" / "criteria.yaml", "title: ", "title: Renamed ", 1)
    report = diff_report("HEAD", repo / "data", only=("confirmation",))
    assert "### 01-confirmation.pdf: changed" in report and "Renamed" in report


def test_an_error_of_the_base_names_its_file_as_git_does_and_the_working_trees_as_the_user_does(tmp_path):
    """The base is built from a copy in a temporary folder that is gone when the error is read: an error named
    /tmp/signoff-diff-…/base/data/issues.yaml. It is `REV:path`, git's name for a file of a revision; and the
    working tree's is the data folder itself, not its copy."""
    repo = make_repo(tmp_path / "repo")
    good = (repo / "data" / "issues.yaml").read_text(encoding="utf-8")
    edit(repo / "data" / "issues.yaml", "severity: major", "severity: grave")
    commit(repo, "a severity the schema does not know")
    with pytest.raises(SignoffError) as raised:
        diff_report("HEAD", repo / "data")
    said = str(raised.value).splitlines()
    assert said[0] == "building HEAD failed (build.py facts):"
    assert any(line.startswith("HEAD:data/issues.yaml:") and ": error: " in line for line in said[1:]), said
    assert "signoff-diff-" not in str(raised.value)
    (repo / "data" / "issues.yaml").write_text(good, encoding="utf-8")
    commit(repo, "fixed")
    edit(repo / "data" / "issues.yaml", "severity: major", "severity: grave")
    with pytest.raises(SignoffError) as raised:
        diff_report("HEAD", repo / "data")
    said = str(raised.value).splitlines()
    assert said[0] == "building the working tree failed (build.py facts):"
    assert any(line.startswith(f"{(repo / 'data').resolve()}/issues.yaml:") for line in said[1:]), said
