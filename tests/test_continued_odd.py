"""Rows taller than a page with odd IDs (signoff/continued.py): a Chinese mark, the longest id Signoff accepts (32
characters, broken over lines in its cell), a row over more than two pages. Small pages, no package."""
from __future__ import annotations

from signoff.continued import lay_out_with_marks

from test_continued import STYLE, page_texts, render

LONGEST = "ISS-AB12-AB12-AB12-AB12-AB12-AB1"  # 32 characters: rules.ID_MAX


def _html(rid: str, mark: str, words: int) -> str:
    rows = "".join(f'<tr data-cont="{m}"><td>{r}<i class="cont"></i></td><td>{t}</td></tr>'
                   for r, m, t in (("R-1", "R-1（续）", "short"), (rid, mark, "词 " * words), ("R-3", "R-3（续）", "after")))
    return (f"{STYLE}<table><colgroup><col style='width:30%'><col style='width:70%'></colgroup>"
            f"<thead><tr><th>ID</th><th>Text</th></tr></thead><tbody>{rows}</tbody></table>")


def test_the_longest_id_with_a_chinese_mark_on_every_page_it_continues_on():
    assert len(LONGEST) == 32
    document, _, _ = lay_out_with_marks(render, _html(LONGEST, LONGEST + "（续）", 1400))
    pages = [text.replace(" ", "") for text in page_texts(document)]  # the id breaks over lines in its cell
    spanned = [n for n, text in enumerate(pages) if "词" in text]
    assert len(spanned) >= 3  # taller than two pages
    first, *continued = spanned
    assert LONGEST in pages[first] and "（续）" not in pages[first]
    for n in continued:  # the header, the id with its mark, then the text: no page holds the mark alone
        assert pages[n].startswith("IDText" + LONGEST + "（续）词"), pages[n][:60]
        assert pages[n].count("（续）") == 1
    assert pages[-1].endswith("R-3after") or "R-3after" in pages[-1]
