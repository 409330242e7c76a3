"""The HTML of a document (signoff/render.py): its compiled templates' cache in ~/.cache/signoff is untrusted. A
damaged file, a link or a named pipe in it is no cache (the template compiled again), never a traceback or a
build that waits for ever; a cache folder others may write to is not used at all (what it holds is code). And what
its text keeps on one line (`keep_together`)."""
from __future__ import annotations

import os
import pickle

import pytest
from jinja2.bccache import bc_magic

from conftest import never_blocks
from signoff import render

TEMPLATE = "acceptance_letter.html.j2"


class _Planted:
    def __reduce__(self):
        return (exec, ("raise SystemExit('code from the cache ran')",))


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """The template's compiled code, and the cache files it was kept in."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code = render.make_environment().get_template(TEMPLATE).root_render_func.__code__.co_code
    files = sorted((tmp_path / "cache" / "signoff" / "templates").iterdir())
    assert files
    return code, files


def _compiled() -> bytes:
    with never_blocks(10, "the template cache"):
        return render.make_environment().get_template(TEMPLATE).root_render_func.__code__.co_code


@pytest.mark.parametrize("damage", ["fifo", "junk after the magic", "link", "folder"])
def test_a_damaged_compiled_template_is_compiled_again(cached, tmp_path, damage):
    code, files = cached
    for path in files:
        good = path.read_bytes()
        path.unlink()
        if damage == "fifo":
            os.mkfifo(path)  # a plain open() for reading waits for a writer
        elif damage == "junk after the magic":
            path.write_bytes(bc_magic + b"\x80\x05 not a pickle")
        elif damage == "link":  # to a good compiled file: not followed all the same
            (tmp_path / "elsewhere").write_bytes(good)
            path.symlink_to(tmp_path / "elsewhere")
        else:
            path.mkdir()
    assert _compiled() == code


def test_a_cache_folder_others_may_write_to_is_not_used(cached):
    """One's own folder that others could write to (a umask of 002) is closed to them and emptied first."""
    code, files = cached
    for path in files:
        path.write_bytes(bc_magic + pickle.dumps(_Planted()))
    os.chmod(files[0].parent, 0o777)
    assert _compiled() == code  # and no code of the cache's ran
    assert os.stat(files[0].parent).st_mode & 0o777 == 0o700
    for path in files:
        path.write_bytes(bc_magic + pickle.dumps(_Planted()))
    with pytest.raises(SystemExit, match="code from the cache ran"):  # what a cache one owns is trusted with
        _compiled()


def test_the_compiled_templates_kept_are_bounded(tmp_path, monkeypatch):
    """Jinja keys a compiled template by its file: each checkout (a clone, the base revision `make diff` checks
    out) compiles its own. Only the KEEP_COMPILED most recently used stay (the cache grew by every checkout, for
    ever); one used again is kept."""
    import shutil

    from signoff.paths import TEMPLATES_DIR

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(render, "KEEP_COMPILED", 3)
    folder = tmp_path / "cache" / "signoff" / "templates"
    for n in range(5):
        checkout = tmp_path / f"checkout{n}"
        shutil.copytree(TEMPLATES_DIR, checkout)
        before = set(folder.iterdir()) if folder.exists() else set()
        render.make_environment(checkout).get_template(TEMPLATE)
        (made,) = set(folder.iterdir()) - before
        os.utime(made, (n + 1, n + 1))  # made in this order, long ago (a clock's ticks are coarser than a build)
        if n == 0:
            first = made
        if n == 2:  # the first checkout's used again, after the second's and the third's were made: now
            render.make_environment(tmp_path / "checkout0").get_template(TEMPLATE)
    assert len(list(folder.iterdir())) == 3
    assert first.exists()  # the one used again stays; those of the second and third checkouts went


