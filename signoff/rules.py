"""The rules of SPEC §4–§5 that tie values and files together: references, required roles, dates, the conclusion."""
from __future__ import annotations

import re

from .errors import Problem
from .facts import CONTRACTOR_ROLES, CUSTOMER_ROLES, D, metric_result
from .sources import Source

REQUIRED_ROLES = ("customer_pm", "contractor_pm", "tech_lead", "qa_lead")
REQUIRED_MATERIALS = ("srs", "design", "test_report", "user_manual", "training_record")
DURATION_MINUTES = {"min": 1, "h": 60, "wd": 8 * 60}  # a working day is 8 working hours
_DURATION = re.compile(r"([0-9.]+) ?(min|h|wd)\Z")


class _Checker:
    """Collects problems against the sources; each helper reports at the value that breaks the rule."""

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.problems: list[Problem] = []
        project = sources["project"].data
        self.people = project["people"]
        self.materials = {m.get("id") or m["kind"] for m in project["acceptance"]["materials"]}
        self.criteria = {c["id"] for c in sources["criteria"].data["criteria"]}

    def error(self, name: str, path: tuple, message: str, severity: str = "error") -> None:
        self.problems.append(self.sources[name].problem(path, message, severity))

    def person(self, name: str, path: tuple, key, party: str | None = None) -> bool:
        if key not in self.people:
            self.error(name, path, f"'{key}' is not a person defined under people in project.yaml")
            return False
        if party and self.people[key]["party"] != party:
            self.error(name, path, f"'{key}' ({self.people[key]['name']}) is not a {party} person")
            return False
        return True

    def both_parties(self, name: str, path: tuple, keys: list) -> None:
        ok = [k for n, k in enumerate(keys) if self.person(name, path + (n,), k)]
        parties = {self.people[k]["party"] for k in ok}
        if len(ok) == len(keys) and parties != {"customer", "contractor"}:
            self.error(name, path, "needs at least one person of each party (customer and contractor)")

    def unique(self, name: str, path: tuple, items: list, key, what: str) -> None:
        seen = {}
        for n, item in enumerate(items):
            value = key(item)
            if value in seen:
                self.error(name, path + (n, "id"), f"{what} '{value}' is defined twice (first as item {seen[value]})")
            else:
                seen[value] = n

    def date_order(self, name: str, path: tuple, earlier, later, message: str) -> None:
        if earlier is not None and later is not None and D(later) < D(earlier):
            self.error(name, path, message)


def check_references(sources: dict[str, Source]) -> list[Problem]:
    """Every reference resolves and every id is unique: what derive_facts relies on."""
    c = _Checker(sources)
    project = sources["project"].data
    acceptance = project["acceptance"]
    roles = set()
    for n, member in enumerate(acceptance["group"]):
        if c.person("project", ("acceptance", "group", n, "person"), member["person"]):
            party = c.people[member["person"]]["party"]
            allowed = CUSTOMER_ROLES if party == "customer" else CONTRACTOR_ROLES
            if member["role"] not in allowed:
                c.error("project", ("acceptance", "group", n, "role"),
                        f"'{member['role']}' is not a role for a {party} person ({', '.join(allowed)})")
            roles.add(member["role"])
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if missing:
        c.error("project", ("acceptance", "group"), f"the acceptance group has no {', '.join(missing)}")
    c.unique("project", ("acceptance", "materials"), acceptance["materials"], lambda m: m.get("id") or m["kind"],
             "material")
    submitted = {m["kind"] for m in acceptance["materials"] if m["from"] == "contractor"}
    lacking = [k for k in REQUIRED_MATERIALS if k not in submitted]
    if lacking:
        c.error("project", ("acceptance", "materials"),
                f"the contractor has not submitted: {', '.join(lacking)}")

    criteria = sources["criteria"].data
    c.both_parties("criteria", ("confirmed", "signatories"), criteria["confirmed"]["signatories"])
    c.unique("criteria", ("criteria",), criteria["criteria"], lambda x: x["id"], "criterion")
    for n, item in enumerate(criteria["criteria"]):
        if not item.get("metric") and not item.get("description"):
            c.error("criteria", ("criteria", n), "needs a description (or a metric)")

    if "meetings" in sources:
        _check_meetings(c, sources["meetings"].data["meetings"])
    _check_results(c, sources["results"].data, criteria["criteria"])
    if "issues" in sources:
        _check_issues(c, sources["issues"].data)
    c.both_parties("report", ("signatories",), sources["report"].data["signatories"])
    if "delivery" in sources:
        delivery = sources["delivery"].data
        c.person("delivery", ("handed_over_by",), delivery["handed_over_by"], "contractor")
        c.person("delivery", ("received_by",), delivery["received_by"], "customer")
    if "service" in sources:
        _check_service(c, sources)
    return c.problems


