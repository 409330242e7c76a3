"""The archive bundle (SPEC §8): PDFs, source data, manifest and SHA256SUMS in one reproducible zip; its check."""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import platform
import re
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import BundleError
from .paths import NotRegularFile, in_git_folder, leaves_folder, open_regular
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
    return f"{code}-acceptance-{provenance.commit or 'nocommit'}{suffix}.zip"


def write_bundle(data_dir: Path, out_dir: Path, pdf_paths: list[Path], facts: dict, provenance: Provenance,
                 allow_dirty: bool, before_writing: Callable[[], None] = lambda: None) -> Path:
    """Write `out_dir/{code}-acceptance-{commit}.zip` atomically; refuses uncommitted data unless allowed.
    `before_writing()` runs once every member is read, and may refuse (bundle_package's check)."""
    if provenance.state == "dirty" and not allow_dirty:
        raise BundleError(f"{data_dir} or the templates have uncommitted changes: commit them, "
                          "or bundle a draft with --allow-dirty (make bundle ALLOW_DIRTY=1)")
    members: list[tuple[str, bytes]] = []
    for pdf_path in pdf_paths:
        try:
            with open_regular(pdf_path) as stream:  # a link in a PDF's place is never followed out of the folder
                members.append((f"pdf/{pdf_path.name}", stream.read()))
        except OSError:
            raise BundleError(f"{pdf_path} is missing or not a regular file: build the package first") from None
    members += [(f"data/{name}", data) for name, data in _data_files(data_dir)]
    before_writing()
    for name, _ in members:
        problem = member_problem(name)  # what `verify` accepts; sha256sum -c would need escapes for the rest
        if problem:
            raise BundleError(f"{shown(name)}: cannot be bundled: {problem}")

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


def data_members(data_dir: Path) -> list[tuple[str, Path]]:
    """Every file of the data folder a bundle carries, by relative POSIX path, sorted: each one a member name and
    size that `verify` accepts, checked before anything is read (BundleError otherwise; a symbolic link or a
    named pipe is refused)."""
    found, total = [], 0
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir).as_posix()
        if path.is_symlink():
            raise BundleError(f"{shown(str(path))}: a symbolic link cannot be bundled; put the file itself in the "
                              "data folder")
        if "__pycache__" in path.parts or in_git_folder(relative) or path.is_dir():  # a bundle carries no repository
            continue
        if not path.is_file():
            raise BundleError(f"{shown(str(path))}: not a regular file")
        if not os.access(path, os.R_OK):  # found before the build, not after it
            raise BundleError(f"{shown(str(path))}: cannot be read (permission denied); a bundle carries every file "
                              "of the data folder: make it readable or move it out")
        name = f"data/{relative}"
        problem = member_problem(name)
        if problem:
            raise BundleError(f"{shown(str(path))}: cannot be bundled: {problem}; rename it or move it out of the "
                              "data folder")
        size, limit = path.stat().st_size, _limit(name)
        total += size
        if size > limit or total > MAX_TOTAL:
            raise BundleError(f"{path}: {size:,} bytes; a bundle holds at most {limit:,} bytes a file and "
                              f"{MAX_TOTAL:,} in all (verify refuses more): move it out of the data folder")
        found.append((relative, path))
    return found


def _data_files(data_dir: Path) -> list[tuple[str, bytes]]:
    """Every file of the data folder a bundle carries (`data_members`), by relative POSIX path, with its bytes."""
    files = []
    for relative, path in data_members(data_dir):
        data = path.read_bytes()
        if len(data) > _limit(f"data/{relative}"):  # grown since it was looked at
            raise BundleError(f"{path}: changed while it was bundled")
        files.append((relative, data))
    return files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_bundle(path: Path, rebuild: bool = False) -> list[str]:
    """Every failure found in the bundle at `path`, each naming its member; empty when the bundle is sound.

    The bundle is untrusted: member names must be exactly the forms `write_bundle` writes, sizes are capped
    before anything is read, members are hashed as streams, and the manifest is checked for shape before use."""
    try:
        # only a regular file: a named pipe would be waited on for ever, /dev/zero read until memory runs out
        stream = open_regular(path)
    except NotRegularFile:
        return ["not a regular file"]
    except OSError as exc:
        return [f"not a readable zip file ({exc.strerror or exc})"]
    with stream:
        try:
            archive = zipfile.ZipFile(stream)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
            return [f"not a readable zip file ({exc})"]
        with archive:
            failures, manifest, members = _check_members(archive, keep_data=rebuild)
            if rebuild and manifest is not None and not failures:
                failures += _check_rebuild(manifest, members)
            elif rebuild and manifest is not None:
                failures.append("not rebuilt: the bundle fails the checks above")
    return failures


