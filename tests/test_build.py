"""build.py end to end: exit codes, errors on standard error, output untouched by bad data, incremental builds."""
import json

import pytest

from pypdf import PdfReader

from conftest import DATA_DIRS, edit, pages_of, run_build


def snapshot(folder):
    """Every file under `folder` (the cached layouts included), by relative path."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_data_prints_every_error_and_leaves_output_untouched(data_copy, tmp_path):
    folder = data_copy("data")
    out = tmp_path / "out"
    first = run_build("build", "--data", str(folder), "--out", str(out), "--only", "confirmation", "-j", "1")
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    edit(folder / "report.yaml", "date: 2026-11-20", "date: 2026-11-31")
    edit(folder / "project.yaml", "party: contractor", "party: contracter")
    result = run_build("build", "--data", str(folder), "--out", str(out), "--only", "confirmation")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"{folder}/project.yaml:") or "project.yaml:" in lines[0]
    assert "people." in lines[0] and "'contracter' is not one of customer, contractor" in lines[0]
    assert lines[1].endswith("error: date: '2026-11-31' is not a valid date")
    assert result.stderr.splitlines()[-1] == "2 error(s); nothing was written"
    assert result.stdout == ""
    assert snapshot(out) == before


def test_annotations_under_github_actions(data_copy):
    folder = data_copy("data")
    edit(folder / "report.yaml", "date: 2026-11-20", "date: 2026-11-31")
    result = run_build("check", "--data", str(folder), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert any(line.startswith("::error file=") and ",line=" in line and "2026-11-31" in line
               for line in result.stderr.splitlines())


def test_usage_errors_exit_2():
    assert run_build("build", "--only", "nonsense").returncode == 2
    # an empty folder name is the current folder (`make OUT=` built into the checkout); Signoff's own folders
    # would be written into, and every page be "uncommitted" (found by an attacker)
    empty = run_build("build", "--out", "")
    assert empty.returncode == 2 and "argument --out: an empty name; give a folder" in empty.stderr
    for own in ("templates", "schemas/out", "signoff"):
        inside = run_build("build", "--data", str(DATA_DIRS["pass-en"]), "--out", own)
        assert inside.returncode == 2 and f"is inside Signoff's {own.split('/')[0]}/" in inside.stderr, inside.stderr
    assert run_build("frobnicate").returncode == 2
    help_text = run_build("--help")
    assert help_text.returncode == 0 and "facts" in help_text.stdout


def test_malformed_source_date_epoch_exits_3(tmp_path):
    result = run_build("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(tmp_path / "o"),
                       "--only", "confirmation", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 3
    assert "SOURCE_DATE_EPOCH" in result.stderr


def test_facts_json():
    result = run_build("facts", "--json", "--data", str(DATA_DIRS["data"]))
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    for key in ("conclusion", "derived_conclusion", "reasons", "criteria", "issues", "counts", "maintenance",
                "warnings"):
        assert key in facts
    assert facts["conclusion"] == "conditional"
    assert {"code", "message", "ids"} <= set(facts["reasons"][0])
    assert {"id", "result", "history"} <= set(facts["criteria"][0])
    assert {"id", "status", "overdue"} <= set(facts["issues"][0])
    assert "warning: maintenance:" in result.stderr  # warnings go to standard error, never to stdout


def test_second_build_renders_nothing_and_a_change_renders_again(data_copy, tmp_path):
    folder = data_copy("pass-en")
    out = tmp_path / "out"
    args = ("build", "--data", str(folder), "--out", str(out), "--only", "confirmation", "-j", "1")
    assert "rendered 01-confirmation.pdf" in run_build(*args).stderr
    second = run_build(*args)
    assert "unchanged 01-confirmation.pdf" in second.stderr and "rendered" not in second.stderr
    edit(folder / "criteria.yaml", "title: ", "title: X ", 1)
    assert "rendered 01-confirmation.pdf" in run_build(*args).stderr


def test_a_data_edit_that_prints_nowhere_reattaches_without_a_new_layout(data_copy, tmp_path):
    """SPEC §8 has each PDF carry the data files it reads; an edit that changes no printed text must not cost a
    layout (issue #6): the cached layout gets the new file attached, and the result is the same bytes as a
    document laid out from scratch."""
    folder = data_copy("pass-en")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    args = ("build", "--data", str(folder), "--only", "confirmation", "-j", "1")
    assert run_build(*args, "--out", str(out)).returncode == 0
    criteria = folder / "criteria.yaml"
    criteria.write_bytes(criteria.read_bytes() + b"# reviewed again on site, nothing to change\n")
    again = run_build(*args, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "updated 01-confirmation.pdf: same text, new data attached (layout reused)" in again.stderr
    assert "rendered" not in again.stderr
    assert run_build(*args, "--out", str(fresh), "--force").returncode == 0
    assert (out / "01-confirmation.pdf").read_bytes() == (fresh / "01-confirmation.pdf").read_bytes()
    attached = PdfReader(out / "01-confirmation.pdf").attachments["criteria.yaml"]
    assert attached == [criteria.read_bytes()]
    cached, = (out / ".signoff-layout").glob("*.layout")  # one layout kept per document
    cached.write_bytes(b"%PDF-1.7 not a layout")  # a damaged cache is laid out again, never trusted
    criteria.write_bytes(criteria.read_bytes() + b"# and again\n")
    third = run_build(*args, "--out", str(out))
    assert third.returncode == 0 and "rendered 01-confirmation.pdf" in third.stderr, third.stderr
    assert PdfReader(out / "01-confirmation.pdf").attachments["criteria.yaml"] == [criteria.read_bytes()]


def test_pending_package_carries_the_draft_mark(data_copy, tmp_path):
    for name, expected in (("pending-en", True), ("pass-en", False)):
        out = tmp_path / f"out-{name}"  # copies lie outside git: no DRAFT mark for uncommitted changes
        result = run_build("build", "--data", str(data_copy(name)), "--out", str(out), "--only", "confirmation")
        assert result.returncode == 0, result.stderr
        pages = pages_of(out / "01-confirmation.pdf")
        assert len(pages) == len(PdfReader(out / "01-confirmation.pdf").pages) > 1
        assert all(("DRAFT" in page) == expected for page in pages)


def test_the_layout_key_covers_all_the_code_from_html_to_layout():
    """A cached layout is reused while its key holds: every module the renderer and the chunking reach (pdf.py,
    chunks.py, what they import of signoff's own) must be in the key, or an edit to one would reuse stale PDFs."""
    import ast

    from signoff.cache import RENDERER_CODE
    from signoff.paths import CODE_DIR

    reached, todo = set(), ["pdf.py", "chunks.py"]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        for node in ast.walk(ast.parse((CODE_DIR / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                todo += [f"{node.module}.py"] if node.module else [f"{alias.name}.py" for alias in node.names]
    assert reached - {"errors.py"} == set(RENDERER_CODE)  # errors.py words failures, no byte of a PDF


def test_facts_are_utf8_whatever_the_locale_and_a_relative_cache_home_is_ignored(tmp_path):
    """`facts --json` under an ASCII standard output ended in a UnicodeEncodeError, and XDG_CACHE_HOME=rel in a
    ValueError after the output folder was made (found by an attacker). The JSON is UTF-8; a relative cache
    home is invalid (XDG) and ~/.cache is used."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    # a Python of its own: the encoding of standard output is set as the interpreter starts
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "facts", "--json", "--data", str(DATA_DIRS["data"])],
                          env={**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0", "LC_ALL": "C"},
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["project"]["name"] == "智慧园区综合管理平台"
    done = run_build("check", "--data", str(DATA_DIRS["data"]), cwd=tmp_path, env={"XDG_CACHE_HOME": "rel"})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "rel").exists()


def test_only_given_twice_builds_both(tmp_path):
    """`--only minutes --only confirmation` built the confirmation alone: the second --only replaced the first."""
    out = tmp_path / "out"
    result = run_build("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(out), "--only", "acceptance_letter",
                       "--only", "rectification", "acceptance_letter")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "07-rectification-ISS-001.pdf", "07-rectification-ISS-002.pdf", "07-rectification-ISS-003.pdf",
        "09-acceptance-letter.pdf"]
    assert result.stderr.count("rendered 09-acceptance-letter.pdf") == 1


@pytest.mark.parametrize("replacement", ["link", "file"])
def test_a_pdf_put_in_place_of_one_the_build_wrote_is_built_again(tmp_path, replacement):
    """The state file said which documents were up to date, and any file under a PDF's name passed: a link to
    /etc/hostname, or a PDF left by a build killed between its renames, was \"up to date\" and bundled (found by
    an attacker). The state keeps each PDF's SHA-256; one that differs is made again."""
    out = tmp_path / "out"
    args = ("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(out), "--only", "acceptance_letter")
    first = run_build(*args)
    assert first.returncode == 0, first.stderr
    letter = out / "09-acceptance-letter.pdf"
    original = letter.read_bytes()
    again = run_build(*args)
    assert "unchanged 09-acceptance-letter.pdf" in again.stderr
    other = tmp_path / "other.pdf"
    other.write_bytes(original[:-10] + b"%%EOF\n\n\n\n")
    letter.unlink()
    if replacement == "link":
        letter.symlink_to(other)
    else:
        letter.write_bytes(other.read_bytes())
    third = run_build(*args)
    assert third.returncode == 0, third.stderr
    assert "unchanged 09-acceptance-letter.pdf" not in third.stderr
    assert not letter.is_symlink() and letter.read_bytes() == original


def test_data_changed_while_a_build_reads_it_is_never_taken_as_up_to_date(data_copy, tmp_path, monkeypatch):
    """A build that waited for the lock while the data was swapped recorded the digest of the data before the
    swap beside PDFs of the data after it; swapped back, the next build said "nothing changed" (found by an
    attacker). The digest is taken again once everything is read: when it differs, the next build checks."""
    from signoff import pipeline

    folder = data_copy("pass-en")
    out = tmp_path / "out"
    real = pipeline._html

    def html_then_edit(*args, **kwargs):
        pieces = real(*args, **kwargs)
        edit(folder / "report.yaml", "summary: |", "summary: |\n  Edited while the build ran.\n")
        return pieces

    monkeypatch.setattr(pipeline, "_html", html_then_edit)
    pipeline.build(folder, out, jobs=1, only=(), force=False, report=lambda p: None, say=lambda line: None)
    monkeypatch.setattr(pipeline, "_html", real)
    edit(folder / "report.yaml", "summary: |\n  Edited while the build ran.\n", "summary: |")  # as it was read
    said = []
    pipeline.build(folder, out, jobs=1, only=(), force=False, report=lambda p: None, say=said.append)
    assert not any(line.startswith("nothing changed") for line in said), said
