"""The archive bundle: reproducible from two clones, verified member by member, refused when dirty."""
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, ROOT, page_images, pages_of, run_build
from signoff.bundle import verify_bundle, write_bundle
from signoff.errors import BundleError
from signoff.pipeline import check
from signoff.provenance import find_provenance

GIT_DATES = {"GIT_AUTHOR_DATE": "2026-12-11T10:00:00+00:00", "GIT_COMMITTER_DATE": "2026-12-11T10:00:00+00:00"}
GIT_ENV = {**GIT_DATES, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV, **(env or {})},
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def make_repo(path: Path, data: Path = DATA_DIRS["pass-en"]) -> Path:
    """A git repository holding a copy of the code (build.py, signoff/, schemas/, templates/) and `data` as data/."""
    path.mkdir(parents=True)
    shutil.copy2(ROOT / "build.py", path / "build.py")
    for folder in ("signoff", "schemas", "templates"):
        shutil.copytree(ROOT / folder, path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(data, path / "data")
    git(path, "init", "-q", "-b", "main")
    commit(path, "fixture")
    return path


def commit(path: Path, message: str) -> str:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)
    return git(path, "rev-parse", "--short=7", "HEAD")


def clone_build_bundle(origin: Path, target: Path, out: Path, env: dict | None = None,
                       fresh: bool = False) -> tuple[Path, Path]:
    """Clone `origin`, build the confirmation with the clone's own build.py into `out`, bundle it; (pdf, bundle).
    `fresh`: in a Python of its own (its own hash seed and memory), not forked from the launcher like the others,
    so that output depending on either would differ between the two."""
    subprocess.run(["git", "clone", "-q", str(origin), str(target)], check=True, capture_output=True)
    args = ("build", "--data", "data", "--out", str(out), "--only", "confirmation", "-j", "1")
    if fresh:
        result = subprocess.run([sys.executable, str(target / "build.py"), *args], cwd=target, capture_output=True,
                                text=True, env={**os.environ, **(env or {})})
    else:
        result = run_build(*args, cwd=target, env=env, root=target)
    assert result.returncode == 0, result.stderr
    pdf = out / "01-confirmation.pdf"
    return pdf, bundle_of(target / "data", target / "templates", out, [pdf])


def bundle_of(data_dir: Path, templates_dir: Path, out: Path, pdfs: list[Path], allow_dirty=False) -> Path:
    facts = check(data_dir).facts
    provenance = find_provenance(data_dir, templates_dir, facts["report"]["date"])
    return write_bundle(data_dir, out, pdfs, facts, provenance, allow_dirty)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture repository cloned twice at the same place, each clone built (the first in a Python of its own)
    and bundled; the second is kept."""
    base = tmp_path_factory.mktemp("bundle")
    origin = make_repo(base / "origin")
    first = clone_build_bundle(origin, base / "clone", base / "a-out", fresh=True)
    shutil.rmtree(base / "clone")
    second = clone_build_bundle(origin, base / "clone", base / "b-out")
    return {"origin": origin, "a": second, "first": first, "base": base, "clone": base / "clone"}


def test_two_clones_give_identical_pdfs_and_bundles(built):
    (pdf_a, zip_a), (pdf_b, zip_b) = built["first"], built["a"]
    assert pdf_a.read_bytes() == pdf_b.read_bytes()
    assert zip_a.read_bytes() == zip_b.read_bytes()
    short = git(built["origin"], "rev-parse", "--short=7", "HEAD")
    assert zip_a.name == f"YMS-2026-021-acceptance-{short}.zip"
    assert verify_bundle(zip_a) == []


def test_clones_in_different_folders_give_identical_pdfs(built, tmp_path):
    pdf, bundle = clone_build_bundle(built["origin"], tmp_path / "elsewhere", tmp_path / "out")
    assert pdf.read_bytes() == built["a"][0].read_bytes()
    assert bundle.read_bytes() == built["a"][1].read_bytes()


def test_bundle_layout_manifest_and_sha256sums(built, tmp_path):
    pdf, bundle = built["a"]
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        import json
        manifest = json.loads(archive.read("manifest.json"))
    assert names[:3] == ["manifest.json", "SHA256SUMS", "pdf/01-confirmation.pdf"]
    data_files = sorted(p.relative_to(DATA_DIRS["pass-en"]).as_posix() for p in DATA_DIRS["pass-en"].rglob("*")
                        if p.is_file())
    assert names[3:] == [f"data/{name}" for name in data_files]
    assert {i.date_time for i in infos} == {(2026, 12, 11, 10, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert manifest["conclusion"] == "pass" and manifest["commit"] == git(built["origin"], "rev-parse", "--short=7",
                                                                           "HEAD")
    assert set(manifest["versions"]) == {"signoff", "weasyprint", "python"}
    assert manifest["versions"]["signoff"] == "0.1.0"
    entry = manifest["members"][0]
    assert entry == {"path": "pdf/01-confirmation.pdf", "size": len(pdf.read_bytes()),
                     "sha256": __import__("hashlib").sha256(pdf.read_bytes()).hexdigest()}
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "x")
    result = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path / "x",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def rewrite(bundle: Path, target: Path, change=None, add=None, drop=None) -> Path:
    """A copy of `bundle` with a member changed, added or dropped (the zip itself stays valid)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info)
            if info.filename == change:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            out.writestr(info, data)
        if add:
            out.writestr(add, b"surprise\n")
    return target


