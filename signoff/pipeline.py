"""The build, stage by stage: check → plan → HTML → lay out (in parallel, only what changed) → attach data → write.

What is cached, where and why — and why a cache can never make a build wrong — is cache.py's business."""
from __future__ import annotations

import datetime
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import cache
from .embed import Layout, embed
from .errors import EnvironmentProblem, Problem, UsageError
from .paths import TEMPLATES_DIR, own_folder
from .pdf import write_atomic
from .provenance import Provenance, find_provenance

# The stages are imported where they are used: a build with nothing to do, and `check`, stay clear of the
# renderer's imports (Jinja2, Markdown, WeasyPrint).
STATE_FILE = cache.STATE_FILE
LAYOUT_DIR = cache.LAYOUT_DIR


def check(data_dir: Path):
    """Validate `data_dir` completely, the glyph check against the theme's fonts included; a Checked."""
    from .glyphs import check_glyphs, theme_coverage
    from .sources import read_project_yaml
    from .validation import check_data

    theme = read_project_yaml(TEMPLATES_DIR / "theme.yaml")  # (not render.load_theme: check imports no Jinja)
    return check_data(data_dir, glyph_check=lambda sources: check_glyphs(sources, theme_coverage(theme)))


@dataclass(frozen=True)
class Job:
    """One PDF to write: laid out anew (`layout` None), or its cached layout given the current data files.
    `partial` and `layout_partial` are its files in the build's scratch folder."""
    file: str
    html: str
    attachments: list[tuple[str, bytes]]
    key: str
    layout: Layout | None
    partial: Path
    layout_partial: Path | None


def build(data_dir: Path, out_dir: Path, jobs: int, only: tuple[str, ...], force: bool,
          report: Callable[[list[Problem]], None], say: Callable[[str], None],
          provenance: Provenance | None = None) -> list[Path]:
    """Build the package; returns the PDFs written. Raises DataError before anything is written.

    `provenance` is found from git unless given (a bundle's rebuild gives the one it recorded)."""
    _check_folders(data_dir, out_dir)
    with cache.OutputLock(out_dir, say) as lock:
        # A rebuild from a bundle gives its provenance and asks git nothing about the data it unpacked.
        inputs = cache.inputs_digest(data_dir) if provenance is None else ""
        if not force and not only and out_dir.is_dir():
            lock.acquire()
            state = cache.read_state(out_dir)
            if state.up_to_date(inputs, out_dir):
                report(list(state.warnings))
                say(f"nothing changed: {len(state.outputs)} document(s) up to date")
                return []

        # 1. check: nothing is written when the data is invalid (DataError), not even the output folder.
        checked = check(data_dir)
        report(checked.warnings)
        provenance = provenance or find_provenance(data_dir, TEMPLATES_DIR, checked.facts["report"]["date"])
        if provenance.note:
            say(f"signoff: warning: {provenance.note}")
        lock.acquire()
        state = cache.read_state(out_dir)

        # 2. plan and HTML: every document the facts call for, and the ones among them that changed.
        layouts = cache.LayoutCache(out_dir)
        fonts = _package_fonts(checked)
        pieces = _html(checked, only, provenance, data_dir, fonts, say)
        digests = {file: cache.document_digest(key, attachments) for file, _, attachments, key in pieces}
        changed = []
        for file, html, attachments, key in pieces:
            if not force and state.outputs.get(file) == digests[file] and state.holds(out_dir, file):
                say(f"  unchanged {file}")
            else:
                changed.append((file, html, attachments, key))

        # 3–5. lay out what changed (or reuse its layout), attach the data, write.
        allowed = [TEMPLATES_DIR, data_dir / "assets", *fonts.folders]
        written = _produce(changed, out_dir, layouts, allowed, provenance.epoch, jobs, force, say)

        # what the PDFs were made from: data changed while this build read it (a checkout while it waited for the
        # lock) is not what the next build may take as up to date
        if inputs and cache.inputs_digest(data_dir) != inputs:
            inputs = ""
        pdfs = {file: cache.file_sha256(out_dir / file) for file in digests}
        pdfs = {file: sha for file, sha in pdfs.items() if sha}
        if not only:
            cache.remove_stale(out_dir, set(state.outputs) - set(digests), say)
            new_state = cache.State(inputs or None, digests, tuple(checked.warnings), pdfs)
            layouts.prune({key for _, _, _, key in pieces})
        else:
            new_state = cache.State(None, {**state.outputs, **digests}, (), {**state.pdfs, **pdfs})
        write_atomic(out_dir / cache.STATE_FILE, cache.state_bytes(new_state))
    say(f"built {len(written)} document(s), {len(pieces) - len(written)} unchanged, in {out_dir}")
    return written


