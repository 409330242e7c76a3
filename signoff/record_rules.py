"""The rules of SPEC §10 for faults.yaml and visits.yaml: references, time order, pauses, windows and notice."""
from __future__ import annotations

import datetime
import re
from decimal import Decimal

from .clock import day_length, parse_intervals, parse_time
from .errors import Problem
from .rules import ID_MAX, id_too_long
from .schema import parse_date
from .service import maintenance_windows, service_facts
from .values import Duration
from .vocab import DEFAULT_WORKING_HOURS, DURATION_DIGITS, FULFILLING_EVENTS, LOCALES, RESOLUTION_EVENTS, VISIT_KINDS
from .sources import Source
from .text import how_it_differs
from .workdays import WorkCalendar, calendar_of

PAUSE, RESUME, RESOLVED, REOPENED, RESPONDED = "waiting_customer", "resumed", "resolved", "reopened", "responded"
_NEEDS = {"responded": ("by", "manner"), "level_changed": ("to",)}


def work_calendar(project: dict) -> WorkCalendar:
    return calendar_of(project.get("calendar") or {})


def resolution_events(service: dict, level: int) -> tuple[str, ...]:
    for override in service.get("levels") or []:
        if override["level"] == level and override.get("resolution_events"):
            return tuple(override["resolution_events"])
    return RESOLUTION_EVENTS[level]


def still_resolved(kinds) -> bool:
    """Resolved, and not reopened since: `kinds` are a ticket's event kinds in order."""
    return next((kind for kind in reversed(list(kinds)) if kind in (RESOLVED, REOPENED)), None) == RESOLVED


def records_as_of(faults: dict | None, visits: dict | None) -> datetime.date | None:
    """`faults.as_of`, else the date of the latest event or visit (SPEC §10)."""
    if faults and faults.get("as_of"):
        return parse_date(faults["as_of"])
    times = []
    for fault in (faults or {}).get("faults") or []:
        times.append(fault["reported_at"])
        times += [e["at"] for e in fault.get("events") or []]
    for visit in (visits or {}).get("visits") or []:
        times += [visit["start"], visit["end"]]
    return parse_date(max(times)[:10]) if times else None


class _Rules:
    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.problems: list[Problem] = []
        self.as_of_written = False  # faults.yaml gives as_of (check_records sets it)
        self.people = sources["project"].data["people"]

    def error(self, name, path, message, severity="error"):
        self.problems.append(self.sources[name].problem(path, message, severity))

    def person(self, name, path, key, party=None):
        if key is None:
            return
        if key not in self.people:
            self.error(name, path, f"'{key}' is not a person defined under people in project.yaml")
        elif party and self.people[key]["party"] != party:
            self.error(name, path, f"'{key}' ({self.people[key]['name']}) is not a {party} person")

    def unique(self, name, items, what):
        seen = {}
        for n, item in enumerate(items):
            if isinstance(item["id"], str) and len(item["id"]) > ID_MAX:
                self.error(name, (what, n, "id"), id_too_long(item["id"]))
            if item["id"] in seen:
                self.error(name, (what, n, "id"), f"'{item['id']}' is defined twice (first as item {seen[item['id']]})")
            seen.setdefault(item["id"], n)


def _check_working_hours(r: _Rules, service: dict) -> None:
    """service.working_hours: 5x8 only; each interval opens before it closes, in order, none overlapping."""
    hours = service.get("working_hours")
    if not hours:
        return
    if service["hours"] != "5x8":
        r.error("service", ("working_hours",), "working_hours apply to a 5x8 service only; a 7x24 clock runs "
                "on the wall clock")
    closed = 0
    for k, text in enumerate(hours):
        start, end = parse_intervals([text])[0]
        if end <= start:
            r.error("service", ("working_hours", k), f"'{text}' closes before it opens")
        elif start < closed:
            r.error("service", ("working_hours", k), f"'{text}' begins before the interval before it ends; list "
                    "the intervals in order, without overlap")
        closed = max(closed, end)


