"""After-sales facts: fault levels with their times, the maintenance calendar on working days, the handover check."""
from __future__ import annotations

import datetime
import re

from .errors import Problem
from .facts import D, text
from .paths import SCHEMA_DIR
from .sources import Source, read_shipped_yaml
from .workdays import Computed, WorkCalendar, add_months

MONTHS = {"quarter": 3, "half_year": 6}
HANDOVER_WORKING_DAYS = 7
NOTICE_WORKING_DAYS = 3  # maintenance notice when the data gives none (SPEC §4)
_DURATION = re.compile(r"([0-9.]+) ?(min|h|wd)\Z")  # as validated by schema.py


def load_fault_levels() -> list[dict]:
    return read_shipped_yaml(SCHEMA_DIR / "fault_levels.yaml")


def service_facts(raw: dict, locale: str) -> dict:
    """service.yaml with the standard fault levels merged in and every optional part present."""
    service = dict(raw)
    overrides = {level["level"]: level for level in raw.get("levels") or []}
    levels = []
    for standard in load_fault_levels():
        merged = {key: (value[locale] if isinstance(value, dict) else value) for key, value in standard.items()}
        merged.update({k: v for k, v in overrides.get(standard["level"], {}).items()})
        merged["response_time"] = _duration(merged["response"])
        merged["resolution_time"] = _duration(merged["resolution"])
        levels.append(merged)
    service["levels"] = levels
    _complete_service(service, raw)
    return service


def _complete_service(service: dict, raw: dict) -> None:
    """Every optional part of service.yaml present (None / [] / the default), so the documents can test it."""
    for key in ("escalation", "exclusions", "training", "handover_meeting"):
        service[key] = raw.get(key)
    for key in ("desk", "engineers"):
        service[key] = raw.get(key) or []
    service["channels"] = [{"kind": c["kind"], "value": text(c["value"]), "hours": text(c.get("hours"))}
                           for c in raw["channels"]]
    preventive, inspection = raw["maintenance"]["preventive"], raw["maintenance"].get("inspection")
    service["maintenance"] = {
        "preventive": {"every": preventive["every"],
                       "notice_working_days": preventive.get("notice_working_days", NOTICE_WORKING_DAYS),
                       "tasks": [text(t) for t in preventive.get("tasks") or []]},
        "inspection": {"per_year": inspection.get("per_year", 1),
                       "notice_working_days": inspection.get("notice_working_days", NOTICE_WORKING_DAYS),
                       "items": [text(t) for t in inspection.get("items") or []]} if inspection else None,
    }


def _duration(value: str) -> dict:
    """`15 min` as {amount: "15", unit: "min"}, so a template prints it in its own language."""
    amount, unit = _DURATION.match(value).groups()
    return {"amount": amount, "unit": unit}


def maintenance_calendar(service: dict, calendar: WorkCalendar, warnings: list, source: Source) -> dict:
    """The preventive-maintenance and inspection windows with their planned and notice dates."""
    start, end = D(service["start"]), D(service["end"])
    plan = service["maintenance"]
    preventive = plan["preventive"]
    out = {"preventive": _windows(start, end, MONTHS[preventive["every"]],
                                  preventive.get("notice_working_days", NOTICE_WORKING_DAYS), calendar),
           "inspection": []}
    inspection = plan.get("inspection")
    if inspection:
        out["inspection"] = _windows(start, end, 12 // inspection.get("per_year", 1),
                                     inspection.get("notice_working_days", NOTICE_WORKING_DAYS), calendar)
    uncovered = sorted({y for kind in out.values() for w in kind for y in w["uncovered"]})
    out["uncovered_years"] = uncovered  # the years of every provisional date in the calendar, for its note
    if uncovered:
        years = ", ".join(map(str, uncovered))
        warnings.append(_warning(source, ("maintenance",), f"the official holiday calendar of {years} is not known "
                                 "yet; maintenance dates in it are counted on weekends alone and marked provisional "
                                 f"(add calendar.complete_years with the published schedule to project.yaml)"))
    return out


def _windows(start, end, months: int, notice_days: int, calendar: WorkCalendar) -> list[dict]:
    windows = []
    index = 0
    while True:
        first = add_months(start, months * index)
        if first > end:
            break
        last = min(add_months(start, months * (index + 1)) - datetime.timedelta(days=1), end)
        planned = calendar.add(first, notice_days)
        notice = calendar.add(planned.date, -notice_days)
        uncovered = tuple(sorted(set(planned.uncovered) | set(notice.uncovered)))
        windows.append({"number": index + 1, "start": first.isoformat(), "end": last.isoformat(),
                        "planned": planned.iso(), "notice": notice.iso(),
                        "provisional": bool(uncovered), "uncovered": list(uncovered)})
        index += 1
    return windows


def handover_check(service: dict, meetings: list[dict], report_date, calendar: WorkCalendar, warnings: list,
                   sources: dict) -> dict:
    """The deadline of the service handover meeting (working days after the report) and the meeting held."""
    deadline: Computed = calendar.add(report_date, HANDOVER_WORKING_DAYS)
    if deadline.provisional:
        years = ", ".join(map(str, deadline.uncovered))
        warnings.append(_warning(sources["report"], ("date",), f"the handover deadline runs into {years}, whose "
                                 "official holiday calendar is not known yet; it is counted on weekends alone "
                                 "and marked provisional"))
    meeting_id = service.get("handover_meeting")
    meeting = next((m for m in meetings if m["id"] == meeting_id), None)
    return {"deadline": deadline.iso(), "provisional": deadline.provisional, "meeting": meeting_id,
            "meeting_date": meeting["date"] if meeting else None,
            "meeting_number": meeting["number"] if meeting else None,
            "uncovered_years": list(deadline.uncovered)}


def _warning(source: Source, path: tuple, message: str) -> dict:
    problem: Problem = source.problem(path, message, severity="warning")
    return {"file": problem.file, "line": problem.line, "col": problem.col, "path": problem.path,
            "message": message}
