"""The review report (SPEC §9): the package of a base revision against the working tree, facts and text."""
from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .paths import in_git_folder, leaves_folder
from .provenance import git, refuse_foreign_repository
from .errors import EnvironmentProblem, SignoffError, UsageError

CODE_ROOT = Path(__file__).resolve().parent.parent


def diff_report(base_rev: str, data_dir: Path, only: tuple[str, ...] = ()) -> str:
    """Build `base_rev` (with its own build.py and templates) and the working tree; the differences as Markdown."""
    # argparse hands `--base=--` over as [] (its end-of-options marker); and a name starting with "-" would
    # reach git as an option, not as a revision
    if not isinstance(base_rev, str) or not base_rev or base_rev.startswith("-"):
        shown = base_rev if isinstance(base_rev, str) else "--"
        raise UsageError(f"{shown!r} is not a revision: give a branch, a tag or a commit, e.g. --base main")
    data_dir = data_dir.resolve()
    top = git(data_dir, "rev-parse", "--show-toplevel")
    if top is None:
        refuse_foreign_repository(data_dir)
        raise UsageError(f"{data_dir} is not in a git repository: there is no revision to compare with")
    top_dir = Path(top)
    commit = resolve_commit(top_dir, base_rev)
    if commit is None:
        raise UsageError(f"{base_rev!r} is not a revision of {top_dir}")
    relative = data_dir.relative_to(top_dir.resolve())
    with tempfile.TemporaryDirectory(prefix="signoff-diff-") as tmp:
        tmp_dir = Path(tmp)
        base_tree = tmp_dir / "base"
        _export(top_dir, commit, base_tree)
        if not (base_tree / relative).is_dir():
            empty = " (its tree is empty)" if not any(base_tree.iterdir()) else ""
            raise UsageError(f"{relative} does not exist at {base_rev}{empty}")
        # The working side builds a copy of the data outside git, like the base: the footers then say the same
        # thing on both sides and the diff shows only what the data and templates changed.
        work_data = tmp_dir / "work" / "data"
        try:
            shutil.copytree(data_dir, work_data, symlinks=True)
        except shutil.Error as exc:  # a named pipe or an unreadable file in the data folder, listed by copytree
            source, _, why = exc.args[0][0] if exc.args and isinstance(exc.args[0], list) else ("", "", exc)
            raise EnvironmentProblem(f"cannot copy the data folder for the review: {source}: {why}") from exc
        except OSError as exc:
            raise EnvironmentProblem(f"cannot copy the data folder for the review: {exc.filename or data_dir}: "
                                     f"{exc.strerror or exc}") from exc
        # each side with its own code where the repository holds it (a project made by init); a side without it
        # (a repository of data alone) is built with this tool, so the report shows what the data changed
        work_code = top_dir if (top_dir / "build.py").is_file() else CODE_ROOT
        base_code = base_tree if (base_tree / "build.py").is_file() else CODE_ROOT
        # an error of either side names its file as the user knows it: `REV:path` (git's name for a file of a
        # revision) and the data folder itself, not the copies, which are gone when the report is
        in_base = f"{base_rev}:{relative.as_posix()}/" if relative.parts else f"{base_rev}:"
        base = _build(base_code / "build.py", base_tree / relative, tmp_dir / "base-out", only, tmp_dir, base_rev,
                      in_base)
        work = _build(work_code / "build.py", work_data, tmp_dir / "work-out", only, tmp_dir, "the working tree",
                      f"{data_dir}{os.sep}")
        lines = [f"# Review: {markdown_text(base_rev)} ({commit[:7]}) → working tree", "", "## Facts that changed",
                 ""]
        changes = fact_changes(base[0], work[0])
        lines += [f"- {markdown_text(change)}" for change in changes] or ["No fact changed."]
        lines += ["", "## Documents", ""]
        lines += _document_sections(base[1], work[1])
    return "\n".join(lines).rstrip() + "\n"


