"""Deriving the model (signoff.model) from valid data in one forward pass: results, statuses, the conclusion and
its reasons, counts, meetings, the service facts, and the warnings the derivation finds."""
from __future__ import annotations

import datetime
import re
from decimal import Decimal

from .documents import DOCUMENTS
from .errors import Problem
from .model import (Absence, Acceptance, AgreementFacts, Action, Concerns, Confirmation, Counts, Criterion, CriterionRef,
                    Deferral, DeliveredDocument, Delivery, Facts, Found, GroupMember, Hardware, Issue, IssueLog,
                    IssueTally, KnownCriterion, Material, MaterialRef, Meeting, Metric, Party, PartyMembers, Person, Project, Reason,
                    ReasonItem, Rectification, Report, Reverification, Review, ScheduleItem, Software, StatusTally,
                    Table, Tally, Test, Window)
from .service import handover_check, maintenance_calendar, service_facts
from .sources import Source
from .values import D, by_date, latest, text
from .vocab import (ACCEPTED, BASIS_MATERIALS, CATEGORIES, FLAGGED_RESULTS, LEADER_ROLES, OPERATORS, PARTIES, RESULTS, SENIORITY,
                    SEVERITIES, STATUSES)
from .workdays import WorkCalendar, calendar_of


def derive_facts(sources: dict[str, Source]) -> Facts:
    """The facts every document and `facts --json` print; the input is data that passed validation."""
    data = {name: source.data for name, source in sources.items()}
    project, report = data["project"], data["report"]
    report_date = D(report["date"])
    calendar = work_calendar(project.get("calendar") or {})
    code = project["project"]["code"]
    locale = project["project"].get("locale", "zh-CN")

    group = tuple(GroupMember(m["person"], m["role"], text(m.get("duty"))) for m in project["acceptance"]["group"])
    roles: dict[str, str] = {}
    for member in group:
        roles.setdefault(member.person, member.role)
    people = Table((key, _person(key, p, roles.get(key))) for key, p in project["people"].items())

    log = data.get("issues") or {"issues": []}
    as_of = log.get("as_of") or report["date"]
    raw_issues = log["issues"]
    issues_naming = _naming(raw_issues)

    results = data["results"]
    tests_of: dict[str, list[dict]] = {}
    for n, test in enumerate(results.get("tests") or []):
        tests_of.setdefault(test["criterion"], []).append(dict(test, index=n))
    criteria = tuple(_criterion(c, tests_of.get(c["id"], []), issues_naming("criterion", c["id"]))
                     for c in data["criteria"]["criteria"])
    materials = tuple(_material(m, results.get("documents") or [], issues_naming)
                      for m in project["acceptance"]["materials"])
    criterion_of = {c.id: c for c in criteria}
    material_of = {m.id: m for m in materials}
    issues = tuple(_issue(i, as_of, criterion_of.get(i.get("criterion")), material_of.get(i.get("material")))
                   for i in raw_issues)

    derived, reasons = conclude(criteria, issues, report_date)
    stated, override = report.get("conclusion"), report.get("override_reason")
    effective = stated if (stated and override) else derived
    raw_meetings = (data.get("meetings") or {}).get("meetings") or []
    by_time = sorted(range(len(raw_meetings)), key=lambda n: (str(raw_meetings[n]["date"]), str(raw_meetings[n]["time"])))
    order = {n: k for k, n in enumerate(by_time, start=1)}
    meetings = tuple(_meeting(m, people, code, order[n]) for n, m in enumerate(raw_meetings))
    deferred_issues = tuple(i for i in issues if i.status == "deferred")

    warnings: list[Problem] = []
    service = maintenance = handover = None
    if "service" in data:
        service = service_facts(data["service"], locale)
        maintenance, found = maintenance_calendar(service, calendar, sources["service"])
        warnings += found
        handover, found = handover_check(service, meetings, report_date, calendar, sources)
        warnings += found
    faults, compliance, visits, found = service_year(sources, service, maintenance, calendar)
    warnings += found

    return Facts(
        project=_project(project["project"]),
        parties=Table((party, _party(project["parties"][party])) for party in PARTIES),
        people=people,
        acceptance=Acceptance(group=group, materials=materials, window=Window(**project["acceptance"]["window"]),
                              method=text(project["acceptance"].get("method")),
                              place=text(project["acceptance"].get("place")),
                              basis=tuple(m for m in materials if m.basis)),
        confirmation=Confirmation(data["criteria"]["confirmed"]["date"],
                                  tuple(data["criteria"]["confirmed"]["signatories"])),
        criteria=criteria,
        issue_log=IssueLog(as_of, log.get("recorder")),
        issues=issues,
        meetings=meetings,
        report=Report(report["date"], report["summary"], tuple(report["signatories"]), stated, override),
        conclusion=effective,
        derived_conclusion=derived,
        overridden=bool(override),
        reasons=reasons,
        acceptance_date=report["date"] if effective in ACCEPTED else None,
        acceptance_leader=acceptance_leader(group),
        numbers=document_numbers(code),
        counts=_counts(criteria, issues),
        delivery=_delivery(data.get("delivery")),
        service=service,
        maintenance=maintenance,
        handover=handover,
        agreement=_agreement(criteria, issues, deferred_issues),
        warnings=tuple(warnings),
        criteria_by_category=Table((cat, tuple(c for c in criteria if c.category == cat)) for cat in CATEGORIES),
        untested_criteria=tuple(c for c in criteria if c.result == "untested"),
        open_issues=tuple(i for i in issues if i.status == "open"),
        deferred_issues=deferred_issues,
        faults=faults,
        compliance=compliance,
        visits=visits,
    )


