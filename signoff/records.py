"""The facts of the service year (SPEC §10): each ticket against its targets, compliance per period, the visits."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from .model import Record
from .vocab import DEFAULT_WORKING_HOURS
from .clock import Due, ServiceClock, Time, hours_minutes, parse_intervals, parse_time
from .record_rules import PAUSE, REOPENED, RESPONDED, RESUME, records_as_of, resolution_events
from .schema import parse_date
from .sources import Source
from .vocab import CHANNEL_KINDS as CHANNELS, FAULT_LEVELS as LEVELS, SATISFACTION
from .vocab import REPORT_MONTHS as PERIOD_MONTHS, RESPONSE_MANNERS_BY_LEVEL as RESPONSE_MANNERS
from .workdays import WorkCalendar, add_months

_DAY = datetime.timedelta(days=1)


def _stamp(at: Time | None) -> str | None:
    return at.strftime("%Y-%m-%d %H:%M") if at else None


def _text(value):
    return None if value is None else str(value)


@dataclass(frozen=True)
class Cycle(Record):
    """One resolution cycle of a ticket (a reopening starts the next): when it was fulfilled, after how long."""

    fulfilled_at: str
    event: str
    elapsed: int
    elapsed_text: str
    met: bool


@dataclass(frozen=True)
class Target(Record):
    """A ticket's response or resolution target against the service clock."""

    kind: str             # response | resolution
    amount: str           # as stated: "15"
    unit: str             # min | h | wd
    minutes: int          # the target in service-clock minutes
    due: str | None       # YYYY-MM-DD HH:MM; None while a pause is still open
    provisional: bool     # the due time was counted through a year no official calendar covers
    fulfilled_at: str | None
    event: str | None     # the event that fulfilled it
    elapsed: int          # service-clock minutes to fulfilment (or to as_of when not fulfilled), pauses removed
    elapsed_text: str     # h:mm
    status: str           # met | missed | running | overdue
    exempt: bool          # a missed or overdue target the customer agreed not to count
    counted: bool         # in the compliance figures: met, or missed / overdue without exemption
    cycles: tuple[Cycle, ...]


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
    draft: bool                # no customer confirmation yet
    date: str                  # the form's date: the confirmation's, else the last resolved, else as_of


@dataclass(frozen=True)
class TargetFigures(Record):
    """Compliance of one target of one level in one period (SPEC §10)."""

    kind: str
    amount: str
    unit: str
    tickets: int
    met: int
    missed: int
    overdue: int
    exempted: int
    running: int
    rate: str                  # "92.3%", "—" when nothing is counted
    average: str               # h:mm over fulfilled counted targets, "—" when none
    longest: str
    normal: bool | None        # every counted target met; None when nothing is counted


@dataclass(frozen=True)
class LevelFigures(Record):
    level: int
    tickets: int
    response: TargetFigures
    resolution: TargetFigures


@dataclass(frozen=True)
class Miss(Record):
    """A missed or overdue target of a period, with its reason (the ticket's cause) or its exemption."""

    fault: str
    level: int
    kind: str
    status: str
    elapsed_text: str
    amount: str
    unit: str
    cause: str | None
    exemption: Exemption | None


@dataclass(frozen=True)
class Count(Record):
    key: str
    count: int


@dataclass(frozen=True)
class Window(Record):
    """A maintenance or inspection window of the derived calendar, with what happened in it."""

    kind: str                  # preventive | inspection
    number: int
    start: str
    end: str
    planned: str
    notice: str
    provisional: bool
    status: str                # done | late | missed | planned
    visit: str | None


@dataclass(frozen=True)
class Task(Record):
    task: str
    result: str
    note: str | None


@dataclass(frozen=True)
class Item(Record):
    item: str
    method: str | None
    standard: str | None
    measured: str | None
    status: str


@dataclass(frozen=True)
class Finding(Record):
    visit: str
    text: str
    severity: str
    fault: str | None
    owner: str | None
    due: str | None
    open: bool                 # not settled on as_of: its fault not yet resolved, or no fault resolving it


