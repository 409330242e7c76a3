"""Layout read back from the PDFs (issue #3): metadata, page size and orientation, the DRAFT mark, page numbers,
the conclusion boxes, signature blocks that never split, repeated table headers, the glyph check, and the
optional documents appearing exactly when their data is there. The long-content package comes from stress.py.

The example packages are built once per session and shared with test_documents.py (build_package)."""
from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DATA_DIRS, built_only, edit, pages_of, run_build
from stress import N_CRITERIA, N_ISSUES, TITLE, criterion_ids, issue_ids, make_long_project, measured_values, person_name
from test_documents import CONCLUSION, PACKAGES, Package, build_package, layout_text, plumbed, squeeze

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
        texts = package.pages(file)
        assert len(texts) == len(PdfReader(package.pdf(file)).pages), file
        for i, text in enumerate(("".join(text.split()) for text in texts), start=1):  # 草 and 稿 stand apart
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
    """Three squares □ on one line, each before its label; the ticked one has a ✓ drawn inside it."""

    package = packages[name]
    with plumbed(package.pdf("04-report.pdf")) as pdf:
        page = next(p for p in pdf.pages if any(c["text"] == "□" for c in p.chars))
        chars = page.chars
    squares = [c for c in chars if c["text"] == "□"]
    assert len(squares) == 3 and max(c["top"] for c in squares) - min(c["top"] for c in squares) < 1
    line = sorted((c for c in chars if abs(c["top"] - squares[0]["top"]) < 3 and c["text"] not in "✓ "
                   and abs(c["size"] - squares[0]["size"]) < 3),  # not the large letters of the DRAFT mark
                  key=lambda c: c["x0"])
    labels_read = "".join(c["text"] for c in line).split("□")[1:]
    labels = package.labels["conclusion"]
    assert labels_read == [squeeze(labels["pass"]), squeeze(labels["conditional"]), squeeze(labels["fail"])]
    ticks = [c for c in chars if c["text"] == "✓"]
    ticked = [label for square, label in zip(squares, labels_read)
              if any(square["x0"] <= t["x0"] and t["x1"] <= square["x1"] + 0.5 for t in ticks)]
    assert len(ticks) == len(ticked)
    conclusion = CONCLUSION[name]
    assert ticked == ([] if conclusion == "pending" else [squeeze(labels[conclusion])])


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


GOLDEN = Path(__file__).parent / "golden"


def _group_text(name: str, file: str) -> str:
    """The text the signing group of a document opens with before its signature table (its heading, closing line,
    opinion), from the golden HTML: that text alone above a signature block does not count as the page's body."""
    html = (GOLDEN / name / file.replace(".pdf", ".html")).read_text(encoding="utf-8")
    found = re.search(r'<div class="(?:closing|sign-area)">(.*?)<table class="sign">', html, re.S)
    if not found:
        return ""
    return squeeze(unescape(re.sub(r"<[^>]+>", "", found.group(1))))


@pytest.mark.parametrize("name", PACKAGES)
def test_a_signature_block_never_stands_alone_on_its_page(packages, name):
    """No page is a lone signature block under a big blank (issue 13): the page holding the signatures also holds
    body text from before the signing group (the last rows of a table, the last paragraph), not only the group's
    own heading or closing line."""
    package = packages[name]
    customer = squeeze(package.party("customer")["short"] + package.labels["seal"])
    alone = []
    for file in _signed_files(package):
        pages = [squeeze(p) for p in package.pages(file)]
        signed = next(n for n, page in enumerate(pages) if customer in page or "验收组组长（签字）" in page
                      or "Acceptancegroupleader(signature)" in page)
        if signed == 0:
            continue
        page = pages[signed]
        above = page[:min(i for i in (page.find(customer), page.find("验收组组长（签字）"),
                                       page.find("Acceptancegroupleader(signature)")) if i >= 0)]
        for known in ("草稿", "DRAFT", squeeze(package.project_name), package.number(file), _group_text(name, file)):
            above = above.replace(known, "") if known else above
        if len(above) < 10:
            alone.append((file, signed + 1, above))
    assert alone == [], alone


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
    assert len(set(re.findall(r"ISS-\d{3}", log))) == N_ISSUES
    assert len(set(re.findall(r"(?<![A-Z])[FPSD]-\d\d", report))) == N_CRITERIA


def test_long_package_numbers_the_issue_log_rows_across_row_groups(long):
    """Long tables are cut into <tbody> groups of 20 rows (render.row_groups, for speed): the printed numbering
    runs on from group to group, 1 to the last (stress.N_ISSUES), each number above its issue's id."""
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


def _mark_is_the_rows_first_line(path, page_number: int, mark: str) -> bool:
    """On that page the mark is at the top of the table's body (right under the repeated header, whose first line
    starts with 序号 / 序), in the table's first columns."""
    import pdfplumber

    ident = mark.split("（")[0]
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[page_number]
        words = page.extract_words()
    found = [w for w in words if w["text"].startswith(ident)]
    header = [w for w in words if w["text"] in ("序号", "序")]
    if not found or not header:
        return False
    gap = found[0]["top"] - header[0]["bottom"]
    return 0 < gap < 40 and found[0]["x0"] < page.width * 0.2


