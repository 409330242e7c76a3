"""Deriving every computed fact from valid data: results, statuses, the conclusion and its reasons, counts."""
from __future__ import annotations

import datetime
from decimal import Decimal

from .documents import DOCUMENTS
from .schema import parse_date
from .sources import Source
from .workdays import WorkCalendar

D = parse_date

CUSTOMER_ROLES = ("group_leader", "customer_pm", "ops_lead", "member")
CONTRACTOR_ROLES = ("contractor_pm", "tech_lead", "qa_lead", "service_lead", "service_desk", "engineer", "member")
# Seniority for the default meeting signatory: earlier is more senior.
SENIORITY = ("group_leader", "customer_pm", "contractor_pm", "tech_lead", "ops_lead", "qa_lead", "service_lead",
             "service_desk", "engineer", "member")
OPERATORS = {"<": Decimal.__lt__, "<=": Decimal.__le__, ">": Decimal.__gt__, ">=": Decimal.__ge__,
             "==": Decimal.__eq__}
# A meeting's optional parts, present in its facts even when not given (None / []), so the minutes test them.
MEETING_TEXTS = ("end_time", "process", "test_methods", "disputes")
MEETING_LISTS = ("absent", "agenda", "schedule", "decisions", "actions")


def text(value) -> str | None:
    """A text field as printed: integers exactly as typed, strings unchanged."""
    return None if value is None else str(value)


def latest(entries: list[dict], key: str = "date") -> dict | None:
    """The latest entry by date; on the same date the later one in the file wins."""
    best = None
    for entry in entries:
        if best is None or entry[key] >= best[key]:
            best = entry
    return best


def by_date(entries: list[dict], key: str = "date") -> list[dict]:
    return sorted(entries, key=lambda entry: entry[key])  # stable: file order on the same date


def derive_facts(sources: dict[str, Source]) -> dict:
    """The facts every document and `facts --json` print; the input is data that passed validation."""
    data = {name: source.data for name, source in sources.items()}
    project = data["project"]
    report = data["report"]
    report_date = D(report["date"])
    warnings: list[dict] = []
    calendar = _calendar(project.get("calendar") or {})

    people = {key: {"key": key, "name": text(p["name"]), "party": p["party"], "title": text(p["title"]),
                    "phone": text(p.get("phone")), "email": text(p.get("email")),
                    "signature": p.get("signature")}
              for key, p in project["people"].items()}
    group = [{"person": m["person"], "role": m["role"], "duty": text(m.get("duty"))}
             for m in project["acceptance"]["group"]]
    roles = {}
    for member in group:
        roles.setdefault(member["person"], member["role"])
    for key, person in people.items():
        person["role"] = roles.get(key)

    results = data["results"]
    tests = [dict(t, measured=text(t.get("measured")), evidence=text(t.get("evidence")))
             for t in results.get("tests") or []]
    tests_of: dict[str, list[dict]] = {}
    for test in tests:
        tests_of.setdefault(test["criterion"], []).append(test)
    criteria = [_criterion(c, tests_of.get(c["id"], [])) for c in data["criteria"]["criteria"]]
    materials = _materials(project["acceptance"]["materials"], results.get("documents") or [])

    log = data.get("issues") or {"issues": []}
    as_of = log.get("as_of") or report["date"]
    issues = [_issue(i, as_of) for i in log["issues"]]
    criterion_of = {c["id"]: c for c in criteria}
    material_of = {m["id"]: m for m in materials}
    for item in (*criteria, *materials):
        item["issues"] = []
    for issue in issues:
        criterion, material = criterion_of.get(issue.get("criterion")), material_of.get(issue.get("material"))
        for item in (criterion, material):
            if item is not None:
                item["issues"].append(issue["id"])
        issue["core"] = bool(criterion and criterion["core"]) or issue["severity"] == "critical"
        issue["concerns"] = _concerns(criterion, material)
        issue["criterion_ref"] = {"id": criterion["id"], "title": criterion["title"]} if criterion else None
        issue["material_ref"] = ({"id": material["id"], "title": material["title"], "version": material["version"]}
                                 if material else None)

    derived, reasons = _conclusion(criteria, issues, report_date)
    stated = report.get("conclusion")
    override = report.get("override_reason")
    effective = stated if (stated and override) else derived

    meetings = [_meeting(m, people, project["project"]["code"]) for m in data.get("meetings", {}).get("meetings") or []]
    facts = {
        "project": _project(project),
        "parties": project["parties"],
        "people": people,
        "acceptance": {"group": group, "materials": materials, "window": project["acceptance"]["window"],
                       "method": text(project["acceptance"].get("method")),
                       "place": text(project["acceptance"].get("place"))},
        "confirmation": {"date": data["criteria"]["confirmed"]["date"],
                         "signatories": data["criteria"]["confirmed"]["signatories"]},
        "criteria": criteria,
        "issue_log": {"as_of": as_of, "recorder": log.get("recorder")},
        "issues": issues,
        "meetings": meetings,
        "report": {"date": report["date"], "summary": report["summary"], "signatories": report["signatories"],
                   "stated_conclusion": stated, "override_reason": override},
        "conclusion": effective,
        "derived_conclusion": derived,
        "overridden": bool(override),
        "reasons": reasons,
        "acceptance_date": report["date"] if effective in ("pass", "conditional") else None,
        "acceptance_leader": acceptance_leader(group),
        "numbers": document_numbers(project["project"]["code"]),
        "counts": _counts(criteria, issues),
        "delivery": _delivery(data.get("delivery")),
        "service": None,
        "maintenance": None,
        "handover": None,
        "faults": (),         # SPEC §10: the service records, from records.py
        "compliance": None,
        "visits": None,
        "warnings": warnings,
    }
    if "service" in data:
        from .service import handover_check, maintenance_calendar, service_facts

        service = data["service"]
        facts["service"] = service_facts(service, facts["project"]["locale"])
        facts["maintenance"] = maintenance_calendar(service, calendar, warnings, sources["service"])
        facts["handover"] = handover_check(service, meetings, report_date, calendar, warnings, sources)
        from .records import derive_records

        records = derive_records(sources, facts, calendar)
        facts.update(faults=records.faults, compliance=records.compliance, visits=records.visits)
        warnings.extend(records.warnings)
    return facts


