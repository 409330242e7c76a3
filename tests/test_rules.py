"""The rules of SPEC §4–§5, each message asserted once with its exact line, through signoff.validation.check_data
on a copy of an example with one value edited (`pass-en` unless the case says otherwise)."""
from __future__ import annotations

import re
import shutil

import pytest

from signoff.errors import DataError
from signoff.model import to_json
from signoff.validation import check_data
from conftest import DATA_DIRS, copy_5x8, edit, run_build

# (case, package, [(file, text, replacement)], every error line the edit gives, exactly and in order)
CASES = [
    ('unknown_person', 'pass-en',
         [('results.yaml', 'tester: chenhui\n    evidence: Test record AT-F01', 'tester: nobody\n    evidence: Test record AT-F01')],
         ["pass-en/results.yaml:6:13: error: tests[0].tester: 'nobody' is not a person defined under people in project.yaml"]),
    ('wrong_party', 'pass-en',
         [('delivery.yaml', 'handed_over_by: wanglei', 'handed_over_by: chenhui')],
         ["pass-en/delivery.yaml:4:17: error: handed_over_by: 'chenhui' (Chen Hui) is not a contractor person"]),
    ('both_parties', 'pass-en',
         [('report.yaml', 'signatories: [chenhui, wanglei]', 'signatories: [chenhui, holt]')],
         ['pass-en/report.yaml:12:14: error: signatories: needs at least one person of each party (customer and contractor)']),
    ('signatory_twice', 'pass-en',
         [('report.yaml', 'signatories: [chenhui, wanglei]', 'signatories: [chenhui, wanglei, chenhui]')],
         ["pass-en/report.yaml:12:33: error: signatories[2]: 'chenhui' is listed twice (first as item 0)"]),
    ('criterion_twice', 'pass-en',
         [('criteria.yaml', '  - id: F-02\n', '  - id: F-01\n')],
         ["pass-en/criteria.yaml:14:9: error: criteria[1].id: criterion 'F-01' is defined twice (first as item 0)",
          "pass-en/issues.yaml:11:16: error: issues[0].criterion: 'F-02' is not a criterion in criteria.yaml",
          "pass-en/results.yaml:8:16: error: tests[1].criterion: 'F-02' is not a criterion in criteria.yaml",
          "pass-en/results.yaml:41:16: error: tests[7].criterion: 'F-02' is not a criterion in criteria.yaml"]),
    ('role_for_party', 'pass-en',
         [('project.yaml', 'person: okafor, role: ops_lead', 'person: okafor, role: tech_lead')],
         ["pass-en/project.yaml:89:31: error: acceptance.group[2].role: 'tech_lead' is not a role for a customer person (group_leader, customer_pm, ops_lead, member)"]),
    ('missing_role', 'pass-en',
         [('project.yaml', 'person: meyer, role: qa_lead', 'person: meyer, role: engineer')],
         ['pass-en/project.yaml:87:5: error: acceptance.group: the acceptance group has no qa_lead']),
    ('material_twice', 'pass-en',
         [('project.yaml', '{ kind: srs, title', '{ kind: design, title')],
         ['pass-en/project.yaml:96:5: error: acceptance.materials: the contractor has not submitted: srs',
          "pass-en/project.yaml:98:7: error: acceptance.materials[2].id: material 'design' is defined twice (first as item 1)",
          "pass-en/results.yaml:63:17: error: documents[0].material: 'srs' is not a material id in project.yaml"]),
    ('not_submitted', 'pass-en',
         [('project.yaml', '{ kind: training_record, title: Training Record, from: contractor', '{ kind: training_record, title: Training Record, from: customer')],
         ['pass-en/project.yaml:96:5: error: acceptance.materials: the contractor has not submitted: training_record']),
    ('needs_description', 'pass-en',
         [('criteria.yaml', '    description: Every change to a booking, slot or user is logged with who, when and what, and the log cannot be edited\n', '')],
         ['pass-en/criteria.yaml:52:5: error: criteria[6]: needs a description (or a metric)']),
    ('kickoff_must_state', 'pass-en',
         [('meetings.yaml', '    disputes: |\n      A disputed result is re-tested on the spot by both parties. If they still disagree, the group leader decides\n      after hearing both technical leads; until then the criterion counts as failed.\n', '')],
         ['pass-en/meetings.yaml:3:5: error: meetings[0]: a kickoff meeting must state disputes']),
    ('end_time', 'pass-en',
         [('meetings.yaml', 'end_time: "11:30"', 'end_time: "09:30"')],
         ['pass-en/meetings.yaml:8:15: error: meetings[0].end_time: 09:30 is not after the start time 10:00']),
    ('no_other_party', 'pass-en',
         [('meetings.yaml', 'attendees: [chenhui, okafor, wanglei, marin, zhaoyu]\n', 'attendees: [chenhui, okafor]\n'),
          ('meetings.yaml', '    signatories: [okafor, marin]\n', '')],
         ['pass-en/meetings.yaml:52:16: error: meetings[1].attendees: no attendee of the other party to sign beside the chair; list one, or give signatories']),
    ('meeting_twice', 'pass-en',
         [('meetings.yaml', '  - id: service-handover', '  - id: kickoff'),
          ('service.yaml', 'handover_meeting: service-handover\n', '')],
         ["pass-en/meetings.yaml:43:9: error: meetings[1].id: meeting 'kickoff' is defined twice (first as item 0)"]),
    ('test_unknown_criterion', 'pass-en',
         [('results.yaml', '  - criterion: F-03\n', '  - criterion: F-09\n')],
         ["pass-en/results.yaml:14:16: error: tests[2].criterion: 'F-09' is not a criterion in criteria.yaml"]),
    ('metric_needs_measured', 'pass-en',
         [('results.yaml', '    measured: 3.1\n', '    result: pass\n')],
         ['pass-en/results.yaml:20:5: error: tests[3]: P-01 has a metric: state what was measured (measured:)']),
    ('no_metric', 'pass-en',
         [('results.yaml', '    result: pass\n    date: 2026-11-24\n    tester: chenhui\n    evidence: Test record AT-F01', '    result: pass\n    measured: 3\n    date: 2026-11-24\n    tester: chenhui\n    evidence: Test record AT-F01')],
         ['pass-en/results.yaml:5:15: error: tests[0].measured: F-01 has no metric to measure against']),
    ('result_required', 'pass-en',
         [('results.yaml', '    result: pass\n    date: 2026-11-24\n    tester: okafor', '    date: 2026-11-24\n    tester: okafor')],
         ['pass-en/results.yaml:14:5: error: tests[2]: result is required (pass, fail or conditional)']),
    ('review_unknown_material', 'pass-en',
         [('results.yaml', '{ material: srs,', '{ material: manual,')],
         ["pass-en/results.yaml:63:17: error: documents[0].material: 'manual' is not a material id in project.yaml"]),
    ('issue_unknown_criterion', 'pass-en',
         [('issues.yaml', '    criterion: F-02\n', '    criterion: F-12\n')],
         ["pass-en/issues.yaml:11:16: error: issues[0].criterion: 'F-12' is not a criterion in criteria.yaml"]),
    ('issue_unknown_material', 'pass-en',
         [('issues.yaml', '    material: user_manual\n', '    material: manual\n')],
         ["pass-en/issues.yaml:50:15: error: issues[2].material: 'manual' is not a material id in project.yaml"]),
    ('owner_party', 'pass-en',
         [('issues.yaml', '    owner: raman\n    due: 2026-11-27', '    owner: chenhui\n    due: 2026-11-27')],
         ["pass-en/issues.yaml:14:12: error: issues[0].owner: 'chenhui' (Chen Hui) is not a contractor person"]),
    ('reverifiers_parties', 'pass-en',
         [('issues.yaml', '{ date: 2026-11-27, result: pass, by: [chenhui, meyer] }', '{ date: 2026-11-27, result: pass, by: [chenhui, okafor] }')],
         ['pass-en/issues.yaml:22:47: error: issues[0].reverification[0].by: needs at least one person of each party (customer and contractor)']),
    ('handover_not_meeting', 'pass-en',
         [('service.yaml', 'handover_meeting: service-handover', 'handover_meeting: handover')],
         ["pass-en/service.yaml:28:19: error: handover_meeting: 'handover' is not a meeting in meetings.yaml"]),
    ('handover_wrong_kind', 'pass-en',
         [('service.yaml', 'handover_meeting: service-handover', 'handover_meeting: kickoff')],
         ["pass-en/service.yaml:28:19: error: handover_meeting: meeting 'kickoff' is of kind kickoff, not handover"]),
    ('service_ends_before', 'pass-en',
         [('service.yaml', 'end: 2027-12-13', 'end: 2026-12-13')],
         ['pass-en/service.yaml:4:6: error: end: the service ends before it starts']),
    ('level_twice', 'pass-en',
         [('service.yaml', 'maintenance:\n', 'levels:\n  - { level: 1, response: 10 min }\n  - { level: 1, resolution: 1 h }\nmaintenance:\n')],
         ["pass-en/service.yaml:31:14: error: levels[1].level: level '1' is defined twice (first as item 0)"]),
    ('metric_disagrees', 'pass-en',
         [('results.yaml', '    measured: 3.1\n', '    measured: 3.1\n    result: fail\n')],
         ["pass-en/results.yaml:22:13: error: tests[3].result: 'fail' disagrees with the measured value 3.1 against <= 5 s (pass)"]),
    ('core_conditional', 'pass-en',
         [('results.yaml', '    result: pass\n    date: 2026-11-26\n    tester: chenhui', '    result: conditional\n    date: 2026-11-26\n    tester: chenhui')],
         ['pass-en/results.yaml:32:13: error: tests[5].result: S-01 is a core criterion and cannot pass conditionally']),
    ('tested_after_report', 'pass-en',
         [('results.yaml', '    date: 2026-12-03\n', '    date: 2026-12-12\n')],
         ['pass-en/results.yaml:58:11: error: tests[10].date: tested 2026-12-12, after the report date (2026-12-11)']),
    ('failed_no_issue', 'pass-en',
         [('results.yaml', '    result: pass\n    date: 2026-11-26\n    tester: okafor', '    result: fail\n    date: 2026-11-26\n    tester: okafor')],
         ['pass-en/results.yaml:36:5: error: tests[6]: S-02 failed and no issue in issues.yaml names it (criterion: S-02)']),
    ('reviewed_after_report', 'pass-en',
         [('results.yaml', 'reviewer: chenhui, date: 2026-12-09', 'reviewer: chenhui, date: 2026-12-12')],
         ['pass-en/results.yaml:68:105: error: documents[5].date: reviewed 2026-12-12, after the report date (2026-12-11)']),
    ('review_not_ok', 'pass-en',
         [('results.yaml', '{ material: design, complete: true, accurate: true', '{ material: design, complete: true, accurate: false')],
         ["pass-en/results.yaml:64:5: error: documents[1]: the review of 'design' found it not complete, accurate and usable, and no issue names it (material: design)"]),
    ('confirmed_after_report', 'pass-en',
         [('criteria.yaml', '  date: 2026-11-16', '  date: 2026-12-12')],
         ['pass-en/criteria.yaml:3:9: error: confirmed.date: confirmed 2026-12-12, after the report date (2026-12-11): the criteria are agreed before the acceptance is reported']),
    ('as_of_after_report', 'pass-en',
         [('issues.yaml', 'as_of: 2026-12-11', 'as_of: 2026-12-12')],
         ['pass-en/issues.yaml:2:8: error: as_of: as_of 2026-12-12 is after the report date (2026-12-11)']),
    ('found_after_report', 'pass-en',
         [('issues.yaml', 'found: { date: 2026-11-26, by: okafor }', 'found: { date: 2026-12-12, by: okafor }')],
         ['pass-en/issues.yaml:51:20: error: issues[2].found.date: found 2026-12-12, after the report date (2026-12-11)',
          'pass-en/issues.yaml:54:10: error: issues[2].due: 2026-12-02 is before the date it was found (2026-12-12)',
          'pass-en/issues.yaml:58:18: error: issues[2].rectification.completed: completed 2026-12-01, before the issue was found (2026-12-12)',
          'pass-en/issues.yaml:61:17: error: issues[2].reverification[0].date: re-verified 2026-12-02, before the issue was found (2026-12-12)']),
    ('found_after_as_of', 'pass-en',
         [('issues.yaml', 'as_of: 2026-12-11', 'as_of: 2026-12-05'),
          ('issues.yaml', 'found: { date: 2026-11-26, by: okafor }', 'found: { date: 2026-12-06, by: okafor }')],
         ["pass-en/issues.yaml:51:20: error: issues[2].found.date: found 2026-12-06, after the log's as_of (2026-12-05)",
          'pass-en/issues.yaml:54:10: error: issues[2].due: 2026-12-02 is before the date it was found (2026-12-06)',
          'pass-en/issues.yaml:58:18: error: issues[2].rectification.completed: completed 2026-12-01, before the issue was found (2026-12-06)',
          'pass-en/issues.yaml:61:17: error: issues[2].reverification[0].date: re-verified 2026-12-02, before the issue was found (2026-12-06)']),
    ('due_before_found', 'pass-en',
         [('issues.yaml', '    due: 2026-11-27', '    due: 2026-11-23')],
         ['pass-en/issues.yaml:15:10: error: issues[0].due: 2026-11-23 is before the date it was found (2026-11-24)']),
    ('completed_before_found', 'pass-en',
         [('issues.yaml', '      completed: 2026-11-26\n', '      completed: 2026-11-23\n')],
         ['pass-en/issues.yaml:19:18: error: issues[0].rectification.completed: completed 2026-11-23, before the issue was found (2026-11-24)']),
    ('completed_after_reverification', 'pass-en',
         [('issues.yaml', '      completed: 2026-11-26\n', '      completed: 2026-11-28\n')],
         ['pass-en/issues.yaml:19:18: error: issues[0].rectification.completed: completed 2026-11-28, after the latest re-verification (2026-11-27)']),
    ('rectification_after_report', 'pass-en',
         [('issues.yaml', '      completed: 2026-12-01\n', '      completed: 2026-12-12\n'),
          ('issues.yaml', '{ date: 2026-12-02, result: pass, by: [okafor, wanglei] }', '{ date: 2026-12-11, result: pass, by: [okafor, wanglei] }')],
         ['pass-en/issues.yaml:56:7: error: issues[2].rectification: dated 2026-12-12, after the report date (2026-12-11)',
          'pass-en/issues.yaml:58:18: error: issues[2].rectification.completed: completed 2026-12-12, after the latest re-verification (2026-12-11)']),
    ('same_report_number', 'pass-en',
         [('issues.yaml', '      self_test: 1,000 simulated', '      report: RC-ISS-002\n      self_test: 1,000 simulated')],
         ['pass-en/issues.yaml:36:7: error: issues[1].rectification: RC-ISS-002 is also the rectification report number of ISS-001: each report needs its own number']),
    ('reverified_after_report', 'pass-en',
         [('issues.yaml', '{ date: 2026-12-02, result: pass, by: [okafor, wanglei] }', '{ date: 2026-12-12, result: pass, by: [okafor, wanglei] }')],
         ['pass-en/issues.yaml:61:17: error: issues[2].reverification[0].date: re-verified 2026-12-12, after the report date (2026-12-11)']),
    ('reverified_before_found', 'pass-en',
         [('issues.yaml', '{ date: 2026-11-30, result: fail', '{ date: 2026-11-24, result: fail')],
         ['pass-en/issues.yaml:42:17: error: issues[1].reverification[0].date: re-verified 2026-11-24, before the issue was found (2026-11-25)']),
    ('closed_criterion_failed', 'pass-en',
         [('results.yaml', '    result: pass\n    date: 2026-11-27', '    result: fail\n    date: 2026-11-27')],
         ["pass-en/issues.yaml:22:7: error: issues[0].reverification: ISS-001 is closed but F-02's latest test still failed: record the re-test in results.yaml"]),
    ('closed_review_failed', 'pass-en',
         [('results.yaml', 'reviewer: okafor, date: 2026-12-02', 'reviewer: okafor, date: 2026-11-25')],
         ["pass-en/issues.yaml:61:7: error: issues[2].reverification: ISS-003 is closed but the latest review of 'user_manual' still failed: record the re-review in results.yaml"]),
    ('override_without_conclusion', 'pass-en',
         [('report.yaml', 'signatories:', 'override_reason: because\nsignatories:')],
         ['pass-en/report.yaml:12:18: error: override_reason: an override_reason needs the conclusion it overrides to']),
    ('conclusion_disagrees', 'pass-en',
         [('report.yaml', 'signatories:', 'conclusion: conditional\nsignatories:')],
         ["pass-en/report.yaml:12:13: error: conclusion: 'conditional' disagrees with the evidence, which gives 'pass' (all 8 criteria passed and all 3 issues are closed); correct it, or give an override_reason"]),
    ('window_ends_before', 'pass-en',
         [('project.yaml', 'window: { start: 2026-11-23, end: 2026-12-11 }', 'window: { start: 2026-11-23, end: 2026-11-22 }')],
         ['pass-en/meetings.yaml:6:11: error: meetings[0].date: a kickoff meeting on 2026-11-23, after the acceptance window ends (2026-11-22)',
          'pass-en/project.yaml:102:37: error: acceptance.window.end: the acceptance window ends before it starts']),
    ('kickoff_after_window', 'pass-en',
         [('project.yaml', 'window: { start: 2026-11-23, end: 2026-12-11 }', 'window: { start: 2026-11-20, end: 2026-11-22 }')],
         ['pass-en/meetings.yaml:6:11: error: meetings[0].date: a kickoff meeting on 2026-11-23, after the acceptance window ends (2026-11-22)']),
    ('service_before_report', 'pass-en',
         [('service.yaml', 'start: 2026-12-14', 'start: 2026-12-10')],
         ['pass-en/service.yaml:3:8: error: start: the service starts 2026-12-10, before the report date (2026-12-11)']),
    ('response_longer', 'pass-en',
         [('service.yaml', 'maintenance:\n', 'levels:\n  - { level: 3, response: 9 wd }\nmaintenance:\n')],
         ['pass-en/service.yaml:30:27: error: levels[0].response: level 3: the response (9 wd) is longer than the resolution (8 wd)']),
    ('longer_than_calmer', 'pass-en',
         [('service.yaml', 'maintenance:\n', 'levels:\n  - { level: 1, response: 1 h }\nmaintenance:\n')],
         ['pass-en/service.yaml:30:27: error: levels[0].response: level 1 (1 h) has a longer response than the less urgent level 2 (30 min)']),
    ('handover_before_report', 'pass-en',
         [('meetings.yaml', '    date: 2026-12-15\n', '    date: 2026-12-10\n')],
         ['pass-en/meetings.yaml:46:11: error: meetings[1].date: the handover meeting on 2026-12-10 is before the report date (2026-12-11)']),
    ('handover_late', 'pass-en',
         [('meetings.yaml', '    date: 2026-12-15\n', '    date: 2026-12-23\n')],
         ['pass-en/meetings.yaml:46:11: error: meetings[1].date: the handover meeting on 2026-12-23 is after 2026-12-22, the 7th working day after the report date (2026-12-11)']),
    ('service_over_ten_years', 'pass-en',
         [('service.yaml', 'end: 2027-12-13\n', 'end: 2999-12-31\n')],
         ['pass-en/service.yaml:4:6: error: end: the service period 2026-12-14 to 2999-12-31 is longer than 10 years, the longest Signoff plans (its maintenance calendar and reports)']),
    ('notice_zero', 'pass-en',
         [('service.yaml', '    every: quarter\n', '    every: quarter\n    notice_working_days: 0\n')],
         ["pass-en/service.yaml:32:26: error: maintenance.preventive.notice_working_days: 0 is less than 1: a visit is planned that many working days into its window, and 0 would put it on the window's first day, which may be a weekend or a public holiday"]),
    ('holiday_and_workday', 'pass-en',
         [('project.yaml', 'workdays: [2027-02-20,', 'workdays: [2027-01-01, 2027-02-20,')],
         ['pass-en/project.yaml:113:14: error: calendar.workdays[0]: 2027-01-01 is also listed under calendar.holidays: a day is either a holiday or a working day']),
    ('blank_name', 'pass-en',
         [('project.yaml', 'name: Margaret Holt', 'name: ""')],
         ['pass-en/project.yaml:32:11: error: people.holt.name: is blank: write the text, it is required']),
    ('blank_fullwidth', 'pass-en',
         [('project.yaml', 'title: QA Lead', 'title: \u3000')],
         ['pass-en/project.yaml:68:12: error: people.meyer.title: is blank: write the text, it is required']),
    ('blank_agenda_item', 'pass-en',
         [('meetings.yaml', 'agenda: [Acceptance process,', 'agenda: ["  ", Acceptance process,')],
         ['pass-en/meetings.yaml:15:14: error: meetings[0].agenda[0]: is blank: write the text or leave the item out']),
    ('deferral_after_report', 'data',
         [('issues.yaml', '      agreed: 2026-11-18\n      plan: |\n        1. 乙方协助', '      agreed: 2026-11-21\n      plan: |\n        1. 乙方协助')],
         ['data/issues.yaml:79:7: error: issues[3].deferral: dated 2026-11-21, after the report date (2026-11-20)']),
    ('agreed_before_found', 'data',
         [('issues.yaml', '      agreed: 2026-11-18\n      plan: |\n        1. 乙方协助', '      agreed: 2026-11-03\n      plan: |\n        1. 乙方协助')],
         ['data/issues.yaml:79:15: error: issues[3].deferral.agreed: agreed 2026-11-03, before the issue was found (2026-11-04)']),
    ('follow_up_before_agreed', 'data',
         [('issues.yaml', '      follow_up: 2027-01-15\n\n  - id: ISS-005', '      follow_up: 2026-11-17\n\n  - id: ISS-005')],
         ['data/issues.yaml:86:18: error: issues[3].deferral.follow_up: 2026-11-17 is before the deferral was agreed (2026-11-18)']),
    ('deferred_critical', 'data',
         [('issues.yaml', '    severity: major\n    criterion: F-06', '    severity: critical\n    criterion: F-06')],
         ['data/issues.yaml:79:7: error: issues[3].deferral: ISS-004 cannot be deferred: it is critical']),
    ('deferred_core', 'data',
         [('criteria.yaml', '    method: 真机测试，3 款鸿蒙机型各发送 100 条消息统计到达率\n    core: false\n', '    method: 真机测试，3 款鸿蒙机型各发送 100 条消息统计到达率\n')],
         ['data/issues.yaml:79:7: error: issues[3].deferral: ISS-004 cannot be deferred: its criterion F-06 is core',
          "data/report.yaml:16:13: error: conclusion: 'conditional' disagrees with the evidence, which gives 'fail' (core criteria failed with no open issue still within its due date: F-06); correct it, or give an override_reason"]),
    ('pending_override', 'pending-en',
         [('report.yaml', 'signatories:', 'conclusion: pass\noverride_reason: The customer accepts the risk.\nsignatories:')],
         ['pending-en/report.yaml:11:13: error: conclusion: the evidence is still pending (criteria not yet tested: S-02; issues still open: ISS-002); a pending conclusion cannot be overridden']),
]


