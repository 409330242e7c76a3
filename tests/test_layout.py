"""Layout read back from the PDFs (issue #3): metadata, page size and orientation, the DRAFT mark, page numbers,
the conclusion boxes, signature blocks that never split, repeated table headers, the glyph check, and the
optional documents appearing exactly when their data is there. The long-content package comes from stress.py.

The example packages are built once per session and shared with test_documents.py (build_package)."""
from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, edit, run_build
from stress import TITLE, criterion_ids, issue_ids, make_long_project, measured_values, person_name
from test_documents import CONCLUSION, PACKAGES, Package, build_package, layout_text, squeeze

MM = 72 / 25.4


@pytest.fixture(scope="session")
def packages(tmp_path_factory) -> dict[str, Package]:
    return {name: build_package(name, tmp_path_factory) for name in PACKAGES}


@pytest.fixture(scope="session")
def long(tmp_path_factory) -> Package:
    source = make_long_project(tmp_path_factory.mktemp("long-source") / "data")
    return build_package("long", tmp_path_factory, source=source)


def _all(packages):
    for name in PACKAGES:
        package = packages[name]
        for file in sorted(package.expected_files()):
            yield package, file


# ---------------------------------------------------------------- metadata, paper, marks, page numbers

@pytest.mark.parametrize("name", PACKAGES)
def test_pdf_metadata(packages, name):
    package = packages[name]
    for file in sorted(package.expected_files()):
        reader = PdfReader(package.pdf(file))
        meta = reader.metadata
        number = package.number(file)
        assert meta.title and number in meta.title and squeeze(meta.title) != squeeze(number), (file, meta.title)
        assert meta.author == package.party("contractor")["name"], file
        assert meta.subject and package.project_name in meta.subject, (file, meta.subject)
        keywords = [k.strip() for k in (meta.get("/Keywords") or "").split(",")]
        assert {package.code, number, package.contract} <= set(keywords), (file, keywords)
        assert reader.trailer["/Root"].get("/Lang") == package.locale, file


def orientations(path) -> list[str]:
    """Each page's orientation; every page must be A4."""
    shapes = []
    for page in PdfReader(path).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if int(page.get("/Rotate", 0) or 0) % 180:
            width, height = height, width
        assert sorted((round(width / MM), round(height / MM))) == [210, 297], path.name
        shapes.append("landscape" if width > height else "portrait")
    return shapes


@pytest.mark.parametrize("name", PACKAGES)
def test_every_page_is_a4_and_the_issue_log_landscape(packages, name):
    package = packages[name]
    for file in sorted(package.expected_files()):
        shapes = orientations(package.pdf(file))
        if file == "03-issue-log.pdf":
            assert set(shapes) == {"landscape"}, shapes
        else:
            assert set(shapes) == {"portrait"}, (file, shapes)  # SPEC §6: only the issue log may turn


@pytest.mark.parametrize("name", PACKAGES)
def test_draft_mark_on_every_page_exactly_when_pending(packages, name):
    package = packages[name]
    pending = CONCLUSION[name] == "pending"
    mark = "草稿" if package.locale == "zh-CN" else "DRAFT"
    records = package.record_files()  # SPEC §10: a service record is a draft until its own confirmation
    for file in sorted(package.expected_files()):
        draft = records[file] if file in records else pending
        for i, page in enumerate(PdfReader(package.pdf(file)).pages, start=1):
            text = page.extract_text()
            assert (mark in text) == draft, f"{file} page {i}"
            assert ("DRAFT" in text or "草稿" in text) == draft, f"{file} page {i}"


@pytest.mark.parametrize("name", PACKAGES)
def test_page_x_of_y_on_every_page(packages, name):
    package = packages[name]
    for file in sorted(package.expected_files()):
        pages = package.pages(file)
        total = len(pages)
        assert total == len(PdfReader(package.pdf(file)).pages)
        for i, page in enumerate(pages, start=1):
            expected = f"第{i}页共{total}页" if package.locale == "zh-CN" else f"Page{i}of{total}"
            assert expected in squeeze(page), f"{file} page {i}"


@pytest.mark.parametrize("name", PACKAGES)
def test_conclusion_line_has_one_box_ticked_and_two_unticked(packages, name):
    package = packages[name]
    lines = [line for line in layout_text(package.pdf("04-report.pdf")).splitlines() if "☑" in line or "☐" in line]
    assert len(lines) == 1, lines
    boxes = re.findall(r"([☑☐])\s*([^☑☐]+?)\s*(?=[☑☐]|$)", lines[0].strip())
    labels = package.labels["conclusion"]
    assert [label for _, label in boxes] == [labels["pass"], labels["conditional"], labels["fail"]]
    ticked = [label for box, label in boxes if box == "☑"]
    conclusion = CONCLUSION[name]
    assert ticked == ([] if conclusion == "pending" else [labels[conclusion]])


# ---------------------------------------------------------------- signature blocks and repeated headers

