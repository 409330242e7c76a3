"""Where the data comes from: the git commit behind it, uncommitted changes, and SOURCE_DATE_EPOCH (SPEC §8)."""
from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import EnvironmentProblem


@dataclass(frozen=True)
class Provenance:
    """The source of a build: `state` is "committed", "dirty" or "untracked"."""

    state: str
    commit: str | None  # short hash
    full_commit: str | None
    epoch: int  # SOURCE_DATE_EPOCH: every timestamp inside the output

    @property
    def draft(self) -> bool:
        return self.state == "dirty"

    def as_dict(self) -> dict:
        return {"state": self.state, "commit": self.commit, "full_commit": self.full_commit, "epoch": self.epoch}


def git(cwd: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def find_provenance(data_dir: Path, templates_dir: Path, report_date: str) -> Provenance:
    """The commit of the repository holding `data_dir`; uncommitted data or templates make the build a draft."""
    data_dir = data_dir.resolve()
    top = git(data_dir, "rev-parse", "--show-toplevel")
    commit = git(data_dir, "rev-parse", "HEAD") if top else None
    if not top or not commit:
        epoch = _epoch_from_env()
        if epoch is None:
            day = datetime.date.fromisoformat(report_date)
            epoch = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
        return Provenance("untracked", None, None, epoch)
    paths = [str(data_dir)]
    templates_dir = templates_dir.resolve()
    if templates_dir.is_relative_to(Path(top)):
        paths.append(str(templates_dir))
    status = git(data_dir, "status", "--porcelain", "--untracked-files=all", "--", *paths)
    state = "dirty" if status else "committed"
    epoch = _epoch_from_env()
    if epoch is None:
        last = git(data_dir, "log", "-1", "--format=%ct", "--", *paths)
        epoch = int(last) if last else int(git(data_dir, "log", "-1", "--format=%ct") or 0)
    return Provenance(state, commit[:7], commit, epoch)


def _epoch_from_env() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit():
        raise EnvironmentProblem(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970")
    return int(value)