def service_year(sources: dict[str, Source], service, maintenance, calendar: WorkCalendar):
    """The service-year records of SPEC §10 (faults.yaml, visits.yaml): (faults, compliance, visits, warnings),
    derived by records.py from the service facts; none without service.yaml."""
    if service is None:
        return None, None, None, []
    from .records import derive_records

    view = {"service": service, "maintenance": maintenance,
            "project": {"code": sources["project"].data["project"]["code"]}}
    records = derive_records(sources, view, calendar)
    warnings = [Problem(w["file"], w["line"], w["col"], w["path"], w["message"], "warning")
                for w in records.warnings]
    return records.faults, records.compliance, records.visits, warnings


def work_calendar(cal: dict) -> WorkCalendar:
    return calendar_of(cal)


def _naming(raw_issues: list[dict]):
    """ids of the issues that name a criterion or a material, in file order."""
    def naming(field: str, ident: str) -> tuple[str, ...]:
        return tuple(i["id"] for i in raw_issues if i.get(field) == ident)
    return naming


def _project(p: dict) -> Project:
    return Project(code=p["code"], name=text(p["name"]), contract=text(p["contract"]),
                   contract_name=text(p.get("contract_name")), contract_signed=p.get("contract_signed"),
                   version=text(p.get("version")) or "1.0", locale=p.get("locale", "zh-CN"),
                   summary=p.get("summary"))


def _party(p: dict) -> Party:
    return Party(name=text(p["name"]), short=text(p["short"]), address=text(p.get("address")), seal=p.get("seal"),
                 logo=p.get("logo"))


def _person(key: str, p: dict, role: str | None) -> Person:
    return Person(key=key, name=text(p["name"]), party=p["party"], title=text(p["title"]),
                  phone=text(p.get("phone")), email=text(p.get("email")), signature=p.get("signature"), role=role)


def metric_result(metric, measured: str | None) -> str | None:
    """pass or fail: the measured value against the metric's target with its operator."""
    if measured is None:
        return None
    holds = OPERATORS[metric["operator"]](Decimal(str(measured)), Decimal(str(metric["target"])))
    return "pass" if holds else "fail"


def _criterion(raw: dict, tests: list[dict], issues: tuple[str, ...]) -> Criterion:
    """One criterion with its derived result, from the tests of that criterion."""
    metric = raw.get("metric")
    metric = Metric(text(metric["target"]), metric["operator"], text(metric["unit"])) if metric else None
    history = tuple(Test(date=t["date"], measured=text(t.get("measured")), tester=t["tester"],
                         evidence=text(t.get("evidence")), note=t.get("note"), index=t["index"],
                         stated_result=t.get("result"),
                         result=metric_result(metric, text(t.get("measured"))) if metric else t.get("result"))
                    for t in by_date(tests))
    last = latest(history)
    return Criterion(
        id=raw["id"], category=raw["category"], title=text(raw["title"]), requirement=text(raw.get("requirement")),
        description=raw.get("description"), method=text(raw["method"]), core=raw.get("core", True),
        characteristic=raw.get("characteristic"), metric=metric, conditions=text(raw.get("conditions")),
        result=last.result if last else "untested", measured=last.measured if last and metric else None,
        latest=last, history=history, issues=issues)


