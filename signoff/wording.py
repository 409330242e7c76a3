"""Sentences made in Python: every text a document prints that joins facts and catalog words (SPEC §7).

Templates loop over facts and print fields and the texts made here; they never assemble a sentence, choose a
business subset or spell a vocabulary. `document_words(...)` gives one document's texts as plain dicts (printed
through autoescape like any fact). Numbers are worded with Babel's plural categories: a catalog entry that
depends on a count is a mapping `{one: …, other: …}` (zh-CN needs `other` only); an exact count `=N` comes
first where English words a number ("both criteria", not "all 2 criteria").
"""
from __future__ import annotations

import datetime
import re
import string
from typing import Callable

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from .vocab import FLAGGED_RESULTS

# Vocabulary tables the documents choose by (one place; the coordinator may move them into the model).
CONTRACT_KIND = "contract"  # the material that names the contract
BASIS_KINDS = ("srs", "design")  # materials the report cites as the basis of acceptance, after the contract
REVIEWED_PARTY = "contractor"  # a material from this party is listed in the document review even unreviewed
DETAIL_CATEGORIES = ("functional", "security", "documentation")  # report §5.2, in this order
MEASURED_CATEGORY = "performance"  # report §5.3
ALARM_RESULTS = ("fail", "untested")  # printed in bold
CONCLUSIONS = ("pass", "conditional", "fail")  # the boxes of the report's conclusion line
ACCEPTED = ("pass", "conditional")
FORM_CHANNELS = ("phone", "email", "portal")  # the contacts printed under the fault form
PARTIES = ("customer", "contractor")
_BABEL = {"zh-CN": "zh_Hans_CN", "en": "en_GB"}
# Chinese sets a space between a Chinese character and a Latin word or number ("问题 ISS-004"), never beside
# full-width punctuation: "…12月25日） 经双方…" came from a catalog space after an item ending in "）". Only the
# catalog's spaces go (`fill`): the data's text is printed as written.
_FULL_WIDTH_PUNCT = "（）、，。；：《》〈〉“”‘’！？【】"
_SPACE_BY_PUNCT = re.compile(rf" +(?=[{_FULL_WIDTH_PUNCT}])|(?<=[{_FULL_WIDTH_PUNCT}]) +")
_FORMATTER = string.Formatter()


def after_name(name: str, text: str) -> str:
    """A Chinese catalog text as it follows a name: without its leading 项目 when the name ends with one
    (…建设项目 + 项目验收启动会, 《…建设项目》 + 项目合同)."""
    if name.endswith("项目"):
        if text.startswith("项目"):
            return text[2:]
        if text.startswith("》项目"):
            return "》" + text[3:]
    return text


_ARTICLES = ("the", "a", "an", "our")


def opening(name: str) -> str:
    """A name as it opens a sentence or a line: a leading English article capitalised ("the Customer" → "The
    Customer"); any other name as written ("iFlytek", "zte", "vivo", Chinese)."""
    first = name.split(" ", 1)[0]
    return name[:1].upper() + name[1:] if first in _ARTICLES and " " in name else name


def inside(text: str, locale: str) -> str:
    """A label as it reads inside a sentence or brackets: an English first word that is capitalised only as a
    label's first word ("By phone", "Resolve or …") in lower case; any other ("IT", "iFlytek", Chinese) as
    written."""
    first = text.split(" ", 1)[0]
    if locale == "en" and len(first) > 1 and first[0].isupper() and first[1:].islower():
        return text[:1].lower() + text[1:]
    return text


PARTY_VALUES = ("short", "customer", "contractor")  # the values that hold a party's name
_SENTENCE_END = re.compile(r"(?:^|[.!?]\s+)$")


def put_name(text: str, mark: str, name: str) -> str:
    """`text` with `name` for every `mark` in it, `opening(name)` where the mark opens a sentence (the rule
    `fill` follows for a party's name)."""
    if mark not in text:
        return text
    parts = text.split(mark)
    out = parts[0]
    for part in parts[1:]:
        out += (opening(name) if _SENTENCE_END.search(out) else name) + part
    return out


