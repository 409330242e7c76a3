"""Derived facts: the conclusion decision table of SPEC §5, statuses, and the example packages."""
import datetime

import pytest

from signoff.facts import _conclusion, metric_result
from signoff.validation import check_data
from conftest import DATA_DIRS

REPORT = datetime.date(2026, 11, 20)


def crit(cid, result, core=True):
    return {"id": cid, "result": result, "core": core}


def issue(iid, status, criterion=None, due="2026-11-25", severity="major", core=None):
    core = core if core is not None else severity == "critical"
    return {"id": iid, "status": status, "criterion": criterion, "due": due, "severity": severity, "core": core}


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
    conclusion, reasons = _conclusion(criteria, issues, REPORT)
    assert conclusion == expected
    assert [r["code"] for r in reasons] == codes


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
    assert windows[1]["provisional"] and windows[1]["uncovered"] == [2027]


def test_pending_example_overdue_issue():
    facts = check_data(DATA_DIRS["pending-en"]).facts
    iss = next(i for i in facts["issues"] if i["id"] == "ISS-002")
    assert (iss["status"], iss["overdue"]) == ("open", True)
    assert facts["reasons"][0]["ids"] == ["S-02"]