def resolve_commit(top_dir: Path, revision: str) -> str | None:
    """The commit `revision` names in the repository at `top_dir` (a tag is peeled to its commit), or None. Named
    first, then peeled: `:/text` (the newest commit whose message matches) takes all that follows as its text,
    so `:/text^{commit}` asked for a message matching "text^{commit}"."""
    named = git(top_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", revision)
    return git(top_dir, "rev-parse", "--verify", "--quiet", f"{named}^{{commit}}") if named else None


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&@$])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def markdown_text(text: str) -> str:
    """`text` as literal Markdown on one line: the characters that make markup, HTML, comments (`<!--`),
    tables, code, mentions or math backslash-escaped (CommonMark allows it before any ASCII punctuation), and
    control characters (a newline in a title) written as escapes."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1].replace("\\\\", "\\"), text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _export(top_dir: Path, commit: str, target: Path) -> None:
    """The tree of `commit` in `target` as git stores it, without touching the repository (no worktree, no
    checkout): read blob by blob (`ls-tree`, `cat-file`), never through `git archive`, which applies the tree's
    .gitattributes (export-ignore left a data file out of the base, export-subst and eol rewrote others, and a
    filter runs a command of the repository's config). Regular files and folders only: links and submodules are
    left out (a build reads only regular files), and a path that would leave `target` is refused."""
    label = commit[:7]
    listing = subprocess.run(["git", "-c", "core.fsmonitor=false", "ls-tree", "-r", "-z", "--full-tree", commit],
                             cwd=top_dir, capture_output=True)
    if listing.returncode != 0:
        raise SignoffError(f"git ls-tree {label} failed: {listing.stderr.decode(errors='replace').strip()}")
    files = []
    for record in filter(None, listing.stdout.split(b"\0")):
        meta, _, raw_name = record.partition(b"\t")
        mode, kind, sha = (meta.split(b" ") + [b"", b""])[:3]
        name = os.fsdecode(raw_name)
        if leaves_folder(name):
            raise SignoffError(f"{label} has a path outside its tree: {name!r}")
        if in_git_folder(name):  # git refuses to check one out
            raise SignoffError(f"{label} has a .git folder in its tree: {name!r}")
        if kind == b"blob" and mode in (b"100644", b"100755"):
            files.append((name, sha, mode == b"100755"))
    target.mkdir(parents=True)
    with tempfile.TemporaryFile() as wanted:
        wanted.write(b"".join(sha + b"\n" for _, sha, _ in files))
        wanted.seek(0)
        with subprocess.Popen(["git", "cat-file", "--batch"], cwd=top_dir, stdin=wanted, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) as batch:
            try:
                for name, sha, executable in files:
                    _write_blob(batch.stdout, target / name, sha, executable, label)
            finally:
                batch.stdout.close()
                batch.kill()


def _write_blob(stream, path: Path, sha: bytes, executable: bool, label: str) -> None:
    """The next object of `git cat-file --batch` written to `path`, a new file (never through one already there)."""
    header = stream.readline().split()
    if len(header) != 3 or header[0] != sha or header[1] != b"blob" or not header[2].isdigit():
        raise SignoffError(f"git cat-file {label}: {sha.decode()} is not the blob its tree names")
    remaining = int(header[2])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:
            while remaining:
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    raise SignoffError(f"git cat-file {label}: {path.name} ended early")
                out.write(chunk)
                remaining -= len(chunk)
        os.chmod(path, 0o755 if executable else 0o644)
    except OSError as exc:  # a tree naming one path twice, or a file where it has a folder
        raise SignoffError(f"{label}: cannot write {path.name} of its tree ({exc.strerror or exc})") from exc
    stream.read(1)  # the newline after each object


def _build(build_py: Path, data_dir: Path, out_dir: Path, only: tuple[str, ...], ceiling: Path,
           label: str, shown: str) -> tuple[dict, dict[str, str]]:
    """Run a revision's own build.py: its facts, and the text of each PDF it builds; in its errors, a file of the
    copy of the data is named after `shown` (`REV:data/`, or the data folder the copy was made of)."""
    if not build_py.is_file():
        raise SignoffError(f"{label} has no build.py to build with")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(ceiling)}  # the copies are outside version control
    env.pop("GITHUB_ACTIONS", None)

    def run(*args: str) -> str:
        result = subprocess.run([sys.executable, str(build_py), *args], cwd=build_py.parent, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            said = result.stderr.strip().replace(f"{data_dir}{os.sep}", shown)
            raise SignoffError(f"building {label} failed (build.py {args[0]}):\n{said}")
        return result.stdout

    facts = json.loads(run("facts", "--json", "--data", str(data_dir)))
    run("build", "--data", str(data_dir), "--out", str(out_dir), "--force", *(("--only", *only) if only else ()))
    texts = {pdf.name: _pdf_text(pdf) for pdf in sorted(out_dir.glob("*.pdf"))}
    return facts, texts


def _pdf_text(pdf: Path) -> str:
    try:
        result = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    except FileNotFoundError as exc:
        raise EnvironmentProblem("pdftotext is missing; run: sudo apt-get install poppler-utils") from exc
    except subprocess.CalledProcessError as exc:
        raise SignoffError(f"pdftotext could not read {pdf.name}: {exc.stderr.decode(errors='replace')}") from exc
    return result.stdout.decode("utf-8", "replace")


def fact_changes(old: dict, new: dict) -> list[str]:
    """The changes between two sets of facts, in words, most important first."""
    changes = []
    for key in ("conclusion", "derived_conclusion"):
        if old.get(key) != new.get(key):
            changes.append(f"{key}: {old.get(key)} → {new.get(key)}")
    changes += _issue_changes({i["id"]: i for i in old.get("issues", [])}, {i["id"]: i for i in new.get("issues", [])})
    changes += _criterion_changes({c["id"]: c for c in old.get("criteria", [])},
                                  {c["id"]: c for c in new.get("criteria", [])})
    old_counts, new_counts = _flatten(old.get("counts", {}), "counts"), _flatten(new.get("counts", {}), "counts")
    for path in sorted(set(old_counts) | set(new_counts)):
        if old_counts.get(path) != new_counts.get(path):
            changes.append(f"{path}: {old_counts.get(path, '—')} → {new_counts.get(path, '—')}")
    from .record_diff import record_changes  # SPEC §10: the service records in words

    changes += record_changes(old, new)
    covered = {"conclusion", "derived_conclusion", "issues", "criteria", "counts", "reasons", "warnings",
               "faults", "compliance", "visits"}
    others = sorted(key for key in set(old) | set(new) if key not in covered and old.get(key) != new.get(key))
    if others:
        changes.append("also changed: " + ", ".join(others))
    return changes


def _issue_changes(old: dict, new: dict) -> list[str]:
    changes = []
    for ident in sorted(set(old) | set(new)):
        before, after = old.get(ident), new.get(ident)
        if before is None:
            changes.append(f"{ident}: new, {after['status']} ({after['severity']}): {after['title']}")
            continue
        if after is None:
            changes.append(f"{ident}: removed (was {before['status']})")
            continue
        if before["status"] != after["status"]:
            changes.append(f"{ident}: {before['status']} → {after['status']}{_why(after)}")
        elif before.get("latest_reverification") != after.get("latest_reverification") and after.get(
                "latest_reverification"):
            last = after["latest_reverification"]
            changes.append(f"{ident}: re-verified {last['date']}, {last['result']}")
        for field in ("severity", "due", "owner", "title"):
            if before.get(field) != after.get(field):
                changes.append(f"{ident} {field}: {before.get(field)} → {after.get(field)}")
        if before.get("overdue") != after.get("overdue"):
            changes.append(f"{ident}: {'now overdue' if after.get('overdue') else 'no longer overdue'}")
    return changes


def _why(issue: dict) -> str:
    if issue["status"] == "closed" and issue.get("latest_reverification"):
        return f" (re-verified {issue['latest_reverification']['date']})"
    if issue["status"] == "deferred" and issue.get("deferral"):
        return f" (deferral agreed {issue['deferral'].get('agreed')})"
    return ""


def _criterion_changes(old: dict, new: dict) -> list[str]:
    changes = []
    for ident in sorted(set(old) | set(new)):
        before, after = old.get(ident), new.get(ident)
        if before is None:
            changes.append(f"{ident}: new criterion, {after.get('result') or 'untested'}: {after['title']}")
            continue
        if after is None:
            changes.append(f"{ident}: criterion removed")
            continue
        if before.get("measured") != after.get("measured"):
            unit = ((after.get("metric") or {}).get("unit") or "")
            show = (lambda v: f"{v} {unit}".strip() if v is not None else "not measured")
            changes.append(f"{ident} measured {show(before.get('measured'))} → {show(after.get('measured'))}")
        if before.get("result") != after.get("result"):
            changes.append(f"{ident}: {before.get('result') or 'untested'} → {after.get('result') or 'untested'}")
        for field in ("title", "requirement", "metric", "core"):
            if before.get(field) != after.get(field):
                changes.append(f"{ident} {field}: {_show(before.get(field))} → {_show(after.get(field))}")
    return changes


def _show(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(value[k]) for k in ("operator", "target", "unit") if k in value) or json.dumps(value)
    return str(value)


def _flatten(value, prefix: str) -> dict[str, object]:
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}"))
        return flat
    return {prefix: value}


def _document_sections(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            lines += [f"### {markdown_text(name)}: new", ""]
        elif name not in new:
            lines += [f"### {markdown_text(name)}: no longer built", ""]
            continue
        elif old[name] == new[name]:
            lines += [f"### {markdown_text(name)}: unchanged", ""]
            continue
        else:
            lines += [f"### {markdown_text(name)}: changed", ""]
        diff = difflib.unified_diff(old.get(name, "").splitlines(), new[name].splitlines(),
                                    f"a/{name}", f"b/{name}", lineterm="", n=2)
        lines += ["```diff", *(line.replace("```", "`\u200b``") for line in diff), "```", ""]
    return lines