def _copy(tmp_path, monkeypatch, package: str, edits):
    """The package copied under tmp_path and edited; the working directory is tmp_path, so files print as
    `pass-en/issues.yaml`, as a user who names the folder relatively sees them."""
    shutil.copytree(DATA_DIRS[package], tmp_path / package)
    monkeypatch.chdir(tmp_path)
    for file, old, new in edits:
        edit(tmp_path / package / file, old, new)
    return tmp_path.joinpath(package).relative_to(tmp_path)


@pytest.mark.parametrize("case, package, edits, expected", CASES, ids=[c[0] for c in CASES])
def test_rule_message(tmp_path, monkeypatch, case, package, edits, expected):
    folder = _copy(tmp_path, monkeypatch, package, edits)
    with pytest.raises(DataError) as caught:
        check_data(folder)
    errors = [p.format() for p in caught.value.problems if p.severity == "error"]
    assert errors == expected


@pytest.mark.parametrize("package", ["data", "pass-en", "pending-en"])
def test_the_examples_pass_every_rule(package):
    check_data(DATA_DIRS[package])


LATE_ON_A_WEEKENDS_ONLY_DEADLINE = [
    ("report.yaml", "date: 2026-12-11", "date: 2026-12-24"),
    ("service.yaml", "start: 2026-12-14", "start: 2026-12-28"),
    ("meetings.yaml", "    date: 2026-12-15\n", "    date: 2027-01-20\n"),
    ("project.yaml", "  complete_years: [2027]\n", ""),
]