def _check_meetings(c: _Checker, meetings: list[dict]) -> None:
    c.unique("meetings", ("meetings",), meetings, lambda m: m["id"], "meeting")
    for n, m in enumerate(meetings):
        at = ("meetings", n)
        for field in ("chair", "recorder"):
            c.person("meetings", at + (field,), m[field])
        for field in ("attendees", "signatories"):
            for k, key in enumerate(m.get(field) or []):
                c.person("meetings", at + (field, k), key)
        for k, absent in enumerate(m.get("absent") or []):
            c.person("meetings", at + ("absent", k, "person"), absent["person"])
        for k, action in enumerate(m.get("actions") or []):
            c.person("meetings", at + ("actions", k, "owner"), action["owner"])
        if m["kind"] == "kickoff":
            for field in ("process", "schedule", "test_methods", "disputes"):
                if not m.get(field):
                    c.error("meetings", at, f"a kickoff meeting must state {field}")
        if m.get("end_time") and m["end_time"] <= m["time"]:
            c.error("meetings", at + ("end_time",), f"{m['end_time']} is not after the start time {m['time']}")
        if m.get("signatories"):
            c.both_parties("meetings", at + ("signatories",), m["signatories"])
        elif m["chair"] in c.people and not any(
                a in c.people and c.people[a]["party"] != c.people[m["chair"]]["party"] for a in m["attendees"]):
            c.error("meetings", at + ("attendees",), "no attendee of the other party to sign beside the chair; "
                    "list one, or give signatories")


def _check_results(c: _Checker, results: dict, criteria: list[dict]) -> None:
    by_id = {x["id"]: x for x in criteria}
    for n, test in enumerate(results.get("tests") or []):
        at = ("tests", n)
        criterion = by_id.get(test["criterion"])
        if criterion is None:
            c.error("results", at + ("criterion",), f"'{test['criterion']}' is not a criterion in criteria.yaml")
        elif criterion.get("metric"):
            if test.get("measured") is None:
                c.error("results", at, f"{test['criterion']} has a metric: state what was measured (measured:)")
        else:
            if test.get("measured") is not None:
                c.error("results", at + ("measured",), f"{test['criterion']} has no metric to measure against")
            if test.get("result") is None:
                c.error("results", at, "result is required (pass, fail or conditional)")
        c.person("results", at + ("tester",), test["tester"])
    for n, review in enumerate(results.get("documents") or []):
        if review["material"] not in c.materials:
            c.error("results", ("documents", n, "material"),
                    f"'{review['material']}' is not a material id in project.yaml")
        c.person("results", ("documents", n, "reviewer"), review["reviewer"])


def _check_issues(c: _Checker, log: dict) -> None:
    if log.get("recorder") is not None:
        c.person("issues", ("recorder",), log["recorder"])
    c.unique("issues", ("issues",), log["issues"], lambda i: i["id"], "issue")
    for n, issue in enumerate(log["issues"]):
        at = ("issues", n)
        if issue.get("criterion") is not None and issue["criterion"] not in c.criteria:
            c.error("issues", at + ("criterion",), f"'{issue['criterion']}' is not a criterion in criteria.yaml")
        if issue.get("material") is not None and issue["material"] not in c.materials:
            c.error("issues", at + ("material",), f"'{issue['material']}' is not a material id in project.yaml")
        c.person("issues", at + ("found", "by"), issue["found"]["by"])
        c.person("issues", at + ("owner",), issue["owner"], issue["responsible"])
        for k, round_ in enumerate(issue.get("reverification") or []):
            c.both_parties("issues", at + ("reverification", k, "by"), round_["by"])


def _check_service(c: _Checker, sources: dict) -> None:
    service = sources["service"].data
    c.person("service", ("lead",), service["lead"], "contractor")
    c.person("service", ("customer_contact",), service["customer_contact"], "customer")
    for field in ("desk", "engineers"):
        for k, key in enumerate(service.get(field) or []):
            c.person("service", (field, k), key, "contractor")
    c.date_order("service", ("end",), service["start"], service["end"], "the service ends before it starts")
    meeting_id = service.get("handover_meeting")
    if meeting_id is not None:
        meetings = sources["meetings"].data["meetings"] if "meetings" in sources else []
        kinds = {m["id"]: m["kind"] for m in meetings}
        if meeting_id not in kinds:
            c.error("service", ("handover_meeting",), f"'{meeting_id}' is not a meeting in meetings.yaml")
        elif kinds[meeting_id] != "handover":
            c.error("service", ("handover_meeting",), f"meeting '{meeting_id}' is of kind {kinds[meeting_id]}, "
                    "not handover")
    levels = service.get("levels") or []
    c.unique("service", ("levels",), levels, lambda x: x["level"], "level")


