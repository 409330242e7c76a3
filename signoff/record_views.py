"""The sentences of the service-record documents, in the document's language: facts and labels in, text out, so
that the templates only loop and print."""
from __future__ import annotations

import datetime
from functools import lru_cache

from .clock import hours_minutes
from .vocab import SATISFACTION, VERDICTS
from .paths import TEMPLATES_DIR
from .sources import read_project_yaml
from .wording import Words, inside, long_date as locale_date, month_name, with_parties


@lru_cache(maxsize=None)
def _record_labels(locale: str) -> dict:
    return read_project_yaml(TEMPLATES_DIR / "labels" / locale / "records.yaml")


def _shared(facts, labels: dict, long_date=None) -> Words:
    """The document's labels with templates/labels/{locale}/records.yaml on top (its `status`, `result` and
    `severity` are the records' own, not the acceptance issues'), as one catalog: `labels[key]` a text,
    `labels.fill(text, **values)` a sentence."""
    parties = facts["parties"]
    locale = facts["project"]["locale"]
    own = with_parties(_record_labels(locale), parties["customer"]["short"], parties["contractor"]["short"])
    return Words({**labels, **own}, locale, long_date or (lambda value: locale_date(value, locale)))


def _duration(labels: Words, amount: str, unit: str) -> str:
    key = "duration_one" if str(amount) == "1" else "duration"
    return labels[key][unit] if key == "duration_one" else labels.fill(labels[key][unit], n=amount)


def _names(facts, keys, labels) -> str:
    return labels["list_sep"].join(facts["people"][k]["name"] for k in keys)


def _moment(labels: Words, stamp: str) -> str:
    """A time of the records ("2027-01-11 08:30", or a day alone) as running text writes it: the day as the
    locale's long date, then the time ("11 January 2027, 08:30", "2027年1月11日 08:30"); tables keep the ISO form."""
    day, _, time = str(stamp).partition(" ")
    when = labels.date(datetime.date.fromisoformat(day))
    return labels.fill(labels["moment"], date=when, time=time) if time else when


def _level(facts, labels, number: int) -> str:
    level = next(l for l in facts["service"]["levels"] if l["level"] == number)
    return labels.fill(labels["level_option"], level=labels["level_no"][str(number)], name=level["name"])


_SENTENCE_ENDS = ".!?。！？…"
FINDINGS_KEPT_WHOLE = 6  # rows of a visit's findings table kept on one page


def _marked(date: str | None, provisional: bool) -> str:
    """A date or time as printed: with * when it is counted through a year whose holidays are not published yet
    (the document's footnote says so); — for a window's planned date when the window has no working day (as the
    service guide prints it)."""
    if date is None:
        return "—"
    return date + ("*" if provisional else "")  # no space: "2027-03-04 10:00 *" left its * alone on a line


def _due_marked(target) -> bool:
    """Whether _due prints the target's due time with *."""
    return target.due is not None and target.provisional


def _due(labels, target) -> str:
    if target.due is None:
        return labels["due_paused"]
    return _marked(target.due, _due_marked(target))


def _status(labels, target) -> dict:
    """met / missed / running / overdue, and "exempt" beside a miss the customer agreed not to count: the miss
    stays visible (SPEC §10), and no reader takes it for one the figures count. Two parts, so that a narrow cell
    breaks between them (未达标 / （已豁免）, Missed / (exempt)), never inside the mark: in English at the space
    between (WeasyPrint breaks at no <wbr> before a span kept on one line, and "Missed (exempt)" ran out of its
    cell)."""
    exempt = target.exempt
    return {"status": labels["status"][target.status], "exempt": labels["exempt_mark"] if exempt else "",
            "exempt_sep": labels["exempt_sep"] if exempt else ""}