def test_late_handover_on_a_provisional_deadline_is_a_warning_in_facts_json(tmp_path, monkeypatch):
    folder = _copy(tmp_path, monkeypatch, "pass-en", LATE_ON_A_WEEKENDS_ONLY_DEADLINE)
    checked = check_data(folder)
    late = ("pass-en/meetings.yaml:46:11: warning: meetings[1].date: the handover meeting on 2027-01-20 is after "
            "2027-01-05, the 7th working day after the report counted on weekends alone; check it against the "
            "official calendar")
    assert [p.format() for p in checked.warnings] == [
        late,
        "pass-en/report.yaml:2:7: warning: date: the handover deadline runs into 2027, whose official holiday "
        "calendar is not known yet; it is counted on weekends alone and marked provisional",
        "pass-en/service.yaml:30:3: warning: maintenance: the official holiday calendar of 2027 is not known yet; "
        "maintenance dates in it are counted on weekends alone and marked provisional (add calendar.complete_years "
        "with the published schedule to project.yaml)",
    ]
    warnings = to_json(checked.facts)["warnings"]
    assert {"file": "pass-en/meetings.yaml", "line": 46, "col": 11, "path": "meetings[1].date",
            "message": late.split("meetings[1].date: ")[1]} in warnings
    assert checked.facts.handover.late and checked.facts.handover.provisional


