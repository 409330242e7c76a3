"""The archive bundle (SPEC §8): PDFs, source data, manifest and SHA256SUMS in one reproducible zip; its check."""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import platform
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .errors import BundleError
from .pdf import write_atomic
from .provenance import Provenance

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
_ZIP_EPOCH = datetime.datetime(1980, 1, 1, tzinfo=datetime.timezone.utc)  # the earliest time a zip can hold
_ZIP_LAST = datetime.datetime(2107, 12, 31, 23, 59, 58, tzinfo=datetime.timezone.utc)


def bundle_name(code: str, provenance: Provenance) -> str:
    if provenance.state == "untracked":
        return f"{code}-acceptance-untracked.zip"
    suffix = "-dirty" if provenance.state == "dirty" else ""  # never mistaken for the committed package
    return f"{code}-acceptance-{provenance.commit}{suffix}.zip"


def write_bundle(data_dir: Path, out_dir: Path, pdf_paths: list[Path], facts: dict, provenance: Provenance,
                 allow_dirty: bool) -> Path:
    """Write `out_dir/{code}-acceptance-{commit}.zip` atomically; refuses uncommitted data unless allowed."""
    if provenance.state == "dirty" and not allow_dirty:
        raise BundleError(f"{data_dir} or the templates have uncommitted changes: commit them, "
                          "or bundle a draft with --allow-dirty (make bundle ALLOW_DIRTY=1)")
    members: list[tuple[str, bytes]] = []
    for pdf_path in pdf_paths:
        if not pdf_path.is_file():
            raise BundleError(f"{pdf_path} is missing: build the package first")
        members.append((f"pdf/{pdf_path.name}", pdf_path.read_bytes()))
    members += [(f"data/{name}", data) for name, data in _data_files(data_dir)]
    for name, _ in members:
        if "\n" in name or "\\" in name:  # sha256sum -c would need escapes for them
            raise BundleError(f"{name}: a file name with a newline or backslash cannot be bundled")

    import weasyprint

    from . import __version__

    manifest = {
        "project": facts["project"]["code"],
        "conclusion": facts["conclusion"],
        "commit": provenance.commit,
        "provenance": provenance.as_dict(),
        "source_date_epoch": provenance.epoch,
        "versions": {"signoff": __version__, "weasyprint": weasyprint.__version__,
                     "python": platform.python_version()},
        "members": [{"path": name, "size": len(data), "sha256": _sha256(data)} for name, data in members],
    }
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    sums = "".join(f"{_sha256(data)}  {name}\n" for name, data in [(MANIFEST, manifest_bytes), *members])

    stamp = min(max(datetime.datetime.fromtimestamp(provenance.epoch, datetime.timezone.utc), _ZIP_EPOCH),
                _ZIP_LAST)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [(MANIFEST, manifest_bytes), (SUMS, sums.encode()), *members]:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.create_system = 3  # Unix, so the permissions below mean the same everywhere
            info.external_attr = 0o100644 << 16
            # Stored, not deflated: PDFs are compressed already, and deflate output varies with the zlib build.
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
    target = out_dir / bundle_name(facts["project"]["code"], provenance)
    write_atomic(target, buffer.getvalue())
    return target


