"""Where Signoff's own files are: the schemas, the templates (with theme and labels), the code, and its cache."""
import os
import stat
from pathlib import Path
from typing import BinaryIO

CODE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = CODE_DIR.parent / "schemas"
TEMPLATES_DIR = CODE_DIR.parent / "templates"


def cache_dir() -> Path:
    """Signoff's cache (glyph coverage, compiled templates): speeds things up, never changes an output."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "signoff"


class NotRegularFile(OSError):
    """A folder, a named pipe or a device where a file was expected."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading when it is a regular file itself, checked on the open file (no window between a
    check and the read): a symbolic link is not followed (OSError, ELOOP), a named pipe does not block, anything
    but a regular file is NotRegularFile."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    stream = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        stream.close()
        raise NotRegularFile(f"{path} is not a regular file")
    return stream
