"""HTML to PDF/A-3b with WeasyPrint: one font set-up, a fenced fetcher (images at 16 alpha levels), warnings as
failures; atomic writes."""
from __future__ import annotations

import base64
import gc
import logging
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

from .continued import lay_out_with_marks
from .overflow import fitted
from .embed import Layout
from .errors import EnvironmentProblem, SignoffError


# A seal or a signature is one ink colour over an alpha channel of 200-odd levels of antialiasing and texture; the
# alpha is what a PDF pays for (WeasyPrint stores it as an 8-bit soft mask: 33 KB of a 400×400 seal, two seals
# a one-page report). Sixteen levels, 1/30 of full ink apart (and printed at 80 % opacity), cannot be told apart
# on paper at 240 dpi, and their mask compresses to half. Colour is left as it is: a scanned seal's red may vary.
ALPHA_LEVELS = 16


@lru_cache(maxsize=16)
def print_image(data: bytes) -> bytes:
    """A PNG image as the renderer embeds it: its alpha channel reduced to ALPHA_LEVELS levels (re-encoded,
    deterministically); a JPEG or a PNG without transparency is returned as it is. Remembered for the process
    (data/ prints its 8 images 98 times); the last 16 only, as an image may be up to MAX_PIXELS."""
    if not data.startswith(b"\x89PNG"):
        return data
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.mode == "P" and "transparency" in image.info or image.mode in ("PA", "RGBA", "LA", "La", "RGBa"):
            image = image.convert("LA" if image.mode in ("LA", "La") else "RGBA")
        else:
            return data
        step = 255 / (ALPHA_LEVELS - 1)
        alpha = image.getchannel("A").point([round(round(v / step) * step) for v in range(256)])
        image.putalpha(alpha)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)  # WeasyPrint decodes it and encodes it again itself
    return out.getvalue()


class RenderError(SignoffError):
    """The renderer logged a warning or could not load a resource: nothing broken ships."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _remove_at_exit(font_config) -> None:
    """WeasyPrint writes the @font-face fonts into a `weasyprint-*` folder under the system's temporary folder and
    removes it only when its FontConfiguration is collected, which a process leaving never does: every build left
    two folders of fonts in /tmp. It is removed on exit, from a build's worker processes too (a pool worker leaves
    through os._exit, after multiprocessing's finalizers but without atexit's)."""
    import shutil
    from multiprocessing import util

    def remove():
        folder = getattr(font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    util.Finalize(None, remove, exitpriority=10)


class Renderer:
    """One WeasyPrint set-up (fonts, fetcher) shared by every document of a build."""

    def __init__(self, allowed_dirs: list[Path]):
        try:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration
            from weasyprint.urls import URLFetcher
        except (ImportError, OSError) as exc:
            raise EnvironmentProblem(f"the renderer cannot start ({exc}); run: make") from exc
        from weasyprint.text.ffi import harfbuzz_subset

        from . import linebreak

        linebreak.install()
        if harfbuzz_subset is None:  # fontTools would subset instead: 13–25 s a document instead of 0.1 s
            raise EnvironmentProblem("libharfbuzz-subset is missing; run: sudo apt-get install libharfbuzz-subset0")
        self.weasyprint = weasyprint
        self.font_config = FontConfiguration()
        _remove_at_exit(self.font_config)
        roots = [d.resolve() for d in allowed_dirs]

        class FencedFetcher(URLFetcher):
            """Loads only files under the templates and assets folders; anything else stops the build."""

            def fetch(self, url, headers=None):
                if url.startswith("data:image/png;base64,"):  # the data's own images, inlined by render.py
                    from weasyprint.urls import URLFetcherResponse

                    data = print_image(base64.b64decode(url[len("data:image/png;base64,"):]))
                    return URLFetcherResponse("data:image/png", data, {"Content-Type": "image/png"})
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                if not url.startswith("file://"):
                    raise ValueError(f"refusing to fetch {url}: only the project's own files are read")
                from urllib.parse import unquote, urlparse
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"refusing to read {path}: outside templates/ and assets/")
                return super().fetch(url, headers)

        self.fetcher = FencedFetcher(fail_on_errors=True)

    def layout(self, html: str, name: str, base_dir: Path) -> Layout:
        """Lay `html` out as PDF/A-3b, without attachments (embed.py adds the data files)."""
        pdf, captured = self.pdf_of(html, name, base_dir)
        return Layout(pdf, captured["catalog"], captured["names"])

    def pdf_of(self, html: str, name: str, base_dir: Path, inspect=None) -> tuple[bytes, dict]:
        """The PDF/A-3b of `html` and its catalog's entries as written; `inspect(document)`, when given, is called
        with the laid-out pages before they are written (chunks.py reads where each page starts) and its
        result returned as captured["inspected"]: None, and no PDF, when the document holds a row taller than a
        page."""
        import pydyf

        weasyprint = self.weasyprint
        captured = {}

        def capture(document, pdf):  # the catalog as it is about to be written, for embed.py's update
            names = pdf.catalog.get("Names", {})
            captured["catalog"] = pydyf.Dictionary(
                {k: v for k, v in pdf.catalog.items() if k not in ("Names", "AF")}).data[2:-2]
            captured["names"] = pydyf.Dictionary({k: v for k, v in names.items() if k != "EmbeddedFiles"}).data[2:-2]

        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        # Layout makes millions of objects that live until the PDF is written; the cyclic collector would walk
        # them again and again (10 % of a 5,000-issue log, BENCHMARKS.md). Reference counting still frees the
        # rest, and the collector runs again after each document.
        gc.disable()
        try:
            options = {"pdf_variant": "pdf/a-3b", "uncompressed_pdf": False}

            def render(text):
                return weasyprint.HTML(string=text, base_url=base_dir.resolve().as_uri() + "/",
                                       url_fetcher=self.fetcher).render(font_config=self.font_config, **options)

            # Kept-together text wider than its column is let wrap (overflow.py), and rows taller than a page are
            # marked where they continue. Where such a row breaks, and so its marks, depends on the pages around
            # it: a chunk that holds one is not one to join from pieces (chunks.py lays the document out whole), so
            # it is neither marked nor written.
            document, _, tall = lay_out_with_marks(fitted(render), html, stop_if_tall=inspect is not None)
            if inspect is not None:
                captured["inspected"] = None if tall else inspect(document)
            pdf = b"" if inspect is not None and tall else document.write_pdf(finisher=capture, **options)
        except weasyprint.urls.FatalURLFetchingError as exc:
            raise RenderError(f"{name}: {exc} ({exc.__cause__})") from exc
        finally:
            gc.enable()
            logger.removeHandler(handler)
        if handler.messages:
            raise RenderError(f"{name}: the renderer warned: " + "; ".join(handler.messages))
        return pdf, captured


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder and rename into place: never a half-written file.

    Only a regular file is replaced: a device, a pipe, a folder or a symbolic link at `target` (`--report
    /dev/full` run as root) is refused, never swapped for a file."""
    try:
        existing = os.lstat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {target}: {exc.strerror or exc}") from exc
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise EnvironmentProblem(f"cannot write {target}: it is not a regular file, and is never replaced by one")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {target}: {exc.strerror or exc}") from exc
