"""The expected failures: problems found in the data, and the exceptions build.py turns into exit codes."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place in one data file; sorts by file and position."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: str = ERROR

    def format(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {where}{self.message}"

    def annotation(self) -> str:
        """The GitHub Actions workflow command for this problem."""
        kind = "error" if self.severity == ERROR else "warning"
        where = f"{self.path}: " if self.path else ""
        text = (where + self.message).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{kind} file={self.file},line={self.line},col={self.col}::{text}"


class SignoffError(Exception):
    """An expected failure; build.py prints it and exits with `exit_code`."""

    exit_code = 1


class DataError(SignoffError):
    """The data is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
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
