"""faults.yaml and visits.yaml: the rules of SPEC §10 (exact error lines) and the facts derived from the records."""
import json
import shutil
from pathlib import Path

import pytest

from signoff.errors import DataError
from signoff.validation import check_data
from conftest import DATA_DIRS, copy_5x8, edit


def problems(folder):
    with pytest.raises(DataError) as caught:
        check_data(folder)
    return [p.format().split(str(folder) + "/", 1)[-1] for p in caught.value.problems]


def test_bad_faults_give_every_error_at_once(data_copy):
    folder = data_copy("data")
    faults = folder / "faults.yaml"
    edit(faults, "reported_at: 2026-11-25 10:12\n    channel: portal\n    reporter: chenjing",
         "reported_at: 2026-11-20 10:12\n    channel: portal\n    reporter: wuming")
    edit(faults, "channel: email\n    reporter: chenjing\n    taken_by: qianli\n    symptom: 综合态势",
         "channel: other\n    reporter: chenjing\n    taken_by: qianli\n    symptom: 综合态势")
    edit(faults, "confirmation: { by: chenjing, date: 2026-12-09", "confirmation: { by: wuming, date: 2026-12-07")
    edit(faults, "{ at: 2026-12-05 23:05, kind: arrived", "{ at: 2026-12-05 22:05, kind: arrived")
    edit(faults, "      - { at: 2026-12-09 16:30, kind: resumed }\n", "")
    edit(faults, "note: 调整消息队列消费者数量 }", "note: 调整消息队列消费者数量 }\n"
         "      - { at: 2026-12-29 16:00, kind: progress_reported, by: wangqiang }")
    edit(faults, "- id: GZ-2027-006", "- id: GZ-2027-005")
    edit(faults, "- { at: 2027-02-25 08:20, kind: responded, by: wangqiang, manner: phone }\n"
         "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }",
         "- { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n"
         "      - { at: 2027-02-27 09:00, kind: resumed }")
    edit(faults, "{ at: 2027-01-11 09:30, kind: responded, by: wuming, manner: phone }",
         "{ at: 2027-01-11 09:30, kind: responded, by: wuming }")
    edit(faults, "{ at: 2026-12-21 08:55, kind: responded, by: wuming, manner: phone }\n"
         "      - { at: 2026-12-21 09:20, kind: level_changed, to: 1,",
         "{ at: 2026-12-21 09:20, kind: level_changed, to: 1,")
    assert problems(folder) == [
        "faults.yaml:6:18: error: faults[0].reported_at: 2026-11-20 10:12 is before the service period, which "
        "starts 2026-11-23",
        "faults.yaml:8:15: error: faults[0].reporter: 'wuming' (吴明) is not a customer person",
        "faults.yaml:24:14: error: faults[1].channel: 'other' is not a channel of service.yaml "
        "(email, onsite, phone, portal)",
        "faults.yaml:35:25: error: faults[1].confirmation.by: 'wuming' (吴明) is not a customer person",
        "faults.yaml:35:39: error: faults[1].confirmation.date: 2026-12-07 is before the last resolved event "
        "(2026-12-08 17:00)",
        "faults.yaml:48:15: error: faults[2].events[1].at: 2026-12-05 22:05 is before the ticket was reported "
        "(2026-12-05 22:15)",
        "faults.yaml:69:39: error: faults[3].events[2].kind: a resolved event while the ticket waits for the "
        "customer (events[1]); log resumed first",
        "faults.yaml:103:39: error: faults[5].events[1].kind: a restored event before the first responded; log "
        "responded first (at the same minute when the fault was fixed on the first call)",
        "faults.yaml:104:39: error: faults[5].events[2].kind: a resolved event before the first responded; log "
        "responded first (at the same minute when the fault was fixed on the first call)",
        "faults.yaml:120:39: error: faults[6].events[2].kind: a progress_reported event after resolved; resolved "
        "is the last event unless reopened follows it",
        "faults.yaml:152:9: error: faults[8].events[0]: a responded event needs 'manner'",
        "faults.yaml:203:9: error: faults[12].id: 'GZ-2027-005' is defined twice (first as item 11)",
        "faults.yaml:212:39: error: faults[12].events[0].kind: a waiting_customer event before the first "
        "responded; log responded first (at the same minute when the fault was fixed on the first call)",
        "faults.yaml:213:15: error: faults[12].events[1].at: 2027-02-27 09:00 is after as_of (2027-02-26)",
    ]


def test_bad_visits_give_every_error_at_once(data_copy):
    folder = data_copy("data")
    visits = folder / "visits.yaml"
    edit(visits, "    notice_sent: 2027-01-14\n", "")
    edit(visits, "task: 备份恢复测试, result: done, note: 全量备份恢复至测试库，耗时 42 分钟",
         "task: 备份恢复测验, result: not_done")
    edit(visits, "fault: GZ-2027-004, owner: wuming, due: 2027-03-10", "owner: wuming")
    edit(visits, "window: 1\n    notice_sent: 2027-02-18", "window: 2\n    notice_sent: 2027-02-18")
    edit(visits, "witness: zhouqi\n    items", "witness: wuming\n    items")
    edit(visits, "start: 2027-01-20 09:30\n    end: 2027-01-20 16:30", "start: 2027-01-20 09:30\n    end: 2027-01-19 16:30")
    assert problems(folder) == [
        "visits.yaml:3:5: error: visits[0].notice_sent: is required: when was the customer notified?",
        "visits.yaml:7:10: error: visits[0].end: 2027-01-19 16:30 is before the start (2027-01-20 09:30)",
        "visits.yaml:11:7: warning: visits[0].tasks: no result for '备份恢复测试' of service.yaml's "
        "maintenance.preventive.tasks: the record prints no line for it",
        "visits.yaml:13:9: error: visits[0].tasks[2]: a task that is not_done needs a note saying why",
        "visits.yaml:13:17: error: visits[0].tasks[2].task: '备份恢复测验' is not a task of service.yaml's "
        "maintenance.preventive.tasks",
        "visits.yaml:24:13: error: visits[1].window: inspection window 2 does not exist: the service period has 1",
        "visits.yaml:29:14: error: visits[1].witness: 'wuming' (吴明) is not a customer person",
        "visits.yaml:38:9: error: visits[1].findings[1]: a finding of severity fault must name a fault (fault:) or "
        "give a due date",
    ]


def test_a_visit_before_its_window_is_an_error_and_a_second_one_a_warning(data_copy):
    folder = data_copy("data")
    # Preventive window 2 of data/ runs from 2027-02-23 to 2027-05-22 (service start 2026-11-23 + 3 months).
    (folder / "visits.yaml").write_text(
        "visits:\n"
        "  - { id: PM-A, kind: preventive, window: 1, notice_sent: 2026-12-01, start: 2026-12-07 09:00,\n"
        "      end: 2026-12-07 12:00, engineers: [wuming] }\n"
        "  - { id: PM-B, kind: preventive, window: 1, notice_sent: 2026-12-01, start: 2026-12-08 09:00,\n"
        "      end: 2026-12-08 12:00, engineers: [wuming] }\n"
        "  - { id: PM-C, kind: preventive, window: 2, notice_sent: 2027-02-16, start: 2027-02-22 09:00,\n"
        "      end: 2027-02-22 12:00, engineers: [wuming] }\n", encoding="utf-8")
    # (the visits list no tasks: each is warned of that too, test_a_task_planned_twice_…)
    assert [line for line in problems(folder) if line.startswith("visits.yaml") and "no result" not in line] == [
        "visits.yaml:4:43: warning: visits[1].window: a second visit for preventive window 1 (visits[0] is one "
        "too; the window is judged by the one that started first)",
        "visits.yaml:6:78: error: visits[2].start: 2027-02-22 09:00 is before preventive window 2 "
        "(2027-02-23 to 2027-05-22)",
    ]


@pytest.mark.parametrize("order", ["late first", "on time first"])
def test_a_window_with_two_visits_is_judged_by_the_earlier_whatever_the_order_of_the_file(data_copy, order):
    """The window's status was the first listed visit's: PM-LATE (started 2027-02-24, after window 1 ended on
    2027-02-22) listed before PM-A (2026-12-07) made window 1 late (found by a hostile review)."""
    folder = data_copy("data")
    visits = ["  - { id: PM-LATE, kind: preventive, window: 1, notice_sent: 2027-02-15, start: 2027-02-24 09:00,\n"
              "      end: 2027-02-24 12:00, engineers: [wuming] }\n",
              "  - { id: PM-A, kind: preventive, window: 1, notice_sent: 2026-12-01, start: 2026-12-07 09:00,\n"
              "      end: 2026-12-07 12:00, engineers: [wuming] }\n"]
    (folder / "visits.yaml").write_text("visits:\n" + "".join(visits if order == "late first" else visits[::-1]),
                                        encoding="utf-8")
    window = next(w for w in facts_of(folder)["visits"].windows if w.kind == "preventive" and w.number == 1)
    assert (window.end, window.status, window.visit) == ("2027-02-22", "done", "PM-A")


def test_records_need_a_service(data_copy):
    folder = data_copy("data")
    (folder / "service.yaml").unlink()
    found = problems(folder)
    assert "faults.yaml:2:1: error: faults.yaml needs service.yaml: records belong to a service period" in found
    assert "visits.yaml:2:1: error: visits.yaml needs service.yaml: records belong to a service period" in found


def facts_of(folder):
    return check_data(folder).facts