@pytest.mark.parametrize("file, index", [("03-issue-log.pdf", "issue"), ("01-confirmation.pdf", "criterion")])
def test_long_package_rows_taller_than_a_page_carry_their_id_on_each_page_they_continue_on(long, file, index):
    """stress.py makes ISS-030's description over two landscape pages long and F-11's taller than a page of the
    attachment: the page each continues on shows its ID with （续） at the top of the row, once."""
    from stress import TALL_CRITERION, TALL_ISSUE

    ident = issue_ids()[TALL_ISSUE] if index == "issue" else criterion_ids()[TALL_CRITERION]
    mark = f"{ident}（续）"
    pages = [squeeze(p) for p in long.pages(file)]
    marked = [n for n, page in enumerate(pages) if mark in page]
    assert len(marked) >= (2 if index == "issue" else 1), marked
    assert marked == list(range(marked[0], marked[-1] + 1))
    assert ident in pages[marked[0] - 1] and mark not in pages[marked[0] - 1]  # where the row begins
    assert all(pages[n].count(mark) == 1 for n in marked)
    assert sum(page.count("（续）") for page in pages) == len(marked)  # no other row is marked
    for n in marked:
        assert _mark_is_the_rows_first_line(long.pdf(file), n, mark), f"{file} page {n + 1}"


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
    assert all("草稿" in "".join(page.split()) for page in pages_of(out / "04-report.pdf"))


# ---------------------------------------------------------------- positions read back with pdfplumber

