"""The registry of documents (SPEC §6): what each one is, when it is built (and why not), its number, file, inputs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .vocab import ACCEPTED, VISIT_PREFIX


@dataclass(frozen=True)
class Document:
    """One kind of document; `each(facts)` lists its subjects (one output each), `[None]` for a single one;
    `why_not(facts)` says why a document that is not built is not (None when it is, or has no single reason)."""

    key: str
    template: str
    file: str
    number: str
    inputs: tuple[str, ...]
    look: str  # "letter": official-letter style; "form": compact ruled tables
    each: Callable[[dict], list]
    dated: Callable[[dict, dict | None], str]  # the document's date
    signers: Callable[[dict, dict | None], list[str]] | None = None  # people keys; None: not signed
    landscape: bool = False
    why_not: Callable[[dict], str | None] = lambda facts: None
    draft: Callable[[dict, dict | None], bool] | None = None  # None: a draft while the conclusion is pending
    view: Callable | None = None  # (facts, subject, labels, long_date) -> the sentences the template prints
    signed: Callable[[dict, dict | None], str | None] | None = None  # the signatures' date; None: the document's


@dataclass(frozen=True)
class Output:
    """One PDF to build: a document for one subject (a meeting, an issue) or for the whole package."""

    document: Document
    subject: dict | None
    file: str
    number: str
    date: str
    signers: tuple[str, ...] | None
    signed: str | None  # the date the signature block prints, None for none

    @property
    def name(self) -> str:
        return self.file.removesuffix(".pdf")


def _once(facts: dict) -> list:
    return [None]


def _if(key: str) -> Callable[[dict], list]:
    return lambda facts: [None] if facts.get(key) else []


def _service_documents(facts) -> list:
    """The service guide and the blank fault form: with service.yaml, and not for a project that failed."""
    return [None] if facts["service"] and facts["conclusion"] != "fail" else []


def _why_no_service_documents(facts) -> str | None:
    if not facts["service"]:
        return "there is no service.yaml"
    if facts["conclusion"] == "fail":
        return "the conclusion is fail"
    return None


def _report_date(facts, subject):
    return facts["report"]["date"]


def _report_signers(facts, subject):
    return facts["report"]["signatories"]


def _reverifiers(facts, subject):
    last = subject["latest_reverification"]
    return last["by"] if last else []


DOCUMENTS = (
    Document("confirmation", "confirmation.html.j2", "01-confirmation.pdf", "{code}-CONF",
             ("project", "criteria"), "letter", _once,
             lambda f, s: f["confirmation"]["date"], lambda f, s: f["confirmation"]["signatories"]),
    Document("minutes", "minutes.html.j2", "02-minutes-{id}.pdf", "{code}-MIN-{order:02d}",
             ("project", "meetings"), "letter", lambda facts: facts["meetings"],
             lambda f, s: s["issued"], lambda f, s: s["signatories"], why_not=lambda f: "there is no meeting"),
    Document("issue_log", "issue_log.html.j2", "03-issue-log.pdf", "{code}-LOG",
             ("project", "criteria", "issues"), "form", _once,
             lambda f, s: f["issue_log"]["as_of"], _report_signers, landscape=True),
    Document("report", "report.html.j2", "04-report.pdf", "{code}-RPT",
             ("project", "criteria", "results", "issues", "report"), "form", _once,
             _report_date, _report_signers),
    Document("delivery", "delivery.html.j2", "05-delivery.pdf", "{code}-DLV",
             ("project", "delivery"), "form", _if("delivery"),
             lambda f, s: f["delivery"]["date"],
             lambda f, s: [f["delivery"]["received_by"], f["delivery"]["handed_over_by"]],
             why_not=lambda f: None if f["delivery"] else "there is no delivery.yaml"),
    Document("service_guide", "service_guide.html.j2", "06-service-guide.pdf", "{code}-SVC",
             ("project", "meetings", "report", "service"), "form", _service_documents,
             lambda f, s: f["handover"]["guide_date"], why_not=_why_no_service_documents),
    Document("rectification", "rectification.html.j2", "07-rectification-{id}.pdf", "{report}",
             ("project", "issues"), "form",
             lambda facts: [i for i in facts["issues"] if (i["rectification"] or {}).get("completed")],
             lambda f, s: s["rectification"]["completed"], _reverifiers,
             why_not=lambda f: "no issue has a completed rectification"),
    Document("agreement", "agreement.html.j2", "08-agreement.pdf", "{code}-AGR",
             ("project", "criteria", "results", "issues", "report"), "letter",
             lambda facts: [None] if facts["deferred_issues"] else [],
             lambda f, s: f["agreement"]["date"], _report_signers, why_not=lambda f: "no issue is deferred"),
    Document("acceptance_letter", "acceptance_letter.html.j2", "09-acceptance-letter.pdf", "{code}-ACK",
             ("project", "criteria", "results", "issues", "report", "service"), "letter",
             lambda facts: [None] if facts["conclusion"] in ACCEPTED else [],
             _report_date, _report_signers, why_not=lambda f: f"the conclusion is {f['conclusion']}"),
    Document("fault_form", "fault_form.html.j2", "10-fault-form.pdf", "{code}-FF",
             ("project", "service"), "form", _service_documents,
             lambda f, s: f["service"]["start"], why_not=_why_no_service_documents),
)

def _record_signers(facts, subject):
    """The customer's signatory only once the record is confirmed, so a draft never shows a customer signature."""
    engineer = subject["engineers"][0]
    return [subject["confirmation"]["by"], engineer] if subject["confirmation"] and not subject["draft"] else [engineer]


