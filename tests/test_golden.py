"""Golden HTML: every document of data/ and examples/*, rendered with a fixed provenance, compared with the copy
under tests/golden/ so that every template, label or model change shows in review as a diff.

Refresh after an intended change: `pytest tests/test_golden.py --update-golden`, then read the diff.
The stored copy replaces each inline image by a short digest of its bytes (`data:image/png;sha256=…`), and the
stylesheet lines every document of the package starts with (the theme's) by a mark: they are stored once, in
`_theme.css` beside the documents. Everything else is the HTML the renderer lays out.

Also here, because it is a property of the HTML of every document rather than of one: every row of every table
has exactly the columns its table declares (a row one cell too wide makes the renderer warn and the build fail).
"""
from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DATA_DIRS, ROOT, run_build

from signoff.documents import plan_outputs
from signoff.pipeline import check
from signoff.provenance import Provenance
from signoff.render import make_environment, render_html

GOLDEN_DIR = Path(__file__).parent / "golden"
# A committed build of a fixed commit at a fixed time: the footer and metadata of every page, without git.
PROVENANCE = Provenance("committed", "0123abc", "0123abc" + "0" * 33, 1_800_000_000)
_IMAGE = re.compile(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=]+)")


def render_package(data_dir: Path) -> dict[str, str]:
    """{output name: HTML} for every document the data calls for."""
    facts = check(data_dir).facts
    env = make_environment()
    return {output.name: render_html(env, facts, output, PROVENANCE, data_dir / "assets")
            for output in plan_outputs(facts)}


def stored_form(html: str) -> str:
    """The HTML as kept under tests/golden/: each inline image replaced by the digest of its bytes."""
    def digest(match: re.Match) -> str:
        return f"data:{match[1]};sha256={hashlib.sha256(match[2].encode()).hexdigest()[:16]}"
    return _IMAGE.sub(digest, html)


THEME_FILE = "_theme.css"
THEME_MARK = f"/* the package's theme: {THEME_FILE} */\n"
_STYLE = re.compile(r"<style>\n(.*?)</style>", re.S)


def theme_of(pages: dict[str, str]) -> str:
    """The lines every document's stylesheet of a package starts with (the theme's), stored once per package so
    that a change of the theme is one diff, not one in every golden file."""
    blocks = [found[1].splitlines(keepends=True) for found in map(_STYLE.search, pages.values()) if found]
    common = []
    for lines in zip(*blocks):
        if len(set(lines)) > 1:
            break
        common.append(lines[0])
    return "".join(common)


def without_theme(html: str, theme: str) -> str:
    return html.replace("<style>\n" + theme, "<style>\n" + THEME_MARK, 1) if theme else html


# data/ and every example (conftest's DATA_DIRS holds only those other tests copy; service-5x8-en was missing)
GOLDEN_DIRS = {**DATA_DIRS, **{path.name: path for path in sorted((ROOT / "examples").iterdir())
                               if path.is_dir() and path not in DATA_DIRS.values()}}
_rendered: dict[str, dict[str, str]] = {}


def rendered(name: str) -> dict[str, str]:
    if name not in _rendered:
        _rendered[name] = render_package(GOLDEN_DIRS[name])
    return _rendered[name]


@pytest.mark.parametrize("name", sorted(GOLDEN_DIRS))
def test_golden_html(name, request):
    pages = {key: stored_form(html) for key, html in rendered(name).items()}
    theme = theme_of(pages)
    pages = {key: without_theme(html, theme) for key, html in pages.items()}
    folder = GOLDEN_DIR / name
    if request.config.getoption("--update-golden"):
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.html"):
            if stale.stem not in pages:
                stale.unlink()
        for key, html in pages.items():
            (folder / f"{key}.html").write_text(html, encoding="utf-8")
        (folder / THEME_FILE).write_text(theme, encoding="utf-8")
        return
    stored = {path.stem for path in folder.glob("*.html")}
    assert stored == set(pages), (f"documents differ from tests/golden/{name}: "
                                  f"refresh with pytest tests/test_golden.py --update-golden")
    assert (folder / THEME_FILE).read_text(encoding="utf-8") == theme, (
        f"{name}/{THEME_FILE} differs from the theme the documents share; if intended, run "
        f"pytest tests/test_golden.py --update-golden and review the diff")
    for key, html in pages.items():
        expected = (folder / f"{key}.html").read_text(encoding="utf-8")
        assert html == expected, (f"{name}/{key}.html differs from its golden copy; if intended, run "
                                  f"pytest tests/test_golden.py --update-golden and review the diff")