def test_data_quarter_derived_by_hand():
    facts = facts_of(DATA_DIRS["data"])
    faults = {f.id: f for f in facts["faults"]}
    assert len(faults) == 13
    # GZ-2026-005, level 2 (4 h): 09:40 → 15:10 = 5:30 → missed, no exemption.
    assert (faults["GZ-2026-005"].resolution.status, faults["GZ-2026-005"].resolution.elapsed_text,
            faults["GZ-2026-005"].resolution.exempt) == ("missed", "5:30", False)
    # GZ-2027-003, level 1 (2 h): 21:40 → restored 00:20 = 2:40 → missed, exempted by zhouqi.
    gz3 = faults["GZ-2027-003"]
    assert (gz3.resolution.status, gz3.resolution.elapsed_text, gz3.resolution.exempt, gz3.exemption.agreed_by) == (
        "missed", "2:40", True, "zhouqi")
    # GZ-2026-006 taken as level 3, re-graded to 1: response 08:50 → 08:55 against 10 min, restored 10:40 = 1:50.
    gz6 = faults["GZ-2026-006"]
    assert (gz6.level, gz6.level_reported, gz6.response.amount, gz6.resolution.elapsed_text, gz6.resolution.status) \
        == (1, 3, "10", "1:50", "met")
    # GZ-2026-007 reopened once; no confirmation on GZ-2027-004 → a draft.
    assert faults["GZ-2026-007"].reopened == 1
    assert [f.id for f in facts["faults"] if f.draft] == ["GZ-2027-004", "GZ-2027-005", "GZ-2027-006"]
    # as_of 2027-02-26: 2026Q4 (from the service start 2026-11-23) has ended, 2027Q1 is interim.
    periods = {p.key: p for p in facts["compliance"].periods}
    assert [(p.key, p.start, p.end, p.ended) for p in periods.values()] == [
        ("2026Q4", "2026-11-23", "2026-12-31", True), ("2027Q1", "2027-01-01", "2027-03-31", False)]
    # 2026Q4 level 2 resolution: GZ-2026-001 met, -004 met, -005 missed → 2 of 3 = 66.7%; times 2:53, 3:40, 5:30:
    # average 12:03 / 3 = 4:01, longest 5:30.
    level2 = periods["2026Q4"].levels[1].resolution
    assert (level2.tickets, level2.met, level2.missed, level2.rate, level2.average, level2.longest) == (
        3, 2, 1, "66.7%", "4:01", "5:30")
    # 2027Q1 level 1 resolution: the only ticket is exempted → nothing counted → "—", never 100 %.
    level1 = periods["2027Q1"].levels[0].resolution
    assert (level1.tickets, level1.exempted, level1.rate, level1.average) == (1, 1, "—", "—")
    assert periods["2027Q1"].running == periods["2027Q1"].unresolved == ("GZ-2027-005", "GZ-2027-006")
    windows = [(w.kind, w.number, w.status) for w in facts["visits"].windows][:3]
    assert windows == [("preventive", 1, "done"), ("preventive", 2, "planned"), ("preventive", 3, "planned")]
    # Visit 2027-Q1 starts Wednesday 2027-01-20: 3 working days before it (weekends alone in 2027) is Friday 15 Jan;
    # notice sent 14 Jan → on time.
    visit = facts["visits"].visits[0]
    assert (visit.notice_due, visit.notice_status) == ("2027-01-15", "on_time")


def test_json_holds_the_records():
    import subprocess
    import sys
    from conftest import ROOT
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "facts", "--json", "--data", str(DATA_DIRS["data"])],
                          capture_output=True, text=True)
    facts = json.loads(done.stdout)
    assert facts["faults"][0]["id"] == "GZ-2026-001"
    assert facts["faults"][0]["resolution"]["status"] == "met"
    assert facts["compliance"]["periods"][0]["key"] == "2026Q4"
    assert facts["visits"]["visits"][1]["id"] == "2027"


def test_late_notice_and_missed_window_are_warnings(data_copy):
    folder = data_copy("data")
    edit(folder / "visits.yaml", "notice_sent: 2027-01-14", "notice_sent: 2027-01-18")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-24")
    warnings = [p.format().split(str(folder) + "/", 1)[-1] for p in check_data(folder).warnings]
    assert "visits.yaml:6:18: warning: visits[0].notice_sent: 2027-Q1: notice sent 2027-01-18, later than " \
           "2027-01-15 (3 working days before the visit), which is counted through a year whose official holiday " \
           "calendar is not known yet (weekends alone) and is marked provisional" in warnings
    assert "service.yaml:35:5: warning: maintenance.preventive: preventive window 2 (2027-02-23 to 2027-05-22) " \
           "ended with no visit" in warnings
    # GZ-2027-005: 8 wd due 2027-03-04 10:00 has passed; 2027-02-22 10:00 → 2027-05-25 00:00 is 91 d 14 h = 2198 h.
    assert "faults.yaml:195:18: warning: faults[11].reported_at: GZ-2027-005: the resolution due time 2027-03-04 " \
           "10:00 is counted through a year whose official holiday calendar is not known yet (weekends alone) " \
           "and is marked provisional" in warnings
    assert "faults.yaml:193:9: warning: faults[11].id: GZ-2027-005: the resolution target (8 wd, level 3) was " \
           "overdue (2198:00 elapsed) and no exemption is agreed" in warnings


def test_record_changes_in_words(data_copy):
    from signoff.model import to_json
    from signoff.record_diff import record_changes

    def as_json(folder):
        return json.loads(json.dumps(to_json(check_data(folder).facts)))

    before = as_json(DATA_DIRS["data"])
    folder = data_copy("data")
    faults = folder / "faults.yaml"
    edit(faults, "    confirmation: { by: chenjing, date: 2026-12-17, verdict: accepted, satisfaction: neutral, "
         "note: 希望提前发现证书到期 }\n", "    confirmation: { by: chenjing, date: 2026-12-17, verdict: accepted, "
         "satisfaction: neutral, note: 希望提前发现证书到期 }\n    exemption: { reason: 证书由甲方统一管理, "
         "agreed_by: zhangwei }\n")
    edit(faults, "solution: 升级网关固件至 2.4.1，补采缺失数据\n", "solution: 升级网关固件至 2.4.1，补采缺失数据\n"
         "    confirmation: { by: chenjing, date: 2027-02-04, verdict: accepted }\n")
    edit(faults, "{ at: 2026-12-09 19:10, kind: resolved", "{ at: 2026-12-09 19:40, kind: resolved")
    assert record_changes(before, as_json(folder)) == [
        # GZ-2026-004: 14:00 → 19:40 is 5:40, less the 1:30 paused = 4:10 > 4 h
        "GZ-2026-004: resolution met → missed (resolved 2026-12-09 19:40, 4:10)",
        "GZ-2026-005: resolution missed → missed, exempt (exemption agreed by zhangwei)",
        "GZ-2027-004: confirmed by chenjing on 2027-02-04",
        # 2026Q4 level 2 resolution: -001 met, -004 now missed, -005 exempted: 1 of 2
        "2026Q4 level 2 resolution compliance: 66.7% → 50%",
    ]


def test_another_manner_and_events_after_the_service_are_warnings(data_copy):
    folder = data_copy("data")
    # level 1 promises a response by phone; GZ-2026-003 was answered by email: it counts, with a warning
    edit(folder / "faults.yaml", "{ at: 2026-12-05 22:21, kind: responded, by: wuming, manner: phone }",
         "{ at: 2026-12-05 22:21, kind: responded, by: wuming, manner: email }")
    # the service ends 2027-11-22: a ticket reported on its last evening may be resolved the next morning
    edit(folder / "service.yaml", "end: 2027-11-22", "end: 2027-02-24")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-02-25")
    edit(folder / "faults.yaml", "  - id: GZ-2027-006\n", "  - id: GZ-2027-007\n    level: 3\n"
         "    reported_at: 2027-02-24 21:00\n    channel: email\n    reporter: chenjing\n"
         "    symptom: 咨询\n    engineers: [wuming]\n    events:\n"
         "      - { at: 2027-02-24 21:30, kind: responded, by: wuming, manner: email }\n"
         "      - { at: 2027-02-25 09:00, kind: resolved, by: wuming }\n\n  - id: GZ-2027-006\n")
    edit(folder / "faults.yaml", "reported_at: 2027-02-25 08:05", "reported_at: 2027-02-24 08:05")
    edit(folder / "faults.yaml", "{ at: 2027-02-25 08:20, kind: responded", "{ at: 2027-02-24 08:20, kind: responded")
    edit(folder / "faults.yaml", "{ at: 2027-02-25 09:00, kind: waiting_customer", "{ at: 2027-02-24 09:00, kind: waiting_customer")
    edit(folder / "visits.yaml", "start: 2027-02-24 09:00\n    end: 2027-02-24 17:30", "start: 2027-02-23 09:00\n    end: 2027-02-23 17:30")
    edit(folder / "visits.yaml", "notice_sent: 2027-02-18", "notice_sent: 2027-02-17")
    warnings = [p.format().split(str(folder) + "/", 1)[-1] for p in check_data(folder).warnings]
    assert "faults.yaml:47:70: warning: faults[2].events[0].manner: GZ-2026-003: responded by email, not in the " \
           "manner level 1 promises; it counts" in warnings
    assert "faults.yaml:213:15: warning: faults[12].events[1].at: 2027-02-25 09:00 is after the service period, which " \
           "ended 2027-02-24 (allowed for a ticket reported within it)" in warnings


def test_a_response_manner_the_service_writes_itself_decides_the_manner_warning(data_copy):
    """With level 1's response_manner written "By e-mail only", a response by e-mail was warned about and one by
    phone was not: the warning read the standard level's manners (found by a hostile review)."""
    folder = data_copy("data")
    edit(folder / "service.yaml", "  - { level: 1, response: 10 min }", "  - { level: 1, response: 10 min, "
         "response_manner: 仅以电子邮件响应 }")
    def manner_warnings():
        return [p.message for p in check_data(folder).warnings if p.message.startswith("GZ-2026-003: responded")]
    assert manner_warnings() == ["GZ-2026-003: responded by phone, not in the manner level 1 promises; it counts"]
    edit(folder / "faults.yaml", "{ at: 2026-12-05 22:21, kind: responded, by: wuming, manner: phone }",
         "{ at: 2026-12-05 22:21, kind: responded, by: wuming, manner: email }")
    assert manner_warnings() == []


def test_working_hours_are_checked(data_copy):
    folder = data_copy("data")
    edit(folder / "service.yaml", "hours: 7x24\n", "hours: 7x24\nworking_hours: [09:00-12:00, 11:00-10:00, 10:30-17:00]\n")
    assert [line for line in problems(folder) if line.startswith("service.yaml")] == [
        "service.yaml:10:16: error: working_hours: working_hours apply to a 5x8 service only; a 7x24 clock runs on "
        "the wall clock",
        "service.yaml:10:30: error: working_hours[1]: '11:00-10:00' closes before it opens",
        "service.yaml:10:43: error: working_hours[2]: '10:30-17:00' begins before the interval before it ends; list "
        "the intervals in order, without overlap",
    ]