def _target_view(facts, labels, fault, target) -> dict:
    level = next(l for l in facts["service"]["levels"] if l["level"] == fault.level)
    text = _duration(labels, target.amount, target.unit)
    # the level's commitment beside its time, as the service guide states it: the manner of a response (a reply
    # made another way counts, and check warns; the form showed the time alone) and the goal of a resolution
    goal = level.get("response_manner" if target.kind == "response" else "resolution_goal")
    if goal:
        text = labels.fill(labels["target_goal"], target=text, goal=inside(goal, labels.locale))
    # the time so far and its mark on two lines, the mark kept whole: "110:00（截 / 至统计日）" broke inside 截至
    elapsed, so_far = target.elapsed_text, ("" if target.fulfilled_at else labels["elapsed_so_far"])
    cycles = ""
    if len(target.cycles) > 1 or target.cycles and not target.fulfilled_at:  # a reopened cycle still open too
        cycles = labels["list_sep"].join(
            labels.fill(labels["cycle"], n=n, elapsed=c.elapsed_text,
                        verdict=labels["status"]["met" if c.met else "missed"])
            for n, c in enumerate(target.cycles, 1))
    # Met though done after the printed due time: the form says why (no service time between, or a pause), or
    # "due 12:00, done 13:20, met" reads as a mistake.
    return {"label": labels[f"{target.kind}_col"], "target": text, "elapsed": elapsed, "so_far": so_far, "due": _due(labels, target),
            **_status(labels, target), "status_key": target.status,
            "status_note": labels["met_after_due"][target.met_after_due] if target.met_after_due else "",
            "event": labels["event"][target.event] if target.event else "—",
            "fulfilled_at": target.fulfilled_at or "—", "cycles": cycles}


def fault_record_view(facts, fault, labels, long_date=None) -> dict:
    """What the filled fault-handling confirmation form prints beyond the record's own fields."""
    labels = _shared(facts, labels, long_date)
    events = []
    for event in fault.events:
        kind, detail = labels["event"][event.kind], ""
        if event.kind == "responded" and event.manner:
            detail = labels["manner"][event.manner]
        elif event.kind == "level_changed":  # 调整为一级 (was 调整级别 · → 一级)
            kind = labels.fill(labels["level_to"], level=labels["level_no"][str(event.to)])
        events.append({"at": event.at, "kind": kind, "detail": detail,
                       "by": facts["people"][event.by]["name"] if event.by else "", "note": event.note})
    regrading = ""
    if fault.regrading:
        # each change in turn: "changed to Level 1 at …, then to Level 2 at …" (the last alone read "Taken as
        # Level 2; changed to Level 2" when a ticket went to level 1 and back)
        changes = labels["regrading_sep"].join(
            labels.fill(labels["regrading_next" if k else "regrading_first"], at=_moment(labels, at),
                        level=labels["level_no"][str(to)])
            for k, (at, to) in enumerate(fault.regrading.changes or ((fault.regrading.at, fault.regrading.to_level),)))
        regrading = labels.fill(
            labels["regrading"], reported=labels["level_no"][str(fault.regrading.from_level)], changes=changes,
            level=labels["level_no"][str(fault.regrading.to_level)], start=_moment(labels, fault.clock_start))
    note = str(fault.regrading.note or "").strip() if regrading else ""
    if note:  # "…起算。调整原因：影响能耗月报报送，升为二级。" (ran on unlabelled); a blank note adds nothing
        regrading += labels["sentence_sep"] + labels.fill(labels["regrading_note"], note=note) + (
            "" if note[-1:] in _SENTENCE_ENDS else labels["full_stop"])
    clock = labels["clock"][facts["compliance"].hours]
    if fault.clock_start != fault.reported_at:
        clock += labels.fill(labels["clock_start"], start=_moment(labels, fault.clock_start))
    if fault.paused:  # the two sentences of the note under the times; no space after 。 in Chinese
        clock += labels["sentence_sep"] + _paused_label(labels, fault) + hours_minutes(fault.paused)
    exemption = ""
    if fault.exemption:
        exemption = labels.fill(labels["exemption"], name=facts["people"][fault.exemption.agreed_by]["name"])
    provisional = _due_marked(fault.response) or _due_marked(fault.resolution)  # a due printed with *
    return {
        "level": _level(facts, labels, fault.level),
        "level_reported": _level(facts, labels, fault.level_reported),
        "regrading": regrading,
        "engineers": _names(facts, fault.engineers, labels),
        "parts": [_part(labels, p) for p in fault.parts],
        "events": events,
        "targets": [_target_view(facts, labels, fault, t) for t in (fault.response, fault.resolution)],
        "clock": clock,
        "exemption": exemption,
        "provisional": labels["provisional_due"] if provisional else "",
        "engineer": fault.engineers[0],
        "verdicts": [{"ticked": bool(fault.confirmation and fault.confirmation.verdict == key),
                      "label": labels["verdict"][key]} for key in VERDICTS],
        "satisfactions": [{"ticked": bool(fault.confirmation and fault.confirmation.satisfaction == key),
                           "label": labels["satisfaction"][key]} for key in SATISFACTION],
        "L": labels.labels,
    }