def _check_folders(data_dir: Path, out_dir: Path) -> None:
    """The output folder may not be the data folder or inside it: the build would write into what it reads
    (and what a bundle carries), and make the data "uncommitted" with every build."""
    try:
        data, out = data_dir.resolve(), out_dir.resolve()
    except (OSError, RuntimeError) as exc:
        raise UsageError(f"cannot resolve {data_dir} or {out_dir}: {exc}") from exc
    if out == data or out.is_relative_to(data):
        where = "is the data folder" if out == data else f"is inside the data folder {data_dir}"
        raise UsageError(f"the output folder {out_dir} {where}; choose one outside it (default: output/)")
    own = own_folder(out)  # Signoff's own files (a link to one too): written into, every page "uncommitted"
    if own:
        raise UsageError(f"the output folder {out_dir} is inside Signoff's {own}/; choose one outside it "
                         "(default: output/)")


def _package_fonts(checked):
    """One subset of each theme face for every character the package can print (fonts.py), whatever `--only`
    builds: a document's bytes never depend on which others are built with it. English sets proportional forms
    (theme.css: proportional-width), and the symbols the faces have none of come from the fallback."""
    from .fonts import package_characters, package_fonts
    from .render import load_theme
    from .text import walk_strings

    texts = (value for source in checked.sources.values() for _, value in walk_strings(source.data))
    return package_fonts(load_theme(), package_characters(texts), checked.facts["project"]["locale"] == "en")


def _html(checked, only: tuple[str, ...], provenance: Provenance, data_dir: Path, fonts, say):
    """Each planned document as (file, HTML, attachments, layout key). What the page shows is all in the HTML
    (the theme's CSS, the fonts' declarations and the images are inline); the data files are attached to the
    laid-out PDF afterwards."""
    from .documents import not_built, plan_outputs
    from .render import make_environment, render_html

    env = make_environment()
    pieces = []
    for key, why in not_built(checked.facts, only):
        say(f"{key}: not built: {why}")
    for output in plan_outputs(checked.facts, only):
        html = render_html(env, checked.facts, output, provenance, data_dir / "assets", fonts)
        attachments = [(f"{name}.yaml", checked.sources[name].raw) for name in output.document.inputs
                       if name in checked.sources]
        pieces.append((output.file, html, attachments, cache.layout_key(html)))
    return pieces


_RENDERER = None


def _pool_worker_init(allowed: list[Path]) -> None:
    """A parallel renderer starting: Ctrl-C and SIGTERM while it starts are the parent's to handle (it stops the
    pool); a worker that got them then printed "Exception in initializer" and a traceback. Once started, it is
    interrupted as the parent is."""
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    terminate = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker_init(allowed)
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, terminate)


ABANDONED = False  # a parallel build interrupted: its workers were killed, the pool not shut down (build.py)


def _abandon(pool) -> None:
    """An interrupted parallel build (Ctrl-C, or SIGTERM: a cancelled CI job or `timeout` sends it to the build
    alone) ends its workers at once rather than wait for a layout under way, which can take minutes in pango's C
    code; they are gone before the build's scratch folder is removed, so none writes after it. The pool is then
    left as it is: Debian's Python 3.11.2 hung shutting down a pool whose workers were ended (in shutdown and in
    the interpreter's exit), so an interrupted build ends with os._exit once it has cleaned up (build.py)."""
    global ABANDONED
    import multiprocessing

    workers = list((getattr(pool, "_processes", None) or {}).values()) or multiprocessing.active_children()
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join()
    ABANDONED = True


def _worker_init(allowed: list[Path]) -> None:
    global _RENDERER
    from .pdf import Renderer

    _RENDERER = Renderer(allowed)


def _write(path: Path, data: bytes) -> None:
    try:
        with open(path, "xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {path}: {exc.strerror or exc}") from exc


def _layout_one(job: Job, stamp: datetime.datetime) -> None:
    """Lay one document out, keep the layout and attach the data files, all into the scratch folder."""
    _keep(_RENDERER.layout(job.html, job.file, TEMPLATES_DIR), job, stamp)


def _keep(laid_out: Layout, job: Job, stamp: datetime.datetime) -> None:
    _write(job.layout_partial, cache.sealed(laid_out.to_bytes(job.key)))
    _attach(laid_out, job, stamp)


def _chunk_task(html: str, name: str, inspect: bool):
    """One chunk of a long document (chunks.py), or a piece of its page numbers, laid out in a worker."""
    from . import chunks

    if inspect:
        return chunks.lay_out_chunk(_RENDERER, html, name, TEMPLATES_DIR)
    return _RENDERER.pdf_of(html, name, TEMPLATES_DIR)