def with_parties(labels, customer: str, contractor: str):
    """The catalog with `{a}` / `{b}` replaced by the parties' own short names (甲方 / Party A / Customer, as the
    data names them), so that no document mixes the catalog's names with the data's."""
    if isinstance(labels, dict):
        return {key: with_parties(value, customer, contractor) for key, value in labels.items()}
    if isinstance(labels, list):
        return [with_parties(value, customer, contractor) for value in labels]
    if isinstance(labels, str):
        return without_echo(put_name(put_name(labels, "{a}", customer), "{b}", contractor), (customer, contractor))
    return labels


def without_echo(text: str, names) -> str:
    """`text` without a name's short form in brackets right after a name that is the same: a party named as its
    short name (init's "Customer") printed "Customer (Customer)" and "甲方（甲方）"."""
    for name in names:
        if name:
            text = text.replace(f"{name} ({name})", name).replace(f"{name}（{name}）", name)
    return text


def fill(text: str, locale: str, **values) -> str:
    """`text.format(**values)`; in Chinese without the catalog text's spaces beside full-width punctuation, its
    own or one beside a value that begins or ends with such punctuation, and without a 项目 doubled where a value
    meets what follows it (`after_name`); a party's name not echoed by its short name (`without_echo`). The values
    are otherwise untouched."""
    filled = _filled(text, locale, **values)
    parties = [values[key] for key in PARTY_VALUES if isinstance(values.get(key), str)]
    return without_echo(filled, parties) if parties else filled


def _filled(text: str, locale: str, **values) -> str:
    if locale != "zh-CN":
        if not any(f"{{{key}}}" in text for key in PARTY_VALUES):
            return text.format(**values)
        out, literal = [], ""  # a party's name that opens a sentence: opening()
        for piece, field, spec, conversion in _FORMATTER.parse(text):
            literal += piece
            out.append(piece)
            if field is not None:
                obj, _ = _FORMATTER.get_field(field, (), values)
                value = _FORMATTER.format_field(_FORMATTER.convert_field(obj, conversion), spec or "")
                if field in PARTY_VALUES and _SENTENCE_END.search(literal):
                    value = opening(value)
                out.append(value)
                literal += value
        return "".join(out)
    parts = []  # the catalog's text and the values, in turn: text, value, text, …, text
    literal = ""
    for piece, field, spec, conversion in _FORMATTER.parse(text):
        literal += piece
        if field is not None:
            obj, _ = _FORMATTER.get_field(field, (), values)
            value = _FORMATTER.format_field(_FORMATTER.convert_field(obj, conversion), spec or "")
            if value:  # an empty value leaves the text on its two sides as one
                parts += [literal, value]
                literal = ""
    parts.append(literal)
    out = []
    for n, part in enumerate(parts):
        if n % 2 == 1 and n > 2 and not parts[n - 1]:  # a value right after a value
            part = after_name(parts[n - 2], part)
        if n % 2 == 1 and _in_title_marks(part) and parts[n - 1].endswith("《") and parts[n + 1].startswith("》"):
            part = part[1:-1]  # a contract's name typed 《…》, put inside the catalog's own: 《《…》》
        if n % 2 == 0:
            part = _SPACE_BY_PUNCT.sub("", part if n == 0 else after_name(parts[n - 1], part))
            if n > 0 and parts[n - 1][-1] in _FULL_WIDTH_PUNCT:
                part = part.lstrip(" ")
            if n + 1 < len(parts) and parts[n + 1][0] in _FULL_WIDTH_PUNCT:
                part = part.rstrip(" ")
        out.append(part)
    return "".join(out)


def _in_title_marks(value: str) -> bool:
    """Whether `value` is one title in its own 《》 (《合同》, not 《甲》与《乙》)."""
    return len(value) > 2 and value[0] == "《" and value[-1] == "》" and "《" not in value[1:-1] \
        and "》" not in value[1:-1]


_DATE_PATTERNS = {"zh-CN": ("zh_CN", "y年M月d日"), "en": ("en_GB", "d MMMM y")}


def long_date(value, locale: str) -> str:
    """`2026年11月25日` / `25 November 2026`."""
    if value is None:
        return ""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    babel_locale, pattern = _DATE_PATTERNS[locale]
    return format_date(day, pattern, locale=babel_locale)


def month_name(month: int, locale: str) -> str:
    """The month's name in the locale's calendar: "December" (the Chinese catalog writes the number, 2026年12月)."""
    return format_date(datetime.date(2000, month, 1), "MMMM", locale=_DATE_PATTERNS[locale][0])