def _boxes_meet(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def seals_and_their_words(path) -> list[tuple[int, dict, list[str]]]:
    """[(page number, seal box, the words it covers)]: a seal is a square image wider than 30 mm (signatures
    are wide and low)."""

    found = []
    with plumbed(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            seals = [im for im in page.images
                     if im["x1"] - im["x0"] > 30 * MM and abs((im["x1"] - im["x0"]) - (im["bottom"] - im["top"])) < 3]
            if seals:
                words = page.extract_words(keep_blank_chars=True)
                for seal in seals:
                    found.append((number, seal, [w["text"] for w in words if _boxes_meet(w, seal)]))
    return found


@pytest.mark.parametrize("name", PACKAGES)
def test_each_seal_covers_its_party_name_and_the_date(packages, name):
    """DOCUMENTS.md: a seal image overlaps the party name and the date, as a red seal does on paper; and no
    signatory's printed name (a seal reaching up from a date under the signatures covered the one above it, found
    by a reader on the fault forms)."""
    package = packages[name]
    names = [package.party(w)["name"] for w in ("customer", "contractor")]
    people = [person["name"] for person in package.yaml["project"]["people"].values()]
    date_label = package.labels["date"].strip()
    checked = 0
    for file in _signed_files(package) + sorted(package.record_files()):
        for page, seal, covered in seals_and_their_words(package.pdf(file)):
            text = " ".join(covered)
            assert any(n[:4] in text or n[-4:] in text for n in names), f"{file} p.{page}: seal misses the name: {covered}"
            assert date_label in text, f"{file} p.{page}: seal misses the date: {covered}"
            assert not [p for p in people if p in text], f"{file} p.{page}: seal over a signatory: {covered}"
            checked += 1
    has_seals = any((package.data / "assets").glob("*seal*"))
    assert checked or not has_seals


def signature_rows(path, seal_label: str, date_label: str) -> list[tuple[int, list[dict], list[dict], list]]:
    """[(page, party lines, their dates, the seals)] of each page with a signature block: a party line is a word
    holding the seal label ("甲方（盖章）："), its date the first word under it, in its column, opening with the
    date label."""
    found = []
    with plumbed(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(keep_blank_chars=True)
            parties = [w for w in words if seal_label in w["text"]]
            if not parties:
                continue
            dates = [min((w for w in words if w["text"].startswith(date_label) and w["top"] > party["top"]
                          and abs(w["x0"] - party["x0"]) < 2), key=lambda w: w["top"]) for party in parties]
            seals = [im for im in page.images
                     if im["x1"] - im["x0"] > 30 * MM and abs((im["x1"] - im["x0"]) - (im["bottom"] - im["top"])) < 3]
            found.append((number, parties, dates, [(seal, [w for w in words if _boxes_meet(w, seal)]) for seal in seals]))
    return found


def _one_line(words: list[dict]) -> bool:
    return max(w["bottom"] for w in words) - min(w["bottom"] for w in words) < 2


@pytest.mark.parametrize("name", PACKAGES)
def test_a_signature_blocks_columns_line_up_and_its_seals_cover_nothing_above_it(packages, name):
    """A party name on two lines pushed its column's date a line below the other's (the fault forms of data/:
    '甲方（盖章）：' over a two-line name, the contractor's date beside it): the party lines, dates and
    signature lines of a block are rows across its columns. A seal reaches up from its date over the party line,
    and not into the sentence or table above the block (the issue log's and the re-verification's seals, placed
    for a date under the signatures, covered the sentence over the block)."""
    package = packages[name]
    seal_label = package.labels["seal"].strip(" ：:")
    date_label = package.labels["date"].strip()
    checked = 0
    for file in _signed_files(package) + sorted(package.record_files()):
        for page, parties, dates, seals in signature_rows(package.pdf(file), seal_label, date_label):
            # words of one line share their bottom within a point or two (a label's font is smaller than the name's)
            assert _one_line(parties), f"{file} p.{page}: party lines {[(p['text'], p['bottom']) for p in parties]}"
            assert _one_line(dates), f"{file} p.{page}: dates {[(d['text'], d['bottom']) for d in dates]}"
            top = min(p["top"] for p in parties)
            for seal, covered in seals:
                above = [w["text"] for w in covered if w["bottom"] < top - 0.5]
                assert not above, f"{file} p.{page}: a seal covers {above}, above the signature block"
            checked += 1
    assert checked


def test_a_seal_over_three_signatories_covers_the_name_and_the_date_and_no_printed_name(tmp_path, data_copy):
    """Three customer signatories put the date line 55 mm below the party's name: the seal reached up from the
    date over the printed names of the second and third ("张伟 信息中心经理", "周琦 …") and missed the name. The
    date is printed under the party line and the seal covers those two lines and at most the first signature
    line, a line for ink, not a printed name."""
    folder = data_copy("data")
    edit(folder / "report.yaml", "signatories: [zhangwei, lina]", "signatories: [liujun, zhangwei, zhouqi, lina]")
    out = built_only(folder, tmp_path, "report")
    found = seals_and_their_words(out / "04-report.pdf")
    assert len(found) == 2
    printed = ("刘军", "张伟", "周琦", "李娜", "经理", "主任", "主管")
    for page, seal, covered in found:
        text = "".join("".join(covered).split())
        assert "科技园区" in text or "信息技术" in text, covered
        assert "日期" in text and "2026年11月20日" in text, covered
        assert not [w for w in printed if w in text], covered


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_IDENT = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][A-Z0-9]*(?:[-/][A-Z0-9]+)+|GB/T \d+(?:\.\d+)?-\d{4})(?![A-Za-z0-9])")
_PHONE = re.compile(r"\+?\d{2,4}(?:[ -]\d{3,4}){1,3}(?!\d)")


_TIME_MEASURE = re.compile(r"\b\d+(?:\.\d+)? (?:working )?(?:second|minute|hour|day|week|month|year)s?\b")


def unbroken_tokens(package: Package) -> set[str]:
    """What the data holds that a reader never sees split over two lines, found independently of signoff:
    identifiers (`JX-CG-2026-0231`, `GB/T 22239-2019`), dates as typed and as printed in running text, phone
    numbers, and numbers with their units as the criteria state them, and English measures of time in the text
    (`1.6 seconds`, `3 working days`: the number ended a line, its unit began the next)."""
    tokens: set[str] = set()
    for data in package.yaml.values():
        for text in _strings(data):
            tokens |= set(_IDENT.findall(text)) | set(_PHONE.findall(text)) | set(_TIME_MEASURE.findall(text))
            for iso in _ISO.findall(text):
                tokens |= {iso, package.date(iso)}
    for c in package.criteria:
        metric = c.get("metric")
        if metric:
            tokens.add(f"{metric['target']} {metric['unit']}")
    return {t for t in tokens if 4 <= len(t) <= 32}


def split_tokens(path, tokens: set[str]) -> list[str]:
    """The tokens found in the PDF (characters in drawing order, spaces aside) whose characters are not all on one
    line; a token may be interrupted only by the hyphen of a hyphenated word, which none of these has."""

    broken = []
    with plumbed(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = [c for c in page.chars if not c["text"].isspace()]
            text = "".join(c["text"] for c in chars)
            owner = [c for c in chars for _ in c["text"]]  # a ligature ("fi") is one character of two letters
            for token in tokens:
                for match in re.finditer(re.escape(token.replace(" ", "")), text):
                    span = owner[match.start():match.end()]
                    if max(c["top"] for c in span) - min(c["top"] for c in span) > 2:
                        broken.append(f"{path.name} p.{number}: {token}")
    return broken


@pytest.mark.parametrize("name", PACKAGES)
def test_identifiers_dates_phones_and_measures_never_break(packages, name):
    package = packages[name]
    tokens = unbroken_tokens(package)
    assert {"2026-11-20", package.date(package.report_date)} <= tokens or name != "data"
    broken = [b for file in sorted(package.expected_files()) for b in split_tokens(package.pdf(file), tokens)]
    assert broken == []


def test_split_tokens_finds_a_date_over_two_lines(tmp_path):
    """The check itself: a date set in a box too narrow for it is found split."""
    import weasyprint

    path = tmp_path / "narrow.pdf"
    weasyprint.HTML(string='<p style="width: 14mm; font: 12pt \'Noto Sans CJK SC\'">2026年12月1日</p>').write_pdf(path)
    assert split_tokens(path, {"2026年12月1日"}) == ["narrow.pdf p.1: 2026年12月1日"]


LONG_NAME = ("HarbourYardManagementSystemGateAndBerthControl" * 4)[:150]  # 150 characters, no space
LONG_URL = "https://portal.example.com/" + "/".join(f"section{n:03d}" for n in range(36))  # over 400 characters
LOG_LINE = "2026-11-09 10:15:02 WARN gate-07 " + " ".join(f"retry={n} timeout=30s" for n in range(12))


@pytest.fixture(scope="session")
def unbroken(tmp_path_factory) -> Package:
    """pass-en with a 150-character project name and a 400-character URL in the summaries (issue 10), and the URL
    and a long log line in a code block of the report's summary (a code block keeps its lines)."""
    source = tmp_path_factory.mktemp("unbroken-source") / "data"
    shutil.copytree(DATA_DIRS["pass-en"], source)
    edit(source / "project.yaml", "  name: Harbour Yard Management System", f"  name: {LONG_NAME}")
    edit(source / "report.yaml", "summary: |\n", f"summary: |\n  The portal: {LONG_URL}\n\n  ```\n  {LONG_URL}\n"
         f"  {LOG_LINE}\n  ```\n\n")
    edit(source / "project.yaml", "  summary: |\n", f"  summary: |\n    Documentation: <{LONG_URL}>\n\n")
    assert len(LONG_URL) > 400
    return build_package("unbroken", tmp_path_factory, source=source)


def characters_outside_the_page(path) -> list[str]:

    outside = []
    with plumbed(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for c in page.chars:
                if c["x0"] < -0.5 or c["x1"] > page.width + 0.5 or c["top"] < -0.5 or c["bottom"] > page.height + 0.5:
                    outside.append(f"{path.name} p.{number}: {c['text']!r} at x {c['x0']:.0f}–{c['x1']:.0f}")
    return outside


def test_very_long_unbroken_text_wraps_inside_the_page(unbroken):
    files = sorted(unbroken.expected_files())
    outside = [o for file in files for o in characters_outside_the_page(unbroken.pdf(file))]
    assert outside == []
    report = squeeze(unbroken.text("04-report.pdf"))
    assert squeeze(LONG_URL) in report and LONG_NAME in report and squeeze(LOG_LINE) in report


@pytest.mark.parametrize("name", PACKAGES)
def test_nothing_is_printed_outside_the_page(packages, name):
    package = packages[name]
    assert [o for file in sorted(package.expected_files()) for o in characters_outside_the_page(package.pdf(file))] == []


def issue_row_pages(package: Package) -> dict[str, set[int]]:
    """For each issue of the log's table, the pages on which its row begins (its ID) and ends (the last characters
    of its description, or its title): the first occurrence of each, which is in the table of all issues."""
    from test_documents import plain

    pages = [squeeze(p) for p in package.pages("03-issue-log.pdf")]
    start = next(n for n, page in enumerate(pages) if squeeze(package.labels["issues_heading"]) in page)

    def first_page(text: str) -> int:
        for n in range(start, len(pages)):
            if text in pages[n]:
                return n + 1
        raise AssertionError(f"{text!r} not in the issue log")

    found = {}
    for n, issue in enumerate(package.issues, start=1):  # the row's first cell: its number, then its ID
        end = squeeze(plain(issue.get("description") or issue["title"]))[-12:]
        found[issue["id"]] = {first_page(f"{n}{issue['id']}"), first_page(end)}
    return found


@pytest.mark.parametrize("name", PACKAGES)
def test_issue_log_rows_are_kept_whole(packages, name):
    """A row no taller than a page is never split: it begins and ends on one page (issue 13: a row continued on the
    next page showed owner and dates beside empty ID, severity and status cells). The long package's descriptions
    repeat each other's sentences, so its rows have no end of their own to look for."""
    package = packages[name]
    split = {iid: sorted(p) for iid, p in issue_row_pages(package).items() if len(p) != 1}
    assert split == {}


def test_names_and_titles_are_never_hyphenated(packages):
    """English cells hyphenate long words, but not a person's name or title ("Priya Ra-man", "Support Engin-eer")
    nor the project's name (the rectification reports' "Harbour Yard Man-agement System"): they may wrap at a space
    only."""
    import yaml

    package = packages["pass-en"]
    people = yaml.safe_load((package.data / "project.yaml").read_text(encoding="utf-8"))["people"]
    words = {word for person in people.values() for field in ("name", "title")
             for word in str(person[field]).split() if len(word) > 3}
    words |= {word for word in package.project_name.split() if len(word) > 3}  # "Harbour Yard Man-agement System"
    for pdf in sorted(package.out.glob("*.pdf")):
        text = layout_text(pdf)
        broken = [w for w in words for k in range(2, len(w) - 1)  # a hyphen at the line's end or a column's
                  if re.search(rf"{re.escape(w[:k])}\u2010(?:\s*\n| {2,})", text)]
        assert not broken, (pdf.name, broken)


def _body_bottom(page) -> float:
    """How far down a page its body reaches, as a share of the page's height: the lowest line of text between the
    running header and the footer (the DRAFT mark's letters and 草稿 left out)."""
    mark = {"D", "R", "A", "F", "T", "DRAFT", "草", "稿", "草稿"}
    lines = [line for line in page.extract_text_lines()
             if line["top"] > 25 * MM and line["bottom"] < page.height - 20 * MM and line["text"].strip() not in mark]
    return max((line["bottom"] for line in lines), default=0) / page.height


@pytest.mark.parametrize("name", PACKAGES)
def test_the_confirmation_letter_fills_every_page_before_its_signatures(packages, name):
    """A letter's pages before the one it is signed on are full (pending-en's was three pages with two half empty:
    its closing did not fit on page 2 because the acceptance group's columns wrapped a role over three lines)."""
    package = packages[name]
    customer = squeeze(package.party("customer")["short"] + package.labels["seal"])
    with plumbed(package.pdf("01-confirmation.pdf")) as pdf:
        signed = next(n for n, page in enumerate(pdf.pages) if customer in squeeze(page.extract_text()))
        fill = [round(_body_bottom(page), 2) for page in pdf.pages[:signed]]
    assert fill and all(share > 0.6 for share in fill), fill  # pending-en was [0.82, 0.56]
    if name == "pending-en":
        assert signed == 1, "pending-en's letter is signed on its second page"


def test_no_chinese_line_ends_a_cell_or_paragraph_with_one_character_alone(packages):
    """"信息中心运维主 / 管", "…建设项目合 / 同", "序 / 号", "（达 / 标）": the last line of a cell, a paragraph or a note
    holds at least two Chinese characters (signoff/render.py keeps the last two together). Read from the PDFs'
    text laid out in columns: a column fragment of one character is a lone last line, unless it is the whole value
    (是/否 cells, the blank form's 年 月 日 时 分, the DRAFT mark 草稿, "无。")."""
    whole = {"是", "否", "草", "稿", "无。", "年", "月", "日", "时", "分"}
    lone = []
    for pdf in sorted(packages["data"].out.glob("*.pdf")):
        for line in layout_text(pdf).splitlines():
            lone += [(pdf.name, line.strip()[:50]) for fragment in re.split(r"\s{2,}", line.strip())
                     if re.fullmatch(r"[\u4e00-\u9fff][。，、；：）]?", fragment) and fragment not in whole]
    assert lone == []


def test_english_label_cells_wrap_at_spaces_not_inside_words(packages):
    """A label cell is not hyphenated: the rectification reports printed "Criterion / ma-terial"."""
    text = layout_text(packages["pass-en"].pdf("07-rectification-ISS-002.pdf"))
    assert "ma\u2010" not in text and re.search(r"Criterion /\s.*\n\s*material\b", text), text[:1200]


@pytest.mark.parametrize("name", PACKAGES)
def test_no_word_runs_over_a_table_rule(packages, name):
    """A cell's text stays inside its cell: the report's "SCAN-20261109" (kept whole) ran over the evidence
    column's right rule into the next cell, and a fault form's "（已豁免）" over its result column's. Read with
    pdfplumber: no word's box is crossed by a vertical rule that spans its line."""
    package = packages[name]
    assert [crossed for pdf_path in sorted(package.out.glob("*.pdf")) for crossed in _crossed(pdf_path)] == []


def test_a_kept_together_number_wider_than_its_column_breaks_at_a_hyphen_instead(packages, data_copy, tmp_path):
    """A record number is kept on one line, but one made long by the user's visit id (ZHYQ-2026-017-PM-PM-2027-
    Q1-A, 29 characters) is wider than the service report's record column: it ran over the rule into the notice
    column. Such a token is laid out again free to break after a hyphen; data/'s, which fit, stay whole."""
    folder = data_copy("data")
    edit(folder / "visits.yaml", "  - id: 2027-Q1\n", "  - id: PM-2027-Q1-A\n")
    edit(folder / "visits.yaml", "follows: 2027-Q1/1", "follows: PM-2027-Q1-A/1")
    report = built_only(folder, tmp_path, "service_report") / "14-service-report-2027Q1.pdf"
    assert _crossed(report) == []
    text = pages_of(report)[1]
    assert re.search(r"ZHYQ-2026-017-PM-PM-\n\s*2027-Q1-A", text), text  # the windows table's, after a hyphen
    whole = pages_of(packages["data"].pdf("14-service-report-2027Q1.pdf"))[1]
    assert "ZHYQ-2026-017-PM-2027-Q1" in whole, whole  # the windows table's: 24 characters, and they fit


def test_a_long_id_before_closing_punctuation_breaks_after_a_hyphen(data_copy, tmp_path):
    """`（ISS-NORTHCAMPUS-DATACENTRE-004）。` (a 30-character id, within the limit) in the report's narrow remarks
    column: let wrap, it still kept `DATACENTRE-004）。` on one line (no line breaks before closing punctuation,
    nor after a hyphen before a digit), over the rule."""
    folder = data_copy("data")
    for path in folder.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("ISS-0", "ISS-NORTHCAMPUS-DATACENTRE-0"),
                        encoding="utf-8")
    report = built_only(folder, tmp_path, "report") / "04-report.pdf"
    assert _crossed(report) == []
    assert "DATACENTRE-\n004）。" in "".join(pages_of(report))


def test_a_long_id_without_a_hyphen_near_its_end_keeps_closing_punctuation_off_the_rule(data_copy, tmp_path):
    """`（ISS-04NORTHCAMPUSDATACENTREB）。` in the agreement's narrow column of the latest test: its last piece, 24
    characters without a hyphen, was broken only to fit alone, and the `）。` that no line begins with ran over the
    rule. Now `…DATACENTRE` / `B）。`."""
    folder = data_copy("data")
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"ISS-0(\d\d)", r"ISS-\1NORTHCAMPUSDATACENTREB", text), encoding="utf-8")
    agreement = built_only(folder, tmp_path, "agreement") / "08-agreement.pdf"
    assert _crossed(agreement) == []
    assert "DATACENTRE\nB）。" in "".join(pages_of(agreement))


