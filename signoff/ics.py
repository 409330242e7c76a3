"""The service calendar as iCalendar (RFC 5545, SPEC §10): maintenance and inspection windows, the deferred issues'
follow-up dates and the handover deadline, one all-day event per date, reproducible byte for byte."""
from __future__ import annotations

import datetime
from pathlib import Path

import icalendar

from .errors import SignoffError, UsageError
from .paths import TEMPLATES_DIR, outside, own_folder
from .pdf import write_atomic
from .provenance import find_provenance
from .sources import read_project_yaml
from .wording import fill, with_parties

PRODID = "-//Signoff//service calendar//EN"


def _labels(facts) -> dict:
    """The calendar's catalog, with the parties' short names for `{a}` / `{b}` (as the documents name them)."""
    parties = facts["parties"]
    return with_parties(read_project_yaml(TEMPLATES_DIR / "labels" / facts["project"]["locale"] / "calendar.yaml"),
                        parties["customer"]["short"], parties["contractor"]["short"])


def calendar_events(facts, labels: dict) -> list[dict]:
    """Every event of the calendar as {uid, date, summary, description}, in date order (then uid); `labels` is
    the calendar's catalog (`_labels`)."""
    locale = facts["project"]["locale"]
    code = facts["project"]["code"]
    events = []

    def add(uid: str, day: str, summary: str, description: str) -> None:
        events.append({"uid": f"{code}-{uid}@signoff", "date": day, "summary": summary,
                       "description": description})

    def say(key: str, **values) -> str:
        return fill(labels[key], locale, **values)

    maintenance = facts.get("maintenance") or {}
    for kind in ("preventive", "inspection"):
        for window in maintenance.get(kind) or []:
            if window["planned"] is None:  # the window has no working day: nothing is planned in it
                continue
            mark = labels["provisional"] if window["provisional"] else ""
            text = say("window", n=window["number"], start=window["start"], end=window["end"])
            add(f"{kind}-{window['number']}", window["planned"], say(kind, n=window["number"]) + mark,
                say("visit_description", window=text, notice=window["notice"]))
            add(f"{kind}-{window['number']}-notice", window["notice"], say(f"{kind}_notice", n=window["number"]) + mark,
                say("notice_description", window=text, planned=window["planned"]))
    for issue in facts["issues"]:
        if issue["status"] == "deferred":
            add(f"follow-up-{issue['id']}", issue["deferral"]["follow_up"],
                say("follow_up", id=issue["id"], title=issue["title"]),
                say("follow_up_description", id=issue["id"], title=issue["title"]))
    handover = facts.get("handover")
    if handover:
        mark = labels["provisional"] if handover["provisional"] else ""
        add("handover-deadline", handover["deadline"], labels["handover"] + mark,
            say("handover_description", date=facts["report"]["date"]))
    return sorted(events, key=lambda e: (e["date"], e["uid"]))


def write_calendar(facts, epoch: int) -> bytes:
    """The .ics file; DTSTAMP is `epoch` (SOURCE_DATE_EPOCH), so two builds of the same data are identical."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    locale = facts["project"]["locale"]
    labels = _labels(facts)
    name = fill(labels["name"], locale, project=facts["project"]["name"],
                number=facts["service"]["number"] if facts.get("service") else "")
    # one line (a name typed over two ended in an AssertionError), escaped as TEXT is (RFC 5545 3.3.11): an
    # X- property is otherwise written raw, and a name's ; , and \ printed unescaped
    cal.add("x-wr-calname", icalendar.vText(" ".join(name.split())))
    stamp = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    for item in calendar_events(facts, labels):
        day = datetime.date.fromisoformat(item["date"])
        event = icalendar.Event()
        event.add("uid", item["uid"])
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("summary", item["summary"])
        event.add("description", item["description"])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def write_service_calendar(facts, data_dir: Path, out: str | None) -> Path:
    """`build.py calendar`: the file written, `output/{code}-service.ics` unless `out` names a file or a folder/."""
    if not facts.get("service"):
        raise SignoffError(f"{data_dir}: there is no service.yaml, so no service calendar")
    name = f"{facts['project']['code']}-service.ics"
    if out is None:
        target = Path("output") / name
    elif out.endswith("/") or Path(out).is_dir():
        target = Path(out) / name
    else:
        target = Path(out)
    if not outside(data_dir, target):
        raise UsageError(f"{target} is in the data folder {data_dir}: write the calendar outside it "
                         "(default: output/)")
    own = own_folder(target)
    if own:
        raise UsageError(f"{target} is inside Signoff's {own}/: write the calendar outside it (default: output/)")
    target.parent.mkdir(parents=True, exist_ok=True)
    epoch = find_provenance(data_dir, TEMPLATES_DIR, facts["report"]["date"]).epoch
    write_atomic(target, write_calendar(facts, epoch))
    return target
