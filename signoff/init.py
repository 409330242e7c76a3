"""A new project repository (`build.py init`): the tool at this version, a pending data/ of placeholders, git.

Also what keeps a placeholder out of an archive: `placeholders(data_dir)`, which `bundle` refuses on."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import Problem, UsageError
from .paths import TOOL_DIRS, own_folder
from .sources import DATA_FILES, display_path
from .vocab import LOCALES

CODE_ROOT = Path(__file__).resolve().parent.parent
SKELETON_DIR = Path(__file__).resolve().parent / "skeleton"
# What a project repository holds of the tool: the layout of this repository without its own data, examples,
# tests and benchmarks (the tests check the tool against its sample data, not a project's).
TOOL_FILES = ("build.py", "Makefile", "requirements.txt", "pyproject.toml", "docs/DATA-FORMAT.md",
              ".github/workflows/acceptance-package.yml")
GITIGNORE = "/output/\n/.venv\n__pycache__/\n*.pyc\n.pytest_cache/\n"
# A placeholder in the skeleton's data: printed where it stands, and refused by `bundle` wherever it is left.
PLACEHOLDERS = ("[TO FILL]", "【待填写】")


def create_project(target: Path, locale: str) -> list[str]:
    """Write a new project into `target` (absent or empty); the lines that say what was done and what is next."""
    if locale not in LOCALES:
        raise UsageError(f"--locale takes {' or '.join(LOCALES)}, not {locale!r}")
    own = own_folder(target)
    if own:
        raise UsageError(f"{target} is inside Signoff's {own}/: give a folder outside it")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} exists and is not an empty folder: give a new folder")
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in TOOL_DIRS:
        shutil.copytree(CODE_ROOT / name, target / name, ignore=ignore)
    for name in TOOL_FILES:
        if (CODE_ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CODE_ROOT / name, target / name)
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    data_dir = target / "data"
    data_dir.mkdir()
    for path in sorted((SKELETON_DIR / locale).iterdir()):
        destination = target / "README.md" if path.name == "README.md" else data_dir / path.name
        shutil.copyfile(path, destination)
    return [f"created {target} ({locale}): data/ holds placeholders to fill in, README.md says where to start",
            *_git_init(target)]


def _git_init(target: Path) -> list[str]:
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=target, capture_output=True, text=True,
                              env={**os.environ, "GIT_CEILING_DIRECTORIES": str(target.parent)})

    try:
        initialised = git("init", "-q", "-b", "main")
    except OSError:
        return ["git is not installed: install it, then run git init and commit, so the documents name a commit"]
    if initialised.returncode != 0:
        return [f"git init failed ({initialised.stderr.strip()}): run git init and commit yourself"]
    git("add", "-A")
    committed = git("commit", "-q", "-m", "New acceptance project (Signoff)")
    if committed.returncode != 0:
        return ["git init done; the first commit needs your name: git config --global user.name 'Your Name'; "
                "git config --global user.email you@example.com; then: git commit -m 'New acceptance project'"]
    return ["git init done, with a first commit; next: cd into it, fill in data/project.yaml, run make"]


def placeholders(data_dir: Path) -> list[Problem]:
    """Every placeholder left in the data files (values and comments alike), as an error at its place."""
    problems = []
    for name, _ in DATA_FILES:
        path = data_dir / f"{name}.yaml"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for marker in PLACEHOLDERS:
                column = line.find(marker)
                if column >= 0:
                    left = line[column:].strip().rstrip("\"'")
                    left = left if len(left) <= 50 else left[:49] + "…"
                    problems.append(Problem(display_path(path), number, column + 1, "",
                                            f"a placeholder is left ({left}): replace it with the real fact "
                                            "before bundling"))
    return problems