class Words:
    """One locale's catalog, with its plural rules and its way of writing dates: `words[key]` is an entry as the
    catalog has it."""

    def __init__(self, labels: dict, locale: str, date: Callable[[object], str] | None = None):
        self.labels = labels
        self.locale = locale
        self.date = date
        self._plural = Locale.parse(_BABEL[locale]).plural_form

    def __getitem__(self, key: str):
        return self.labels[key]

    def entry(self, key: str, count: int | None = None, /) -> str:
        """The catalog text of `key`; an entry by plural category is chosen by `count`."""
        return self.entry_of(self.labels[key], count)

    def entry_of(self, text, count: int | None = None, /) -> str:
        if isinstance(text, dict):
            text = text.get(f"={count}") or text.get(self._plural(count), text["other"])
        return text

    def say(self, key: str, count: int | None = None, /, **values) -> str:
        return self.fill(self.entry(key, count), **values)

    def fill(self, text: str, **values) -> str:
        """A catalog text with its values (see `fill`)."""
        return fill(text, self.locale, **values)

    def join(self, items) -> str:
        return self.labels["list_sep"].join(str(item) for item in items)

    def listing(self, items) -> str:
        """The items as a sentence lists them: "A, B and C", "A、B和C" (Babel's list patterns)."""
        return format_list([str(item) for item in items], locale=_BABEL[self.locale])


def _people_words(words: Words, people: dict) -> dict:
    person = words.labels["person"]
    return {key: words.fill(person, name=p["name"], title=p["title"]) for key, p in people.items()}


def _names(people: dict, keys, words: Words) -> str:
    return words.join(people[key]["name"] for key in keys)


def _duration(words: Words, t: dict) -> str:
    if str(t["amount"]) == "1":
        return words.labels["duration_one"][t["unit"]]
    return words.fill(words.labels["duration"][t["unit"]], n=t["amount"])


def _metric(words: Words, c: dict) -> str | None:
    m = c.get("metric")
    return words.fill("{operator} {target} {unit}", operator=words.labels["operator"][m["operator"]],
                      target=m["target"], unit=m["unit"]) if m else None


def _deferred(facts) -> list:
    return [i for i in facts["issues"] if i["status"] == "deferred"]


def _flagged(facts) -> list:
    return [c for c in facts["criteria"] if c["result"] in FLAGGED_RESULTS]


def common_words(words: Words, facts) -> dict:
    project = facts["project"]
    contract_line = str(project["contract"])
    if project.get("contract_name"):
        contract_line += words.say("contract_name_fmt", name=project["contract_name"])
    return {"contract_line": contract_line, "who": _people_words(words, facts["people"]),
            "alarm": ALARM_RESULTS, "deferred": _deferred(facts)}


def _confirmation(w: Words, f, output) -> dict:
    p, a = f["project"], f["acceptance"]
    # a named contract is cited by its name, as the delivery checklist and the agreement cite it ("《…》项目合同
    # （合同编号：…，合同名称：…建设项目合同" named it twice, the first time wrongly)
    if p.get("contract_name"):
        intro = w.say("intro_named", name=p["contract_name"], contract=p["contract"])
    else:
        intro = w.say("intro", project=p["name"], contract=p["contract"])
    if p.get("contract_signed"):
        intro += w.say("contract_signed", date=w.date(p["contract_signed"]))
    intro += w.say("intro_end", project=p["name"])
    method = w.say("window", start=w.date(a["window"]["start"]), end=w.date(a["window"]["end"]))
    if a.get("place"):
        method += w.say("place", place=a["place"])
    if a.get("method"):
        method += w.say("method", method=a["method"])
    n = len(f["criteria"])
    return {"heading": w.say("heading", project=p["name"]), "intro": intro, "method": method,
            "continued": {c["id"]: w.say("continued", id=c["id"]) for c in f["criteria"]},
            "statement": [w.fill(w.entry_of(line, n), count=n) for line in w.labels["statement"]],
            "metric": {c["id"]: _metric(w, c) for c in f["criteria"]},
            "conditions": {c["id"]: w.say("conditions", conditions=c["conditions"]) if c.get("conditions") else None
                           for c in f["criteria"]}}


