"""Derived facts: the conclusion decision table of SPEC §5, statuses, the example packages, and `facts --json`
compared with the facts before the typed model (tests/facts_before/, the output of the dict-based facts)."""
import datetime
import json
from types import SimpleNamespace

import pytest

from signoff.facts import conclude, metric_result
from signoff.model import to_json
from signoff.validation import check_data
from conftest import DATA_DIRS, ROOT

REPORT = datetime.date(2026, 11, 20)


def crit(cid, result, core=True):
    return SimpleNamespace(id=cid, title=cid, result=result, core=core, metric=None, measured=None)


def issue(iid, status, criterion=None, due="2026-11-25", severity="major", core=None):
    core = core if core is not None else severity == "critical"
    return SimpleNamespace(id=iid, title=iid, status=status, criterion=criterion, due=due, severity=severity,
                           core=core, deferral=None)


@pytest.mark.parametrize("criteria, issues, expected, codes", [
    # 1. fail: a core criterion fails and no open issue on it is within its due date
    ([crit("F-01", "fail")], [issue("I-1", "open", "F-01", due="2026-11-19", core=True)], "fail",
     ["core_failed", "core_issue_overdue"]),
    ([crit("F-01", "fail")], [], "fail", ["core_failed"]),
    # 1. fail: an open core issue (critical) past its due date, even on a passing criterion
    ([crit("F-01", "pass")], [issue("I-1", "open", None, due="2026-11-19", severity="critical")], "fail",
     ["core_issue_overdue"]),
    # 2. pending: the core failure still has an open issue within its due date
    ([crit("F-01", "fail")], [issue("I-1", "open", "F-01", due="2026-11-20", core=True)], "pending",
     ["open_issues"]),
    # 2. pending: untested criterion
    ([crit("F-01", "pass"), crit("F-02", "untested")], [], "pending", ["untested"]),
    # 2. pending: an open non-core issue past its due date is pending, not fail
    ([crit("F-01", "pass"), crit("F-02", "fail", core=False)],
     [issue("I-1", "open", "F-02", due="2026-11-01")], "pending", ["open_issues"]),
    # 3. conditional: a deferred issue
    ([crit("F-01", "pass")], [issue("I-1", "deferred")], "conditional", ["deferred_issues"]),
    # 3. conditional: a conditional result
    ([crit("F-01", "conditional", core=False)], [], "conditional", ["conditional_results"]),
    # 3. conditional: a non-core failure whose issue is deferred
    ([crit("F-01", "fail", core=False)], [issue("I-1", "deferred", "F-01")], "conditional",
     ["noncore_failed", "deferred_issues"]),
    # 4. pass
    ([crit("F-01", "pass")], [issue("I-1", "closed", "F-01")], "pass", ["all_passed"]),
])
def test_conclusion_decision_table(criteria, issues, expected, codes):
    conclusion, reasons = conclude(criteria, issues, REPORT)
    assert conclusion == expected
    assert [r.code for r in reasons] == codes


def test_metric_results():
    metric = {"target": "3", "operator": "<=", "unit": "s"}
    assert metric_result(metric, "1.8") == "pass"
    assert metric_result(metric, "3") == "pass"
    assert metric_result(metric, "3.4") == "fail"
    assert metric_result({"target": 100, "operator": ">", "unit": "tps"}, 100) == "fail"


@pytest.mark.parametrize("name, conclusion", [("data", "conditional"), ("pass-en", "pass"),
                                              ("pending-en", "pending")])
def test_example_conclusions(name, conclusion):
    facts = check_data(DATA_DIRS[name]).facts
    assert facts["conclusion"] == conclusion == facts["derived_conclusion"]


def test_data_package_facts():
    facts = check_data(DATA_DIRS["data"]).facts
    statuses = {i["id"]: i["status"] for i in facts["issues"]}
    assert statuses["ISS-004"] == statuses["ISS-009"] == "deferred"
    assert statuses["ISS-006"] == "closed"
    p01 = next(c for c in facts["criteria"] if c["id"] == "P-01")
    assert [h["measured"] for h in p01["history"]] == ["3.4", "1.8"]
    assert [h["result"] for h in p01["history"]] == ["fail", "pass"]
    assert p01["result"] == "pass"
    assert facts["handover"]["deadline"] == "2026-12-01"
    windows = facts["maintenance"]["preventive"]
    assert (windows[0]["planned"], windows[0]["notice"], windows[0]["provisional"]) == ("2026-11-26", "2026-11-23",
                                                                                        False)
    assert windows[1]["provisional"] and windows[1]["uncovered"] == (2027,)


def test_pending_example_overdue_issue():
    facts = check_data(DATA_DIRS["pending-en"]).facts
    iss = next(i for i in facts["issues"] if i["id"] == "ISS-002")
    assert (iss["status"], iss["overdue"]) == ("open", True)
    assert facts["reasons"][0]["ids"] == ("S-02",)


# ---------------------------------------------------------------- the reasons as data

