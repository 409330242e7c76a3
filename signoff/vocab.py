"""Every vocabulary of the data and the documents, once: the schemas, the rules, the model and the label catalogs
are checked against these tables (tests/test_vocab.py)."""
from __future__ import annotations

import re
from decimal import Decimal

PARTIES = ("customer", "contractor")

# Each role and the party whose people may hold it (None: either), in the order SPEC §4 lists them.
ROLES = {
    "group_leader": "customer",
    "customer_pm": "customer",
    "ops_lead": "customer",
    "contractor_pm": "contractor",
    "tech_lead": "contractor",
    "qa_lead": "contractor",
    "service_lead": "contractor",
    "service_desk": "contractor",
    "engineer": "contractor",
    "member": None,
}
# Seniority for the default meeting signatory: earlier is more senior.
SENIORITY = ("group_leader", "customer_pm", "contractor_pm", "tech_lead", "ops_lead", "qa_lead", "service_lead",
             "service_desk", "engineer", "member")
REQUIRED_ROLES = ("customer_pm", "contractor_pm", "tech_lead", "qa_lead")
# Who signs the report for the group (DOCUMENTS §4): the first of these in the group.
LEADER_ROLES = ("group_leader", "customer_pm")


def roles_of(party: str) -> tuple[str, ...]:
    """The roles a person of `party` may hold."""
    return tuple(role for role, owner in ROLES.items() if owner in (party, None))


CATEGORIES = ("functional", "performance", "security", "documentation")
CHARACTERISTICS = ("functionality", "performance_efficiency", "compatibility", "usability", "reliability",
                   "security", "maintainability", "portability")  # GB/T 25000.10
MATERIAL_KINDS = ("srs", "design", "test_report", "user_manual", "maintenance_manual", "training_record",
                  "contract", "criteria_list", "other")
REQUIRED_MATERIALS = ("srs", "design", "test_report", "user_manual", "training_record")
BASIS_MATERIALS = ("srs", "design")  # the materials the report names as the basis of acceptance

TEST_RESULTS = ("pass", "fail", "conditional")
RESULTS = TEST_RESULTS + ("untested",)  # a criterion's result
REVERIFICATION_RESULTS = ("pass", "fail")
CONCLUSIONS = ("pass", "conditional", "fail", "pending")
STATED_CONCLUSIONS = ("pass", "conditional", "fail")
ACCEPTED = ("pass", "conditional")  # conclusions under which the project is accepted (acceptance date, letter)
FLAGGED_RESULTS = ("fail", "conditional")  # a criterion not fully passed: the agreement and the letter name it
# The conclusion's reason codes (SPEC §5), in the order the report gives them.
REASONS = ("core_failed", "core_issue_overdue", "untested", "open_issues", "noncore_failed", "conditional_results",
           "deferred_issues", "all_passed")

ISSUE_KINDS = ("functional", "performance", "documentation", "other")
SEVERITIES = ("critical", "major", "minor")
STATUSES = ("open", "closed", "deferred")
CONCERNS = ("criterion", "material", "none")  # what an issue concerns (model.Concerns.kind), or nothing

MEETING_KINDS = ("kickoff", "review", "handover", "other")
KICKOFF_PARTS = ("process", "schedule", "test_methods", "disputes")  # what a kickoff meeting must state
MEETINGS_IN_WINDOW = ("kickoff", "review")  # held on or before the end of the acceptance window

OPERATORS = {"<": Decimal.__lt__, "<=": Decimal.__le__, ">": Decimal.__gt__, ">=": Decimal.__ge__,
             "==": Decimal.__eq__}

SERVICE_HOURS = ("7x24", "5x8")
SERVICE_YEARS_MAX = 10  # the longest service period planned: its maintenance calendar, records and reports
CHANNEL_KINDS = ("phone", "email", "portal", "onsite", "other")
FAULT_LEVELS = (1, 2, 3)
MAINTENANCE_MONTHS = {"quarter": 3, "half_year": 6}  # preventive maintenance `every`
INSPECTIONS_PER_YEAR = (1, 2, 3, 4, 6, 12)
NOTICE_WORKING_DAYS = 3  # maintenance notice when the data gives none (SPEC §4)
HANDOVER_WORKING_DAYS = 7  # the handover meeting is held no later than this working day after the report

