"""The service clock of SPEC §10, against cases worked out by hand (each expected value is derived in its comment,
from the published PRC schedule, never from the code under test)."""
import datetime

import pytest

from signoff.clock import ServiceClock, hours_minutes, parse_intervals, parse_time
from signoff.tickets import judge_fault
from signoff.workdays import WorkCalendar

T = parse_time
LIBRARY = WorkCalendar()  # chinesecalendar alone: knows 2026, not 2027 or 2028
DAY = parse_intervals(["09:00-17:00"])
SPLIT = parse_intervals(["08:30-12:00", "13:30-17:30"])
CLOCK_24 = ServiceClock("7x24", LIBRARY)
CLOCK_8 = ServiceClock("5x8", LIBRARY, DAY)
CLOCK_SPLIT = ServiceClock("5x8", LIBRARY, SPLIT)
# The standard levels as service.py merges them (response, resolution), level 1 shortened as in data/.
LEVELS = {1: {"response_time": {"amount": "15", "unit": "min"}, "resolution_time": {"amount": "2", "unit": "h"}},
          2: {"response_time": {"amount": "30", "unit": "min"}, "resolution_time": {"amount": "4", "unit": "h"}},
          3: {"response_time": {"amount": "2", "unit": "h"}, "resolution_time": {"amount": "8", "unit": "wd"}}}
SERVICE = {"levels": []}


def due(clock, start, minutes):
    return clock.advance(T(start), minutes).at.strftime("%Y-%m-%d %H:%M")


# --- 7x24 ---------------------------------------------------------------------------------------------------

def test_7x24_runs_through_midnight():
    # 22:15 → 00:05 the next day: 1 h 45 min to midnight (105) + 5 after it = 110.
    assert CLOCK_24.elapsed(T("2026-12-05 22:15"), T("2026-12-06 00:05")) == 110
    # 2 h from Saturday 23:30 is Sunday 01:30; weekends do not matter on 7x24.
    assert due(CLOCK_24, "2026-12-05 23:30", 120) == "2026-12-06 01:30"


def test_7x24_wd_is_the_same_clock_time_on_the_nth_working_day():
    # Reported Thursday 2026-11-26 15:20; working days after it (2026 schedule, no holiday in between):
    # Fri 27 (1), Mon 30 (2), Tue 1 Dec (3), 2 (4), 3 (5), Fri 4 (6), Mon 7 (7), Tue 8 (8) → 2026-12-08 15:20,
    # 12 days later on the wall clock: 12 × 1440 = 17,280 minutes.
    minutes, uncovered = CLOCK_24.target_minutes(T("2026-11-26 15:20"), "8", "wd")
    assert (minutes, uncovered) == (17280, ())


def test_7x24_wd_across_national_day():
    # Reported Wednesday 2026-09-30 10:00, 3 wd. 2026: 1–7 October are holidays, Saturday 10 October is a
    # make-up working day. Working days after 30 Sep: Thu 8 Oct (1), Fri 9 (2), Sat 10 (3) → 2026-10-10 10:00,
    # 10 days later: 14,400 minutes.
    assert CLOCK_24.target_minutes(T("2026-09-30 10:00"), "3", "wd") == (14400, ())


def test_7x24_wd_into_an_unpublished_year_is_provisional():
    # Reported Thursday 2026-12-24 10:00, 8 wd. 2026: Fri 25 (1), Mon 28 (2), 29 (3), 30 (4), 31 (5); 2027 is not
    # known, so weekends alone: Fri 1 Jan (6), Mon 4 (7), Tue 5 (8) → 2027-01-05 10:00, 12 days: 17,280 minutes,
    # provisional because of 2027.
    assert CLOCK_24.target_minutes(T("2026-12-24 10:00"), "8", "wd") == (17280, (2027,))
    # With 2027 stated complete and 1 January a holiday: Mon 4 (6), Tue 5 (7), Wed 6 (8) → 13 days, 18,720 minutes.
    stated = ServiceClock("7x24", WorkCalendar(frozenset({datetime.date(2027, 1, 1)}), frozenset(),
                                               frozenset({2027})))
    assert stated.target_minutes(T("2026-12-24 10:00"), "8", "wd") == (18720, ())


# --- 5x8 ----------------------------------------------------------------------------------------------------