def _fault_signed(facts, subject) -> str | None:
    """A ticket's form is dated where it is signed once it is confirmed, or resolved and not reopened since; a
    running ticket's draft (restored but not resolved, or reopened) has no date there (its form's date is the
    records' as_of, a day nobody signed it on)."""
    return subject["date"] if subject["resolved_now"] else None


def _report_period_signers(facts, period) -> list[str]:
    """A service report is issued signed by the service lead; the customer's column is left to the customer, as
    nothing in the records says a report was accepted (it printed the customer contact's signature and seal)."""
    return [facts["service"]["lead"]]


def _why_no_record(facts, reason: str) -> str:
    return "there is no service.yaml" if not facts["service"] else reason


def _service_views():
    from . import record_views  # the service records' sentences (SPEC §10)

    return record_views


def _visit_record(key: str, template: str, file: str, kind: str, reason: str) -> Document:
    """The record of one visit of `kind`: the maintenance record and the inspection report share every rule."""
    return Document(key, template, file, f"{{code}}-{VISIT_PREFIX[kind]}-{{id}}", ("project", "service", "visits"),
                    "form", lambda facts: [v for v in (facts.get("visits") or {"visits": ()})["visits"]
                                           if v["kind"] == kind],
                    lambda f, s: s["date"], _record_signers, draft=lambda f, s: s["draft"],
                    why_not=lambda f: _why_no_record(f, reason),
                    view=lambda f, s, labels, date: _service_views().visit_view(f, s, labels))


DOCUMENTS += (  # SPEC §10: the service year's records, one output per ticket, visit and report period
    Document("fault_record", "fault_record.html.j2", "11-fault-{id}.pdf", "{code}-FF-{id}",
             ("project", "service", "faults"), "form", lambda facts: list(facts.get("faults") or ()),
             lambda f, s: s["date"], _record_signers, draft=lambda f, s: s["draft"],
             why_not=lambda f: _why_no_record(f, "no fault ticket is recorded (faults.yaml)"),
             view=lambda f, s, labels, date: _service_views().fault_record_view(f, s, labels, date),
             signed=_fault_signed),
    _visit_record("maintenance_record", "maintenance_record.html.j2", "12-maintenance-{id}.pdf", "preventive",
                  "no preventive visit is recorded (visits.yaml)"),
    _visit_record("inspection_report", "inspection_report.html.j2", "13-inspection-{id}.pdf", "inspection",
                  "no inspection is recorded (visits.yaml)"),
    Document("service_report", "service_report.html.j2", "14-service-report-{id}.pdf", "{code}-SR-{id}",
             ("project", "service", "faults", "visits"), "form",
             lambda facts: list(facts["compliance"]["periods"]) if facts.get("compliance") else [],
             lambda f, s: s["date"],
             _report_period_signers, draft=lambda f, s: False,
             why_not=lambda f: _why_no_record(f, "no report period has begun on the records' as_of"),
             view=lambda f, s, labels, date: _service_views().service_report_view(f, s, labels, date)),
)
DOCUMENT_KEYS = tuple(d.key for d in DOCUMENTS)


def plan_outputs(facts: dict, only: tuple[str, ...] = ()) -> list[Output]:
    """Every PDF the facts call for, in registry order; `only` keeps the named document keys."""
    code = facts["project"]["code"]
    outputs = []
    for document in DOCUMENTS:
        if only and document.key not in only:
            continue
        for subject in document.each(facts):
            ident = subject["id"] if subject else ""
            report = (subject.get("rectification") or {}).get("report", "") if subject else ""
            order = subject.get("order", 0) if subject else 0  # a meeting's: its minutes are numbered by it
            signers = document.signers(facts, subject) if document.signers else None
            date = document.dated(facts, subject)
            outputs.append(Output(document, subject, document.file.format(id=ident),
                                  document.number.format(code=code, id=ident, report=report, order=order),
                                  date, tuple(signers) if signers is not None else None,
                                  document.signed(facts, subject) if document.signed else date))
    return outputs


def not_built(facts, only: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(key, reason) for every document the facts do not call for, in registry order, e.g.
    ("service_guide", "the conclusion is fail"); `only` keeps the named document keys."""
    return [(document.key, document.why_not(facts)) for document in DOCUMENTS
            if (not only or document.key in only) and not document.each(facts) and document.why_not(facts)]