def _part(labels, part) -> str:
    """A part replaced, as the form prints it: 加密狗（序列号 SN-001） × 1 (full-width brackets in Chinese)."""
    text = labels.fill(labels["part_serial"], name=part.name, serial=part.serial) if part.serial else part.name
    return labels.fill(labels["part_quantity"], part=text, n=part.quantity) if part.quantity else text


def _paused_label(labels, fault) -> str:
    """What paused the clock, as the ticket's events say: waiting for the customer, a resolution later reopened,
    or both (SPEC §10)."""
    kinds = {event.kind for event in fault.events}
    waiting, reopened = "waiting_customer" in kinds, "reopened" in kinds
    return labels["paused_both" if waiting and reopened else "paused_reopened" if reopened else "paused_waiting"]


def _window_text(labels, window) -> str:
    return labels.fill(labels["window_text"], n=window.number, start=window.start, end=window.end)


def record_ref(labels: Words, kind: str, number: str) -> str:
    """A visit's record as another record cites it: its readable kind and document number."""
    return labels.fill(labels["record_ref"], kind=labels["record_kind"][kind], number=number)


def _capitalised(text: str) -> str:
    """A reference that opens a table cell: its first letter a capital ("Preventive maintenance record PM-…"; the
    same reference runs on in lower case inside a sentence). Chinese is unchanged."""
    return text[:1].upper() + text[1:]


def _finding_rows(facts, labels, findings) -> list[dict]:
    visits = {v.id: v for v in facts["visits"].visits}
    rows = []
    for x in findings:
        follows = ""
        if x.follows:
            earlier, _, n = x.follows.rpartition("/")
            follows = labels.fill(labels["follows"], n=n,
                                  record=record_ref(labels, visits[earlier].kind, visits[earlier].number))
        rows.append({"text": x.text, "follows": follows, "severity": labels["severity"][x.severity],
                     "severity_key": x.severity, "fault": x.fault or "—",
                     "owner": facts["people"][x.owner]["name"] if x.owner else "—", "due": x.due or "—",
                     # the service report has no ticket column: a finding a ticket deals with names it there
                     # …while the ticket is still to resolve: one resolved before the visit settles nothing
                     "due_or_fault": x.due or (labels.fill(labels["due_by_fault"], id=x.waits_on) if x.waits_on
                                               else "—"),
                     "record": _capitalised(record_ref(labels, x.kind, x.record))})
    return rows


def _next_window(facts, visit):
    """The next window of the visit's kind with a planned date that has not ended when the visit ends (a visit two
    windows late named one already over), or None: the service period has no further one."""
    return next((w for w in facts["visits"].windows if w.kind == visit.kind and w.number > visit.window.number
                 and w.planned is not None and w.end >= visit.end[:10]), None)


