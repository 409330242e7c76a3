"""Kept-together text wider than its column (signoff/overflow.py): which spans are let break, counted as the
layout counts them. That such a span breaks at a hyphen and the rest stay whole is test_layout's."""
from __future__ import annotations

import pytest

from signoff.overflow import breakable

HTML = ('<td><span class="nb"><span class="nb">2027-01-12</span> 21:40</span></td>'
        '<td><span class="nb">ZHYQ-2026-017-PM-PM-2027-Q1</span></td>')


@pytest.mark.parametrize("spans, expected", [
    (set(), HTML),
    # free to break after each hyphen (a zero-width space)
    ({2}, HTML.replace('<span class="nb">ZHYQ-2026-017-PM-PM-2027-Q1',
                       '<span class="wrap">ZHYQ-\u200b2026-\u200b017-\u200bPM-\u200bPM-\u200b2027-\u200bQ1')),
    # the inner span of two is the second in document order, as in the laid-out tree
    ({1}, HTML.replace('<span class="nb">2027-01-12', '<span class="wrap">2027-\u200b01-\u200b12')),
    ({0}, HTML.replace('<td><span class="nb"><span', '<td><span class="wrap"><span')),  # the inner one stays whole
], ids=["none", "the third", "one inside another", "one holding another"])
def test_the_spans_let_break_are_those_counted_in_document_order(spans, expected):
    assert breakable(HTML, spans) == expected


@pytest.mark.parametrize("text, expected", [
    # a last piece of more than six characters before closing punctuation: a break before its last character too
    ("（<span class=\"nb\">ISS-04NORTHCAMPUSDATACENTREB</span>）。",
     "（<span class=\"wrap\">ISS-\u200b04NORTHCAMPUSDATACENTRE\u200bB</span>）。"),
    # a short one moves to the next line whole, after the hyphen
    ("（<span class=\"nb\">ISS-NORTHCAMPUS-DATACENTRE-004</span>）。",
     "（<span class=\"wrap\">ISS-\u200bNORTHCAMPUS-\u200bDATACENTRE-\u200b004</span>）。"),
    # no punctuation after it: nothing to keep off the rule
    ("<span class=\"nb\">ISS-04NORTHCAMPUSDATACENTREB</span> 已关闭",
     "<span class=\"wrap\">ISS-\u200b04NORTHCAMPUSDATACENTREB</span> 已关闭"),
], ids=["long last piece", "short last piece", "no punctuation"])
def test_a_long_last_piece_before_closing_punctuation_may_break_before_its_last_character(text, expected):
    assert breakable(text, {0}) == expected


def test_breaks_never_go_inside_an_entity_of_the_escaped_text():
    """The span's text is HTML: `&#39;` (an apostrophe as Jinja escapes it) broken after its `#` printed `&#39;`."""
    assert breakable('<span class="nb">R-2&#39;s&amp;x.y</span>', {0}) == (
        '<span class="wrap">R-\u200b2&#39;s&amp;x.\u200by</span>')