def _data_files(data_dir: Path) -> list[tuple[str, bytes]]:
    """Every file of the data folder, by relative POSIX path, sorted; a symbolic link is refused."""
    files = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir).as_posix()
        if path.is_symlink():
            raise BundleError(f"{path}: a symbolic link cannot be bundled; put the file itself in the data folder")
        if "__pycache__" in path.parts or path.is_dir():
            continue
        if not path.is_file():
            raise BundleError(f"{path}: not a regular file")
        files.append((relative, path.read_bytes()))
    return sorted(files)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_bundle(path: Path, rebuild: bool = False) -> list[str]:
    """Every failure found in the bundle at `path`, each naming its member; empty when the bundle is sound."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: not a readable zip file ({exc})"]
    with archive:
        failures, manifest, contents = _check_members(archive)
        if rebuild and manifest is not None:
            failures += _check_rebuild(manifest, contents)
    return failures


def _check_members(archive: zipfile.ZipFile) -> tuple[list[str], dict | None, dict[str, bytes]]:
    failures: list[str] = []
    contents: dict[str, bytes] = {}
    for info in archive.infolist():
        name = info.filename
        if name in contents:
            failures.append(f"{name}: appears more than once in the bundle")
            continue
        if not _safe(name):
            failures.append(f"{name}: not a safe member name")
            continue
        try:
            contents[name] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:  # a damaged member fails its CRC check
            failures.append(f"{name}: cannot be read ({exc})")
    if MANIFEST not in contents:
        return failures + [f"{MANIFEST}: missing from the bundle"], None, contents
    try:
        manifest = json.loads(contents[MANIFEST])
        listed = {m["path"]: m for m in manifest["members"]}
    except (ValueError, KeyError, TypeError) as exc:
        return failures + [f"{MANIFEST}: not a valid manifest ({exc})"], None, contents

    for name, entry in listed.items():
        if name not in contents:
            failures.append(f"{name}: listed in the manifest but missing from the bundle")
            continue
        data = contents[name]
        if len(data) != entry.get("size"):
            failures.append(f"{name}: {len(data)} bytes, the manifest says {entry.get('size')}")
        if _sha256(data) != entry.get("sha256"):
            failures.append(f"{name}: SHA-256 differs from the manifest")
    for name in sorted(set(contents) - set(listed) - {MANIFEST, SUMS}):
        failures.append(f"{name}: in the bundle but not in the manifest")

    if SUMS not in contents:
        failures.append(f"{SUMS}: missing from the bundle")
    else:
        summed: dict[str, str] = {}
        for line in contents[SUMS].decode("utf-8", "replace").splitlines():
            digest, sep, name = line.partition("  ")
            if not sep:
                failures.append(f"{SUMS}: malformed line {line!r}")
                continue
            summed[name] = digest
        for name, digest in summed.items():
            if name not in contents:
                failures.append(f"{name}: listed in {SUMS} but missing from the bundle")
            elif _sha256(contents[name]) != digest:
                failures.append(f"{name}: SHA-256 differs from {SUMS}")
        for name in sorted((set(listed) | {MANIFEST}) - set(summed)):
            failures.append(f"{name}: not listed in {SUMS}")
    return failures, manifest, contents


def _safe(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def _check_rebuild(manifest: dict, contents: dict[str, bytes]) -> list[str]:
    """Rebuild the bundled PDFs from the bundled data with the recorded provenance and compare bytes."""
    from . import pipeline
    from .documents import plan_outputs

    record = manifest.get("provenance") or {}
    provenance = Provenance(record.get("state", "untracked"), record.get("commit"), record.get("full_commit"),
                            int(manifest.get("source_date_epoch", record.get("epoch", 0))))
    bundled = {name.removeprefix("pdf/"): data for name, data in contents.items() if name.startswith("pdf/")}
    with tempfile.TemporaryDirectory(prefix="signoff-rebuild-") as tmp:
        data_dir, out_dir = Path(tmp) / "data", Path(tmp) / "out"
        data_dir.mkdir()
        for name, data in contents.items():
            if name.startswith("data/"):
                target = data_dir / name.removeprefix("data/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        facts = pipeline.check(data_dir).facts
        only = tuple(dict.fromkeys(o.document.key for o in plan_outputs(facts) if o.file in bundled))
        if only:
            pipeline.build(data_dir, out_dir, jobs=os.cpu_count() or 1, only=only, force=True,
                           report=lambda problems: None, say=lambda line: None, provenance=provenance)
        failures = []
        for name, data in sorted(bundled.items()):
            rebuilt = out_dir / name
            if not rebuilt.is_file():
                failures.append(f"pdf/{name}: not rebuilt from the bundled data")
            elif rebuilt.read_bytes() != data:
                failures.append(f"pdf/{name}: differs from the PDF rebuilt from the bundled data")
    return failures


def bundle_package(data_dir: Path, out_dir: Path, allow_dirty: bool) -> Path:
    """Bundle the package just built in `out_dir`: every PDF the facts call for, with the data behind it."""
    from .documents import plan_outputs
    from .pipeline import check
    from .provenance import find_provenance
    from .paths import TEMPLATES_DIR

    facts = check(data_dir).facts
    provenance = find_provenance(data_dir, TEMPLATES_DIR, facts["report"]["date"])
    pdf_paths = [out_dir / output.file for output in plan_outputs(facts)]
    return write_bundle(data_dir, out_dir, pdf_paths, facts, provenance, allow_dirty)