def _title_lines(w: Words, lines: list[str]) -> list[str]:
    """A title printed over lines, read as one: in Chinese a line does not repeat the 项目 the one before ends with
    (…建设项目 / 验收启动会会议纪要)."""
    if w.locale != "zh-CN":
        return lines
    return lines[:1] + [after_name(before, line) for before, line in zip(lines, lines[1:])]


_MINUTES_SECTIONS = ("process", "schedule", "test_methods", "disputes", "decisions", "actions")  # minutes.html.j2


def _minutes(w: Words, f, output) -> dict:
    m = output.subject
    meeting = m["title"] or w.labels["meeting_kind"][m["kind"]]
    who = _people_words(w, f["people"])
    if m.get("end_time"):
        time = w.say("time_range", date=w.date(m["date"]), start=m["time"], end=m["end_time"])
    else:
        time = w.say("time_start", date=w.date(m["date"]), start=m["time"])

    def groups(by_party):
        lines = []
        for g in by_party:
            party = f["parties"][g["party"]]
            members = [who[p["person"]] + (w.say("reason", reason=p["reason"]) if p.get("reason") else "")
                       for p in g["members"]]
            lines.append(w.say("party_group", short=party["short"], name=party["name"]) + w.join(members))
        return lines

    return {"heading": _title_lines(w, [w.fill(line, project=f["project"]["name"], meeting=meeting)
                                         for line in w.labels["heading"]]),
            "time": time, "present": groups(m["present_by_party"]), "absent": groups(m["absent_by_party"] or []),
            # "the minutes follow" only when some do (a handover may record no agenda, decision or action)
            "opening": w.say("opening" if any(m.get(k) for k in _MINUTES_SECTIONS) else "opening_alone",
                             date=w.date(m["date"]), chair=f["people"][m["chair"]]["name"],
                             location=m["location"], project=f["project"]["name"], meeting=meeting),
            "issued": w.say("issued", recorder=f["people"][m["recorder"]]["name"], date=w.date(m["issued"])),
            "closing": w.labels["closing"].get(m["kind"], w.labels["closing"]["other"])}


def _issue_log(w: Words, f, output) -> dict:
    log, people = f["issue_log"], f["people"]
    as_of = w.date(log["as_of"])
    overdue = f["counts"]["issues"]["overdue"]
    issues = {}
    for i in f["issues"]:
        material = i["material_ref"]
        rect = i["rectification"] or {}
        issues[i["id"]] = {
            "criterion": w.say("criterion_ref", id=i["criterion_ref"]["id"]) if i["criterion_ref"] else None,
            # The material's version today may be a later one than the issue was found in: no version here.
            "material": w.say("material_ref", title=material["title"]) if material else None,
            "module": w.say("module_ref", module=i["module"]) if i["module"] else None,
            "kind": w.say("kind_ref", kind=w.labels["kind"][i["kind"]]),
            "completed": w.say("completed", date=rect["completed"]) if rect.get("completed") else None,
            "report": w.say("report_no", number=rect["report"]) if rect.get("completed") else None,
            "follow_up": i["deferral"]["follow_up"] if i["status"] == "deferred" else None,
            "rounds": [{"label": w.say("reverify_round", n=n), "by": _names(people, r["by"], w)}
                       for n, r in enumerate(i["reverification"], start=1)],
        }
    recorder = people[log["recorder"]] if log.get("recorder") else None
    return {"recorder": w.fill(w.labels["person"], name=recorder["name"], title=recorder["title"]) if recorder else None,
            "overdue_line": (w.say("overdue_line", overdue, count=overdue, date=as_of) if overdue
                             else w.say("overdue_none", date=as_of)),
            "issue": issues, "sign_intro": w.say("sign_intro", date=as_of),
            "deferred_intro": w.say("deferred_intro", f["counts"]["issues"]["deferred"]),
            "continued": {i["id"]: w.say("continued", id=i["id"]) for i in f["issues"]}}


_CRITERIA_REASONS = ("core_failed", "noncore_failed", "conditional_results", "untested")
_DUE_REASONS = ("core_issue_overdue", "open_issues")


