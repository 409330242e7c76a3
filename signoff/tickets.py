"""Each fault ticket against the service clock (SPEC §10): its response and resolution targets, due times,
cycles, pauses and re-grading, and the warnings a ticket earns."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .clock import Due, ServiceClock, Time, hours_minutes, parse_intervals, parse_time
from .model import Record
from .record_rules import PAUSE, REOPENED, RESOLVED, RESPONDED, RESUME, resolution_events, still_resolved
from .vocab import DEFAULT_WORKING_HOURS, MET_AFTER_DUE
from .workdays import WorkCalendar


def stamp(at: Time | None) -> str | None:
    return at.strftime("%Y-%m-%d %H:%M") if at else None


def text_of(value):
    return None if value is None else str(value)


@dataclass(frozen=True)
class Cycle(Record):
    """One resolution cycle of a ticket (a reopening starts the next): when it was fulfilled, after how long."""

    fulfilled_at: str
    event: str
    elapsed: int
    elapsed_text: str
    met: bool
    paused: int            # service-clock minutes paused before it was fulfilled (left out of elapsed)


@dataclass(frozen=True)
class Target(Record):
    """A ticket's response or resolution target against the service clock."""

    kind: str             # response | resolution
    amount: str           # as stated: "15"
    unit: str             # min | h | wd
    minutes: int          # the target in service-clock minutes
    due: str | None       # YYYY-MM-DD HH:MM; None while a pause is still open
    provisional: bool     # the due time was counted through a year no official calendar covers
    fulfilled_at: str | None   # when its last cycle was fulfilled; None while a cycle is open
    event: str | None     # the event that fulfilled it
    elapsed: int          # service-clock minutes to fulfilment (or to as_of when not fulfilled), pauses removed
    elapsed_text: str     # h:mm
    status: str           # met | missed | running | overdue
    exempt: bool          # a missed or overdue target the customer agreed not to count
    counted: bool         # in the compliance figures: met, or missed / overdue without exemption
    cycles: tuple[Cycle, ...]
    # met though fulfilled after its due time: "off_hours" when no service time lies between (on 5x8 a due at the
    # end of a working interval is that end, SPEC §10), "paused" when a pause took the time between; else None
    met_after_due: str | None = None


@dataclass(frozen=True)
class Event(Record):
    at: str
    kind: str
    by: str | None
    manner: str | None
    to: int | None
    note: str | None


@dataclass(frozen=True)
class Part(Record):
    name: str
    serial: str | None
    quantity: int | None


@dataclass(frozen=True)
class Confirmation(Record):
    by: str
    date: str
    verdict: str
    satisfaction: str | None
    note: str | None


@dataclass(frozen=True)
class Exemption(Record):
    reason: str
    agreed_by: str


@dataclass(frozen=True)
class Regrading(Record):
    """A `level_changed`: the final level's targets apply from reported_at (retroactive start)."""

    at: str
    from_level: int
    to_level: int
    note: str | None
    changes: tuple[tuple[str, int], ...] = ()  # every level_changed in order: (at, to); the last is at / to_level


@dataclass(frozen=True)
class Fault(Record):
    """One fault ticket with every fact its confirmation form and the service report print."""

    id: str
    number: str
    level: int                 # the final level, under which it is counted
    level_reported: int
    regrading: Regrading | None
    reported_at: str
    clock_start: str           # on 5x8, the next opening when reported outside working hours
    period: str                # the report period of reported_at
    month: str                 # YYYY-MM of reported_at
    channel: str
    reporter: str
    taken_by: str | None
    symptom: str
    impact: str | None
    engineers: tuple[str, ...]
    events: tuple[Event, ...]
    responded_at: str | None
    arrived_at: str | None
    restored_at: str | None
    resolved_at: str | None    # the last resolved
    reopened: int              # how many times
    paused: int                # service-clock minutes paused (waiting for the customer, resolved → reopened)
    response: Target
    resolution: Target
    steps: tuple[str, ...]
    cause: str | None
    solution: str | None
    parts: tuple[Part, ...]
    confirmation: Confirmation | None
    exemption: Exemption | None
    resolved_now: bool         # resolved on as_of: no reopened after the last resolved
    draft: bool                # no customer confirmation yet, or reopened since and not resolved
    date: str                  # the form's date: as_of while not resolved, else the confirmation's or the resolved



def service_clock(service: dict, calendar: WorkCalendar) -> ServiceClock:
    return ServiceClock(service["hours"], calendar,
                        parse_intervals(service.get("working_hours") or DEFAULT_WORKING_HOURS))



def period_key(day: datetime.date, every: str) -> str:
    if every == "month":
        return f"{day.year}-{day.month:02d}"
    if every == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if every == "half_year":
        return f"{day.year}H{1 if day.month <= 6 else 2}"
    return str(day.year)


