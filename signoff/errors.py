"""The expected failures: problems found in the data, and the exceptions build.py turns into exit codes."""
from __future__ import annotations

import re
from dataclasses import dataclass


def _natural(text: str) -> list:
    """`text` as alternate runs of other characters and numbers, each number compared as a number (by its
    digits, never converted: a number may be thousands of digits long)."""
    return [(len(part.lstrip("0")), part.lstrip("0"), part) if k % 2 else part
            for k, part in enumerate(re.split(r"(\d+)", text))]


ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem at one place in one data file; sorts by file and position, then by its text with numbers in
    their order (window 2 before window 10)."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: str = ERROR

    def __lt__(self, other: Problem) -> bool:
        return self.sort_key() < other.sort_key()

    def sort_key(self) -> tuple:
        """Where it sorts (`sorted(problems, key=Problem.sort_key)` works it out once a problem)."""
        return (self.file, self.line, self.col, _natural(self.path), _natural(self.message), self.severity)

    def format(self) -> str:
        """The line editors and CI read: always one line (control characters in a key or value written as
        escapes, `\\n` for a newline), so no data can forge a line of its own."""
        where = f"{self.path}: " if self.path else ""
        return one_line(f"{self.file}:{self.line}:{self.col}: {self.severity}: {where}{self.message}")

    def annotation(self) -> str:
        """The GitHub Actions workflow command for this problem, escaped as GitHub documents: `%`, CR and LF
        in the message, and also `:` and `,` in the properties; the text is one line to begin with."""
        kind = "error" if self.severity == ERROR else "warning"
        where = f"{self.path}: " if self.path else ""
        return (f"::{kind} file={_property(self.file)},line={self.line},col={self.col}::"
                f"{_data(one_line(where + self.message))}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")


def one_line(text: str) -> str:
    """`text` with every control character (newline, carriage return, escape…) written as a Python escape."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class SignoffError(Exception):
    """An expected failure; build.py prints it and exits with `exit_code`."""

    exit_code = 1


class DataError(SignoffError):
    """The data is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(f"{sum(p.severity == ERROR for p in self.problems)} error(s) in the data")


class UsageError(SignoffError):
    """The command was called wrongly."""

    exit_code = 2


class EnvironmentProblem(SignoffError):
    """The machine cannot build: renderer, libraries, fonts, output folder, SOURCE_DATE_EPOCH."""

    exit_code = 3


class BundleError(SignoffError):
    """A bundle is refused or fails verification."""

    exit_code = 1
