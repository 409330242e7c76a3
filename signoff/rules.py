"""The rules of SPEC §4–§5 that tie values and files together: references, required roles, dates, the conclusion.

`check_references` runs on the sources (what deriving the model relies on); `check_rules` judges the model,
reporting each problem at the value in the sources that breaks the rule."""
from __future__ import annotations

from decimal import Decimal

from .clock import day_length, parse_intervals
from .errors import Problem
from .model import Facts
from .sources import Source
from .values import D, Duration
from .vocab import (HANDOVER_WORKING_DAYS, KICKOFF_PARTS, MEETINGS_IN_WINDOW, REQUIRED_MATERIALS, REQUIRED_ROLES,
                    SERVICE_YEARS_MAX, roles_of)
from .workdays import add_months


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
        """Signers: each a person, each once (a second signature line for one person), both parties among them."""
        ok = [k for n, k in enumerate(keys) if self.person(name, path + (n,), k)]
        for n, key in enumerate(keys):
            if key in keys[:n]:
                self.error(name, path + (n,), f"'{key}' is listed twice (first as item {keys.index(key)})")
        parties = {self.people[k]["party"] for k in ok}
        if len(ok) == len(keys) and parties != {"customer", "contractor"}:
            self.error(name, path, "needs at least one person of each party (customer and contractor)")

    def unique(self, name: str, path: tuple, items: list, key, what: str, field: str = "id") -> None:
        seen = {}
        for n, item in enumerate(items):
            value = key(item)
            if field == "id" and isinstance(value, str) and len(value) > ID_MAX:
                self.error(name, path + (n, field), id_too_long(value))
            if value in seen:
                self.error(name, path + (n, field), f"{what} '{value}' is defined twice (first as item {seen[value]})")
            else:
                seen[value] = n

    def date_order(self, name: str, path: tuple, earlier, later, message: str) -> None:
        if earlier is not None and later is not None and D(later) < D(earlier):
            self.error(name, path, message)


# An id prints whole in a narrow column (the issue log's, Attachment 1's, a record's number): a longer one took
# pages of its own, and a row continued on the next page repeated it with its continuation mark on every page.
ID_MAX = 32


def id_too_long(value: str) -> str:
    return f"the id is {len(value)} characters long; an id has at most {ID_MAX}"


def check_references(sources: dict[str, Source]) -> list[Problem]:
    """Every reference resolves and every id is unique: what derive_facts relies on."""
    c = _Checker(sources)
    project = sources["project"].data
    acceptance = project["acceptance"]
    roles = set()
    for n, member in enumerate(acceptance["group"]):
        if c.person("project", ("acceptance", "group", n, "person"), member["person"]):
            party = c.people[member["person"]]["party"]
            allowed = roles_of(party)
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
            for field in KICKOFF_PARTS:
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
    if service["start"] is not None and service["end"] is not None and D(service["end"]) > add_months(
            D(service["start"]), 12 * SERVICE_YEARS_MAX):
        c.error("service", ("end",), f"the service period {service['start']} to {service['end']} is longer than "
                f"{SERVICE_YEARS_MAX} years, the longest Signoff plans (its maintenance calendar and reports)")
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
    c.unique("service", ("levels",), levels, lambda x: x["level"], "level", field="level")


