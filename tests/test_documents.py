"""Every document of every example package, built once and read back: facts, page size, metadata, DRAFT mark."""
import subprocess

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, run_build
from signoff.documents import plan_outputs
from signoff.validation import check_data

PACKAGES = ("data", "pass-en", "pending-en")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{package: (facts, {file: Path})}, built from copies outside git so provenance marks stay out."""
    import shutil

    result = {}
    for name in PACKAGES:
        folder = tmp_path_factory.mktemp(name) / "data"
        shutil.copytree(DATA_DIRS[name], folder)
        out = folder.parent / "out"
        done = run_build("build", "--data", str(folder), "--out", str(out))
        assert done.returncode == 0, done.stderr
        facts = check_data(folder).facts
        result[name] = (facts, {o.file: out / o.file for o in plan_outputs(facts)})
    return result


def text_of(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_every_planned_document_is_built_and_identified(built, name):
    facts, files = built[name]
    assert files
    for file, path in files.items():
        assert path.exists(), file
        reader = PdfReader(path)
        text = text_of(path).replace(" ", "")
        assert facts["project"]["name"].replace(" ", "") in text, file
        assert facts["project"]["contract"] in text, file  # numbers like RC-ISS-001 need not hold the code
        meta = reader.metadata
        assert meta.author == facts["parties"]["contractor"]["name"]
        assert meta.title and meta.subject, file
        for page in reader.pages:
            width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297), file
            assert ("DRAFT" in page.extract_text() or "草稿" in page.extract_text()) == (
                facts["conclusion"] == "pending"), file
        assert {a for a in reader.attachments} >= {"project.yaml"}, file


def test_data_package_has_the_optional_documents(built):
    facts, files = built["data"]
    assert "08-agreement.pdf" in files or "agreement" not in {o.document.key for o in plan_outputs(facts)}
    assert "09-acceptance-letter.pdf" in files or "acceptance_letter" not in {
        o.document.key for o in plan_outputs(facts)}
    pending_files = built["pending-en"][1]
    assert "09-acceptance-letter.pdf" not in pending_files and "08-agreement.pdf" not in pending_files
