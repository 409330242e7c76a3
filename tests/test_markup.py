"""Free text as Markdown (signoff/markup.py): lists and code blocks read as the pull request shows them (GitHub's
CommonMark), raw HTML printed as typed. (The guards against hostile text, brackets, nesting and quotes, are in
test_corpus.py.)"""
from __future__ import annotations

import pytest

from signoff.markup import render_markdown

AS_GITHUB = [
    # a list right under a line of text: it was one paragraph, 本项目包括：- 一 - 二
    ("本项目包括：\n- 一\n- 二\n", "<p>本项目包括：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
    ("步骤如下：\n1. 一\n2. 二\n", "<p>步骤如下：</p>\n<ol>\n<li>一</li>\n<li>二</li>\n</ol>"),
    # an ordered list starts under text only from 1, as on GitHub: a number that ends a line is not a list
    ("本期共计\n2. 项问题\n", "<p>本期共计\n2. 项问题</p>"),
    # sub-lists indented two or three spaces are nested: they were flattened into the parent list, renumbered
    ("1. 甲\n  - 子一\n  - 子二\n2. 乙\n",
     "<ol>\n<li>甲<ul>\n<li>子一</li>\n<li>子二</li>\n</ul>\n</li>\n<li>乙</li>\n</ol>"),
    ("1. 甲\n   1. 子一\n   2. 子二\n2. 乙\n",
     "<ol>\n<li>甲<ol>\n<li>子一</li>\n<li>子二</li>\n</ol>\n</li>\n<li>乙</li>\n</ol>"),
    # an ordered list keeps its first number (it printed 1. 2.)
    ("前文\n\n3. 丙\n4. 丁\n", '<p>前文</p>\n<ol start="3">\n<li>丙</li>\n<li>丁</li>\n</ol>'),
    # a bullet right under an ordered list is a list of its own (it was the ordered list's item 3)
    ("1. 甲\n2. 乙\n- 注：说明\n", "<ol>\n<li>甲</li>\n<li>乙</li>\n</ol>\n<ul>\n<li>注：说明</li>\n</ul>"),
    # an item's further lines stay in the item
    ("- 甲\n继续\n- 乙\n", "<ul>\n<li>甲继续</li>\n<li>乙</li>\n</ul>"),
    # an indented code block still takes four spaces; two or three are a paragraph, as on GitHub
    ("文字\n\n    x = 1\n", "<p>文字</p>\n<pre><code>x = 1\n</code></pre>"),
    ("文字\n\n  缩进的段落\n", "<p>文字</p>\n<p>缩进的段落</p>"),
    ("Scope:\n* one\n* two\n", "<p>Scope:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("Title\n---\n", "<h2>Title</h2>"),
    # (found by a reviewer of the first version of the list fix, which set the whole parser's list indentation to
    # two spaces: four-space sub-lists, lists indented as a whole, tab-indented code)
    # four spaces nest too, as they did before and do on GitHub
    ("- a\n    - b\n    - c\n- d", "<ul>\n<li>a<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"),
    ("9. a\n10. b\n    - sub", '<ol start="9">\n<li>a</li>\n<li>b<ul>\n<li>sub</li>\n</ul>\n</li>\n</ol>'),
    # a whole list indented two or three spaces is a list
    ("说明：\n\n  - 一\n  - 二", "<p>说明：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"),
    # a tab indents code, as four spaces do
    ("示例：\n\n\tcode line", "<p>示例：</p>\n<pre><code>code line\n</code></pre>"),
    # three levels, two spaces each
    ("- a\n  - b\n    - c", "<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n</ul>"),
    # a log pasted between fences right under a line of text: its lines as typed, nothing in it read as Markdown
    ("日志如下：\n```\nERROR <timeout> & retry [x](y)\n- not a list\n> not a quote\n```\n之后",
     "<p>日志如下：</p>\n<pre><code>ERROR &lt;timeout&gt; &amp; retry [x](y)\n- not a list\n&gt; not a quote\n"
     "</code></pre>\n<p>之后</p>"),
    # a numbered list inside a fence is not re-indented as a list (it split the block in two)
    ("步骤：\n\n~~~\n  1. a\n  2. b\n~~~", "<p>步骤：</p>\n<pre><code>  1. a\n  2. b\n</code></pre>"),
    # Chinese lines in a block stay lines
    ("```\n第一行\n第二行\n```", "<pre><code>第一行\n第二行\n</code></pre>"),
    # the info string gives no class or id: the theme's own classes (nb) are not the data's to set
    ("```{.nb #x}\ncode\n```", "<pre><code>code\n</code></pre>"),
    ("```text\ncode\n```", "<pre><code>code\n</code></pre>"),
]


@pytest.mark.parametrize("text, html", AS_GITHUB, ids=[f"case{n}" for n in range(len(AS_GITHUB))])
def test_lists_and_code_blocks_read_as_github_shows_them(text, html):
    assert str(render_markdown(text)) == html


def test_raw_html_in_a_list_item_is_printed_as_typed():
    assert str(render_markdown("见：\n- <b>粗</b> & <a href='x'>链接</a>\n")) == (
        "<p>见：</p>\n<ul>\n<li>&lt;b&gt;粗&lt;/b&gt; &amp; &lt;a href='x'&gt;链接&lt;/a&gt;</li>\n</ul>")


@pytest.mark.parametrize("text", ["- 1. " * 248, "".join("  " * level + "- x\n" for level in range(300))])
def test_lists_nested_hundreds_deep_are_printed_as_typed_not_a_traceback(text):
    """Python-Markdown recurses once per level of a nested list: 1,240 characters of `- 1. ` passed check and ended
    the build in a RecursionError (found by an attacker). Such a text is printed as typed."""
    assert str(render_markdown(text)) == f"<p>{text}</p>"


def test_a_text_after_one_nested_too_deep_is_read_as_before():
    """After the RecursionError the parser's state was left mid-list: the next text lost its paragraphs."""
    expected = str(render_markdown("说明：\n\n  - 一\n  - 二"))
    render_markdown("- 1. " * 248)
    again = str(render_markdown("说明：\n\n  - 一\n  - 二"))
    assert again == expected == "<p>说明：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"


def test_thousands_of_adjacent_emphases_print_as_plain_text():
    """`*a*` 6,300 times (19 KB, within the limit) made 6,300 <em> with nothing between them: WeasyPrint took
    minutes to lay the issue log out and printed the line off the page, as one word it cannot break between boxes
    (found by an attacker). Past 200 inline elements a block is its plain text, which wraps."""
    from signoff.markup import MAX_INLINE

    html = str(render_markdown("*a*" * 6300))
    assert html.startswith("<p>" + "a" * 6000) and html.endswith("</p>") and "<" not in html[3:-4]
    few = "*a* " * MAX_INLINE
    assert str(render_markdown(few)).count("<em>") == MAX_INLINE  # emphasis as usual up to the limit


@pytest.mark.parametrize("text, html", [
    ("####### x", "<p>####### x</p>"), ("#" * 20, "<p>" + "#" * 20 + "</p>"), ("###### six", "<h6>six</h6>"),
    ("> ####### quoted", "<blockquote>\n<p>####### quoted</p>\n</blockquote>"),
    ("- ####### item", "<ul>\n<li>####### item</li>\n</ul>"),
    ("    ####### code", "<pre><code>####### code\n</code></pre>")])  # code as typed, no backslash
def test_seven_hashes_or_more_make_no_heading(text, html):
    """As on GitHub: `####### x` was a heading "# x", and twenty `#` printed nothing (found by an attacker)."""
    assert str(render_markdown(text)) == html
