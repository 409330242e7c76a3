"""Sentences are made in Python (signoff/wording.py); templates only loop and print.

The template checks read the template sources: no `.format(` (a sentence assembled in Jinja), no
`selectattr(`/`rejectattr(` (a business subset chosen in Jinja), no quoted term of a vocabulary (a template that
decides by kind, category, status …). The vocabularies are the keys of the label catalogs' term tables.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from signoff.render import load_labels, long_date
from signoff.wording import Words, _metric

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SOURCES = sorted(TEMPLATES.glob("*.j2"))
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_QUOTED = re.compile(r"""(["'])(.*?)\1""")


def vocabulary() -> set[str]:
    """Every term of every table of the catalogs (`category: {functional: …}` gives `functional`)."""
    terms: set[str] = set()
    for path in (TEMPLATES / "labels").glob("*/*.yaml"):
        for value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            if isinstance(value, dict):
                terms.update(str(key) for key in value)
    return {t for t in terms - {"one", "other"} if not t.startswith("=")}  # plural categories and exact counts


def jinja_parts(path: Path) -> list[str]:
    return _JINJA.findall(path.read_text(encoding="utf-8"))


def test_the_template_check_sees_all_templates_and_a_vocabulary():
    assert len(SOURCES) >= 12
    assert {"functional", "deferred", "contractor", "srs", "phone", "fail"} <= vocabulary()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_templates_assemble_no_sentence(path):
    assert [part for part in jinja_parts(path) if ".format(" in part] == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_templates_choose_no_subset(path):
    assert [part for part in jinja_parts(path) if "selectattr(" in part or "rejectattr(" in part] == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_templates_spell_no_vocabulary(path):
    terms = vocabulary()
    found = [(part, quoted) for part in jinja_parts(path) for _, quoted in _QUOTED.findall(part) if quoted in terms]
    assert found == []


def test_the_vocabulary_check_would_catch_a_literal(tmp_path):
    part = '{% for m in materials if m.kind in ("srs", "design") %}'
    assert [q for _, q in _QUOTED.findall(part) if q in vocabulary()] == ["srs", "design"]


def words(locale: str, document: str) -> Words:
    return Words(load_labels(locale, document), locale, lambda value: long_date(value, locale))


@pytest.mark.parametrize("count, expected", [(1, "This agreement covers one outstanding issue:"),
                                             (2, "This agreement covers 2 outstanding issues:"),
                                             (11, "This agreement covers 11 outstanding issues:")])
def test_english_counts_take_the_plural_form_of_their_number(count, expected):
    assert words("en", "agreement").say("issues_intro", count, count=count) == expected


def test_a_title_typed_in_its_own_book_title_marks_is_not_marked_twice():
    """contract_name: 《犇鑫物流园区仓储管理系统建设合同》, as Chinese users type it, printed 《《…》》 in the
    agreement (found by a reader); two titles in one value keep their marks inside the catalog's."""
    w = words("zh-CN", "agreement")
    intro = w.say("intro_named", name="《犇鑫仓储合同》", contract="HT-1", start="1月1日", end="1月9日")
    assert intro.startswith("甲乙双方依据《犇鑫仓储合同》（合同编号：HT-1）")
    assert w.fill("《{name}》", name="《甲》与《乙》") == "《《甲》与《乙》》"
    assert w.fill("《{name}》", name="犇鑫仓储合同") == "《犇鑫仓储合同》"


def test_a_notice_of_one_working_day_is_worded_in_the_singular(data_copy):
    """notice_working_days: 1 printed "notifies the customer 1 working days before" (found by a reader)."""
    from conftest import edit
    from signoff import pipeline
    from signoff.documents import plan_outputs
    from signoff.wording import with_parties
    from signoff.wording import document_words

    folder = data_copy("pass-en")
    edit(folder / "service.yaml", "    every: quarter\n", "    every: quarter\n    notice_working_days: 1\n")
    facts = pipeline.check(folder).facts
    output = next(o for o in plan_outputs(facts) if o.document.key == "service_guide")
    labels = with_parties(load_labels("en", "service_guide"), "the Customer", "the Supplier")
    texts = document_words("service_guide", facts, output, labels, "en", lambda value: long_date(value, "en"))
    assert " one working day before the planned date;" in texts["preventive"]
    assert " 3 working days before the planned date," in texts["inspection"]  # the default
    notice = words("en", "records").labels["notice_status"]["late"]
    assert words("en", "records").entry_of(notice, 1).endswith("one working day ahead)")


@pytest.mark.parametrize("count", [1, 2])
def test_chinese_has_one_form_for_every_number(count):
    assert words("zh-CN", "agreement").say("issues_intro", count, count=count) == f"本协议所列遗留问题共 {count} 项："


def test_chinese_drops_the_catalogs_spaces_beside_full_width_punctuation_and_keeps_the_datas():
    """"问题 {items} 经双方…" with items ending in "）" printed "…12月25日） 经双方": the catalog's space goes. A
    space the data itself has beside such punctuation (a title, a name) is printed as written."""
    w = words("zh-CN", "report")
    item = w.say("reason_follow_up", id="ISS-004", date="2026年12月25日")
    assert item == "ISS-004（补充验收日期 2026年12月25日）"
    assert w.fill(w.entry_of(w.labels["reason"]["deferred_issues"], 1), items=item) == (
        "问题 ISS-004（补充验收日期 2026年12月25日）经双方协议转为遗留问题，按所列日期补充验收")
    assert w.fill(w.entry_of(w.labels["reason"]["open_issues"], 1), items="ISS-001") == "问题 ISS-001 尚待整改"
    assert w.fill(w.labels["person"], name="王 强", title="运维部 （二期） 经理") == "王 强（运维部 （二期） 经理）"
    assert words("en", "report").fill("Issue {items} , open", items="ISS-1 ") == "Issue ISS-1  , open"
    # the texts the code sets itself: a measure, a contact
    assert _metric(w, {"metric": {"operator": "<=", "target": 30, "unit": "（次）"}}) == "≤ 30（次）"
    assert w.fill("{channel} {value}", channel="电话", value="（0755）8888 0000") == "电话（0755）8888 0000"
    # an empty value leaves its two sides as one text
    assert w.fill("甲 {a} {b}（乙）", a="丙", b="") == "甲 丙（乙）"


def test_the_datas_own_spaces_beside_full_width_punctuation_are_printed_as_written(data_copy):
    """A person's title (and any text of the data) keeps a space it has beside full-width punctuation: the
    minutes list "姓名（职务）" from the catalog, and only the catalog's own spaces go."""
    from conftest import edit
    from test_golden import render_package

    folder = data_copy("data")
    edit(folder / "project.yaml", "title: 信息中心运维主管", "title: 信息中心 （二期） 运维主管")
    minutes = render_package(folder)["02-minutes-kickoff"]
    assert "（信息中心 （二期） 运维" in minutes


def test_every_plural_entry_has_the_other_form():
    for path in (TEMPLATES / "labels").glob("*/*.yaml"):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict) and {"one", "other"} & set(value):
                assert "other" in value, f"{path}: {key}"