@pytest.mark.parametrize("text, expected", [
    # full-width letters and digits, as a Chinese text may type them: kept together as their half-width forms are
    ("合同 ＨＴ－２０２５－０８８ 版本 Ｖ１．２", '合同 <span class="nb">ＨＴ－２０２５－０８８</span> 版本 <span class="nb">Ｖ１．２</span>'),
    ("偏差≤０．５℃", '偏差<span class="nb">≤０．５℃</span>'),
    # a version with its build: one token, not "2.10.0-rc." / "3+build."
    ("version 2.10.0-rc.3+build.20261118", 'version <span class="nb">2.10.0-rc.3+build.20261118</span>'),
    # an e-mail address whole, not "support@" and a kept-together domain
    ("mail support@shuzhi.example.com.", 'mail <span class="nb">support@shuzhi.example.com</span>.'),
    # a web address longer than 32 characters: never hyphenated, free to break after its separators
    ("at https://support.shuzhi.example.com/portal.",
     'at <span class="nh">https://\u200bsupport.\u200bshuzhi.\u200bexample.\u200bcom/\u200bportal</span>.'),
    # a path with the slash it starts with ("/" was left to end a line before "var/log/…"), short or long (no break
    # right after its first slash); a full-width slash before a measure is the measure's separator, not a path
    ("日志 /var/log/signoff/app.log 与 /etc", '日志 <span class="nb">/var/log/signoff/app.log</span> 与 '
                                              '<span class="nb">/etc</span>'),
    ("in /opt/signoff/releases/2026-11/current/app.log",
     'in <span class="nh">/opt/\u200bsignoff/\u200breleases/\u200b2026-\u200b11/\u200bcurrent/\u200bapp.\u200blog</span>'),
    ("10 分钟／2 小时", '<span class="nb">10 分钟</span>／<span class="nb">2 小时</span>'),
    # thousands separators: "p95 ≤ 2," / "500 ms" read as two numbers (found by a reader)
    ("p95 ≤ 2,500 ms; 1,250,000 rows", 'p95 <span class="nb">≤ 2,500 ms</span>; <span class="nb">1,250,000 rows</span>'),
    # a tolerance, a sign, a degree and the micro sign (U+00B5, not the Greek μ) with their numbers: "±" / "0.5 °C",
    # "≥" / "−100 dBm" (found by a reader)
    ("± 0.5 °C; 5 µmol/L; ≥ −100 dBm; -20 °C", '<span class="nb">± 0.5 °C</span>; <span class="nb">5 µmol/L</span>; '
     '<span class="nb">≥ −100 dBm</span>; <span class="nb">-20 °C</span>'),
], ids=["full-width", "full-width measure", "version", "e-mail", "address", "path", "long path", "measures",
        "thousands", "signs and degrees"])
def test_what_is_kept_together(text, expected):
    from signoff.render import keep_together

    assert keep_together(f"<body><p>{text}</p></body>") == f"<body><p>{expected}</p></body>"


def test_a_name_breaks_at_its_spaces_and_hyphens_never_inside_a_word():
    """A name's hyphenated parts were kept whole inside it: "Oberhauser-Wittgenstein" could not follow
    "Anna-Katharina" on a narrow cell's line and WeasyPrint broke the name inside a word ("Anna-Katharina O /
    berhauser-"). A name with an apostrophe was not found at all (the HTML has O&#39;Sullivan) and was hyphenated.
    A Chinese name with a middle dot breaks only after the dot (found by a reader)."""
    from signoff.render import keep_together

    names = ("Anna-Katharina Oberhauser-Wittgenstein", "Siobhan O'Sullivan-Nakamura", "Larkspur Harbour Co., Ltd.",
             "阿依古丽·买买提")
    html = ("<body><td>Anna-Katharina Oberhauser-Wittgenstein</td><td>Siobhan O&#39;Sullivan-Nakamura</td>"
            "<td>Larkspur Harbour Co., Ltd.</td><td>组长阿依古丽·买买提主持</td></body>")
    assert keep_together(html, names) == (
        '<body><td><span class="nh">Anna-Katharina Oberhauser-Wittgenstein</span></td>'
        '<td><span class="nh">Siobhan O&#39;Sullivan-Nakamura</span></td>'
        '<td><span class="nh">Larkspur <span class="nb">Harbour Co., Ltd.</span></span></td>'
        '<td>组长<span class="nb">阿依古丽·</span><span class="nb">买买提</span><span class="nb">主持</span></td></body>')