SIGNED = ("01-confirmation", "02-minutes-", "03-issue-log", "04-report", "05-delivery", "07-rectification-",
          "08-agreement", "09-acceptance-letter")


def _date_pattern(package: Package) -> str:
    if package.locale == "zh-CN":
        return r"(?<!完成)(?<!申请)日期：\d{4}年\d{1,2}月\d{1,2}日"
    return r"(?<!Completed)Date:\d{1,2}[A-Z][a-z]+\d{4}"


def signature_block_pages(package: Package, file: str) -> list[tuple[str, int, int]]:
    """Each signature block's first line (the party label, or the group leader's) and the page of the date
    line that closes it: [(label, first page, last page)]."""
    pages = [squeeze(p) for p in package.pages(file)]
    starts = [sum(len(p) for p in pages[:i]) for i in range(len(pages))]
    flat = "".join(pages)

    def page_at(pos):
        return max(i for i, s in enumerate(starts) if s <= pos) + 1

    labels = [squeeze(package.party(w)["short"] + package.labels["seal"]) for w in ("customer", "contractor")]
    labels.append("验收组组长（签字）" if package.locale == "zh-CN" else "Acceptancegroupleader(signature)")
    blocks = []
    for label in labels:
        for match in re.finditer(re.escape(label), flat):
            date = re.compile(_date_pattern(package)).search(flat, match.end())
            assert date, f"{file}: no date line after {label}"
            blocks.append((label, page_at(match.start()), page_at(date.start())))
    return blocks


def _signed_files(package: Package) -> list[str]:
    return [f for f in sorted(package.expected_files()) if f.startswith(SIGNED)]


@pytest.mark.parametrize("name", PACKAGES)
def test_signature_blocks_are_not_split(packages, name):
    package = packages[name]
    for file in _signed_files(package):
        blocks = signature_block_pages(package, file)
        assert blocks, f"{file}: no signature block found"
        for label, first, last in blocks:
            assert first == last, f"{file}: {label} starts on page {first}, its date is on page {last}"


def _header_labels(package: Package) -> list[str]:
    if package.locale == "zh-CN":
        return ["发现日期", "验收项／资料／", "问题描述", "整改时限", "整改情况", "复验", "状态"]
    return ["Found on", "Description", "Severity", "Re-verification", "Status"]


def assert_issue_log_header_on_every_page_of_the_table(package: Package) -> int:
    pages = [squeeze(p) for p in package.pages("03-issue-log.pdf")]
    row_label = "类型：" if package.locale == "zh-CN" else "Kind:"
    row_pages = [i for i, page in enumerate(pages) if row_label in page]
    assert row_pages
    for i in range(row_pages[0], row_pages[-1] + 1):  # continuation pages of a split row included
        missing = [h for h in _header_labels(package) if squeeze(h) not in pages[i]]
        assert not missing, f"issue log page {i + 1} lacks the header cells {missing}"
    return len(row_pages)


def test_issue_log_header_repeats_on_every_page_of_the_table(packages):
    assert assert_issue_log_header_on_every_page_of_the_table(packages["data"]) >= 2


# ---------------------------------------------------------------- the long-content package

def test_long_package_builds_without_renderer_warnings(long):
    unexpected = [line for line in long.build_stderr.splitlines()
                  if not re.match(r"(  rendered |built \d+ document)|\S+:\d+:\d+: warning: (maintenance|faults\[)",
                                  line)]  # the data's own warnings: provisional dates, the records' misses
    assert not unexpected, unexpected
    assert {p.name for p in long.out.glob("*.pdf")} == long.expected_files()
    assert "08-agreement.pdf" in long.expected_files()


def test_long_package_every_criterion_and_issue_is_printed(long):
    report = long.flat("04-report.pdf")
    confirmation = long.flat("01-confirmation.pdf")
    log = long.flat("03-issue-log.pdf")
    for cid in criterion_ids():
        assert cid in report and cid in confirmation, cid
    for iid in issue_ids():
        assert iid in log, iid
    for cid, value in measured_values().items():
        assert f"{value}s" in report, (cid, value)
    assert len(set(re.findall(r"ISS-\d{3}", log))) == 60
    assert len(set(re.findall(r"(?<![A-Z])[FPSD]-\d\d", report))) == 80


def test_long_package_numbers_the_issue_log_rows_across_row_groups(long):
    """Long tables are cut into <tbody> groups of 20 rows (render.row_groups, for speed): the printed numbering
    runs on from group to group, 1 to 60, each number above its issue's id."""
    lines = layout_text(long.out / "03-issue-log.pdf").splitlines()
    numbered = [(int(lines[k - 1].split()[0]), line.split()[0]) for k, line in enumerate(lines)
                if re.match(r"ISS-\d{3}\s", line) and lines[k - 1].split()[:1] != []
                and lines[k - 1].split()[0].isdigit()]
    assert numbered == list(enumerate(issue_ids(), start=1))