# Durations: a number and a unit, `15 min`, `2 h`, `8 wd`; a working day is 8 working hours.
DURATION_MINUTES = {"min": 1, "h": 60, "wd": 8 * 60}
DURATION_UNITS = tuple(DURATION_MINUTES)
# At most this many digits before the point: 9999999 min, 99999 h or 9999 wd, each longer than a service period
# can be (99999999 h overflowed the clock: a traceback).
DURATION_DIGITS = {"min": 7, "h": 5, "wd": 4}
# The ONE duration pattern, from those tables: schema.py validates with it, and the JSON Schemas say the same
# (a target of no time is none: "0 min" and "0.0 h" are refused, "0.5 h" is half an hour; three decimals at most)
DURATION_BOUNDED = "(" + "|".join(f"([1-9][0-9]{{0,{digits - 1}}}(\\.[0-9]{{1,3}})?|0\\.(?=[0-9]{{0,2}}[1-9])[0-9]{{1,3}}) ?{unit}"
                                  for unit, digits in DURATION_DIGITS.items()) + ")"
_LIMITS = [f"{'9' * digits} {unit}" for unit, digits in DURATION_DIGITS.items()]
DURATION_LIMITS = ", ".join(_LIMITS[:-1]) + " or " + _LIMITS[-1]  # for messages: "9999999 min, 99999 h or 9999 wd"
# ...and a valid duration's parts (amount, fraction, unit), for values.Duration to read
DURATION = re.compile(f"([1-9][0-9]*|0)(\\.[0-9]+)? ?({'|'.join(DURATION_UNITS)})\\Z")

LOCALES = ("zh-CN", "en")

# ---------------------------------------------------------------- the service year (SPEC §10)
REPORT_PERIODS = ("month", "quarter", "half_year", "year")  # service.report_every; default quarter
FAULT_EVENTS = ("responded", "arrived", "progress_reported", "plan_given", "waiting_customer", "resumed",
                "restored", "resolved", "reopened", "level_changed")
# The events that fulfil each standard level's resolution commitment (overridable per level: resolution_events).
# The events a level's `resolution_events` may name (service.yaml): the ones that can fulfil a commitment.
FULFILLING_EVENTS = ("responded", "arrived", "progress_reported", "plan_given", "restored", "resolved")
RESOLUTION_EVENTS = {1: ("restored", "resolved"), 2: ("resolved", "progress_reported"), 3: ("resolved", "plan_given")}
RESPONSE_MANNERS = ("phone", "remote", "onsite", "email")
# The manners of a first response that keep a level's response_manner (SPEC §4's table); another one counts,
# with a warning.
RESPONSE_MANNERS_BY_LEVEL = {1: ("phone", "onsite"), 2: ("phone", "remote", "onsite"),
                             3: ("phone", "remote", "email", "onsite")}
# The words that name a manner in a response_manner a service writes itself (service.levels): "By e-mail only"
# keeps e-mail (and on site, which always exceeds the promise); a text naming none of them keeps every manner.
MANNER_WORDS = {"phone": ("phone", "call", "电话"), "remote": ("remote", "远程"),
                "email": ("e-mail", "email", "mail", "邮件"), "onsite": ("on site", "on-site", "onsite", "现场", "上门")}
REPORT_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}  # service.report_every, in months
DEFAULT_WORKING_HOURS = ("09:00-17:00",)  # 5x8 working intervals when service.yaml gives none
VERDICTS = ("accepted", "objection")
SATISFACTION = ("very_satisfied", "satisfied", "neutral", "dissatisfied")
TARGET_STATUSES = ("met", "missed", "running", "overdue")
# why a target fulfilled after its due time is met: no service time between, or a pause took it
MET_AFTER_DUE = ("off_hours", "paused")
VISIT_KINDS = ("preventive", "inspection")
VISIT_PREFIX = {"preventive": "PM", "inspection": "INS"}  # their document numbers: {code}-PM-{id}, {code}-INS-{id}
TASK_RESULTS = ("done", "partly", "not_done")
ITEM_STATUSES = ("ok", "warning", "fault")
FINDING_SEVERITIES = ("info", "warning", "fault")
WINDOW_STATUSES = ("done", "late", "missed", "planned", "no_working_day")  # the last: nothing could be planned
NOTICE_STATUSES = ("on_time", "late")
