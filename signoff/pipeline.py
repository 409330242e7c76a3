"""The build, stage by stage: check → render HTML → render PDFs (in parallel, only what changed) → write."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable

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
    todo: list[tuple[Output, str, list]] = []
    digests: dict[str, str] = {}
    for output in outputs:
        html = render_html(env, facts, output, provenance, assets_dir)
        attachments = [(f"{name}.yaml", checked.sources[name].raw) for name in output.document.inputs
                       if name in checked.sources]
        digest = _digest(html.encode(), *(data for _, data in attachments))  # images are inline in the HTML
        digests[output.file] = digest
        if previous.get(output.file) == digest and (out_dir / output.file).exists():
            say(f"  unchanged {output.file}")
            continue
        todo.append((output, html, attachments))

    written = _render_all(todo, out_dir, data_dir, provenance, jobs, say)

    if not only:
        for stale in sorted(set(previous) - set(digests)):
            (out_dir / stale).unlink(missing_ok=True)
            say(f"  removed {stale} (no longer called for)")
        new_state = {"inputs": whole, "outputs": digests,
                     "warnings": [vars(w) for w in checked.warnings]}
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


_RENDERER = None


def _worker_init(allowed: list[Path], epoch: int) -> None:
    global _RENDERER
    from .pdf import Renderer

    _RENDERER = Renderer(allowed, epoch)


def _render_one(html: str, target: Path, attachments: list, base_dir: Path) -> Path:
    """Render to a temporary file beside `target`; the caller renames all of them once all succeeded."""
    tmp = target.with_name(f".{target.name}.partial")
    _RENDERER.write_pdf(html, tmp, attachments, base_dir)
    return tmp


_INLINE_IMAGE = re.compile(r'data:[^"\s]*')


def _work(html: str) -> int:
    """How much layout a document asks for, roughly: its HTML without the inlined images."""
    return len(_INLINE_IMAGE.sub("", html))


def _render_all(todo, out_dir: Path, data_dir: Path, provenance: Provenance, jobs: int,
                say: Callable[[str], None]) -> list[Path]:
    if not todo:
        return []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    if not os.access(out_dir, os.W_OK):
        raise EnvironmentProblem(f"the output folder {out_dir} is not writable")
    allowed = [TEMPLATES_DIR, data_dir / "assets"]
    tasks = [(html, out_dir / output.file, attachments, TEMPLATES_DIR) for output, html, attachments in todo]
    partials: list[Path] = []
    try:
        if jobs > 1 and len(tasks) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context, initializer=_worker_init,
                                     initargs=(allowed, provenance.epoch)) as pool:
                # Longest first, so no core is left with the issue log at the end while the other idles.
                order = sorted(range(len(tasks)), key=lambda i: -_work(tasks[i][0]))
                futures = {pool.submit(_render_one, *tasks[i]): i for i in order}
                done: dict[int, Path] = {}
                for future in as_completed(futures):
                    index = futures[future]
                    done[index] = future.result()
                    say(f"  rendered {todo[index][0].file}")
                partials = [done[i] for i in range(len(tasks))]
        else:
            _worker_init(allowed, provenance.epoch)
            for (output, _, _), task in zip(todo, tasks):
                partials.append(_render_one(*task))
                say(f"  rendered {output.file}")
    except BaseException:
        for task in tasks:
            task[1].with_name(f".{task[1].name}.partial").unlink(missing_ok=True)
        raise
    written = []
    try:
        for partial, (output, _, _) in zip(partials, todo):
            target = out_dir / output.file
            os.replace(partial, target)
            written.append(target)
    except OSError as exc:
        for partial in partials:
            partial.unlink(missing_ok=True)
        raise EnvironmentProblem(f"cannot write into {out_dir}: {exc.strerror or exc}") from exc
    return written