def test_5x8_crosses_a_weekend():
    # Friday 2026-12-04 16:00, 2 h: 60 minutes until 17:00, then Monday 7 December from 09:00, 60 more → 10:00.
    assert due(CLOCK_8, "2026-12-04 16:00", 120) == "2026-12-07 10:00"
    # Friday 16:00 → Monday 09:30: 60 + 30 = 90 working minutes.
    assert CLOCK_8.elapsed(T("2026-12-04 16:00"), T("2026-12-07 09:30")) == 90


def test_5x8_crosses_national_day():
    # Wednesday 2026-09-30 16:00, 4 h: 60 minutes on 30 Sep; 1–7 Oct are holidays; Thursday 8 Oct from 09:00,
    # 180 more → 12:00.
    assert due(CLOCK_8, "2026-09-30 16:00", 240) == "2026-10-08 12:00"


def test_5x8_works_on_a_make_up_saturday():
    # Friday 2026-10-09 16:30, 2 h: 30 minutes on Friday; Saturday 10 October 2026 is a make-up working day
    # (调休上班), so 90 more from 09:00 → Saturday 10:30, not Monday.
    assert due(CLOCK_8, "2026-10-09 16:30", 120) == "2026-10-10 10:30"
    # Sunday 2026-09-20 is a make-up working day too: a ticket reported on Sunday 08:00 starts at 09:00 that day.
    assert CLOCK_8.start(T("2026-09-20 08:00")) == T("2026-09-20 09:00")


def test_5x8_split_day():
    # [08:30-12:00, 13:30-17:30]: Monday 2026-12-07 11:00, 4 h: 60 minutes until 12:00, then from 13:30 180 more
    # → 16:30.
    assert due(CLOCK_SPLIT, "2026-12-07 11:00", 240) == "2026-12-07 16:30"
    # A due time on the end of an interval is that end: 10:00 + 2 h → 12:00, not 13:30.
    assert due(CLOCK_SPLIT, "2026-12-07 10:00", 120) == "2026-12-07 12:00"
    # Reported at lunch (12:30) the clock starts at 13:30; reported at 18:00, at 08:30 the next working day.
    assert CLOCK_SPLIT.start(T("2026-12-07 12:30")) == T("2026-12-07 13:30")
    assert CLOCK_SPLIT.start(T("2026-12-07 18:00")) == T("2026-12-08 08:30")
    # 1 wd is the length of the working day (3:30 + 4:00 = 450 minutes): Monday 11:00 → 60 + 240 = 300 on Monday,
    # 150 more from Tuesday 08:30 → Tuesday 11:00, the same point of working time.
    assert CLOCK_SPLIT.target_minutes(T("2026-12-07 11:00"), "1", "wd") == (450, ())
    assert due(CLOCK_SPLIT, "2026-12-07 11:00", 450) == "2026-12-08 11:00"
    # 11:00 → 14:00 on the split day: 60 (11–12) + 30 (13:30–14:00) = 90.
    assert CLOCK_SPLIT.elapsed(T("2026-12-07 11:00"), T("2026-12-07 14:00")) == 90


def test_5x8_in_an_unpublished_year_is_provisional():
    # 2028 is unknown: weekends alone. Friday 2028-01-28 16:00 (1 Jan 2028 is a Saturday, so the 28th is a Friday),
    # 2 h: 60 minutes on Friday, Monday 31 Jan 09:00 + 60 → 10:00, provisional (2028).
    result = CLOCK_8.advance(T("2028-01-28 16:00"), 120)
    assert (result.at, result.provisional, result.uncovered) == (T("2028-01-31 10:00"), True, (2028,))


def test_hours_minutes():
    assert [hours_minutes(m) for m in (0, 5, 125, 15120, None)] == ["0:00", "0:05", "2:05", "252:00", "—"]


# --- tickets: pause, reopening, re-grading ------------------------------------------------------------------

def ticket(level, reported, *events, exemption=None):
    return {"id": "T-1", "level": level, "reported_at": reported, "exemption": exemption,
            "events": [dict(zip(("at", "kind"), e[:2]), **(e[2] if len(e) > 2 else {})) for e in events]}


HORIZON = T("2027-03-01 00:00")


