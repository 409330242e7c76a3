"""The incremental build's memory: what is cached, where, why, and why none of it can make a build wrong.

Three things let a build skip work, each checked before it is used and none of them trusted blindly:

- **The whole-input digest** (`inputs_digest`): every file of the data folder, `templates/` and `signoff/`, the
  data folder's place, `SOURCE_DATE_EPOCH`, the git state provenance depends on and the installed theme fonts'
  files (fonts.py lays out from subsets of them). When it equals the one in
  the state file and every output the state names exists, the build has nothing to do (`nothing changed`).
- **The per-document digest** (`document_digest`): a document's layout key and the bytes of the data files it
  carries. A document whose digest is the one the state file records, and whose PDF exists, is left alone.
- **The layout cache** (`LayoutCache`, `OUT/.signoff-layout/{key}.layout`): a document laid out before its
  data files are attached, by `layout_key` (the HTML and the code and versions of the renderer). A data edit
  that prints nowhere then costs an attachment (milliseconds), not a layout (seconds). A layout file holds its
  own key and the SHA-256 of its PDF; one that does not prove it belongs to the key asked for (copied over
  from another document, truncated, of another format) is laid out again; so is one not sealed with this user's
  key (`sealed`: an HMAC kept in `~/.cache/signoff/layout-seal.key`), since anyone may write to the folder and a
  planted layout whose header agrees with its PDF would be published with the user's attachments.

The state file (`OUT/.signoff-state.json`) lives in a folder anyone can write to, so it is untrusted: one of the
wrong shape is ignored (a full build), and the only files a build ever removes are those the output folder's
naming scheme (SPEC §6, `is_output_file`) produces, by base name, inside that folder.

Three more caches live outside the output folder, in `paths.cache_dir()` (`~/.cache/signoff/`): the compiled
templates (render.py, keyed by each template's source), the theme fonts' glyph coverage (glyphs.py, keyed by
the font files) and the package font subsets (fonts.py, keyed by the SHA-256 of the font file, the subsetting
code and the character set, each checked against the digest recorded when it was made). All only save time;
without them a build gives the same bytes. That folder is used only when it is this user's alone
(`paths.private_folder`). Every cache file, here and in the output folder, is read only when it is a regular
file itself (`paths.open_regular`: no link followed, no named pipe waited on) and of the right shape.

A build holds `OutputLock` on the output folder from before it reads the state until after it wrote it; every
temporary file lives in the build's own `Scratch` folders (unique names, beside their targets, removed on
success, failure and interruption alike), so two builds never mix.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .embed import Layout
from .errors import ERROR, WARNING, EnvironmentProblem, Problem
from .paths import (CODE_DIR, SCHEMA_DIR, TEMPLATES_DIR, cache_dir, open_regular, read_cache, read_json_cache,
                    write_cache)

STATE_FILE = ".signoff-state.json"
LAYOUT_DIR = ".signoff-layout"
LOCK_FILE = ".signoff-lock"
SCRATCH_PREFIX = ".signoff-tmp-"


# ---------------------------------------------------------------- the output folder's naming scheme

@lru_cache(maxsize=1)
def _output_file() -> re.Pattern:
    """The file names of SPEC §6 (and §10), from the documents' registry: `01-confirmation.pdf`,
    `02-minutes-{id}.pdf`…, each `{…}` an id (ASCII letters, digits, `_` and `-`, starting with a letter or
    digit). Nothing else in an output folder or a bundle's `pdf/` is ever taken for a document."""
    from .documents import DOCUMENTS

    forms = []
    for document in DOCUMENTS:
        parts = re.split(r"\{[a-z_]+\}", document.file)
        forms.append("[A-Za-z0-9][A-Za-z0-9_-]{0,99}".join(re.escape(part) for part in parts))
    return re.compile("|".join(f"(?:{form})" for form in forms))


def is_output_file(name: str) -> bool:
    """Whether `name` (a base name) is one the output folder's naming scheme can produce."""
    return isinstance(name, str) and bool(_output_file().fullmatch(name))


# ---------------------------------------------------------------- digests