def test_an_exemption_that_covers_nothing_is_a_warning(data_copy):
    folder = data_copy("data")
    edit(folder / "faults.yaml", "    confirmation: { by: chenjing, date: 2026-11-25,",
         "    exemption: { reason: 无, agreed_by: chenjing }\n    confirmation: { by: chenjing, date: 2026-11-25,")
    warnings = [p.format().split(str(folder) + "/", 1)[-1] for p in check_data(folder).warnings]
    assert "faults.yaml:19:16: warning: faults[0].exemption: GZ-2026-001: an exemption, but no target was missed " \
           "or overdue; it is printed and covers nothing" in warnings


def test_as_of_defaults_to_the_latest_time_in_the_records(data_copy):
    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26\n", "")
    # the latest event: GZ-2027-006 waiting for the customer from 2027-02-25 09:00 (the inspection was on the 24th)
    assert check_data(folder).facts["compliance"].as_of == "2027-02-25"


def test_a_service_report_is_dated_on_as_of_and_counts_the_visits_of_its_windows():
    """The 2026Q4 report (2026-11-23 to 2026-12-31) states each window as it stands on as_of (2027-02-26): the
    first preventive window (from 2026-11-23) and the first inspection window (the whole year) were served by the
    visits of 2027-01-20 and 2027-02-24, so the report counts both and is dated 2027-02-26, never 2026-12-31
    (a report dated before the visits it reports)."""
    facts = check_data(DATA_DIRS["data"]).facts
    q4 = next(p for p in facts.compliance.periods if p.key == "2026Q4")
    assert (q4.ended, q4.date) == (True, "2027-02-26")
    assert sorted(q4.visits) == ["2027", "2027-Q1"]
    assert {(w.kind, w.number, w.visit) for w in q4.windows} >= {("preventive", 1, "2027-Q1"),
                                                                  ("inspection", 1, "2027")}


def test_a_finding_carried_forward_is_checked(data_copy):
    folder = data_copy("data")
    visits = folder / "visits.yaml"
    # the inspection's first finding: a bad form; its second: the PM's info finding is fine, then the same one
    # carried forward twice would be an error, and so would carrying forward a later visit or a missing item.
    edit(visits, "follows: 2027-Q1/1 }", "follows: 2027-Q1 }")
    edit(visits, "fault: GZ-2027-004, owner: wuming, due: 2027-03-10 }",
         "fault: GZ-2027-004, owner: wuming, due: 2027-03-10, follows: 2027-Q1/3 }")
    edit(visits, "{ text: 二号楼门禁终端固件低于推荐版本, severity: info }",
         "{ text: 二号楼门禁终端固件低于推荐版本, severity: info, follows: \"2027/1\" }")
    assert [line for line in problems(folder) if line.startswith("visits.yaml")] == [
        "visits.yaml:19:59: error: visits[0].findings[1].follows: visit '2027' began 2027-02-24 09:00, not before "
        "this one (2027-01-20 09:30); a finding carries forward one of an earlier visit",
        "visits.yaml:38:99: error: visits[1].findings[0].follows: '2027-Q1' is not VISIT/N (a visit's id and the "
        "number of its finding, from 1)",
        "visits.yaml:39:127: error: visits[1].findings[1].follows: visit '2027-Q1' has 2 findings, not 3",
    ]
    edit(visits, "follows: 2027-Q1 }", "follows: 2027-Q1/1 }")
    edit(visits, "follows: 2027-Q1/3 }", "follows: 2027-Q1/1 }")
    edit(visits, ", follows: \"2027/1\" }", " }")
    assert [line for line in problems(folder) if line.startswith("visits.yaml")] == [
        "visits.yaml:39:127: error: visits[1].findings[1].follows: '2027-Q1/1' is already carried forward by "
        "visits[1].findings[0]",
    ]


