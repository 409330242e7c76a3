"""Attacks on what Signoff reads (bundles, the output folder's state and caches, data folders, git state,
text printed into reports and CI logs): each must fail cleanly, and never write, delete or sign the wrong thing."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import DATA_DIRS, ROOT, Started, never_blocks, run_build, start_build
from signoff.bundle import MANIFEST, SUMS, verify_bundle


def forge(bundle: Path, target: Path, members: dict | None = None, manifest=None, raw_manifest: bytes | None = None,
          listed: list[dict] | None = None) -> Path:
    """A copy of `bundle` with members replaced, added (bytes) or dropped (None), and manifest.json and
    SHA256SUMS rewritten to agree with them, as someone forging a bundle would; `manifest(dict)` edits the
    manifest, `raw_manifest` replaces it outright, `listed` adds manifest entries as given."""
    members = members or {}
    with zipfile.ZipFile(bundle) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    record = json.loads(contents.pop(MANIFEST))
    contents.pop(SUMS)
    for name, data in members.items():
        if data is None:
            contents.pop(name, None)
        else:
            contents[name] = data
    record["members"] = [{"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                         for name, data in contents.items()] + (listed or [])
    if manifest:
        manifest(record)
    manifest_bytes = raw_manifest if raw_manifest is not None else json.dumps(record, indent=2).encode()
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in [(MANIFEST, manifest_bytes), *contents.items()])
    with zipfile.ZipFile(target, "w") as out:
        out.writestr(MANIFEST, manifest_bytes)
        out.writestr(SUMS, sums)
        for name, data in contents.items():
            out.writestr(zipfile.ZipInfo(name), data)
    return target


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory):
    """A sound bundle of examples/pass-en's confirmation (not under version control), written by write_bundle."""
    from signoff.bundle import write_bundle
    from signoff.pipeline import check
    from signoff.provenance import find_provenance

    base = tmp_path_factory.mktemp("sec")
    out = base / "out"
    result = run_build("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(out), "--only", "confirmation",
                       "-j", "1")
    assert result.returncode == 0, result.stderr
    facts = check(DATA_DIRS["pass-en"]).facts
    provenance = find_provenance(base, base, facts["report"]["date"])  # outside git: untracked
    return write_bundle(DATA_DIRS["pass-en"], base / "bundle", [out / "01-confirmation.pdf"], facts, provenance,
                        False)


def verify(bundle: Path, *args: str) -> list[str]:
    """build.py verify as a user runs it: no traceback, exit 1; the failure lines (without the bundle's name)."""
    result = run_build("verify", str(bundle), *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1].endswith("failure(s)")
    return [line.removeprefix(f"{bundle}: ") for line in result.stderr.splitlines()[:-1]]


@pytest.mark.parametrize("name", ["data//{victim}", "data/{up}{victim}", "data/./project.yaml", "data/a\\b.yaml",
                                  "/data/x.yaml", "data/", "pdf//etc/passwd", "pdf/../../x.pdf", "pdf/notes.pdf",
                                  "pdf/01-confirmation.pdf/x", "other.txt"])
def test_rebuild_refuses_member_names_a_bundle_never_writes(small_bundle, tmp_path, name):
    victim = tmp_path / "victim"
    name = name.format(victim=str(victim).lstrip("/"), up="../" * 20)
    forged = forge(small_bundle, tmp_path / "forged.zip", {name: b"project: {code: X}\n"})
    failures = verify(forged, "--rebuild")
    assert not victim.exists()
    assert any(f.startswith(f"{name}: ") and ("not a" in f or "backslash" in f) for f in failures), failures
    assert failures[-1] == "not rebuilt: the bundle fails the checks above"


@pytest.mark.parametrize("name", ["data/.git/config", "data/assets/.GIT/hooks/post-checkout"])
def test_a_bundle_carries_no_repository_for_git_to_run(small_bundle, tmp_path, name):
    """A rebuild unpacks the data and its build asked git about it: a bundled data/.git/config naming a
    core.fsmonitor command had it run (found by an attacker). A .git member is refused, whatever its case; the
    rebuild asks git nothing (its provenance is the manifest's), and no git the tool runs starts a monitor."""
    ran = tmp_path / "ran"
    config = f"[core]\n\tfsmonitor = touch {ran}\n".encode()
    forged = forge(small_bundle, tmp_path / "forged.zip", {name: config})
    failures = verify(forged, "--rebuild")
    assert f"{name}: not a data path a bundle writes (a .git folder)" in failures, failures
    assert not ran.exists()