def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _tree_digest(*folders: Path) -> str:
    """A digest of every file under the folders (names and bytes), in a fixed order."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(os.fsencode(path.relative_to(folder)) + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _data_digest(data_dir: Path) -> str:
    """A digest of what a build reads from the data folder: its top-level YAML files and assets/ (never the
    whole tree: `--data /` must not read the machine)."""
    h = hashlib.sha256()
    files = sorted(p for pattern in ("*.yaml", "*.yml") for p in data_dir.glob(pattern))
    assets = data_dir / "assets"
    if assets.is_dir() and not assets.is_symlink():
        files += sorted(p for p in assets.rglob("*") if p.is_file())
    for path in files:
        # a name as the file system's bytes: one that is not UTF-8 (café in Latin-1) is no traceback
        h.update(os.fsencode(path.relative_to(data_dir)) + b"\0" + (
            b"link:" + os.fsencode(os.readlink(path)) if path.is_symlink() else _file_sha256(path)))
    return h.hexdigest()


def _file_sha256(path: Path) -> bytes:
    """A data file's digest; a named pipe or folder where a data file should be is an OSError (no shortcut: the
    check then says what is wrong), never a read that waits for ever."""
    with open_regular(path) as stream:
        return hashlib.sha256(stream.read()).digest()


def _git_head_state(data_dir: Path) -> str:
    """What provenance depends on, cheaply: the commit and whether the work tree is clean."""
    from .provenance import git, tool_paths

    state = []
    folders = [data_dir.resolve()]
    while folders:
        folder = folders.pop(0)
        head = git(folder, "rev-parse", "--show-toplevel", "HEAD") or ""
        top = Path(head.splitlines()[0]) if head else None
        if folder == TEMPLATES_DIR:  # Signoff's own files, in a repository of their own
            paths = tool_paths(TEMPLATES_DIR)
        elif top is not None and TEMPLATES_DIR.is_relative_to(top):  # …or in the data's
            paths = [folder, *tool_paths(TEMPLATES_DIR)]
        else:
            paths = [folder]
            folders.append(TEMPLATES_DIR)
        status = git(folder, "status", "--porcelain", "--ignored=matching", "--untracked-files=all", "--",
                     *map(str, paths)) or ""
        # Python's caches come and go as modules are first imported: never a change (as provenance._uncommitted)
        state += [head, "\n".join(line for line in status.splitlines() if "__pycache__/" not in line)]
    return "\n".join(state)


def inputs_digest(data_dir: Path) -> str:
    """Everything a build's outputs can depend on, as one digest."""
    try:
        inputs = _data_digest(data_dir) + _tree_digest(TEMPLATES_DIR, CODE_DIR, SCHEMA_DIR) + json.dumps(
            [str(data_dir.resolve()), os.environ.get("SOURCE_DATE_EPOCH"), _git_head_state(data_dir),
             _font_state()])
    except (OSError, RuntimeError):  # an unreadable file or a symbolic-link loop: no shortcut, the check says why
        return ""
    return hashlib.sha256(inputs.encode()).hexdigest()


def _font_state() -> list[str]:
    """The installed files of the theme's families, by path, size and time: an upgraded fonts-noto-cjk makes new
    package subsets (fonts.py), so the build is not "nothing changed" (fontconfig's list of each family's files,
    asked once a run: the digest is taken before and after a build; the sizes and times are read each time)."""
    from .glyphs import installed_files
    from .sources import read_project_yaml

    state = []
    for family in sorted(read_project_yaml(TEMPLATES_DIR / "theme.yaml")["fonts"].values()):
        try:
            listed = installed_files(family)
        except EnvironmentProblem:  # no fontconfig: no state to compare, and the glyph check says why
            listed = ()
        for path in listed:
            try:
                info = os.stat(path)
                state.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
            except OSError:
                state.append(f"{path}:missing")
    return state


# The modules from the HTML to the layout's bytes (the renderer, its image handling, continuation marks, chunks
# and their join, the PDF/A catalog); tests/test_build.py checks that they are all those pdf.py and pipeline.py's
# chunking reach.
RENDERER_CODE = ("pdf.py", "linebreak.py", "overflow.py", "continued.py", "embed.py", "chunks.py", "joined.py")


