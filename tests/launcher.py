"""build.py as a user runs it, without paying each time for Python's start and the renderer's import (0.5 s).

`python tests/launcher.py` imports the tool once and then, for each request on its standard input (one JSON line:
argv, cwd, env, the files for stdout and stderr), forks a child that becomes that run: its own working folder,
environment, standard streams (stdin /dev/null) and the signal dispositions a new Python has, then `build.main`,
then exit with its code (an uncaught exception prints its traceback and exits 1, as Python does). The launcher
itself never runs the tool, so nothing one run leaves in memory reaches the next: every run starts from the state
right after import, as `python build.py` does, but for two things that change only time: the libraries' data
that any run loads the same (`_warm_libraries`) is loaded, and the cyclic collector leaves the imports' objects
out (gc.freeze), so that a run's collections do not walk them again. It answers each request with one JSON line,
{"code": N}. The children share the launcher's hash seed and memory layout: a test whose subject is that two
runs give the same bytes keeps one of them in a Python of its own (test_bundle's clones).

A request with `"detach": true` is answered at once with the child's {"pid": N}, and the launcher takes the next
request while that run goes on (a test that signals a build, or runs two at once); {"ended": N} answers whether it
has ended ({"ended": true or false}), and {"wait": N} waits for it and answers {"code": N} (a pid that is no
detached run of this launcher is answered {"error": …}).

A request with a `root` runs another checkout's own build.py (a clone in a test of provenance or bundles): the
child forgets this checkout's modules (`build`, `signoff.*`) and imports that checkout's, as `python
ROOT/build.py` would; only the libraries (WeasyPrint and the others, which the tool never changes) stay imported.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(request: dict) -> int:
    """In the child: become the run asked for, run it, return its exit code."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((null, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    root = Path(request.get("root") or ROOT)
    sys.argv = [str(root / "build.py"), *request["argv"]]
    if root != ROOT:
        for name in [name for name in sys.modules if name == "build" or name.split(".")[0] == "signoff"]:
            del sys.modules[name]
        sys.path[0] = str(root)
    import build

    assert Path(build.__file__).parent == root, (build.__file__, root)

    try:
        return build.main(request["argv"])
    except SystemExit as exc:  # argparse's usage errors; as Python exits: None is 0, a message is printed and 1
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1


def _import_everything() -> None:
    """Every module a run may import, imported once here: the tool's own (build and all of signoff, whose
    imports inside functions bring in Jinja, Markdown, Babel, Cerberus, icalendar …) and the renderer. Importing
    has no effect a run can see but time: no module of the tool reads its environment or folder at import, and
    none of its work is done here. (Without it each run imported some 200 modules again, 0.2 s.)"""
    import importlib
    import pkgutil

    import build  # noqa: F401
    import signoff
    import weasyprint  # noqa: F401

    for module in pkgutil.walk_packages(signoff.__path__, "signoff."):
        importlib.import_module(module.name)
    for name in ("jinja2", "markdown", "yaml", "cerberus", "babel.core", "babel.dates", "babel.numbers",
                 "chinese_calendar", "icalendar", "dateutil.rrule", "PIL.ImageChops", "PIL.PngImagePlugin",
                 "PIL.JpegImagePlugin", "PIL.GifImagePlugin", "PIL.BmpImagePlugin", "PIL.PpmImagePlugin",
                 "email.policy", "encodings.utf_8_sig", "_strptime"):
        importlib.import_module(name)


def _warm_libraries() -> None:
    """What the libraries load on first use and keep for the process whatever the run, loaded once here: the
    hyphenation dictionary of English (WeasyPrint's, through Pyphen), the locales' data (Babel: plural rules and
    dates), the renderer's C type declarations (cffi parses each on first use). None of it is the tool's, nor
    depends on a run's data or folder; each run would load the same again (about 0.04 s a run)."""
    import datetime

    import babel
    import pyphen
    from babel.dates import format_date
    from weasyprint.text.ffi import ffi

    pyphen.Pyphen(lang="en")
    for name in ("zh_Hans_CN", "zh_CN", "en_GB"):
        babel.Locale.parse(name).plural_form  # noqa: B018
        format_date(datetime.date(2026, 1, 1), "long", locale=name)
    for declaration in ("FcChar8 **", "PangoFcFontMap *", "PangoLogAttr[]", "PangoRectangle *", "char[]",
                        "hb_codepoint_t[]", "hb_tag_t[]", "unsigned int *"):
        ffi.typeof(declaration)


def serve() -> None:
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the test run is the runs' business, not ours
    _import_everything()
    _warm_libraries()
    # What the imports made lives as long as any run: out of the cyclic collector's reach (as a server that forks
    # its workers does), a run's collections no longer walk it nor copy the pages it is on. Only time differs.
    gc.freeze()

    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request or "ended" in request:
            try:
                if "wait" in request:
                    answer = {"code": _wait(request["wait"])}
                else:  # has it ended? (it is left to be waited for)
                    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
                    answer = {"ended": os.waitid(os.P_PID, request["ended"], flags) is not None}
            except ChildProcessError as exc:  # not a run of ours, or one already waited for: the test's mistake
                answer = {"error": f"{request}: {exc}"}
            print(json.dumps(answer), flush=True)
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _run(request)
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code if isinstance(code, int) else 1)
        answer = {"pid": pid} if request.get("detach") else {"code": _wait(pid)}
        print(json.dumps(answer), flush=True)


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    serve()