def test_a_pause_is_left_out_of_the_resolution_clock():
    # Level 2 (4 h) on 7x24, reported 14:00, waiting for the customer 15:00–16:30 (90 min), resolved 19:10:
    # 5:10 on the wall clock − 1:30 paused = 3:40 ≤ 4:00 → met; due 18:00 + 1:30 = 19:30.
    raw = ticket(2, "2026-12-09 14:00", ("2026-12-09 14:20", "responded"), ("2026-12-09 15:00", "waiting_customer"),
                 ("2026-12-09 16:30", "resumed"), ("2026-12-09 19:10", "resolved"))
    level, start, response, resolution, paused, regrading = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)
    assert (response.elapsed, response.status) == (20, "met")
    assert (resolution.elapsed_text, resolution.due, resolution.status, paused) == ("3:40", "2026-12-09 19:30",
                                                                                    "met", 90)


def test_a_pause_on_5x8_removes_only_working_time():
    # Level 2 on 5x8 (09:00–17:00), reported Friday 2026-12-04 15:00; waiting from 16:00 Friday to 10:00 Monday:
    # only 16:00–17:00 and 09:00–10:00 are working time, 120 paused minutes. Resolved Monday 13:00: working
    # minutes 15:00→13:00 = 120 (Fri) + 240 (Mon) = 360, − 120 = 240 = 4 h → met (equal is met).
    raw = ticket(2, "2026-12-04 15:00", ("2026-12-04 15:10", "responded"), ("2026-12-04 16:00", "waiting_customer"),
                 ("2026-12-07 10:00", "resumed"), ("2026-12-07 13:00", "resolved"))
    _, _, _, resolution, paused, _ = judge_fault(raw, LEVELS, SERVICE, CLOCK_8, HORIZON)
    assert (resolution.elapsed, resolution.status, resolution.due, paused) == (240, "met", "2026-12-07 13:00", 120)


def test_a_reopened_ticket_keeps_its_total_and_every_cycle_must_meet():
    # Level 3 (8 wd) on 7x24, reported Thursday 2026-11-26 10:00: target 12 days = 288 h (see above, due 8 Dec).
    # Cycle 1 resolved Mon 30 Nov 16:00: 4 d 6 h = 102 h → met. Reopened Wed 2 Dec 09:00 (paused 41 h).
    # Cycle 2 resolved Fri 11 Dec 12:00: 15 d 2 h = 362 h − 41 h = 321 h > 288 h → missed; due 8 Dec 10:00 + 41 h
    # = 10 Dec 03:00.
    raw = ticket(3, "2026-11-26 10:00", ("2026-11-26 11:00", "responded"), ("2026-11-30 16:00", "resolved"),
                 ("2026-12-02 09:00", "reopened"), ("2026-12-11 12:00", "resolved"))
    _, _, _, resolution, paused, _ = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)
    assert [(c.elapsed_text, c.met) for c in resolution.cycles] == [("102:00", True), ("321:00", False)]
    assert (resolution.status, resolution.due, paused) == ("missed", "2026-12-10 03:00", 41 * 60)


def test_a_reopening_pauses_from_resolved_not_from_the_earlier_event_that_fulfilled_the_target():
    # Level 1 (2 h) on 7x24, reported 10:00, restored 10:30 (fulfils cycle 1: 0:30), resolved 15:00, reopened
    # 16:00, restored 16:30. SPEC §10 pauses only resolved → reopened (1:00): cycle 2 is 6:30 − 1:00 = 5:30 > 2:00,
    # missed. Paused from `restored` (5:30 off) it read 1:00, met (found by a hostile review).
    raw = ticket(1, "2027-01-05 10:00", ("2027-01-05 10:05", "responded"), ("2027-01-05 10:30", "restored"),
                 ("2027-01-05 15:00", "resolved"), ("2027-01-05 16:00", "reopened"), ("2027-01-05 16:30", "restored"),
                 ("2027-01-05 17:00", "resolved"))
    _, _, _, resolution, paused, _ = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)
    assert [(c.elapsed_text, c.met) for c in resolution.cycles] == [("0:30", True), ("5:30", False)]
    assert (resolution.status, paused) == ("missed", 60)