def test_only_the_service_handover_meeting_is_held_to_the_deadline(tmp_path, monkeypatch):
    """A second meeting of kind handover, late and before the report, is not the handover meeting."""
    extra = ("  - id: extra-handover\n    kind: handover\n    date: 2026-12-01\n    time: \"10:00\"\n"
             "    location: Room 2\n    chair: okafor\n    recorder: zhaoyu\n    attendees: [okafor, marin]\n\n"
             "  - id: service-handover\n")
    folder = _copy(tmp_path, monkeypatch, "pass-en", [("meetings.yaml", "  - id: service-handover\n", extra)])
    assert check_data(folder).facts.handover.meeting == "service-handover"


def test_without_service_yaml_no_meeting_is_held_to_a_deadline(tmp_path, monkeypatch):
    folder = _copy(tmp_path, monkeypatch, "pass-en", [("meetings.yaml", "    date: 2026-12-15\n",
                                                       "    date: 2027-03-01\n")])
    (folder / "service.yaml").unlink()
    checked = check_data(folder)
    assert checked.facts.handover is None and not checked.warnings


SHORT_LAST_WINDOW = [("service.yaml", "end: 2027-12-13", "end: 2027-12-15")]  # the last window: 14–15 Dec 2027


def test_a_short_last_maintenance_window_is_planned_on_its_last_working_day(tmp_path, monkeypatch):
    folder = _copy(tmp_path, monkeypatch, "pass-en", SHORT_LAST_WINDOW)
    checked = check_data(folder)
    last = checked.facts.maintenance.preventive[-1]
    assert (last.start, last.end, last.planned, last.note) == ("2027-12-14", "2027-12-15", "2027-12-15",
                                                                "last_working_day")
    assert last.planned <= checked.facts.service.end
    assert ("pass-en/service.yaml:31:5: warning: maintenance.preventive: the preventive window 5 (2027-12-14 to "
            "2027-12-15) ends before the planned date its notice gives: it is planned on the window's last working "
            "day, 2027-12-15") in [p.format() for p in checked.warnings]


