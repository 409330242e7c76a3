#!/usr/bin/env python3
"""A deterministic project of any size for the benchmark: `generate(dest, n)` writes n criteria and n issues.

It starts from a copy of data/ (project, parties, people, materials, meetings, report, delivery, service and the
assets stay as they are) and replaces criteria.yaml, results.yaml and issues.yaml:

- n criteria, mixed functional / performance (with a metric) / security / documentation; every tenth not core;
- n issues; issue i is linked to criterion i, found by a test that failed, rectified, re-verified and closed
  after a re-test that passed (so results.yaml holds about 2n tests), except the last max(1, n // 100) issues:
  minor, linked to no criterion and deferred by agreement, so the derived conclusion is `conditional`, as the
  report of data/ states; their criteria pass at the first test;
- the first two issues have a completed rectification (two rectification reports), like a real log.

Nothing is random and nothing depends on the clock or the machine: the same call writes the same bytes. Every
character is one of data/'s own, so the glyph check passes; the result passes `build.py check`.

    python bench/generate.py DEST N      # DEST must not exist
"""
from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data"

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
_KINDS = "FFPSD"  # the category of criterion i is _KINDS[i % 5]
_CATEGORY = {"F": "functional", "P": "performance", "S": "security", "D": "documentation"}
_CHARACTERISTIC = {"F": "functionality", "P": "performance_efficiency", "S": "security", "D": "maintainability"}
_TITLES = {"F": "业务功能", "P": "性能指标", "S": "安全要求", "D": "文档要求"}
_ISSUE_KIND = {"F": "functional", "P": "performance", "S": "functional", "D": "documentation"}
_TESTERS = ("chenjing", "zhaomin", "zhangwei", "zhouqi")  # people of data/project.yaml
_OWNERS = ("wangqiang", "wuming", "lina")
_MATERIALS = ("srs", "design", "test_report", "user_manual", "maintenance_manual", "training_record")


def _text(seed: int, sentences: int) -> str:
    return "".join(_SENTENCES[(seed + k) % len(_SENTENCES)] for k in range(sentences))


