"""Image fields: a relative path to a PNG or JPEG under the data folder's assets/, whole and of sane size."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import Problem
from .sources import Source

MAX_PIXELS = 25_000_000
IMAGE_FIELDS = {"signature", "seal", "logo"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def asset_fields(value, path=()):
    """Every image field in a data value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IMAGE_FIELDS and isinstance(item, str):
                yield path + (key,), item
            else:
                yield from asset_fields(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from asset_fields(item, path + (index,))


def check_assets(source: Source, data_dir: Path) -> list[Problem]:
    problems = []
    for path, value in asset_fields(source.data):
        message = asset_problem(value, data_dir)
        if message:
            problems.append(source.problem(path, message))
    return problems


def asset_problem(value: str, data_dir: Path) -> str | None:
    """Why `value` is not a usable image under `data_dir`/assets/, or None."""
    shown = repr(value)
    if _URL.match(value) or value.startswith("//"):
        return f"{shown} is a URL; name a file under assets/"
    if Path(value).is_absolute() or value.startswith("\\"):
        return f"{shown} is an absolute path; name a file under assets/ relative to the data folder"
    try:
        assets_dir = data_dir.resolve() / "assets"  # not resolved itself: an assets/ that links elsewhere leaves
        target = (data_dir / value).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic-link loop
        return f"{shown} cannot be resolved ({exc})"
    if not target.is_relative_to(assets_dir):
        return f"{shown} leaves the data folder's assets/ (resolved to {target})"
    if not target.is_file():
        return f"{shown}: no such file"
    from PIL import Image, ImageFile  # here: a data folder without images never pays for importing Pillow

    Image.MAX_IMAGE_PIXELS = None  # the limit is ours, checked from the header before any decoding
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES when it is imported; a truncated image must fail here anyway.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(target) as image:
            kind, size = image.format, image.size
            if kind not in ("PNG", "JPEG"):
                return f"{shown} is a {kind} image; use PNG or JPEG"
            if size[0] * size[1] > MAX_PIXELS:
                return (f"{shown} is {size[0]}×{size[1]} pixels; the limit is {MAX_PIXELS:,} pixels")
            image.load()
    except Image.UnidentifiedImageError:
        return f"{shown} is not a PNG or JPEG image"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"{shown} is a corrupt image ({exc})"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None


def resolve_asset(value: str, data_dir: Path) -> Path:
    return (data_dir / value).resolve()