def _check_targets(r: _Rules, service: dict) -> None:
    """service.levels' times count whole minutes on the service's clock ("0.5 min" was rounded to 1 and a reply
    after a minute "met" it), and on 5x8 a time in minutes or hours is no longer than the longest time in working
    days (on a working day of minutes, "99999 h" ran the due time past the year 9999)."""
    day = None
    if service["hours"] == "5x8":
        intervals = parse_intervals(service.get("working_hours") or DEFAULT_WORKING_HOURS)
        if any(end <= start for start, end in intervals):
            return  # _check_working_hours says so
        day = day_length(intervals)
    longest = int("9" * DURATION_DIGITS["wd"])
    for n, level in enumerate(service.get("levels") or []):
        for field in ("response", "resolution"):
            if level.get(field) is None:
                continue
            duration = Duration.parse(level[field])
            amount = Decimal(duration.amount)
            if duration.unit != "wd":
                minutes = duration.minutes
            else:  # on 7x24 whole working days run to the same clock time; a fraction of a day is wall-clock time
                minutes = amount * day if day else (amount - int(amount)) * 24 * 60
            if minutes != minutes.to_integral_value():
                of = f" of a {day}-minute working day" if duration.unit == "wd" and day else ""
                r.error("service", ("levels", n, field), f"'{level[field]}' is {minutes.normalize():f} minutes{of}: "
                        "a service time is a whole number of minutes")
            elif day and duration.unit != "wd" and minutes > longest * day:
                r.error("service", ("levels", n, field), f"'{level[field]}' is longer than {longest} working days of "
                        f"this service ({longest} × {day} min), the longest time Signoff counts")


def _check_planned_tasks(r: _Rules, service: dict) -> None:
    """service.maintenance.preventive.tasks names each task once: a visit gives one result per task."""
    seen: dict[str, int] = {}
    for k, task in enumerate((service.get("maintenance") or {}).get("preventive", {}).get("tasks") or []):
        if str(task) in seen:
            r.error("service", ("maintenance", "preventive", "tasks", k), f"'{task}' is listed twice (first as "
                    f"tasks[{seen[str(task)]}])")
        seen.setdefault(str(task), k)


def check_records(sources: dict[str, Source]) -> list[Problem]:
    """Every rule of SPEC §10 that faults.yaml and visits.yaml break, errors and warnings, all at once."""
    r = _Rules(sources)
    if "service" in sources:
        _check_working_hours(r, sources["service"].data)
        _check_targets(r, sources["service"].data)
        _check_planned_tasks(r, sources["service"].data)
    if "faults" not in sources and "visits" not in sources:
        return r.problems
    if "service" not in sources:
        for name in ("faults", "visits"):
            if name in sources:
                r.error(name, (), f"{name}.yaml needs service.yaml: records belong to a service period")
        return r.problems
    service = sources["service"].data
    period = (parse_time(service["start"] + " 00:00"), parse_time(service["end"] + " 00:00") + datetime.timedelta(days=1))
    faults = sources["faults"].data if "faults" in sources else None
    visits = sources["visits"].data if "visits" in sources else None
    as_of = records_as_of(faults, visits)
    # a confirmation after as_of is an error only against an as_of written: the one derived from the latest event
    # or visit would refuse a form signed the day after its visit, naming an as_of nobody gave
    r.as_of_written = bool(faults and faults.get("as_of"))
    horizon = parse_time(as_of.isoformat() + " 00:00") + datetime.timedelta(days=1) if as_of else None
    if faults and faults.get("as_of") and parse_date(faults["as_of"]) < parse_date(service["start"]):
        # no report period has begun: a report dated before the service it reports on was built
        r.error("faults", ("as_of",), f"{faults['as_of']} is before the service period, which starts "
                f"{service['start']}")
    if faults:
        _check_faults(r, faults["faults"], service, period, horizon)
    if visits:
        ids = {f["id"] for f in faults["faults"]} if faults else set()
        project = sources["project"].data
        locale = project["project"].get("locale", LOCALES[0])  # the windows do not depend on it
        windows = maintenance_windows(service_facts(service, locale), work_calendar(project))
        _check_visits(r, visits["visits"], service, period, horizon, ids, dict(zip(VISIT_KINDS, windows)))
    return r.problems


def _within(r: _Rules, name: str, path: tuple, at: datetime.datetime, period, horizon, late_ok=False) -> None:
    text = at.strftime("%Y-%m-%d %H:%M")
    if at < period[0]:
        r.error(name, path, f"{text} is before the service period, which starts {period[0]:%Y-%m-%d}")
    elif at >= period[1]:
        if late_ok:
            r.error(name, path, f"{text} is after the service period, which ended {period[1] - datetime.timedelta(days=1):%Y-%m-%d}"
                    " (allowed for a ticket reported within it)", "warning")
        else:
            r.error(name, path, f"{text} is after the service period, which ends {period[1] - datetime.timedelta(days=1):%Y-%m-%d}")
    if horizon is not None and at >= horizon:
        r.error(name, path, f"{text} is after as_of ({horizon - datetime.timedelta(days=1):%Y-%m-%d})")