def test_git_runs_no_monitor_a_data_repository_names(tmp_path):
    """The provenance of data in a repository whose config names a file-system monitor: git is run with
    core.fsmonitor=false, so the command is not run (git status runs it otherwise)."""
    import subprocess

    from signoff.provenance import find_provenance

    ran = tmp_path / "ran"
    shutil.copytree(DATA_DIRS["pass-en"], tmp_path / "data")
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                 ["config", "core.fsmonitor", f"touch {ran}"]):
        subprocess.run(["git", *args], cwd=tmp_path / "data", check=True, capture_output=True)
    subprocess.run(["git", "status"], cwd=tmp_path / "data", capture_output=True)
    assert ran.exists()  # git itself runs it
    ran.unlink()
    assert find_provenance(tmp_path / "data", tmp_path / "data", "2026-11-20").commit  # git was asked
    assert not ran.exists()


def test_verify_reads_only_a_regular_file(tmp_path):
    """`verify` of a named pipe waited for ever, of /dev/zero read until memory ran out (found by an attacker)."""
    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    with never_blocks(60, "verify"):
        assert verify(fifo) == ["not a regular file"]
        assert verify(Path("/dev/zero")) == ["not a regular file"]
    assert verify(tmp_path) == ["not a regular file"]


def test_rebuild_never_reads_a_file_of_the_machine_through_a_pdf_name(small_bundle, tmp_path):
    forged = forge(small_bundle, tmp_path / "forged.zip", {"pdf//etc/hostname": b"x"})
    assert "pdf//etc/hostname: not a PDF name a bundle writes (pdf/NN-….pdf)" in verify(forged, "--rebuild")


def test_a_long_member_name_and_a_file_where_a_folder_belongs(small_bundle, tmp_path):
    long = "data/" + "a" * 290 + ".yaml"
    forged = forge(small_bundle, tmp_path / "long.zip", {long: b"x: 1\n"})
    assert f"{long}: a member name of 300 characters; the limit is 200" in verify(forged, "--rebuild")
    forged = forge(small_bundle, tmp_path / "folder.zip", {"data/assets": b"x", "data/assets/x.png": b"y"})
    assert "data/assets: a file where the bundle has a folder of that name" in verify(forged, "--rebuild")


def test_untrusted_manifests_fail_cleanly(small_bundle, tmp_path):
    deep = forge(small_bundle, tmp_path / "deep.zip", raw_manifest=b"[" * 100_000 + b"]" * 100_000)
    assert "manifest.json: not a valid manifest (nested too deeply)" in verify(deep, "--rebuild")
    epoch = forge(small_bundle, tmp_path / "epoch.zip", manifest=lambda m: m.update(source_date_epoch="soon"))
    assert "manifest.json: source_date_epoch is not a whole number of seconds from 1970 to 9999" in verify(
        epoch, "--rebuild")
    shapes = forge(small_bundle, tmp_path / "shape.zip", manifest=lambda m: m.update(members={"a": 1}))
    assert verify(shapes) == ["manifest.json: not a valid manifest (members must be a list of {path, size, sha256})"]
    listed = forge(small_bundle, tmp_path / "listed.zip", listed=[{"path": "data//etc/x", "size": 1, "sha256": "0"}])
    assert "manifest.json: lists data//etc/x: not a data path a bundle writes (an empty, '.' or '..' segment)" \
        in verify(listed)
    # 100,000 listed members took minutes (each counted against every other, found by an attacker)
    many = forge(small_bundle, tmp_path / "many.zip", manifest=lambda m: m.update(
        members=[{"path": f"data/x{n}.yaml", "size": 1, "sha256": "0"} for n in range(100_001)]))
    assert verify(many) == ["manifest.json: not a valid manifest (lists 100,001 members; a bundle holds at most "
                            "10,000)"]