def test_the_theme_fonts_draw_every_character_the_templates_and_catalogs_print():
    from signoff.glyphs import check_template_glyphs, covered_characters
    from signoff.render import load_theme

    check_template_glyphs(covered_characters(list(load_theme()["fonts"].values())))


def test_a_template_character_the_fonts_lack_stops_the_build(tmp_path):
    from signoff.errors import EnvironmentProblem
    from signoff.glyphs import check_template_glyphs, covered_characters, template_characters
    from signoff.render import load_theme

    (tmp_path / "labels" / "en").mkdir(parents=True)
    (tmp_path / "box.html.j2").write_text("{# ☒ in a comment is not printed #}<span>☐</span>", encoding="utf-8")
    (tmp_path / "labels" / "en" / "common.yaml").write_text("yes: \"☑ Yes\"\n", encoding="utf-8")
    assert "☒" not in template_characters(tmp_path)
    with pytest.raises(EnvironmentProblem) as caught:
        check_template_glyphs(covered_characters(list(load_theme()["fonts"].values())), tmp_path)
    assert "U+2610 '☐' (box.html.j2)" in str(caught.value)
    assert "U+2611 '☑' (labels/en/common.yaml)" in str(caught.value)


# ---------------------------------------------------------------- what the documents say follows the data

def _drop_block(path: Path, key: str) -> None:
    """Remove a top-level `key: |` block (the key line and its indented lines) from a data file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next((n for n in range(start + 1, len(lines)) if lines[n][:1] not in (" ", "\n")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html[html.index("<body"):]))


def test_the_guide_promises_no_escalation_path_and_no_training_the_data_does_not_give(data_copy):
    from test_golden import render_package

    folder = data_copy("data")
    before = _text(render_package(folder)["06-service-guide"])
    assert "按升级路径上报" in before and "（一）报修方式" in before and "八、服务交接与培训" in before
    _drop_block(folder / "service.yaml", "escalation")
    _drop_block(folder / "service.yaml", "training")
    guide = _text(render_package(folder)["06-service-guide"])
    assert "升级路径" not in guide and "（一）报修方式" not in guide  # no lone （一） under 三、
    assert "八、服务交接" in guide and "培训" not in guide and "（一）服务交接会" not in guide


def test_an_optional_place_is_omitted_not_printed_as_a_dash(data_copy):
    from test_golden import render_package

    folder = data_copy("data")
    (folder / "delivery.yaml").write_text(
        re.sub(r"^place: .*\n", "", (folder / "delivery.yaml").read_text(encoding="utf-8"), flags=re.M),
        encoding="utf-8")
    delivery = _text(render_package(folder)["05-delivery"])
    assert "交付地点" not in delivery and "交付日期2026年11月20日" in delivery


def test_a_rectification_without_self_test_claims_none(data_copy):
    from test_golden import render_package

    folder = data_copy("data")
    issues = folder / "issues.yaml"
    text = issues.read_text(encoding="utf-8")
    issues.write_text(text.replace("      self_test: 6 栋楼宇 12 个通道各测试过期、未到期、已撤销二维码 10 次，均按预期拦截或放行。\n", "", 1),
                      encoding="utf-8")
    assert issues.read_text(encoding="utf-8") != text
    report = _text(render_package(folder)["07-rectification-ISS-001"])
    assert "自测" not in report and "现申请甲方组织复验" in report


def test_the_guide_gives_examples_of_a_level_as_they_read_inside_its_sentence(data_copy):
    """The shipped English examples read in lower case after "For example:" (nobody can log in; the database
    service is down); a customer's own examples print as written, a name's capital kept (it once printed
    "oracle database down")."""
    from test_golden import render_package

    folder = data_copy("pass-en")
    guide = " ".join(re.sub(r"<[^>]+>", " ", render_package(folder)["06-service-guide"]).split())
    assert "nobody can log in; the database service is down" in guide
    service = folder / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8")
                       + "levels:\n  - level: 1\n    examples: [Oracle database down, SMS gateway down]\n",
                       encoding="utf-8")
    guide = " ".join(re.sub(r"<[^>]+>", " ", render_package(folder)["06-service-guide"]).split())
    assert "Oracle database down; SMS gateway down" in guide


def test_a_project_named_with_its_own_xiangmu_is_not_printed_with_two(data_copy):
    """A project whose name ends in 项目 (…建设项目) printed 建设项目项目验收启动会 in the minutes (and over the two
    lines of their title), 建设项目项目交付清单
    as the delivery checklist's title and 《…建设项目》项目合同 in the confirmation; the agreement named the contract
    that way though contract_name gave its name."""
    from conftest import edit
    from test_golden import render_package

    folder = data_copy("data")
    edit(folder / "project.yaml", "  name: 智慧园区综合管理平台\n", "  name: 智慧园区综合管理平台建设项目\n")
    htmls = render_package(folder)
    pages = {key: _text(html) for key, html in htmls.items()}
    assert [key for key, page in pages.items() if "项目项目" in page or "》项目" in page] == []
    assert "主持召开智慧园区综合管理平台建设项目验收启动会。" in pages["02-minutes-kickoff"]
    assert [re.sub(r"<[^>]+>", "", h1) for h1 in re.findall(r"<h1>.*?</h1>", htmls["05-delivery"])] == [
        "智慧园区综合管理平台建设项目交付清单"]
    # the confirmation cites the contract by contract_name, as the agreement does
    assert "根据双方签订的《智慧园区综合管理平台建设项目合同》（合同编号：HT-2026-0412" in pages["01-confirmation"]
    assert "甲乙双方依据《智慧园区综合管理平台建设项目合同》（合同编号：HT-2026-0412）" in pages["08-agreement"]


def test_an_english_short_name_opens_a_sentence_with_a_capital(data_copy):
    """The data-format's own example short name is "the Customer": it opened sentences in lower case ("the Utility
    reports the fault…", "the Supplier asks the Utility to re-verify it.", "the Utility's opinion:", "the Utility
    (seal):"). Inside a sentence it stays as written; a name without an article ("zte", "vivo") stays as written
    everywhere. A party's name is never hyphenated ("North-/river")."""
    from html import unescape

    from conftest import edit
    from test_golden import render_package

    folder = data_copy("pass-en")
    edit(folder / "project.yaml", "    short: Party A\n", "    short: the Utility\n")
    edit(folder / "project.yaml", "    short: Party B\n", "    short: the Supplier\n")
    htmls = render_package(folder)
    text = {key: unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html[html.index("<body"):])))
            for key, html in htmls.items()}
    assert "The Utility reports the fault through any channel" in text["06-service-guide"]
    assert "The Supplier asks the Utility to re-verify it." in text["07-rectification-ISS-001"]
    assert "The Utility's opinion:" in text["04-report"]
    assert "The Utility (seal):" in text["01-confirmation"] and "The Supplier (seal):" in text["01-confirmation"]
    assert "the Utility" in text["06-service-guide"]  # inside a sentence, as written
    assert '<span class="nh">Larkspur Harbour <span class="nb">Logistics Co., Ltd.</span></span>' in htmls["04-report"]
    from signoff.wording import opening

    assert [opening(name) for name in ("zte", "vivo", "iFlytek", "甲方")] == ["zte", "vivo", "iFlytek", "甲方"]


