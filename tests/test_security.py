"""Attacks on what Signoff reads (bundles, the output folder's state and caches, data folders, git state,
text printed into reports and CI logs): each must fail cleanly, and never write, delete or sign the wrong thing."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import DATA_DIRS, ROOT, run_build
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
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "verify", str(bomb), "--rebuild"],
                               stderr=subprocess.PIPE, text=True)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 1 and "Traceback" not in stderr
    assert (f"{bomb}: pdf/04-report.pdf: 1,073,741,824 bytes uncompressed; refused unread (the limit is "
            "268,435,456 bytes a member and 2,147,483,648 in all)") in stderr.splitlines()
    assert usage.ru_maxrss < 400 * 1024  # KiB: far below the member's size
