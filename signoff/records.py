"""The facts of the service year (SPEC §10): the tickets (tickets.py) gathered into compliance per period, the
maintenance windows and visits, and each period's report."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from .clock import hours_minutes
from .model import Record
from .record_rules import records_as_of
from .schema import parse_date
from .sources import Source
from .tickets import Exemption, Fault, Regrading, Target, derive_fault, period_key, service_clock, text_of, warn
from .vocab import CHANNEL_KINDS as CHANNELS, FAULT_LEVELS as LEVELS, SATISFACTION
from .vocab import REPORT_MONTHS as PERIOD_MONTHS, VISIT_PREFIX
from .workdays import WorkCalendar, add_months

_DAY = datetime.timedelta(days=1)


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
    """A missed or overdue target of a period and why it was missed: by how much, in which cycle, what paused the
    clock or moved the target; and its exemption."""

    fault: str
    level: int
    kind: str
    status: str
    elapsed_text: str          # the elapsed time that missed: the failing cycle's, or up to as_of when overdue
    amount: str
    unit: str
    due: str | None
    provisional: bool          # the due time is counted through a year whose holidays are not published (*)
    fulfilled_at: str | None   # when the failing cycle was fulfilled; None when overdue
    event: str | None
    over: int                  # service-clock minutes beyond the target
    over_text: str             # h:mm
    cycle: int | None          # the failing cycle of a reopened ticket (from 1); None with a single cycle
    paused: int                # resolution-clock minutes paused before the miss, left out of elapsed (0: response)
    paused_for: str | None     # waiting | reopened | both: what paused it
    regrading: Regrading | None
    cause: str | None          # the fault's cause (facts --json; the report words the miss, not the cause)
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
    planned: str | None        # None: the window has no working day, so nothing is planned in it
    notice: str | None
    provisional: bool
    status: str                # done | late | missed | planned | no_working_day (nothing could be planned)
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
    """A finding of a visit. A later finding may carry it forward (`follows`): the item is then one, as the latest
    visit states it, and open or settled as that one is."""

    ref: str                   # VISIT/N: the Nth finding of visit VISIT
    visit: str
    record: str                # the visit's document number, by which the service report cites it
    kind: str                  # the visit's kind: preventive | inspection
    text: str
    severity: str
    fault: str | None
    owner: str | None
    due: str | None
    follows: str | None        # the ref of the earlier finding this one carries forward
    followed_by: str | None    # the ref of the later finding that carries this one forward
    open: bool                 # not settled on as_of: not info, and its fault not resolved after the visit began
    waits_on: str | None       # the ticket whose resolution settles it: its fault, unless resolved before the visit


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
    notice_due_provisional: bool  # counted through a year whose holidays are not published yet
    notice_days: int           # the plan's notice_working_days
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
    date: str                  # the report's date: as_of, whose statuses it states (also for a period ended earlier)
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
    unresolved: tuple[str, ...]  # tickets with a target not fulfilled on as_of: running or overdue (its 遗留事项)
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
    faults = tuple(derive_fault(raw, n, levels, service_raw, clock, horizon, as_of, code, every, sources, warnings)
                   for n, raw in enumerate((raw_faults or {}).get("faults") or []))
    visits = _visits(raw_visits, facts["maintenance"], faults, service_raw, calendar, as_of, code, sources,
                     warnings)
    periods = _periods(faults, visits, service_raw, as_of, code, every, levels)
    return Records(faults, Compliance(as_of.isoformat(), service_raw["hours"], every, periods), visits,
                   tuple(warnings))


def _visits(raw_visits, maintenance, faults, service_raw, calendar, as_of, code, sources, warnings) -> Visits:
    raw_list = (raw_visits or {}).get("visits") or []
    resolved = {f.id: f.resolved_at for f in faults if f.resolved_at and f.resolution.status in ("met", "missed")
                and f.resolved_now}  # a reopened ticket deals with nothing until resolved again
    windows: list[Window] = []
    for kind in ("preventive", "inspection"):
        for w in maintenance[kind]:
            # a window with two visits is judged by the one that started first, wherever the file lists it
            mine = sorted((v for v in raw_list if v["kind"] == kind and v["window"] == w["number"]),
                          key=lambda v: v["start"])
            if mine:
                status = "done" if mine[0]["start"][:10] <= w["end"] else "late"
            elif w["planned"] is None:  # no working day in it: nothing was due (check warned), so nothing missed
                status = "no_working_day"
            elif parse_date(w["end"]) <= as_of:
                status = "missed"
                warn(sources, "service", ("maintenance", kind), f"{kind} window {w['number']} ({w['start']} to "
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
        counted = calendar.add(parse_date(raw["start"][:10]), -notice_days)
        notice_due = counted.date
        on_time = parse_date(raw["notice_sent"]) <= notice_due
        if not on_time:
            warn(sources, "visits", ("visits", n, "notice_sent"), f"{raw['id']}: notice sent {raw['notice_sent']}, "
                  f"later than {notice_due.isoformat()} ({notice_days} working day{'' if notice_days == 1 else 's'} "
                  "before the visit)" + (", which is counted through a year whose official holiday calendar is not "
                                         "known yet (weekends alone) and is marked provisional" if counted.provisional
                                         else ""), warnings)
        items = tuple(Item(text_of(i["item"]), text_of(i.get("method")), text_of(i.get("standard")),
                           text_of(i.get("measured")), i["status"]) for i in raw.get("items") or [])
        number = f"{code}-{VISIT_PREFIX[kind]}-{raw['id']}"
        findings = tuple(_finding(raw, k, f, number, resolved) for k, f in enumerate(raw.get("findings") or [], 1))
        for k, finding in enumerate(findings):
            if finding.open and finding.fault and not finding.waits_on and not finding.due:
                warn(sources, "visits", ("visits", n, "findings", k, "fault"), f"{finding.fault} was resolved on "
                     f"{resolved[finding.fault][:10]}, before this visit: it does not settle the finding, which stays "
                     "open with no due date (give a due date, or reopen the ticket)", warnings)
        confirmation = raw.get("confirmation")
        visits.append(Visit(
            id=raw["id"], number=number, kind=kind, window=window,
            notice_sent=raw["notice_sent"], notice_due=notice_due.isoformat(),
            notice_due_provisional=counted.provisional, notice_days=notice_days,
            notice_status="on_time" if on_time else "late", start=raw["start"], end=raw["end"],
            engineers=tuple(raw["engineers"]), witness=raw.get("witness"),
            tasks=tuple(Task(text_of(t["task"]), t["result"], t.get("note")) for t in raw.get("tasks") or []),
            items=items, item_counts=tuple(Count(s, sum(i.status == s for i in items)) for s in ("ok", "warning", "fault")),
            findings=findings, conclusion=raw.get("conclusion"),
            confirmation=VisitConfirmation(confirmation["by"], confirmation["date"], confirmation["verdict"],
                                           confirmation.get("note")) if confirmation else None,
            next_planned=later[0].planned if later else None, draft=confirmation is None,
            date=confirmation["date"] if confirmation else raw["end"][:10]))
    return Visits(tuple(windows), _carried_forward(visits))


def _finding(raw_visit: dict, k: int, raw: dict, number: str, resolved: dict[str, str]) -> Finding:
    """A finding is settled by its fault's resolution only when that came after the visit began: a ticket resolved
    before is one the finding refers to (a defect seen again), not one that dealt with it."""
    fault = raw.get("fault")
    settled = fault in resolved and resolved[fault] >= raw_visit["start"]
    return Finding(f"{raw_visit['id']}/{k}", raw_visit["id"], number, raw_visit["kind"], raw["text"], raw["severity"],
                   fault, raw.get("owner"), raw.get("due"), raw.get("follows"), None,
                   raw["severity"] != "info" and not settled, fault if fault not in resolved else None)


def _carried_forward(visits: list[Visit]) -> tuple[Visit, ...]:
    """The visits with each carried-forward finding linked to its follower and open as the latest of its chain."""
    by_ref = {f.ref: f for v in visits for f in v.findings}
    follower = {f.follows: f.ref for f in by_ref.values() if f.follows}

    def last(ref: str) -> Finding:
        while ref in follower:
            ref = follower[ref]
        return by_ref[ref]

    return tuple(replace(v, findings=tuple(replace(f, followed_by=follower.get(f.ref), open=last(f.ref).open)
                                           for f in v.findings)) for v in visits)


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


def _miss(fault: Fault, target: Target) -> Miss:
    failing = next((n for n, c in enumerate(target.cycles, 1) if not c.met), None)
    cycle = target.cycles[failing - 1] if failing else None
    elapsed = cycle.elapsed if cycle else target.elapsed
    moment = cycle.fulfilled_at if cycle else None
    kinds = {e.kind for e in fault.events if moment is None or e.at < moment}  # what happened before the miss
    paused = (cycle.paused if cycle else fault.paused) if target.kind == "resolution" else 0
    paused_for = None
    if paused:
        waiting, reopened = "waiting_customer" in kinds, "reopened" in kinds
        paused_for = "both" if waiting and reopened else "reopened" if reopened else "waiting"
    # Only the resolution has cycles: a reopening does not give the response another one.
    cycled = target.kind == "resolution" and (len(target.cycles) > 1 or fault.reopened)
    return Miss(fault.id, fault.level, target.kind, target.status, hours_minutes(elapsed), target.amount,
                target.unit, target.due, target.due is not None and target.provisional,
                cycle.fulfilled_at if cycle else None, cycle.event if cycle else None,
                elapsed - target.minutes, hours_minutes(elapsed - target.minutes), failing if cycled else None,
                paused, paused_for, fault.regrading, fault.cause, fault.exemption)


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
    misses = tuple(_miss(f, t) for f in mine for t in (f.response, f.resolution) if t.status in ("missed", "overdue"))
    windows = tuple(w for w in visits.windows if w.start <= high.isoformat() and w.end >= low.isoformat())
    # The visits the report counts are those that served its windows (the table beside the count), whenever they
    # were made: a window of the period done late, after the period, is counted with it.
    served = {w.visit for w in windows if w.visit}
    in_period = tuple(v for v in visits.visits if v.id in served)
    # The open items known by the period's end, each once, as the latest visit up to then states it.
    made = {v.id for v in visits.visits if v.start[:10] <= high.isoformat()}
    findings = tuple(f for v in visits.visits if v.id in made for f in v.findings
                     if f.open and not (f.followed_by and f.followed_by.rpartition("/")[0] in made))
    known = sorted((f for f in faults if f.reported_at[:10] <= high.isoformat()), key=lambda f: (f.reported_at, f.id))
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
        # earlier periods' tickets still open are carried into every later report, oldest first
        running=tuple(f.id for f in known if "running" in (f.response.status, f.resolution.status)),
        unresolved=tuple(f.id for f in known if {f.response.status, f.resolution.status} & {"running", "overdue"}),
        satisfaction=tuple(Count(s, satisfaction.count(s)) for s in SATISFACTION))