def _reason_item(w: Words, code: str, ident: str, criteria: dict, issues: dict) -> str:
    """One id of a reason with the figure that decides it: a measured value, a due date, a follow-up date."""
    if code in _CRITERIA_REASONS:
        c = criteria[ident]
        if c.get("metric") and c.get("measured") is not None and code != "untested":
            return w.say("reason_measured", id=ident, measured=w.fill("{value} {unit}", value=c["measured"],
                                                                      unit=c["metric"]["unit"]),
                         target=_metric(w, c))
        return ident
    if code in _DUE_REASONS:
        return w.say("reason_due", id=ident, due=w.date(issues[ident]["due"]))
    if code == "deferred_issues":
        return w.say("reason_follow_up", id=ident, date=w.date(issues[ident]["deferral"]["follow_up"]))
    return ident


def report_reasons(w: Words, f) -> str:
    """The conclusion's grounds as one sentence of the locale, citing the measured values and dates that decide."""
    counts = f["counts"]
    criteria = {c["id"]: c for c in f["criteria"]}
    issues = {i["id"]: i for i in f["issues"]}
    if f["overridden"]:
        lead = w.say("reasons_lead_derived", derived=w.labels["conclusion"][f["derived_conclusion"]])
    else:
        lead = w.labels["reasons_lead"]
    parts = []
    for r in f["reasons"]:
        if r["code"] == "all_passed":
            n, m = counts["criteria"]["total"], counts["issues"]["total"]
            parts.append(w.fill(w.labels["reason"]["all_passed"], criteria=w.say("all_criteria_passed", n, n=n),
                               issues=w.say("all_issues_closed", m, n=m)))
        else:
            items = w.join(_reason_item(w, r["code"], ident, criteria, issues) for ident in r["ids"])
            parts.append(w.fill(w.entry_of(w.labels["reason"][r["code"]], len(r["ids"])), items=items))
    return lead + w.labels["reason_sep"].join(parts) + w.labels["reason_end"]


def _counts(w: Words, key: str, n: dict) -> str:
    return w.say(key, total=n["total"], **{"pass": n["pass"]}, conditional=n["conditional"], fail=n["fail"],
                 untested=n["untested"])


def _report(w: Words, f, output) -> dict:
    p, a, counts, numbers = f["project"], f["acceptance"], f["counts"], f["numbers"]
    by_category = counts["criteria_by_category"]
    categories = []
    for category in DETAIL_CATEGORIES:
        if by_category[category]["total"]:
            categories.append({"heading": w.say("category_heading", n=len(categories) + 1,
                                                category=w.labels["category"][category]),
                               "counts": _counts(w, "category_counts", by_category[category]),
                               "criteria": [c for c in f["criteria"] if c["category"] == category]})
    n_issues, sev = counts["issues"], counts["issues_by_severity"]
    untested = next((r["ids"] for r in f["reasons"] if r["code"] == "untested"), None) if f["conclusion"] == "pending" else None
    open_ids = next((r["ids"] for r in f["reasons"] if r["code"] == "open_issues"), None) if f["conclusion"] == "pending" else None
    leader = f.get("acceptance_leader")
    leader_person = f["people"][leader] if leader else None
    return {
        "contract_title": p.get("contract_name") or next(
            (m["title"] for m in a["materials"] if m["kind"] == CONTRACT_KIND), w.labels["contract_default"]),
        "basis": [m for m in a["materials"] if m["kind"] in BASIS_KINDS],
        "reviewed": [m for m in a["materials"] if m.get("review") or m["from"] == REVIEWED_PARTY],
        "confirmation_doc": w.say("confirmation_doc", project=p["name"]),
        "outstanding_intro": w.say("outstanding_intro", n_issues["deferred"]),
        "window": w.say("window_value", start=w.date(a["window"]["start"]), end=w.date(a["window"]["end"])),
        "no_summary": w.say("no_summary", contract=p["contract"]),
        "overall": _counts(w, "overall", counts["criteria"]),
        "categories": categories,
        "performance": [c for c in f["criteria"] if c["category"] == MEASURED_CATEGORY],
        "performance_counts": _counts(w, "category_counts", by_category[MEASURED_CATEGORY]),
        "metric": {c["id"]: _metric(w, c) for c in f["criteria"]},
        "conditions": {c["id"]: w.say("conditions", conditions=c["conditions"]) if c.get("conditions") else None
                       for c in f["criteria"]},
        "criterion_issues": {c["id"]: w.say("issues_ref", ids=w.join(c["issues"])) if c["issues"] else None
                             for c in f["criteria"]},
        "issues_summary": w.say("issues_summary", total=n_issues["total"], critical=sev["critical"]["total"],
                                major=sev["major"]["total"], minor=sev["minor"]["total"], closed=n_issues["closed"],
                                deferred=n_issues["deferred"], open=n_issues["open"], overdue=n_issues["overdue"])
        + w.say("issues_ref_log", number=numbers["issue_log"]),
        "boxes": [{"checked": f["conclusion"] == c, "label": w.labels["conclusion"][c]} for c in CONCLUSIONS],
        "reasons": report_reasons(w, f),
        "untested": [c for c in f["criteria"] if c["id"] in untested] if untested else [],
        "open_issues": [i for i in f["issues"] if i["id"] in open_ids] if open_ids else [],
        "override": w.say("override", effective=w.labels["conclusion"][f["conclusion"]]) if f["overridden"] else None,
        "acceptance_date": (w.say("acceptance_date", date=w.date(f["acceptance_date"]))
                            + (w.say("service_period", start=w.date(f["service"]["start"]),
                                     end=w.date(f["service"]["end"]), number=f["service"]["number"])
                               if f.get("service") else "")
                            if f.get("acceptance_date") else None),
        "attachments": [w.say("attachment_item", n=1, title=w.labels["titles"]["confirmation"],
                              number=numbers["confirmation"]),
                        w.say("attachment_item", n=2, title=w.labels["titles"]["issue_log"],
                              number=numbers["issue_log"])],
        "leader_who": (w.say("leader_who", name=leader_person["name"], role=w.labels["role"][leader_person["role"]],
                             title=leader_person["title"]) if leader_person else None),
        "customer_opinion": w.say("customer_opinion", short=f["parties"]["customer"]["short"]),
        "contractor_opinion": w.say("contractor_opinion", short=f["parties"]["contractor"]["short"]),
    }