@dataclass(frozen=True)
class VisitConfirmation(Record):
    by: str
    date: str
    verdict: str
    note: str | None


@dataclass(frozen=True)
class Visit(Record):
    id: str
    number: str
    kind: str
    window: Window
    notice_sent: str
    notice_due: str            # the latest on-time notice date: notice_working_days working days before start
    notice_status: str         # on_time | late
    start: str
    end: str
    engineers: tuple[str, ...]
    witness: str | None
    tasks: tuple[Task, ...]
    items: tuple[Item, ...]
    item_counts: tuple[Count, ...]  # ok, warning, fault
    findings: tuple[Finding, ...]
    conclusion: str | None
    confirmation: VisitConfirmation | None
    next_planned: str | None   # the planned date of the next window of its kind
    draft: bool
    date: str


@dataclass(frozen=True)
class Visits(Record):
    windows: tuple[Window, ...]
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class Period(Record):
    """One period of the service report."""

    key: str                   # 2027Q1, 2027-03, 2027H1, 2027
    number: str
    start: str
    end: str
    ended: bool                # False: an interim report
    date: str                  # the report's date: the period's end, else as_of
    faults: tuple[str, ...]
    levels: tuple[LevelFigures, ...]
    misses: tuple[Miss, ...]
    by_level: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_month: tuple[Count, ...]
    major: tuple[str, ...]     # level-1 tickets
    windows: tuple[Window, ...]  # windows that overlap the period
    visits: tuple[str, ...]
    open_findings: tuple[Finding, ...]
    running: tuple[str, ...]   # tickets with a running target on as_of
    satisfaction: tuple[Count, ...]

    @property
    def id(self) -> str:  # the registry names each output after its subject's id
        return self.key


@dataclass(frozen=True)
class Compliance(Record):
    as_of: str
    hours: str
    report_every: str
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Records(Record):
    faults: tuple[Fault, ...]
    compliance: Compliance | None
    visits: Visits | None
    warnings: tuple[dict, ...]


def service_clock(service: dict, calendar: WorkCalendar) -> ServiceClock:
    return ServiceClock(service["hours"], calendar,
                        parse_intervals(service.get("working_hours") or DEFAULT_WORKING_HOURS))


def derive_records(sources: dict[str, Source], facts, calendar: WorkCalendar) -> Records:
    """Every fact of faults.yaml and visits.yaml; `facts` gives the merged service levels and the calendar."""
    raw_faults = sources["faults"].data if "faults" in sources else None
    raw_visits = sources["visits"].data if "visits" in sources else None
    if (raw_faults is None and raw_visits is None) or "service" not in sources:
        return Records((), None, None, ())
    service_raw = sources["service"].data
    service = facts["service"]
    code = facts["project"]["code"]
    warnings: list[dict] = []
    as_of = records_as_of(raw_faults, raw_visits) or parse_date(service_raw["start"])
    horizon = datetime.datetime.combine(as_of + _DAY, datetime.time())
    clock = service_clock(service_raw, calendar)
    every = service_raw.get("report_every", "quarter")
    levels = {level["level"]: level for level in service["levels"]}
    faults = tuple(_fault(raw, n, levels, service_raw, clock, horizon, as_of, code, every, sources, warnings)
                   for n, raw in enumerate((raw_faults or {}).get("faults") or []))
    visits = _visits(raw_visits, facts["maintenance"], faults, service_raw, calendar, as_of, code, sources,
                     warnings)
    periods = _periods(faults, visits, service_raw, as_of, code, every, levels)
    return Records(faults, Compliance(as_of.isoformat(), service_raw["hours"], every, periods), visits,
                   tuple(warnings))


def period_key(day: datetime.date, every: str) -> str:
    if every == "month":
        return f"{day.year}-{day.month:02d}"
    if every == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if every == "half_year":
        return f"{day.year}H{1 if day.month <= 6 else 2}"
    return str(day.year)


def _warn(sources, name, path, message, warnings):
    problem = sources[name].problem(path, message, severity="warning")
    warnings.append({"file": problem.file, "line": problem.line, "col": problem.col, "path": problem.path,
                     "message": message})