# What a bundle may hold, and how large (SPEC §3's 8 MiB per data file; images are capped by pixels, not bytes,
# so 64 MiB; a PDF of a 20,000-issue log stays far below 256 MiB). Checked against the zip's directory before a
# byte is read, and again while reading, so a member that lies about its size is cut off at the limit.
MAX_MEMBERS = 10_000
MAX_NAME = 200          # characters of a member name
MAX_SEGMENT = 100       # characters of one folder or file name in it
MAX_DATA_FILE = 8 * 1024 * 1024
MAX_ASSET = 64 * 1024 * 1024
MAX_PDF = 256 * 1024 * 1024
MAX_MANIFEST = 16 * 1024 * 1024
MAX_TOTAL = 2 * 1024 * 1024 * 1024
# control characters, the line and paragraph separators (splitlines() breaks SHA256SUMS there) and the bytes of a
# file name that is not UTF-8 (Python's surrogate escapes)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_SHORT = re.compile(r"[0-9a-f]{7}\Z")
_FULL = re.compile(r"[0-9a-f]{40}\Z")
_CONCLUSIONS = ("pass", "conditional", "fail", "pending")
_STATES = ("committed", "dirty", "untracked")
_LAST_EPOCH = 253402300799  # 9999-12-31 23:59:59 UTC