def check_rules(sources: dict[str, Source], facts: Facts) -> list[Problem]:
    """The rules judged on the model: results, statuses, the conclusion, dates and calendars."""
    c = _Checker(sources)
    report_date = facts.report.date
    criteria = {x.id: x for x in facts.criteria}
    for criterion in facts.criteria:
        for test in criterion.history:
            at = ("tests", test.index)
            stated = test.stated_result
            if criterion.metric and stated is not None and stated != test.result:
                metric = criterion.metric
                c.error("results", at + ("result",), f"'{stated}' disagrees with the measured value "
                        f"{test.measured} against {metric.operator} {metric.target} {metric.unit} ({test.result})")
            if stated == "conditional" and criterion.core:
                c.error("results", at + ("result",), f"{criterion.id} is a core criterion and cannot pass "
                        "conditionally")
            c.date_order("results", at + ("date",), test.date, report_date,
                         f"tested {test.date}, after the report date ({report_date})")
        if criterion.result == "fail" and not criterion.issues:
            c.error("results", ("tests", criterion.latest.index), f"{criterion.id} failed and no issue in "
                    f"issues.yaml names it (criterion: {criterion.id})")

    for material in facts.acceptance.materials:
        for review in material.reviews:
            c.date_order("results", ("documents", review.index, "date"), review.date, report_date,
                         f"reviewed {review.date}, after the report date ({report_date})")
        if material.review_ok is False and not material.issues:
            c.error("results", ("documents", material.review.index), f"the review of '{material.id}' found it "
                    f"not complete, accurate and usable, and no issue names it (material: {material.id})")

    confirmed = facts.confirmation.date
    c.date_order("criteria", ("confirmed", "date"), confirmed, report_date,
                 f"confirmed {confirmed}, after the report date ({report_date}): the criteria are agreed before "
                 "the acceptance is reported")
    if "issues" in sources:
        _check_issue_rules(c, sources["issues"].data, facts, criteria, report_date)
    _check_report(c, sources["report"].data, facts)
    _check_dates(c, sources, facts, report_date)
    _check_calendar(c, sources["project"].data.get("calendar") or {})
    return c.problems


def _check_issue_rules(c: _Checker, log: dict, facts: Facts, criteria: dict, report_date: str) -> None:
    as_of = facts.issue_log.as_of
    c.date_order("issues", ("as_of",), log.get("as_of"), report_date,
                 f"as_of {log.get('as_of')} is after the report date ({report_date})")
    materials = {m.id: m for m in facts.acceptance.materials}
    reports: dict[str, str] = {}
    for n, (raw, issue) in enumerate(zip(log["issues"], facts.issues)):
        at = ("issues", n)
        found = issue.found.date
        if found > report_date:
            c.error("issues", at + ("found", "date"), f"found {found}, after the report date ({report_date})")
        elif found > as_of:
            c.error("issues", at + ("found", "date"), f"found {found}, after the log's as_of ({as_of})")
        c.date_order("issues", at + ("due",), found, issue.due, f"{issue.due} is before the date it was found "
                     f"({found})")
        rect = issue.rectification
        if rect is not None:
            c.date_order("issues", at + ("rectification", "completed"), found, rect.completed,
                         f"completed {rect.completed}, before the issue was found ({found})")
            if issue.reverification and rect.completed:
                last = issue.reverification[-1].date
                c.date_order("issues", at + ("rectification", "completed"), rect.completed, last,
                             f"completed {rect.completed}, after the latest re-verification ({last})")
            c.date_order("issues", at + ("rectification",), rect.completed, report_date,
                         f"dated {rect.completed}, after the report date ({report_date})")
            where = at + ("rectification", "report") if "report" in raw["rectification"] else at + ("rectification",)
            if rect.report in reports:
                c.error("issues", where, f"{rect.report} is also the rectification report number of "
                        f"{reports[rect.report]}: each report needs its own number")
            else:
                reports[rect.report] = issue.id
        deferral = issue.deferral
        if deferral is not None:
            c.date_order("issues", at + ("deferral",), deferral.agreed, report_date,
                         f"dated {deferral.agreed}, after the report date ({report_date})")
            c.date_order("issues", at + ("deferral", "agreed"), found, deferral.agreed,
                         f"agreed {deferral.agreed}, before the issue was found ({found})")
            c.date_order("issues", at + ("deferral", "follow_up"), deferral.agreed, deferral.follow_up,
                         f"{deferral.follow_up} is before the deferral was agreed ({deferral.agreed})")
        for round_ in issue.reverification:
            where = at + ("reverification", round_.index, "date")
            c.date_order("issues", where, round_.date, report_date,
                         f"re-verified {round_.date}, after the report date ({report_date})")
            c.date_order("issues", where, found, round_.date, f"re-verified {round_.date}, before the issue was found "
                         f"({found})")
        if deferral is not None and issue.core:
            why = "it is critical" if issue.severity == "critical" else f"its criterion {issue.criterion} is core"
            c.error("issues", at + ("deferral",), f"{issue.id} cannot be deferred: {why}")
        if issue.status == "closed":
            criterion = criteria.get(issue.criterion)
            if criterion and criterion.result == "fail":
                c.error("issues", at + ("reverification",), f"{issue.id} is closed but {criterion.id}'s "
                        "latest test still failed: record the re-test in results.yaml")
            material = materials.get(issue.material)
            if material and material.review_ok is False:
                c.error("issues", at + ("reverification",), f"{issue.id} is closed but the latest review of "
                        f"'{material.id}' still failed: record the re-review in results.yaml")