def warn(sources, name, path, message, warnings):
    problem = sources[name].problem(path, message, severity="warning")
    warnings.append({"file": problem.file, "line": problem.line, "col": problem.col, "path": problem.path,
                     "message": message})


def judge_fault(raw: dict, levels: dict, service_raw: dict, clock: ServiceClock, horizon: Time):
    """(final level, clock start, response, resolution, paused minutes, regrading) of one ticket (SPEC §10)."""
    reported = parse_time(raw["reported_at"])
    events = [(parse_time(e["at"]), e) for e in raw.get("events") or []]
    final, regrading, changes = raw["level"], None, ()
    for at, event in events:
        if event["kind"] == "level_changed":
            final, changes = event["to"], changes + ((event["at"], event["to"]),)
            regrading = Regrading(event["at"], raw["level"], event["to"], event.get("note"), changes)
    level = levels[final]
    start = clock.start(reported)
    responded = next(((at, e["kind"]) for at, e in events if e["kind"] == RESPONDED), None)
    response = _target("response", level["response_time"], start, clock, horizon,
                       [responded] if responded else [], 1, [], exemption=raw.get("exemption"))
    stopping = resolution_events(service_raw, final)
    pauses: list[tuple[Time, Time | None]] = []
    # a wait after a cycle's target was met pauses only a reopened cycle, whose time runs on to `resolved`: kept
    # aside until a reopening (left out, it turned a met reopened cycle into a miss; counted, it hid a met
    # target's due time)
    after_met: list[tuple[Time, Time]] = []
    fulfilments: list[tuple[Time, str]] = []
    waiting, fulfilled, resolved, cycles = None, None, None, 1
    for at, event in events:
        kind = event["kind"]
        if kind == PAUSE:
            waiting = at
        elif kind == RESUME and waiting is not None:
            (pauses if fulfilled is None else after_met).append((waiting, at))
            waiting = None
        elif fulfilled is None and kind in stopping:
            fulfilments.append((at, kind))
            fulfilled = at
        if kind == RESOLVED:
            resolved = at
        elif kind == REOPENED and resolved is not None:
            # the clock stood still from `resolved` to the reopening (SPEC §10), not from the event that fulfilled
            # the level's target: a level 1 ticket `restored` at 10:30 and `resolved` at 15:00 runs to 15:00
            pauses.extend(after_met)
            pauses.append((resolved, at))
            after_met, resolved = [], None
            if fulfilled is not None:
                fulfilled, cycles = None, cycles + 1
    if waiting is not None and fulfilled is None:
        pauses.append((waiting, None))
    resolution = _target("resolution", level["resolution_time"], start, clock, horizon, fulfilments, cycles,
                         pauses, exemption=raw.get("exemption"))
    paused = sum(clock.elapsed(max(low, start), min(high or horizon, horizon)) for low, high in pauses)
    return final, start, response, resolution, paused, regrading


def _target(kind, duration, start: Time, clock: ServiceClock, horizon: Time, fulfilments, cycles: int, pauses,
            exemption) -> Target:
    minutes, years = clock.target_minutes(start, duration["amount"], duration["unit"])

    def paused_before(until: Time) -> int:
        return sum(clock.elapsed(max(low, start), min(high or horizon, until)) for low, high in pauses
                   if low < until)

    def elapsed_at(moment: Time) -> int:
        return clock.elapsed(start, moment) - paused_before(moment)

    due = _due(clock, start, minutes, pauses)  # None: reached only after a pause still open on as_of
    done = [Cycle(stamp(at), event, elapsed_at(at), hours_minutes(elapsed_at(at)), elapsed_at(at) <= minutes,
                  paused_before(at)) for at, event in fulfilments]
    if len(done) == cycles:
        status = "met" if all(c.met for c in done) else "missed"
        elapsed = done[-1].elapsed
    else:
        elapsed = elapsed_at(horizon)
        if any(not c.met for c in done):
            status = "missed"
        else:
            status = "overdue" if due is not None and due.at <= horizon else "running"
    exempt = bool(exemption) and status in ("missed", "overdue")
    # fulfilled: its last cycle was (a reopened ticket's cycle 1 is not its fulfilment: the form printed cycle 1's
    # resolution time beside "overdue" and an elapsed time counted to as_of)
    last = done[-1] if done and len(done) == cycles else None
    after_due = None
    if status == "met" and last and due and fulfilments[-1][0] > due.at:
        after_due = MET_AFTER_DUE[1] if clock.elapsed(due.at, fulfilments[-1][0]) else MET_AFTER_DUE[0]
    return Target(kind, str(duration["amount"]), duration["unit"], minutes, stamp(due.at) if due else None,
                  bool(years) or bool(due and due.provisional), last.fulfilled_at if last else None,
                  last.event if last else None, elapsed, hours_minutes(elapsed), status, exempt,
                  status != "running" and not exempt, tuple(done), after_due)