def test_an_encrypted_member_or_invalid_bundled_data_fails_cleanly(small_bundle, tmp_path):
    raw = bytearray(small_bundle.read_bytes())
    name = b"pdf/01-confirmation.pdf"
    at = raw.find(b"PK\x03\x04")
    while at != -1:  # set the "encrypted" flag of the PDF's local and central headers
        size = 30 if raw[at + 2:at + 4] == b"\x03\x04" else 46
        length = int.from_bytes(raw[at + (26 if size == 30 else 28):][:2], "little")
        if bytes(raw[at + size:at + size + length]) == name:
            raw[at + (6 if size == 30 else 8)] |= 1
        at = min([i for i in (raw.find(b"PK\x03\x04", at + 4), raw.find(b"PK\x01\x02", at + 4)) if i != -1],
                 default=-1)
    (tmp_path / "enc.zip").write_bytes(bytes(raw))
    failures = verify(tmp_path / "enc.zip", "--rebuild")
    assert len(failures) == 2 and failures[0].startswith("pdf/01-confirmation.pdf: cannot be read (") and \
        "encrypted" in failures[0], failures
    invalid = forge(small_bundle, tmp_path / "invalid.zip", {"data/report.yaml": b"date: 2026-02-30\n"})
    assert verify(invalid, "--rebuild")[-2:] == ["data/report.yaml:1:7: error: date: '2026-02-30' is not a valid date",
                                                 "the bundled data is invalid: nothing rebuilt"]

def test_manifest_that_disagrees_with_its_data_fails_the_rebuild(small_bundle, tmp_path):
    project = forge(small_bundle, tmp_path / "p.zip", manifest=lambda m: m.update(project="OTHER-1"))
    assert verify_bundle(project) == []
    assert verify_bundle(project, rebuild=True) == [
        "manifest.json: project 'OTHER-1' differs from the bundled data's 'YMS-2026-021'",
        *[f for f in verify_bundle(small_bundle, rebuild=True)]]
    conclusion = forge(small_bundle, tmp_path / "c.zip", manifest=lambda m: m.update(conclusion="fail"))
    assert "manifest.json: conclusion fail differs from the bundled data's pass" in verify_bundle(
        conclusion, rebuild=True)
    commit = forge(small_bundle, tmp_path / "h.zip", manifest=lambda m: m.update(commit="abcdef1"))
    assert verify_bundle(commit) == ["manifest.json: commit differs from provenance.commit"]


def test_zip_bomb_is_refused_unread_in_bounded_memory(small_bundle, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(small_bundle) as source, zipfile.ZipFile(bomb, "w", compresslevel=1) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        info = zipfile.ZipInfo("pdf/04-report.pdf")
        info.compress_type = zipfile.ZIP_DEFLATED
        zeros = bytes(16 << 20)
        with out.open(info, "w", force_zip64=True) as stream:
            for _ in range(64):  # 1 GiB
                stream.write(zeros)
    # Measured from a small launcher: a child forked straight from this test process would count the pytest
    # process's own memory (hundreds of MB late in a run) as its peak until it execs.
    launcher = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, "
                "text=True); sys.stderr.write(done.stderr); "
                "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    process = subprocess.run([sys.executable, "-c", launcher, sys.executable, str(ROOT / "build.py"), "verify",
                              str(bomb), "--rebuild"], capture_output=True, text=True)
    returncode, peak = map(int, process.stdout.split())
    stderr = process.stderr
    assert returncode == 1 and "Traceback" not in stderr
    assert (f"{bomb}: pdf/04-report.pdf: 1,073,741,824 bytes uncompressed; refused unread (the limit is "
            "268,435,456 bytes a member and 2,147,483,648 in all)") in stderr.splitlines()
    assert peak < 400 * 1024  # KiB: far below the member's size


# ---------------------------------------------------------------- the output folder: state file, layout cache

def layout_pdf(path: Path) -> bytes:
    """The PDF inside a layout cache file (after its seal, its magic line and its JSON header line)."""
    return path.read_bytes().split(b"\n", 3)[3]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_fifo_for_a_layout_or_the_state_file_never_blocks_the_build(tmp_path_factory, tmp_path):
    """Named pipes put in the output folder (anyone may write there) where the layouts and the state file are: a
    plain read would wait for ever. The layouts are laid out again; the state file is refused with its cause."""
    from signoff import pipeline
    from signoff.errors import EnvironmentProblem
    from test_documents import build_package, copy_of

    folder, out = copy_of(build_package("pass-en", tmp_path_factory), tmp_path)
    for layout in (out / ".signoff-layout").glob("*.layout"):
        layout.unlink()
        os.mkfifo(layout)
    project = folder / "project.yaml"
    project.write_bytes(project.read_bytes() + b"# prints nowhere: the letter's layout would be reused\n")

    with never_blocks(60, "the build"):
        said = []
        pipeline.build(folder, out, 1, ("acceptance_letter",), False, lambda problems: None, said.append)
        assert "  rendered 09-acceptance-letter.pdf" in said, said
        (out / ".signoff-state.json").unlink()
        os.mkfifo(out / ".signoff-state.json")
        with pytest.raises(EnvironmentProblem, match="signoff-state.json: it is not a regular file"):
            pipeline.build(folder, out, 1, ("acceptance_letter",), True, lambda problems: None, said.append)


