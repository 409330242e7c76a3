"""The review report: facts that changed in words, and each document's text diff, between two revisions."""
import shutil

import pytest

from conftest import DATA_DIRS, ROOT, edit, run_build
from test_bundle import commit, make_repo
from signoff.errors import UsageError
from signoff.review import diff_report, fact_changes

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


def test_unknown_revision_is_a_usage_error(repo):
    with pytest.raises(UsageError):
        diff_report("no-such-rev", repo / "data")
    result = run_build("diff", "--base", "no-such-rev", "--data", str(repo / "data"))
    assert result.returncode == 2 and "no-such-rev" in result.stderr and result.stdout == ""


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