@lru_cache(maxsize=1)
def _renderer_key() -> bytes:
    """What else decides a layout's bytes: the code that drives the renderer and the renderer's version."""
    from importlib.metadata import PackageNotFoundError, version

    code = b"".join((CODE_DIR / name).read_bytes() for name in RENDERER_CODE)
    def installed(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:  # pikepdf is only needed by a long document (then it says so)
            return "none"

    return code + " ".join(installed(p) for p in ("weasyprint", "pydyf", "pillow", "pikepdf")).encode()


def layout_key(html: str) -> str:
    """The layout cache's key of a document: what the page shows is all in its HTML (CSS and images inline)."""
    return digest(_renderer_key(), html.encode())


def document_digest(key: str, attachments: list[tuple[str, bytes]]) -> str:
    """A document's bytes as a digest: its layout and the data files attached to it."""
    return digest(key.encode(), *(data for _, data in attachments))


# ---------------------------------------------------------------- the state file

@dataclass(frozen=True)
class State:
    """What the last build of an output folder left: its inputs, each output's digest, its warnings, and the
    SHA-256 of each PDF it wrote (`pdfs`): a PDF that is not the one written (a build killed between its renames,
    a file or a link put in its place) is built again, never taken as up to date."""
    inputs: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    pdfs: dict[str, str] = field(default_factory=dict)

    def up_to_date(self, inputs: str, out_dir: Path) -> bool:
        return bool(inputs) and self.inputs == inputs and all(self.holds(out_dir, name) for name in self.outputs)

    def holds(self, out_dir: Path, name: str) -> bool:
        """Whether `out_dir/name` is a regular file with the bytes this state's build wrote there."""
        return name in self.pdfs and file_sha256(out_dir / name) == self.pdfs[name]


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (no link followed, `_file_sha256`), or None when there is none."""
    try:
        return _file_sha256(path).hex()
    except OSError:
        return None


_PROBLEM_FIELDS = {"file": str, "line": int, "col": int, "path": str, "message": str, "severity": str}


def _problem(record) -> Problem:
    if not (isinstance(record, dict) and set(record) == set(_PROBLEM_FIELDS)
            and all(type(record[k]) is kind for k, kind in _PROBLEM_FIELDS.items())
            and record["severity"] in (ERROR, WARNING)):
        raise ValueError("not a problem")
    return Problem(**record)


def read_state(out_dir: Path) -> State:
    """The state file of `out_dir`; an empty state (a full build) when it is missing or of the wrong shape."""
    try:
        record = read_json_cache(out_dir / STATE_FILE)  # no link followed, no named pipe waited on
        inputs, outputs, warnings, pdfs = record["inputs"], record["outputs"], record["warnings"], record["pdfs"]
        if not (inputs is None or isinstance(inputs, str)) or not isinstance(outputs, dict) \
                or not isinstance(warnings, list) or not isinstance(pdfs, dict):
            raise ValueError("wrong shape")
        if not all(is_output_file(name) and isinstance(value, str) for name, value in (*outputs.items(),
                                                                                       *pdfs.items())):
            raise ValueError("an output the naming scheme does not produce")
        return State(inputs, dict(outputs), tuple(_problem(w) for w in warnings), dict(pdfs))
    except (ValueError, TypeError, KeyError):  # (None, for no file or no JSON, is a TypeError)
        return State()


def state_bytes(state: State) -> bytes:
    record = {"inputs": state.inputs, "outputs": state.outputs, "warnings": [vars(w) for w in state.warnings],
              "pdfs": state.pdfs}
    return json.dumps(record, indent=1, sort_keys=True).encode()


def remove_stale(out_dir: Path, names, say: Callable[[str], None]) -> None:
    """Remove outputs no longer called for: only names of the folder's own scheme, only inside it."""
    for name in sorted(names):
        if not is_output_file(name) or "/" in name:
            continue
        path = out_dir / name
        if path.parent != out_dir or not (path.is_file() or path.is_symlink()):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise EnvironmentProblem(f"cannot remove {path}: {exc.strerror or exc}") from exc
        say(f"  removed {name} (no longer called for)")


# ---------------------------------------------------------------- the layout cache

class LayoutCache:
    """Laid-out documents before their attachments, one file per layout key under `OUT/.signoff-layout/`."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / LAYOUT_DIR

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.layout"

    def load(self, key: str) -> Layout | None:
        """The layout kept for `key`, or None when there is none that proves it belongs to `key` and was written by
        this user's builds (`sealed`)."""
        try:
            return Layout.from_bytes(_unsealed(read_cache(self.path(key)) or b""), key)
        except (ValueError, KeyError, TypeError, RecursionError):
            return None

    def prepare(self) -> None:
        _secret()  # made here, before the renderers fork: every one of them seals with the same key
        try:
            _own_folder(self.folder)
            self.folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot create the layout cache {self.folder}: {exc.strerror or exc}") from exc

    def prune(self, keep: set[str]) -> None:
        """Remove every cached layout no current document uses (only files directly in the cache folder)."""
        try:
            if self.folder.is_symlink():  # replaced under the lock (OutputLock); never pruned through
                return
            for path in self.folder.iterdir():
                if (path.is_file() or path.is_symlink()) and not (path.suffix == ".layout" and path.stem in keep):
                    path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise EnvironmentProblem(f"cannot prune the layout cache {self.folder}: {exc.strerror or exc}") from exc


_SEAL = b"%signoff-sealed "


@lru_cache(maxsize=1)
def _secret() -> bytes:
    """This user's key for sealing layouts: 32 random bytes kept in the cache folder (mode 0600, mkstemp's), or
    for this process alone when it cannot be kept (its layouts are then not reused by the next build)."""
    path = cache_dir() / "layout-seal.key"
    kept = read_cache(path)
    if kept is not None and len(kept) == 32:
        return kept
    made = os.urandom(32)
    write_cache(path, made)
    return made


def sealed(data: bytes) -> bytes:
    """A layout file as written: a line with its HMAC under this user's key, then the layout (embed.Layout). The
    output folder may be written by others: a layout whose header and PDF agree proves it is whole, not that this
    tool made it, and a planted one would be published with the user's attachments."""
    return _SEAL + hmac.new(_secret(), data, hashlib.sha256).hexdigest().encode() + b"\n" + data


def _unsealed(data: bytes) -> bytes:
    line, sep, rest = data.partition(b"\n")
    if not (sep and line.startswith(_SEAL) and hmac.compare_digest(
            line[len(_SEAL):], hmac.new(_secret(), rest, hashlib.sha256).hexdigest().encode())):
        raise ValueError("a layout not sealed by this user's builds")
    return rest


# ---------------------------------------------------------------- one build at a time, and its temporary files

@dataclass
class _Held:
    fd: int | None = None
    users: int = 0


_HELD: dict[str, _Held] = {}  # by the output folder's absolute path: one lock per folder and process


def _own_folder(folder: Path) -> None:
    """The layout cache's folder as a folder of the output folder's own: a symbolic link or a file in its place
    (anyone may write to the output folder) is removed, the entry only, so that no layout is written, pruned or
    swept through it into the folder it names."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        os.unlink(folder)


class OutputLock:
    """An exclusive lock on an output folder (flock on `OUT/.signoff-lock`): a second build waits for the first
    and says so. Released when the build ends, however it ends (the lock dies with the process).

    Nested uses in one process share the lock and keep it until the outermost ends: `bundle` wraps its build
    and its zip in one, so no other build can change the PDFs between the two. `acquire` takes the lock (and
    creates the folder) only when it is needed, so invalid data leaves no folder behind."""

    def __init__(self, out_dir: Path, say: Callable[[str], None]):
        self.out_dir, self.say = out_dir, say
        self.key = os.path.abspath(out_dir)

    def acquire(self) -> None:
        held = _HELD[self.key]
        if held.fd is not None:
            return
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot create {exc.filename or self.out_dir}: {exc.strerror or exc}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.say(f"waiting for another build of {self.out_dir}…")
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        held.fd = fd
        try:
            _own_folder(self.out_dir / LAYOUT_DIR)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot replace {self.out_dir / LAYOUT_DIR}: {exc.strerror or exc}") from exc
        for folder in (self.out_dir, self.out_dir / LAYOUT_DIR):  # left by a build that was killed: ours now
            for stale in folder.glob(SCRATCH_PREFIX + "*"):
                shutil.rmtree(stale, ignore_errors=True)

    def __enter__(self) -> OutputLock:
        _HELD.setdefault(self.key, _Held()).users += 1
        return self

    def __exit__(self, *exc) -> None:
        held = _HELD[self.key]
        held.users -= 1
        if held.users == 0:
            if held.fd is not None:
                os.close(held.fd)
            del _HELD[self.key]


class Scratch:
    """The build's own temporary folders, one beside each place it writes to (the output folder, the layout
    cache), so every rename stays on one file system: files are written there, then renamed into place;
    whatever is left is removed when the build ends, however it ends."""

    def __init__(self):
        self.folders: dict[Path, Path] = {}
        self.renames: dict[Path, Path] = {}

    def file(self, target: Path) -> Path:
        """Where `target` is written first; renamed into place by `commit`, in the order asked for."""
        parent = target.parent
        if parent not in self.folders:
            try:
                self.folders[parent] = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=parent))
            except OSError as exc:
                raise EnvironmentProblem(f"cannot write into {parent}: {exc.strerror or exc}") from exc
        partial = self.folders[parent] / f"{len(self.renames):04d}-{target.name}"
        self.renames[partial] = target
        return partial

    def commit(self) -> None:
        """Every rename, with Ctrl-C and SIGTERM held until the last is done: an interrupted build leaves the
        previous documents or the new ones, never some of each (a kill that cannot be held is found by the next
        build: State.holds). The signal is then handled as it would have been."""
        import signal
        import threading

        pending: list[int] = []
        held = (signal.SIGINT, signal.SIGTERM) if threading.current_thread() is threading.main_thread() else ()
        previous = {signum: signal.signal(signum, lambda signum, frame: pending.append(signum)) for signum in held}
        try:
            for partial, target in self.renames.items():
                try:
                    os.replace(partial, target)
                except OSError as exc:
                    raise EnvironmentProblem(f"cannot write {target}: {exc.strerror or exc}") from exc
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if pending:
                signal.raise_signal(pending[0])

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        for folder in self.folders.values():
            shutil.rmtree(folder, ignore_errors=True)