def test_reasons_carry_the_values_that_decide_them():
    facts = check_data(DATA_DIRS["pending-en"]).facts
    untested, open_issues = facts.reasons
    assert (untested.code, untested.ids) == ("untested", ("S-02",))
    assert [i.id for i in facts.untested_criteria] == ["S-02"]
    issue = next(i for i in facts.issues if i.id == "ISS-002")
    assert open_issues.items[0].id == "ISS-002" and open_issues.items[0].due == issue.due
    facts = check_data(DATA_DIRS["data"]).facts
    deferred = next(r for r in facts.reasons if r.code == "deferred_issues")
    assert [(i.id, i.follow_up) for i in deferred.items] == [(i.id, i.deferral.follow_up)
                                                            for i in facts.deferred_issues]


def test_a_failed_metric_reason_names_measured_value_and_target():
    metric = SimpleNamespace(operator="<=", target="3", unit="s")
    failed = SimpleNamespace(id="P-01", title="Response", result="fail", core=True, metric=metric, measured="3.4")
    conclusion, (reason,) = conclude([failed], [], REPORT)
    assert conclusion == "fail"
    item = reason.items[0]
    assert (item.id, item.measured, item.operator, item.target, item.unit) == ("P-01", "3.4", "<=", "3", "s")


# ---------------------------------------------------------------- facts --json before and after the model

FACTS_BEFORE = ROOT / "tests" / "facts_before"
# Keys the model adds to every package's facts (optional parts always present, computed subsets, reasons' data).
ADDED = {"faults", "compliance", "visits", "criteria_by_category", "untested_criteria", "open_issues", "agreement",
         "deferred_issues"}


def _contains(before, after, path=""):
    """Every key and value of `before` is in `after` (the model may add keys, never drop or change one)."""
    if isinstance(before, dict):
        assert isinstance(after, dict), path
        for key, value in before.items():
            assert key in after, f"{path}.{key} is gone"
            _contains(value, after[key], f"{path}.{key}")
    elif isinstance(before, list) and path == ".warnings":
        # data/ has since gained the service year's records, whose warnings come after: the old ones stay
        assert isinstance(after, list) and all(item in after for item in before), path
    elif isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), path
        for n, (x, y) in enumerate(zip(before, after)):
            _contains(x, y, f"{path}[{n}]")
    else:
        assert before == after, f"{path}: {before!r} became {after!r}"