LONG_EMAIL = "priya.raman.deliverymanagement@bluefinsoftwareengineeringinternationalservices.example.com"
ADDRESSES = ("https://certification.northwind-interop.example.org/registry/public?view=full",
             "certification-notices@northwind-interop.example.org", "var/lib/portal/exports/registry_full_export.csv")


def test_an_address_an_e_mail_or_a_path_is_never_hyphenated(data_copy, tmp_path):
    """English cells hyphenate: a web address printed `https://certific‐ation.northwind-in‐terop…`, a path
    `…/re‐gistry_full_export…` (found by a reader); copied from the page, neither works. They now wrap after a
    separator (or anywhere), with nothing added."""
    folder = data_copy("pass-en")
    edit(folder / "issues.yaml", "both were given slot B-14-03.",
         f"both were given slot B-14-03. See {ADDRESSES[0]}, mail {ADDRESSES[1]} or {LONG_EMAIL}, log "
         f"/{ADDRESSES[2]}.")
    text = "".join(pages_of(built_only(folder, tmp_path, "issue_log") / "03-issue-log.pdf"))
    joined = text.replace("\n", "")
    assert all(address in joined for address in ADDRESSES), text
    assert LONG_EMAIL in joined, text  # longer than a run may be unbroken (render.LONG_RUN): it was split
    assert "\u2010" not in joined.split("See ", 1)[1].split(".csv", 1)[0]  # the hyphen a line break adds