def test_minutes_say_the_minutes_follow_only_when_some_do(data_copy):
    """A handover meeting may record no decision and no action: its minutes said "The minutes follow." and nothing
    followed (found by a reader)."""
    from conftest import edit
    from test_golden import render_package

    folder = data_copy("pass-en")
    edit(folder / "meetings.yaml", "    decisions:\n"
         "      - Service period 14 December 2026 to 13 December 2027, service number SV-2026-0131.\n"
         "      - All fault reports go through Party A's systems administrator to Party B's service desk.\n"
         "    actions:\n"
         "      - { task: Create service portal accounts for Party A's operators, owner: zhaoyu, due: 2026-12-17 }\n",
         "")
    pages = render_package(folder)
    handover, kickoff = _text(pages["02-minutes-service-handover"]), _text(pages["02-minutes-kickoff"])
    assert "chairedbyDanielOkafor." in handover and "Theminutesfollow" not in handover
    assert "Theminutesfollow." in kickoff


def test_a_pass_is_worded_in_the_number_of_each(data_copy):
    """facts --json worded a pass with one issue as "all 1 issues are closed" (found by a reader)."""
    from signoff.facts import _all_passed
    from signoff.validation import check_data

    assert [r["message"] for r in check_data(data_copy("pass-en")).facts["reasons"]] == [
        "all 8 criteria passed and all 3 issues are closed"]
    assert _all_passed(1, 1) == "the criterion passed and the issue is closed"
    assert _all_passed(2, 0) == "both criteria passed and no issue was found"
    assert _all_passed(3, 2) == "all 3 criteria passed and both issues are closed"