def judge_fault(raw: dict, levels: dict, service_raw: dict, clock: ServiceClock, horizon: Time):
    """(final level, clock start, response, resolution, paused minutes, regrading) of one ticket (SPEC §10)."""
    reported = parse_time(raw["reported_at"])
    events = [(parse_time(e["at"]), e) for e in raw.get("events") or []]
    final, regrading = raw["level"], None
    for at, event in events:
        if event["kind"] == "level_changed":
            final = event["to"]
            regrading = Regrading(event["at"], raw["level"], event["to"], event.get("note"))
    level = levels[final]
    start = clock.start(reported)
    responded = next(((at, e["kind"]) for at, e in events if e["kind"] == RESPONDED), None)
    response = _target("response", level["response_time"], start, clock, horizon,
                       [responded] if responded else [], 1, [], exemption=raw.get("exemption"))
    stopping = resolution_events(service_raw, final)
    pauses: list[tuple[Time, Time | None]] = []
    fulfilments: list[tuple[Time, str]] = []
    waiting, fulfilled, cycles = None, None, 1
    for at, event in events:
        kind = event["kind"]
        if fulfilled is None and kind == PAUSE:
            waiting = at
        elif kind == RESUME and waiting is not None:
            pauses.append((waiting, at))
            waiting = None
        elif fulfilled is None and kind in stopping:
            fulfilments.append((at, kind))
            fulfilled = at
        elif kind == REOPENED and fulfilled is not None:
            pauses.append((fulfilled, at))  # the clock stood still from the fulfilment to the reopening
            fulfilled, cycles = None, cycles + 1
    if waiting is not None:
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
    done = [Cycle(_stamp(at), event, elapsed_at(at), hours_minutes(elapsed_at(at)), elapsed_at(at) <= minutes)
            for at, event in fulfilments]
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
    return Target(kind, str(duration["amount"]), duration["unit"], minutes, _stamp(due.at) if due else None,
                  bool(years) or bool(due and due.provisional), done[-1].fulfilled_at if done else None,
                  done[-1].event if done else None, elapsed, hours_minutes(elapsed), status, exempt,
                  status != "running" and not exempt, tuple(done))


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


def _fault(raw, n, levels, service_raw, clock, horizon, as_of, code, every, sources, warnings) -> Fault:
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
            _warn(sources, "faults", path + ("id",), f"{raw['id']}: the {target.kind} target "
                  f"({target.amount} {target.unit}, level {final}) was {target.status} "
                  f"({target.elapsed_text} elapsed) and no exemption is agreed", warnings)
        if target.provisional and target.due:
            _warn(sources, "faults", path + ("reported_at",), f"{raw['id']}: the {target.kind} due time "
                  f"{target.due} is counted through a year whose official holiday calendar is not known yet "
                  "(weekends alone) and is marked provisional", warnings)
    if raw.get("exemption") and not (response.exempt or resolution.exempt):
        _warn(sources, "faults", path + ("exemption",), f"{raw['id']}: an exemption, but no target was missed or "
              "overdue; it is printed and covers nothing", warnings)
    for k, event in enumerate(raw.get("events") or []):
        if event["kind"] == RESPONDED:
            if event.get("manner") not in RESPONSE_MANNERS[final]:
                _warn(sources, "faults", path + ("events", k, "manner"), f"{raw['id']}: responded by "
                      f"{event.get('manner')}, not in the manner level {final} promises; it counts", warnings)
            break
    confirmation = raw.get("confirmation")
    exemption = raw.get("exemption")
    reported = parse_time(raw["reported_at"])
    resolved = last("resolved")
    return Fault(
        id=raw["id"], number=f"{code}-FF-{raw['id']}", level=final, level_reported=raw["level"],
        regrading=regrading, reported_at=raw["reported_at"], clock_start=_stamp(start),
        period=period_key(reported.date(), every), month=reported.strftime("%Y-%m"), channel=raw["channel"],
        reporter=raw["reporter"], taken_by=raw.get("taken_by"), symptom=raw["symptom"], impact=raw.get("impact"),
        engineers=tuple(raw["engineers"]), events=events, responded_at=first("responded"),
        arrived_at=first("arrived"), restored_at=first("restored"), resolved_at=resolved,
        reopened=sum(e.kind == REOPENED for e in events), paused=paused, response=response,
        resolution=resolution, steps=tuple(raw.get("steps") or ()), cause=raw.get("cause"),
        solution=raw.get("solution"),
        parts=tuple(Part(_text(p["name"]), _text(p.get("serial")), p.get("quantity")) for p in raw.get("parts") or []),
        confirmation=Confirmation(confirmation["by"], confirmation["date"], confirmation["verdict"],
                                  confirmation.get("satisfaction"), confirmation.get("note")) if confirmation else None,
        exemption=Exemption(exemption["reason"], exemption["agreed_by"]) if exemption else None,
        draft=confirmation is None,
        date=confirmation["date"] if confirmation else (resolved[:10] if resolved else as_of.isoformat()),
    )