def _minutes(duration: str) -> float:
    number, unit = _DURATION.match(duration).groups()
    return float(number) * DURATION_MINUTES[unit]


def check_rules(sources: dict[str, Source], facts: dict) -> list[Problem]:
    """The rules judged on derived facts: results, statuses, the conclusion, dates and calendars."""
    c = _Checker(sources)
    report_date = facts["report"]["date"]
    criteria = {x["id"]: x for x in facts["criteria"]}
    issues = facts["issues"]
    named = {i["criterion"] for i in issues if i["criterion"]}
    named_materials = {i["material"] for i in issues if i["material"]}
    results = sources["results"].data

    latest_test_index = {}
    for n, test in enumerate(results.get("tests") or []):
        at = ("tests", n)
        criterion = criteria[test["criterion"]]
        if criterion["metric"] and test.get("result") is not None:
            derived = metric_result(criterion["metric"], test["measured"])
            if derived != test["result"]:
                c.error("results", at + ("result",), f"'{test['result']}' disagrees with the measured value "
                        f"{test['measured']} against {criterion['metric']['operator']} "
                        f"{criterion['metric']['target']} {criterion['metric']['unit']} ({derived})")
        if test.get("result") == "conditional" and criterion["core"]:
            c.error("results", at + ("result",), f"{test['criterion']} is a core criterion and cannot pass "
                    "conditionally")
        c.date_order("results", at + ("date",), test["date"], report_date,
                     f"tested {test['date']}, after the report date ({report_date})")
        previous = latest_test_index.get(test["criterion"])
        if previous is None or test["date"] >= results["tests"][previous]["date"]:
            latest_test_index[test["criterion"]] = n
    for cid, n in latest_test_index.items():
        if criteria[cid]["result"] == "fail" and cid not in named:
            c.error("results", ("tests", n), f"{cid} failed and no issue in issues.yaml names it (criterion: {cid})")

    latest_review_index = {}
    for n, review in enumerate(results.get("documents") or []):
        c.date_order("results", ("documents", n, "date"), review["date"], report_date,
                     f"reviewed {review['date']}, after the report date ({report_date})")
        previous = latest_review_index.get(review["material"])
        if previous is None or review["date"] >= results["documents"][previous]["date"]:
            latest_review_index[review["material"]] = n
    for material in facts["acceptance"]["materials"]:
        n = latest_review_index.get(material["id"])
        if n is not None and not material["review_ok"] and material["id"] not in named_materials:
            c.error("results", ("documents", n), f"the review of '{material['id']}' found it not complete, "
                    f"accurate and usable, and no issue names it (material: {material['id']})")

    if "issues" in sources:
        _check_issue_rules(c, sources["issues"].data, facts, criteria, report_date)
    _check_report(c, sources["report"].data, facts)
    _check_dates(c, sources, facts, report_date)
    return c.problems


def _check_issue_rules(c: _Checker, log: dict, facts: dict, criteria: dict, report_date: str) -> None:
    c.date_order("issues", ("as_of",), log.get("as_of"), report_date,
                 f"as_of {log.get('as_of')} is after the report date ({report_date})")
    materials = {m["id"]: m for m in facts["acceptance"]["materials"]}
    for n, (raw, issue) in enumerate(zip(log["issues"], facts["issues"])):
        at = ("issues", n)
        c.date_order("issues", at + ("due",), raw["found"]["date"], raw["due"],
                     f"{raw['due']} is before the date it was found ({raw['found']['date']})")
        rect = raw.get("rectification") or {}
        c.date_order("issues", at + ("rectification", "completed"), raw["found"]["date"], rect.get("completed"),
                     f"completed {rect.get('completed')}, before the issue was found ({raw['found']['date']})")
        rounds = raw.get("reverification") or []
        if rounds and rect.get("completed"):
            last = max(r["date"] for r in rounds)
            c.date_order("issues", at + ("rectification", "completed"), rect["completed"], last,
                         f"completed {rect['completed']}, after the latest re-verification ({last})")
        for field, value in (("rectification", rect.get("completed")),
                             ("deferral", (raw.get("deferral") or {}).get("agreed"))):
            c.date_order("issues", at + (field,), value, report_date,
                         f"dated {value}, after the report date ({report_date})")
        for k, round_ in enumerate(rounds):
            c.date_order("issues", at + ("reverification", k, "date"), round_["date"], report_date,
                         f"re-verified {round_['date']}, after the report date ({report_date})")
        if raw.get("deferral"):
            if issue["core"]:
                why = "it is critical" if issue["severity"] == "critical" else \
                    f"its criterion {issue['criterion']} is core"
                c.error("issues", at + ("deferral",), f"{issue['id']} cannot be deferred: {why}")
        if issue["status"] == "closed":
            criterion = criteria.get(issue["criterion"])
            if criterion and criterion["result"] == "fail":
                c.error("issues", at + ("reverification",), f"{issue['id']} is closed but {criterion['id']}'s "
                        "latest test still failed: record the re-test in results.yaml")
            material = materials.get(issue["material"])
            if material and material["review_ok"] is False:
                c.error("issues", at + ("reverification",), f"{issue['id']} is closed but the latest review of "
                        f"'{material['id']}' still failed: record the re-review in results.yaml")