def _check_report(c: _Checker, report: dict, facts: Facts) -> None:
    stated, reason = report.get("conclusion"), report.get("override_reason")
    derived = facts.derived_conclusion
    if reason and not stated:
        c.error("report", ("override_reason",), "an override_reason needs the conclusion it overrides to")
    elif stated and derived == "pending" and stated != "pending":
        c.error("report", ("conclusion",), f"the evidence is still pending ({_because(facts)}); a pending "
                "conclusion cannot be overridden")
    elif stated and not reason and stated != derived:
        c.error("report", ("conclusion",), f"'{stated}' disagrees with the evidence, which gives '{derived}' "
                f"({_because(facts)}); correct it, or give an override_reason")


def _because(facts: Facts) -> str:
    return "; ".join(r.message for r in facts.reasons)


def _check_dates(c: _Checker, sources: dict, facts: Facts, report_date: str) -> None:
    window = facts.acceptance.window
    c.date_order("project", ("acceptance", "window", "end"), window.start, window.end,
                 "the acceptance window ends before it starts")
    for n, m in enumerate(facts.meetings):
        if m.kind in MEETINGS_IN_WINDOW:
            c.date_order("meetings", ("meetings", n, "date"), m.date, window.end,
                         f"a {m.kind} meeting on {m.date}, after the acceptance window ends ({window.end})")
    if facts.service is None:
        return
    service = facts.service
    c.date_order("service", ("start",), report_date, service.start,
                 f"the service starts {service.start}, before the report date ({report_date})")
    _check_levels(c, service.levels, service)
    _check_handover(c, facts, report_date)


def _check_handover(c: _Checker, facts: Facts, report_date: str) -> None:
    """Only service.handover_meeting is the handover meeting (SPEC §5); a late one counted on weekends alone is a
    warning of the facts (service.handover_check)."""
    handover = facts.handover
    n = next((n for n, m in enumerate(facts.meetings) if m.id == handover.meeting), None)
    if n is None:
        return
    at = ("meetings", n, "date")
    c.date_order("meetings", at, report_date, handover.meeting_date,
                 f"the handover meeting on {handover.meeting_date} is before the report date ({report_date})")
    if handover.late and not handover.provisional:
        c.error("meetings", at, f"the handover meeting on {handover.meeting_date} is after {handover.deadline}, "
                f"the {HANDOVER_WORKING_DAYS}th working day after the report date ({report_date})")


def _check_calendar(c: _Checker, calendar: dict) -> None:
    holidays = set(calendar.get("holidays") or [])
    for k, day in enumerate(calendar.get("workdays") or []):
        if day in holidays:
            c.error("project", ("calendar", "workdays", k), f"{day} is also listed under calendar.holidays: a day "
                    "is either a holiday or a working day")


def _check_levels(c: _Checker, levels, service) -> None:
    overrides = {x["level"]: n for n, x in enumerate(c.sources["service"].data.get("levels") or [])}
    # a working day on the service's own clock: its working hours on 5x8, a whole day at least on 7x24 (to the same
    # time on the next working day): 12 h is shorter than 1 wd there, and 7.9 h is longer than 1 wd of 7.5 h
    day = 24 * 60 if service.hours == "7x24" else day_length(parse_intervals(service.working_hours))

    def at(level, field):
        n = overrides.get(level.level)
        return ("levels", n, field) if n is not None else ("levels",)

    def minutes(duration: str):
        parsed = Duration.parse(duration)
        return parsed.minutes if parsed.unit != "wd" else Decimal(parsed.amount) * day

    for level in levels:
        if minutes(level.response) > minutes(level.resolution):
            c.error("service", at(level, "response"), f"level {level.level}: the response "
                    f"({level.response}) is longer than the resolution ({level.resolution})")
    for urgent, calmer in zip(levels, levels[1:]):
        for field in ("response", "resolution"):
            if minutes(urgent[field]) > minutes(calmer[field]):
                c.error("service", at(urgent, field), f"level {urgent.level} ({urgent[field]}) has a longer "
                        f"{field} than the less urgent level {calmer.level} ({calmer[field]})")