def _calendar(cal: dict) -> WorkCalendar:
    return WorkCalendar(frozenset(D(d) for d in cal.get("holidays") or []),
                        frozenset(D(d) for d in cal.get("workdays") or []),
                        frozenset(cal.get("complete_years") or []))


def _project(project: dict) -> dict:
    p = project["project"]
    return {"code": p["code"], "name": text(p["name"]), "contract": text(p["contract"]),
            "contract_name": text(p.get("contract_name")), "contract_signed": p.get("contract_signed"),
            "version": text(p.get("version")) or "1.0", "locale": p.get("locale", "zh-CN"),
            "summary": p.get("summary")}


def _criterion(raw: dict, tests: list[dict]) -> dict:
    """One criterion with its derived result, from the tests of that criterion."""
    metric = raw.get("metric")
    history = by_date(tests)
    for test in history:
        test["derived_result"] = metric_result(metric, test["measured"]) if metric else test.get("result")
    last = latest(history)
    return {
        "id": raw["id"], "category": raw["category"], "title": text(raw["title"]),
        "requirement": text(raw.get("requirement")), "description": raw.get("description"),
        "method": text(raw["method"]), "core": raw.get("core", True), "characteristic": raw.get("characteristic"),
        "metric": ({"target": text(metric["target"]), "operator": metric["operator"], "unit": text(metric["unit"])}
                   if metric else None),
        "conditions": text(raw.get("conditions")),
        "result": last["derived_result"] if last else "untested",
        "measured": last["measured"] if last and metric else None,
        "latest": _test_view(last) if last else None,
        "history": [_test_view(t) for t in history],
    }


def _test_view(test: dict) -> dict:
    return {"date": test["date"], "result": test["derived_result"], "measured": test.get("measured"),
            "tester": test["tester"], "evidence": test.get("evidence"), "note": test.get("note")}


def metric_result(metric: dict, measured: str | None) -> str | None:
    if measured is None:
        return None
    holds = OPERATORS[metric["operator"]](Decimal(str(measured)), Decimal(str(metric["target"])))
    return "pass" if holds else "fail"


