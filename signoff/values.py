"""Small shared values of the model: dates as typed, durations, text as printed, "latest" by date (SPEC §4)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .vocab import DURATION, DURATION_MINUTES


def parse_date(value: str) -> datetime.date:
    """An ISO date the schema has already checked."""
    return datetime.date.fromisoformat(value)


D = parse_date


def text(value) -> str | None:
    """A text field as printed: integers exactly as typed, strings unchanged."""
    return None if value is None else str(value)


def latest(entries, key: str = "date"):
    """The latest entry by date; on the same date the later one in the file wins."""
    best = None
    for entry in entries:
        if best is None or entry[key] >= best[key]:
            best = entry
    return best


def by_date(entries, key: str = "date") -> list:
    return sorted(entries, key=lambda entry: entry[key])  # stable: file order on the same date


@dataclass(frozen=True)
class Duration:
    """`15 min` as amount "15" and unit "min" (printed in each language), and its length in working minutes."""

    amount: str
    unit: str

    @classmethod
    def parse(cls, value: str) -> "Duration":
        match = DURATION.match(value)
        return cls(match.group(1) + (match.group(2) or ""), match.group(3))

    @property
    def minutes(self) -> Decimal:
        return Decimal(self.amount) * DURATION_MINUTES[self.unit]