def test_a_link_in_place_of_the_layout_cache_is_never_written_or_swept_through(tmp_path_factory, tmp_path):
    """OUT/.signoff-layout made a symbolic link to another folder (anyone may write to OUT): the build wrote its
    layouts there, pruned that folder's files and swept its .signoff-tmp-* folders as its own (found by an
    attacker). The link itself is replaced by a folder of OUT's own; the folder it named is left as it was."""
    from signoff import pipeline
    from test_documents import build_package, copy_of

    folder, out = copy_of(build_package("pass-en", tmp_path_factory), tmp_path)
    victim = tmp_path / "victim"
    (victim / ".signoff-tmp-x").mkdir(parents=True)
    (victim / "notes.txt").write_text("mine\n", encoding="utf-8")
    (victim / "old.layout").write_text("mine too\n", encoding="utf-8")
    shutil.rmtree(out / ".signoff-layout")
    (out / ".signoff-layout").symlink_to(victim, target_is_directory=True)
    pipeline.build(folder, out, 1, ("acceptance_letter",), True, lambda problems: None, lambda line: None)
    assert sorted(p.name for p in victim.iterdir()) == [".signoff-tmp-x", "notes.txt", "old.layout"]
    layouts = out / ".signoff-layout"
    assert not layouts.is_symlink() and [p.suffix for p in layouts.iterdir()] == [".layout"]


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_data_file_that_is_a_pipe_or_a_folder_is_an_error_before_anything_waits(data_copy, tmp_path, kind):
    """The build digests the data files before it checks them: a named pipe there blocked that read for ever."""
    from signoff import pipeline
    from signoff.errors import DataError

    folder = data_copy("pass-en")
    (folder / "issues.yaml").unlink()
    os.mkfifo(folder / "issues.yaml") if kind == "fifo" else (folder / "issues.yaml").mkdir()

    with never_blocks(30, "the build"), pytest.raises(DataError) as caught:
        pipeline.build(folder, tmp_path / "out", 1, (), False, lambda problems: None, lambda line: None)
    assert [(p.line, p.col, p.message) for p in caught.value.problems if p.file.endswith("issues.yaml")] == [
        (1, 1, "is not a regular file")]
    assert not (tmp_path / "out").exists()


def test_a_planted_layout_that_agrees_with_itself_is_not_published(data_copy, tmp_path):
    """Anyone may write to the output folder: a layout file whose header names the right key, size and SHA-256 of
    another PDF proves only that it is whole. It is not sealed by this user's builds, so it is laid out again."""
    from signoff.embed import Layout

    folder, out = data_copy("pass-en"), tmp_path / "out"
    base = ("build", "--data", str(folder), "--out", str(out), "-j", "1", "--only")
    assert run_build(*base, "acceptance_letter").returncode == 0
    assert run_build(*base, "fault_form").returncode == 0
    key = next(p.stem for p in (out / ".signoff-layout").glob("*.layout")
               if layout_pdf(p) in (out / "09-acceptance-letter.pdf").read_bytes())
    form = next(p for p in (out / ".signoff-layout").glob("*.layout") if p.stem != key)
    # The fault form's layout under the letter's key, its header rewritten to agree: key, size, SHA-256.
    planted = Layout.from_bytes(form.read_bytes().split(b"\n", 1)[1], form.stem).to_bytes(key)
    (out / ".signoff-layout" / f"{key}.layout").write_bytes(planted)
    project = folder / "project.yaml"
    project.write_bytes(project.read_bytes() + b"# prints nowhere: the letter's layout would be reused\n")
    again = run_build(*base, "acceptance_letter")
    assert again.returncode == 0 and "rendered 09-acceptance-letter.pdf" in again.stderr, again.stderr
    assert "-ACK" in pdf_text(out / "09-acceptance-letter.pdf")
    assert pdf_text(out / "09-acceptance-letter.pdf") != pdf_text(out / "10-fault-form.pdf")


