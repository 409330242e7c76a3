"""A deterministic long-content project for the layout tests: `make_long_project(dest)`.

It starts from a copy of data/ (people, parties, materials, meetings, delivery and service stay) and writes:
40 criteria with a result each (the 30 linked to an issue fail first and pass after rectification), 32 issues
(one of them, with a multi-paragraph description, and one criterion taller than a page; 30 closed, 2 deferred, so
the conclusion is conditional and the agreement and the acceptance letter are built), people names of 20
characters and a project name of 200 characters. Sized to make what the layout tests look for happen (the issue
log's header repeated on 22 landscape pages, its rows numbered across two row groups, every table over several
pages; three fault forms, not data/'s 13) at a third of the layout of the 80 criteria and 60 issues, with longer
texts, it first had.
Nothing is random: the same call writes the same bytes, so a layout failure can be reproduced.

Run it by hand to look at the result: python tests/stress.py /tmp/long && python build.py build --data /tmp/long
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data"

N_CRITERIA = 40
N_ISSUES = 32
N_DEFERRED = 2  # the last issues: minor, linked to no criterion, deferred by agreement
TALL_ISSUE = 29  # ISS-030: a description over two landscape pages long, so its row continues on two more pages
TALL_CRITERION = 10  # F-11: a description taller than a page of the confirmation's attachment
# Three of data/'s 13 faults, each form with the long names: every field and the parts used (a level-1 fault), an
# exemption, and one not yet confirmed (a draft). data/ itself has the others.
KEPT_FAULTS = ("GZ-2026-003", "GZ-2027-003", "GZ-2027-004")
NAME_LENGTH = 20
TITLE_LENGTH = 200

# 200 characters, no spaces: the project name; every character is in the theme's fonts (it is data/'s text).
_TITLE_SOURCE = ("江临云湖科技园区智慧园区综合管理平台一期建设项目暨门禁与访客管理、智慧停车管理、能耗监测与分析、"
                 "物业工单与巡检管理、综合态势可视化大屏、移动端应用（Android、iOS、鸿蒙）及园区统一身份认证对接"
                 "与双机热备部署、数据迁移、系统集成、用户培训和售后服务保障工作的验收")
TITLE = (_TITLE_SOURCE * 2)[:TITLE_LENGTH]

_NAME_CHARS = "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文令狐端木轩辕百里呼延南宫独孤夏侯"

_SENTENCES = (
    "访客预约有效期为上午九时至十时，十时十五分在三号楼东门闸机扫码仍可通行，闸机离线缓存未按有效期清理。",
    "八位新能源车牌在东区一号入口识别失败七次，需人工抬杆放行，高峰时段造成车辆排队。",
    "楼宇月度能耗报表表头单位为千瓦时，实际数值按兆瓦时统计，相差一千倍，影响能耗分析结论。",
    "鸿蒙原生应用仅在前台运行时能收到工单与访客审批消息，后台及离线状态下到达率低于要求。",
    "一百名用户同时在线操作时，页面平均响应时间超过指标，能耗分析与工单统计页面最慢。",
    "单次导出五万行能耗明细，五次平均超过三十秒，导出期间页面无进度提示，用户无法判断是否仍在处理。",
    "连续五次输入错误口令后账号未被锁定，可继续尝试，不符合身份鉴别要求，存在暴力破解风险。",
    "用户操作手册中访客管理与停车计费两章的截图和操作步骤为旧版界面，与当前系统不一致。",
)


def person_name(index: int) -> str:
    """A name of exactly NAME_LENGTH characters, different for every index."""
    return "".join(_NAME_CHARS[(index * 7 + j * 3 + j * j) % len(_NAME_CHARS)] for j in range(NAME_LENGTH - 2)) + \
        f"{_NAME_CHARS[index % len(_NAME_CHARS)]}{_NAME_CHARS[(index // len(_NAME_CHARS)) % len(_NAME_CHARS)]}"


def _text(seed: int, sentences: int) -> str:
    return "".join(_SENTENCES[(seed + k) % len(_SENTENCES)] for k in range(sentences))


def _paragraphs(seed: int, count: int = 3, sentences: int = 2) -> str:
    return "\n\n".join(_text(seed + p * 3, sentences) for p in range(count)) + "\n"


def criterion_ids() -> list[str]:
    """F-01..F-20, P-01..P-10, S-01..S-05, D-01..D-05."""
    ids = [f"F-{i:02d}" for i in range(1, 21)] + [f"P-{i:02d}" for i in range(1, 11)]
    ids += [f"S-{i:02d}" for i in range(1, 6)] + [f"D-{i:02d}" for i in range(1, 6)]
    assert len(ids) == N_CRITERIA
    return ids


def issue_ids() -> list[str]:
    return [f"ISS-{i:03d}" for i in range(1, N_ISSUES + 1)]


_CATEGORY = {"F": "functional", "P": "performance", "S": "security", "D": "documentation"}
_CHARACTERISTIC = {"F": "functionality", "P": "performance_efficiency", "S": "security", "D": "maintainability"}
_TITLES = {"F": "业务功能", "P": "性能指标", "S": "安全要求", "D": "文档要求"}


def _criteria(tall: bool = True) -> list[dict]:
    out = []
    for n, cid in enumerate(criterion_ids()):
        kind = cid[0]
        item = {"id": cid, "category": _CATEGORY[kind],
                "title": f"{_TITLES[kind]}{cid[2:]}：{_SENTENCES[n % len(_SENTENCES)][:14]}",
                "requirement": f"SRS {3 + 'FPSD'.index(kind)}.{int(cid[2:])}"}
        if kind == "P":
            item["metric"] = {"target": 3, "operator": "<=", "unit": "s"}
            item["conditions"] = f"{100 + n} 名用户同时在线操作，持续 30 分钟，覆盖常用业务操作"
        else:
            item["description"] = _text(n, 36 if tall and n == TALL_CRITERION else 1)
        item["method"] = "按测试用例逐项操作验证，现场抽测并由双方测试人员共同签字确认" + "，复核记录" * (n % 3)
        item["core"] = cid not in ("F-19", "F-20", "D-05")
        item["characteristic"] = _CHARACTERISTIC[kind]
        out.append(item)
    return out


def _found(i: int) -> dt.date:
    return dt.date(2026, 11, 3) + dt.timedelta(days=i % 10)


def _issues_and_tests(tall: bool = True) -> tuple[list[dict], list[dict]]:
    cids = criterion_ids()
    testers = ("chenjing", "zhaomin", "zhangwei", "zhouqi")
    issues, tests = [], []
    closed = N_ISSUES - N_DEFERRED
    for i, iid in enumerate(issue_ids()):
        found = _found(i)
        due = found + dt.timedelta(days=4)
        issue = {"id": iid, "title": f"问题{i + 1:02d}：{_SENTENCES[i % len(_SENTENCES)][:18]}",
                 "description": _paragraphs(i, count=24, sentences=3) if tall and i == TALL_ISSUE else _paragraphs(i, 1, 2),
                 "kind": "performance" if i < closed and cids[i][0] == "P"
                 else ("functional" if i < closed else "other"),
                 "severity": ("critical", "major", "minor")[i % 3] if i < closed else "minor"}
        if i < closed:
            issue["criterion"] = cids[i]
        issue.update({"found": {"date": found, "by": "chenjing" if i % 2 else "zhouqi"},
                      "responsible": "contractor", "owner": ("wangqiang", "wuming", "lina")[i % 3], "due": due})
        rect = {"plan": _paragraphs(i + 1, count=2, sentences=1), "cause": _text(i + 2, 1)}
        if i < closed:
            if i < 2:
                rect["completed"] = due - dt.timedelta(days=1)
                rect["self_test"] = _text(i + 3, 2)
            issue["rectification"] = rect
            issue["reverification"] = [{"date": due, "result": "pass", "by": ["chenjing", "zhaomin"],
                                        "note": _text(i + 4, 1)}]
            tested = {"criterion": cids[i], "date": found, "tester": testers[i % 4],
                      "evidence": f"验收测试记录 YS-{cids[i]}"}
            retest = {"criterion": cids[i], "date": due, "tester": testers[i % 4],
                      "evidence": f"复测记录 FC-{cids[i]}"}
            if cids[i][0] == "P":
                tested["measured"], retest["measured"] = f"{4 + i % 5}.{i % 10}", f"1.{i % 10}"
            else:
                tested["result"], retest["result"] = "fail", "pass"
            tested["note"] = f"见 {iid}。"
            tests += [tested, retest]
        else:
            issue["rectification"] = rect
            issue["deferral"] = {"agreed": dt.date(2026, 11, 18), "plan": _paragraphs(i, count=2, sentences=1),
                                 "impact": _text(i + 5, 1), "confirmation": _text(i + 6, 1),
                                 "follow_up": dt.date(2027, 1, 15) - dt.timedelta(days=i - closed)}
        issues.append(issue)
    for n, cid in enumerate(cids[closed:], start=closed):
        test = {"criterion": cid, "date": dt.date(2026, 11, 10), "tester": testers[n % 4],
                "evidence": f"验收测试记录 YS-{cid}"}
        if cid[0] == "P":
            test["measured"] = f"2.{n % 10}"
        else:
            test["result"] = "pass"
        tests.append(test)
    return issues, tests


def measured_values() -> dict[str, str]:
    """Each metric criterion's latest measured value, as printed (the tests look for it in the report)."""
    latest = {}
    for test in _issues_and_tests()[1]:
        if "measured" in test:
            latest[test["criterion"]] = test["measured"]  # tests are written oldest first per criterion
    return latest