def test_every_e_mail_address_and_checksum_of_an_english_package_prints_as_the_data_has_it(packages):
    """An English cell hyphenates its words: a 29-character e-mail address too wide for the service guide's
    column, laid out again free to wrap (overflow.py), printed "d.okafor@larkspur.ex‐" / "ample.com", and the
    delivery checklist's SHA-256 "…1094b‐" / "d85a…" (found looking at the pages): a character that is not in
    the address or the checksum. Read back with the lines joined, each is there as the data gives it."""
    package = packages["pass-en"]
    source = (package.data / "project.yaml").read_text(encoding="utf-8") + (
        package.data / "delivery.yaml").read_text(encoding="utf-8")
    emails, sums = re.findall(r"email: (\S+@\S+)", source), re.findall(r"sha256: ([0-9a-f]{64})", source)
    text = " ".join("".join(pages_of(package.out / file)).replace("\n", "")
                    for file in ("06-service-guide.pdf", "05-delivery.pdf"))
    for value in emails + sums:  # printed with a hyphen added, it is found only once the hyphens are dropped
        assert (value in text) == (value in text.replace("\u2010", "")), value
    assert sums and all(value in text for value in sums)
    assert "d.okafor@larkspur.example.com" in text  # the one too wide for its column


def test_a_continuation_mark_wider_than_its_id_cell_stays_inside_it(data_copy, tmp_path):
    """A row taller than a page carries its ID with （续） on the pages it continues on: a 30-character ID's mark
    (bold, in the issue log's narrowest column) was kept from breaking inside it, and ran over the rule."""
    folder = data_copy("data")
    for path in folder.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("ISS-0", "ISS-NORTHCAMPUS-DATACENTRE-0"),
                        encoding="utf-8")
    edit(folder / "issues.yaml", "description: 8 位新能源车牌在东区 1 号入口识别失败 7 次 / 20 次，需人工抬杆。",
         'description: "' + "车牌识别失败，需人工抬杆放行。" * 80 + '"')
    log = built_only(folder, tmp_path, "issue_log") / "03-issue-log.pdf"
    assert "（续）" in "".join(pages_of(log))
    assert _crossed(log) == []
    assert re.search(r"-\n002\n?（续）", "".join(pages_of(log)))  # broken after a hyphen before inside a word