def visit_view(facts, visit, labels) -> dict:
    """What the maintenance record and the inspection report print beyond the visit's own fields."""
    labels = _shared(facts, labels)
    later = _next_window(facts, visit)
    # a visit made late can end after the next window's planned date: the next visit is then due within that
    # window, not on a day already gone ("Next planned visit 2027-06-17" on a record of 21 June)
    passed = later is not None and later.planned < visit.end[:10]
    if later is None:
        upcoming = labels["next_none"]
    elif passed:
        upcoming = labels.fill(labels["next_within"], n=later.number, start=later.start, end=later.end)
    else:
        upcoming = _marked(later.planned, later.provisional)
    head = visit.notice_due_provisional or visit.kind == "preventive" and visit.window.provisional
    return {
        "window": _window_text(labels, visit.window),
        "planned": _marked(visit.window.planned, visit.window.provisional),
        "notice_planned": _marked(visit.window.notice, visit.window.provisional),
        "notice_late": visit.notice_status == "late",
        "notice": labels.fill(labels.entry_of(labels["notice_status"][visit.notice_status], visit.notice_days),
                              sent=visit.notice_sent, due=_marked(visit.notice_due, visit.notice_due_provisional),
                              days=visit.notice_days),
        "time": labels.fill(labels["time_range"], start=visit.start,
                            end=visit.end[11:] if visit.end[:10] == visit.start[:10] else visit.end),
        "engineers": _names(facts, visit.engineers, labels),
        "witness": facts["people"][visit.witness]["name"] if visit.witness else "—",
        "counts": labels["list_sep"].join(
            labels.fill(labels["item_count"], status=labels["item_status"][c.key], n=c.count)
            for c in visit.item_counts),
        "next": upcoming,
        "window_status": labels["window_status"][visit.window.status],
        # the footnote under the first table that marks a date: the header's notice (and a maintenance record's
        # planned dates), else the closing's next visit (an inspection's * on page 1 was explained on page 2)
        "provisional_head": labels["provisional_dates"] if head else "",
        "provisional": labels["provisional_dates"] if not head and later and later.provisional and not passed
        else "",
        "findings": _finding_rows(facts, labels, visit.findings),
        # a few findings are kept on one page with their heading (the last of two went alone to the next page
        # under a repeated header); a longer list runs over pages as any table
        "findings_whole": len(visit.findings) <= FINDINGS_KEPT_WHOLE,
        "L": labels.labels,
    }


def period_name(labels: Words, period, every: str) -> str:
    year = period.key[:4]
    if every == "quarter":
        return labels.fill(labels["period_quarter"], year=year, n=period.key[5:])
    if every == "half_year":
        return labels.fill(labels["period_half"][period.key[5:]], year=year)
    if every == "month":  # the month's name from the locale's calendar: "December 2026", "2026年12月"
        month = int(period.key[5:])
        return labels.fill(labels["period_month"], year=year, month=month, month_name=month_name(month, labels.locale))
    return labels.fill(labels["period_year"], year=year)