def test_row_groups_number_rows_on_from_group_to_group():
    from signoff.render import row_groups

    groups = row_groups(["a"] * 45, size=20)
    assert [len(g) for g in groups] == [20, 20, 5]
    assert [n for g in groups for n, _ in g] == list(range(1, 46))
    assert row_groups([]) == []


def test_long_package_prints_the_full_200_character_title(long):
    assert len(TITLE) == 200 and long.project_name == TITLE
    assert squeeze(TITLE) in long.flat("04-report.pdf")
    assert squeeze(TITLE) in long.flat("01-confirmation.pdf")
    assert PdfReader(long.pdf("04-report.pdf")).metadata.subject.startswith(TITLE)


def test_long_title_is_shortened_to_one_line_in_the_running_header(long):
    import subprocess

    for file in ("03-issue-log.pdf", "04-report.pdf"):
        text = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(long.pdf(file)), "-"],
                              capture_output=True, text=True, check=True)
        assert text.stderr == ""  # no glyph without a Unicode mapping
        header = text.stdout.lstrip().splitlines()[0]
        assert "…" in header and header.rstrip().endswith(long.code + ("-LOG" if "log" in file else "-RPT"))
        assert squeeze(header.split("…")[0]) in squeeze(TITLE)


def test_long_package_prints_names_of_20_characters(long):
    confirmation = long.flat("01-confirmation.pdf")
    for key in long.yaml["criteria"]["confirmed"]["signatories"]:
        name = long.person(key)
        assert len(name) == 20 and name in confirmation, name
    assert person_name(0) != person_name(1)


def test_long_package_issue_log_header_repeats(long):
    assert assert_issue_log_header_on_every_page_of_the_table(long) >= 10


def test_long_package_signature_blocks_are_not_split(long):
    for file in _signed_files(long):
        blocks = signature_block_pages(long, file)
        assert blocks, f"{file}: no signature block found"
        for label, first, last in blocks:
            assert first == last, f"{file}: {label} starts on page {first}, its date is on page {last}"


# ---------------------------------------------------------------- the glyph check

def test_a_character_no_font_covers_is_an_error_at_its_place(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(DATA_DIRS["data"], folder)
    path = folder / "criteria.yaml"
    edit(path, "    title: 用户与权限管理\n", "    title: 用户与权限管理\U00020000\n")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "\U00020000" in text)
    value_col = lines[line - 1].index("用") + 1
    char_col = lines[line - 1].index("\U00020000") + 1

    result = run_build("check", "--data", "proj", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    errors = [text for text in result.stderr.splitlines() if ": error: " in text]
    assert len(errors) == 1, errors
    match = re.fullmatch(r"proj/criteria\.yaml:(\d+):(\d+): error: criteria\[0\]\.title: (.*)", errors[0])
    assert match, errors[0]
    assert int(match.group(1)) == line and int(match.group(2)) in (value_col, char_col), errors[0]
    assert "U+20000 '\U00020000'" in match.group(3)
    assert result.stdout == ""

    out = tmp_path / "out"  # the build refuses it too, and writes nothing
    build = run_build("build", "--data", "proj", "--out", str(out), cwd=tmp_path)
    assert build.returncode == 1 and "U+20000" in build.stderr
    assert not out.exists() or not list(out.glob("*.pdf"))


# ---------------------------------------------------------------- optional documents follow their data

def test_optional_documents_disappear_with_their_data(tmp_path):
    """data/ builds 05, 06, 07-*, 08, 09 and 10 (test_documents); without their data they are not built."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIRS["data"], folder)
    (folder / "delivery.yaml").unlink()          # 05-delivery
    (folder / "service.yaml").unlink()           # 06-service-guide and 10-fault-form
    (folder / "faults.yaml").unlink()            # 11-fault-*, 14-service-report-* (records need the service)
    (folder / "visits.yaml").unlink()            # 12-maintenance-*, 13-inspection-*
    issues = folder / "issues.yaml"
    text = issues.read_text(encoding="utf-8")
    text, completed = re.subn(r"(?m)^      completed: .*\n", "", text)  # 07-rectification-*
    text, deferred = re.subn(r"(?m)^    deferral:\n(?:      .*\n)+", "", text)  # 08-agreement; pending → no 09
    assert completed == 8 and deferred == 2
    issues.write_text(text, encoding="utf-8")
    edit(folder / "report.yaml", "conclusion: conditional\n", "")

    out = tmp_path / "out"
    result = run_build("build", "--data", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    package = Package("stripped", folder, out)
    built = {p.name for p in out.glob("*.pdf")}
    meetings = {f"02-minutes-{m['id']}.pdf" for m in package.meetings}
    assert built == {"01-confirmation.pdf", "03-issue-log.pdf", "04-report.pdf"} | meetings
    # with the deferrals gone ISS-004 and ISS-009 are open: the package is pending and says so
    assert all("草稿" in page.extract_text() for page in PdfReader(out / "04-report.pdf").pages)