def test_tampered_bundles_fail_naming_the_member(built, tmp_path):
    _, bundle = built["a"]
    changed = verify_bundle(rewrite(bundle, tmp_path / "changed.zip", change="pdf/01-confirmation.pdf"))
    assert changed and all("pdf/01-confirmation.pdf" in failure for failure in changed)
    added = verify_bundle(rewrite(bundle, tmp_path / "added.zip", add="data/extra.yaml"))
    assert added == ["data/extra.yaml: in the bundle but not in the manifest"]
    removed = verify_bundle(rewrite(bundle, tmp_path / "removed.zip", drop="data/issues.yaml"))
    assert removed and all("data/issues.yaml" in failure for failure in removed)
    # One byte flipped in the zip itself: the member's CRC no longer matches.
    raw = bytearray(bundle.read_bytes())
    offset = raw.index(b"%PDF") + 50
    raw[offset] ^= 1
    (tmp_path / "flipped.zip").write_bytes(bytes(raw))
    flipped = verify_bundle(tmp_path / "flipped.zip")
    assert flipped and all("pdf/01-confirmation.pdf" in failure for failure in flipped)


def test_verify_command_exit_codes(built, tmp_path):
    _, bundle = built["a"]
    good = run_build("verify", str(bundle))
    assert good.returncode == 0, good.stderr
    bad = run_build("verify", str(rewrite(bundle, tmp_path / "bad.zip", drop="data/issues.yaml")))
    assert bad.returncode == 1 and "data/issues.yaml" in bad.stderr and bad.stdout == ""


def test_bundled_pdf_attachments_equal_the_data_files(built):
    _, bundle = built["a"]
    with zipfile.ZipFile(bundle) as archive:
        reader = PdfReader(io.BytesIO(archive.read("pdf/01-confirmation.pdf")))
        attachments = reader.attachments
        assert sorted(attachments) == ["criteria.yaml", "project.yaml"]
        for name, contents in attachments.items():
            assert contents == [archive.read(f"data/{name}")]
            assert contents == [(DATA_DIRS["pass-en"] / name).read_bytes()]


@pytest.fixture(scope="module")
def full(built):
    """`build.py bundle` on the clean clone: every PDF the data calls for; (process, bundle)."""
    clone, out = built["clone"], built["base"] / "full-out"
    result = run_build("bundle", "--data", "data", "--out", str(out), cwd=clone, root=clone)
    assert result.returncode == 0, result.stderr
    (bundle,) = out.glob("*.zip")
    return result, bundle


def test_rebuild_of_a_partial_bundle_names_the_missing_pdfs(built):
    # The confirmation alone, written by write_bundle: consistent member by member, but not the package.
    _, bundle = built["a"]
    assert verify_bundle(bundle) == []
    failures = verify_bundle(bundle, rebuild=True)
    assert "pdf/04-report.pdf: called for by the bundled data but missing from the bundle" in failures
    assert all(": called for by the bundled data but missing from the bundle" in f for f in failures)


