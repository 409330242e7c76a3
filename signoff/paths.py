"""Where Signoff's own files are: the schemas, the templates (with theme and labels), the code, and its cache."""
import os
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = CODE_DIR.parent / "schemas"
TEMPLATES_DIR = CODE_DIR.parent / "templates"


def cache_dir() -> Path:
    """Signoff's cache (glyph coverage, compiled templates): speeds things up, never changes an output."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "signoff"