def _material(raw: dict, reviews: list[dict], issues_naming) -> Material:
    mid = raw.get("id") or raw["kind"]
    mine = tuple(Review(material=r["material"], complete=r["complete"], accurate=r["accurate"], usable=r["usable"],
                        reviewer=r["reviewer"], date=r["date"], note=r.get("note"), index=r["index"])
                 for r in by_date([dict(r, index=n) for n, r in enumerate(reviews) if r["material"] == mid]))
    last = latest(mine)
    return Material(id=mid, kind=raw["kind"], title=text(raw["title"]), from_=raw["from"],
                    version=text(raw.get("version")), reviews=mine, review=last,
                    review_ok=bool(last.complete and last.accurate and last.usable) if last else None,
                    basis=raw["kind"] in BASIS_MATERIALS, issues=issues_naming("material", mid))


def _issue(raw: dict, as_of: str, criterion: Criterion | None, material: Material | None) -> Issue:
    rounds = tuple(Reverification(r["date"], r["result"], tuple(r["by"]), r.get("note"), index=r["index"])
                   for r in by_date([dict(r, index=k) for k, r in enumerate(raw.get("reverification") or [])]))
    last = latest(rounds)
    closed = bool(last and last.result == "pass")
    deferred = bool(raw.get("deferral")) and not closed
    status = "closed" if closed else "deferred" if deferred else "open"
    rect = raw.get("rectification")
    deferral = raw.get("deferral")
    return Issue(
        id=raw["id"], title=text(raw["title"]), description=raw.get("description"), kind=raw["kind"],
        severity=raw["severity"], criterion=raw.get("criterion"), material=raw.get("material"),
        module=text(raw.get("module")), found=Found(raw["found"]["date"], raw["found"]["by"]),
        responsible=raw["responsible"], owner=raw["owner"], due=raw["due"],
        rectification=Rectification(plan=rect["plan"], cause=rect.get("cause"), completed=rect.get("completed"),
                                    self_test=rect.get("self_test"),
                                    report=text(rect.get("report")) or f"RC-{raw['id']}") if rect else None,
        reverification=rounds, latest_reverification=last,
        deferral=Deferral(agreed=deferral["agreed"], plan=deferral["plan"], impact=deferral.get("impact"),
                          confirmation=deferral.get("confirmation"),
                          follow_up=deferral["follow_up"]) if deferral else None,
        status=status, overdue=status == "open" and raw["due"] < as_of,
        core=bool(criterion and criterion.core) or raw["severity"] == "critical",
        concerns=_concerns(criterion, material),
        criterion_ref=CriterionRef(criterion.id, criterion.title) if criterion else None,
        material_ref=MaterialRef(material.id, material.title, material.version) if material else None)


def _concerns(criterion: Criterion | None, material: Material | None) -> Concerns | None:
    """What an issue is about, as documents name it: its criterion (id, title), else its material (title, version)."""
    if criterion:
        return Concerns("criterion", criterion.id, criterion.title, None)
    if material:
        return Concerns("material", material.id, material.title, material.version)
    return None


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def known_on(criterion: Criterion, day: str, found: dict[str, str]) -> KnownCriterion:
    """`criterion` as known on `day`: its latest test on or before it; its issues, of those found by then
    (`found`: each issue's id and the date it was found), are those that name it, then those its known tests cite
    by id in their notes or evidence (a documentation criterion's test that says "待补充（ISS-009）" links an issue
    filed against the material it reviews)."""
    day = str(day)
    known = [t for t in criterion.history if str(t.date) <= day]
    last = known[-1] if known else None
    issues = [i for i in criterion.issues if found.get(i, day) <= day]
    for t in known:
        for token in _TOKEN.findall(f"{t.note or ''} {t.evidence or ''}"):
            if token in found and found[token] <= day and token not in issues:
                issues.append(token)
    return KnownCriterion(id=criterion.id, title=criterion.title, core=criterion.core,
                          result=last.result if last else "untested",
                          measured=last.measured if last and criterion.metric else None,
                          unit=criterion.metric.unit if criterion.metric else None, test=last,
                          issues=tuple(issues))