def _confirmed_by_then(r: _Rules, name: str, path: tuple, date: str, period, horizon) -> None:
    """A confirmation is signed by as_of when as_of is written; without it (as_of is then the latest event or visit,
    and a form may be signed a day later) within the service period, at least."""
    if r.as_of_written and parse_time(date + " 00:00") >= horizon:
        r.error(name, path, f"{date} is after as_of ({horizon - datetime.timedelta(days=1):%Y-%m-%d})")
    elif not r.as_of_written and parse_time(date + " 00:00") >= period[1]:
        r.error(name, path, f"{date} is after the service period, which ends "
                f"{period[1] - datetime.timedelta(days=1):%Y-%m-%d}")


def _check_faults(r: _Rules, faults: list[dict], service: dict, period, horizon) -> None:
    r.unique("faults", faults, "faults")
    channels = {c["kind"] for c in service["channels"]}
    for n, fault in enumerate(faults):
        base = ("faults", n)
        if fault["channel"] not in channels:
            r.error("faults", base + ("channel",), f"'{fault['channel']}' is not a channel of service.yaml "
                    f"({', '.join(sorted(channels))})")
        r.person("faults", base + ("reporter",), fault["reporter"], "customer")
        r.person("faults", base + ("taken_by",), fault.get("taken_by"), "contractor")
        for k, key in enumerate(fault["engineers"]):
            r.person("faults", base + ("engineers", k), key, "contractor")
        reported = parse_time(fault["reported_at"])
        _within(r, "faults", base + ("reported_at",), reported, period, horizon)
        _check_events(r, base, fault, reported, service, period, horizon)
        exemption = fault.get("exemption")
        if exemption:
            r.person("faults", base + ("exemption", "agreed_by"), exemption["agreed_by"], "customer")
        confirmation = fault.get("confirmation")
        if confirmation:
            r.person("faults", base + ("confirmation", "by"), confirmation["by"], "customer")
            resolved = [e["at"] for e in fault.get("events") or [] if e["kind"] == RESOLVED]
            if not resolved:
                r.error("faults", base + ("confirmation",), "a confirmation needs a resolved event before it")
            elif confirmation["date"] < resolved[-1][:10]:
                r.error("faults", base + ("confirmation", "date"), f"{confirmation['date']} is before the last "
                        f"resolved event ({resolved[-1]})")
            events = fault.get("events") or []
            # an objection may well lead to a reopening; an acceptance stands for a ticket resolved
            if resolved and not still_resolved(e["kind"] for e in events) and confirmation["verdict"] == "accepted":
                reopened = [e["at"] for e in events if e["kind"] == REOPENED][-1]
                r.error("faults", base + ("confirmation",), f"the ticket was reopened at {reopened} and is not "
                        "resolved since; an accepted confirmation waits for it to be resolved again (remove the "
                        "confirmation until then)")
            _confirmed_by_then(r, "faults", base + ("confirmation", "date"), confirmation["date"], period, horizon)