def test_rebuild_matches_all_but_a_pdf_built_otherwise(built, full, tmp_path):
    from test_security import forge

    clone = built["clone"]
    # A PDF built with another SOURCE_DATE_EPOCH than the one the manifest records: consistent, yet not rebuildable.
    out = tmp_path / "out"
    result = run_build("build", "--data", "data", "--out", str(out), "--only", "confirmation", "-j", "1",
                       cwd=clone, env={"SOURCE_DATE_EPOCH": "1700000000"}, root=clone)
    assert result.returncode == 0, result.stderr
    odd = forge(full[1], tmp_path / "odd.zip", {"pdf/01-confirmation.pdf": (out / "01-confirmation.pdf").read_bytes()})
    assert verify_bundle(odd) == []
    # One rebuild for two facts: every other PDF of the package is rebuilt byte for byte, this one is named.
    assert verify_bundle(odd, rebuild=True) == [
        "pdf/01-confirmation.pdf: differs from the PDF rebuilt from the bundled data"]


def test_dirty_data_is_refused_unless_allowed(built, tmp_path):
    clone = tmp_path / "dirty"
    subprocess.run(["git", "clone", "-q", str(built["origin"]), str(clone)], check=True, capture_output=True)
    (clone / "data" / "notes.txt").write_text("scratch\n")
    pdf, _ = built["a"]
    with pytest.raises(BundleError, match="uncommitted"):
        bundle_of(clone / "data", clone / "templates", tmp_path / "o", [pdf])
    allowed = bundle_of(clone / "data", clone / "templates", tmp_path / "o", [pdf], allow_dirty=True)
    assert allowed.name.endswith("-dirty.zip") and verify_bundle(allowed) == []


def test_symlink_in_data_is_refused(tmp_path, built):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    (data / "link.yaml").symlink_to(data / "project.yaml")
    pdf, _ = built["a"]
    with pytest.raises(BundleError, match="symbolic link"):
        bundle_of(data, ROOT / "templates", tmp_path / "o", [pdf])


@pytest.mark.parametrize("name, size, message", [
    (b"assets/caf\xe9.png", 1, r"caf\\udce9\.png: cannot be bundled: a member name with .* a byte that is not UTF-8"),
    ("notes\u2028x.txt".encode(), 1, r"notes\\u2028x\.txt: cannot be bundled: a member name with .* a line separator"),
    (b"contract-scan.pdf", 9_000_000, r"contract-scan\.pdf: 9,000,000 bytes; a bundle holds at most 8,388,608 bytes"),
], ids=["latin-1 name", "line separator", "too large"])
def test_a_file_verify_would_refuse_is_not_bundled(tmp_path, name, size, message):
    """`bundle` wrote bundles its own `verify` refused (a data file over 8 MiB, a name that splits SHA256SUMS), and
    a file name that is not UTF-8 ended the build in a UnicodeEncodeError (found by an attacker). Now the bundle
    command refuses, naming the file, before it builds anything; the build itself is not concerned."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    with open(os.fsencode(data) + b"/" + name, "wb") as stream:
        stream.truncate(size)
    out = tmp_path / "out"
    result = run_build("bundle", "--data", str(data), "--out", str(out), "--allow-dirty")
    assert result.returncode == 1 and re.search(message, result.stderr), result.stderr
    assert not out.exists()  # refused before the build
    built = run_build("build", "--data", str(data), "--out", str(out), "--only", "acceptance_letter")
    assert built.returncode == 0, built.stderr


@pytest.mark.skipif(os.getuid() == 0, reason="root reads a file of mode 000")
def test_an_unreadable_data_file_is_refused_before_the_build(tmp_path):
    """bundle built every PDF, then failed on an extra file it could not read (found by an attacker)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    (data / "private.txt").write_text("x")
    (data / "private.txt").chmod(0)
    out = tmp_path / "out"
    result = run_build("bundle", "--data", str(data), "--out", str(out), "--allow-dirty")
    assert result.returncode == 1 and "private.txt: cannot be read (permission denied)" in result.stderr
    assert not out.exists()