def test_a_miss_says_what_paused_the_clock_and_by_how_much_it_went_over(data_copy):
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    # GZ-2026-005, level 2, 4 h to resolve on 7x24: reported 2026-12-16 09:40; waiting for the customer
    # 10:30-11:00 (0:30, left out); resolved 15:10: 5:30 - 0:30 = 5:00, 1:00 over; due 09:40 + 4 h + 0:30 = 14:10.
    edit(folder / "faults.yaml", "      - { at: 2026-12-16 15:10, kind: resolved, by: wangqiang",
         "      - { at: 2026-12-16 10:30, kind: waiting_customer, note: 待甲方提供证书账号 }\n"
         "      - { at: 2026-12-16 11:00, kind: resumed }\n"
         "      - { at: 2026-12-16 15:10, kind: resolved, by: wangqiang")
    facts = check_data(folder).facts
    q4 = next(p for p in facts["compliance"].periods if p.key == "2026Q4")
    miss = next(m for m in q4.misses if m.fault == "GZ-2026-005")
    assert (miss.due, miss.fulfilled_at, miss.elapsed_text, miss.over_text, miss.paused, miss.paused_for) == (
        "2026-12-16 14:10", "2026-12-16 15:10", "5:00", "1:00", 30, "waiting")
    view = service_report_view(facts, q4, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    assert [m["cause"] for m in view["misses"]] == [
        "解决时限 4 小时，应于 2026-12-16 14:10 前完成；2026-12-16 15:10 解决，用时 5:00，超出 1:00；"
        "用时已扣除等待客户的暂停 0:30。"]


def test_a_window_without_a_working_day_is_printed_without_a_planned_date_and_is_not_missed(data_copy):
    """A service period ending on a Sunday leaves its last preventive window one day long with no working day:
    the service report's table of windows prints — for its planned and notice dates, as the service guide does
    (the build ended in a traceback). Nothing could be planned in it, so it is not "missed" once it has ended
    (SPEC §10 knows four statuses; it was 未执行 with the warning "ended with no visit" and an improvement asked
    for): its status says why it has no visit."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    edit(folder / "service.yaml", "end: 2027-11-22", "end: 2027-05-23")  # window 3: Sunday 2027-05-23 alone
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-23")
    facts = check_data(folder).facts
    q2 = next(p for p in facts["compliance"].periods if p.key == "2027Q2")
    view = service_report_view(facts, q2, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    (row,) = [w for w in view["windows"] if "2027-05-23 至 2027-05-23" in w["window"]]
    assert (row["planned"], row["notice"], row["status"]) == ("—", "—", "无工作日")
    warnings = [p.format() for p in check_data(folder).warnings]
    # window 2 (to the Saturday) had working days and no visit: missed, as before
    assert [(w.kind, w.end, w.status) for w in q2.windows] == [("preventive", "2027-05-22", "missed"),
                                                                ("preventive", "2027-05-23", "no_working_day"),
                                                                ("inspection", "2027-05-23", "done")]
    assert [w.replace(str(folder), "data") for w in warnings if "no visit" in w or "no working day" in w] == [
        "data/service.yaml:35:5: warning: maintenance.preventive: preventive window 2 (2027-02-23 to 2027-05-22) "
        "ended with no visit",
        "data/service.yaml:35:5: warning: maintenance.preventive: the preventive window 3 (2027-05-23 to "
        "2027-05-23) has no working day: nothing is planned in it"]


def test_the_records_fill_their_catalog_texts_as_every_document_does():
    """record_views puts the values into the records' catalog texts with wording.fill, as the other documents'
    views do: in Chinese, a catalog space beside full-width punctuation is not printed (here one written before the
    bracket of a miss's ticket: the catalog as shipped has none, and prints the same)."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    def tickets(folder, locale, text):
        facts = check_data(folder).facts
        q4 = next(p for p in facts["compliance"].periods if p.key == "2026Q4")
        labels = {**load_labels(locale, "service_report"), "miss_ticket": text}
        return [m["ticket"] for m in service_report_view(facts, q4, labels, lambda d: long_date(d, locale))["misses"]]

    assert tickets(DATA_DIRS["data"], "zh-CN", "{id} （{level}）") == ["GZ-2026-005（二级）"]
    assert tickets(DATA_DIRS["data"], "zh-CN", "{id}（{level}）") == ["GZ-2026-005（二级）"]


def test_a_miss_says_what_set_the_target_and_what_is_still_overdue(data_copy):
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    faults = folder / "faults.yaml"
    # GZ-2026-006, taken as level 3 at 08:50, re-graded to level 1 at 09:20: 2 h from 08:50, due 10:50; restored
    # at 11:00 instead of 10:40: 2:10, 0:10 over.
    edit(faults, "{ at: 2026-12-21 10:40, kind: restored", "{ at: 2026-12-21 11:00, kind: restored")
    # GZ-2027-006, level 2 (4 h), without its pause: due 2027-02-25 12:05, still not resolved at as_of (2027-02-26
    # 24:00): 08:05 → 24:00 next day = 39:55 elapsed, 35:55 over.
    edit(faults, "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n", "")
    facts = check_data(folder).facts
    periods = {p.key: p for p in facts["compliance"].periods}

    def reasons(key):
        view = service_report_view(facts, periods[key], load_labels("zh-CN", "service_report"),
                                   lambda d: long_date(d, "zh-CN"))
        return {m["fault"]: m["cause"] for m in view["misses"]}

    assert reasons("2026Q4")["GZ-2026-006"] == (
        "解决时限 2 小时，应于 2026-12-21 10:50 前完成；2026-12-21 09:20 由三级调整为一级，按一级时限自受理时起算；"
        "2026-12-21 11:00 恢复服务，用时 2:10，超出 0:10。")
    assert reasons("2027Q1")["GZ-2027-006"] == (
        "解决时限 4 小时，应于 2027-02-25 12:05 前完成；截至2027年2月26日仍未完成，已用 39:55，超出 35:55。")


def test_a_follows_with_a_huge_number_is_an_error_line_not_a_crash(data_copy):
    # 5,000 digits: int() refuses more than 4,300 (a ValueError, a traceback, before); the line does not print them
    folder = data_copy("data")
    edit(folder / "visits.yaml", "follows: 2027-Q1/1 }", "follows: 2027-Q1/" + "9" * 5000 + " }")
    assert [line for line in problems(folder) if line.startswith("visits.yaml")] == [
        "visits.yaml:38:99: error: visits[1].findings[0].follows: visit '2027-Q1' has 2 findings, not a number of "
        "5000 digits"]
    edit(folder / "visits.yaml", "9" * 5000, "12")
    assert [line for line in problems(folder) if line.startswith("visits.yaml")] == [
        "visits.yaml:38:99: error: visits[1].findings[0].follows: visit '2027-Q1' has 2 findings, not 12"]


def _inspection_names(folder, ticket):
    edit(folder / "visits.yaml", "severity: fault, fault: GZ-2027-004,", f"severity: fault, fault: {ticket},")


def test_a_finding_stays_open_while_its_ticket_is_reopened(data_copy):
    """The inspection of 2027-02-24 09:00 names GZ-2027-006 (level 2, 4 h to resolve), reported the next day:
    resolved 2027-02-25 14:05 (6:00, missed), then reopened on the 26th and not resolved again by as_of. Its
    resolution stays 'missed' and resolved_at the resolved of the 25th, but it has dealt with nothing: the
    finding is open (it was settled by that resolved before). Resolved again, it is settled."""
    folder = data_copy("data")
    _inspection_names(folder, "GZ-2027-006")
    faults = folder / "faults.yaml"
    edit(faults, "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }",
         "      - { at: 2027-02-25 14:05, kind: resolved, by: wangqiang }\n"
         "      - { at: 2027-02-26 09:00, kind: reopened, note: 图表再次不显示 }")
    facts = check_data(folder).facts
    fault = next(f for f in facts.faults if f.id == "GZ-2027-006")
    assert (fault.resolution.status, fault.resolved_at, fault.reopened) == ("missed", "2027-02-25 14:05", 1)
    finding = next(f for v in facts.visits.visits for f in v.findings if f.ref == "2027/2")
    assert (finding.fault, finding.open) == ("GZ-2027-006", True)
    q1 = next(p for p in facts.compliance.periods if p.key == "2027Q1")
    assert "2027/2" in [f.ref for f in q1.open_findings]
    edit(faults, "kind: reopened, note: 图表再次不显示 }",
         "kind: reopened, note: 图表再次不显示 }\n      - { at: 2027-02-26 11:00, kind: resolved, by: wangqiang }")
    facts = check_data(folder).facts
    finding = next(f for v in facts.visits.visits for f in v.findings if f.ref == "2027/2")
    assert finding.open is False


def test_a_reopened_tickets_form_prints_no_completion_while_its_cycle_is_open(data_copy):
    """GZ-2027-006 (level 2, reported 2027-02-25 08:05) resolved 14:05, reopened on the 26th at 09:00 and not
    resolved again by as_of (2027-02-26): its form's resolution row printed 完成时间 2027-02-25 14:05 (解决) beside an
    elapsed time counted to as_of. While the cycle is open nothing is complete: "—", the time so far, the cycles
    listed; resolved again at 11:00, the row shows that resolution."""
    from signoff.record_views import fault_record_view
    from signoff.render import load_labels

    folder = data_copy("data")
    faults = folder / "faults.yaml"
    edit(faults, "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }",
         "      - { at: 2027-02-25 14:05, kind: resolved, by: wangqiang }\n"
         "      - { at: 2027-02-26 09:00, kind: reopened, note: 图表再次不显示 }")

    def resolution_row():
        facts = check_data(folder).facts
        fault = next(f for f in facts.faults if f.id == "GZ-2027-006")
        view = fault_record_view(facts, fault, load_labels("zh-CN", "fault_record"))
        return fault.resolution, next(r for r in view["targets"] if r["label"] == "解决")

    target, row = resolution_row()
    assert (target.status, target.fulfilled_at, row["fulfilled_at"], row["event"]) == ("missed", None, "—", "—")
    # 25th 08:05 to as_of 26th 24:00 is 39:55, less 14:05 to 09:00 between resolved and reopened (18:55)
    assert (row["elapsed"], row["so_far"]) == ("21:00", "（截至统计日）"), row
    assert row["cycles"].startswith("第\u00a01\u00a0次 6:00（未达标）"), row["cycles"]
    edit(faults, "kind: reopened, note: 图表再次不显示 }",
         "kind: reopened, note: 图表再次不显示 }\n      - { at: 2027-02-26 11:00, kind: resolved, by: wangqiang }")
    target, row = resolution_row()
    assert (target.status, row["fulfilled_at"], row["event"]) == ("missed", "2027-02-26 11:00", "解决")


def test_a_finding_naming_a_ticket_resolved_before_the_visit_stays_open(data_copy):
    # GZ-2027-004 was resolved 2027-02-03 19:40, three weeks before the inspection: the finding refers to it
    facts = check_data(data_copy("data")).facts
    finding = next(f for v in facts.visits.visits for f in v.findings if f.ref == "2027/2")
    assert (finding.fault, finding.open) == ("GZ-2027-004", True)


def test_a_response_miss_of_a_reopened_ticket_names_no_cycle(data_copy):
    """GZ-2027-006 (level 2, reported 2027-02-25 08:05, responded 08:20) resolved 10:00, reopened 11:00, re-graded
    to level 1 at 11:05 (10 min to respond, 2 h to resolve, from the report), restored 13:00. The response went 0:05
    over: that is not a cycle of the ticket (the reason said 'reopened, and cycle 1 went over'); the resolution's
    second cycle did: 08:05 → 13:00 is 4:55, less the hour from resolved to reopened, 3:55, 1:55 over."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    edit(folder / "faults.yaml", "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }",
         "      - { at: 2027-02-25 10:00, kind: resolved, by: wangqiang }\n"
         "      - { at: 2027-02-25 11:00, kind: reopened }\n"
         "      - { at: 2027-02-25 11:05, kind: level_changed, to: 1 }\n"
         "      - { at: 2027-02-25 13:00, kind: restored, by: wangqiang }")
    facts = check_data(folder).facts
    q1 = next(p for p in facts["compliance"].periods if p.key == "2027Q1")
    misses = {m.kind: m for m in q1.misses if m.fault == "GZ-2027-006"}
    assert (misses["response"].cycle, misses["resolution"].cycle) == (None, 2)
    view = service_report_view(facts, q1, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    assert [m["cause"] for m in view["misses"] if m["fault"] == "GZ-2027-006"] == [
        "响应时限 10 分钟，应于 2027-02-25 08:15 前完成；2027-02-25 11:05 由二级调整为一级，按一级时限自受理时起算；"
        "2027-02-25 08:20 响应，用时 0:15，超出 0:05。",
        "解决时限 2 小时，应于 2027-02-25 11:05 前完成；2027-02-25 11:05 由二级调整为一级，按一级时限自受理时起算；"
        "2027-02-25 13:00 恢复服务，用时 3:55，超出 1:55；工单曾重新打开，第 2 次处理时累计用时超出时限；"
        "用时已扣除解决至重新打开之间的暂停 1:00。"]


def test_a_ticket_with_no_events_is_overdue_on_both_targets(data_copy):
    """GZ-2027-006 (level 2: 30 min, 4 h; reported 2027-02-25 08:05) with no events at all: on as_of (2027-02-26,
    to 24:00) 39:55 have run on 7x24, 39:25 past the response's 30 minutes and 35:55 past the resolution's 4 h."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    edit(folder / "faults.yaml", "    events:\n"
         "      - { at: 2027-02-25 08:20, kind: responded, by: wangqiang, manner: phone }\n"
         "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n", "")
    facts = check_data(folder).facts
    q1 = next(p for p in facts["compliance"].periods if p.key == "2027Q1")
    view = service_report_view(facts, q1, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    assert [m["cause"] for m in view["misses"] if m["fault"] == "GZ-2027-006"] == [
        "响应时限 30 分钟，应于 2027-02-25 08:35 前完成；截至2027年2月26日仍未完成，已用 39:55，超出 39:25。",
        "解决时限 4 小时，应于 2027-02-25 12:05 前完成；截至2027年2月26日仍未完成，已用 39:55，超出 35:55。"]
    level2 = next(f for f in q1.levels if f.level == 2)
    assert (level2.response.overdue, level2.resolution.overdue, level2.response.rate) == (1, 1, "66.7%")


def _visit(notice: str, start: str, end: str, engineer: str, task: str, finding: str = "") -> str:
    """data/'s window-2 preventive visit 2027-Q2 as visits.yaml lists it: one task, and a finding if given (flow
    mappings' contents)."""
    return (f"\n  - id: 2027-Q2\n    kind: preventive\n    window: 2\n    notice_sent: {notice}\n"
            f"    start: {start}\n    end: {end}\n    engineers: [{engineer}]\n    tasks:\n      - {{ {task} }}\n"
            + (f"    findings:\n      - {{ {finding} }}\n" if finding else ""))


_THIRD_VISIT = _visit("2027-02-20", "2027-02-26 09:00", "2027-02-26 12:00", "wuming",
                      "task: 数据库清理与索引重建, result: done", "text: 日志盘已扩容, severity: SEVERITY, follows: 2027/1")


@pytest.mark.parametrize("severity, listed", [("info", ["2027/2"]), ("warning", ["2027/2", "2027-Q2/1"])])
def test_a_chain_of_three_visits_is_listed_once_as_the_latest_states_it(data_copy, severity, listed):
    """2027-Q1/1 (the log disk) ← 2027/1 ← 2027-Q2/1: the report of 2027Q1 lists the item once, as the last visit
    states it; every finding of the chain is open exactly when that one is (info: dealt with)."""
    folder = data_copy("data")
    visits = folder / "visits.yaml"
    visits.write_text(visits.read_text(encoding="utf-8") + _THIRD_VISIT.replace("SEVERITY", severity),
                      encoding="utf-8")
    facts = check_data(folder).facts
    chain = {f.ref: f for v in facts.visits.visits for f in v.findings if f.ref in ("2027-Q1/1", "2027/1", "2027-Q2/1")}
    assert [(chain[r].followed_by, chain[r].open) for r in ("2027-Q1/1", "2027/1", "2027-Q2/1")] == [
        ("2027/1", severity != "info"), ("2027-Q2/1", severity != "info"), (None, severity != "info")]
    q1 = next(p for p in facts["compliance"].periods if p.key == "2027Q1")
    assert [f.ref for f in q1.open_findings] == listed


def test_an_exempted_ticket_still_overdue_is_listed_and_not_counted(data_copy):
    """GZ-2027-006 without its pause is overdue on as_of (35:55 over); with the customer's exemption the report
    lists the miss with its reason and who agreed, and level 2's resolution counts the other two tickets only."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    faults = folder / "faults.yaml"
    edit(faults, "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n", "")
    edit(faults, "    symptom: 物业工单统计图表不显示\n",
         "    symptom: 物业工单统计图表不显示\n    exemption: { reason: 甲方要求暂缓处理, agreed_by: zhouqi }\n")
    facts = check_data(folder).facts
    q1 = next(p for p in facts["compliance"].periods if p.key == "2027Q1")
    resolution = next(f for f in q1.levels if f.level == 2).resolution
    assert (resolution.tickets, resolution.met, resolution.overdue, resolution.exempted, resolution.rate) == (
        3, 2, 0, 1, "100%")
    view = service_report_view(facts, q1, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    (miss,) = [m for m in view["misses"] if m["fault"] == "GZ-2027-006"]
    assert (miss["cause"], miss["exemption"], miss["exemption_reason"]) == (
        "解决时限 4 小时，应于 2027-02-25 12:05 前完成；截至2027年2月26日仍未完成，已用 39:55，超出 35:55。",
        "经甲方周琦同意不计入考核，理由：", "甲方要求暂缓处理")


_LATE_TICKET = """
  - id: GZ-2027-007
    level: 2
    reported_at: 2027-05-23 23:45
    channel: phone
    reporter: zhouqi
    symptom: 门禁刷卡无响应
    engineers: [wangqiang]
"""


@pytest.mark.parametrize("ticket, said", [
    ("", "本期无故障工单，无未达标时限。"),
    # level 2: 30 min to respond from 23:45, due after as_of (24:00): running, nothing counted yet
    (_LATE_TICKET, "本期无未达标时限：工单均在处理中，时限尚未届满。")])
def test_a_report_says_every_ticket_met_its_targets_only_when_they_came_due(data_copy, ticket, said):
    """A period with no ticket, or whose tickets are all still running, has no miss; its report said "本期全部工单
    均达到服务时限" (and "指标全部达成") all the same. Its findings past their due date on the report's date are
    asked to be closed at once, not "按期" by a date gone."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-23")
    (folder / "faults.yaml").write_text((folder / "faults.yaml").read_text(encoding="utf-8") + ticket,
                                        encoding="utf-8")
    facts = check_data(folder).facts
    q2 = next(p for p in facts["compliance"].periods if p.key == "2027Q2")
    labels = load_labels("zh-CN", "service_report")
    view = service_report_view(facts, q2, labels, lambda d: long_date(d, "zh-CN"))
    assert (view["misses"], view["no_misses"]) == ([], said)
    assert labels["improve_none"] not in view["improvements"]
    assert "尽快完成系统巡检报告 ZHYQ-2026-017-INS-2027 所列 2 项问题的整改（期限 2027年3月1日、2027年3月10日，已逾期）。" \
        in view["improvements"], view["improvements"]


def test_an_overdue_target_is_asked_to_be_fulfilled(data_copy):
    """The improvements name an overdue target as one still to fulfil (it was "分析…未达标的原因" as for a target
    fulfilled late)."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    folder = data_copy("data")
    edit(folder / "faults.yaml", "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n", "")
    facts = check_data(folder).facts
    q1 = next(p for p in facts["compliance"].periods if p.key == "2027Q1")
    view = service_report_view(facts, q1, load_labels("zh-CN", "service_report"), lambda d: long_date(d, "zh-CN"))
    assert "GZ-2027-006 解决已超时（应于 2027年2月25日 12:05 前完成），尽快完成并分析超时原因，完善相应的处理流程与预案。" \
        in view["improvements"], view["improvements"]


def test_a_working_interval_closes_at_24_00_at_the_latest(data_copy):
    """The pattern let an interval close at 24:01-24:59, counted as the next day (found by an attacker)."""
    folder = data_copy("data")
    edit(folder / "service.yaml", "hours: 7x24\n", "hours: 5x8\nworking_hours: [13:30-24:30]\n")
    found = problems(folder)
    assert "service.yaml:10:17: error: working_hours[0]: '13:30-24:30' is not an interval HH:MM-HH:MM of one day " \
        "(it may close at 24:00, not later)" in found, found


def test_an_unknown_tester_does_not_hide_an_unknown_fault_reporter(data_copy):
    """check reported the acceptance files' references, and only once those were right the service records'
    rules: a new user fixed one mistake and met the next (found by a reader). Both come in one run."""
    folder = data_copy("data")
    edit(folder / "results.yaml", "tester: chenjing", "tester: liyu")
    edit(folder / "faults.yaml", "reporter: chenjing", "reporter: zhang_kun")
    found = [p for p in problems(folder) if ": error: " in p]
    assert found == [
        "faults.yaml:8:15: error: faults[0].reporter: 'zhang_kun' is not a person defined under people in project.yaml",
        "results.yaml:8:13: error: tests[0].tester: 'liyu' is not a person defined under people in project.yaml"]


def _report_views(folder, locale: str = "zh-CN") -> dict:
    """The service report's sentences of each period of `folder`, by period key."""
    from signoff.record_views import service_report_view
    from signoff.render import load_labels, long_date

    facts = check_data(folder).facts
    labels = load_labels(locale, "service_report")
    return {p.key: service_report_view(facts, p, labels, lambda d: long_date(d, locale))
            for p in facts["compliance"].periods}


def test_a_customers_objection_is_stated_in_the_periods_report(data_copy, tmp_path):
    """A customer who signed GZ-2026-001's form "有异议" was reported nowhere: the quarter's report counted its
    rating and said nothing else (found by a reader). Section 七 now says which tickets of the period the customer
    objected to, and when; a period without one says nothing of it."""
    folder = data_copy("data")
    edit(folder / "faults.yaml", "date: 2026-11-25, verdict: accepted,", "date: 2026-11-25, verdict: objection,")
    edit(folder / "faults.yaml", "date: 2026-12-09, verdict: accepted,", "date: 2026-12-09, verdict: objection,")
    views = _report_views(folder)
    first, *later = sorted(views)
    assert views[first]["objections"] == ("客户对 GZ-2026-001（2026年11月25日）和GZ-2026-002（2026年12月9日）的处理结果有异议"
                                          "（见其故障处理确认单）。")
    assert all(views[key]["objections"] == "" for key in later)
    english = copy_5x8(tmp_path)
    edit(english / "faults.yaml", "date: 2026-12-16, verdict: accepted,", "date: 2026-12-16, verdict: objection,")
    en = _report_views(english, "en")
    assert en["2026-12"]["objections"] == ("The customer objected to the handling of YMS-F-001 (on 16 December "
                                           "2026); see its fault handling confirmation form.")
    assert en["2027-01"]["objections"] == ""


def test_the_overview_says_how_many_open_tickets_were_reported_before_the_period(data_copy):
    """"仍在处理的工单 3 起" beside "共受理故障 1 起" read as a miscount: 6.2 lists every ticket still open on the
    report's date, two of them reported in Q1. GZ-2027-007 (reported in Q2, level 2) still runs on 2027-05-23,
    and so do Q1's GZ-2027-005 and GZ-2027-006; Q1's report, whose open tickets are its own, is worded as before."""
    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-23")
    with (folder / "faults.yaml").open("a", encoding="utf-8") as faults:
        faults.write(_LATE_TICKET.replace("2027-05-23 23:45", "2027-05-20 23:45"))
    views = _report_views(folder)
    assert "共受理故障 1 起（一级 0 起、二级 1 起、三级 0 起）" in views["2027Q2"]["summary"]
    assert views["2027Q2"]["summary"].endswith("仍在处理的工单 3 起（其中 2 起为以前各期受理）。")
    assert views["2027Q1"]["summary"].endswith("仍在处理的工单 2 起。")


def test_a_finding_a_ticket_closes_and_a_late_notice_are_each_an_improvement(data_copy):
    """The report asked to "按期完成 … 所列 2 项问题的整改（期限 2027-03-01）" when one of the two has no due date and
    waits on GZ-2027-005 (still running on as_of); and a visit noticed late (sent 2027-02-23, due 2027-02-19)
    asked for nothing. The late notice is the 2027Q1 visit's concern, not 2026Q4's, whose window the visit also
    serves."""
    folder = data_copy("data")
    finding = "fault: GZ-2027-004, owner: wuming, due: 2027-03-10 }"
    edit(folder / "visits.yaml", finding, "fault: GZ-2027-005, owner: wuming }")
    edit(folder / "visits.yaml", "notice_sent: 2027-02-18", "notice_sent: 2027-02-23")
    views = _report_views(folder)
    assert views["2027Q1"]["improvements"] == [
        "按期完成系统巡检报告 ZHYQ-2026-017-INS-2027 所列 1 项问题的整改（期限 2027年3月1日）。",
        # the record's second line says 其余: two lines alike read as one finding told twice (a reader)
        "尽快处理完毕工单 GZ-2027-005，以完成系统巡检报告 ZHYQ-2026-017-INS-2027 所列其余 1 项问题的整改。",
        "按约定提前发出维护与巡检通知（系统巡检报告 ZHYQ-2026-017-INS-2027 未按期通知）。"]
    assert not any("通知" in line for line in views["2026Q4"]["improvements"])


def test_a_finding_naming_a_ticket_resolved_before_the_visit_is_not_left_to_that_ticket(data_copy):
    """GZ-2027-004 was resolved on 3 February; the inspection of 24 February found the same defect in another
    building and named it. Without a due date the report said "随工单 GZ-2027-004 处理" and asked to resolve a
    ticket already resolved (found by a reader): the finding is open with no date, and check says so."""
    folder = data_copy("data")
    edit(folder / "visits.yaml", "fault: GZ-2027-004, owner: wuming, due: 2027-03-10 }", "fault: GZ-2027-004, owner: wuming }")
    result = check_data(folder)
    assert [(Path(w.file).name, w.line, w.col, w.path, w.message) for w in result.warnings if w.file.endswith("visits.yaml")] \
        == [("visits.yaml", 39, 73, "visits[1].findings[1].fault", "GZ-2027-004 was resolved on 2027-02-03, before "
             "this visit: it does not settle the finding, which stays open with no due date (give a due date, or "
             "reopen the ticket)")]
    view = _report_views(folder)["2027Q1"]
    assert "完成系统巡检报告 ZHYQ-2026-017-INS-2027 所列其余 1 项问题的整改。" in view["improvements"], view["improvements"]
    assert [row["due_or_fault"] for row in view["findings"]] == ["2027-03-01", "—"]


def test_english_improvements_for_a_finding_a_ticket_closes_and_a_late_notice(tmp_path):
    """The same two lines in English, worked on the 5x8 example: its visit of 19 January noticed on the 18th
    (due the 14th, 3 working days before), its finding waiting on YMS-F-004 instead of a date."""
    folder = copy_5x8(tmp_path)
    edit(folder / "visits.yaml", "notice_sent: 2027-01-13", "notice_sent: 2027-01-18")
    edit(folder / "visits.yaml", "owner: raman, due: 2027-02-15 }", "owner: raman, fault: YMS-F-004 }")
    # YMS-F-004 (13 January) still to resolve: its resolution and confirmation are not recorded yet
    edit(folder / "faults.yaml", "      - { at: 2027-01-20 16:00, kind: resolved, by: zhaoyu }\n"
         "    confirmation: { by: okafor, date: 2027-01-21, verdict: accepted, satisfaction: satisfied }\n", "")
    improvements = _report_views(folder, "en")["2027-01"]["improvements"]
    assert "Close the open finding of the preventive maintenance record YMS-2026-021-PM-2027-Q1 by resolving " \
        "YMS-F-004." in improvements, improvements
    assert "Notify the customer of each visit in time: the notice for the preventive maintenance record " \
        "YMS-2026-021-PM-2027-Q1 came late." in improvements, improvements


_LATE_VISIT = _visit("2027-05-21", "2027-05-27 09:30", "2027-05-27 12:00", "wuming",
                     "task: 数据库清理与索引重建, result: done")


def test_a_window_done_late_is_not_asked_to_be_made_up(data_copy):
    """A window whose visit came after it ended (status late) was asked to be "补做" as a missed one; its visit
    was made. Window 2 (2027-02-23 to 2027-05-22) visited on 27 May: Q2 asks for the visit within its window and
    names the record; Q1, whose report also lists window 2, the same; no window was missed."""
    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-28")
    with (folder / "visits.yaml").open("a", encoding="utf-8") as visits:
        visits.write(_LATE_VISIT)
    views = _report_views(folder)
    for key in ("2027Q1", "2027Q2"):
        improvements = views[key]["improvements"]
        assert "在维护日历规定的周期内完成维护与巡检（预防性维护记录 ZHYQ-2026-017-PM-2027-Q2 晚于周期执行）。" \
            in improvements, (key, improvements)
        assert not any("补做" in line for line in improvements), (key, improvements)


def test_a_late_visits_next_visit_is_not_a_day_already_gone(data_copy):
    """A visit for window 2 (2027-02-23 to 2027-05-22) made on 27 May: window 3's planned date (26 May) is before
    it, and the record said "下次计划维护 2027-05-26*", a day gone by when it was signed (found by a reader). It
    names window 3 instead."""
    from signoff.record_views import visit_view
    from signoff.render import load_labels

    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-28")
    with (folder / "visits.yaml").open("a", encoding="utf-8") as visits:
        visits.write(_LATE_VISIT)
    facts = check_data(folder).facts
    late = next(v for v in facts["visits"].visits if v.id == "2027-Q2")
    window = next(w for w in facts["visits"].windows if w.kind == "preventive" and w.number == 3)
    assert window.planned == "2027-05-26"
    view = visit_view(facts, late, load_labels("zh-CN", "maintenance_record"))
    assert view["next"] == f"第 3 期（{window.start} 至 {window.end}）内"
    on_time = next(v for v in facts["visits"].visits if v.id == "2027-Q1")
    assert visit_view(facts, on_time, load_labels("zh-CN", "maintenance_record"))["next"].startswith("2027-02-26")


def test_a_number_typed_as_a_markdown_value_is_text(tmp_path):
    """`symptom: 7` ended check in a TypeError (the image check read the value as a string); a Markdown value may
    be a number printed as typed (SPEC §3), in the service records and in the acceptance files alike."""
    folder = copy_5x8(tmp_path)
    edit(folder / "faults.yaml", "symptom: The gate 3 kiosk rejects valid truck passes", "symptom: 7")
    edit(folder / "visits.yaml", "text: Backup restore slower than the agreed 2 h", "text: 7")
    edit(folder / "issues.yaml", "description: When both gate lanes checked in a container in the same second, both "
         "were given slot B-14-03.", "description: 14")
    facts = check_data(folder).facts
    assert next(f for f in facts["faults"] if f.id == "YMS-F-001").symptom in (7, "7")


def _ticket(ident: str, level: int, reported: str, symptom: str, *events: str) -> str:
    """A ticket of the 5x8 example's people as faults.yaml lists it, its events given as flow mappings."""
    return (f"\n  - id: {ident}\n    level: {level}\n    reported_at: {reported}\n    channel: phone\n"
            f"    reporter: okafor\n    symptom: {symptom}\n    engineers: [raman]\n    events:\n"
            + "".join(f"      - {{ {event} }}\n" for event in events))


_REOPENED_AFTER_A_WAIT = _ticket(
    "YMS-F-010", 1, "2027-01-13 09:00", "Gate 1 barrier stuck open",
    "at: 2027-01-13 09:05, kind: responded, by: raman, manner: phone", "at: 2027-01-13 09:30, kind: restored, by: raman",
    "at: 2027-01-13 09:40, kind: waiting_customer", "at: 2027-01-13 15:00, kind: resumed",
    "at: 2027-01-13 15:10, kind: resolved, by: raman", "at: 2027-01-13 16:00, kind: reopened",
    "at: 2027-01-13 16:30, kind: restored, by: raman", "at: 2027-01-13 16:40, kind: resolved, by: raman")


def test_a_wait_after_a_cycle_was_restored_pauses_the_reopened_cycle(tmp_path):
    """The reopened cycle's time runs to `resolved`, so a wait for the customer before it pauses too; it was left
    out once the first cycle's target was met, and cycle 2 read 5:10, missed (found by an attacker). By hand, on
    the example's 5x8 (08:30-12:00, 13:30-17:30), level 1, 2 h to restore: 09:00-09:40 runs 0:40, the wait to
    15:00 and resolved 15:10 to reopened 16:00 are paused, 15:00-15:10 and 16:00-16:30 run 0:40: 1:20, met; due
    at 17:10 (0:50 used by 16:00, 1:10 more)."""
    folder = copy_5x8(tmp_path)
    with (folder / "faults.yaml").open("a", encoding="utf-8") as faults:
        faults.write(_REOPENED_AFTER_A_WAIT)
    fault = next(f for f in check_data(folder).facts["faults"] if f.id == "YMS-F-010")
    resolution = fault.resolution
    assert [(c.fulfilled_at, c.elapsed_text, c.met) for c in resolution.cycles] == [
        ("2027-01-13 09:30", "0:30", True), ("2027-01-13 16:30", "1:20", True)]
    assert (resolution.status, resolution.due) == ("met", "2027-01-13 17:10")


def test_the_service_acts_are_the_contractors_and_a_reopened_ticket_is_not_confirmed(tmp_path):
    """A customer's `responded` and `resolved` made YMS-F-001's targets met; a confirmation of 16 December stood on
    a ticket reopened after it, and its form printed "confirmed" over a resolution still overdue (found by an
    attacker)."""
    folder = copy_5x8(tmp_path)
    edit(folder / "faults.yaml", "kind: responded, by: raman, manner: remote }", "kind: responded, by: okafor, manner: remote }")
    edit(folder / "faults.yaml", "      - { at: 2026-12-16 15:00, kind: resolved, by: raman, note: Pass cache rebuilt }\n",
         "      - { at: 2026-12-16 15:00, kind: resolved, by: raman, note: Pass cache rebuilt }\n"
         "      - { at: 2026-12-17 09:00, kind: reopened, by: okafor }\n")
    assert problems(folder) == [
        "faults.yaml:16:54: error: faults[0].events[0].by: 'okafor' (Daniel Okafor) is not a contractor person",
        "faults.yaml:22:19: error: faults[0].confirmation: the ticket was reopened at 2026-12-17 09:00 and is not "
        "resolved since; an accepted confirmation waits for it to be resolved again (remove the confirmation until "
        "then)"]
    # an objection may lead to the reopening: no error
    edit(folder / "faults.yaml", "kind: responded, by: okafor, manner: remote }", "kind: responded, by: raman, manner: remote }")
    edit(folder / "faults.yaml", "date: 2026-12-16, verdict: accepted, satisfaction: very_satisfied }",
         "date: 2026-12-16, verdict: objection }")
    check_data(folder)


def test_a_visit_is_dated_as_a_ticket_is_and_as_of_falls_in_the_service(tmp_path):
    """A visit's confirmation of 2029 dated its record after as_of and after the service; a finding was due before
    the visit that found it; an as_of before the service began built a report for a period not begun (found by
    an attacker). Each is an error, as a ticket's are."""
    folder = copy_5x8(tmp_path)
    edit(folder / "visits.yaml", "confirmation: { by: okafor, date: 2027-01-19,", "confirmation: { by: okafor, date: 2029-01-19,")
    edit(folder / "visits.yaml", "owner: raman, due: 2027-02-15 }", "owner: raman, due: 2020-02-15 }")
    assert problems(folder) == [
        "visits.yaml:17:98: error: visits[0].findings[0].due: 2020-02-15 is before the visit that found it (2027-01-19)",
        "visits.yaml:19:39: error: visits[0].confirmation.date: 2029-01-19 is after as_of (2027-01-29)"]
    folder = copy_5x8(tmp_path, "early")
    (folder / "faults.yaml").write_text("as_of: 2026-12-01\nfaults: []\n", encoding="utf-8")
    (folder / "visits.yaml").write_text("visits: []\n", encoding="utf-8")
    assert problems(folder) == [
        "faults.yaml:1:8: error: as_of: 2026-12-01 is before the service period, which starts 2026-12-14"]


def test_levels_are_compared_on_the_services_own_working_day(tmp_path):
    """A working day was 8 h when the levels were compared, whatever the clock (found by an attacker). On 7x24
    (data/) a working day runs to the same time on the next one, at least 24 h: 12 h is the shorter; on the 5x8
    example's 7.5 h day (08:30-12:00, 13:30-17:30) 7.9 h is the longer."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIRS["data"], folder)
    edit(folder / "service.yaml", "levels:\n  - { level: 1, response: 10 min }\n",
         "levels:\n  - { level: 1, response: 10 min }\n  - { level: 2, resolution: 12 h }\n"
         "  - { level: 3, resolution: 1 wd }\n")
    check_data(folder)
    folder = copy_5x8(tmp_path)
    with (folder / "service.yaml").open("a", encoding="utf-8") as service:
        service.write("levels:\n  - { level: 2, resolution: 7.9 h }\n  - { level: 3, resolution: 1 wd }\n")
    assert [p.split(": ", 1)[1] for p in problems(folder) if ": error: " in p] == [
        "error: levels[0].resolution: level 2 (7.9 h) has a longer resolution than the less urgent level 3 (1 wd)"]


def test_a_task_listed_twice_in_one_visit_is_an_error(tmp_path):
    """A maintenance record printed "Security patch review: done" and "Security patch review: not done" for one
    visit (found by an attacker): one result per task."""
    folder = copy_5x8(tmp_path)
    edit(folder / "visits.yaml", "      - { task: Backup restore test, result: partly,",
         "      - { task: Security patch review, result: not_done, note: Postponed }\n"
         "      - { task: Backup restore test, result: partly,")
    assert problems(folder) == [
        "visits.yaml:15:17: error: visits[0].tasks[2].task: 'Security patch review' is listed twice (first as "
        "tasks[1]): give one result per task"]


def test_a_task_planned_twice_is_an_error_and_one_without_a_result_a_warning(tmp_path):
    """service.yaml's preventive tasks listed "Backup restore test" twice, and a visit that gave no result for
    "Security patch review" printed a record without it, both silently (found by an attacker). SPEC §10: a
    preventive visit gives the tasks of preventive.tasks, each with its result."""
    folder = copy_5x8(tmp_path)
    edit(folder / "service.yaml", "Security patch review, Backup restore test]",
         "Security patch review, Backup restore test, Backup restore test]")
    assert problems(folder) == [
        "service.yaml:34:97: error: maintenance.preventive.tasks[3]: 'Backup restore test' is listed twice (first "
        "as tasks[2])"]
    folder = copy_5x8(tmp_path, "second")
    edit(folder / "visits.yaml", "      - { task: Security patch review, result: done, note: Two operating-system "
         "patches installed }\n", "")
    warnings = [w.format().replace(f"{folder}/", "") for w in check_data(folder).warnings if "no result" in w.message]
    assert warnings == ["visits.yaml:13:7: warning: visits[0].tasks: no result for 'Security patch review' of "
                        "service.yaml's maintenance.preventive.tasks: the record prints no line for it"]


def test_a_5x8_service_time_longer_than_the_longest_count_of_working_days_is_an_error(tmp_path):
    """On a working day of one minute, "99999 h" is 5,999,940 working days: counting its due time ran past the
    year 9999 and ended `check` in a traceback (OverflowError, found by an attacker). A time in minutes or hours is
    no longer than 9999 working days of the service's day, the longest a time in wd may be; and a part of a
    minute of a working day is refused as a part of a minute is."""
    folder = copy_5x8(tmp_path)
    edit(folder / "service.yaml", "working_hours: [08:30-12:00, 13:30-17:30]", "working_hours: [09:00-09:01]")
    with (folder / "service.yaml").open("a", encoding="utf-8") as service:
        service.write("levels:\n  - { level: 3, response: 99999 h, resolution: 9999 wd }\n"
                      "  - { level: 1, response: 0.5 wd }\n")
    assert problems(folder) == [
        "service.yaml:42:27: error: levels[0].response: '99999 h' is longer than 9999 working days of this service "
        "(9999 × 1 min), the longest time Signoff counts",
        "service.yaml:43:27: error: levels[1].response: '0.5 wd' is 0.5 minutes of a 1-minute working day: a "
        "service time is a whole number of minutes"]


def test_a_target_met_after_its_printed_due_time_says_why(tmp_path):
    """On the 5x8 example (08:30-12:00, 13:30-17:30) a level 2 ticket reported at 11:30 is due for a response at
    12:00, the end of the morning's interval (SPEC §10); a reply at 13:20 used 0:30 of service time, so it met its
    30 minutes, and the form printed "due 12:00 · done 13:20 · Met" with nothing to say why (found by a reader).
    The resolution, not yet done, and YMS-F-001's targets, met before their due times, carry no such note."""
    from signoff.record_views import fault_record_view
    from signoff.render import load_labels

    folder = copy_5x8(tmp_path)
    with (folder / "faults.yaml").open("a", encoding="utf-8") as faults:
        faults.write(_ticket("YMS-F-011", 2, "2027-01-14 11:30", "Yard map frozen",
                             "at: 2027-01-14 13:20, kind: responded, by: raman, manner: phone"))
    facts = check_data(folder).facts
    fault = next(f for f in facts["faults"] if f.id == "YMS-F-011")
    assert (fault.response.due, fault.response.fulfilled_at, fault.response.elapsed_text, fault.response.status) == (
        "2027-01-14 12:00", "2027-01-14 13:20", "0:30", "met")
    response, resolution = fault_record_view(facts, fault, load_labels("en", "fault_record"))["targets"]
    assert (response["status"], response["status_note"]) == ("Met", "(no service time passed after the due time)")
    assert resolution["status_note"] == ""
    first = next(f for f in facts["faults"] if f.id == "YMS-F-001")
    assert [t["status_note"] for t in fault_record_view(facts, first, load_labels("zh-CN", "fault_record"))["targets"]] == ["", ""]


def test_a_target_met_after_its_due_time_because_of_a_pause_says_so(tmp_path):
    """The note of the test above also stood under a resolution whose time after the due was service time taken
    out by a wait for the customer: Monday 08:30, level 2, 4 h to resolve is due at 14:00 (3:30 + 0:30); waiting
    14:00-15:00 and resolved at 15:00 is 4:00, met, and "no service time passed after the due time" was untrue (a
    7x24 form said it above "counted on 7x24 natural time"; found by an attacker). It says the clock was paused."""
    from signoff.record_views import fault_record_view
    from signoff.render import load_labels

    folder = copy_5x8(tmp_path)
    with (folder / "faults.yaml").open("a", encoding="utf-8") as faults:
        faults.write(_ticket("YMS-F-012", 2, "2027-01-18 08:30", "Yard map frozen",
                             "at: 2027-01-18 08:35, kind: responded, by: raman, manner: phone",
                             "at: 2027-01-18 14:00, kind: waiting_customer", "at: 2027-01-18 15:00, kind: resumed",
                             "at: 2027-01-18 15:00, kind: resolved, by: raman"))
    facts = check_data(folder).facts
    fault = next(f for f in facts["faults"] if f.id == "YMS-F-012")
    resolution = fault.resolution
    assert (resolution.due, resolution.fulfilled_at, resolution.elapsed_text, resolution.status) == (
        "2027-01-18 14:00", "2027-01-18 15:00", "4:00", "met")
    notes = [t["status_note"] for t in fault_record_view(facts, fault, load_labels("en", "fault_record"))["targets"]]
    assert notes == ["", "(the clock was paused after the due time)"]


def test_a_regradings_note_is_labelled_and_ends_its_sentence(data_copy, tmp_path):
    """GZ-2026-006's form read "…按一级时限自受理时（…）起算。影响全园区访客登记，升为一级": the note ran on with no
    label and no full stop (found by a reader)."""
    from signoff.record_views import fault_record_view
    from signoff.render import load_labels

    facts = check_data(data_copy("data")).facts
    fault = next(f for f in facts["faults"] if f.regrading)
    view = fault_record_view(facts, fault, load_labels("zh-CN", "fault_record"))
    assert view["regrading"].endswith("起算。调整原因：影响全园区访客登记，升为一级。"), view["regrading"]
    # a blank note adds nothing, not an empty "调整原因："
    folder = tmp_path / "blank"
    shutil.copytree(DATA_DIRS["data"], folder)
    edit(folder / "faults.yaml", "note: 影响全园区访客登记，升为一级 }", 'note: "   " }')
    facts = check_data(folder).facts
    fault = next(f for f in facts["faults"] if f.regrading)
    assert fault_record_view(facts, fault, load_labels("zh-CN", "fault_record"))["regrading"].endswith("起算。")


_LATER_VISIT = _visit("2027-04-02", "2027-04-09 09:30", "2027-04-09 12:00", "wangqiang",
                      "task: 日志归档与磁盘容量检查, result: partly, note: 扩容硬盘到货延迟",
                      "text: 日志盘扩容仍未完成, severity: warning, owner: wangqiang, due: 2027-05-31, follows: 2027/1")


def test_an_earlier_reports_finding_past_due_is_overdue_though_a_later_visit_restates_it(data_copy):
    """On 20 April the Q1 report asked to close the log-disk finding "按期（期限 2027-03-01）": a visit of 9 April,
    after the quarter, restates it with a new date, so it was taken as restated (found by a reader). Restated
    after the period is the next report's concern: Q1's says the date has passed. Q1's GZ-2027-005, overdue since
    2027-03-04 10:00 counted through 2027's unpublished holidays, is marked * in its analysis and its
    improvement as in 6.2, and the footnote explains the mark."""
    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-04-20")
    with (folder / "visits.yaml").open("a", encoding="utf-8") as visits:
        visits.write(_LATER_VISIT)
    q1 = _report_views(folder)["2027Q1"]
    assert "尽快完成系统巡检报告 ZHYQ-2026-017-INS-2027 所列 2 项问题的整改（期限 2027年3月1日、2027年3月10日，已逾期）。" \
        in q1["improvements"], q1["improvements"]
    assert "GZ-2027-005 解决已超时（应于 2027年3月4日 10:00* 前完成），尽快完成并分析超时原因，完善相应的处理流程与预案。" \
        in q1["improvements"], q1["improvements"]
    (miss,) = [m for m in q1["misses"] if m["fault"] == "GZ-2027-005"]
    assert miss["cause"].startswith("解决时限 8 个工作日，应于 2027-03-04 10:00* 前完成"), miss["cause"]
    assert q1["provisional"]


def test_a_forms_footnote_on_provisional_dates_needs_a_date_marked(data_copy):
    """GZ-2027-005 (8 working days through 2027, whose holidays are not published) waiting for the customer has no
    due time to print ("暂停中"), yet its form printed "* 暂定时限…" under no marked date (found by a reader)."""
    from signoff.record_views import fault_record_view
    from signoff.render import load_labels

    folder = data_copy("data")
    edit(folder / "faults.yaml", "      - { at: 2027-02-22 10:30, kind: responded, by: wangqiang, manner: email }\n",
         "      - { at: 2027-02-22 10:30, kind: responded, by: wangqiang, manner: email }\n"
         "      - { at: 2027-02-23 09:00, kind: waiting_customer, note: 待甲方确认字段清单 }\n")
    facts = check_data(folder).facts
    fault = next(f for f in facts["faults"] if f.id == "GZ-2027-005")
    assert (fault.resolution.due, fault.resolution.provisional) == (None, True)
    assert fault_record_view(facts, fault, load_labels("zh-CN", "fault_record"))["provisional"] == ""


def test_one_open_ticket_of_an_earlier_period_is_not_said_as_all_of_them(data_copy):
    """"仍在处理的工单 1 起（均为以前各期受理）": 均为 needs two (found by a reader). On 23 May only Q1's GZ-2027-005 is
    still open (GZ-2027-006 resolved on 1 March)."""
    folder = data_copy("data")
    edit(folder / "faults.yaml", "as_of: 2027-02-26", "as_of: 2027-05-23")
    edit(folder / "faults.yaml", "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n",
         "      - { at: 2027-02-25 09:00, kind: waiting_customer, note: 待甲方提供出错账号 }\n"
         "      - { at: 2027-03-01 09:00, kind: resumed }\n      - { at: 2027-03-01 10:00, kind: resolved, by: wangqiang }\n")
    assert _report_views(folder)["2027Q2"]["summary"].endswith("仍在处理的工单 1 起（为以前各期受理）。")


_STILL_OPEN = _ticket(
    "YMS-F-011", 1, "2027-01-25 09:00", "Gate 4 barrier stuck open",
    "at: 2027-01-25 09:05, kind: responded, by: raman, manner: phone", "at: 2027-01-25 09:30, kind: restored, by: raman",
    "at: 2027-01-25 10:00, kind: waiting_customer, note: Waiting for the gate contractor") + _ticket(
    "YMS-F-012", 2, "2027-01-25 09:00", "Gate 5 camera offline",
    "at: 2027-01-25 09:10, kind: responded, by: raman, manner: phone", "at: 2027-01-25 10:00, kind: resolved, by: raman",
    "at: 2027-01-27 09:00, kind: reopened", "at: 2027-01-27 10:00, kind: waiting_customer")


def test_a_ticket_not_resolved_or_reopened_is_signed_on_no_day_and_a_met_target_keeps_its_due(tmp_path):
    """YMS-F-011 (level 1) restored at 09:30 and waiting since 10:00, and YMS-F-012 resolved on 25 January and
    reopened on the 27th, printed the engineer's date and seal (as_of; the 25th) though neither is finished; and
    YMS-F-011's met restoration printed its due as "Paused": a wait after the target was met hid it (found by an
    attacker). By hand on 5x8: reported Mon 25 Jan 09:00, 2 h: due 11:00."""
    from signoff.documents import plan_outputs

    folder = copy_5x8(tmp_path)
    with (folder / "faults.yaml").open("a", encoding="utf-8") as faults:
        faults.write(_STILL_OPEN)
    facts = check_data(folder).facts
    eleven, twelve = (next(f for f in facts["faults"] if f.id == i) for i in ("YMS-F-011", "YMS-F-012"))
    assert (eleven.resolution.status, eleven.resolution.due) == ("met", "2027-01-25 11:00")
    assert twelve.date == "2027-01-29"  # as_of, as one never resolved
    signed = {o.subject["id"]: o.signed for o in plan_outputs(facts, ("fault_record",))}
    assert (signed["YMS-F-011"], signed["YMS-F-012"]) == (None, None)
    assert signed["YMS-F-001"] == "2026-12-16"


def test_visit_dates_without_a_written_as_of_and_carried_forward_dues(tmp_path):
    """Without as_of (derived from the latest event or visit) a visit confirmed the day after it was refused as
    "after as_of", an as_of nobody wrote; a finding carried forward with its first, now past, due date was refused
    as due before the visit (found by an attacker). Both are valid; a visit two windows late names the next window
    not yet over (window 2 ended 2027-06-13 before the visit of 1 July)."""
    from signoff.record_views import visit_view
    from signoff.render import load_labels

    folder = copy_5x8(tmp_path)
    (folder / "faults.yaml").unlink()
    edit(folder / "visits.yaml", "confirmation: { by: okafor, date: 2027-01-19,", "confirmation: { by: okafor, date: 2027-01-20,")
    with (folder / "visits.yaml").open("a", encoding="utf-8") as visits:
        visits.write("""
  - id: 2027-Q3
    kind: preventive
    window: 3
    notice_sent: 2027-06-24
    start: 2027-07-01 08:30
    end: 2027-07-01 12:00
    engineers: [raman]
    tasks:
      - { task: Backup restore test, result: partly, note: Still 2.5 h }
    findings:
      - { text: Backup restore still slower than 2 h, severity: warning, owner: raman, due: 2027-02-15, follows: 2027-Q1/1 }
""")
    check_data(folder)
    folder = copy_5x8(tmp_path, "late")
    (folder / "faults.yaml").unlink()
    edit(folder / "visits.yaml", "    notice_sent: 2027-01-13\n    start: 2027-01-19 08:30\n    end: 2027-01-19 12:00\n",
         "    notice_sent: 2027-06-24\n    start: 2027-07-01 08:30\n    end: 2027-07-01 12:00\n")
    edit(folder / "visits.yaml", "confirmation: { by: okafor, date: 2027-01-19,", "confirmation: { by: okafor, date: 2027-07-01,")
    edit(folder / "visits.yaml", "due: 2027-02-15 }", "due: 2027-07-15 }")
    facts = check_data(folder).facts
    (late,) = facts["visits"].visits
    windows = {w.number: w for w in facts["visits"].windows if w.kind == "preventive"}
    assert windows[2].end < "2027-07-01" <= windows[3].end
    assert visit_view(facts, late, load_labels("en", "maintenance_record"))["next"] == (
        f"During window 3 ({windows[3].start} to {windows[3].end})")


def test_an_objection_before_a_reopening_leaves_a_draft_signed_on_no_day(data_copy):
    """GZ-2026-007 reopened on 30 December after an objection of the 29th and not resolved since: its form was
    dated the 29th, signed and sealed by both parties with no DRAFT mark, a day before events it records (found
    by an attacker). It is a draft dated as_of, signed by the engineer on no day."""
    from signoff.documents import plan_outputs

    folder = data_copy("data")
    raw = (folder / "faults.yaml").read_text(encoding="utf-8")
    start = raw.index("  - id: GZ-2026-007")
    block = raw[start:raw.index("\n\n", start)]
    lines = block.splitlines()
    resolved = [k for k, line in enumerate(lines) if "kind: resolved" in line][-1]
    confirmation = next(k for k, line in enumerate(lines) if line.startswith("    confirmation:"))
    lines[confirmation] = "    confirmation: { by: chenjing, date: 2026-12-29, verdict: objection, satisfaction: dissatisfied }"
    del lines[resolved]
    (folder / "faults.yaml").write_text(raw.replace(block, "\n".join(lines)), encoding="utf-8")
    facts = check_data(folder).facts
    fault = next(f for f in facts["faults"] if f.id == "GZ-2026-007")
    assert (fault.draft, fault.date) == (True, "2027-02-26")
    (output,) = [o for o in plan_outputs(facts, ("fault_record",)) if o.subject["id"] == "GZ-2026-007"]
    assert (output.signers, output.signed) == (("wangqiang",), None)


def test_without_as_of_a_confirmation_is_bounded_by_the_service_and_a_carried_due_by_the_first_visit(tmp_path):
    """Without as_of a confirmation of 2030 passed; and `follows` let a due of 2020 pass (found by an attacker).
    A confirmation falls within the service period, and a carried-forward finding's due is not before the visit
    that first found it."""
    folder = copy_5x8(tmp_path)
    edit(folder / "faults.yaml", "as_of: 2027-01-29\n", "")
    edit(folder / "faults.yaml", "confirmation: { by: okafor, date: 2026-12-16,", "confirmation: { by: okafor, date: 2030-01-01,")
    with (folder / "visits.yaml").open("a", encoding="utf-8") as visits:
        visits.write("\n  - id: 2027-Q1-B\n    kind: preventive\n    window: 1\n    notice_sent: 2027-01-20\n"
                     "    start: 2027-01-26 08:30\n    end: 2027-01-26 12:00\n    engineers: [raman]\n"
                     "    tasks:\n      - { task: Backup restore test, result: partly, note: Still 2.5 h }\n"
                     "    findings:\n      - { text: Backup restore still slow, severity: warning, due: 2020-01-01, "
                     "follows: 2027-Q1/1 }\n")
    found = [p for p in problems(folder) if ": error: " in p]
    assert found == [
        "faults.yaml:20:39: error: faults[0].confirmation.date: 2030-01-01 is after the service period, which ends "
        "2027-12-13",
        "visits.yaml:31:68: error: visits[1].findings[0].due: 2020-01-01 is before the visit that found it "
        "(2027-01-19)"], found