def test_a_reopened_ticket_still_open_is_running_or_overdue():
    # The same ticket, reopened and not yet resolved again: due 10 Dec 03:00. On as_of 9 Dec (horizon 10 Dec 00:00)
    # it is running; on as_of 10 Dec it is overdue.
    raw = ticket(3, "2026-11-26 10:00", ("2026-11-26 11:00", "responded"), ("2026-11-30 16:00", "resolved"),
                 ("2026-12-02 09:00", "reopened"))
    assert judge_fault(raw, LEVELS, SERVICE, CLOCK_24, T("2026-12-10 00:00"))[3].status == "running"
    assert judge_fault(raw, LEVELS, SERVICE, CLOCK_24, T("2026-12-11 00:00"))[3].status == "overdue"


def test_regrading_applies_the_new_levels_targets_from_reported_at():
    # Taken as level 3 at 08:50, re-graded to level 1 at 09:20: level 1's targets from 08:50 — response 15 min
    # (responded 08:55, 5 min → met), resolution 2 h → due 10:50; restored 11:00 = 2:10 → missed, although as a
    # level 3 ticket it would have met easily.
    raw = ticket(3, "2026-12-21 08:50", ("2026-12-21 08:55", "responded"),
                 ("2026-12-21 09:20", "level_changed", {"to": 1}), ("2026-12-21 11:00", "restored"),
                 ("2026-12-21 16:00", "resolved"))
    level, _, response, resolution, _, regrading = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)
    assert (level, regrading.from_level, regrading.to_level) == (1, 3, 1)
    assert (response.status, resolution.due, resolution.elapsed_text, resolution.event, resolution.status) == (
        "met", "2026-12-21 10:50", "2:10", "restored", "missed")


def test_open_pause_on_as_of_leaves_the_target_running_unless_already_due():
    # Level 2 (4 h), reported 08:05, waiting from 09:00 and still waiting on as_of: 55 minutes used, due unknown
    # → running. Waiting from 12:30 instead: due 12:05 came before the pause → overdue.
    raw = ticket(2, "2027-02-25 08:05", ("2027-02-25 08:20", "responded"), ("2027-02-25 09:00", "waiting_customer"))
    resolution = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)[3]
    assert (resolution.status, resolution.due, resolution.elapsed_text) == ("running", None, "0:55")
    raw["events"][1]["at"] = "2027-02-25 12:30"
    resolution = judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)[3]
    assert (resolution.status, resolution.due) == ("overdue", "2027-02-25 12:05")


def test_reported_outside_working_hours_starts_at_the_next_opening():
    # 5x8, reported Saturday 2026-12-05 22:15: the clock starts Monday 7 Dec 09:00; responded by phone 22:21 the
    # same night: 0 minutes of working time → met; level 1 resolution 2 h → due Monday 11:00.
    raw = ticket(1, "2026-12-05 22:15", ("2026-12-05 22:21", "responded"), ("2026-12-07 10:30", "restored"))
    _, start, response, resolution, _, _ = judge_fault(raw, LEVELS, SERVICE, CLOCK_8, HORIZON)
    assert start == T("2026-12-07 09:00")
    assert (response.elapsed, response.status) == (0, "met")
    assert (resolution.due, resolution.elapsed_text, resolution.status) == ("2026-12-07 11:00", "1:30", "met")


@pytest.mark.parametrize("minutes, status", [(120, "met"), (121, "missed")])
def test_elapsed_equal_to_the_target_is_met(minutes, status):
    # Level 1, 2 h, reported 10:00, restored at 10:00 + minutes.
    restored = (T("2026-12-07 10:00") + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")
    raw = ticket(1, "2026-12-07 10:00", ("2026-12-07 10:05", "responded"), (restored, "restored"))
    assert judge_fault(raw, LEVELS, SERVICE, CLOCK_24, HORIZON)[3].status == status


def test_a_calendar_with_no_working_day_for_ten_years_is_an_error_not_an_assertion():
    """Holidays typed over every day of eleven years (schema-valid) ended check in an AssertionError (found by an
    attacker): it is an error that says what stops the 5x8 clock."""
    from signoff.errors import SignoffError

    start = datetime.date(2027, 1, 1)
    days = {start + datetime.timedelta(days=n) for n in range(11 * 366)}
    clock = ServiceClock("5x8", WorkCalendar(holidays=days), DAY)
    with pytest.raises(SignoffError, match=r"no working time in the ten years from 2027-01-01 09:00: the calendar "
                                           r"\(project.yaml calendar\) leaves no working day"):
        clock.start(T("2027-01-01 09:00"))