TICKS = {"✓", "✔", "√"}


def _crossed(pdf_path: Path) -> list[tuple[str, int, str]]:
    """(file, page, word) of every word whose box a vertical rule spanning its line crosses, and (file, page, two
    characters) of every pair of characters of one line printed over each other: text that ran past a rule into
    the next cell's text ("Blood-product trace-" over "Truck", read back as the one word "tTrarucec-k")."""
    crossed = []
    with plumbed(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            rules = [e for e in page.edges if e["orientation"] == "v"]
            for word in page.extract_words():
                if word["text"] in ("D", "R", "A", "F", "T", "DRAFT"):
                    continue
                if any(r["top"] <= word["top"] + 1 and word["bottom"] - 1 <= r["bottom"]
                       and word["x0"] + 0.5 < r["x0"] < word["x1"] - 0.5 for r in rules):
                    crossed.append((pdf_path.name, number, word["text"]))
            lines: dict[float, list[dict]] = {}
            for char in page.chars:
                if char["text"].strip() and char["upright"] and char["size"] < 20:  # not the DRAFT mark's
                    lines.setdefault(round(char["top"], 1), []).append(char)
            for chars in lines.values():
                chars.sort(key=lambda c: c["x0"])
                crossed += [(pdf_path.name, number, a["text"] + b["text"]) for a, b in zip(chars, chars[1:])
                            if a["x1"] - b["x0"] > min(a["width"], b["width"]) / 2  # more than kerning
                            and not {a["text"], b["text"]} & TICKS]  # a tick is printed over its box
    return crossed


def test_chinese_names_of_three_and_four_characters_stay_on_one_line_in_the_group_table(data_copy, tmp_path):
    """The confirmation's acceptance group gave 姓名 two characters' room: 赵立新 printed as 赵 / 立新 (most Chinese
    names have three characters; a compound surname makes four)."""
    folder = data_copy("data")
    edit(folder / "project.yaml", "    name: 张伟\n", "    name: 欧阳明远\n")
    edit(folder / "project.yaml", "    name: 周琦\n", "    name: 赵立新\n")
    confirmation = built_only(folder, tmp_path, "confirmation") / "01-confirmation.pdf"
    lines = [line.split() for page in pages_of(confirmation) for line in page.splitlines()]
    # the group's rows, as pdftotext reads them: 序号 职务 姓名 单位 职务 职责, each cell whole
    assert ["2", "甲方项目负责人", "欧阳明远", "甲方"] in [line[:4] for line in lines], lines
    assert ["3", "甲方运维负责人", "赵立新", "甲方"] in [line[:4] for line in lines], lines


def test_a_quantity_with_a_long_unit_wraps_inside_its_cell(data_copy, tmp_path):
    """The delivery checklist's quantity cell never wrapped: "4 modules" ran over the Qty column's rule and the
    warranty's "—" (found by a reader). It wraps at its space, and the column holds such a unit whole."""
    folder = data_copy("pass-en")
    text = (folder / "delivery.yaml").read_text(encoding="utf-8")
    first = re.search(r"unit: (\w+)", text)[1]
    (folder / "delivery.yaml").write_text(text.replace(f"unit: {first}", "unit: modules", 1), encoding="utf-8")
    delivery = built_only(folder, tmp_path, "delivery") / "05-delivery.pdf"
    assert _crossed(delivery) == []
    assert "\n2\nmodules\n" in "".join(pages_of(delivery))


@pytest.mark.parametrize("lines", [6, 12, 18])
def test_an_agreed_plan_starts_on_the_page_that_holds_its_rows(data_copy, tmp_path, lines):
    """The agreement's plan of an issue (its heading and its rows) split over a page end left rows on the next page
    that nothing there names (found by a reader): a plan that fits on a page is kept on one. With the first plan's
    impact made longer, the second plan moves whole, wherever the page ends."""
    folder = data_copy("data")
    longer = "".join(f"  补充说明第{n}条：章节补充完成前如需灾备切换，由乙方工程师到场操作并记录。" for n in range(lines))
    edit(folder / "issues.yaml", "impact: 不影响系统日常运行与数据备份恢复；",
         f"impact: 不影响系统日常运行与数据备份恢复；{longer}")
    agreement = built_only(folder, tmp_path, "agreement") / "08-agreement.pdf"
    pages = [re.sub(r"\s+", "", page) for page in pages_of(agreement)]
    for issue in ("ISS-004", "ISS-009"):
        heading = [n for n, page in enumerate(pages) if re.search(rf"（[一二三四五六七八九十]+）{issue}", page)]
        assert len(heading) == 1, (issue, heading)
        page = pages[heading[0]]
        rows = page[re.search(rf"（[一二三四五六七八九十]+）{issue}", page).start():]
        assert "问题描述" in rows and "协商确定日期" in rows, (issue, heading)


def test_no_word_of_a_title_is_broken_in_the_english_acceptance_group(packages):
    """A person's title is never hyphenated (.nh), so a word wider than its column broke anywhere: "Systems
    Administrato" / "r" (found looking at the pages). The column holds the example's titles' words whole."""
    package = packages["pass-en"]
    words = set(" ".join(pages_of(package.out / "01-confirmation.pdf")).split())
    titles = re.findall(r"^\s+title: (.+)$", (package.data / "project.yaml").read_text(encoding="utf-8"), re.M)
    assert "Systems Administrator" in titles
    for title in titles:
        assert set(title.split()) <= words, title


def test_a_short_name_opening_a_cell_is_not_hyphenated(data_copy, tmp_path):
    """A party's short name is a name, never hyphenated: but written "the Hospital" in the data, it opens a cell
    as "The Hospital" (wording.opening), which was not found as the name, and the confirmation's party column
    printed "The Hospit‐" / "al" and "The Sup‐" / "plier" (found building a new English project)."""
    folder = data_copy("pass-en")
    edit(folder / "project.yaml", "    short: Party A", "    short: the Hospital")
    edit(folder / "project.yaml", "    short: Party B", "    short: the Supplier")
    text = "".join(pages_of(built_only(folder, tmp_path, "confirmation") / "01-confirmation.pdf"))
    assert text.count("Hospital") >= 3 and text.count("Supplier") >= 5, text
    assert not re.search("(?:Hos|Sup)[a-z]*\u2010", text), text


def test_every_signatory_of_a_party_has_a_signature_line(data_copy, tmp_path):
    """`signatories: [chenhui, okafor, wanglei]` printed Chen Hui and Wang Lei only: the block took the first
    signatory of each party and dropped Daniel Okafor without a word."""
    folder = data_copy("pass-en")
    edit(folder / "report.yaml", "signatories: [chenhui, wanglei]", "signatories: [chenhui, okafor, wanglei]")
    last = pages_of(built_only(folder, tmp_path, "report") / "04-report.pdf")[-1]
    signed = last[last.index("Authorised signature"):]
    assert [n for n in ("Chen Hui, IT Manager", "Daniel Okafor, Systems Administrator", "Wang Lei, Project Manager")
            if n in signed] == ["Chen Hui, IT Manager", "Daniel Okafor, Systems Administrator",
                                "Wang Lei, Project Manager"], signed


def test_the_word_after_a_kept_together_token_wider_than_its_line_goes_to_the_next_line(data_copy, tmp_path):
    """"Blood-product" (kept together: a capital makes it look like an identifier) is wider than the Criterion
    column's line and fitted into its padding, so it stayed whole; WeasyPrint then set the next word's first
    hyphenated piece on the same line, and "Blood-product trace-" ran over the rule into the Content column.
    The token is laid out again free to break after its hyphen."""
    folder = data_copy("pass-en")
    edit(folder / "criteria.yaml", "title: Gate check-in and check-out",
         "title: Blood-product traceability (vein-to-vein)")
    confirmation = built_only(folder, tmp_path, "confirmation") / "01-confirmation.pdf"
    assert _crossed(confirmation) == []
    assert re.search(r"Blood-\s*product\s+traceability\s+\(vein-to-vein\)", "".join(pages_of(confirmation)))


@pytest.mark.parametrize("name", ["confirmation", "acceptance_letter"])
def test_a_long_value_of_a_letters_header_keeps_clear_of_the_next_label(data_copy, tmp_path, name):
    """A letter's header table has no rules and its cells had no padding: a project name as wide as its column
    ran up to the next label ("…Upgrade Phase IIDate" in the acceptance letter). Every label of the header
    stands at least 2 mm (5.7 pt) right of the text before it on its line."""
    folder = data_copy("pass-en")
    edit(folder / "project.yaml", "  name: Harbour Yard Management System\n",
         "  name: Harbour Yard Management System Upgrade Phase II\n")
    out = built_only(folder, tmp_path, name)
    with plumbed(next(out.glob("*.pdf"))) as pdf:
        words = pdf.pages[0].extract_words(keep_blank_chars=False)
    labels = [next((w for w in words if w["text"] == label), None) for label in ("Version", "Date")]  # the header's
    assert None not in labels, [w["text"] for w in words[:30]]
    for label in labels:
        before = [w["x1"] for w in words if abs(w["top"] - label["top"]) < 2 and w["x1"] <= label["x0"] + 1]
        assert label["x0"] - max(before) >= 5.7, (label, max(before))
