#!/usr/bin/env python3
"""Signoff's command line: the only place that parses arguments, prints and exits."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from signoff.documents import DOCUMENT_KEYS
from signoff.errors import DataError, SignoffError, UsageError

ROOT = Path(__file__).resolve().parent


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(UsageError.exit_code)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="Signoff: turns a project's acceptance facts (YAML) into the "
                     "signed paperwork of acceptance and after-sales service, as PDFs.",
                     epilog="Exit codes: 0 done; 1 invalid data, a bundle refused or failing verification; "
                     "2 wrong usage; 3 the environment cannot build.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def data_option(p):
        p.add_argument("--data", type=Path, default=Path("data"), metavar="DIR",
                       help="the data folder (default: data/)")

    p = commands.add_parser("build", help="validate the data and build every document into the output folder")
    data_option(p)
    p.add_argument("--out", type=Path, default=Path("output"), metavar="DIR", help="output folder (default: output/)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="documents rendered in parallel (default: the number of cores)")
    p.add_argument("--only", nargs="+", choices=DOCUMENT_KEYS, default=(), metavar="KEY",
                   help="build only these documents: " + ", ".join(DOCUMENT_KEYS))
    p.add_argument("--force", action="store_true", help="re-render every document, changed or not")

    p = commands.add_parser("check", help="validate the data only, the glyph check included")
    data_option(p)

    p = commands.add_parser("facts", help="print the derived facts")
    data_option(p)
    p.add_argument("--json", action="store_true", required=True, help="as JSON on standard output")
    return parser


def _report(problems) -> None:
    annotate = bool(os.environ.get("GITHUB_ACTIONS"))
    for problem in problems:
        print(problem.format(), file=sys.stderr)
        if annotate:
            print(problem.annotation(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from signoff import pipeline  # after argument parsing, so --help stays fast

    try:
        if args.command == "check":
            checked = pipeline.check(args.data)
            _report(checked.warnings)
            print(f"{args.data}: valid ({len(checked.warnings)} warning(s))", file=sys.stderr)
        elif args.command == "facts":
            checked = pipeline.check(args.data)
            _report(checked.warnings)
            json.dump(checked.facts, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
            sys.stdout.write("\n")
        elif args.command == "build":
            if args.jobs < 1:
                raise UsageError("-j/--jobs takes a number of 1 or more")
            pipeline.build(args.data, args.out, jobs=args.jobs, only=tuple(args.only), force=args.force,
                           report=_report, say=lambda line: print(line, file=sys.stderr))
    except DataError as exc:
        _report(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error(s); nothing was written", file=sys.stderr)
        return exc.exit_code
    except SignoffError as exc:
        print(f"signoff: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
