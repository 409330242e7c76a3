"""After-sales facts (signoff/service.py) and when the service documents are built (SPEC §6): fault levels merged
over the standard ones, the maintenance calendar, the handover check, and the documents not built with a reason."""
from __future__ import annotations

import re
import shutil

import pytest

from signoff.documents import not_built, plan_outputs
from signoff.service import load_fault_levels
from signoff.validation import check_data
from conftest import DATA_DIRS, ROOT, edit, run_build

# pass-en made to fail: F-02's re-test fails and ISS-001's re-verification too, past its due date.
FAIL = [("results.yaml", "    result: pass\n    date: 2026-11-27", "    result: fail\n    date: 2026-11-27"),
        ("issues.yaml", "{ date: 2026-11-27, result: pass, by: [chenhui, meyer] }",
         "{ date: 2026-11-27, result: fail, by: [chenhui, meyer] }")]


def _copy(tmp_path, package="pass-en", edits=()):
    folder = tmp_path / package
    shutil.copytree(DATA_DIRS[package], folder)
    for file, old, new in edits:
        edit(folder / file, old, new)
    return folder


def test_levels_merge_over_the_standard_ones(tmp_path):
    folder = _copy(tmp_path, edits=[("service.yaml", "maintenance:\n",
                                     "levels:\n  - { level: 1, response: 10 min, name: Critical }\nmaintenance:\n")])
    levels = check_data(folder).facts.service.levels
    standard = load_fault_levels()
    assert [level.level for level in levels] == [1, 2, 3]
    assert (levels[0].response, levels[0].name, levels[0].resolution) == ("10 min", "Critical",
                                                                          standard[0]["resolution"])
    assert (levels[0].response_time.amount, levels[0].response_time.unit) == ("10", "min")
    assert levels[1].name == standard[1]["name"]["en"]  # the locale's wording of a level not overridden


def test_maintenance_calendar_of_the_data_package():
    facts = check_data(DATA_DIRS["data"]).facts
    windows = facts.maintenance.preventive
    assert [w.number for w in windows] == list(range(1, len(windows) + 1))
    assert windows[0].start == facts.service.start and windows[-1].end <= facts.service.end
    assert all(w.start <= w.planned <= w.end for w in windows)
    assert all(w.notice <= w.planned for w in windows)
    assert facts.maintenance.uncovered_years == (2027,)


def test_a_failed_project_gets_no_service_guide_and_no_fault_form(tmp_path):
    facts = check_data(_copy(tmp_path, edits=FAIL)).facts
    assert facts.conclusion == "fail"
    keys = {o.document.key for o in plan_outputs(facts)}
    assert "service_guide" not in keys and "fault_form" not in keys and "acceptance_letter" not in keys
    assert not_built(facts) == [("service_guide", "the conclusion is fail"),
                                ("agreement", "no issue is deferred"),
                                ("acceptance_letter", "the conclusion is fail"),
                                ("fault_form", "the conclusion is fail"),
                                ("fault_record", "no fault ticket is recorded (faults.yaml)"),
                                ("maintenance_record", "no preventive visit is recorded (visits.yaml)"),
                                ("inspection_report", "no inspection is recorded (visits.yaml)"),
                                ("service_report", "no report period has begun on the records' as_of")]


def test_documents_not_built_say_why():
    facts = check_data(DATA_DIRS["pending-en"]).facts
    assert not_built(facts) == [("delivery", "there is no delivery.yaml"),
                                ("service_guide", "there is no service.yaml"),
                                ("agreement", "no issue is deferred"),
                                ("acceptance_letter", "the conclusion is pending"),
                                ("fault_form", "there is no service.yaml"),
                                ("fault_record", "there is no service.yaml"),
                                ("maintenance_record", "there is no service.yaml"),
                                ("inspection_report", "there is no service.yaml"),
                                ("service_report", "there is no service.yaml")]
    assert not_built(facts, only=("fault_form",)) == [("fault_form", "there is no service.yaml")]
    assert not_built(check_data(DATA_DIRS["data"]).facts) == []


def test_build_says_which_documents_are_not_built(tmp_path):
    folder = _copy(tmp_path, edits=FAIL)
    done = run_build("build", "--data", str(folder), "--out", str(tmp_path / "out"), "--only", "fault_form")
    assert done.returncode == 0, done.stderr
    assert "fault_form: not built: the conclusion is fail" in done.stderr.splitlines()
    assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.parametrize("package", ["data", "pass-en"])
def test_the_guide_is_dated_on_the_handover_meeting(package):
    facts = check_data(DATA_DIRS[package]).facts
    guide = next(o for o in plan_outputs(facts) if o.document.key == "service_guide")
    meeting = next(m for m in facts.meetings if m.id == facts.service.handover_meeting)
    assert guide.date == meeting.date == facts.handover.guide_date and facts.handover.held


def test_without_a_handover_meeting_the_guide_is_dated_on_the_service_start(tmp_path):
    folder = _copy(tmp_path, edits=[("service.yaml", "handover_meeting: service-handover\n", "")])
    facts = check_data(folder).facts
    guide = next(o for o in plan_outputs(facts) if o.document.key == "service_guide")
    assert guide.date == facts.service.start and not facts.handover.held and facts.handover.meeting is None


def test_the_guide_and_the_forms_state_the_service_s_own_working_hours():
    """examples/service-5x8-en works 08:30–12:00 and 13:30–17:30 (service.yaml): the guide and the blank form say
    so, never the default 09:00–17:00 their clock does not run on."""
    from signoff.provenance import Provenance
    from signoff.render import make_environment, render_html

    data = ROOT / "examples" / "service-5x8-en"
    facts = check_data(data).facts
    env, provenance = make_environment(), Provenance("untracked", None, None, 0)
    for key in ("service_guide", "fault_form"):
        output = next(o for o in plan_outputs(facts) if o.document.key == key)
        text = re.sub(r"<[^>]+>", "", render_html(env, facts, output, provenance, data / "assets"))
        assert "08:30–12:00 and 13:30–17:30" in text and "09:00–17:00" not in text, key