class _Dumper(yaml.SafeDumper):
    """No anchors or aliases (Signoff refuses them); multi-line text as literal blocks, as a person writes it."""

    def ignore_aliases(self, data):
        return True


def _str(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def _dump(path: Path, header: str, data: dict) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    path.write_text(f"# {header}\n" + text, encoding="utf-8")


def make_long_project(dest: Path, tall: bool = True) -> Path:
    """Write the long-content project into `dest` (created; must not exist) and return it."""
    dest = Path(dest)
    shutil.copytree(SOURCE, dest)

    project = (dest / "project.yaml").read_text(encoding="utf-8")
    project, n = re.subn(r"(?m)^  name: 智慧园区综合管理平台$", f"  name: {TITLE}", project)
    assert n == 1, "data/project.yaml no longer names the project as expected"
    head, rest = project.split("\npeople:\n", 1)
    people, tail = rest.split("\nacceptance:\n", 1)
    count = iter(range(1000))
    people, n = re.subn(r"(?m)^(    name: )(\S+)$", lambda m: m.group(1) + person_name(next(count)), people)
    assert n >= 8, "data/project.yaml no longer lists people as expected"
    project = f"{head}\npeople:\n{people}\nacceptance:\n{tail}"
    (dest / "project.yaml").write_text(project, encoding="utf-8")

    criteria = yaml.safe_load((SOURCE / "criteria.yaml").read_text(encoding="utf-8"))
    _dump(dest / "criteria.yaml", f"stress: {N_CRITERIA} criteria",
          {"confirmed": criteria["confirmed"], "criteria": _criteria(tall)})

    issues, tests = _issues_and_tests(tall)
    _dump(dest / "issues.yaml", f"stress: {N_ISSUES} issues", {"as_of": dt.date(2026, 11, 20), "recorder": "zhaomin",
                                                      "issues": issues})
    faults = yaml.safe_load((SOURCE / "faults.yaml").read_text(encoding="utf-8"))
    faults["faults"] = [f for f in faults["faults"] if f["id"] in KEPT_FAULTS]
    assert len(faults["faults"]) == len(KEPT_FAULTS), "data/faults.yaml no longer holds the faults kept"
    _dump(dest / "faults.yaml", f"stress: {len(KEPT_FAULTS)} of data/'s faults", faults)
    materials = ("srs", "design", "test_report", "user_manual", "maintenance_manual", "training_record")
    documents = [{"material": m, "complete": True, "accurate": True, "usable": True, "reviewer": "zhangwei",
                  "date": dt.date(2026, 11, 6)} for m in materials]
    _dump(dest / "results.yaml", "stress: a result for every criterion", {"tests": tests, "documents": documents})
    return dest


if __name__ == "__main__":
    print(make_long_project(Path(sys.argv[1])))
