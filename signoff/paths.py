"""Where Signoff's own files are: the schemas, the templates (with theme and labels) and the code."""
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = CODE_DIR.parent / "schemas"
TEMPLATES_DIR = CODE_DIR.parent / "templates"
