"""The service clock of SPEC §10: elapsed and due times on the wall clock (7x24) or in working time (5x8)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import SignoffError
from .vocab import DEFAULT_WORKING_HOURS
from .workdays import WorkCalendar

Time = datetime.datetime
_DAY = datetime.timedelta(days=1)
_UNIT_MINUTES = {"min": 1, "h": 60}


def parse_time(value: str) -> Time:
    """`2027-01-12 21:40` as a naive local time (validation guarantees the form)."""
    return datetime.datetime.strptime(value, "%Y-%m-%d %H:%M")


def _minute_of_day(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def day_length(intervals) -> int:
    """Working minutes of a day of these intervals ((510, 720), (810, 1050) → 450)."""
    return sum(end - start for start, end in intervals)


def parse_intervals(texts) -> tuple[tuple[int, int], ...]:
    """`["08:30-12:00", "13:30-17:30"]` as minutes of the day, half-open: ((510, 720), (810, 1050))."""
    out = []
    for text in texts:
        start, end = text.split("-")
        out.append((_minute_of_day(start), _minute_of_day(end)))
    return tuple(out)


@dataclass(frozen=True)
class Due:
    """A due time, provisional when it was counted through a year no official calendar covers."""

    at: Time
    uncovered: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.uncovered)


@dataclass(frozen=True)
class ServiceClock:
    """One service's clock. `hours` is `7x24` or `5x8`; `intervals` (minutes of the day) apply to 5x8 only."""

    hours: str
    calendar: WorkCalendar
    intervals: tuple[tuple[int, int], ...] = parse_intervals(DEFAULT_WORKING_HOURS)

    @property
    def day_minutes(self) -> int:
        """The length of a working day in working minutes (5x8)."""
        return day_length(self.intervals)

    def _openings(self, day: datetime.date):
        """The working intervals of one day as (start, end) times; none on a day off."""
        if not self.calendar.is_workday(day):
            return
        midnight = datetime.datetime.combine(day, datetime.time())
        for start, end in self.intervals:
            yield midnight + datetime.timedelta(minutes=start), midnight + datetime.timedelta(minutes=end)

    def start(self, reported: Time) -> Time:
        """Where the clock starts for a ticket taken at `reported`: then, or on 5x8 at the next opening."""
        if self.hours == "7x24":
            return reported
        day = reported.date()
        for _ in range(3660):  # ten years of days off would be a broken calendar
            for opens, closes in self._openings(day):
                if reported < closes:
                    return max(opens, reported)
            day += _DAY
        raise SignoffError(f"no working time in the ten years from {reported:%Y-%m-%d %H:%M}: the calendar "
                           "(project.yaml calendar) leaves no working day for the 5x8 service clock")

    def elapsed(self, begin: Time, end: Time) -> int:
        """Service-clock minutes in [begin, end): wall-clock minutes on 7x24, working minutes on 5x8."""
        if end <= begin:
            return 0
        if self.hours == "7x24":
            return int((end - begin).total_seconds() // 60)
        total = 0
        day = begin.date()
        while day <= end.date():
            for opens, closes in self._openings(day):
                low, high = max(opens, begin), min(closes, end)
                if high > low:
                    total += int((high - low).total_seconds() // 60)
            day += _DAY
        return total

    def advance(self, begin: Time, minutes: int) -> Due:
        """The earliest time at which `minutes` of service time have run from `begin`; a due time that falls on the
        end of a working interval is that end (17:00), not the next opening."""
        if self.hours == "7x24":
            return Due(begin + datetime.timedelta(minutes=minutes))
        remaining = minutes
        day = begin.date()
        seen = {day.year}
        while True:
            seen.add(day.year)
            for opens, closes in self._openings(day):
                low = max(opens, begin)
                if closes <= low:
                    continue
                length = int((closes - low).total_seconds() // 60)
                if remaining <= length:
                    return Due(low + datetime.timedelta(minutes=remaining), self._uncovered(seen))
                remaining -= length
            day += _DAY

    def _uncovered(self, years) -> tuple[int, ...]:
        return tuple(sorted(year for year in years if not self.calendar.covers(year)))

    def target_minutes(self, start: Time, amount: str, unit: str) -> tuple[int, tuple[int, ...]]:
        """A target (`15 min`, `2 h`, `8 wd`) from `start` as service-clock minutes, with the uncovered years a
        `wd` target was counted through. On 5x8 `N wd` is N working days' length of working time; on 7x24 it is
        the wall-clock time to the same clock time on the Nth working day after the reception date."""
        value = Decimal(amount)
        if unit in _UNIT_MINUTES:
            return _round(value * _UNIT_MINUTES[unit]), ()
        if self.hours == "5x8":
            return _round(value * self.day_minutes), ()
        whole = int(value)
        day = self.calendar.add(start.date(), whole)
        due = datetime.datetime.combine(day.date, start.time())
        extra = _round((value - whole) * 24 * 60)  # a fraction of a day runs on the wall clock
        return int((due - start).total_seconds() // 60) + extra, day.uncovered


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_minutes(minutes: int | None) -> str:
    """Elapsed time as printed: 125 → `2:05`; None → `—`."""
    if minutes is None:
        return "—"
    return f"{minutes // 60}:{minutes % 60:02d}"