def _check_report(c: _Checker, report: dict, facts: dict) -> None:
    stated, reason = report.get("conclusion"), report.get("override_reason")
    derived = facts["derived_conclusion"]
    if reason and not stated:
        c.error("report", ("override_reason",), "an override_reason needs the conclusion it overrides to")
    elif stated and derived == "pending" and stated != "pending":
        c.error("report", ("conclusion",), f"the evidence is still pending ({_because(facts)}); a pending "
                "conclusion cannot be overridden")
    elif stated and not reason and stated != derived:
        c.error("report", ("conclusion",), f"'{stated}' disagrees with the evidence, which gives '{derived}' "
                f"({_because(facts)}); correct it, or give an override_reason")


def _because(facts: dict) -> str:
    return "; ".join(r["message"] for r in facts["reasons"])


def _check_dates(c: _Checker, sources: dict, facts: dict, report_date: str) -> None:
    window = sources["project"].data["acceptance"]["window"]
    c.date_order("project", ("acceptance", "window", "end"), window["start"], window["end"],
                 "the acceptance window ends before it starts")
    if "meetings" in sources:
        for n, m in enumerate(sources["meetings"].data["meetings"]):
            if m["kind"] in ("kickoff", "review"):
                c.date_order("meetings", ("meetings", n, "date"), m["date"], window["end"],
                             f"a {m['kind']} meeting on {m['date']}, after the acceptance window ends "
                             f"({window['end']})")
            if m["kind"] == "handover":
                _check_handover(c, n, m, facts, report_date)
    if "service" in sources:
        service = sources["service"].data
        c.date_order("service", ("start",), report_date, service["start"],
                     f"the service starts {service['start']}, before the report date ({report_date})")
        _check_levels(c, facts["service"]["levels"])


def _check_handover(c: _Checker, n: int, meeting: dict, facts: dict, report_date: str) -> None:
    at = ("meetings", n, "date")
    c.date_order("meetings", at, report_date, meeting["date"],
                 f"the handover meeting on {meeting['date']} is before the report date ({report_date})")
    handover = facts.get("handover")
    if handover and meeting["date"] > handover["deadline"]:
        if handover["provisional"]:
            c.error("meetings", at, f"the handover meeting on {meeting['date']} is after {handover['deadline']}, "
                    "the 7th working day after the report counted on weekends alone; check it against the "
                    "official calendar", severity="warning")
        else:
            c.error("meetings", at, f"the handover meeting on {meeting['date']} is after {handover['deadline']}, "
                    f"the 7th working day after the report date ({report_date})")


def _check_levels(c: _Checker, levels: list[dict]) -> None:
    overrides = {x["level"]: n for n, x in enumerate(c.sources["service"].data.get("levels") or [])}

    def at(level, field):
        n = overrides.get(level["level"])
        return ("levels", n, field) if n is not None else ("levels",)

    for level in levels:
        if _minutes(level["response"]) > _minutes(level["resolution"]):
            c.error("service", at(level, "response"), f"level {level['level']}: the response "
                    f"({level['response']}) is longer than the resolution ({level['resolution']})")
    for urgent, calmer in zip(levels, levels[1:]):
        for field in ("response", "resolution"):
            if _minutes(urgent[field]) > _minutes(calmer[field]):
                c.error("service", at(urgent, field), f"level {urgent['level']} ({urgent[field]}) has a longer "
                        f"{field} than the less urgent level {calmer['level']} ({calmer[field]})")
