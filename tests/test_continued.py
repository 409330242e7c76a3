"""Rows taller than a page (signoff/continued.py): the row's ID with a continuation mark on every page it continues
on, the repeated header on those pages, and the layout of everything else unchanged. Small pages, no package."""
from __future__ import annotations

import pytest

from signoff.continued import add_marks, lay_out_with_marks, make_splittable, rows_by_pages

STYLE = """<style>@page { size: A6; margin: 8mm } body { font: 9pt sans-serif }
table { width: 100%; border-collapse: collapse; table-layout: fixed } td, th { border: 0.5pt solid }
thead { display: table-header-group } tr { break-inside: avoid } tr.tall { break-inside: auto }
.cont-mark { display: block; break-before: page }</style>"""


def page_html(words: int) -> str:
    rows = "".join(f'<tr data-cont="R-{n} (cont.)"><td>R-{n}<i class="cont"></i></td><td>{text}</td></tr>'
                   for n, text in ((1, "short"), (2, "word " * words), (3, "after")))
    return (f"{STYLE}<table><colgroup><col style='width:30%'><col style='width:70%'></colgroup>"
            f"<thead><tr><th>ID</th><th>Text</th></tr></thead><tbody>{rows}</tbody></table>")


def render(text):
    import weasyprint

    return weasyprint.HTML(string=text).render()


def page_texts(document) -> list[str]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(document.write_pdf()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.parametrize("words", [700, 1400])
def test_a_row_taller_than_a_page_carries_its_id_on_every_page_it_continues_on(words):
    document, html, _ = lay_out_with_marks(render, page_html(words))
    pages = page_texts(document)
    spanned = [n for n, text in enumerate(pages) if "word" in text]
    assert len(spanned) >= 2 + (words > 1000)
    first, *continued = spanned
    assert "R-2" in pages[first] and "(cont.)" not in pages[first]
    for n in continued:  # the header, then the ID with its mark, then the text
        assert pages[n].startswith("ID Text R-2 (cont.)"), pages[n][:40]
        assert pages[n].count("(cont.)") == 1
    assert sum(text.count("(cont.)") for text in pages) == len(continued)
    assert "R-3" in pages[spanned[-1]] or "R-3" in pages[spanned[-1] + 1]
    assert 'class="tall"' in html


def test_a_table_whose_rows_fit_is_laid_out_once_and_unchanged():
    calls = []

    def counting(text):
        calls.append(text)
        return render(text)

    html = page_html(40)
    document, laid_out, _ = lay_out_with_marks(counting, html)
    assert laid_out == html and len(calls) == 1 and rows_by_pages(document) == {}


def test_marks_go_into_the_slot_of_their_own_row_only():
    html = page_html(10)
    assert add_marks(html, {"R-2 (cont.)": 3}).count('<span class="cont-mark">R-\u200b2 (cont.)</span>') == 2
    assert add_marks(html, {"R-2 (cont.)": 3}).count('<i class="cont"></i>') == 2  # the other rows keep theirs
    assert make_splittable(html, ["R-3 (cont.)"]).count('class="tall"') == 1
    assert add_marks(html, {"R-9 (cont.)": 2}) == html


def test_a_mark_with_an_apostrophe_or_a_quote_is_found_as_the_template_escapes_it():
    """The templates write the mark through Jinja's escaping (`'` as &#39;, `"` as &#34;); a label catalog's
    "R-2 (cont'd)" must still find its row."""
    from markupsafe import escape

    mark = "R-2 (cont'd \"x\")"
    html = page_html(10).replace('data-cont="R-2 (cont.)"', f'data-cont="{escape(mark)}"')
    assert make_splittable(html, [mark]).count('class="tall"') == 1
    printed = str(escape(mark)).replace("-", "-\u200b")  # free to break after its hyphen
    assert add_marks(html, {mark: 2}).count(f'<span class="cont-mark">{printed}</span>') == 1