def _agreement(criteria, issues, deferred) -> AgreementFacts | None:
    """What the outstanding-issues agreement may state: the criteria not fully passed on its date (the latest
    deferral.agreed), and for each deferred issue the latest test of its criterion known then."""
    if not deferred:
        return None
    day = max(str(i.deferral.agreed) for i in deferred)
    found = {i.id: str(i.found.date) for i in issues}
    known = {c.id: known_on(c, day, found) for c in criteria}
    return AgreementFacts(
        date=day, flagged=tuple(k for k in known.values() if k.test and k.result in FLAGGED_RESULTS),
        concerned=Table((i.id, known.get(i.criterion)) for i in deferred))


_MINUTES_NUMBER = next(d.number for d in DOCUMENTS if d.key == "minutes")  # the one spelling: documents.py


def document_numbers(code: str) -> Table:
    """The numbers of the package's single documents (SPEC §6), for documents that cite one another."""
    return Table((d.key, d.number.format(code=code)) for d in DOCUMENTS if d.number.startswith("{code}")
                 and "{id}" not in d.number and "{order" not in d.number)


def conclude(criteria, issues, report_date: datetime.date) -> tuple[str, tuple[Reason, ...]]:
    """SPEC §5: the first rule that matches decides; every match is given as a reason, with the criteria and
    issues behind it and the values that decide them (measured value and target, due date, follow-up date)."""
    day = report_date.isoformat()
    open_issues = [i for i in issues if i.status == "open"]
    totals = (len(criteria), len(issues))

    def reason(code, message, items):
        items = sorted(items, key=lambda item: item.id)
        ids = tuple(item.id for item in items)
        return Reason(code, message + ", ".join(ids) if message.endswith(": ") else message, ids, tuple(items),
                      *totals)

    core_failed = [_criterion_item(c) for c in criteria if c.core and c.result == "fail"
                   and not any(i.criterion == c.id and i.due >= day for i in open_issues)]
    core_overdue = [_issue_item(i) for i in open_issues if i.core and i.due < day]
    if core_failed or core_overdue:
        reasons = []
        if core_failed:
            reasons.append(reason("core_failed", "core criteria failed with no open issue still within its due "
                                  "date: ", core_failed))
        if core_overdue:
            reasons.append(reason("core_issue_overdue", "open core issues are past their due date: ", core_overdue))
        return "fail", tuple(reasons)

    untested = [_criterion_item(c) for c in criteria if c.result == "untested"]
    if untested or open_issues:
        reasons = []
        if untested:
            reasons.append(reason("untested", "criteria not yet tested: ", untested))
        if open_issues:
            reasons.append(reason("open_issues", "issues still open: ", [_issue_item(i) for i in open_issues]))
        return "pending", tuple(reasons)

    deferred = [_issue_item(i) for i in issues if i.status == "deferred"]
    conditional = [_criterion_item(c) for c in criteria if c.result == "conditional"]
    noncore_failed = [_criterion_item(c) for c in criteria if not c.core and c.result == "fail"]
    if deferred or conditional or noncore_failed:
        reasons = []
        if noncore_failed:
            reasons.append(reason("noncore_failed", "non-core criteria failed, their issues deferred: ",
                                  noncore_failed))
        if conditional:
            reasons.append(reason("conditional_results", "criteria passed conditionally: ", conditional))
        if deferred:
            reasons.append(reason("deferred_issues", "issues deferred by agreement: ", deferred))
        return "conditional", tuple(reasons)
    return "pass", (reason("all_passed", _all_passed(len(criteria), len(issues)),
                           [_criterion_item(c) for c in criteria]),)


def _all_passed(criteria: int, issues: int) -> str:
    """The reason of a pass in words, in the number of each ("all 1 issues are closed" was printed)."""
    passed = {1: "the criterion passed", 2: "both criteria passed"}.get(criteria, f"all {criteria} criteria passed")
    closed = {0: "no issue was found", 1: "the issue is closed", 2: "both issues are closed"}.get(
        issues, f"all {issues} issues are closed")
    return f"{passed} and {closed}"


def _criterion_item(c: Criterion) -> ReasonItem:
    metric = c.metric
    return ReasonItem(id=c.id, title=c.title, result=c.result, measured=c.measured,
                      operator=metric.operator if metric else None, target=metric.target if metric else None,
                      unit=metric.unit if metric else None)