def _due(clock: ServiceClock, start: Time, minutes: int, pauses) -> Due | None:
    """The earliest time at which `minutes` of service time have run from `start`, the pauses left out."""
    cursor, remaining, uncovered = start, minutes, set()
    for low, high in sorted(pauses, key=lambda pause: pause[0]):
        if high is not None and high <= cursor:
            continue
        if low > cursor:
            segment = clock.elapsed(cursor, low)
            if remaining <= segment:
                break
            remaining -= segment
        if high is None:
            return None
        cursor = max(cursor, high)
    due = clock.advance(cursor, remaining)
    return Due(due.at, tuple(sorted(uncovered | set(due.uncovered))))


def derive_fault(raw, n, levels, service_raw, clock, horizon, as_of, code, every, sources, warnings) -> Fault:
    final, start, response, resolution, paused, regrading = judge_fault(raw, levels, service_raw, clock, horizon)
    events = tuple(Event(e["at"], e["kind"], e.get("by"), e.get("manner"), e.get("to"), e.get("note"))
                   for e in raw.get("events") or [])

    def first(kind):
        return next((e.at for e in events if e.kind == kind), None)

    def last(kind):
        return next((e.at for e in reversed(events) if e.kind == kind), None)

    path = ("faults", n)
    for target in (response, resolution):
        if target.status in ("missed", "overdue") and not target.exempt:
            warn(sources, "faults", path + ("id",), f"{raw['id']}: the {target.kind} target "
                  f"({target.amount} {target.unit}, level {final}) was {target.status} "
                  f"({target.elapsed_text} elapsed) and no exemption is agreed", warnings)
        if target.provisional and target.due:
            warn(sources, "faults", path + ("reported_at",), f"{raw['id']}: the {target.kind} due time "
                  f"{target.due} is counted through a year whose official holiday calendar is not known yet "
                  "(weekends alone) and is marked provisional", warnings)
    if raw.get("exemption") and not (response.exempt or resolution.exempt):
        warn(sources, "faults", path + ("exemption",), f"{raw['id']}: an exemption, but no target was missed or "
              "overdue; it is printed and covers nothing", warnings)
    for k, event in enumerate(raw.get("events") or []):
        if event["kind"] == RESPONDED:
            if event.get("manner") not in levels[final]["response_manners"]:
                warn(sources, "faults", path + ("events", k, "manner"), f"{raw['id']}: responded by "
                      f"{event.get('manner')}, not in the manner level {final} promises; it counts", warnings)
            break
    confirmation = raw.get("confirmation")
    exemption = raw.get("exemption")
    reported = parse_time(raw["reported_at"])
    resolved = last("resolved")
    resolved_now = still_resolved(e.kind for e in events)
    return Fault(
        id=raw["id"], number=f"{code}-FF-{raw['id']}", level=final, level_reported=raw["level"],
        regrading=regrading, reported_at=raw["reported_at"], clock_start=stamp(start),
        period=period_key(reported.date(), every), month=reported.strftime("%Y-%m"), channel=raw["channel"],
        reporter=raw["reporter"], taken_by=raw.get("taken_by"), symptom=raw["symptom"], impact=raw.get("impact"),
        engineers=tuple(raw["engineers"]), events=events, responded_at=first("responded"),
        arrived_at=first("arrived"), restored_at=first("restored"), resolved_at=resolved,
        reopened=sum(e.kind == REOPENED for e in events), paused=paused, response=response,
        resolution=resolution, steps=tuple(raw.get("steps") or ()), cause=raw.get("cause"),
        solution=raw.get("solution"),
        parts=tuple(Part(text_of(p["name"]), text_of(p.get("serial")), p.get("quantity")) for p in raw.get("parts") or []),
        confirmation=Confirmation(confirmation["by"], confirmation["date"], confirmation["verdict"],
                                  confirmation.get("satisfaction"), confirmation.get("note")) if confirmation else None,
        exemption=Exemption(exemption["reason"], exemption["agreed_by"]) if exemption else None,
        # a confirmation given before a reopening (an objection may lead to one) does not make the form final
        # while the ticket runs again: it stays a draft, dated as_of, signed on no day
        resolved_now=resolved_now, draft=confirmation is None or not resolved_now,
        # a ticket reopened since its last resolved is dated as_of, as one never resolved
        date=confirmation["date"] if confirmation and resolved_now else resolved[:10] if resolved_now
        else as_of.isoformat(),
    )


