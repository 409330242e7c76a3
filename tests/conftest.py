"""Shared fixtures: the repository's data folders, copies of them to break, running build.py, and work done once
per test run however many processes (pytest-xdist workers) share it."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_DIRS = {"data": ROOT / "data", "pass-en": ROOT / "examples" / "pass-en",
             "pending-en": ROOT / "examples" / "pending-en"}


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None, root: Path = ROOT) -> subprocess.CompletedProcess:
    """build.py as a user runs it (`root`'s: another checkout's own code when given); returns the finished process
    (stdout, stderr, returncode). Each run is a new process forked by tests/launcher.py, which has imported the
    tool's libraries once (see there why that is a fresh run)."""
    with tempfile.TemporaryDirectory(prefix="signoff-run-") as tmp:
        code = _launcher().run(_request(args, cwd, env, root, Path(tmp)))
        stdout, stderr = (Path(tmp, name).read_text(encoding="utf-8") for name in ("stdout", "stderr"))
    return subprocess.CompletedProcess([sys.executable, str(Path(root) / "build.py"), *args], code, stdout, stderr)


def _request(args, cwd: Path, env: dict | None, root: Path, tmp: Path) -> dict:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if env is None or "GITHUB_ACTIONS" not in env else None
    return {"argv": list(args), "cwd": str(cwd), "env": full_env, "root": str(Path(root).resolve()),
            "stdout": f"{tmp}/stdout", "stderr": f"{tmp}/stderr"}


class Started:
    """A run of build.py going on (`start_build`): its `pid`, its standard error line by line as it is written
    (`lines()`), and `wait()` for its exit code. A run still going after DEADLINE seconds is killed and the test
    fails, rather than hang the suite."""

    DEADLINE = 300

    def __init__(self, args, cwd: Path, env: dict | None):
        self._tmp = tempfile.TemporaryDirectory(prefix="signoff-run-")
        request = _request(args, cwd, env, ROOT, Path(self._tmp.name))
        self.pid = _launcher().run({**request, "detach": True}, "pid")
        self._stderr = Path(request["stderr"])
        self._deadline = time.monotonic() + self.DEADLINE
        self.code: int | None = None

    def _ended(self) -> bool:
        if self.code is not None or _launcher().run({"ended": self.pid}, "ended"):
            return True
        if time.monotonic() > self._deadline:
            os.kill(self.pid, signal.SIGKILL)
            self.code = _launcher().run({"wait": self.pid})
            raise AssertionError(f"build.py ran for over {self.DEADLINE} s; killed")
        return False

    def lines(self):
        """The lines of its standard error as they come, until it ends (the last one once it has ended)."""
        stream, pending = None, b""
        try:
            while True:
                ended = self._ended()
                if stream is None and self._stderr.exists():  # the child makes it first thing
                    stream = open(self._stderr, "rb")
                pending += stream.read() if stream else b""
                *complete, pending = pending.split(b"\n")
                yield from (line.decode() + "\n" for line in complete)
                if ended:
                    if pending:
                        yield pending.decode()
                    return
                if not complete:
                    time.sleep(0.01)
        finally:
            if stream:
                stream.close()

    def wait(self) -> int:
        while self.code is None and not self._ended():
            time.sleep(0.01)
        if self.code is None:
            self.code = _launcher().run({"wait": self.pid})
        return self.code


def start_build(*args: str, cwd: Path = ROOT, env: dict | None = None) -> Started:
    """build.py started as run_build starts it, but not waited for: for a test that signals a run, or starts two
    at once."""
    return Started(args, cwd, env)


