"""The build, stage by stage: check → HTML → lay out PDFs (in parallel, only what changed) → attach data → write."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .embed import Layout, embed, is_layout
from .errors import EnvironmentProblem, Problem
from .paths import CODE_DIR, TEMPLATES_DIR
from .pdf import write_atomic
from .provenance import Provenance, find_provenance

# The stages are imported where they are used: a build with nothing to do, and `check`, stay clear of the
# renderer's imports (Jinja2, Markdown, WeasyPrint).
STATE_FILE = ".signoff-state.json"


def check(data_dir: Path):
    """Validate `data_dir` completely, the glyph check against the theme's fonts included; a Checked."""
    from .glyphs import check_glyphs, covered_characters
    from .sources import read_project_yaml
    from .validation import check_data

    fonts = list(read_project_yaml(TEMPLATES_DIR / "theme.yaml")["fonts"].values())
    return check_data(data_dir, glyph_check=lambda sources: check_glyphs(sources, covered_characters(fonts)))


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _tree_digest(*folders: Path) -> str:
    """A digest of every file under the folders (names and bytes), in a fixed order."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(folder)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def build(data_dir: Path, out_dir: Path, jobs: int, only: tuple[str, ...], force: bool,
          report: Callable[[list[Problem]], None], say: Callable[[str], None],
          provenance: Provenance | None = None) -> list[Path]:
    """Build the package; returns the PDFs written. Raises DataError before anything is written.

    `provenance` is found from git unless given (a bundle's rebuild gives the one it recorded)."""
    state = _read_state(out_dir)
    inputs = _tree_digest(data_dir, TEMPLATES_DIR, CODE_DIR) + json.dumps(
        [str(data_dir.resolve()), os.environ.get("SOURCE_DATE_EPOCH"), _git_head_state(data_dir)])
    whole = hashlib.sha256(inputs.encode()).hexdigest()
    if (not force and not only and state.get("inputs") == whole
            and all((out_dir / name).exists() for name in state.get("outputs", {}))):
        report([Problem(**w) for w in state.get("warnings", [])])
        say(f"nothing changed: {len(state.get('outputs', {}))} document(s) up to date")
        return []

    from .documents import Output, plan_outputs
    from .render import make_environment, render_html

    checked = check(data_dir)
    report(checked.warnings)
    facts = checked.facts
    provenance = provenance or find_provenance(data_dir, TEMPLATES_DIR, facts["report"]["date"])
    env = make_environment()
    assets_dir = data_dir / "assets"
    outputs = plan_outputs(facts, only)

    previous = state.get("outputs", {}) if not force else {}
    renderer = _renderer_key()
    todo: list[Job] = []
    digests: dict[str, str] = {}
    layouts: dict[str, str] = {}
    for output in outputs:
        html = render_html(env, facts, output, provenance, assets_dir)
        attachments = [(f"{name}.yaml", checked.sources[name].raw) for name in output.document.inputs
                       if name in checked.sources]
        # What the page shows is all in the HTML (the theme's CSS and the images are inline); the attachments
        # are added to the laid-out PDF afterwards, so a data edit that shows nowhere costs no layout.
        layout = layouts[output.file] = _digest(renderer, html.encode())
        digest = digests[output.file] = _digest(layout.encode(), *(data for _, data in attachments))
        if previous.get(output.file) == digest and (out_dir / output.file).exists():
            say(f"  unchanged {output.file}")
            continue
        reuse = not force and _is_layout(_layout_path(out_dir, layout))
        todo.append(Job(output.file, html, attachments, layout, reuse))

    written = _render_all(todo, out_dir, data_dir, provenance.epoch, jobs, say)

    if not only:
        for stale in sorted(set(previous) - set(digests)):
            (out_dir / stale).unlink(missing_ok=True)
            say(f"  removed {stale} (no longer called for)")
        new_state = {"inputs": whole, "outputs": digests, "warnings": [vars(w) for w in checked.warnings]}
        _prune_layouts(out_dir, set(layouts.values()))
    else:
        new_state = {"inputs": None, "outputs": {**previous, **digests}, "warnings": []}
    write_atomic(out_dir / STATE_FILE, json.dumps(new_state, indent=1, sort_keys=True).encode())
    say(f"built {len(written)} document(s), {len(outputs) - len(written)} unchanged, in {out_dir}")
    return written


def _git_head_state(data_dir: Path) -> str:
    """What provenance depends on, cheaply: the commit and whether the work tree is clean."""
    from .provenance import git

    head = git(data_dir.resolve(), "rev-parse", "HEAD") or ""
    status = git(data_dir.resolve(), "status", "--porcelain", "--", str(data_dir.resolve()),
                  str(TEMPLATES_DIR)) or ""
    return head + "\n" + status


LAYOUT_DIR = ".signoff-layout"  # each document's laid-out PDF before its attachments, by the digest of its HTML


@dataclass(frozen=True)
class Job:
    """One PDF to write: laid out anew, or (`reuse`) its cached layout given the current data files."""
    file: str
    html: str
    attachments: list[tuple[str, bytes]]
    layout: str
    reuse: bool


def _renderer_key() -> bytes:
    """What else decides a layout's bytes: the code that drives the renderer and the renderer's version."""
    from importlib.metadata import version

    code = b"".join((CODE_DIR / name).read_bytes() for name in ("pdf.py", "embed.py"))
    return code + " ".join(version(p) for p in ("weasyprint", "pydyf")).encode()


def _layout_path(out_dir: Path, key: str) -> Path:
    return out_dir / LAYOUT_DIR / f"{key}.layout"


def _partial(target: Path) -> Path:
    """Where `target` is written first; renamed into place once every document of the build succeeded."""
    return target.with_name(f".{target.name}.partial")


def _is_layout(path: Path) -> bool:
    """Whether `path` is a layout this version can reuse (anything else is laid out again, never trusted)."""
    try:
        with open(path, "rb") as stream:
            return is_layout(stream.read(64))
    except OSError:
        return False


def _prune_layouts(out_dir: Path, keep: set[str]) -> None:
    """Remove every cached layout no current document uses."""
    for path in (out_dir / LAYOUT_DIR).glob("*"):
        if path.is_file() and not (path.suffix == ".layout" and path.stem in keep):
            path.unlink(missing_ok=True)


_RENDERER = None


def _worker_init(allowed: list[Path]) -> None:
    global _RENDERER
    from .pdf import Renderer

    _RENDERER = Renderer(allowed)


def _layout_one(job: Job, out_dir: Path, stamp: datetime.datetime) -> None:
    """Lay one document out, keep the layout and attach the data files, all to temporary files."""
    laid_out = _RENDERER.layout(job.html, job.file, TEMPLATES_DIR)
    write_atomic(_partial(_layout_path(out_dir, job.layout)), laid_out.to_bytes())
    _attach(laid_out, job, out_dir, stamp)


def _attach(laid_out: Layout, job: Job, out_dir: Path, stamp: datetime.datetime) -> None:
    write_atomic(_partial(out_dir / job.file), embed(laid_out, job.attachments, stamp))


_INLINE_IMAGE = re.compile(r'data:[^"\s]*')


def _work(html: str) -> int:
    """How much layout a document asks for, roughly: its HTML without the inlined images."""
    return len(_INLINE_IMAGE.sub("", html))


def _render_all(todo: list[Job], out_dir: Path, data_dir: Path, epoch: int, jobs: int,
                say: Callable[[str], None]) -> list[Path]:
    """Attach the new data to reused layouts, lay out the rest (in parallel), then rename all into place."""
    if not todo:
        return []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(out_dir, os.W_OK):
            raise EnvironmentProblem(f"the output folder {out_dir} is not writable")
        (out_dir / LAYOUT_DIR).mkdir(exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create {exc.filename}: {exc.strerror or exc}") from exc
    allowed = [TEMPLATES_DIR, data_dir / "assets"]
    stamp = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    fresh = [job for job in todo if not job.reuse]
    targets = [_layout_path(out_dir, job.layout) for job in fresh] + [out_dir / job.file for job in todo]
    renames = {_partial(target): target for target in targets}
    try:
        for job in todo:
            if job.reuse:
                _attach(Layout.from_bytes(_layout_path(out_dir, job.layout).read_bytes()), job, out_dir, stamp)
                say(f"  updated {job.file}: same text, new data attached (layout reused)")
        if jobs > 1 and len(fresh) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            context = multiprocessing.get_context("fork")
            try:
                pool = ProcessPoolExecutor(min(jobs, len(fresh)), mp_context=context, initializer=_worker_init,
                                           initargs=(allowed,))
            except OSError as exc:  # no POSIX semaphores: a container or chroot without a writable /dev/shm
                raise EnvironmentProblem(f"cannot start parallel renderers ({exc.strerror or exc}): make /dev/shm "
                                         "writable, or build with -j 1 (make JOBS=1)") from exc
            with pool:
                # Longest first, so no core is left with the issue log at the end while the other idles.
                futures = {pool.submit(_layout_one, job, out_dir, stamp): job
                           for job in sorted(fresh, key=lambda job: -_work(job.html))}
                for future in as_completed(futures):
                    future.result()
                    say(f"  rendered {futures[future].file}")
        elif fresh:
            _worker_init(allowed)
            for job in fresh:
                _layout_one(job, out_dir, stamp)
                say(f"  rendered {job.file}")
    except BaseException:
        for partial in renames:
            partial.unlink(missing_ok=True)
        raise
    try:
        for partial, target in renames.items():
            os.replace(partial, target)
    except OSError as exc:
        for partial in renames:
            partial.unlink(missing_ok=True)
        raise EnvironmentProblem(f"cannot write into {out_dir}: {exc.strerror or exc}") from exc
    return [out_dir / job.file for job in todo]