def _materials(raw: list[dict], reviews: list[dict]) -> list[dict]:
    out = []
    for m in raw:
        mid = m.get("id") or m["kind"]
        mine = by_date([r for r in reviews if r["material"] == mid])
        last = latest(mine)
        out.append({"id": mid, "kind": m["kind"], "title": text(m["title"]), "from": m["from"],
                    "version": text(m.get("version")), "reviews": mine, "review": last,
                    "review_ok": bool(last and last["complete"] and last["accurate"] and last["usable"])
                    if last else None})
    return out


def _issue(raw: dict, as_of: str) -> dict:
    rounds = by_date([dict(r, note=r.get("note")) for r in raw.get("reverification") or []])
    last = latest(rounds)
    closed = bool(last and last["result"] == "pass")
    deferred = bool(raw.get("deferral")) and not closed
    status = "closed" if closed else "deferred" if deferred else "open"
    rect = dict(raw["rectification"]) if raw.get("rectification") else None
    if rect is not None:
        rect["report"] = text(rect.get("report")) or f"RC-{raw['id']}"
        for key in ("cause", "completed", "self_test"):  # optional: present as None so documents can test them
            rect.setdefault(key, None)
    deferral = dict(raw["deferral"]) if raw.get("deferral") else None
    if deferral is not None:
        for key in ("impact", "confirmation"):  # optional: present as None so documents can test them
            deferral.setdefault(key, None)
    return {
        "id": raw["id"], "title": text(raw["title"]), "description": raw.get("description"), "kind": raw["kind"],
        "severity": raw["severity"], "criterion": raw.get("criterion"), "material": raw.get("material"),
        "module": text(raw.get("module")), "found": raw["found"], "responsible": raw["responsible"],
        "owner": raw["owner"], "due": raw["due"], "rectification": rect, "reverification": rounds,
        "latest_reverification": last, "deferral": deferral,
        "status": status, "overdue": status == "open" and raw["due"] < as_of,
    }


def _concerns(criterion: dict | None, material: dict | None) -> dict | None:
    """What an issue is about, as documents name it: its criterion (id, title), else its material (title, version)."""
    if criterion:
        return {"kind": "criterion", "id": criterion["id"], "title": criterion["title"], "version": None}
    if material:
        return {"kind": "material", "id": material["id"], "title": material["title"], "version": material["version"]}
    return None


def document_numbers(code: str) -> dict:
    """The numbers of the package's single documents (SPEC §6), for documents that cite one another."""
    return {d.key: d.number.format(code=code) for d in DOCUMENTS if d.number.startswith("{code}")
            and "{id}" not in d.number}


def _conclusion(criteria: list[dict], issues: list[dict], report_date: datetime.date):
    """SPEC §5: the first rule that matches decides; every match is given as a reason."""
    day = report_date.isoformat()
    open_issues = [i for i in issues if i["status"] == "open"]

    def reason(code, message, ids):
        return {"code": code, "message": message, "ids": sorted(ids)}

    core_failed = [c["id"] for c in criteria if c["core"] and c["result"] == "fail"
                   and not any(i["criterion"] == c["id"] and i["due"] >= day for i in open_issues)]
    core_overdue = [i["id"] for i in open_issues if i["core"] and i["due"] < day]
    if core_failed or core_overdue:
        reasons = []
        if core_failed:
            reasons.append(reason("core_failed", "core criteria failed with no open issue still within its due "
                                  "date: " + ", ".join(core_failed), core_failed))
        if core_overdue:
            reasons.append(reason("core_issue_overdue", "open core issues are past their due date: "
                                  + ", ".join(core_overdue), core_overdue))
        return "fail", reasons

    untested = [c["id"] for c in criteria if c["result"] == "untested"]
    if untested or open_issues:
        reasons = []
        if untested:
            reasons.append(reason("untested", "criteria not yet tested: " + ", ".join(untested), untested))
        if open_issues:
            ids = [i["id"] for i in open_issues]
            reasons.append(reason("open_issues", "issues still open: " + ", ".join(ids), ids))
        return "pending", reasons

    deferred = [i["id"] for i in issues if i["status"] == "deferred"]
    conditional = [c["id"] for c in criteria if c["result"] == "conditional"]
    noncore_failed = [c["id"] for c in criteria if not c["core"] and c["result"] == "fail"]
    if deferred or conditional or noncore_failed:
        reasons = []
        if noncore_failed:
            reasons.append(reason("noncore_failed", "non-core criteria failed, their issues deferred: "
                                  + ", ".join(noncore_failed), noncore_failed))
        if conditional:
            reasons.append(reason("conditional_results", "criteria passed conditionally: "
                                  + ", ".join(conditional), conditional))
        if deferred:
            reasons.append(reason("deferred_issues", "issues deferred by agreement: " + ", ".join(deferred),
                                  deferred))
        return "conditional", reasons
    passed = [c["id"] for c in criteria]
    closed = [i["id"] for i in issues]
    return "pass", [reason("all_passed", f"all {len(passed)} criteria passed and all {len(closed)} issues are "
                           "closed", passed)]