def _document_words(facts, key: str, locale: str = "en") -> dict:
    from signoff.documents import plan_outputs
    from signoff.wording import document_words, with_parties

    output = next(o for o in plan_outputs(facts) if o.document.key == key)
    parties = facts["parties"]
    labels = with_parties(load_labels(locale, key), parties["customer"]["short"], parties["contractor"]["short"])
    return document_words(key, facts, output, labels, locale, lambda value: long_date(value, locale))


def test_one_criterion_and_one_deferred_issue_are_worded_in_the_singular():
    """One criterion printed "confirm the 1 acceptance criteria listed", one deferred issue "defer the following
    issues" (found by a reader)."""
    import dataclasses

    from signoff import pipeline
    from conftest import DATA_DIRS

    facts = pipeline.check(DATA_DIRS["pass-en"]).facts
    one = dataclasses.replace(facts, criteria=facts.criteria[:1], counts=dataclasses.replace(
        facts.counts, issues=dataclasses.replace(facts.counts.issues, deferred=1)))
    assert _document_words(one, "confirmation")["statement"][0].startswith(
        "Both parties confirm the acceptance criterion listed in Attachment 1")
    assert _document_words(facts, "confirmation")["statement"][0].startswith(
        f"Both parties confirm the {len(facts.criteria)} acceptance criteria listed")
    for key, field in (("issue_log", "deferred_intro"), ("report", "outstanding_intro")):
        assert _document_words(one, key)[field].startswith("The parties agreed to defer the following issue; it is")
        two = dataclasses.replace(one, counts=dataclasses.replace(
            one.counts, issues=dataclasses.replace(one.counts.issues, deferred=2)))
        assert _document_words(two, key)[field].startswith("The parties agreed to defer the following issues; each")