def _check_events(r: _Rules, base: tuple, fault: dict, reported, service: dict, period, horizon) -> None:
    events = fault.get("events") or []
    final_level = fault["level"]
    for event in events:
        if event["kind"] == "level_changed" and event.get("to"):
            final_level = event["to"]
    stopping = set(resolution_events(service, final_level))
    previous = reported
    level = fault["level"]  # the level before each event
    paused_at = None       # the index of an open waiting_customer
    responded = False
    resolved_last = False  # a `resolved` not yet followed by `reopened`
    after_resolved_reported = False
    for k, event in enumerate(events):
        path = base + ("events", k)
        kind = event["kind"]
        at = parse_time(event["at"])
        for key in _NEEDS.get(kind, ()):
            if event.get(key) is None:
                r.error("faults", path, f"a {kind} event needs '{key}'")
        # the service's own acts are the contractor's: a customer's `resolved` made a target met
        r.person("faults", path + ("by",), event.get("by"), "contractor" if kind in FULFILLING_EVENTS else None)
        if at < reported:
            r.error("faults", path + ("at",), f"{event['at']} is before the ticket was reported ({fault['reported_at']})")
        elif at < previous:
            r.error("faults", path + ("at",), f"{event['at']} is before the event before it ({previous:%Y-%m-%d %H:%M}); "
                    "list the events in time order")
        _within(r, "faults", path + ("at",), at, (period[0], period[1]), horizon,
                late_ok=reported < period[1])
        previous = max(previous, at)
        if resolved_last and kind != REOPENED and not after_resolved_reported:
            after_resolved_reported = True
            r.error("faults", path + ("kind",), f"a {kind} event after resolved; resolved is the last event unless "
                    "reopened follows it")
        if kind == "level_changed" and event.get("to") is not None:
            if event["to"] == level:
                r.error("faults", path + ("to",), f"the ticket is level {level} already; a level_changed names "
                        "another level")
            level = event["to"]
        if kind == RESPONDED:
            responded = True
        if paused_at is not None:
            if kind == RESUME:
                paused_at = None
            elif kind == PAUSE or kind in stopping:
                r.error("faults", path + ("kind",), f"a {kind} event while the ticket waits for the customer "
                        f"(events[{paused_at}]); log resumed first")
        elif kind == RESUME:
            r.error("faults", path + ("kind",), "resumed without a waiting_customer before it")
        elif kind == PAUSE:
            paused_at = k
        if kind in (PAUSE,) + tuple(stopping) and not responded and kind != RESPONDED:
            r.error("faults", path + ("kind",), f"a {kind} event before the first responded; log responded first "
                    "(at the same minute when the fault was fixed on the first call)")
        if kind == REOPENED and not resolved_last:
            r.error("faults", path + ("kind",), "reopened without a resolved event before it")
        if kind in (RESOLVED, REOPENED):
            resolved_last, after_resolved_reported = kind == RESOLVED, False


def _check_visits(r: _Rules, visits: list[dict], service: dict, period, horizon, fault_ids: set,
                  windows: dict) -> None:
    """`windows`: the maintenance windows of the model (service.maintenance_windows) by visit kind."""
    r.unique("visits", visits, "visits")
    planned = [str(t) for t in service["maintenance"]["preventive"].get("tasks") or []]
    tasks = set(planned)
    served: dict[tuple, int] = {}
    followed: dict[str, tuple] = {}  # VISIT/N -> the path of the finding that carries it forward
    for n, visit in enumerate(visits):
        base = ("visits", n)
        kind = visit["kind"]
        for k, key in enumerate(visit["engineers"]):
            r.person("visits", base + ("engineers", k), key, "contractor")
        r.person("visits", base + ("witness",), visit.get("witness"), "customer")
        start, end = parse_time(visit["start"]), parse_time(visit["end"])
        _within(r, "visits", base + ("start",), start, period, horizon)
        _within(r, "visits", base + ("end",), end, period, horizon)
        if end < start:
            r.error("visits", base + ("end",), f"{visit['end']} is before the start ({visit['start']})")
        if kind == "inspection" and not service["maintenance"].get("inspection"):
            r.error("visits", base + ("kind",), "an inspection, but service.yaml plans none (maintenance.inspection)")
        mine = windows[kind]
        if visit["window"] > len(mine):
            r.error("visits", base + ("window",), f"{kind} window {visit['window']} does not exist: the service "
                    f"period has {len(mine)}")
        else:
            window = mine[visit["window"] - 1]
            if start.date().isoformat() < window.start:
                r.error("visits", base + ("start",), f"{visit['start']} is before {kind} window {window.number} "
                        f"({window.start} to {window.end})")
            key = (kind, visit["window"])
            if key in served:
                r.error("visits", base + ("window",), f"a second visit for {kind} window {visit['window']} "
                        f"(visits[{served[key]}] is one too; the window is judged by the one that started first)",
                        "warning")
            served.setdefault(key, n)
        if visit.get("notice_sent") is None:
            r.error("visits", base + ("notice_sent",), "is required: when was the customer notified?")
        elif visit["notice_sent"] > visit["start"][:10]:
            r.error("visits", base + ("notice_sent",), f"{visit['notice_sent']} is after the visit's start")
        if kind == "preventive" and visit.get("items"):
            r.error("visits", base + ("items",), "items belong to an inspection; a preventive visit lists tasks")
        if kind == "inspection" and visit.get("tasks"):
            r.error("visits", base + ("tasks",), "tasks belong to a preventive visit; an inspection lists items")
        listed: dict[str, int] = {}
        for k, task in enumerate(visit.get("tasks") or []):
            if str(task["task"]) not in tasks:
                alike = next(((t, why) for t in tasks if (why := how_it_differs(str(task["task"]), t))), None)
                hidden = f": it looks like '{alike[0]}', but {alike[1]}" if alike else ""
                r.error("visits", base + ("tasks", k, "task"), f"'{task['task']}' is not a task of service.yaml's "
                        f"maintenance.preventive.tasks{hidden}")
            elif str(task["task"]) in listed:  # two results for one task: the record would print both
                r.error("visits", base + ("tasks", k, "task"), f"'{task['task']}' is listed twice (first as "
                        f"tasks[{listed[str(task['task'])]}]): give one result per task")
            listed.setdefault(str(task["task"]), k)
            if task["result"] != "done" and not task.get("note"):
                r.error("visits", base + ("tasks", k), f"a task that is {task['result']} needs a note saying why")
        missing = [t for t in planned if t not in listed]
        if kind == "preventive" and missing:  # SPEC §10: the tasks of preventive.tasks, each with its result
            r.error("visits", base + (("tasks",) if visit.get("tasks") else ()),
                    f"no result for {', '.join(repr(t) for t in dict.fromkeys(missing))} of service.yaml's "
                    "maintenance.preventive.tasks: the record prints no line for it", "warning")
        for k, finding in enumerate(visit.get("findings") or []):
            path = base + ("findings", k)
            if finding.get("fault") and finding["fault"] not in fault_ids:
                r.error("visits", path + ("fault",), f"'{finding['fault']}' is not a fault in faults.yaml")
            if finding["severity"] == "fault" and not finding.get("fault") and not finding.get("due"):
                r.error("visits", path, "a finding of severity fault must name a fault (fault:) or give a due date")
            r.person("visits", path + ("owner",), finding.get("owner"))
            # a finding carried forward may keep the date the first visit gave it (past by now), not an earlier one
            first = _first_found(visits, finding) or visit["start"][:10]
            if finding.get("due") and finding["due"] < first:
                r.error("visits", path + ("due",), f"{finding['due']} is before the visit that found it ({first})")
            if finding.get("follows") is not None:
                _check_follows(r, visits, n, path + ("follows",), finding["follows"], followed)
        confirmation = visit.get("confirmation")
        if confirmation:
            r.person("visits", base + ("confirmation", "by"), confirmation["by"], "customer")
            if confirmation["date"] < visit["start"][:10]:
                r.error("visits", base + ("confirmation", "date"), f"{confirmation['date']} is before the visit")
            else:
                _confirmed_by_then(r, "visits", base + ("confirmation", "date"), confirmation["date"], period, horizon)