def _delivery(w: Words, f, output) -> dict:
    p, parties = f["project"], f["parties"]
    short = {"contractor": parties["contractor"]["short"], "customer": parties["customer"]["short"]}
    if p.get("contract_name"):
        intro = w.say("intro_named", name=p["contract_name"], contract=p["contract"], **short)
    else:
        intro = w.say("intro", project=p["name"], contract=p["contract"], **short)
    doc = w.labels["heading_doc"]
    return {"heading": w.say("heading", project=p["name"]),
            "heading_doc": after_name(p["name"], doc) if w.locale == "zh-CN" else doc, "intro": intro,
            "quantity": [w.say("quantity_unit", quantity=h["quantity"], unit=h["unit"])
                         for h in f["delivery"]["hardware"] or []],
            "statement": [w.fill(line, **short) for line in w.labels["statement"]]}


def _examples(w: Words, level) -> str | None:
    if not level["examples"]:
        return None
    # As written: a customer's example may begin with a name ("Oracle …"); the shipped English ones are in lower
    # case, as they read after "For example:".
    return w.labels["examples"] + w.labels["examples_sep"].join(level["examples"]) + w.labels["examples_end"]


def _service_guide(w: Words, f, output) -> dict:
    p, s, parties, handover = f["project"], f["service"], f["parties"], f["handover"]
    maint = s["maintenance"]
    inspection = maint.get("inspection")
    meeting = handover["meeting_date"]
    if meeting and str(meeting) <= str(output.date):  # held only if it took place on or before the guide's date
        handover_text = w.say("handover_held", date=w.date(meeting), number=handover["minutes_number"],
                              deadline=w.date(handover["deadline"]))
    elif meeting:
        handover_text = w.say("handover_planned", date=w.date(meeting), deadline=w.date(handover["deadline"]))
    else:
        handover_text = w.say("handover_due", deadline=w.date(handover["deadline"]))
    return {
        "heading": w.say("heading", project=p["name"]),
        "intro": w.say("intro", customer=parties["customer"]["name"], contractor=parties["contractor"]["name"],
                       project=p["name"]),
        "project": w.say("project_value", project=p["name"], contract=p["contract"]),
        "period": w.say("period_value", start=w.date(s["start"]), end=w.date(s["end"])),
        "period_basis": w.say("period_basis", date=w.date(f["acceptance_date"])) if f.get("acceptance_date") else None,
        "response": [w.say("within", time=_duration(w, level["response_time"])) for level in s["levels"]],
        "examples": [_examples(w, level) for level in s["levels"]],
        "resolution": [w.say("within", time=_duration(w, level["resolution_time"])) for level in s["levels"]],
        "preventive": w.say("preventive", maint["preventive"]["notice_working_days"],
                            every=w.labels["every"][maint["preventive"]["every"]],
                            days=maint["preventive"]["notice_working_days"]),
        "calendar_intro": w.say("calendar_intro", start=w.date(s["start"]), end=w.date(s["end"])),
        "window_range": {kind: [w.say("window_range", start=x["start"], end=x["end"]) for x in windows]
                         for kind, windows in (("preventive", f["maintenance"]["preventive"]),
                                               ("inspection", f["maintenance"]["inspection"] or []))},
        "inspection": (w.say("inspection", inspection["notice_working_days"],
                             frequency=w.labels["per_year"][str(inspection["per_year"])],
                             days=inspection["notice_working_days"]) if inspection else None),
        "maintenance_note": (w.say("provisional_note", years=w.join(f["maintenance"]["uncovered_years"]))
                             if f["maintenance"]["uncovered_years"] else None),
        "handover": handover_text,
        "handover_heading": w.labels["h_handover"]["training" if s.get("training") else "plain"],
        "steps": [{"name": step["name"], "text": step["text"]["escalation" if s.get("escalation") else "plain"]
                   if isinstance(step["text"], dict) else step["text"]} for step in w.labels["steps"]],
        "handover_note": (w.say("provisional_note", years=w.join(handover["uncovered_years"]))
                          if handover["provisional"] else None),
    }