def test_a_layout_copied_over_another_is_laid_out_again(data_copy, tmp_path):
    folder, out = data_copy("pass-en"), tmp_path / "out"
    base = ("build", "--data", str(folder), "--out", str(out), "-j", "1", "--only")
    assert run_build(*base, "confirmation").returncode == 0
    (confirmation,) = (out / ".signoff-layout").glob("*.layout")
    assert run_build(*base, "fault_form").returncode == 0
    (fault_form,) = set((out / ".signoff-layout").glob("*.layout")) - {confirmation}
    confirmation.write_bytes(fault_form.read_bytes())  # the fault form's layout under the confirmation's key
    criteria = folder / "criteria.yaml"
    criteria.write_bytes(criteria.read_bytes() + b"# prints nowhere: the confirmation's layout would be reused\n")
    again = run_build(*base, "confirmation")
    assert again.returncode == 0, again.stderr
    assert "rendered 01-confirmation.pdf" in again.stderr and "layout reused" not in again.stderr
    assert "YMS-2026-021-CONF" in pdf_text(out / "01-confirmation.pdf")
    assert pdf_text(out / "01-confirmation.pdf") != pdf_text(out / "10-fault-form.pdf")

    # Truncated (a disk that filled up, a copy cut short): laid out again, never a traceback.
    confirmation.write_bytes(confirmation.read_bytes()[:5000])
    criteria.write_bytes(criteria.read_bytes() + b"# and again\n")
    third = run_build(*base, "confirmation")
    assert third.returncode == 0 and "Traceback" not in third.stderr, third.stderr
    assert "rendered 01-confirmation.pdf" in third.stderr
    assert layout_pdf(confirmation).startswith(b"%PDF")


def test_the_state_file_can_delete_nothing_outside_the_naming_scheme(tmp_path_factory, tmp_path):
    from test_documents import build_package, copy_of

    folder, out = copy_of(build_package("pass-en", tmp_path_factory), tmp_path)  # built, with its layouts
    victims = [tmp_path / "victim", tmp_path / "abs-victim", out / "notes.txt", out / "02-minutes-old.txt"]
    for victim in victims:
        victim.write_text("keep me\n")
    state = out / ".signoff-state.json"
    hostile = {"inputs": None, "warnings": [],
               "outputs": {"../victim": "0", str(tmp_path / "abs-victim"): "0", "notes.txt": "0",
                           "02-minutes-old.txt": "0"}}
    from signoff import pipeline

    def build() -> list[str]:  # in this process: the same code as build.py's, without starting Python again
        said = []
        pipeline.build(folder, out, jobs=1, only=(), force=False, report=lambda problems: None, say=said.append)
        return said

    for text in (json.dumps(hostile), "[]", "not json", '{"outputs": []}', '{"inputs": 1, "outputs": {}}',
                 json.dumps({"inputs": None, "outputs": {}, "warnings": [{"file": 1}]}),
                 "[" * 100_000 + "]" * 100_000):
        state.write_text(text)
        said = build()
        assert said[-1].startswith("built 12 document(s), 0 unchanged"), said  # a full build, from the layouts
        assert not [line for line in said if "rendered" in line or "removed" in line], said
        assert all(victim.read_text() == "keep me\n" for victim in victims)
    # A name of the scheme is the state's to remove: an output no longer called for.
    (out / "02-minutes-old.pdf").write_bytes(b"%PDF-1.7 old\n")
    record = json.loads(state.read_text())
    record["outputs"]["02-minutes-old.pdf"] = "0"
    record["inputs"] = None
    state.write_text(json.dumps(record))
    assert "  removed 02-minutes-old.pdf (no longer called for)" in build()
    assert not (out / "02-minutes-old.pdf").exists()