class _Launcher:
    """This test process's launcher (tests/launcher.py), started at the first run."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "launcher.py")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(self, request: dict, answer: str = "code") -> int:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply:
            raise RuntimeError(f"tests/launcher.py ended (exit {self.process.wait()})")
        reply = json.loads(reply)
        if "error" in reply:
            raise RuntimeError(f"tests/launcher.py: {reply['error']}")
        return reply[answer]


@functools.cache
def _launcher() -> _Launcher:
    return _Launcher()


@pytest.fixture
def data_copy(tmp_path):
    """A fresh copy of a data folder: data_copy('data') -> Path."""
    def copy(name: str = "data") -> Path:
        target = tmp_path / name
        shutil.copytree(DATA_DIRS[name], target)
        return target
    return copy


_SHARED: dict[str, Path] = {}  # "root": this run's folder of `once`, once a test asked for one


def once(tmp_path_factory, name: str, make) -> Path:
    """A folder made once per test run, by the first worker that asks, and shared read-only by every worker.

    `make(folder)` fills an empty folder; the others wait on a lock and reuse it. The folder lives in the run's
    base temporary folder (all workers' parent under pytest-xdist), so a new run never reuses an old one."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "once"
    root.mkdir(exist_ok=True)
    _SHARED["root"] = root
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def page_images(pdf: Path, folder: Path, dpi: int = 60) -> list:
    """Each page of `pdf` as a PIL RGB image at `dpi` (pdftoppm, PPM: PNG's encoding doubled its time), drawn in
    `folder` (made here), to compare pixel by pixel."""
    from PIL import Image

    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", str(dpi), str(pdf), str(folder / "p")], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(folder.glob("*.ppm"))]


def pages_of(path: Path) -> list[str]:
    """The text of each page of a PDF, read once per file version: `pdftotext -raw` (content-stream order, so a
    wrapped table cell stays in one piece; unlike -layout it keeps the rotated DRAFT mark). Poppler reads a page
    in milliseconds where pypdf's extract_text took a tenth of a second."""
    return _pdftotext(Path(path), "-raw", *file_version(path)).split("\f")[:-1]


def layout_text(path: Path) -> str:
    """The text of a PDF laid out in columns as on the page (`pdftotext -layout`), read once per file version."""
    return _pdftotext(Path(path), "-layout", *file_version(path))


@functools.lru_cache(maxsize=None)
def _pdftotext(path: Path, mode: str, *stamp) -> str:
    """pdftotext's output; for a PDF of a package built once per run (`once`), read by the first worker that asks
    and kept beside the package for the others."""
    shared = _SHARED.get("root")
    kept = None
    if shared is not None and path.is_relative_to(shared):
        key = hashlib.sha256(repr((str(path), mode, stamp)).encode()).hexdigest()[:32]
        kept = shared / "text" / f"{key}.txt"
        if kept.is_file():
            return kept.read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True).stdout
    if kept is not None:
        kept.parent.mkdir(exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(kept)
    return text


def file_version(path: Path) -> tuple[int, int]:
    """What tells a rebuilt file from the one read before at the same path."""
    status = Path(path).stat()
    return status.st_mtime_ns, status.st_size


@contextlib.contextmanager
def never_blocks(seconds: int, what: str):
    """Fails the test (AssertionError: `what` blocked) when the block takes longer than `seconds`: a read of a
    named pipe would otherwise wait for ever and hang the suite."""
    def hung(*_):
        raise AssertionError(f"{what} blocked")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


EXAMPLE_5X8 = ROOT / "examples" / "service-5x8-en"


def copy_5x8(tmp_path: Path, name: str = "5x8") -> Path:
    """A writable copy of the English 5x8 example, `tmp_path / name`."""
    folder = tmp_path / name
    shutil.copytree(EXAMPLE_5X8, folder)
    return folder


def built_only(folder: Path, tmp_path: Path, *only: str) -> Path:
    """The output folder of `folder` built with --only for each of `only`, as a user builds it."""
    out = tmp_path / "out"
    done = run_build("build", "--data", str(folder), "--out", str(out), *(a for key in only for a in ("--only", key)))
    assert done.returncode == 0, done.stderr
    return out


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a data file; the test fails if `old` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- the order of the files -----------------------------------------------------------------------------------

# The files that take longest (they build packages, lay long documents out or run builds of their own), longest
# first, as measured (`pytest --durations=0`; the first file to ask for a package built once pays for it). pytest-
# xdist hands whole files to the workers in collection order (the Makefile's --no-loadscope-reorder; by default it
# orders them by their number of tests), so the run does not end on one long file while the other worker has
# nothing left to do. The other files follow in their usual order. An order out of date costs seconds, not tests.
LONGEST_FIRST = ("test_layout.py", "test_chunks.py", "test_security.py", "test_bundle.py", "test_corpus.py",
                 "test_provenance.py", "test_build.py", "test_generated.py", "test_pdf.py", "test_review.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: the tests of a file keep their order


# --- the generated projects (tests/test_generated.py): few examples in `make test`, many with --fuzz ---------

FUZZ_EXAMPLES = 300


def pytest_addoption(parser):
    parser.addoption("--fuzz", action="store_true",
                     help=f"run the generator of valid projects long ({FUZZ_EXAMPLES} random examples)")
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current templates instead of comparing with it")


def pytest_configure(config):
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # the generator's test says so itself
        return
    quiet = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow],
                 print_blob=True)
    settings.register_profile("signoff", max_examples=5, derandomize=True, **quiet)
    settings.register_profile("fuzz", max_examples=FUZZ_EXAMPLES, **quiet)
    settings.load_profile("fuzz" if config.getoption("--fuzz") else "signoff")
