"""The incremental build's memory: what is cached, where, and why it can be trusted (issue 12).

Placeholder: filled in below."""
from __future__ import annotations

import re
from functools import lru_cache


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
    return bool(_output_file().fullmatch(name))
