"""Where the data comes from: the git commit behind it, uncommitted changes, and SOURCE_DATE_EPOCH (SPEC §8)."""
from __future__ import annotations

import datetime
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import EnvironmentProblem


LAST_EPOCH = 253402300799  # 9999-12-31 23:59:59 UTC, the last time a PDF date (and Python) can hold


@dataclass(frozen=True)
class Provenance:
    """The source of a build: `state` is "committed", "dirty" or "untracked"."""

    state: str
    commit: str | None  # short hash
    full_commit: str | None
    epoch: int  # SOURCE_DATE_EPOCH: every timestamp inside the output
    note: str | None = None  # what the user should know about where the epoch came from (a shallow clone)

    @property
    def draft(self) -> bool:
        return self.state == "dirty"

    def as_dict(self) -> dict:
        return {"state": self.state, "commit": self.commit, "full_commit": self.full_commit, "epoch": self.epoch}


# Paths given to git are paths, never patterns: a data folder named `d*` matched its sibling `dzz` too.
_GIT_ENV = {"GIT_LITERAL_PATHSPECS": "1"}


def _run_git(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess | None:
    try:
        # no file-system monitor: a repository's config names one as a command, and `git status` runs it
        return subprocess.run(["git", "-c", "core.fsmonitor=false", *args], cwd=cwd, capture_output=True,
                              text=True, check=False, env={**os.environ, **_GIT_ENV, **env})
    except OSError:
        return None


def git(cwd: Path, *args: str) -> str | None:
    result = _run_git(cwd, *args)
    return result.stdout.strip() if result is not None and result.returncode == 0 else None


def refuse_foreign_repository(cwd: Path) -> None:
    """An EnvironmentProblem when git will not look at the repository holding `cwd` because another user owns it
    ("dubious ownership"): the folder is not "not under version control", and a build that said so would print
    no commit and no DRAFT mark for changes it could not see."""
    result = _run_git(cwd, "rev-parse", "--show-toplevel", LC_ALL="C", LANGUAGE="")  # git's words, untranslated
    if result is not None and result.returncode != 0 and "dubious ownership" in result.stderr:
        found = re.search(r"repository at '([^']*)'", result.stderr)
        where = found[1] if found else str(cwd)
        raise EnvironmentProblem(
            f"git refuses the repository at {where}: another user owns it, so which commit the data comes from and "
            f"whether it has uncommitted changes cannot be known; if you trust it, run: git config --global --add "
            f"safe.directory {shlex.quote(where)} (or build from a clone of your own)")


def find_provenance(data_dir: Path, templates_dir: Path, report_date: str) -> Provenance:
    """The commit of the repository holding `data_dir`; uncommitted data or templates make the build a draft.

    "Uncommitted" (SPEC §8) is anything the commit does not hold: a change, a file git does not track or
    ignores (a data file in .gitignore is read all the same), a repository with no commit yet, and templates
    edited in Signoff's own checkout when that is another repository than the data's."""
    data_dir = data_dir.resolve()
    top = git(data_dir, "rev-parse", "--show-toplevel")
    if not top:
        refuse_foreign_repository(data_dir)
        return Provenance("untracked", None, None, _default_epoch(report_date))
    commit = git(data_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    templates_dir = templates_dir.resolve()
    paths = [str(data_dir)]
    dirty = _templates_dirty(templates_dir) if not templates_dir.is_relative_to(Path(top)) else False
    if templates_dir.is_relative_to(Path(top)):
        paths += tool_paths(templates_dir)
    if not commit:
        return Provenance("dirty", None, None, _default_epoch(report_date))
    dirty = dirty or _uncommitted(data_dir, paths)
    epoch, note = _epoch_from_env(), None
    if epoch is None:
        last = git(data_dir, "log", "-1", "--format=%H %ct", "--", *paths) or git(data_dir, "log", "-1",
                                                                                "--format=%H %ct")
        last_commit, _, seconds = (last or " 0").partition(" ")
        epoch = int(seconds or 0)
        if not 0 <= epoch <= LAST_EPOCH:  # a commit dated in the year 11476 (git allows it)
            raise EnvironmentProblem(f"the last commit of {data_dir} is dated at {epoch} seconds from 1970, a time "
                                     "a PDF cannot carry; set SOURCE_DATE_EPOCH")
        if last_commit in _shallow_boundary(data_dir):
            note = (f"{top} is a shallow clone and the last change to the data or the templates is older than its "
                    f"history: the documents carry the date of commit {last_commit[:7]}, where the clone's history "
                    "begins, so their bytes differ from a full clone's; run git fetch --unshallow (or set "
                    "SOURCE_DATE_EPOCH) for the same bytes")
    return Provenance("dirty" if dirty else "committed", commit[:7], commit, epoch, note)


def _shallow_boundary(data_dir: Path) -> set[str]:
    """The commits where a shallow clone's history is cut off (git makes each look as if it added every file)."""
    if git(data_dir, "rev-parse", "--is-shallow-repository") != "true":
        return set()
    shallow = git(data_dir, "rev-parse", "--git-path", "shallow")
    try:
        return set((data_dir / shallow).read_text(encoding="ascii").split()) if shallow else set()
    except (OSError, UnicodeDecodeError):
        return set()


def tool_paths(templates_dir: Path) -> list[str]:
    """What a build reads of the tool itself, in the checkout of `templates_dir`: the templates, and beside them
    the schemas, the code and build.py (an edited fault-level table or module makes other documents than the
    commit's: uncommitted, as edited templates are)."""
    root = templates_dir.parent
    return [str(templates_dir)] + [str(root / name) for name in ("schemas", "signoff", "build.py")
                                   if (root / name).exists()]


def _uncommitted(cwd: Path, paths: list[str]) -> bool:
    """Whether anything under `paths` differs from the commit: changed, untracked or ignored (a bundle would
    carry it), Python's caches aside. A status git cannot give counts as uncommitted."""
    status = git(cwd, "status", "--porcelain", "--untracked-files=all", "--ignored=matching", "--", *paths)
    if status is None:
        return True
    return any("__pycache__/" not in line for line in status.splitlines())


def _templates_dirty(templates_dir: Path) -> bool:
    """Templates in a repository of their own (Signoff's checkout, the data elsewhere): uncommitted there."""
    if not git(templates_dir, "rev-parse", "--show-toplevel"):
        refuse_foreign_repository(templates_dir)  # a checkout git will not read may have changes it cannot see
        return False  # an installed copy: nothing to compare with
    if not git(templates_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"):
        return True
    return _uncommitted(templates_dir, tool_paths(templates_dir))


def _default_epoch(report_date: str) -> int:
    """SOURCE_DATE_EPOCH, or the report date at midnight UTC when there is no commit to take it from."""
    epoch = _epoch_from_env()
    if epoch is None:
        day = datetime.date.fromisoformat(report_date)
        epoch = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
    return epoch


def _epoch_from_env() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit():
        raise EnvironmentProblem(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970")
    if len(value) > 12 or int(value) > LAST_EPOCH:
        raise EnvironmentProblem(f"SOURCE_DATE_EPOCH={value[:20]}{'…' if len(value) > 20 else ''} is after the "
                                 "year 9999; a PDF cannot carry that time")
    return int(value)