def test_a_read_only_layout_cache_is_exit_3_with_its_cause(data_copy, tmp_path):
    folder, out = data_copy("pass-en"), tmp_path / "out"
    args = [sys.executable, str(ROOT / "build.py"), "build", "--data", str(folder), "--out", str(out), "-j", "1",
            "--only", "confirmation", "--force"]
    assert run_build(*args[2:]).returncode == 0
    cache = out / ".signoff-layout"
    if os.geteuid() == 0:  # root writes anywhere: make the cache a read-only mount in a namespace of its own
        command = ["unshare", "-m", "sh", "-c", f'mount --bind -o ro "$0" "$0" && exec "$@"', str(cache), *args]
    else:
        cache.chmod(0o555)
        command = args
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "GITHUB_ACTIONS": ""})
    cache.chmod(0o755)
    if "unshare" in result.stderr or "mount:" in result.stderr:
        pytest.skip(f"cannot make a read-only folder here: {result.stderr.strip()}")
    assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"signoff: error: cannot write into {cache}: "
        f"{'Read-only file system' if os.geteuid() == 0 else 'Permission denied'}")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_two_builds_into_one_folder_never_mix(data_copy, tmp_path):
    from pypdf import PdfReader

    first, second, out = data_copy("pass-en"), data_copy("pending-en"), tmp_path / "out"

    def start(folder: Path) -> Started:
        return start_build("build", "--data", str(folder), "--out", str(out), "-j", "1", "--force", "--only",
                           "confirmation", "issue_log", "report")

    one = start(first)
    lines = one.lines()
    assert any("rendered" in line for line in lines), "the first build ended before it rendered anything"
    two = start(second)  # the first build holds the folder now
    rest_one, rest_two = "".join(lines), "".join(two.lines())
    assert one.wait() == 0 and two.wait() == 0, rest_one + rest_two
    assert rest_two.splitlines()[0] == f"waiting for another build of {out}…"
    # The folder holds the second project's documents, all of them, and nothing of the first.
    state = json.loads((out / ".signoff-state.json").read_text())
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(state["outputs"])
    for pdf in out.glob("*.pdf"):
        assert PdfReader(pdf).attachments["project.yaml"] == [(second / "project.yaml").read_bytes()], pdf.name
    assert not [p for p in out.rglob("*") if ".signoff-tmp-" in p.name]
    assert len(state["outputs"]) == 3
    again = run_build("build", "--data", str(second), "--out", str(out), "--only", "confirmation", "issue_log",
                      "report", "-j", "1")
    assert again.returncode == 0 and again.stderr.count("  unchanged ") == 3, again.stderr


# ---------------------------------------------------------------- error lines and annotations

