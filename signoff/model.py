"""The declared shape of the facts: frozen records that every document, rule and `facts --json` read.

Each record is a frozen dataclass whose field names are the facts' keys. A record reads as `rec.key`,
`rec["key"]` and `rec.get("key", default)`, so templates and dict-style code read it alike; mappings in the model
(`people` by key, `parties` by party, the `counts` tables) are read-only `Table`s subscriptable by key. Optional
parts are always present (None or an empty tuple). `to_json` is the one serialiser: fields marked `ref` hold
records that live elsewhere in the model and are written as their ids."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

from .errors import Problem

_ALIASES = {"from": "from_"}  # keys that are Python keywords
REF = {"ref": True}  # field metadata: records held by reference, written as their ids
HIDDEN = {"hidden": True}  # field metadata: for the rules only (a position in the sources), not in `facts --json`


class Record:
    """Base of every record: attribute, item and `.get` access to the dataclass fields, nothing else."""

    __slots__ = ()

    def __getitem__(self, key: str):
        name = _ALIASES.get(key, key)
        if name not in self.__dataclass_fields__ and not isinstance(getattr(type(self), name, None), property):
            raise KeyError(key)
        return getattr(self, name)

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: str) -> bool:
        return _ALIASES.get(key, key) in self.__dataclass_fields__


class Table(Mapping):
    """A read-only mapping (by key, in the order given) inside the model."""

    __slots__ = ("_items",)

    def __init__(self, items=()):
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getattr__(self, key):  # Jinja's `counts.criteria.total` style when a key is not an attribute
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        raise dataclasses.FrozenInstanceError(key)

    def __repr__(self) -> str:
        return f"Table({self._items!r})"

    def __eq__(self, other):
        return dict(self) == dict(other) if isinstance(other, Mapping) else NotImplemented

    __hash__ = None


def record(cls):
    return dataclass(frozen=True, slots=True)(cls)


# ---------------------------------------------------------------- project, parties, people

@record
class Project(Record):
    code: str
    name: str
    contract: str
    contract_name: str | None
    contract_signed: str | None
    version: str
    locale: str
    summary: str | None


@record
class Party(Record):
    name: str
    short: str
    address: str | None
    seal: str | None
    logo: str | None  # the contractor's only


@record
class Person(Record):
    key: str
    name: str
    party: str
    title: str
    phone: str | None
    email: str | None
    signature: str | None
    role: str | None  # the person's first role in the acceptance group


@record
class GroupMember(Record):
    person: str
    role: str
    duty: str | None


# ---------------------------------------------------------------- materials, criteria, tests

@record
class Review(Record):
    material: str
    complete: bool
    accurate: bool
    usable: bool
    reviewer: str
    date: str
    note: str | None
    index: int = field(default=0, metadata=HIDDEN)  # its place in results.yaml's documents


@record
class Material(Record):
    id: str
    kind: str
    title: str
    from_: str
    version: str | None
    reviews: tuple[Review, ...]  # by date
    review: Review | None  # the latest
    review_ok: bool | None  # None: never reviewed
    basis: bool  # the report names it as the basis of acceptance (SPEC §4 BASIS_MATERIALS)
    issues: tuple[str, ...]  # ids of the issues that name it


@record
class Window(Record):
    start: str
    end: str


@record
class Acceptance(Record):
    group: tuple[GroupMember, ...]
    materials: tuple[Material, ...]
    window: Window
    method: str | None
    place: str | None
    basis: tuple[Material, ...] = field(metadata=REF)  # the materials that are the report's basis


@record
class Confirmation(Record):
    date: str
    signatories: tuple[str, ...]


@record
class Metric(Record):
    target: str
    operator: str
    unit: str


@record
class Test(Record):
    date: str
    result: str  # derived from `measured` for a metric criterion
    measured: str | None
    tester: str
    evidence: str | None
    note: str | None
    index: int = field(default=0, metadata=HIDDEN)  # its place in results.yaml's tests
    stated_result: str | None = field(default=None, metadata=HIDDEN)  # `result:` as typed, for the rules


@record
class Criterion(Record):
    id: str
    category: str
    title: str
    requirement: str | None
    description: str | None
    method: str
    core: bool
    characteristic: str | None
    metric: Metric | None
    conditions: str | None
    result: str  # the latest test's, or untested
    measured: str | None  # the latest measured value of a metric criterion
    latest: Test | None
    history: tuple[Test, ...]  # by date
    issues: tuple[str, ...]  # ids of the issues that name it


# ---------------------------------------------------------------- issues

@record
class Found(Record):
    date: str
    by: str


@record
class Rectification(Record):
    plan: str
    cause: str | None
    completed: str | None
    self_test: str | None
    report: str  # its number: default RC-{issue id}


@record
class Reverification(Record):
    date: str
    result: str
    by: tuple[str, ...]
    note: str | None
    index: int = field(default=0, metadata=HIDDEN)  # its place in the issue's reverification list


@record
class Deferral(Record):
    agreed: str
    plan: str
    impact: str | None
    confirmation: str | None
    follow_up: str


@record
class Concerns(Record):
    """What an issue is about, as documents name it: its criterion, else its material."""

    kind: str  # criterion | material
    id: str
    title: str
    version: str | None


@record
class CriterionRef(Record):
    id: str
    title: str


@record
class MaterialRef(Record):
    id: str
    title: str
    version: str | None


@record
class Issue(Record):
    id: str
    title: str
    description: str | None
    kind: str
    severity: str
    criterion: str | None
    material: str | None
    module: str | None
    found: Found
    responsible: str
    owner: str
    due: str
    rectification: Rectification | None
    reverification: tuple[Reverification, ...]  # by date
    latest_reverification: Reverification | None
    deferral: Deferral | None
    status: str
    overdue: bool
    core: bool  # linked to a core criterion, or critical
    concerns: Concerns | None
    criterion_ref: CriterionRef | None
    material_ref: MaterialRef | None


@record
class IssueLog(Record):
    as_of: str
    recorder: str | None


# ---------------------------------------------------------------- meetings

@record
class Absence(Record):
    person: str
    reason: str | None


@record
class ScheduleItem(Record):
    date: str
    activity: str


@record
class Action(Record):
    task: str
    owner: str
    due: str


@record
class PartyMembers(Record):
    party: str
    members: tuple[Absence, ...]  # {person, reason}; reason None for those present


@record
class Meeting(Record):
    id: str
    kind: str
    title: str | None  # None: the documents print the kind's default title (`title_key`)
    title_key: str  # the label of the default title: meeting_kind.<kind>
    order: int  # 1, 2, … by date and time
    number: str  # {code}-MIN-{id}: the meeting's reference by id, as the file name keeps it
    minutes_number: str  # {code}-MIN-{order:02d}: the number the minutes print (a Chinese reader sees a number)
    date: str
    time: str
    end_time: str | None
    location: str
    chair: str
    recorder: str
    attendees: tuple[str, ...]
    absent: tuple[Absence, ...]
    agenda: tuple[str, ...]
    process: str | None
    schedule: tuple[ScheduleItem, ...]
    test_methods: str | None
    disputes: str | None
    decisions: tuple[str, ...]
    actions: tuple[Action, ...]
    issued: str  # default: the meeting date
    signatories: tuple[str, ...]  # default: the chair and the most senior attendee of the other party
    present_by_party: tuple[PartyMembers, ...]
    absent_by_party: tuple[PartyMembers, ...]


# ---------------------------------------------------------------- the agreement (遗留问题处理协议)

@record
class KnownCriterion(Record):
    """A criterion as known on a day: its latest test on or before that day, and the issues linked to it then."""

    id: str
    title: str
    core: bool
    result: str  # the latest known test's, or untested
    measured: str | None  # a metric criterion's latest known measured value
    unit: str | None  # a metric criterion's unit
    test: Test | None  # the latest test on or before the day
    issues: tuple[str, ...]  # the issues that name it, then those its known tests cite (a note's "见 ISS-009")


@record
class AgreementFacts(Record):
    """The outstanding-issues agreement states only what was known on its date (DOCUMENTS.md)."""

    date: str  # the latest deferral.agreed
    flagged: tuple[KnownCriterion, ...]  # the criteria not fully passed as known on that date
    concerned: Table  # deferred issue id -> KnownCriterion of the criterion it names, or None


# ---------------------------------------------------------------- report, conclusion

@record
class Report(Record):
    date: str
    summary: str
    signatories: tuple[str, ...]
    stated_conclusion: str | None
    override_reason: str | None


@record
class ReasonItem(Record):
    """One criterion or issue behind a reason, with the values that decide it."""

    id: str
    title: str
    result: str | None = None  # a criterion's latest result
    measured: str | None = None  # a metric criterion's latest measured value …
    operator: str | None = None  # … against its target
    target: str | None = None
    unit: str | None = None
    due: str | None = None  # an issue's due date
    follow_up: str | None = None  # a deferred issue's follow-up acceptance


@record
class Reason(Record):
    """One reason for the conclusion (SPEC §5): a code of vocab.REASONS, the ids, and what decides them."""

    code: str
    message: str
    ids: tuple[str, ...]
    items: tuple[ReasonItem, ...]
    criteria: int  # how many criteria and issues there are (the all_passed sentence counts them)
    issues: int


@record
class Tally(Record):
    total: int
    pass_: int  # noqa: the key is `pass`
    fail: int
    conditional: int
    untested: int


@record
class StatusTally(Record):
    total: int
    open: int
    closed: int
    deferred: int


@record
class IssueTally(Record):
    total: int
    open: int
    closed: int
    deferred: int
    overdue: int


@record
class Counts(Record):
    criteria: Tally
    criteria_by_category: Table  # category -> Tally, every category of vocab.CATEGORIES
    issues: IssueTally
    issues_by_severity: Table  # severity -> StatusTally


# ---------------------------------------------------------------- delivery

@record
class Hardware(Record):
    name: str
    model: str
    serial: str | None
    quantity: int
    unit: str
    warranty: str | None
    location: str | None


@record
class Software(Record):
    name: str
    version: str
    medium: str
    quantity: int
    license: str | None
    sha256: str | None


@record
class DeliveredDocument(Record):
    title: str
    version: str
    format: str
    copies: int


@record
class Delivery(Record):
    date: str
    place: str | None
    handed_over_by: str
    received_by: str
    hardware: tuple[Hardware, ...]
    software: tuple[Software, ...]
    documents: tuple[DeliveredDocument, ...]


# ---------------------------------------------------------------- service

@record
class DurationValue(Record):
    amount: str
    unit: str


@record
class FaultLevel(Record):
    level: int
    name: str
    meaning: str
    examples: tuple[str, ...]
    response: str
    response_manner: str | None
    resolution: str
    resolution_goal: str | None
    resolution_events: tuple[str, ...]  # the fault events that fulfil the resolution commitment (SPEC §10)
    response_time: DurationValue
    resolution_time: DurationValue
    response_manners: tuple[str, ...]  # the `responded` manners that keep response_manner (no warning)


@record
class Channel(Record):
    kind: str
    value: str
    hours: str | None


@record
class Preventive(Record):
    every: str
    notice_working_days: int
    tasks: tuple[str, ...]


@record
class Inspection(Record):
    per_year: int
    notice_working_days: int
    items: tuple[str, ...]


@record
class MaintenancePlan(Record):
    preventive: Preventive
    inspection: Inspection | None


@record
class Service(Record):
    number: str
    start: str
    end: str
    lead: str
    customer_contact: str
    desk: tuple[str, ...]
    engineers: tuple[str, ...]
    hours: str
    channels: tuple[Channel, ...]
    escalation: str | None
    scope: str
    exclusions: str | None
    handover_meeting: str | None
    levels: tuple[FaultLevel, ...]  # the standard levels with service.yaml's overrides merged in
    maintenance: MaintenancePlan
    training: str | None
    working_hours: tuple[str, ...]  # the working intervals of a working day (5x8, SPEC §10)


@record
class MaintenanceWindow(Record):
    number: int
    start: str
    end: str
    planned: str | None  # None: the window has no working day
    notice: str | None
    provisional: bool
    uncovered: tuple[int, ...]
    # None: planned as SPEC §5 says; "last_working_day": that day falls after the window, so the planned date is
    # the window's last working day; "no_working_day": the window has none, so nothing is planned in it.
    note: str | None


@record
class Maintenance(Record):
    preventive: tuple[MaintenanceWindow, ...]
    inspection: tuple[MaintenanceWindow, ...]
    uncovered_years: tuple[int, ...]  # the years of every provisional date in the calendar, for its note


@record
class Handover(Record):
    """The service handover meeting's deadline and the meeting held (service.handover_meeting only)."""

    deadline: str
    provisional: bool
    uncovered_years: tuple[int, ...]
    meeting: str | None
    meeting_date: str | None
    meeting_number: str | None  # the meeting's reference by id
    minutes_number: str | None  # the number its minutes print
    late: bool  # the meeting falls after the deadline
    guide_date: str  # the service guide's date: the meeting's, else service.start
    held: bool  # the meeting is held on or before the guide's date