def test_a_hyphenated_word_is_text_and_an_identifier_is_kept_together():
    """`follow-up` kept together beside `15 January 2027` kept together made WeasyPrint break the report's
    conclusion before "is deferred", with room left on the line (found by a reader): an identifier has a digit or
    a capital; a hyphenated word may break after its hyphen as any text does."""
    from signoff.render import keep_together

    assert keep_together("<body><p>the follow-up of S-01, non-core, V1.2 and ISS-002</p></body>") == (
        '<body><p>the follow-up of <span class="nb">S-01</span>, non-core, <span class="nb">V1.2</span> and '
        '<span class="nb">ISS-002</span></p></body>')


@pytest.mark.parametrize("text, expected", [
    ("第 1 次 6:00（未达标）", '第 <span class="nb">1 次</span> <span class="nb">6:00</span><span class="nb">（未达标）</span>'),
    ("赵敏（测试经理）", '赵敏<span class="nb">（测试经理）</span>'),
    ("21:00（截至统计日）", '<span class="nb">21:00</span>（截至统<span class="nb">计日）</span>'),  # five: its last two
    ("（达标）", '<span class="nb">（达标）</span>'),
], ids=["after a kept time", "a title", "longer", "alone"])
def test_a_short_bracketed_word_ending_a_run_is_kept_whole(text, expected):
    """A fault form printed "第 1 次 6:00（" / "未达标）": the kept "6:00" and "达标）" left "（未" a text of its
    own, which WeasyPrint broke inside, an opening bracket at a line's end. A bracketed word of up to four
    characters ending a run is kept whole; a longer one keeps its last two, as any run does."""
    from signoff.render import keep_together

    assert keep_together(f"<body><td>{text}</td></body>") == f"<body><td>{expected}</td></body>"


@pytest.mark.parametrize("text, expected", [
    # the text is HTML: a quote (&#39;) ends the address and is printed whole, not `&#39` and a stray `;`
    ("Link &#39;https://x.org/a&#39; fails", 'Link &#39;<span class="nb">https://x.org/a</span>&#39; fails'),
    ("at https://x.org/?a=1&amp;b=2&amp;.", 'at <span class="nb">https://x.org/?a=1&amp;b=2</span>&amp;.'),
    ("https://x.org/y—word", '<span class="nb">https://x.org/y</span>—word'),
], ids=["quoted", "query", "dash"])
def test_a_web_address_ends_where_the_escaped_text_says(text, expected):
    """Found by a reviewer: the address pattern cut `&#39;` and `&amp;` before their `;`, which then printed."""
    from signoff.render import keep_together

    assert keep_together(f"<body><p>{text}</p></body>") == f"<body><p>{expected}</p></body>"



def test_a_dotted_name_in_rare_characters_breaks_after_its_dot_only():
    """render.py knew the Han ideographs of U+4E00–U+9FFF only: a name with a character of extension B or A
    beside its dot (热𠮷·买买提, 㐱古丽·阿不都) was not found, and its line end not kept with it."""
    from signoff.render import keep_together

    names = ("热𠮷·买买提", "㐱古丽·阿不都")
    html = "<body><td>组长热𠮷·买买提主持</td><td>组员㐱古丽·阿不都</td></body>"
    assert keep_together(html, names) == (
        '<body><td>组长<span class="nb">热𠮷·</span><span class="nb">买买提</span><span class="nb">主持</span></td>'
        '<td>组员<span class="nb">㐱古丽·</span><span class="nb">阿不都</span></td></body>')