@pytest.mark.parametrize("locale, text, names, expected", [
    ("en", "{contractor} ({b}) serves {customer} ({a}).", ("Customer", "Supplier"), "Supplier serves Customer."),
    ("en", "{contractor} ({b}) serves {customer} ({a}).", ("the Customer", "Supplier"),
     "Supplier serves Harbour Authority (the Customer)."),
    ("zh-CN", "{contractor}（{b}）向{customer}（{a}）提供服务。", ("甲方", "乙方"), "乙方向甲方提供服务。"),
])
def test_a_party_named_as_its_short_name_is_not_echoed(locale, text, names, expected):
    """init names the parties by their short names: the guide printed "Customer (Customer)" (found by a reader)."""
    from signoff.wording import fill, with_parties

    customer, contractor = names
    full = {"Customer": "Customer", "the Customer": "Harbour Authority", "甲方": "甲方"}[customer]
    template = with_parties(text, customer, contractor)
    assert fill(template, locale, customer=full, contractor=contractor) == expected
    assert with_parties("Customer ({a})", "Customer", "B") == "Customer"


def test_a_plan_without_its_own_confirmation_is_confirmed_as_what_the_issue_concerns():
    """Every deferred issue without `confirmation` was to be "re-verified with the method of the criterion
    concerned", one that concerns the runbook too (found by a reader): a material is reviewed again."""
    import dataclasses

    from signoff import pipeline
    from conftest import DATA_DIRS

    facts = pipeline.check(DATA_DIRS["data"]).facts
    plain = dataclasses.replace(facts, issues=tuple(
        dataclasses.replace(i, deferral=dataclasses.replace(i.deferral, confirmation=None)) if i.deferral else i
        for i in facts.issues))
    texts = _document_words(plain, "agreement", "zh-CN")["confirmation_default"]
    assert texts == {"ISS-004": "补充验收时按相应验收标准的验收方法复验，复验通过即为完成。",  # F-06
                     "ISS-009": "补充验收时对修改后的资料重新评审，评审通过即为完成。"}  # the user manual


@pytest.mark.parametrize("locale, criteria, issues, expected", [
    ("en", 8, 3, "all 8 criteria passed, and all 3 logged issues were rectified"),
    ("en", 2, 2, "both criteria passed, and both logged issues were rectified"),
    ("en", 1, 1, "the one criterion passed, and the one logged issue was rectified"),
    ("en", 5, 0, "all 5 criteria passed, and no issue was logged during acceptance."),
    ("zh-CN", 2, 2, "全部 2 项验收标准均已通过，登记的 2 项问题均已整改并经复验关闭"),
    ("zh-CN", 5, 0, "全部 5 项验收标准均已通过，验收期间未登记问题。"),
])
def test_a_pass_is_worded_with_both_for_two(locale, criteria, issues, expected):
    """The report's conclusion said "all 2 criteria passed, and all 2 logged issues were …" (found by a reader)."""
    import dataclasses

    from signoff import pipeline
    from conftest import DATA_DIRS

    facts = pipeline.check(DATA_DIRS["pass-en"]).facts
    counts = dataclasses.replace(facts.counts, criteria=dataclasses.replace(facts.counts.criteria, total=criteria),
                                 issues=dataclasses.replace(facts.counts.issues, total=issues))
    assert expected in _document_words(dataclasses.replace(facts, counts=counts), "report", locale)["reasons"]


def test_an_agreement_on_one_outstanding_issue_speaks_of_it_in_the_singular():
    """The English agreement opened "The issues below … concern no core criterion" over one issue."""
    import dataclasses

    from signoff import pipeline
    from conftest import DATA_DIRS

    facts = pipeline.check(DATA_DIRS["data"]).facts
    deferred = [i for i in facts.issues if i.status == "deferred"]
    assert len(deferred) > 1
    assert "The issues below, found during acceptance, concern no core criterion; the parties agree to treat them " \
           "as outstanding issues" in _document_words(facts, "agreement")["intro"]
    one = dataclasses.replace(facts, issues=tuple(i for i in facts.issues if i.status != "deferred") + (deferred[0],))
    assert "The issue below, found during acceptance, concerns no core criterion; the parties agree to treat it " \
           "as an outstanding issue" in _document_words(one, "agreement")["intro"]