@pytest.mark.parametrize("name", ["data", "pass-en", "pending-en"])
def test_facts_json_keeps_every_fact_of_before(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # warnings name files as the user named the folder
    after = to_json(check_data(DATA_DIRS[name].relative_to(ROOT)).facts)
    before = json.loads((FACTS_BEFORE / f"{name}.json").read_text(encoding="utf-8"))
    _contains(before, after)
    assert ADDED <= set(after) - set(before)
    assert set(after) - set(before) <= ADDED
    json.dumps(after)  # serialisable as it is


def test_service_guide_date_and_handover_held():
    facts = check_data(DATA_DIRS["data"]).facts
    meeting = next(m for m in facts.meetings if m.id == facts.service.handover_meeting)
    assert facts.handover.guide_date == meeting.date and facts.handover.held
    facts = check_data(DATA_DIRS["pending-en"]).facts
    assert facts.service is None and facts.handover is None


# ---------------------------------------------------------------- facts as known on a document's date (issue 13)

def test_the_agreement_knows_the_tests_of_its_date_and_the_issues_they_cite():
    """data/'s agreement is dated 18 November (deferral.agreed of ISS-004 and ISS-009). By hand from results.yaml:
    F-06 failed on 4 November (41 %) and again at the retest of 13 November (63 %), the latest known then; D-03
    passed conditionally on 13 November, its note citing ISS-009 (filed against the maintenance manual, not D-03)."""
    facts = check_data(DATA_DIRS["data"]).facts
    agreement = facts.agreement
    assert agreement.date == "2026-11-18"
    flagged = {c.id: c for c in agreement.flagged}
    assert list(flagged) == ["F-06", "D-03"]
    f06, d03 = flagged["F-06"], flagged["D-03"]
    assert (f06.result, f06.test.date, f06.issues) == ("fail", "2026-11-13", ("ISS-004",))
    assert "63%" in f06.test.note and "41%" not in f06.test.note
    assert (d03.result, d03.test.date, d03.issues) == ("conditional", "2026-11-13", ("ISS-009",))
    assert agreement.concerned["ISS-004"] == f06 and agreement.concerned["ISS-009"] is None


def test_known_on_a_day_ignores_later_tests():
    from signoff.facts import known_on

    facts = check_data(DATA_DIRS["data"]).facts
    f06 = next(c for c in facts.criteria if c.id == "F-06")
    ids = {i.id: str(i.found.date) for i in facts.issues}
    assert known_on(f06, "2026-11-12", ids).test.date == "2026-11-04"
    assert "41%" in known_on(f06, "2026-11-12", ids).test.note
    assert known_on(f06, "2026-11-03", ids).result == "untested" and known_on(f06, "2026-11-03", ids).test is None
    p01 = next(c for c in facts.criteria if c.id == "P-01")  # a metric: 3.4 s on its first test, 1.8 s later
    first = known_on(p01, p01.history[0].date, ids)
    assert (first.measured, first.unit, first.result) == ("3.4", "s", "fail")


def test_an_issue_found_after_the_agreement_is_not_known_to_it():
    """The agreement states what was known on its date (18 November): an issue found later, naming the criterion
    or cited by one of its tests, is not among the criterion's issues then."""
    from signoff.facts import known_on

    facts = check_data(DATA_DIRS["data"]).facts
    f06, d03 = (next(c for c in facts.criteria if c.id == cid) for cid in ("F-06", "D-03"))
    found = {i.id: str(i.found.date) for i in facts.issues}
    assert known_on(f06, "2026-11-18", found).issues == ("ISS-004",)
    assert known_on(d03, "2026-11-18", found).issues == ("ISS-009",)  # cited by D-03's test of 13 November
    later = {**found, "ISS-004": "2026-11-19", "ISS-009": "2026-11-19"}
    assert known_on(f06, "2026-11-18", later).issues == ()
    assert known_on(d03, "2026-11-18", later).issues == ()


def test_no_agreement_facts_without_a_deferred_issue():
    assert check_data(DATA_DIRS["pass-en"]).facts.agreement is None


@pytest.mark.parametrize("name, expected", [
    ("data", {"kickoff": 1, "review": 2, "service-handover": 3}),
    ("pass-en", {"kickoff": 1, "service-handover": 2}),
])
def test_meetings_are_numbered_in_the_order_they_were_held(name, expected):
    facts = check_data(DATA_DIRS[name]).facts
    code = facts.project.code
    assert {m.id: m.order for m in facts.meetings} == expected
    assert {m.id: m.minutes_number for m in facts.meetings} == {k: f"{code}-MIN-{n:02d}" for k, n in expected.items()}
    assert facts.handover.minutes_number == f"{code}-MIN-{expected['service-handover']:02d}"


def test_meetings_given_out_of_order_are_numbered_by_date_and_time(tmp_path):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(DATA_DIRS["data"], folder)
    path = folder / "meetings.yaml"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("  - id: kickoff\n", 1)
    kickoff, tail = rest.split("  - id: review\n", 1)
    path.write_text(head + "  - id: review\n" + tail.rstrip("\n") + "\n\n  - id: kickoff\n" + kickoff, encoding="utf-8")
    facts = check_data(folder).facts
    assert [m.id for m in facts.meetings] == ["review", "service-handover", "kickoff"]
    assert [m.order for m in facts.meetings] == [2, 3, 1]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_agreement_is_dated_on_the_latest_of_several_deferrals(data_copy):
    """ISS-004 deferred on 10 November, ISS-009 on 12 November: the agreement is dated the 12th, and F-06 is known
    by its test of 4 November (41 %), the 63 % retest of the 13th not yet; D-03's conditional of the 13th is not
    known either, so the agreement flags F-06 alone."""
    folder = data_copy("data")
    _edit(folder / "issues.yaml", "deferral:\n      agreed: 2026-11-18\n      plan: |",
          "deferral:\n      agreed: 2026-11-10\n      plan: |")
    _edit(folder / "issues.yaml", "agreed: 2026-11-18\n      plan: 灾备", "agreed: 2026-11-12\n      plan: 灾备")
    agreement = check_data(folder).facts.agreement
    assert agreement.date == "2026-11-12"
    assert [(c.id, c.result, c.test.date) for c in agreement.flagged] == [("F-06", "fail", "2026-11-04")]
    assert "41%" in agreement.concerned["ISS-004"].test.note


def test_a_test_after_the_agreement_is_not_known_to_it(data_copy):
    """F-06's retest moved to 19 November, the day after the agreement, and passed: the agreement still states the
    fail of 4 November; with F-06's first test moved after it too, F-06 was untested then and is not flagged (the
    deferred issue's plan quotes no test)."""
    folder = data_copy("data")
    _edit(folder / "results.yaml", "  - criterion: F-06\n    result: fail\n    date: 2026-11-13",
          "  - criterion: F-06\n    result: pass\n    date: 2026-11-19")
    agreement = check_data(folder).facts.agreement
    assert [(c.id, c.result, c.test.date) for c in agreement.flagged] == [
        ("F-06", "fail", "2026-11-04"), ("D-03", "conditional", "2026-11-13")]
    _edit(folder / "results.yaml", "  - criterion: F-06\n    result: fail\n    date: 2026-11-04",
          "  - criterion: F-06\n    result: fail\n    date: 2026-11-19")
    agreement = check_data(folder).facts.agreement
    assert [c.id for c in agreement.flagged] == ["D-03"]
    assert (agreement.concerned["ISS-004"].result, agreement.concerned["ISS-004"].test) == ("untested", None)