def _issue_item(i: Issue) -> ReasonItem:
    return ReasonItem(id=i.id, title=i.title, due=i.due, follow_up=i.deferral.follow_up if i.deferral else None)


def acceptance_leader(group) -> str:
    """Who signs the report for the group (DOCUMENTS §4): the group leader, else the customer's project lead."""
    for role in LEADER_ROLES:
        for member in group:
            if member.role == role:
                return member.person
    raise AssertionError("validation guarantees a customer_pm in the group")


def _counts(criteria, issues) -> Counts:
    def tally(items) -> Tally:
        return Tally(len(items), *(sum(c.result == r for c in items)
                                   for r in RESULTS))

    return Counts(
        criteria=tally(criteria),
        criteria_by_category=Table((cat, tally([c for c in criteria if c.category == cat])) for cat in CATEGORIES),
        issues=IssueTally(len(issues), *(sum(i.status == s for i in issues) for s in STATUSES),
                          overdue=sum(i.overdue for i in issues)),
        issues_by_severity=Table((sev, StatusTally(sum(i.severity == sev for i in issues),
                                                   *(sum(i.severity == sev and i.status == s for i in issues)
                                                     for s in STATUSES)))
                                 for sev in SEVERITIES))


def _meeting(raw: dict, people: Table, code: str, order: int) -> Meeting:
    signatories = raw.get("signatories")
    if not signatories:
        chair = raw["chair"]
        other = [a for a in raw["attendees"] if people[a].party != people[chair].party]
        rank = {role: n for n, role in enumerate(SENIORITY)}
        other.sort(key=lambda a: rank.get(people[a].role, len(rank)))  # stable: attendee order on ties
        signatories = [chair] + other[:1]
    absent = tuple(Absence(a["person"], text(a.get("reason"))) for a in raw.get("absent") or [])
    return Meeting(
        id=raw["id"], kind=raw["kind"], title=text(raw.get("title")), title_key=f"meeting_kind.{raw['kind']}",
        order=order, number=f"{code}-MIN-{raw['id']}", minutes_number=_MINUTES_NUMBER.format(code=code, order=order),
        date=raw["date"], time=raw["time"], end_time=raw.get("end_time"),
        location=text(raw["location"]), chair=raw["chair"], recorder=raw["recorder"],
        attendees=tuple(raw["attendees"]), absent=absent, agenda=tuple(text(a) for a in raw.get("agenda") or ()),
        process=raw.get("process"),
        schedule=tuple(ScheduleItem(s["date"], text(s["activity"])) for s in raw.get("schedule") or ()),
        test_methods=raw.get("test_methods"), disputes=raw.get("disputes"),
        decisions=tuple(raw.get("decisions") or ()),
        actions=tuple(Action(text(a["task"]), a["owner"], a["due"]) for a in raw.get("actions") or ()),
        issued=raw.get("issued") or raw["date"], signatories=tuple(signatories),
        present_by_party=_by_party([Absence(key, None) for key in raw["attendees"]], people),
        absent_by_party=_by_party(absent, people))


def _by_party(entries, people: Table) -> tuple[PartyMembers, ...]:
    """Meeting participants ({person, reason}) by party for the minutes: customer first, file order within."""
    groups = []
    for party in PARTIES:
        members = tuple(e for e in entries if people[e.person].party == party)
        if members:
            groups.append(PartyMembers(party, members))
    return tuple(groups)


def _delivery(raw: dict | None) -> Delivery | None:
    """The delivery checklist with every optional field present (None when not given), text as typed."""
    if raw is None:
        return None
    return Delivery(
        date=raw["date"], place=text(raw.get("place")), handed_over_by=raw["handed_over_by"],
        received_by=raw["received_by"],
        hardware=tuple(Hardware(text(h["name"]), text(h["model"]), text(h.get("serial")), h["quantity"],
                                text(h["unit"]), text(h.get("warranty")), text(h.get("location")))
                       for h in raw.get("hardware") or ()),
        software=tuple(Software(text(s["name"]), text(s["version"]), text(s["medium"]), s["quantity"],
                                text(s.get("license")), text(s.get("sha256"))) for s in raw.get("software") or ()),
        documents=tuple(DeliveredDocument(text(d["title"]), text(d["version"]), text(d["format"]), d["copies"])
                        for d in raw.get("documents") or ()))
