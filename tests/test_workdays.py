"""Working days (SPEC §5): the PRC calendar with the data's overrides, counting, provisional years, month steps."""
import datetime

from signoff.facts import work_calendar
from signoff.workdays import LIBRARY_YEARS, WorkCalendar, add_months

D = datetime.date
UNKNOWN = max(LIBRARY_YEARS) + 1  # the first year the holiday library does not know


def test_n_working_days_after_does_not_count_the_day_itself():
    calendar = WorkCalendar()
    # Friday 20 Nov 2026 + 1 working day is Monday 23 Nov; + 7 is Tuesday 1 Dec
    assert calendar.add(D(2026, 11, 20), 1).date == D(2026, 11, 23)
    assert calendar.add(D(2026, 11, 20), 7).date == D(2026, 12, 1)
    assert calendar.add(D(2026, 11, 23), -3).date == D(2026, 11, 18)


def test_library_holidays():
    calendar = WorkCalendar()
    assert not calendar.is_workday(D(2026, 10, 1))  # National Day


def test_the_data_overrides_win():
    calendar = work_calendar({"holidays": ["2026-11-23"], "workdays": ["2026-11-22"]})
    assert not calendar.is_workday(D(2026, 11, 23)) and calendar.is_workday(D(2026, 11, 22))


def test_a_date_is_provisional_only_when_a_counted_day_lies_in_an_unknown_year():
    calendar = work_calendar({"complete_years": [UNKNOWN + 1]})
    # from 31 Dec of an unknown year, every counted day lies in the next, covered one
    counted = calendar.add(D(UNKNOWN, 12, 31), 7)
    assert counted.date.year == UNKNOWN + 1 and not counted.provisional
    late = calendar.add(D(UNKNOWN, 12, 24), 7)
    assert late.provisional and late.uncovered == (UNKNOWN,)


def test_weekends_alone_in_an_unknown_year():
    calendar = WorkCalendar()
    day = D(UNKNOWN, 10, 1)  # National Day, unknown to the library: counted as a weekday
    assert calendar.is_workday(day) == (day.weekday() < 5)
    assert calendar.add(day - datetime.timedelta(days=1), 1).uncovered == (UNKNOWN,)


def test_last_workday_within_a_window():
    calendar = WorkCalendar()
    assert calendar.last_workday(D(2026, 11, 21), D(2026, 11, 22)) is None  # a weekend
    assert calendar.last_workday(D(2026, 11, 20), D(2026, 11, 22)).date == D(2026, 11, 20)


def test_add_months_keeps_within_the_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 11, 23), 3) == D(2027, 2, 23)
