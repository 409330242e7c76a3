#!/usr/bin/env python3
"""Signoff's command line: the only place that parses arguments, prints and exits."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from signoff.documents import DOCUMENT_KEYS
from signoff.errors import DataError, EnvironmentProblem, SignoffError, UsageError
from signoff.model import to_json
from signoff.paths import outside, own_folder

ROOT = Path(__file__).resolve().parent


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(UsageError.exit_code)


def _folder(text: str) -> Path:
    """A folder named on the command line: an empty name (`make OUT=`) would be the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("an empty name; give a folder")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="Signoff: turns a project's acceptance facts (YAML) into the "
                     "signed paperwork of acceptance and after-sales service, as PDFs.",
                     epilog="Exit codes: 0 done; 1 invalid data, a bundle refused or failing verification; "
                     "2 wrong usage; 3 the environment cannot build.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def data_option(p):
        p.add_argument("--data", type=_folder, default=Path("data"), metavar="DIR",
                       help="the data folder (default: data/)")

    p = commands.add_parser("build", help="validate the data and build every document into the output folder")
    data_option(p)
    p.add_argument("--out", type=_folder, default=Path("output"), metavar="DIR",
                   help="output folder (default: output/)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="documents rendered in parallel (default: the number of cores)")
    p.add_argument("--only", nargs="+", action="extend", choices=DOCUMENT_KEYS, default=None, metavar="KEY",
                   help="build only these documents (--only may be repeated): " + ", ".join(DOCUMENT_KEYS))
    p.add_argument("--force", action="store_true", help="re-render every document, changed or not")

    p = commands.add_parser("check", help="validate the data only, the glyph check included")
    data_option(p)

    p = commands.add_parser("facts", help="print the derived facts")
    data_option(p)
    p.add_argument("--json", action="store_true", required=True, help="as JSON on standard output")

    p = commands.add_parser("bundle", help="build, then write the archive bundle {code}-acceptance-{commit}.zip "
                            "into the output folder (PDFs, data, manifest.json, SHA256SUMS)")
    data_option(p)
    p.add_argument("--out", type=_folder, default=Path("output"), metavar="DIR",
                   help="output folder (default: output/)")
    p.add_argument("--allow-dirty", action="store_true",
                   help="bundle even when the data or templates have uncommitted changes (a draft)")

    p = commands.add_parser("verify", help="check a bundle's members against its manifest and SHA256SUMS")
    p.add_argument("bundle", type=Path, metavar="BUNDLE", help="the bundle (.zip) to check")
    p.add_argument("--rebuild", action="store_true",
                   help="also rebuild the PDFs from the bundled data and compare them byte for byte")

    p = commands.add_parser("calendar", help="write the service calendar (maintenance and inspection windows, "
                            "follow-up acceptance dates, the handover deadline) as an iCalendar file")
    data_option(p)
    p.add_argument("--out", metavar="FILE", help="the .ics file, or a folder ending in / for "
                   "{code}-service.ics in it (default: output/{code}-service.ics)")

    p = commands.add_parser("init", help="a new project repository in DIR: this tool, a data/ of placeholders "
                            "to fill in (a pending package), a README saying where to start, git init")
    p.add_argument("dir", type=Path, metavar="DIR", help="the new project's folder (absent or empty)")
    p.add_argument("--locale", choices=("zh-CN", "en"), default="zh-CN",
                   help="the language of its documents (default: zh-CN)")

    p = commands.add_parser("diff", help="the review report (Markdown) between a revision and the working tree")
    p.add_argument("--base", required=True, metavar="REV", help="the git revision to compare with")
    data_option(p)
    p.add_argument("--report", type=Path, metavar="FILE", help="write the report to FILE (default: standard output)")
    return parser


def _report(problems) -> None:
    annotate = bool(os.environ.get("GITHUB_ACTIONS"))
    for problem in problems:
        print(problem.format(), file=sys.stderr)
        if annotate:
            print(problem.annotation(), file=sys.stderr)


def _refuse_to_bundle(data_dir: Path, allow_dirty: bool):
    """What makes a bundle impossible, found before building (a dirty tree would only render DRAFT PDFs first);
    the facts and the provenance of the data otherwise, which the bundle carries."""
    from signoff.errors import BundleError
    from signoff.paths import TEMPLATES_DIR
    from signoff.pipeline import check
    from signoff.provenance import find_provenance

    from signoff.init import placeholders

    from signoff.bundle import data_members

    facts = check(data_dir).facts
    data_members(data_dir)  # a file it could not carry, found before the build rather than after
    provenance = find_provenance(data_dir, TEMPLATES_DIR, facts["report"]["date"])
    if not allow_dirty and provenance.draft:
        raise BundleError(f"{data_dir} or the templates have uncommitted changes: commit them, "
                          "or bundle a draft with --allow-dirty (make bundle ALLOW_DIRTY=1)")
    left = placeholders(data_dir)
    if left:
        raise DataError(left)
    return facts, provenance


class _PipeClosed(Exception):
    """Standard output's reader went away (`| head`)."""


def _emit(text: str) -> None:
    """Print what a command was asked for on standard output, all of it or a clear failure."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 whatever the locale says (LC_ALL=C, PYTHONUTF8=0)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        _drop_stdout()
        raise _PipeClosed from None
    except OSError as exc:  # > /dev/full
        _drop_stdout()
        raise EnvironmentProblem(f"cannot write to standard output: {exc.strerror or exc}") from None


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, `kill`), handled as Ctrl-C: temporary files removed, output kept."""


def _terminate(signum, frame):
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    from signoff import pipeline  # after argument parsing, so --help stays fast

    try:
        if args.command == "check":
            checked = pipeline.check(args.data)
            _report(checked.warnings)
            print(f"{args.data}: valid ({len(checked.warnings)} warning(s))", file=sys.stderr)
        elif args.command == "facts":
            checked = pipeline.check(args.data)
            _report(checked.warnings)
            _emit(json.dumps(to_json(checked.facts), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        elif args.command == "build":
            if args.jobs < 1:
                raise UsageError("-j/--jobs takes a number of 1 or more")
            pipeline.build(args.data, args.out, jobs=args.jobs, only=tuple(dict.fromkeys(args.only or ())),
                           force=args.force, report=_report, say=lambda line: print(line, file=sys.stderr))
        elif args.command == "bundle":
            from signoff import bundle, cache
            from signoff.cache import OutputLock

            # what the PDFs are built from, and the bundle must carry, taken before the data is first read: a data
            # file edited, or another commit checked out, while the package was built would bundle PDFs beside
            # data they were not made from (and facts that are not the data's)
            inputs = cache.inputs_digest(args.data)
            facts, provenance = _refuse_to_bundle(args.data, allow_dirty=args.allow_dirty)
            say = lambda line: print(line, file=sys.stderr)  # noqa: E731
            with OutputLock(args.out, say):  # the build and its bundle: no other build in between
                pipeline.build(args.data, args.out, jobs=os.cpu_count() or 1, only=(), force=False,
                               report=_report, say=say)
                print(bundle.bundle_package(args.data, args.out, facts, provenance, allow_dirty=args.allow_dirty,
                                            inputs=inputs), file=sys.stderr)
        elif args.command == "verify":
            from signoff import bundle

            failures = bundle.verify_bundle(args.bundle, rebuild=args.rebuild)
            for failure in failures:
                print(f"{args.bundle}: {failure}", file=sys.stderr)
            if failures:
                print(f"{len(failures)} failure(s)", file=sys.stderr)
                return 1
            print(f"{args.bundle}: verified{' and rebuilt' if args.rebuild else ''}", file=sys.stderr)
        elif args.command == "calendar":
            from signoff.ics import write_service_calendar

            checked = pipeline.check(args.data)
            _report(checked.warnings)
            print(f"wrote {write_service_calendar(checked.facts, args.data, args.out)}", file=sys.stderr)

        elif args.command == "init":
            from signoff.init import create_project

            for line in create_project(args.dir, args.locale):
                print(line, file=sys.stderr)
        elif args.command == "diff":
            from signoff import review
            from signoff.pdf import write_atomic

            if args.report and not outside(args.data, args.report):
                raise UsageError(f"{args.report} is in the data folder {args.data}: write the report outside it")
            own = own_folder(args.report) if args.report else None
            if own:
                raise UsageError(f"{args.report} is inside Signoff's {own}/: write the report outside it")
            report = review.diff_report(args.base, args.data)
            if args.report:
                write_atomic(args.report, report.encode())
            else:
                _emit(report)
    except DataError as exc:
        _report(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error(s); nothing was written", file=sys.stderr)
        return exc.exit_code
    except SignoffError as exc:
        print(f"signoff: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except _PipeClosed:  # `facts --json | head`: the reader has what it wanted; no message
        return 141
    except OSError as exc:  # the machine's, not the data's: a folder that cannot be made, a file in the way
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"signoff: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EnvironmentProblem.exit_code
    except KeyboardInterrupt as exc:
        kept = "; the output folder keeps the documents of the last complete build" if args.command in (
            "build", "bundle") else ""
        print(f"signoff: interrupted{kept}", file=sys.stderr)
        code = 143 if isinstance(exc, _Terminated) else 130
        if getattr(sys.modules.get("signoff.pipeline"), "ABANDONED", False):
            # its renderers were ended and its pool is not waited for (pipeline._abandon)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