def test_a_long_run_of_latin_text_without_a_break_may_break_every_40_characters():
    """A 5,000-character base64 blob in an issue's description took the renderer 352 s to break anywhere (found
    by an attacker): past 80 characters with no break, a run may break after every 40 (a zero-width space; an
    entity counts as one character and is never cut). Chinese text, which breaks between characters, is left."""
    from signoff.render import keep_together

    blob, entities = "Qx" * 50, "&amp;" * 90
    out = keep_together(f"<body><p>log {blob} and {entities}; 中{'文' * 100}</p></body>")
    assert f"log {blob[:40]}\u200b{blob[40:80]}\u200b{blob[80:]} and " in out
    assert out.count("&amp;") == 90 and "&amp;" * 40 + "\u200b" + "&amp;" * 40 + "\u200b" + "&amp;" * 10 in out
    assert "中" + "文" * 98 in out  # (its last two kept together, as every paragraph's)
    short = "Q" * 80
    assert keep_together(f"<body><p>{short}</p></body>") == f"<body><p>{short}</p></body>"  # 80: left whole


LONG_EMAIL = "priya.raman.deliverymanagement@bluefinsoftwareengineeringinternationalservices.example.com"


def test_a_long_address_is_kept_as_one_token_and_a_long_piece_of_a_token_may_break():
    """A 90-character e-mail address got the long-run break after its 40th character, before it was found as an
    address: it was split, and its "@bluefinso" hyphenated as a word (found reviewing the change). Tokens are found
    first: an address longer than LONG_RUN is one token, free to break after its separators only; inside a token,
    a run of more than LONG_RUN characters with no separator may break every 40 (a 5,000-letter word with one
    hyphen was kept together: minutes of layout)."""
    from signoff.render import keep_together

    out = keep_together(f"<body><td>Email: {LONG_EMAIL}</td></body>")
    assert out == ('<body><td>Email: <span class="nh">' + LONG_EMAIL.replace(".", ".\u200b").replace("@", "@\u200b")
                   + "</span></td></body>")
    word = "a" * 100 + "-b"
    assert keep_together(f"<body><td>{word}</td></body>") == (
        f'<body><td><span class="nh">{"a" * 40}\u200b{"a" * 40}\u200b{"a" * 20}-\u200bb</span></td></body>')


def test_an_english_measure_of_time_and_a_day_with_its_month_are_kept_together():
    """"Measured 1.6" / "seconds.", "Party A 3" / "working days", "by 15" / "February." (found looking at the
    pages): a unit of time written as a word, and a date printed without its year."""
    from signoff.render import keep_together

    out = keep_together("<body><p>Measured 1.6 seconds, notify 3 working days before, due by 15 February; "
                        "3 dayshift crews on 2 May 2027.</p></body>")
    assert out == ('<body><p>Measured <span class="nb">1.6 seconds</span>, notify <span class="nb">3 working '
                   'days</span> before, due by <span class="nb">15 February</span>; 3 dayshift crews on '
                   '<span class="nb">2 May 2027</span>.</p></body>')


def test_a_section_sign_is_kept_with_its_number():
    """"Rules per §" / "4.2.1(a)–(f)" (found building a new English project): § is kept with its number."""
    from signoff.render import keep_together

    assert keep_together("<body><p>Rules per § 4.2.1(a)–(f), as SRS §3.7.4 says.</p></body>") == (
        '<body><p>Rules per <span class="nb">§ 4.2.1</span>(a)–(f), as SRS <span class="nb">§3.7.4</span> '
        'says.</p></body>')
    # two with the range they cite: "§§" / "2–7" broke too
    assert keep_together("<body><p>see §§ 2–7 and § 9</p></body>") == (
        '<body><p>see <span class="nb">§§ 2–7</span> and <span class="nb">§ 9</span></p></body>')


def test_a_checksum_in_hex_is_a_token_never_hyphenated():
    """The delivery checklist's SHA-256 was hyphenated in an English cell ("…1094b‐" / "d85a…"); a digest typed
    in any text is as exposed. 32 hex digits or more are a token, never hyphenated; a short hex word is text."""
    from signoff.render import keep_together

    digest = "9c4f1b27d0e86a35f2c7e1094bd85a6630fe217ac94d58b3e602f1c7a9d4e8b5"
    assert keep_together(f"<body><td>sha256 {digest}, not deadbeef</td></body>") == (
        f'<body><td>sha256 <span class="nh">{digest}</span>, not deadbeef</td></body>')