# ---------------------------------------------------------------- the whole

@record
class Facts(Record):
    project: Project
    parties: Table  # party -> Party
    people: Table  # key -> Person
    acceptance: Acceptance
    confirmation: Confirmation
    criteria: tuple[Criterion, ...]
    issue_log: IssueLog
    issues: tuple[Issue, ...]
    meetings: tuple[Meeting, ...]
    report: Report
    conclusion: str  # the effective conclusion
    derived_conclusion: str
    overridden: bool
    reasons: tuple[Reason, ...]
    acceptance_date: str | None
    acceptance_leader: str
    numbers: Table  # document key -> number, for the package's single documents
    counts: Counts
    delivery: Delivery | None
    service: Service | None
    maintenance: Maintenance | None
    handover: Handover | None
    agreement: AgreementFacts | None  # only when an issue is deferred
    warnings: tuple[Problem, ...]
    # Subsets the documents print, computed once (held by reference).
    criteria_by_category: Table = field(metadata=REF)  # category -> criteria, every category
    untested_criteria: tuple[Criterion, ...] = field(metadata=REF)
    open_issues: tuple[Issue, ...] = field(metadata=REF)
    deferred_issues: tuple[Issue, ...] = field(metadata=REF)
    # Reserved for the service-year records (SPEC §10), filled by their own stage.
    faults: Any = None
    compliance: Any = None
    visits: Any = None


_ALIASES.update({"pass": "pass_"})


def to_json(value) -> Any:
    """The model as JSON values (`facts --json`): records as objects keyed as the facts, tuples as lists."""
    if isinstance(value, Problem):
        return {"file": value.file, "line": value.line, "col": value.col, "path": value.path,
                "message": value.message}
    if isinstance(value, Record):
        out = {}
        for f in dataclasses.fields(value):
            if f.metadata.get("hidden"):
                continue
            item = getattr(value, f.name)
            out[f.name.removesuffix("_")] = _ids(item) if f.metadata.get("ref") else to_json(item)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # the service year's records
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_json(item) for item in value]
    return value


def _ids(value):
    if isinstance(value, Mapping):
        return {key: _ids(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [item.id for item in value]
    return None if value is None else value.id