def test_a_key_cannot_forge_a_workflow_command(data_copy):
    folder = data_copy("pass-en")
    project = folder / "project.yaml"
    project.write_text(project.read_text() + '"x\\n::notice title=QA::QA approved": 1\n'
                       '"::stop-commands::pause": 1\n"100%, a:b\\r\\u0085y": 1\n')
    result = run_build("check", "--data", str(folder), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert f"{project}:114:1: error: x\\n::notice title=QA::QA approved: unknown key 'x\\n::notice title=QA::QA " \
           "approved'" in "\n".join(lines), result.stderr
    for line in lines:
        assert line.startswith((str(project), "::error file=", "::warning file=")) or line.endswith(
            "nothing was written") or "valid" in line, line
        if line.startswith("::"):
            kind, _, rest = line.partition(" file=")
            properties, sep, message = rest.partition("::")
            assert sep and "::" not in properties and "\r" not in message
    assert not any(line.startswith(("::notice", "::stop-commands")) for line in lines)
    annotations = [line for line in lines if line.startswith("::error")]
    assert any("::100%25, a:b\\r\\x85y: unknown key '100%25, a:b\\r\\x85y'" in line for line in annotations)


def test_annotation_properties_are_escaped_as_github_documents():
    from signoff.errors import Problem

    problem = Problem("data,x:y/a.yaml", 3, 4, "k", "50% done\nnext", "warning")
    assert problem.annotation() == "::warning file=data%2Cx%3Ay/a.yaml,line=3,col=4::k: 50%25 done\\nnext"
    assert problem.format() == "data,x:y/a.yaml:3:4: warning: k: 50% done\\nnext"


# ---------------------------------------------------------------- the data folder

def test_data_files_must_be_regular_files_inside_the_data_folder(data_copy, tmp_path):
    folder = data_copy("pass-en")
    elsewhere = tmp_path / "elsewhere.yaml"
    (folder / "project.yaml").rename(elsewhere)
    (folder / "project.yaml").symlink_to(elsewhere)  # read wherever it points
    (folder / "issues.yaml").unlink()
    (folder / "issues.yaml").symlink_to(tmp_path / "gone.yaml")  # dangling: the issues would silently vanish
    result = run_build("check", "--data", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [  # sorted by file
        f"{folder}/issues.yaml:1:1: error: is a symbolic link; put the file itself in the data folder",
        f"{folder}/project.yaml:1:1: error: is a symbolic link; put the file itself in the data folder",
        "2 error(s); nothing was written"]


def test_an_assets_folder_that_links_elsewhere_is_refused(data_copy, tmp_path):
    folder = data_copy("pass-en")
    (folder / "assets").rename(tmp_path / "outside")
    (folder / "assets").symlink_to(tmp_path / "outside")
    result = run_build("check", "--data", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "leaves the data folder's assets/" in result.stderr


def test_odd_data_folders_and_an_output_inside_the_data(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    for args, code, last in (
            (("check", "--data", "/"), 1, "error(s); nothing was written"),
            (("check", "--data", str(tmp_path / "loop")), 1, "1 error(s); nothing was written"),
            (("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(DATA_DIRS["pass-en"])), 2,
             f"signoff: error: the output folder {DATA_DIRS['pass-en']} is the data folder; choose one outside it "
             "(default: output/)"),
            (("build", "--data", "examples/pass-en", "--out", "examples/pass-en/out"), 2,
             "signoff: error: the output folder examples/pass-en/out is inside the data folder examples/pass-en; "
             "choose one outside it (default: output/)")):
        result = run_build(*args)
        assert result.returncode == code and "Traceback" not in result.stderr, (args, result.stderr)
        assert result.stderr.splitlines()[-1].endswith(last), (args, result.stderr)
    assert not (DATA_DIRS["pass-en"] / "out").exists()
    loop = run_build("check", "--data", str(tmp_path / "loop"))
    assert loop.stderr.splitlines()[0] == (f"{tmp_path / 'loop'}:1:1: error: the data folder cannot be read "
                                           "(Too many levels of symbolic links)")


# ---------------------------------------------------------------- no traceback, ever

def test_huge_integers_stay_text_and_far_dates_are_refused(data_copy):
    from conftest import edit

    folder = data_copy("pass-en")
    huge = "1" * 4301  # Python refuses to convert more than 4,300 digits to an int
    edit(folder / "project.yaml", 'version: "1.0"', f"version: {huge}")
    edit(folder / "results.yaml", "measured: 3.1", f"measured: {huge}")
    result = run_build("check", "--data", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    # Kept as the text typed: the version prints as written, the measurement fails its target (<= 3 s).
    assert errors == [f"{folder}/results.yaml:20:5: error: tests[3]: P-01 failed and no issue in issues.yaml "
                      "names it (criterion: P-01)"]
    from signoff.sources import load_source
    source, problems = load_source("project", folder / "project.yaml")
    assert problems == [] and source.data["project"]["version"] == huge

    for far in ("9999-12-31", "1899-12-31"):
        edit(folder / "report.yaml", "date: 2026-12-11", f"date: {far}")
        result = run_build("check", "--data", str(folder))
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
            f"{folder}/report.yaml:2:7: error: date: '{far}' is outside the years 1900–2999"]
        edit(folder / "report.yaml", f"date: {far}", "date: 2026-12-11")


def test_source_date_epoch_past_9999_is_exit_3(tmp_path):
    for value in ("253402300800", "9" * 5000):
        result = run_build("build", "--data", str(DATA_DIRS["pass-en"]), "--out", str(tmp_path / "o"),
                           "--only", "confirmation", env={"SOURCE_DATE_EPOCH": value})
        assert result.returncode == 3 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.splitlines()[-1].startswith("signoff: error: SOURCE_DATE_EPOCH=")
        assert "is after the year 9999" in result.stderr and len(result.stderr) < 300
    assert not (tmp_path / "o").exists()


def test_standard_output_closed_or_full():
    read, write = os.pipe()
    child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "facts", "--json", "--data",
                              str(DATA_DIRS["pass-en"])], stdout=write, stderr=subprocess.PIPE, text=True)
    os.close(write)
    os.close(read)  # `| head -c 0`: the reader is gone before the first byte
    stderr = child.stderr.read()
    assert child.wait() == 141 and "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, str(ROOT / "build.py"), "facts", "--json", "--data",
                                   str(DATA_DIRS["pass-en"])], stdout=full, stderr=subprocess.PIPE, text=True)
        assert done.returncode == 3 and "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
        assert done.stderr.splitlines()[-1] == "signoff: error: cannot write to standard output: No space left on device"


def test_diff_against_a_commit_with_an_empty_tree(tmp_path):
    from test_bundle import git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing yet")
    import shutil
    shutil.copytree(DATA_DIRS["pass-en"], repo / "data")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "data")
    result = run_build("diff", "--base", "HEAD~1", "--data", str(repo / "data"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == ["signoff: error: data does not exist at HEAD~1 (its tree is empty)"]


def test_an_asset_in_a_symbolic_link_loop_is_an_error(data_copy):
    folder = data_copy("pass-en")
    (folder / "assets" / "loop.png").symlink_to(folder / "assets" / "loop.png")
    project = folder / "project.yaml"
    project.write_text(project.read_text().replace("signature: assets/sig-holt.png", "signature: assets/loop.png"))
    result = run_build("check", "--data", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "people.holt.signature: 'assets/loop.png' cannot be resolved (Symlink loop from" in result.stderr


def test_a_report_over_a_device_pipe_or_link_is_refused(tmp_path):
    from signoff.errors import EnvironmentProblem
    from signoff.pdf import write_atomic

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    for name in ("pipe", "link"):
        with pytest.raises(EnvironmentProblem, match="it is not a regular file, and is never replaced by one"):
            write_atomic(tmp_path / name, b"report\n")
    assert (tmp_path / "pipe").is_fifo() and (tmp_path / "link").is_symlink()
    assert not (tmp_path / "elsewhere").exists()
    write_atomic(tmp_path / "report.md", b"one\n")
    write_atomic(tmp_path / "report.md", b"two\n")
    assert (tmp_path / "report.md").read_bytes() == b"two\n"


def test_bundle_holds_the_lock_from_its_build_to_its_zip(tmp_path):
    """`bundle` builds, then zips what it built: another build in between would mix two packages."""
    from signoff import pipeline
    from signoff.cache import OutputLock

    out = tmp_path / "out"
    probe = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError: sys.exit(7)")

    def locked() -> bool:
        return subprocess.run([sys.executable, "-c", probe, str(out / ".signoff-lock")]).returncode == 7

    with OutputLock(out, print):
        pipeline.build(DATA_DIRS["pass-en"], out, jobs=1, only=("confirmation",), force=False,
                       report=lambda problems: None, say=lambda line: None)
        assert locked()  # the build is over, the lock is still held: bundle_package runs under it
    assert not locked()


def test_ctrl_c_during_the_renames_waits_until_the_last(tmp_path, monkeypatch):
    """A Ctrl-C between two renames of a build's commit left PDFs of two builds side by side (found by an
    attacker): the signals are held until every rename is done, then the interrupt is raised."""
    import signal

    from signoff.cache import Scratch

    targets = [tmp_path / f"{n}.pdf" for n in range(3)]
    real = os.replace
    calls = []

    def replace(partial, target):
        calls.append(target)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        real(partial, target)

    # Python's Ctrl-C handler, as a build started from a terminal has it: a test run started in the background
    # (`make test &`, some CI runners) inherits SIGINT ignored, and the held signal was then rightly ignored too
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with Scratch() as scratch:
                for target in targets:
                    scratch.file(target).write_bytes(b"new")
                monkeypatch.setattr(os, "replace", replace)
                scratch.commit()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls == targets and all(t.read_bytes() == b"new" for t in targets)


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint writes the theme's fonts into `weasyprint-*` folders of the temporary folder and never removed
    them at exit: every build left two folders of fonts in /tmp (an attacker counted 3,475). A build run as a user
    runs it, its documents laid out in two worker processes, leaves the temporary folder as it found it."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--data", str(DATA_DIRS["pass-en"]),
                           "--out", str(tmp_path / "out"), "-j", "2", "--only", "confirmation", "report"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["01-confirmation.pdf", "04-report.pdf"]
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("args, target, said", [
    (["init", "{root}/templates/new"], "templates/new", "give a folder outside it"),
    (["calendar", "--data", "{data}", "--out", "{root}/templates/labels/en/calendar.yaml"],
     "templates/labels/en/calendar.yaml", "write the calendar outside it (default: output/)"),
    (["diff", "--base", "HEAD", "--data", "{data}", "--report", "{root}/templates/theme.yaml"], "templates/theme.yaml",
     "write the report outside it"),
], ids=["init", "calendar", "diff report"])
def test_no_command_writes_into_signoffs_own_folders(tmp_path, args, target, said):
    """An attacker's one-command mistakes: `init templates/new` copied templates/ into itself until Python's
    recursion limit (16,067 files, and every later init crashed); a calendar or a diff report written over a
    catalog or the theme ended every later command in a traceback. Each is a usage error, exit 2, nothing
    written, as `build --out` inside templates/ already was."""
    root = tmp_path / "tool"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(".venv", "output", ".git", "tests", "__pycache__"))
    data = shutil.copytree(ROOT / "examples" / "service-5x8-en", tmp_path / "data")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    before = {p: p.read_bytes() for p in (root / "templates").rglob("*") if p.is_file()}
    done = run_build(*[a.format(root=root, data=data) for a in args], cwd=root, root=root)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == f"signoff: error: {root / target} is inside Signoff's templates/: {said}"
    assert {p: p.read_bytes() for p in (root / "templates").rglob("*") if p.is_file()} == before
