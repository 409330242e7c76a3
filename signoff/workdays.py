"""Working days on the PRC public-holiday calendar, with the data's overrides and provisional years (SPEC §5)."""
from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

import chinese_calendar

Date = datetime.date
_ONE_DAY = datetime.timedelta(days=1)


def _library_years() -> frozenset[int]:
    years = set()
    for year in range(2000, 2101):
        try:
            chinese_calendar.is_workday(Date(year, 6, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


LIBRARY_YEARS = _library_years()


@dataclass(frozen=True)
class Computed:
    """A computed date, provisional when it was counted through a year no calendar covers."""

    date: Date
    provisional: bool = False
    uncovered: tuple[int, ...] = ()

    def iso(self) -> str:
        return self.date.isoformat()


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar: the library, then the data's `calendar` overrides, which win."""

    holidays: frozenset = field(default_factory=frozenset)
    workdays: frozenset = field(default_factory=frozenset)
    complete_years: frozenset = field(default_factory=frozenset)

    def covers(self, year: int) -> bool:
        return year in self.complete_years or year in LIBRARY_YEARS

    def is_workday(self, day: Date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in LIBRARY_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add(self, day: Date, count: int) -> Computed:
        """The `count`-th working day after `day` (not counting `day`); before it when `count` < 0.

        Provisional when a day counted (not `day` itself) lies in a year no calendar covers."""
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        seen = set()
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            seen.add(current.year)
            if self.is_workday(current):
                remaining -= 1
        uncovered = tuple(sorted(year for year in seen if not self.covers(year)))
        return Computed(current, bool(uncovered), uncovered)

    def last_workday(self, first: Date, last: Date) -> Computed | None:
        """The last working day from `first` to `last` (both included), or None when there is none."""
        seen = set()
        current = last
        while current >= first:
            seen.add(current.year)
            if self.is_workday(current):
                uncovered = tuple(sorted(year for year in seen if not self.covers(year)))
                return Computed(current, bool(uncovered), uncovered)
            current -= _ONE_DAY
        return None


def calendar_of(cal: dict) -> WorkCalendar:
    """The calendar of project.yaml's `calendar:` (holidays, make-up working days, complete years)."""
    return WorkCalendar(frozenset(Date.fromisoformat(d) for d in cal.get("holidays") or []),
                        frozenset(Date.fromisoformat(d) for d in cal.get("workdays") or []),
                        frozenset(cal.get("complete_years") or []))


def add_months(day: Date, months: int) -> Date:
    """`day` moved by whole months, kept within the target month (31 Jan + 1 month = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return Date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