def _first_found(visits: list[dict], finding: dict) -> str | None:
    """The day the visit a carried-forward finding follows began (None: it follows none, or no such visit)."""
    ref = finding.get("follows")
    if not isinstance(ref, str):
        return None
    visit_id = ref.rpartition("/")[0]
    return next((str(v["start"])[:10] for v in visits if str(v.get("id")) == visit_id), None)


def _check_follows(r: _Rules, visits: list[dict], n: int, path: tuple, ref, followed: dict) -> None:
    """`follows: VISIT/N` names the Nth finding of a visit that began before this one, carried forward once."""
    visit_id, _, number = str(ref).rpartition("/")
    earlier = next((v for v in visits if str(v["id"]) == visit_id), None)
    count = len(earlier.get("findings") or []) if earlier else 0
    if not visit_id or not re.fullmatch(r"[1-9][0-9]*", number):  # ASCII digits only: １ and ² are not refs
        r.error("visits", path, f"'{ref}' is not VISIT/N (a visit's id and the number of its finding, from 1)")
    elif earlier is None:
        r.error("visits", path, f"'{visit_id}' is not a visit in visits.yaml")
    elif earlier is visits[n]:
        r.error("visits", path, f"'{ref}' is a finding of this visit; a finding carries forward one of an earlier "
                "visit")
    elif earlier["start"] >= visits[n]["start"]:
        r.error("visits", path, f"visit '{visit_id}' began {earlier['start']}, not before this one "
                f"({visits[n]['start']}); a finding carries forward one of an earlier visit")
    elif len(number) > len(str(count)) or int(number) > count:  # a huge N is not made an int, nor printed whole
        shown = number if len(number) <= 20 else f"a number of {len(number)} digits"
        r.error("visits", path, f"visit '{visit_id}' has {count} findings, not {shown}")
    elif ref in followed:
        r.error("visits", path, f"'{ref}' is already carried forward by visits[{followed[ref][1]}].findings"
                f"[{followed[ref][3]}]")
    else:
        followed[ref] = path[:-1]