def _visits(raw_visits, maintenance, faults, service_raw, calendar, as_of, code, sources, warnings) -> Visits:
    raw_list = (raw_visits or {}).get("visits") or []
    resolved = {f.id for f in faults if f.resolved_at and f.resolution.status in ("met", "missed")}
    windows: list[Window] = []
    for kind in ("preventive", "inspection"):
        for w in maintenance[kind]:
            mine = [v for v in raw_list if v["kind"] == kind and v["window"] == w["number"]]
            if mine:
                status = "done" if mine[0]["start"][:10] <= w["end"] else "late"
            elif parse_date(w["end"]) <= as_of:
                status = "missed"
                _warn(sources, "service", ("maintenance", kind), f"{kind} window {w['number']} ({w['start']} to "
                      f"{w['end']}) ended with no visit", warnings)
            else:
                status = "planned"
            windows.append(Window(kind, w["number"], w["start"], w["end"], w["planned"], w["notice"],
                                  w["provisional"], status, mine[0]["id"] if mine else None))
    plan = service_raw["maintenance"]
    visits = []
    for n, raw in enumerate(raw_list):
        kind = raw["kind"]
        window = next(w for w in windows if w.kind == kind and w.number == raw["window"])
        later = [w for w in windows if w.kind == kind and w.number == raw["window"] + 1]
        notice_days = (plan.get(kind) or {}).get("notice_working_days", 3)
        notice_due = calendar.add(parse_date(raw["start"][:10]), -notice_days).date
        on_time = parse_date(raw["notice_sent"]) <= notice_due
        if not on_time:
            _warn(sources, "visits", ("visits", n, "notice_sent"), f"{raw['id']}: notice sent {raw['notice_sent']}, "
                  f"later than {notice_due.isoformat()} ({notice_days} working days before the visit)", warnings)
        items = tuple(Item(_text(i["item"]), _text(i.get("method")), _text(i.get("standard")),
                           _text(i.get("measured")), i["status"]) for i in raw.get("items") or [])
        findings = tuple(Finding(raw["id"], f["text"], f["severity"], f.get("fault"), f.get("owner"), f.get("due"),
                                 f["severity"] != "info" and f.get("fault") not in resolved)
                         for f in raw.get("findings") or [])
        confirmation = raw.get("confirmation")
        prefix = "PM" if kind == "preventive" else "INS"
        visits.append(Visit(
            id=raw["id"], number=f"{code}-{prefix}-{raw['id']}", kind=kind, window=window,
            notice_sent=raw["notice_sent"], notice_due=notice_due.isoformat(),
            notice_status="on_time" if on_time else "late", start=raw["start"], end=raw["end"],
            engineers=tuple(raw["engineers"]), witness=raw.get("witness"),
            tasks=tuple(Task(_text(t["task"]), t["result"], t.get("note")) for t in raw.get("tasks") or []),
            items=items, item_counts=tuple(Count(s, sum(i.status == s for i in items)) for s in ("ok", "warning", "fault")),
            findings=findings, conclusion=raw.get("conclusion"),
            confirmation=VisitConfirmation(confirmation["by"], confirmation["date"], confirmation["verdict"],
                                           confirmation.get("note")) if confirmation else None,
            next_planned=later[0].planned if later else None, draft=confirmation is None,
            date=confirmation["date"] if confirmation else raw["end"][:10]))
    return Visits(tuple(windows), tuple(visits))