def test_a_last_maintenance_window_without_a_working_day_plans_nothing(tmp_path, monkeypatch):
    # 2027-12-14 is a Tuesday: a service ending on the window's first day, made a holiday, leaves no working day
    folder = _copy(tmp_path, monkeypatch, "pass-en", [("service.yaml", "end: 2027-12-13", "end: 2027-12-14"),
                                                      ("project.yaml", "holidays: [2027-01-01,",
                                                       "holidays: [2027-12-14, 2027-01-01,")])
    checked = check_data(folder)
    last = checked.facts.maintenance.preventive[-1]
    assert (last.start, last.end, last.planned, last.notice, last.note) == ("2027-12-14", "2027-12-14", None, None,
                                                                             "no_working_day")
    assert ("pass-en/service.yaml:31:5: warning: maintenance.preventive: the preventive window 5 (2027-12-14 to "
            "2027-12-14) has no working day: nothing is planned in it") in [p.format() for p in checked.warnings]


def test_problems_at_one_place_are_listed_with_their_numbers_in_order(tmp_path):
    """Twelve inspection windows warned at one place came out 1, 10, 11, 12, 2, 3, …: sorted as text."""
    folder = copy_5x8(tmp_path)
    edit(folder / "service.yaml", "    per_year: 1\n", "    per_year: 12\n")
    edit(folder / "faults.yaml", "as_of: 2027-01-29", "as_of: 2027-12-13")
    done = run_build("check", "--data", str(folder))
    assert done.returncode == 0, done.stderr
    windows = [int(re.search(r"inspection window (\d+) ", line)[1]) for line in done.stderr.splitlines()
               if "inspection window" in line]
    assert windows == list(range(1, 13))


