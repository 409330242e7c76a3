"""After-sales facts: fault levels with their times, the maintenance calendar on working days, the handover check.

Each function returns model records and the warnings it found as Problems at their place in the sources."""
from __future__ import annotations

import datetime

from .errors import Problem
from .model import (Channel, DurationValue, FaultLevel, Handover, Inspection, Maintenance, MaintenancePlan,
                    MaintenanceWindow, Meeting, Preventive, Service)
from .paths import SCHEMA_DIR
from .sources import Source, read_shipped_yaml
from .values import D, Duration, text
from .vocab import (DEFAULT_WORKING_HOURS, HANDOVER_WORKING_DAYS, MAINTENANCE_MONTHS, MANNER_WORDS, NOTICE_WORKING_DAYS,
                    RESOLUTION_EVENTS, RESPONSE_MANNERS, RESPONSE_MANNERS_BY_LEVEL)
from .workdays import WorkCalendar, add_months

_ONE_DAY = datetime.timedelta(days=1)


def load_fault_levels() -> list[dict]:
    return read_shipped_yaml(SCHEMA_DIR / "fault_levels.yaml")


def service_facts(raw: dict, locale: str) -> Service:
    """service.yaml with the standard fault levels merged in and every optional part present."""
    preventive, inspection = raw["maintenance"]["preventive"], raw["maintenance"].get("inspection")
    return Service(
        number=text(raw["number"]), start=raw["start"], end=raw["end"], lead=raw["lead"],
        customer_contact=raw["customer_contact"], desk=tuple(raw.get("desk") or ()),
        engineers=tuple(raw.get("engineers") or ()), hours=raw["hours"],
        channels=tuple(Channel(c["kind"], text(c["value"]), text(c.get("hours"))) for c in raw["channels"]),
        escalation=raw.get("escalation"), scope=raw["scope"], exclusions=raw.get("exclusions"),
        handover_meeting=raw.get("handover_meeting"), levels=_levels(raw.get("levels") or [], locale),
        working_hours=tuple(raw.get("working_hours") or DEFAULT_WORKING_HOURS),
        maintenance=MaintenancePlan(
            Preventive(preventive["every"], preventive.get("notice_working_days", NOTICE_WORKING_DAYS),
                       tuple(text(t) for t in preventive.get("tasks") or ())),
            Inspection(inspection.get("per_year", 1), inspection.get("notice_working_days", NOTICE_WORKING_DAYS),
                       tuple(text(t) for t in inspection.get("items") or ())) if inspection is not None else None),
        training=raw.get("training"))


def _levels(overrides: list[dict], locale: str) -> tuple[FaultLevel, ...]:
    given = {level["level"]: level for level in overrides}
    levels = []
    for standard in load_fault_levels():
        merged = {key: (value[locale] if isinstance(value, dict) else value) for key, value in standard.items()}
        merged.update(given.get(standard["level"], {}))
        events = merged.get("resolution_events") or RESOLUTION_EVENTS[merged["level"]]
        levels.append(FaultLevel(
            level=merged["level"], name=text(merged["name"]), meaning=text(merged["meaning"]),
            examples=tuple(text(e) for e in merged.get("examples") or ()), response=merged["response"],
            response_manner=text(merged.get("response_manner")), resolution=merged["resolution"],
            resolution_goal=text(merged.get("resolution_goal")),
            resolution_events=tuple(events),
            response_time=_duration(merged["response"]), resolution_time=_duration(merged["resolution"]),
            response_manners=_manners(given.get(standard["level"], {}).get("response_manner"), merged["level"])))
    return tuple(levels)


def _manners(written: str | None, level: int) -> tuple[str, ...]:
    """The manners of a first response that keep the level's response_manner: the standard level's (SPEC §4's
    table), or those a response_manner the service wrote itself names (MANNER_WORDS), on site always among them."""
    if not written:
        return RESPONSE_MANNERS_BY_LEVEL[level]
    lowered = str(written).lower()
    named = {manner for manner, words in MANNER_WORDS.items() if any(word in lowered for word in words)}
    return tuple(m for m in RESPONSE_MANNERS if m in named | {"onsite"}) if named else RESPONSE_MANNERS


def _duration(value: str) -> DurationValue:
    duration = Duration.parse(value)
    return DurationValue(duration.amount, duration.unit)