def _lay_out_in_chunks(job: Job, table, stamp: datetime.datetime, pool) -> str:
    """A long document laid out in chunks of rows, on every core (`pool`, or this process), and joined; what the
    build says of it (laid out whole when its chunks cannot be joined)."""
    from . import chunks

    def run(htmls: list[str], inspect: bool):
        if pool is None:
            return [_chunk_task(html, job.file, inspect) for html in htmls]
        futures = [pool.submit(_chunk_task, html, job.file, inspect) for html in htmls]
        return [future.result() for future in futures]

    laid_out = chunks.lay_out(job.html, table, job.file, TEMPLATES_DIR, run)
    if laid_out is None:  # the chunks could not be joined where one layout breaks its pages: lay it out whole
        _layout_one(job, stamp) if pool is None else pool.submit(_layout_one, job, stamp).result()
        return f"  rendered {job.file} (whole: its chunks could not be joined)"
    _keep(laid_out, job, stamp)
    return f"  rendered {job.file} (in chunks)"


def _attach(laid_out: Layout, job: Job, stamp: datetime.datetime) -> None:
    _write(job.partial, embed(laid_out, job.attachments, stamp))


_INLINE_IMAGE = re.compile(r'data:[^"\s]*')


def _work(html: str) -> int:
    """How much layout a document asks for, roughly: its HTML without the inlined images."""
    return len(_INLINE_IMAGE.sub("", html))


def _produce(changed, out_dir: Path, layouts: cache.LayoutCache, allowed: list[Path], epoch: int, jobs: int,
             force: bool, say: Callable[[str], None]) -> list[Path]:
    """Attach the new data to reused layouts, lay out the rest (in parallel), then rename all into place."""
    if not changed:
        return []
    layouts.prepare()
    try:
        stamp = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise EnvironmentProblem(f"SOURCE_DATE_EPOCH={epoch} is not a time a PDF can carry ({exc})") from exc
    with cache.Scratch() as scratch:
        reused = {file: None if force else layouts.load(key) for file, _, _, key in changed}
        # Layouts are renamed into the cache before any PDF into the folder: a failure between leaves no PDF
        # the state file does not know.
        layout_partials = {file: scratch.file(layouts.path(key)) for file, _, _, key in changed
                           if reused[file] is None}
        todo = [Job(file, html, attachments, key, reused[file], scratch.file(out_dir / file),
                    layout_partials.get(file)) for file, html, attachments, key in changed]
        for job in todo:
            if job.layout is not None:
                _attach(job.layout, job, stamp)
                say(f"  updated {job.file}: same text, new data attached (layout reused)")
        fresh = [job for job in todo if job.layout is None]
        from . import chunks

        tables = {job.file: chunks.plan(job.html) for job in fresh}
        long = [job for job in fresh if tables[job.file] is not None]
        whole = [job for job in fresh if tables[job.file] is None]
        if jobs > 1 and (len(fresh) > 1 or long):
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            context = multiprocessing.get_context("fork")
            try:
                # -j beyond the cores forks workers that only wait (each some 25 MB): at most the cores, or 2
                workers = min(jobs, max(2, os.cpu_count() or 1))
                pool = ProcessPoolExecutor(workers if long else min(workers, len(fresh)), mp_context=context,
                                           initializer=_pool_worker_init, initargs=(allowed,))
            except OSError as exc:  # no POSIX semaphores: a container or chroot without a writable /dev/shm
                raise EnvironmentProblem(f"cannot start parallel renderers ({exc.strerror or exc}): make /dev/shm "
                                         "writable, or build with -j 1 (make JOBS=1)") from exc
            try:
                # A long document first, in chunks over every core (each joined here); then the others,
                # longest first, so no core is left with a long one at the end while the other idles.
                for job in long:
                    say(_lay_out_in_chunks(job, tables[job.file], stamp, pool))
                futures = {pool.submit(_layout_one, job, stamp): job
                           for job in sorted(whole, key=lambda job: -_work(job.html))}
                for future in as_completed(futures):
                    future.result()
                    say(f"  rendered {futures[future].file}")
            except KeyboardInterrupt:
                _abandon(pool)
                raise
            finally:
                if not ABANDONED:
                    pool.shutdown(wait=True, cancel_futures=True)  # no worker writes once the scratch is gone
        elif fresh:
            _worker_init(allowed)
            for job in long:
                say(_lay_out_in_chunks(job, tables[job.file], stamp, None))
            for job in whole:
                _layout_one(job, stamp)
                say(f"  rendered {job.file}")
        scratch.commit()
    return [out_dir / job.file for job in todo]