def _rate(met: int, counted: int) -> str:
    if not counted:
        return "—"
    if met in (0, counted):
        return f"{100 if met else 0}%"
    value = (Decimal(met) * 100 / Decimal(counted)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"


def _figures(kind: str, level: dict, faults: list[Fault]) -> TargetFigures:
    targets = [f[kind] for f in faults]
    counted = [t for t in targets if t.counted]
    fulfilled = [t.elapsed for t in counted if t.fulfilled_at and t.status in ("met", "missed")]
    met = sum(t.status == "met" for t in counted)
    average = (Decimal(sum(fulfilled)) / len(fulfilled)).quantize(Decimal(1), rounding=ROUND_HALF_UP) if fulfilled else None
    duration = level[f"{kind}_time"]
    return TargetFigures(
        kind, str(duration["amount"]), duration["unit"], len(targets), met,
        sum(t.status == "missed" for t in counted), sum(t.status == "overdue" for t in counted),
        sum(t.exempt for t in targets), sum(t.status == "running" for t in targets), _rate(met, len(counted)),
        hours_minutes(int(average)) if fulfilled else "—", hours_minutes(max(fulfilled)) if fulfilled else "—",
        (met == len(counted)) if counted else None)


def _level_figures(number: int, faults: list[Fault], level: dict) -> LevelFigures:
    return LevelFigures(number, len(faults), _figures("response", level, faults),
                        _figures("resolution", level, faults))


def _periods(faults, visits: Visits, service_raw, as_of, code, every, levels: dict) -> tuple[Period, ...]:
    start, end = parse_date(service_raw["start"]), parse_date(service_raw["end"])
    months = PERIOD_MONTHS[every]
    first = datetime.date(start.year, (start.month - 1) // months * months + 1, 1)
    out = []
    while first <= min(end, as_of):
        following = add_months(first, months)
        low, high = max(first, start), min(following - _DAY, end)
        key = period_key(first, every)
        mine = [f for f in faults if f.period == key]
        out.append(_period(key, low, high, as_of, code, mine, levels, visits, faults))
        first = following
    return tuple(out)


def _period(key, low, high, as_of, code, mine, levels: dict, visits: Visits, faults) -> Period:
    ended = high <= as_of
    misses = tuple(Miss(f.id, f.level, t.kind, t.status, t.elapsed_text, t.amount, t.unit, f.cause, f.exemption)
                   for f in mine for t in (f.response, f.resolution) if t.status in ("missed", "overdue"))
    windows = tuple(w for w in visits.windows if w.start <= high.isoformat() and w.end >= low.isoformat())
    # The visits the report counts are those that served its windows (the table beside the count), whenever they
    # were made: a window of the period done late, after the period, is counted with it.
    served = {w.visit for w in windows if w.visit}
    in_period = tuple(v for v in visits.visits if v.id in served)
    findings = tuple(f for v in visits.visits if v.start[:10] <= high.isoformat() for f in v.findings if f.open)
    satisfaction = [f.confirmation.satisfaction for f in mine if f.confirmation and f.confirmation.satisfaction]
    return Period(
        key=key, number=f"{code}-SR-{key}", start=low.isoformat(), end=high.isoformat(), ended=ended,
        # Dated on as_of: every status it states is the one on as_of (SPEC §10), also for a period that ended
        # earlier, so the report is never dated before what it reports.
        date=as_of.isoformat(), faults=tuple(f.id for f in mine),
        levels=tuple(_level_figures(number, [f for f in mine if f.level == number], levels[number])
                     for number in LEVELS),
        misses=misses,
        by_level=tuple(Count(str(n), sum(f.level == n for f in mine)) for n in LEVELS),
        by_channel=tuple(Count(c, sum(f.channel == c for f in mine)) for c in CHANNELS if any(f.channel == c for f in mine)),
        by_month=tuple(Count(m, sum(f.month == m for f in mine)) for m in sorted({f.month for f in mine})),
        major=tuple(f.id for f in mine if f.level == 1), windows=windows, visits=tuple(v.id for v in in_period),
        open_findings=findings,
        running=tuple(f.id for f in faults if f.reported_at[:10] <= high.isoformat()
                      and "running" in (f.response.status, f.resolution.status)),
        satisfaction=tuple(Count(s, satisfaction.count(s)) for s in SATISFACTION))


def record_changes(old: dict, new: dict) -> list[str]:
    """The service records' changes between two `facts --json`, in words (`make diff`, SPEC §9–§10)."""
    changes = []

    def state(target: dict) -> str:
        return target["status"] + (", exempt" if target.get("exempt") else "")

    before = {f["id"]: f for f in old.get("faults") or []}
    after = {f["id"]: f for f in new.get("faults") or []}
    for ident in sorted(set(before) | set(after)):
        was, now = before.get(ident), after.get(ident)
        if was is None:
            changes.append(f"{ident}: new level {now['level']} ticket, response {state(now['response'])}, "
                           f"resolution {state(now['resolution'])}")
            continue
        if now is None:
            changes.append(f"{ident}: removed (was level {was['level']})")
            continue
        if was["level"] != now["level"]:
            changes.append(f"{ident}: level {was['level']} → {now['level']} (re-graded)")
        for kind in ("response", "resolution"):
            if state(was[kind]) != state(now[kind]):
                why = ""
                if now[kind].get("exempt") and not was[kind].get("exempt"):
                    why = f" (exemption agreed by {now['exemption']['agreed_by']})"
                elif now[kind]["fulfilled_at"] and now[kind]["fulfilled_at"] != was[kind]["fulfilled_at"]:
                    why = f" ({now[kind]['event']} {now[kind]['fulfilled_at']}, {now[kind]['elapsed_text']})"
                changes.append(f"{ident}: {kind} {state(was[kind])} → {state(now[kind])}{why}")
        if was["draft"] and not now["draft"]:
            changes.append(f"{ident}: confirmed by {now['confirmation']['by']} on {now['confirmation']['date']}")
        elif now["draft"] and not was["draft"]:
            changes.append(f"{ident}: confirmation withdrawn (a draft again)")
    old_visits, new_visits = old.get("visits") or {}, new.get("visits") or {}
    windows = {(w["kind"], w["number"]): w for w in old_visits.get("windows") or []}
    for window in new_visits.get("windows") or []:
        was = windows.get((window["kind"], window["number"]))
        if was and was["status"] != window["status"]:
            changes.append(f"{window['kind']} window {window['number']}: {was['status']} → {window['status']}"
                           + (f" ({window['visit']})" if window["visit"] else ""))
    visits = {v["id"]: v for v in old_visits.get("visits") or []}
    for visit in new_visits.get("visits") or []:
        was = visits.get(visit["id"])
        if was is None:
            changes.append(f"{visit['id']}: new {visit['kind']} visit {visit['start']}, notice {visit['notice_status']}")
        elif was["notice_status"] != visit["notice_status"]:
            changes.append(f"{visit['id']}: notice {was['notice_status']} → {visit['notice_status']}")
    rates = {}
    for period in (old.get("compliance") or {}).get("periods") or []:
        for level in period["levels"]:
            for kind in ("response", "resolution"):
                rates[(period["key"], level["level"], kind)] = level[kind]["rate"]
    for period in (new.get("compliance") or {}).get("periods") or []:
        for level in period["levels"]:
            for kind in ("response", "resolution"):
                was = rates.get((period["key"], level["level"], kind))
                if was is not None and was != level[kind]["rate"]:
                    changes.append(f"{period['key']} level {level['level']} {kind} compliance: {was} → "
                                   f"{level[kind]['rate']}")
    return changes
