"""Where Signoff's own files are (the schemas, the templates with theme and labels, the code, its cache), and how a
file anyone may have put in place is opened (`open_regular`) and a cache file read and written."""
import atexit
import contextlib
import functools
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

CODE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = CODE_DIR.parent / "schemas"
TEMPLATES_DIR = CODE_DIR.parent / "templates"


def cache_dir() -> Path:
    """Signoff's cache (compiled templates, glyph coverage, font subsets, the layouts' seal key): speeds things up,
    never changes an output. What it holds decides what prints (a subset's glyphs), vouches for layouts (the key)
    or is code (the templates): only a folder this user owns and no one else can write to is used
    (`private_folder`); otherwise one of this process's own, gone when it ends (nothing is reused)."""
    chosen = os.environ.get("XDG_CACHE_HOME", "")
    # a relative path is invalid there and is ignored (the XDG Base Directory specification)
    folder = (Path(chosen) if os.path.isabs(chosen) else Path.home() / ".cache") / "signoff"
    return folder if private_folder(folder) else _own_cache(str(folder))


@functools.lru_cache(maxsize=None)
def _own_cache(instead_of: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="signoff-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def private_folder(folder: Path) -> bool:
    """Whether `folder` is this user's alone: a folder itself, not a link, that this user owns and no one else can
    write to, in a folder where no one else can swap it (not writable by all without the sticky bit). A missing one
    is made (mode 0700), but only under a folder of this user's: root building with another user's HOME makes
    nothing there. One of the user's that others could write to (made under a umask of 002, opened since) is moved
    aside whole and a new one made in its place: what it held could be anyone's, and a folder another user put
    inside it could not be emptied. (Of two builds that find it open at once, the second may move the new one the
    first made: it puts it back.)"""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        if not _ours(folder.parent):
            return False
        try:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.mkdir(mode=0o700)
            info = os.lstat(folder)
        except OSError:
            return False
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or _open_to_all(folder.parent):
        return False
    if info.st_mode & 0o022:
        try:
            aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}-untrusted-", dir=folder.parent))
            os.rename(folder, aside / folder.name)
            moved = os.lstat(aside / folder.name)
            if (moved.st_dev, moved.st_ino) != (info.st_dev, info.st_ino):
                # another build moved the open folder first and made a new one, now in use: it goes back
                os.rename(aside / folder.name, folder)
            else:
                folder.mkdir(mode=0o700)  # fails if someone made one in between
            info = os.lstat(folder)
        except OSError:
            return False
        shutil.rmtree(aside, ignore_errors=True)  # what cannot be removed stays aside, under no name Signoff reads
        return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
    return True


def _open_to_all(folder: Path) -> bool:
    """Whether anyone may rename what `folder` holds: writable by all and not sticky (/tmp is sticky)."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return True
    return bool(mode & stat.S_IWOTH and not mode & stat.S_ISVTX)


def _ours(folder: Path) -> bool:
    """Whether the nearest existing folder at or above `folder` belongs to this user."""
    for candidate in (folder, *folder.parents):
        try:
            return os.stat(candidate).st_uid == os.getuid()
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return False


def outside(data_dir: Path, target: Path) -> bool:
    """Whether `target`, a file a command writes, lies outside the data folder (it would overwrite the data, or
    change what the next build reads): its folder resolved, the name as given."""
    try:
        return not (target.parent.resolve() / target.name).is_relative_to(data_dir.resolve())
    except (OSError, RuntimeError):
        return True  # unresolvable: the write itself says why


TOOL_DIRS = ("signoff", "templates", "schemas", "tools")  # Signoff's own folders: what `init` copies


def own_folder(target: Path) -> str | None:
    """The name of Signoff's own folder (`TOOL_DIRS`) that `target`, a file or folder a command writes, lies in,
    or None: a calendar or a report written over a catalog or the theme ended every later command in a
    traceback, and `init` into templates/ copied templates/ into itself until Python's recursion limit."""
    try:
        path = target.parent.resolve() / target.name
    except (OSError, RuntimeError):
        return None  # unresolvable: the write itself says why
    root = CODE_DIR.parent
    return next((name for name in TOOL_DIRS if path == root / name or path.is_relative_to(root / name)), None)


def in_git_folder(relative: str) -> bool:
    """Whether a relative path (of the data folder, a bundle, a git tree) lies in a .git folder, of any case (some
    file systems fold it): a repository whose config runs commands (core.fsmonitor) when git looks at it."""
    return any(segment.lower() == ".git" for segment in relative.split("/"))


def leaves_folder(relative: str) -> bool:
    """Whether a relative path read from a file (a bundle's member, a git tree's entry) could be written outside
    the folder it is written under, or is no plain path: absolute, a backslash, an empty, `.` or `..` segment."""
    return "\\" in relative or any(segment in ("", ".", "..") for segment in relative.split("/"))


class NotRegularFile(OSError):
    """A folder, a named pipe or a device where a file was expected."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading when it is a regular file itself, checked on the open file (no window between a
    check and the read): a symbolic link is not followed (OSError, ELOOP), a named pipe does not block, anything
    but a regular file is NotRegularFile."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a folder on its own terms
            raise NotRegularFile(f"{path} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_cache(path: Path) -> bytes | None:
    """A cache file's bytes, or None when there is none to read: missing, unreadable, or not a regular file itself
    (a link, a folder, a named pipe put there). What the bytes say is the caller's to check."""
    try:
        with open_regular(path) as stream:
            return stream.read()
    except OSError:
        return None


def read_json_cache(path: Path):
    """A cache file's JSON, or None when there is none to trust: no regular file to read (see read_cache), or not
    JSON (nested too deep included). What it holds is the caller's to check: a cache is untrusted."""
    data = read_cache(path)
    try:
        return None if data is None else json.loads(data)
    except (ValueError, RecursionError):
        return None


def write_cache(target: Path, data: bytes) -> None:
    """Into a cache atomically, through a temporary file of a name no one can guess or plant a pipe or link at
    (mkstemp); a cache that cannot be written only costs time."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def used(path: Path) -> None:
    """A cache file just used: the last of its kind to be pruned (a cache one may read but not write still is one)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(folder: Path, pattern: str, keep: int, companions: tuple[str, ...] = ()) -> None:
    """The least recently used files of `folder` named `pattern` beyond the `keep` most recent go, each with its
    companions (the same name with those suffixes), each on its own: a dangling link, a folder or a file that cannot
    be removed is passed over. Every cache of Signoff keeps a bounded number of entries: each checkout (a clone, the
    base revision `make diff` checks out) would otherwise add its own for ever."""
    def last_used(path: Path) -> float:
        try:
            return os.lstat(path).st_mtime
        except OSError:
            return 0.0

    try:
        found = sorted(folder.glob(pattern), key=last_used, reverse=True)
    except OSError:
        return
    for path in found[keep:]:
        for victim in (path, *(path.with_suffix(suffix) for suffix in companions)):
            with contextlib.suppress(OSError):
                victim.unlink(missing_ok=True)
