"""`build.py calendar`: an iCalendar file the library parses, with the dates worked out from the YAML, stable UIDs,
DTSTAMP from SOURCE_DATE_EPOCH, byte-identical across two runs."""
import datetime
import re

import icalendar
import yaml

from conftest import DATA_DIRS, edit, run_build

EPOCH = "1767225600"  # 2026-01-01 00:00:00 UTC


def calendar(tmp_path, name="a.ics", data="data"):
    """The calendar of `data` (a folder of tests/conftest.py's DATA_DIRS, or a copy's path) written as `name`."""
    target = tmp_path / name
    done = run_build("calendar", "--data", str(DATA_DIRS.get(data, data)), "--out", str(target),
                     env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith(f"wrote {target}")
    return target


def test_calendar_parses_and_holds_every_date(tmp_path):
    target = calendar(tmp_path)
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    code = "ZHYQ-2026-017"
    # data/service.yaml: start 2026-11-23, quarterly with 3 working days' notice: window 1 from 2026-11-23, the
    # planned date the 3rd working day after (Tue 24, Wed 25, Thu 26 November) and the notice 3 working days
    # before it (Wed 25, Tue 24, Mon 23).
    planned = events[f"{code}-preventive-1@signoff"]
    assert planned.decoded("DTSTART") == datetime.date(2026, 11, 26)
    assert events[f"{code}-preventive-1-notice@signoff"].decoded("DTSTART") == datetime.date(2026, 11, 23)
    # four quarterly windows and one yearly inspection, each with its notice date
    assert sum(uid.startswith(f"{code}-preventive-") for uid in events) == 8
    assert sum(uid.startswith(f"{code}-inspection-") for uid in events) == 2
    # every deferred issue's follow-up acceptance date, from issues.yaml
    issues = yaml.safe_load((DATA_DIRS["data"] / "issues.yaml").read_text(encoding="utf-8"))["issues"]
    deferred = {i["id"]: i["deferral"]["follow_up"] for i in issues if i.get("deferral")}
    assert deferred  # the data has some
    for iid, day in deferred.items():
        assert events[f"{code}-follow-up-{iid}@signoff"].decoded("DTSTART") == day
    # the handover deadline: report 2026-11-20 (Friday) + 7 working days: 23, 24, 25, 26, 27 Nov, 30 Nov, 1 Dec.
    assert events[f"{code}-handover-deadline@signoff"].decoded("DTSTART") == datetime.date(2026, 12, 1)
    for event in events.values():
        assert event.decoded("DTSTAMP") == datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(days=1)
    # a 2027 date is provisional: data/ states no 2027 calendar
    assert "暂定" in str(events[f"{code}-preventive-2@signoff"]["SUMMARY"])


def test_two_runs_are_byte_identical(tmp_path):
    assert calendar(tmp_path, "a.ics").read_bytes() == calendar(tmp_path, "b.ics").read_bytes()


def test_default_name_in_a_folder(tmp_path):
    done = run_build("calendar", "--data", str(DATA_DIRS["pass-en"]), "--out", f"{tmp_path}/cal/",
                     env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0, done.stderr
    target = tmp_path / "cal" / "YMS-2026-021-service.ics"
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    assert "Preventive maintenance, window 1: planned" in [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]


def test_a_window_without_a_working_day_has_no_event(data_copy, tmp_path):
    """A service period ending on a Sunday leaves its last preventive window one day long with no working day:
    nothing is planned in it (a warning of check), so the calendar has no event for it (it was a traceback)."""
    folder = data_copy("data")
    edit(folder / "service.yaml", "end: 2027-11-22", "end: 2027-05-23")  # window 3: Sunday 2027-05-23 alone
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-23")
    done = run_build("calendar", "--data", str(folder), "--out", str(tmp_path / "a.ics"),
                     env={"SOURCE_DATE_EPOCH": EPOCH})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "the preventive window 3 (2027-05-23 to 2027-05-23) has no working day" in done.stderr
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical((tmp_path / "a.ics").read_bytes()).walk("VEVENT")}
    code = "ZHYQ-2026-017"
    assert {f"{code}-preventive-2@signoff", f"{code}-preventive-2-notice@signoff"} <= uids
    assert not [uid for uid in uids if uid.startswith(f"{code}-preventive-3")]


def test_the_calendar_is_never_written_into_the_data_folder_nor_ends_in_a_traceback(data_copy, tmp_path):
    """`calendar --out data/service.yaml` overwrote the data with iCalendar, and an --out under a file ended in a
    traceback; a project name typed over two lines ended in icalendar's AssertionError (found by an attacker)."""
    folder = data_copy("data")
    done = run_build("calendar", "--data", str(folder), "--out", str(folder / "service.yaml"))
    assert done.returncode == 2 and "is in the data folder" in done.stderr, done.stderr
    assert (folder / "service.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    done = run_build("calendar", "--data", str(folder), "--out", str(tmp_path / "afile" / "x.ics"))
    assert (done.returncode, "Traceback" in done.stderr) == (3, False), done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"signoff: error: {tmp_path / 'afile'}"), done.stderr
    edit(folder / "project.yaml", "  name: 智慧园区综合管理平台\n", '  name: "智慧园区\\n综合管理平台"\n')
    done = run_build("calendar", "--data", str(folder), "--out", str(tmp_path / "c.ics"))
    assert done.returncode == 0, done.stderr
    calendar = icalendar.Calendar.from_ical((tmp_path / "c.ics").read_bytes())
    assert "智慧园区 综合管理平台" in str(calendar["x-wr-calname"])


def test_a_notice_names_the_customer_as_the_data_does(data_copy, tmp_path):
    """The notice events said "notify Party A today" whatever the data calls the customer (found by a reader)."""
    folder = data_copy("pass-en")
    edit(folder / "project.yaml", "    short: Party A", "    short: the Port Authority")
    target = calendar(tmp_path, data=folder)
    notices = [str(e["DESCRIPTION"]) for e in icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
               if str(e["UID"]).endswith("-notice@signoff")]
    assert notices and all(n.endswith("; notify the Port Authority today.") for n in notices), notices


def test_the_calendar_name_is_escaped_as_text(data_copy, tmp_path):
    """X-WR-CALNAME printed the project name's ; , and \\ unescaped (found by an attacker)."""
    folder = data_copy("pass-en")
    edit(folder / "project.yaml", "  name: Harbour Yard Management System", '  name: "Yard; Gate, Lane\\\\3"')
    target = calendar(tmp_path, data=folder)
    line = next(l for l in target.read_bytes().decode().split("\r\n") if l.startswith("X-WR-CALNAME:"))
    assert line.startswith("X-WR-CALNAME:Yard\\; Gate\\, Lane\\\\3:"), line
    unescaped = re.sub(r"\\(.)", r"\1", line.split(":", 1)[1])  # RFC 5545 TEXT: \; \, \\
    assert unescaped.startswith("Yard; Gate, Lane\\3:"), unescaped