def _rectification(w: Words, f, output) -> dict:
    issue, people = output.subject, f["people"]
    rect, last, concerns = issue["rectification"], issue["latest_reverification"], issue["concerns"]
    if concerns and concerns["kind"] == "criterion":
        concerns_text = w.say("concerns_criterion", id=concerns["id"], title=concerns["title"])
    elif concerns:
        concerns_text = w.say("concerns_material", title=concerns["title"])  # its version then is not known
    elif issue["module"]:
        concerns_text = w.say("concerns_module", module=issue["module"])
    else:
        concerns_text = "—"
    owner = people[issue["owner"]]
    return {
        "heading": w.say("heading", id=issue["id"]), "concerns": concerns_text,
        "request": w.fill(w.labels["request"]["self_tested" if rect.get("self_test") else "plain"],
                          date=w.date(rect["completed"]), contractor=f["parties"][issue["responsible"]]["short"],
                          customer=f["parties"]["customer"]["short"]),
        "applicant": w.fill(w.labels["person"], name=owner["name"], title=owner["title"]),
        "rounds": [_names(people, r["by"], w) for r in issue["reverification"]],
        "verdict": w.say("verdict", result=w.labels["result"][last["result"]]) if last else None,
        "opinion": w.fill(w.labels["opinion"][last["result"]], date=w.date(last["date"])) if last else None,
    }


def _concerns(w: Words, c) -> str:
    if not c:
        return "—"
    if c["kind"] == "criterion":
        return w.say("concerns_criterion", id=c["id"], title=c["title"])
    return w.say("concerns_material", title=c["title"])  # no version: the one it was found in is not known


def _known_test(w: Words, c) -> str | None:
    """The latest test of a criterion known on the agreement's date: its date and result, and its measured value
    or its note (what was measured then, e.g. a retest's 63 % after the 41 % the issue was filed with)."""
    t = c["test"]
    if t is None:
        return None
    line = w.say("known_test", date=w.date(t["date"]), result=w.labels["result"][t["result"]])
    if c["measured"] is not None:
        line += w.say("known_measured", measured=c["measured"], unit=c["unit"])
    if t["note"]:
        line += w.say("known_note", note=t["note"])
    return line