@pytest.mark.parametrize("typed, why", [
    ("Security\u00a0patch review", "character 9 is U+00A0 NO-BREAK SPACE where it has U+0020 SPACE"),
    ("Security p\u0430tch review", "character 11 is U+0430 CYRILLIC SMALL LETTER A where it has U+0061 LATIN SMALL "
                                    "LETTER A"),
    ("Security patch revie\u0301w", None),  # plainly another text: no likeness claimed
])
def test_a_task_that_only_looks_like_one_of_the_services_says_what_differs(tmp_path, typed, why):
    """"'Security patch review' is not a task of service.yaml's …" beside the task 'Security patch review': the
    message showed no difference, and the reader had none to fix."""
    folder = copy_5x8(tmp_path)
    edit(folder / "visits.yaml", "task: Security patch review", f"task: {typed}")
    done = run_build("check", "--data", str(folder))
    hint = f": it looks like 'Security patch review', but {why}" if why else ""
    assert done.returncode == 1 and (
        f"{folder}/visits.yaml:14:17: error: visits[0].tasks[1].task: '{typed}' is not a task of service.yaml's "
        f"maintenance.preventive.tasks{hint}") in done.stderr.splitlines(), done.stderr


def test_a_task_in_another_unicode_form_is_told_apart_by_its_form(tmp_path):
    folder = copy_5x8(tmp_path)
    edit(folder / "service.yaml", "Security patch review", "S\u00e9curity patch review")
    edit(folder / "visits.yaml", "task: Security patch review", "task: Se\u0301curity patch review")
    done = run_build("check", "--data", str(folder))
    assert ("but the same letters in another Unicode form (an accent made of two characters, or of one); retype it"
            in done.stderr), done.stderr