def service_report_view(facts, period, labels, long_date) -> dict:
    """The sentences of one period's after-sales service report."""
    labels = _shared(facts, labels, long_date)
    compliance = facts["compliance"]
    name = period_name(labels, period, compliance.report_every)
    faults = {f.id: f for f in facts["faults"]}
    visits = {v.id: v for v in facts["visits"].visits}
    mine = [faults[i] for i in period.faults]
    counts = {c.key: c.count for c in period.by_level}
    summary = labels.fill(
        labels["summary"],
        # an interim report tells what happened up to its cut-off, not "to 31 January" on 29 January
        start=long_date(period.start), end=long_date(period.end if period.ended else compliance.as_of),
        faults=_count(labels, "summary_faults", len(mine), l1=counts["1"], l2=counts["2"], l3=counts["3"]),
        windows=_count(labels, "summary_windows", len(period.windows)),
        done=_count(labels, "summary_done", sum(w.status in ("done", "late") for w in period.windows)),
        running=_running(labels, period))
    rows = []
    for figures in period.levels:
        level = next(l for l in facts["service"]["levels"] if l["level"] == figures.level)
        for target in (figures.response, figures.resolution):
            rows.append({"level": _level(facts, labels, figures.level), "kind": labels[f"{target.kind}_col"],
                         "standard": _duration(labels, target.amount, target.unit), "tickets": target.tickets,
                         "met": target.met, "missed": target.missed, "overdue": target.overdue,
                         "exempted": target.exempted, "running": target.running, "rate": target.rate,
                         "average": target.average, "longest": target.longest,
                         "normal": labels["normal"][{True: "yes", False: "no", None: "none"}[target.normal]],
                         "abnormal": target.normal is False,
                         "first": target.kind == "response"})
    misses = [{"fault": miss.fault,
               "ticket": labels.fill(labels["miss_ticket"], id=miss.fault, level=labels["level_no"][str(miss.level)]),
               "text": labels.fill(labels["miss"], kind=labels[f"{miss.kind}_col"],
                                   status=labels["status"][miss.status]),
               "cause": _miss_reason(labels, miss, long_date(compliance.as_of)),
        "exemption": labels.fill(labels["exemption"], name=facts["people"][miss.exemption.agreed_by]["name"])
        if miss.exemption else "", "exemption_reason": miss.exemption.reason if miss.exemption else None}
        for miss in period.misses]
    major = [{"id": f.id, "reported_at": f.reported_at, "symptom": f.symptom,
              "restored": f.resolution.fulfilled_at or "—", "elapsed": f.resolution.elapsed_text,
              **_status(labels, f.resolution), "cause": f.cause} for f in mine if f.level == 1]
    windows = [{"kind": labels["visit_kind"][w.kind], "window": _window_text(labels, w),
                "planned": _marked(w.planned, w.provisional),
                "status": labels["window_status"][w.status], "visit": visits[w.visit].number if w.visit else "—",
                "notice": next((labels["notice_short"][v.notice_status] for v in facts["visits"].visits
                                if v.id == w.visit), "—")} for w in period.windows]
    # 遗留事项 lists every ticket not yet fulfilled on as_of: still running, or overdue (counted as a miss above,
    # and still to be dealt with), each with the target it waits on
    open_faults = [faults[i] for i in period.unresolved]
    pending = {f.id: f.resolution if f.resolution.status in ("running", "overdue") else f.response
               for f in open_faults}
    running = [{"id": f.id, "level": labels["level_no"][str(f.level)], "reported_at": f.reported_at,
                "symptom": f.symptom, "due": _due(labels, pending[f.id]), **_status(labels, pending[f.id]),
                "overdue": pending[f.id].status == "overdue"}
               for f in open_faults]
    carried = [(f.id, pending[f.id]) for f in open_faults if f.id not in period.faults
               and pending[f.id].status == "overdue" and pending[f.id].due and not pending[f.id].exempt]
    rated = sum(c.count for c in period.satisfaction)
    satisfaction = [{"label": labels["satisfaction"][c.key], "count": c.count} for c in period.satisfaction]
    satisfied = sum(c.count for c in period.satisfaction if c.key in ("very_satisfied", "satisfied"))
    satisfaction_text = (labels.fill(labels["satisfaction_text"], rated=rated, satisfied=satisfied) if rated
                         else labels["satisfaction_none"])
    # a customer's objection is its verdict on the handling, stated beside the ratings (no report said it)
    objected = [labels.fill(labels["objection_ticket"], id=f.id, date=long_date(f.confirmation.date))
                for f in mine if f.confirmation and f.confirmation.verdict == "objection"]
    objections = labels.say("objections", len(objected), tickets=labels.listing(objected)) if objected else ""
    interim = "" if period.ended else labels.fill(labels["interim"], date=long_date(compliance.as_of))
    # the footnote explains a marked date, so it is printed when the report prints one: a window's planned date or
    # a running ticket's due time (a done ticket's provisional due is not printed; 2026Q4 had the note and no *)
    provisional = (any(w.provisional for w in period.windows) or any(map(_due_marked, pending.values()))
                   or any(miss.provisional for miss in period.misses))
    service = facts["service"]
    team = [labels.fill(labels["team_lead"], name=facts["people"][service["lead"]]["name"])]
    team += [labels.fill(labels[f"team_{kind}"], names=_names(facts, service[kind], labels))
             for kind in ("desk", "engineers") if service[kind]]
    return {"name": name, "title": labels.fill(labels["report_title"], period=name), "interim": interim,
            "team": labels["team_sep"].join(team),
            "period": labels.fill(labels["period_value"], start=period.start, end=period.end),
            "summary": summary, "rows": rows, "misses": misses, "major": major, "windows": windows,
            "running": running, "satisfaction": satisfaction, "satisfaction_text": satisfaction_text,
            "objections": objections,
            "rated": rated,  # no rating: the sentence says so, with no table of noughts under it
            "by_channel": [{"label": labels["channel_kind"][c.key], "count": c.count} for c in period.by_channel],
            "by_month": [{"label": c.key, "count": c.count} for c in period.by_month],
            "by_level": [{"label": _level(facts, labels, int(c.key)), "count": c.count} for c in period.by_level],
            "summary_clock": summary + labels["sentence_sep"] + labels["clock"][compliance.hours],
            "provisional": labels["provisional_dates"] if provisional else "",
            "findings": _finding_rows(facts, labels, period.open_findings),
            "no_misses": _no_misses(labels, period), "improvements": _improvements(labels, period, carried, visits),
            "L": labels.labels}