def shown(name: str) -> str:
    """A member name as printed: control characters written as escapes, so a name cannot forge a line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], name)


def member_problem(name: str) -> str | None:
    """Why `name` is not a member name `write_bundle` writes, or None: `manifest.json`, `SHA256SUMS`,
    `pdf/NN-….pdf` (an output file name of SPEC §6) and `data/…` (a relative path without empty, `.` or `..`
    segments, backslashes or control characters)."""
    if name in (MANIFEST, SUMS):
        return None
    if len(name) > MAX_NAME:
        return f"a member name of {len(name)} characters; the limit is {MAX_NAME}"
    if _CONTROL.search(name) or "\\" in name:
        return "a member name with a control character, a line separator, a byte that is not UTF-8 or a backslash"
    if name.startswith("pdf/"):
        from .cache import is_output_file

        return None if is_output_file(name[4:]) else "not a PDF name a bundle writes (pdf/NN-….pdf)"
    if name.startswith("data/"):
        if in_git_folder(name[5:]):
            return "not a data path a bundle writes (a .git folder)"
        if leaves_folder(name[5:]):  # (a backslash is refused above)
            return "not a data path a bundle writes (an empty, '.' or '..' segment)"
        for segment in name[5:].split("/"):
            if len(segment) > MAX_SEGMENT:
                return f"a file or folder name of {len(segment)} characters; the limit is {MAX_SEGMENT}"
        return None
    return "not a member a bundle writes (manifest.json, SHA256SUMS, pdf/…, data/…)"


def _limit(name: str) -> int:
    if name in (MANIFEST, SUMS):
        return MAX_MANIFEST
    if name.startswith("pdf/"):
        return MAX_PDF
    return MAX_ASSET if name.startswith("data/assets/") else MAX_DATA_FILE


class _TooLarge(Exception):
    pass


@dataclass
class _Member:
    size: int
    sha256: str
    data: bytes | None  # kept for the manifest, SHA256SUMS and (for --rebuild) the data files only


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, keep: bool) -> _Member:
    """Hash a member as a stream, never reading more than `limit` bytes of it."""
    digest, size, chunks = hashlib.sha256(), 0, []
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            digest.update(chunk)
            if keep:
                chunks.append(chunk)
    return _Member(size, digest.hexdigest(), b"".join(chunks) if keep else None)


def _check_members(archive: zipfile.ZipFile, keep_data: bool) -> tuple[list[str], dict | None, dict[str, _Member]]:
    failures: list[str] = []
    members: dict[str, _Member] = {}
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return [f"{len(infos):,} members; a bundle holds at most {MAX_MEMBERS:,}"], None, members
    names = [info.filename for info in infos]
    folders = {"/".join(name.split("/")[:i]) for name in names for i in range(1, name.count("/") + 1)}
    total = 0
    refused: set[str] = set()  # named by a failure already: not "missing" again below
    for info in infos:
        name = info.filename
        if name in members:
            failures.append(f"{shown(name)}: appears more than once in the bundle")
            continue
        problem = member_problem(name)
        if problem is None and name in folders:
            problem = "a file where the bundle has a folder of that name"
        if problem:
            failures.append(f"{shown(name)}: {problem}")
            refused.add(name)
            continue
        limit = _limit(name)
        total += info.file_size
        if info.file_size > limit or total > MAX_TOTAL:
            failures.append(f"{name}: {info.file_size:,} bytes uncompressed; refused unread (the limit is "
                            f"{limit:,} bytes a member and {MAX_TOTAL:,} in all)")
            refused.add(name)
            continue
        keep = name in (MANIFEST, SUMS) or (keep_data and name.startswith("data/"))
        try:
            members[name] = _read(archive, info, limit, keep)
        except _TooLarge:
            failures.append(f"{name}: more than {limit:,} bytes uncompressed; refused")
            refused.add(name)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError,
                zlib.error) as exc:  # a damaged member fails its CRC check; an encrypted one cannot be read
            failures.append(f"{name}: cannot be read ({exc})")
            refused.add(name)
    if MANIFEST not in members:
        return failures + [f"{MANIFEST}: missing from the bundle"], None, members
    manifest, problems = _parse_manifest(members[MANIFEST].data)
    if manifest is None:
        return failures + [f"{MANIFEST}: {problem}" for problem in problems], None, members
    failures += [f"{MANIFEST}: {problem}" for problem in problems]
    listed = {m["path"]: m for m in manifest["members"]}

    for name, entry in listed.items():
        if name not in members:
            if name not in refused:
                failures.append(f"{shown(name)}: listed in the manifest but missing from the bundle")
            continue
        member = members[name]
        if member.size != entry["size"]:
            failures.append(f"{name}: {member.size} bytes, the manifest says {entry['size']}")
        if member.sha256 != entry["sha256"]:
            failures.append(f"{name}: SHA-256 differs from the manifest")
    for name in sorted(set(members) - set(listed) - {MANIFEST, SUMS}):  # refused ones are not in members
        failures.append(f"{name}: in the bundle but not in the manifest")

    if SUMS not in members:
        failures.append(f"{SUMS}: missing from the bundle")
    else:
        summed: dict[str, str] = {}
        for line in members[SUMS].data.decode("utf-8", "replace").splitlines():
            digest, sep, name = line.partition("  ")
            if not sep or not _HEX64.match(digest):
                failures.append(f"{SUMS}: malformed line {shown(line[:80])!r}")
                continue
            summed[name] = digest
        for name, digest in summed.items():
            if name not in members:
                if name not in refused:
                    failures.append(f"{shown(name)}: listed in {SUMS} but missing from the bundle")
            elif members[name].sha256 != digest:
                failures.append(f"{name}: SHA-256 differs from {SUMS}")
        for name in sorted((set(listed) | {MANIFEST}) - set(summed)):
            failures.append(f"{shown(name)}: not listed in {SUMS}")
    return failures, manifest, members


def _parse_manifest(data: bytes) -> tuple[dict | None, list[str]]:
    """The manifest if it has the shape `write_bundle` gives it; otherwise None and what is wrong."""
    try:
        manifest = json.loads(data)
    except RecursionError:
        return None, ["not a valid manifest (nested too deeply)"]
    except ValueError as exc:
        return None, [f"not a valid manifest ({exc})"]
    if not isinstance(manifest, dict):
        return None, ["not a valid manifest (not a JSON object)"]
    problems = []
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("path"), str) and _is_int(m.get("size"))
            and isinstance(m.get("sha256"), str) for m in members):
        return None, ["not a valid manifest (members must be a list of {path, size, sha256})"]
    if len(members) > MAX_MEMBERS:  # a bundle holds no more; 100,000 listed took minutes to check
        return None, [f"not a valid manifest (lists {len(members):,} members; a bundle holds at most "
                      f"{MAX_MEMBERS:,})"]
    paths = [m["path"] for m in members]
    for name in sorted(name for name, times in Counter(paths).items() if times > 1):
        problems.append(f"lists {shown(name)} more than once")
    for name in paths:
        problem = member_problem(name) if name not in (MANIFEST, SUMS) else "the manifest cannot list itself"
        if problem:
            problems.append(f"lists {shown(name)}: {problem}")
    if not isinstance(manifest.get("project"), str):
        problems.append("project is not a text")
    if manifest.get("conclusion") not in _CONCLUSIONS:
        problems.append(f"conclusion is not one of {', '.join(_CONCLUSIONS)}")
    epoch = manifest.get("source_date_epoch")
    if not _is_int(epoch) or not 0 <= epoch <= _LAST_EPOCH:
        problems.append(f"source_date_epoch is not a whole number of seconds from 1970 to 9999")
    record = manifest.get("provenance")
    if not isinstance(record, dict) or record.get("state") not in _STATES:
        problems.append(f"provenance.state is not one of {', '.join(_STATES)}")
    else:
        commit, full = record.get("commit"), record.get("full_commit")
        if record["state"] != "committed" and commit is None and full is None:
            pass  # outside git, or a repository with no commit yet
        elif record["state"] == "untracked":
            problems.append("provenance: an untracked build has no commit")
        elif not (isinstance(commit, str) and _SHORT.match(commit) and isinstance(full, str) and _FULL.match(full)
                  and full.startswith(commit)):
            problems.append("provenance: commit and full_commit are not a commit's hashes")
        if manifest.get("commit") != commit:
            problems.append("commit differs from provenance.commit")
        if record.get("epoch", epoch) != epoch:
            problems.append("provenance.epoch differs from source_date_epoch")
    return manifest, problems


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_rebuild(manifest: dict, members: dict[str, _Member]) -> list[str]:
    """Rebuild the bundled PDFs from the bundled data with the recorded provenance and compare them; the bundle
    must hold every PDF its data calls for, and its manifest must agree with its data."""
    from . import pipeline
    from .documents import plan_outputs
    from .errors import DataError

    record = manifest["provenance"]
    provenance = Provenance(record["state"], record.get("commit"), record.get("full_commit"),
                            manifest["source_date_epoch"])
    bundled = {name.removeprefix("pdf/"): member for name, member in members.items() if name.startswith("pdf/")}
    failures = []
    with tempfile.TemporaryDirectory(prefix="signoff-rebuild-") as tmp:
        root = Path(tmp).resolve()
        data_dir, out_dir = root / "data", root / "out"
        data_dir.mkdir()
        for name, member in sorted(members.items()):
            if not name.startswith("data/"):
                continue
            target = (data_dir / name.removeprefix("data/")).resolve()
            if not target.is_relative_to(data_dir):  # the names are checked already; this is the second lock
                return [f"{shown(name)}: would be written outside the rebuild's folder"]
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as stream:
                    stream.write(member.data)
            except OSError as exc:
                return [f"{shown(name)}: cannot be unpacked for the rebuild ({exc.strerror or exc})"]
        try:
            facts = pipeline.check(data_dir).facts
        except DataError as exc:
            return [f"data/{p.format().removeprefix(str(data_dir) + '/')}" for p in exc.problems
                    if p.severity == "error"] + ["the bundled data is invalid: nothing rebuilt"]
        if manifest["project"] != facts["project"]["code"]:
            failures.append(f"{MANIFEST}: project {shown(manifest['project'])!r} differs from the bundled data's "
                            f"{facts['project']['code']!r}")
        if manifest["conclusion"] != facts["conclusion"]:
            failures.append(f"{MANIFEST}: conclusion {manifest['conclusion']} differs from the bundled data's "
                            f"{facts['conclusion']}")
        called = {output.file: output for output in plan_outputs(facts)}
        for name in sorted(set(called) - set(bundled)):
            failures.append(f"pdf/{name}: called for by the bundled data but missing from the bundle")
        for name in sorted(set(bundled) - set(called)):
            failures.append(f"pdf/{name}: in the bundle but not called for by the bundled data")
        if failures:  # the bundle is not the package its data makes: rebuilding cannot make it so
            return failures
        only = tuple(dict.fromkeys(o.document.key for o in called.values() if o.file in bundled))
        if only:
            pipeline.build(data_dir, out_dir, jobs=os.cpu_count() or 1, only=only, force=True,
                           report=lambda problems: None, say=lambda line: None, provenance=provenance)
        for name, member in sorted(bundled.items()):
            if name not in called:
                continue
            rebuilt = out_dir / name
            if not rebuilt.is_file():
                failures.append(f"pdf/{name}: not rebuilt from the bundled data")
            elif _sha256(rebuilt.read_bytes()) != member.sha256:
                failures.append(f"pdf/{name}: differs from the PDF rebuilt from the bundled data")
    return failures


def bundle_package(data_dir: Path, out_dir: Path, facts: dict, provenance: Provenance,
                   allow_dirty: bool, inputs: str) -> Path:
    """Bundle the package just built in `out_dir`: every PDF the facts call for, with the data behind it.
    `inputs` is `cache.inputs_digest` taken before the data was read for `facts` and `provenance` (checked once,
    before the build): when the data, the templates or the commit differ from it once every member is read,
    nothing is written (BundleError)."""
    from .cache import inputs_digest, read_state
    from .documents import plan_outputs

    pdf_paths = [out_dir / output.file for output in plan_outputs(facts)]
    state = read_state(out_dir)
    foreign = [path.name for path in pdf_paths if path.exists() and not state.holds(out_dir, path.name)]
    if foreign:  # the build just said they are up to date: changed since, under the lock, by no build
        raise BundleError(f"{out_dir}: {', '.join(foreign)} not the PDF(s) the build wrote: nothing bundled; "
                          "run the bundle again")

    def unchanged() -> None:
        if not inputs or inputs_digest(data_dir) != inputs:
            raise BundleError(f"{data_dir} or the templates changed while the package was built (a file edited, "
                              "another commit checked out): nothing bundled; run the bundle again")
    return write_bundle(data_dir, out_dir, pdf_paths, facts, provenance, allow_dirty, before_writing=unchanged)