def _q(value: str) -> str:
    """A YAML double-quoted scalar (the texts hold no quote or backslash, but be safe)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(value: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in value.split("\n"))


def criterion_id(i: int) -> str:
    return f"{_KINDS[i % len(_KINDS)]}-{i + 1:05d}"


def issue_id(i: int) -> str:
    return f"ISS-{i + 1:05d}"


def deferred_count(n: int) -> int:
    return max(1, n // 100)


def _criteria(n: int) -> str:
    out = []
    for i in range(n):
        cid = criterion_id(i)
        kind = cid[0]
        lines = [f"  - id: {cid}", f"    category: {_CATEGORY[kind]}",
                 f"    title: {_q(_TITLES[kind] + cid[2:] + '：' + _SENTENCES[i % len(_SENTENCES)][:14])}",
                 f"    requirement: SRS {3 + 'FPSD'.index(kind)}.{i + 1}"]
        if kind == "P":
            lines += ["    metric: { target: 3, operator: \"<=\", unit: s }",
                      f"    conditions: {100 + i % 400} 名用户同时在线操作，持续 30 分钟"]
        else:
            lines.append(f"    description: {_q(_text(i, 1 + i % 2))}")
        lines.append(f"    method: 按测试用例逐项操作验证{'，现场抽测' * (i % 3)}")
        if i % 10 == 9:
            lines.append("    core: false")
        lines.append(f"    characteristic: {_CHARACTERISTIC[kind]}")
        out.append("\n".join(lines))
    return "\n".join(out) + "\n"


def _found(i: int) -> dt.date:
    return dt.date(2026, 11, 3) + dt.timedelta(days=i % 10)


def _issues_and_tests(n: int) -> tuple[str, str]:
    closed = n - deferred_count(n)
    issues, tests = [], []
    for i in range(n):
        cid, iid = criterion_id(i), issue_id(i)
        found = _found(i)
        due = found + dt.timedelta(days=4)
        lines = [f"  - id: {iid}", f"    title: {_q(f'问题{i + 1}：' + _SENTENCES[i % len(_SENTENCES)][:18])}",
                 f"    description: {_q(_text(i, 1 + i % 3))}"]
        if i < closed:
            severity = ("critical", "major", "minor")[i % 3]
            lines += [f"    kind: {_ISSUE_KIND[cid[0]]}", f"    severity: {severity}", f"    criterion: {cid}"]
        else:
            lines += ["    kind: other", "    severity: minor"]
        lines += [f"    found: {{ date: {found}, by: {'chenjing' if i % 2 else 'zhouqi'} }}",
                  "    responsible: contractor", f"    owner: {_OWNERS[i % 3]}", f"    due: {due}",
                  "    rectification:", f"      plan: {_q(_text(i + 1, 1))}", f"      cause: {_q(_text(i + 2, 1))}"]
        if i < closed:
            if i < 2:
                lines += [f"      completed: {due - dt.timedelta(days=1)}",
                          f"      self_test: {_q(_text(i + 3, 1))}"]
            lines += ["    reverification:",
                      f"      - {{ date: {due}, result: pass, by: [chenjing, zhaomin], note: {_q(_text(i + 4, 1))} }}"]
            first = {"date": found, "evidence": f"验收测试记录 YS-{cid}", "note": f"见 {iid}。"}
            retest = {"date": due, "evidence": f"复测记录 FC-{cid}"}
            if cid[0] == "P":
                first["measured"], retest["measured"] = f"{4 + i % 5}.{i % 10}", f"1.{i % 10}"
            else:
                first["result"], retest["result"] = "fail", "pass"
            tests.append((cid, i, first))
            tests.append((cid, i, retest))
        else:
            lines += ["    deferral:", "      agreed: 2026-11-18", f"      plan: {_q(_text(i, 2))}",
                      f"      impact: {_q(_text(i + 5, 1))}", f"      confirmation: {_q(_text(i + 6, 1))}",
                      f"      follow_up: {dt.date(2027, 1, 15) - dt.timedelta(days=(i - closed) % 30)}"]
            passed = {"date": dt.date(2026, 11, 10), "evidence": f"验收测试记录 YS-{cid}"}
            if cid[0] == "P":
                passed["measured"] = f"2.{i % 10}"
            else:
                passed["result"] = "pass"
            tests.append((cid, i, passed))
        issues.append("\n".join(lines))
    test_lines = []
    for cid, i, test in tests:
        lines = [f"  - criterion: {cid}"]
        if "measured" in test:
            lines.append(f"    measured: {_q(test['measured'])}")
        else:
            lines.append(f"    result: {test['result']}")
        lines += [f"    date: {test['date']}", f"    tester: {_TESTERS[i % 4]}", f"    evidence: {test['evidence']}"]
        if "note" in test:
            lines.append(f"    note: {_q(test['note'])}")
        test_lines.append("\n".join(lines))
    return "\n".join(issues) + "\n", "\n".join(test_lines) + "\n"


def generate(dest: Path, n: int, source: Path = SOURCE) -> Path:
    """Write the project of n criteria and n issues into `dest` (created; must not exist); returns `dest`."""
    if n < 2:
        raise ValueError("n must be 2 or more")
    dest = Path(dest)
    shutil.copytree(source, dest)
    criteria_head = (source / "criteria.yaml").read_text(encoding="utf-8").split("\ncriteria:\n", 1)[0]
    (dest / "criteria.yaml").write_text(
        f"{criteria_head}\n# bench/generate.py: {n} criteria\ncriteria:\n{_criteria(n)}", encoding="utf-8")
    issues, tests = _issues_and_tests(n)
    (dest / "issues.yaml").write_text(
        f"# bench/generate.py: {n} issues\nas_of: 2026-11-20\nrecorder: zhaomin\n\nissues:\n{issues}",
        encoding="utf-8")
    documents = "".join(f"  - {{ material: {m}, complete: true, accurate: true, usable: true, reviewer: zhangwei, "
                        f"date: 2026-11-06 }}\n" for m in _MATERIALS)
    (dest / "results.yaml").write_text(
        f"# bench/generate.py: the tests of {n} criteria\ntests:\n{tests}\ndocuments:\n{documents}",
        encoding="utf-8")
    return dest


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python bench/generate.py DEST N   (DEST must not exist; N criteria and N issues)",
              file=sys.stderr)
        return 2
    print(generate(Path(argv[0]), int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