def _count(labels: Words, key: str, n: int, **values) -> str:
    """A counted phrase of the summary by Babel's plural category, or its `_none` variant for nothing."""
    if n == 0:
        return labels.entry(f"{key}_none")
    return labels.say(key, n, n=n, **values)


def _running(labels: Words, period) -> str:
    """The summary's count of tickets still open on the cut-off, saying how many of them were reported before the
    period (they are listed in 6.2 with the period's own, but not counted in its fault figures)."""
    n = len(period.unresolved)
    earlier = sum(i not in period.faults for i in period.unresolved)
    if not earlier:
        return _count(labels, "summary_running", n)
    if earlier == n:
        return labels.say("summary_running_earlier", n, n=n)
    return labels.say("summary_running_some_earlier", earlier, n=n, k=earlier)


def _miss_reason(labels, miss, as_of: str) -> str:
    """Why a target was missed: which target and when it was due, a re-grading that set it, when it was fulfilled
    (or that it was not by as_of) and by how much it went over, the reopened cycle that went over, the pauses."""
    parts = [labels.fill(labels["miss_due"], kind=labels[f"{miss.kind}_col"], target=_duration(labels, miss.amount,
                                                                                          miss.unit),
                         due=_marked(miss.due, miss.provisional))]
    if miss.regrading:
        changes = miss.regrading.changes
        before = changes[-2][1] if len(changes) > 1 else miss.regrading.from_level  # the level the last change left
        parts.append(labels.fill(
            labels["miss_regraded"], at=miss.regrading.at, from_level=labels["level_no"][str(before)],
            to_level=labels["level_no"][str(miss.regrading.to_level)]))
    if miss.fulfilled_at:
        parts.append(labels.fill(labels["miss_fulfilled"], event=labels["miss_event"][miss.event],
                                 at=miss.fulfilled_at, elapsed=miss.elapsed_text, over=miss.over_text))
    else:
        parts.append(labels.fill(labels["miss_overdue"], as_of=as_of, elapsed=miss.elapsed_text, over=miss.over_text))
    if miss.cycle:
        parts.append(labels.fill(labels["miss_cycle"], n=miss.cycle))
    if miss.paused:
        parts.append(labels.fill(labels[f"miss_paused_{miss.paused_for}"], paused=hours_minutes(miss.paused)))
    return labels["miss_sep"].join(parts) + labels["miss_end"]


def _counted_and_running(period) -> tuple[int, int]:
    """How many of the period's targets came due and count (met, missed or overdue), and how many of its
    tickets are still running."""
    counted = sum(t.met + t.missed + t.overdue for figures in period.levels
                  for t in (figures.response, figures.resolution))
    return counted, len(set(period.faults) & set(period.running))