def test_stored_form_replaces_images_by_a_digest_and_nothing_else():
    html = '<img src="data:image/png;base64,iVBORw0KGgo="> <p>data:image/png;base64 in text</p>'
    assert stored_form(html) == ('<img src="data:image/png;sha256=' + hashlib.sha256(b"iVBORw0KGgo=").hexdigest()[:16]
                                 + '"> <p>data:image/png;base64 in text</p>')


class _Tables(HTMLParser):
    """Each table's declared width (its <col>s, else its first row) and each row's width (colspans and the
    rowspans of rows above counted)."""

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.stack.append({"cols": 0, "rows": 0, "width": None, "spans": [], "row": None,
                               "cls": attrs.get("class", "")})
        elif not self.stack:
            return
        table = self.stack[-1]
        if tag == "col":
            table["cols"] += int(attrs.get("span", 1))
        elif tag == "tr":
            carried = sum(1 for left in table["spans"] if left > 0)
            table["spans"] = [left - 1 for left in table["spans"] if left > 1]
            table["row"] = carried
        elif tag in ("td", "th") and table["row"] is not None:
            span = int(attrs.get("colspan", 1))
            table["row"] += span
            if int(attrs.get("rowspan", 1)) > 1:
                table["spans"].extend([int(attrs["rowspan"]) - 1] * span)

    def handle_endtag(self, tag):
        if not self.stack:
            return
        table = self.stack[-1]
        if tag == "tr" and table["row"] is not None:
            table["rows"] += 1
            width = table["cols"] or table["width"]
            if width is None:
                table["width"] = table["row"]
            elif table["row"] != width:
                self.problems.append(f"table.{table['cls']} row {table['rows']}: {table['row']} cells, "
                                     f"the table has {width} columns")
            table["row"] = None
        elif tag == "table":
            self.stack.pop()


def table_problems(html: str) -> list[str]:
    parser = _Tables()
    parser.feed(html)
    return parser.problems


def test_table_check_finds_a_row_one_cell_too_wide():
    html = ('<table class="grid"><colgroup><col><col><col></colgroup><tr><td>1</td><td colspan="2">x</td></tr>'
            '<tr><td rowspan="2">a</td><td>b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr>'
            '<tr><td>1</td><td colspan="2">x</td><td></td></tr></table>')
    assert table_problems(html) == ["table.grid row 4: 4 cells, the table has 3 columns"]


@pytest.mark.parametrize("name", sorted(GOLDEN_DIRS))
def test_every_table_row_has_the_columns_of_its_table(name):
    problems = {key: table_problems(html) for key, html in rendered(name).items()}
    assert {key: found for key, found in problems.items() if found} == {}



def test_a_material_without_review_keeps_the_report_tables_square(data_copy):
    """Issue 10: a contractor material nobody reviewed made the report's documents table one cell too wide."""
    folder = data_copy("pass-en")
    results = folder / "results.yaml"
    text = results.read_text(encoding="utf-8")
    kept = "\n".join(line for line in text.splitlines() if "material: training_record" not in line) + "\n"
    assert kept != text
    results.write_text(kept, encoding="utf-8")
    pages = render_package(folder)
    assert "Training Record" in pages["04-report"]
    assert table_problems(pages["04-report"]) == []
    built = run_build("build", "--data", str(folder), "--out", str(folder.parent / "out"), "--only", "report")
    assert built.returncode == 0, built.stderr
    assert "warned" not in built.stderr