def test_untracked_bundle_name(tmp_path, built):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    pdf, _ = built["a"]
    bundle = bundle_of(data, ROOT / "templates", tmp_path / "o", [pdf])
    assert bundle.name == "YMS-2026-021-acceptance-untracked.zip"


def test_source_date_epoch_changes_only_the_creation_date(tmp_path):
    data = DATA_DIRS["pass-en"]
    pdfs = []
    for epoch in ("1790000000", "1800000000"):
        out = tmp_path / epoch
        result = run_build("build", "--data", str(data), "--out", str(out), "--only", "confirmation", "-j", "1",
                           env={"SOURCE_DATE_EPOCH": epoch})
        assert result.returncode == 0, result.stderr
        pdfs.append(out / "01-confirmation.pdf")
    one, two = (PdfReader(p) for p in pdfs)
    assert one.pdf_header == two.pdf_header and len(one.pages) == len(two.pages)
    assert one.metadata.creation_date != two.metadata.creation_date
    assert two.metadata.creation_date.year == 2027
    dates = {"/CreationDate", "/ModDate"}
    assert {k: v for k, v in one.metadata.items() if k not in dates} == \
        {k: v for k, v in two.metadata.items() if k not in dates}
    assert one.attachments == two.attachments
    assert pages_of(pdfs[0]) == pages_of(pdfs[1]) and len(pages_of(pdfs[0])) == len(one.pages)
    assert [page.tobytes() for page in page_images(pdfs[0], tmp_path / "i1", 40)] == \
        [page.tobytes() for page in page_images(pdfs[1], tmp_path / "i2", 40)]


def test_bundle_command_end_to_end_archival_pdfs(built, full, tmp_path):
    """`build.py bundle` on a clean clone: every PDF passes qpdf --check, embeds its fonts, and sha256sum -c agrees."""
    clone = built["clone"]
    result, bundle = full
    head = git(clone, "rev-parse", "--short=7", "HEAD")
    assert bundle.name == f"YMS-2026-021-acceptance-{head}.zip"
    assert result.stderr.rstrip().endswith(str(bundle))
    assert verify_bundle(bundle) == []
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    pdfs = sorted((unpacked / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 6
    for pdf in pdfs:
        qpdf = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert qpdf.returncode == 0, f"{pdf.name}: {qpdf.stdout}{qpdf.stderr}"
        assert "No syntax or stream encoding errors found" in qpdf.stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), f"{pdf.name}:\n{fonts}"


@pytest.mark.parametrize("change", [False, True], ids=["unchanged", "edited during the build"])
def test_data_edited_while_the_package_is_built_is_not_bundled(tmp_path, monkeypatch, capsys, change):
    """bundle read the data again after its build: a file edited (or another commit checked out) meanwhile was
    bundled beside PDFs not made from it, and verify --rebuild found it only later. (The package is cut to its
    confirmation here, to build one document.)"""
    import build
    from signoff import documents, pipeline

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(DATA_DIRS["pass-en"], data)
    real_build, real_plan = pipeline.build, documents.plan_outputs

    def build_then_edit(data_dir, out_dir, **options):
        real_build(data_dir, out_dir, **{**options, "only": ("confirmation",)})
        if change:
            (data / "report.yaml").write_text((data / "report.yaml").read_text() + "\n# edited\n")

    monkeypatch.setattr(pipeline, "build", build_then_edit)
    monkeypatch.setattr(documents, "plan_outputs",
                        lambda facts, *only: [o for o in real_plan(facts, *only) if o.document.key == "confirmation"])
    code = build.main(["bundle", "--data", str(data), "--out", str(out), "--allow-dirty"])
    bundles = list(out.glob("*.zip"))
    if not change:
        assert code == 0 and len(bundles) == 1
        return
    assert code == 1 and bundles == []
    assert (f"error: {data} or the templates changed while the package was built (a file edited, another commit "
            "checked out): nothing bundled; run the bundle again") in capsys.readouterr().err