def acceptance_leader(group: list[dict]) -> str:
    """Who signs the report for the group (DOCUMENTS §4): the group leader, else the customer's project lead."""
    for role in ("group_leader", "customer_pm"):
        for member in group:
            if member["role"] == role:
                return member["person"]
    raise AssertionError("validation guarantees a customer_pm in the group")


def _counts(criteria: list[dict], issues: list[dict]) -> dict:
    results = ("pass", "fail", "conditional", "untested")

    def tally(items):
        return {"total": len(items), **{r: sum(c["result"] == r for c in items) for r in results}}

    categories = ("functional", "performance", "security", "documentation")
    return {
        "criteria": tally(criteria),
        "criteria_by_category": {cat: tally([c for c in criteria if c["category"] == cat]) for cat in categories},
        "issues": {"total": len(issues),
                   **{s: sum(i["status"] == s for i in issues) for s in ("open", "closed", "deferred")},
                   "overdue": sum(i["overdue"] for i in issues)},
        "issues_by_severity": {sev: {"total": sum(i["severity"] == sev for i in issues),
                                     **{s: sum(i["severity"] == sev and i["status"] == s for i in issues)
                                        for s in ("open", "closed", "deferred")}}
                               for sev in ("critical", "major", "minor")},
    }


def _meeting(raw: dict, people: dict, code: str) -> dict:
    meeting = dict(raw)
    meeting["number"] = f"{code}-MIN-{raw['id']}"
    meeting["issued"] = raw.get("issued") or raw["date"]
    meeting["title"] = text(raw.get("title"))  # None: the template prints the kind's default title
    for key in MEETING_TEXTS:
        meeting[key] = raw.get(key)
    for key in MEETING_LISTS:
        meeting[key] = raw.get(key) or []
    meeting["present_by_party"] = _by_party([{"person": key} for key in raw["attendees"]], people)
    meeting["absent_by_party"] = _by_party(raw.get("absent") or [], people)
    if not raw.get("signatories"):
        chair = raw["chair"]
        other = [a for a in raw["attendees"] if people[a]["party"] != people[chair]["party"]]
        rank = {role: n for n, role in enumerate(SENIORITY)}
        other.sort(key=lambda a: rank.get(people[a]["role"], len(rank)))  # stable: attendee order on ties
        meeting["signatories"] = [chair] + other[:1]
    return meeting


def _by_party(entries: list[dict], people: dict) -> list[dict]:
    """Meeting participants ({person, reason}) by party for the minutes: customer first, file order within."""
    groups = []
    for party in ("customer", "contractor"):
        members = [{"person": e["person"], "reason": text(e.get("reason"))} for e in entries
                   if people[e["person"]]["party"] == party]
        if members:
            groups.append({"party": party, "members": members})
    return groups


DELIVERY_FIELDS = {"hardware": ("name", "model", "serial", "quantity", "unit", "warranty", "location"),
                   "software": ("name", "version", "medium", "quantity", "license", "sha256"),
                   "documents": ("title", "version", "format", "copies")}


def _delivery(raw: dict | None) -> dict | None:
    """The delivery checklist with every optional field present (None when not given), text as typed."""
    if raw is None:
        return None
    delivery = {"date": raw["date"], "place": text(raw.get("place")), "handed_over_by": raw["handed_over_by"],
                "received_by": raw["received_by"]}
    for key, fields in DELIVERY_FIELDS.items():
        delivery[key] = [{field: (item.get(field) if field in ("quantity", "copies") else text(item.get(field)))
                          for field in fields} for item in raw.get(key) or []]
    return delivery