def _agreement(w: Words, f, output) -> dict:
    p, a, parties, people = f["project"], f["acceptance"], f["parties"], f["people"]
    who = _people_words(w, people)
    deferred = _deferred(f)
    agreed = f["agreement"]
    return {
        "heading": [w.fill(line, project=p["name"]) for line in w.labels["heading"]],
        "parties": [{"line": w.say("party_line", short=parties[k]["short"], name=parties[k]["name"]),
                     "address": w.say("address", address=parties[k]["address"]) if parties[k].get("address") else None}
                    for k in PARTIES],
        "intro": w.say("intro_named" if p.get("contract_name") else "intro", len(deferred), project=p["name"],
                       name=p.get("contract_name"), contract=p["contract"], start=w.date(a["window"]["start"]),
                       end=w.date(a["window"]["end"])),
        "issues_intro": w.say("issues_intro", len(deferred), count=len(deferred)),
        "concerns": {i["id"]: _concerns(w, i["concerns"]) for i in deferred},
        # re-verified as its criterion says; a material's issue by reviewing the material again
        "confirmation_default": {i["id"]: w.labels["confirmation_default"][i["concerns"]["kind"] if i["concerns"]
                                                                          else "none"] for i in deferred},
        "not_core": {i["id"]: bool(i["concerns"] and i["concerns"]["kind"] == "criterion") for i in deferred},
        "id_title": {i["id"]: w.say("id_title", id=i["id"], title=i["title"]) for i in deferred},
        "responsible": {i["id"]: w.say("responsible_value", short=parties[i["responsible"]]["short"],
                                       name=parties[i["responsible"]]["name"], owner=who[i["owner"]])
                        for i in deferred},
        "deadline": {i["id"]: w.say("deadline_value", date=w.date(i["deferral"]["follow_up"])) for i in deferred},
        "report_ref": w.say("report_ref", report=f["numbers"]["report"]),
        "criteria_intro": w.say("criteria_intro", date=w.date(output.date)),
        "flagged": agreed["flagged"],
        "related": {c["id"]: w.join(c["issues"]) if c["issues"] else "—" for c in agreed["flagged"]},
        "latest": {c["id"]: _known_test(w, c) for c in agreed["flagged"]},
        "issue_test": {iid: _known_test(w, c) if c else None for iid, c in agreed["concerned"].items()},
    }


def _acceptance_letter(w: Words, f, output) -> dict:
    p, a, s = f["project"], f["acceptance"], f.get("service")
    intro = w.say("intro", project=p["name"], contract=p["contract"], start=w.date(a["window"]["start"]),
                  end=w.date(a["window"]["end"]))
    if a.get("method"):
        intro += w.say("method", method=a["method"])
    intro += w.labels["intro_end"]
    conditional = f["conclusion"] == "conditional"
    flagged = _flagged(f) if conditional else []
    deferred = _deferred(f) if conditional else []
    return {
        "intro": intro,
        "criteria": w.join(w.say("criterion_item", id=c["id"], title=c["title"], result=w.labels["result"][c["result"]])
                           for c in flagged) if flagged else None,
        "deferred_issues": deferred,
        "deferred_text": w.say("deferred_text", len(deferred), count=len(deferred)) if deferred else None,
        "service": (w.say("service_period", start=w.date(s["start"]), end=w.date(s["end"]), number=s["number"])
                    if s else w.labels["no_service"]),
    }


def _fault_form(w: Words, f, output) -> dict:
    s = f["service"]
    level_no = w.labels["level_no"]
    return {
        "ident": w.say("ident", number=output.number, version=f["project"]["version"]),
        "levels": [w.say("level_option", level=level_no[str(x["level"])], name=x["name"]) for x in s["levels"]],
        "sla": [w.say("sla_level", level=w.labels["level_inline"][str(x["level"])],
                      response=_duration(w, x["response_time"]),
                      resolution=_duration(w, x["resolution_time"])) for x in s["levels"]],
        "contacts": [w.fill("{channel} {value}", channel=w.labels["channel_inline"][c["kind"]], value=c["value"])
                     for c in s["channels"]
                     if c["kind"] in FORM_CHANNELS],
    }


_DOCUMENTS = {"confirmation": _confirmation, "minutes": _minutes, "issue_log": _issue_log, "report": _report,
              "delivery": _delivery, "service_guide": _service_guide, "rectification": _rectification,
              "agreement": _agreement, "acceptance_letter": _acceptance_letter, "fault_form": _fault_form}


def document_words(key: str, facts, output, labels: dict, locale: str, date: Callable[[object], str]) -> dict:
    """Every worded text of one output: the shared ones and the document's own."""
    words = Words(labels, locale, date)
    own = _DOCUMENTS[key](words, facts, output) if key in _DOCUMENTS else {}
    texts = {**common_words(words, facts), **own}
    return texts