def maintenance_calendar(service: Service, calendar: WorkCalendar,
                         source: Source) -> tuple[Maintenance, list[Problem]]:
    """The preventive-maintenance and inspection windows with their planned and notice dates (SPEC §5)."""
    preventive, inspection = maintenance_windows(service, calendar)
    uncovered = tuple(sorted({y for w in (*preventive, *inspection) for y in w.uncovered}))
    warnings = []
    for kind, windows in (("preventive", preventive), ("inspection", inspection)):
        for w in windows:
            where = f"the {kind} window {w.number} ({w.start} to {w.end})"
            if w.note == "last_working_day":
                warnings.append(source.problem(("maintenance", kind), f"{where} ends before the planned date "
                                               f"its notice gives: it is planned on the window's last working day, "
                                               f"{w.planned}", severity="warning"))
            elif w.note == "no_working_day":
                warnings.append(source.problem(("maintenance", kind), f"{where} has no working day: nothing is "
                                               "planned in it", severity="warning"))
    if uncovered:
        years = ", ".join(map(str, uncovered))
        warnings.append(source.problem(("maintenance",), f"the official holiday calendar of {years} is not known "
                                       "yet; maintenance dates in it are counted on weekends alone and marked "
                                       "provisional (add calendar.complete_years with the published schedule to "
                                       "project.yaml)", severity="warning"))
    return Maintenance(preventive, inspection, uncovered), warnings


def maintenance_windows(service: Service, calendar: WorkCalendar) -> tuple[tuple[MaintenanceWindow, ...], ...]:
    """(preventive, inspection) windows of the service period: the one computation the calendar, the guide and
    the visits' rules share."""
    start, end = D(service.start), D(service.end)
    plan = service.maintenance
    preventive = _windows(start, end, MAINTENANCE_MONTHS[plan.preventive.every],
                          plan.preventive.notice_working_days, calendar)
    inspection = (_windows(start, end, 12 // plan.inspection.per_year, plan.inspection.notice_working_days,
                           calendar) if plan.inspection else ())
    return preventive, inspection


def _windows(start, end, months: int, notice_days: int, calendar: WorkCalendar) -> tuple[MaintenanceWindow, ...]:
    """Consecutive windows of `months` from `start`, the last cut at `end`. A planned date never leaves its window:
    when the `notice_days`-th working day falls after it, the window's last working day is planned instead."""
    windows = []
    index = 0
    while True:
        first = add_months(start, months * index)
        if first > end:
            break
        last = min(add_months(start, months * (index + 1)) - _ONE_DAY, end)
        planned = calendar.add(first, notice_days)
        note = None
        if planned.date > last:
            planned = calendar.last_workday(first, last)
            note = "last_working_day" if planned else "no_working_day"
        if planned is None:
            windows.append(MaintenanceWindow(index + 1, first.isoformat(), last.isoformat(), None, None, False, (),
                                             note))
        else:
            notice = calendar.add(planned.date, -notice_days)
            uncovered = tuple(sorted(set(planned.uncovered) | set(notice.uncovered)))
            windows.append(MaintenanceWindow(index + 1, first.isoformat(), last.isoformat(), planned.iso(),
                                             notice.iso(), bool(uncovered), uncovered, note))
        index += 1
    return tuple(windows)


def handover_check(service: Service, meetings: tuple[Meeting, ...], report_date: datetime.date,
                   calendar: WorkCalendar, sources: dict[str, Source]) -> tuple[Handover, list[Problem]]:
    """The deadline of the service handover meeting (working days after the report) and the meeting held.

    Only service.handover_meeting is held to the deadline. When the deadline is counted on weekends alone, a
    meeting after it is a warning (holidays can only move the deadline later); otherwise the rules make it an
    error."""
    deadline = calendar.add(report_date, HANDOVER_WORKING_DAYS)
    warnings = []
    if deadline.provisional:
        years = ", ".join(map(str, deadline.uncovered))
        warnings.append(sources["report"].problem(("date",), f"the handover deadline runs into {years}, whose "
                                                  "official holiday calendar is not known yet; it is counted on "
                                                  "weekends alone and marked provisional", severity="warning"))
    index, meeting = next(((n, m) for n, m in enumerate(meetings) if m.id == service.handover_meeting),
                          (None, None))
    late = bool(meeting and meeting.date > deadline.iso())
    if late and deadline.provisional:
        warnings.append(sources["meetings"].problem(
            ("meetings", index, "date"), f"the handover meeting on {meeting.date} is after {deadline.iso()}, the "
            f"{_nth(HANDOVER_WORKING_DAYS)} working day after the report counted on weekends alone; check it "
            "against the official calendar", severity="warning"))
    guide_date = meeting.date if meeting else service.start
    return Handover(deadline=deadline.iso(), provisional=deadline.provisional, uncovered_years=deadline.uncovered,
                    meeting=service.handover_meeting, meeting_date=meeting.date if meeting else None,
                    meeting_number=meeting.number if meeting else None,
                    minutes_number=meeting.minutes_number if meeting else None, late=late, guide_date=guide_date,
                    held=bool(meeting and meeting.date <= guide_date)), warnings


def _nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