def _no_misses(labels: Words, period) -> str:
    """What the report says where its table of misses would be: that nothing was missed, never that every ticket
    met its targets when none was reported or its targets have not come due."""
    counted, running = _counted_and_running(period)
    if not period.faults:
        return labels["no_misses_no_tickets"]
    if not counted:
        return labels["no_misses_running"]
    return labels.say("no_misses_some_running", running, n=running) if running else labels["no_misses"]


def _finding_key(finding, period) -> str:
    """The improvement line an open finding is grouped under: by its due date, past on the report's date or not
    (restated by a visit after the period, it is still past due in this period's report); by the ticket still to
    resolve when it has no date; or neither."""
    if finding.due:  # (a finding a later visit of the period restated is not among the period's open ones)
        return "improve_finding_overdue" if finding.due < period.date else "improve_finding"
    return "improve_finding_by_fault" if finding.waits_on else "improve_finding_undated"


def _improvements(labels: Words, period, carried, visits) -> list[str]:
    """八、改进建议: one line per kind of shortfall the period shows; nothing invented beyond the records. An
    overdue target is one to fulfil first, also one of an earlier period's ticket still open (`carried`: its
    miss is counted in that period's report); the open findings are cited by the record that lists them, one
    line per record (and one more for those past their due date on the report's, one for those a ticket closes);
    a visit noticed late asks for notice in time."""
    out = []
    missed: dict[str, list[str]] = {}  # the tickets that missed a target, one line per target: not one per ticket
    for miss in period.misses:
        if miss.exemption:
            continue
        kind = labels[f"{miss.kind}_word"]
        if miss.status == "overdue" and miss.due:
            out.append(labels.fill(labels["improve_overdue"], id=miss.fault, kind=kind,
                                   due=_marked(_moment(labels, miss.due), miss.provisional)))
        else:
            missed.setdefault(miss.kind, []).append(miss.fault)
    out[:0] = [labels.say("improve_miss", len(ids), ids=labels.listing(ids), kind=labels[f"{kind}_word"])
               for kind, ids in missed.items()]
    for fault, target in carried:
        out.append(labels.fill(labels["improve_overdue"], id=fault, kind=labels[f"{target.kind}_word"],
                               due=_marked(_moment(labels, target.due), _due_marked(target))))
    records: dict[tuple, list] = {}
    for finding in period.open_findings:
        records.setdefault((finding.kind, finding.record, _finding_key(finding, period)), []).append(finding)
    listed = set()  # a record's second line says "the other": two lines alike read as one finding told twice
    for (kind, number, key), findings in records.items():
        other = (kind, number) in listed
        listed.add((kind, number))
        out.append(labels.say(f"{key}_other" if other else key, len(findings),
                              record=record_ref(labels, kind, number), n=len(findings),
                              dues=labels.join(_moment(labels, due) for due in sorted({f.due for f in findings
                                                                                       if f.due})),
                              ids=labels.listing(sorted({f.waits_on for f in findings if f.waits_on}))))
    if any(w.status == "missed" for w in period.windows):
        out.append(labels["improve_window"])
    # a window done late was not missed: its visit is named, and asked for within the window next time
    done_late = [visits[w.visit] for w in period.windows if w.status == "late"]
    # a visit of the period noticed late (a window's visit made after the period is the next report's concern)
    noticed_late = [visits[w.visit] for w in period.windows if w.visit and visits[w.visit].notice_status == "late"
                    and period.start <= visits[w.visit].start[:10] <= period.end]
    for key, late in (("improve_window_late", done_late), ("improve_notice", noticed_late)):
        if late:
            out.append(labels.say(key, len(late), records=labels.listing(record_ref(labels, v.kind, v.number)
                                                                          for v in late)))
    counted, running = _counted_and_running(period)
    return out or [labels["improve_none" if counted and not running else "improve_none_uncounted"]]
