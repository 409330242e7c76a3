"""Facts to HTML: strict Jinja2 templates, one label catalog per locale, dates through Babel (SPEC §6–§7)."""
from __future__ import annotations

import base64
import datetime
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .documents import Output
from .paths import TEMPLATES_DIR, cache_dir, open_regular, private_folder, prune, used
from .provenance import Provenance
from .sources import read_project_yaml
from .markup import HAN, render_markdown
from .overflow import SEPARATORS, with_breaks
from .vocab import DEFAULT_WORKING_HOURS
from .wording import document_words, fill, long_date, opening, put_name, with_parties



@lru_cache(maxsize=None)
def load_theme(templates_dir: Path = TEMPLATES_DIR) -> dict:
    return read_project_yaml(templates_dir / "theme.yaml")


@lru_cache(maxsize=None)
def load_labels(locale: str, document: str, templates_dir: Path = TEMPLATES_DIR) -> dict:
    """The common labels of a locale with the document's own on top."""
    folder = templates_dir / "labels" / locale
    labels = read_project_yaml(folder / "common.yaml")
    own = folder / f"{document}.yaml"
    if own.exists():
        labels.update(read_project_yaml(own))
    return labels


_DASH = {"zh-CN": "—", "en": "–"}
_INTERVALS_SEP = {"zh-CN": "、", "en": " and "}


def with_working_hours(labels, service, locale: str):
    """The catalog with `{working_hours}` replaced by the service's own working intervals (`09:00–17:00`, or a
    split day such as `08:30–12:00 and 13:30–17:30`): the guide and the forms state the hours the clock runs on."""
    intervals = service["working_hours"] if service else DEFAULT_WORKING_HOURS
    text = _INTERVALS_SEP[locale].join(i.replace("-", _DASH[locale]) for i in intervals)

    def walk(value):
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            return value.replace("{working_hours}", text)
        return value
    return walk(labels)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds (keyed by each template's source); a cache that cannot be read or
    written is simply not used. What it holds is code (Jinja keeps it as pickle and marshal): it is used only
    from a folder the user owns, closed to others and emptied first if they could write to it (`_bytecode_cache`)."""

    def load_bytecode(self, bucket):
        path = Path(self._get_cache_filename(bucket))  # (Jinja's name for the file)
        try:  # a regular file only: a named pipe put in the cache would block the build for ever
            with open_regular(path) as stream:
                bucket.load_bytecode(stream)
        except Exception:  # anything a damaged file raises (pickle's and marshal's errors among them): no cache
            bucket.reset()
        else:
            used(path)

    def dump_bytecode(self, bucket):  # a template compiled, not found: only then is the folder pruned
        prune(Path(self.directory), "__jinja2_*.cache", KEEP_COMPILED - 1)
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


# The compiled templates most recently used: Jinja keys them by the template's file, so that each checkout (a clone,
# the base revision `make diff` checks out) has its own, about 20 of them.
KEEP_COMPILED = 400


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    folder = cache_dir() / "templates"
    return _BytecodeCache(str(folder)) if private_folder(folder) else None  # another's code is not run


def make_environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, bytecode_cache=_bytecode_cache())
    env.filters["md"] = render_markdown
    env.filters["row_groups"] = row_groups
    return env


ROW_GROUP = 20  # rows per <tbody> of a long table


def row_groups(rows, size: int = ROW_GROUP) -> list[list[tuple[int, object]]]:
    """A long table's rows, numbered from 1, in groups of `size`, one <tbody> each. WeasyPrint's table layout walks
    every row of the current row group on every page, so a log of 5,000 rows in one <tbody> costs time that grows
    with rows × pages; in groups the printed table is the same and the cost linear."""
    rows = list(rows)
    return [list(enumerate(rows[start:start + size], start=start + 1)) for start in range(0, len(rows), size)]


def page_context(facts: dict, output: Output, provenance: Provenance, templates_dir: Path = TEMPLATES_DIR,
                 assets_dir: Path | None = None, fonts=None) -> dict:
    """Everything a template may print about one output; `fonts` (a fonts.FontSet) replaces the theme's faces."""
    locale = facts["project"]["locale"]
    parties = facts["parties"]
    labels = with_parties(load_labels(locale, output.document.key, templates_dir), parties["customer"]["short"],
                          parties["contractor"]["short"])
    labels = with_working_hours(labels, facts["service"], locale)
    own_draft = output.document.draft  # a service record is a draft until its own confirmation (SPEC §10)
    draft = provenance.draft or (own_draft(facts, output.subject) if own_draft else facts["conclusion"] == "pending")
    if provenance.state == "committed":
        source = fill(labels["source_commit"], locale, commit=provenance.commit)
    elif provenance.state == "dirty":
        source = fill(labels["source_dirty"], locale, commit=provenance.commit or "—")  # — : no commit yet
    else:
        source = labels["source_untracked"]
    stamp = datetime.datetime.fromtimestamp(provenance.epoch, datetime.timezone.utc)
    number = output.number
    date = lambda value: long_date(value, locale)  # noqa: E731
    signing = signing_block(facts, output, assets_dir)
    for signer in (signer for col in signing for signer in col["signers"]):
        person = signer["person"]
        signer["who"] = fill(labels["name_title"], locale, name=person["name"], title=person["title"]) if person else None
    # each signatory is a row of the block: a party with fewer signatories has empty cells below its last
    rows = max((len(col["signers"]) for col in signing), default=0)
    for col in signing:
        col["signers"] += [None] * (rows - len(col["signers"]))
    return {
        "f": facts,
        "stamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "signing": signing,
        "w": {**document_words(output.document.key, facts, output, labels, locale, date),
              "customer_column": [col for col in signing if col["party"] == "customer"]},
        "leader": leader_block(facts, assets_dir),
        "L": labels,
        "locale": locale,
        "lang": locale,
        "doc": {"key": output.document.key, "number": number, "file": output.file, "date": output.date,
                "look": output.document.look, "landscape": output.document.landscape,
                "title": labels["titles"][output.document.key], "draft": draft, "source": source,
                "running_title": running_title(facts["project"]["name"])},
        "subject": output.subject,
        "people": facts["people"],
        "theme": _theme(templates_dir, fonts),
        "font_faces": Markup(fonts.css if fonts else ""),
        "logo": _asset_uri(facts["parties"]["contractor"].get("logo"), assets_dir),
        "date": date,
        "view": (output.document.view(facts, output.subject, labels, date) if output.document.view else None),
    }


def _theme(templates_dir: Path, fonts) -> dict:
    """The theme, each font role (`theme.fonts.sans`) as the CSS font-family list a template prints: the
    package's subset faces when given (with their Latin fallback, when the package needs it), else the theme's."""
    theme = load_theme(templates_dir)
    families = {kind: (family,) for kind, family in theme["fonts"].items()}
    if fonts is not None:
        families.update(fonts.families)
    return {**theme, "fonts": {kind: _css_families(names) for kind, names in families.items()}}


def _css_families(names) -> Markup:
    return Markup(", ".join('"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"' for name in names))


RUNNING_TITLE_WIDTH = 72  # in half-width characters: what the header's left box holds at 9 pt on a portrait page


def running_title(name: str, width: int = RUNNING_TITLE_WIDTH) -> str:
    """The project name for the running header, shortened with an ellipsis when it would not fit on one line."""
    used = 0
    for index, char in enumerate(name):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width - 2:
            return name[:index].rstrip() + "…" if index < len(name) - 1 else name
    return name


def signing_block(facts: dict, output: Output, assets_dir: Path | None) -> list[dict]:
    """The two columns of a signature block: per party, its seal and a signature line for each of its signatories
    (or one blank line). A party with no signatory yet (an unconfirmed service record) gets neither seal nor date:
    a draft must not look sealed by the customer. The date is the output's `signed` (a running ticket has none)."""
    if output.signers is None:
        return []
    columns = []
    for party in ("customer", "contractor"):
        info = facts["parties"][party]
        people = [facts["people"][k] for k in output.signers if facts["people"][k]["party"] == party]
        columns.append({
            "party": party, "short": opening(info["short"]), "name": info["name"],
            # the seal goes with a dated signature: a running ticket's draft is sealed by nobody yet
            "seal": _asset_uri(info.get("seal"), assets_dir) if people and output.signed else None,
            "signers": [{"person": p, "signature": _asset_uri(p["signature"], assets_dir)} for p in people]
            or [{"person": None, "signature": None}],
            "date": output.signed if people else None,
        })
    return columns


def leader_block(facts: dict, assets_dir: Path | None) -> dict | None:
    """Who signs the report for the acceptance group (DOCUMENTS §4), with their signature image if given."""
    key = facts.get("acceptance_leader")
    if not key:
        return None
    person = facts["people"][key]
    return {"person": person, "signature": _asset_uri(person.get("signature"), assets_dir)}


def _asset_uri(value: str | None, assets_dir: Path | None) -> str | None:
    """An image as a data: URI: the PDF must not depend on where the data folder lies on this machine
    (WeasyPrint names images after their URL), and the page's HTML then holds everything it prints."""
    if not value or assets_dir is None:
        return None
    data = (assets_dir.parent / value).resolve().read_bytes()
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def render_html(env: jinja2.Environment, facts: dict, output: Output, provenance: Provenance,
                assets_dir: Path | None = None, fonts=None) -> str:
    template = env.get_template(output.document.template)
    html = template.render(page_context(facts, output, provenance, Path(env.loader.searchpath[0]), assets_dir,
                                        fonts))
    people = facts["people"].values()
    parties = facts["parties"].values()
    # the project's and the parties' names are names too: "Harbour Yard Man-agement System", "North-/river
    # Municipal Water Supply", "the Sup-/plier" in a narrow cell wrap at their spaces; so is a short name as a
    # cell or a sentence opens with it ("The Hos-/pital" for "the Hospital")
    return keep_together(html, tuple(p["name"] for p in people) + tuple(p["title"] for p in people)
                         + (facts["project"]["name"],) + tuple(p[k] for p in parties for k in ("name", "short"))
                         + tuple(opening(p["short"]) for p in parties))


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CJK = HAN  # every Han ideograph: 𠮷 (extension B) in 阿依𠮷丽·买买提 was not one
# (English units of time are words longer than a unit's symbol: "1.6" / "seconds", "3" / "working days" broke)
_UNITS = ("%|‰|℃|毫秒|秒|分钟|小时|个工作日|工作日|天|周|个月|台|套|项|次|个|名|人|份|条|张|页|元|万|倍|"
          "(?:working |calendar )?(?:second|minute|hour|day|week|month|year)s?(?![A-Za-z])|"
          "°[CF]?|[A-Za-zμµ]{1,5}(?:/[A-Za-z]{1,3})?(?![A-Za-z])")
# What a reader never sees broken over two lines (issue 13): standard numbers, dates and times, phone numbers,
# numbers with their units, identifiers, and the legal-form ending of a company name. Longer tokens (a URL, a hash)
# are left to wrap, so that nothing runs off the page.
# Letters and digits, half-width and full-width (a Chinese text may type Ｖ１．２ or ＨＴ－２０２５－０８８), and the
# separators inside an identifier or a version (2.10.0-rc.3+build.20261118).
_ALNUM = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
_JOINS = "-_./+－＿．／"
# The legal-form ending of a company name, with the word before it
_LEGAL_FORMS = (rf"[{_CJK}]{{1,2}}(?:股份有限公司|有限责任公司|有限公司|公司)",
                r"[A-Za-z]+ (?:Co\., Ltd\.|Co\., Limited|Ltd\.|Limited|Inc\.|LLC|GmbH|PLC)")
# A web address, up to the space, tag, quote, dash, Chinese text or closing punctuation after it (not its own last
# . , ; :). The text is HTML: `&amp;` is part of an address, any other entity (`&#39;`, a quote) ends it.
_URL_END = rf"\s<>\"'&{_CJK}，。；：、）」』—–»”’"
_URL = rf"(?:https?|ftp)://(?:&amp;|[^{_URL_END}])*[^{_URL_END}.,;:!?)\]]"
_UNBROKEN = re.compile(f"(?<![{_ALNUM}])(?:" + "|".join((
    r"(?:GB|GB/T|GB/Z|ISO|IEC|ISO/IEC|YD/T|JR/T|SJ/T)\s?\d+(?:[.-]\d+)*(?::\d{4})?",
    # a section sign with its number ("Rules per §" / "4.2.1" broke), two with a range ("§§ 2–7")
    r"§{1,2}\s?\d+(?:\.\d+)*(?:\s?[–—-]\s?\d+(?:\.\d+)*)?",
    r"\d{4}\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?",
    rf"\d{{1,2}} (?:{_MONTHS})(?: \d{{4}})?",  # a day and its month, with the year or not ("by 15" / "February")
    r"\d{4}-\d{2}-\d{2}(?:\s\d{1,2}:\d{2})?",
    r"\d{1,2}:\d{2}(?:\s?[–—-]\s?\d{1,2}:\d{2})?",
    r"\+?\d{2,4}(?:[ -]\d{3,4}){1,3}(?![\d.])",
    # a number with its unit, thousands separators included ("p95 ≤ 2," / "500 ms" read as two numbers), its sign
    # and its comparison too ("≥" / "−100 dBm", "±" / "0.5 °C")
    rf"(?:[≤≥<>=＜＞＝±≈]\s?)?[−-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:[.．]\d+)?\s?(?:{_UNITS})",
    _URL,
    # an e-mail address, looked for only where a run of its characters begins (80,000 dashes were rescanned
    # from each of them: minutes)
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    # an identifier, a version or a path, with the slash a path starts with ("/" alone ended a line before it)
    rf"(?<![{_ALNUM}/])/[A-Za-z][{_ALNUM}]*(?:[{_JOINS}][{_ALNUM}]+)*",  # not "／2 小时": a number's, by its unit
    rf"[{_ALNUM}]+(?:[{_JOINS}][{_ALNUM}]+)+",
    # a checksum or a key in hex, never hyphenated: English hyphenation put "…1094b‐" / "d85a…" into a SHA-256
    r"[0-9a-fA-F]{32,}",
    *_LEGAL_FORMS,
)) + f")(?![{_ALNUM}])")
_LEGAL_FORM = re.compile(f"(?<![{_ALNUM}])(?:" + "|".join(_LEGAL_FORMS) + f")(?![{_ALNUM}])")
_TAG = re.compile(r"(<[^>]*>)")
# A run of Latin text with no break in it (a pasted base64 blob, a project name typed as one word) took the
# renderer minutes to break anywhere (5,000 characters in a cell: 352 s): past LONG_RUN characters, it may break
# after every BREAK_EVERY (a zero-width space, an entity counted as one). Chinese text breaks between characters.
LONG_RUN, BREAK_EVERY = 80, 40
_RUN_UNIT = r"(?:&[#\w]+;|[!-%'-;=?-~\u00a1-\u2dff])"
_LONG_RUN = re.compile(f"{_RUN_UNIT}{{{LONG_RUN + 1},}}")
_UNIT = re.compile(_RUN_UNIT)
# ...and inside a token kept together (an e-mail address, a URL, a path), which breaks at its separators when it
# must (with_breaks), a long run between two of them
_LONG_PIECE = re.compile(f"(?:(?![{re.escape(SEPARATORS)}]){_RUN_UNIT}){{{LONG_RUN + 1},}}")


def _breakable_run(match: re.Match) -> str:
    """The run with a zero-width space after every BREAK_EVERY of its units."""
    units = _UNIT.findall(match[0])
    return "\u200b".join("".join(units[n:n + BREAK_EVERY]) for n in range(0, len(units), BREAK_EVERY))


LONGEST_UNBROKEN = 32  # characters: a longer token may break, as a URL must on a narrow page

# An English possessive is never hyphenated: the dictionary's breaks leave its ending alone on the next line
# ("custom- / er's", "carri- / er's", "operat- / or's"); the word goes to the next line whole (as the templates
# print it: Jinja escapes the apostrophe as &#39;).
_POSSESSIVE = re.compile(r"(?<![A-Za-z0-9&#;'’-])[A-Za-z]+(?:&#39;|’)s(?![A-Za-z0-9])")


def _unhyphenated_possessives(text: str) -> str:
    return _POSSESSIVE.sub(r'<span class="nh">\g<0></span>', text)


# A name written in Chinese with a middle dot (阿依古丽·买买提, a minority or a transcribed name) breaks only after
# the dot, never inside a part and never before the dot: "阿依古 / 丽·买 / 买提" split it in a narrow column.
_DOTTED = re.compile(f"[{_CJK}][·・][{_CJK}]")
_AFTER_DOT = re.compile("(?<=[·・])")


@lru_cache(maxsize=32)
def _dotted_names(names: tuple[str, ...]) -> re.Pattern | None:
    dotted = sorted({n for n in names if _DOTTED.search(n)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, dotted))) if dotted else None


def _dotted_name(match: re.Match) -> str:
    return "".join(f'<span class="nb">{part}</span>' for part in _AFTER_DOT.split(match[0]))


def keep_together(html: str, names: tuple[str, ...] = ()) -> str:
    """The body's text with every token of _UNBROKEN in a `<span class="nb">` (white-space: nowrap), and every
    person's name and title written in Latin letters in a `<span class="nh">` (never hyphenated: "Priya Ra-man",
    "Support Engin-eer" in a narrow English cell; they may still wrap at their spaces), and a long run of Latin
    text with no break in it free to break every BREAK_EVERY characters; no English possessive is hyphenated.
    Only text between tags is touched: attributes, the head and the stylesheet stay as they are."""
    start = html.find("<body")
    if start < 0:
        return html
    # as the templates print them (Jinja escapes "O'Sullivan" as O&#39;Sullivan): the name is found in the HTML text
    pattern = _unbroken_with(tuple(sorted({str(escape(n)) for n in names if n and _LATIN.search(n)}, key=len,
                                          reverse=True)))
    dotted = _dotted_names(tuple(n for n in names if n))
    parts = _TAG.split(html[start:])
    for index in range(0, len(parts), 2):  # even parts are text, odd ones tags
        text = parts[index]
        if text.strip():
            parts[index] = _kept_together(pattern, text)
            if dotted:
                parts[index] = dotted.sub(_dotted_name, parts[index])
            if index + 1 < len(parts) and _BLOCK_END.match(parts[index + 1]):
                parts[index] = _LAST_TWO.sub(r'<span class="nb">\1</span>', parts[index])
    return html[:start] + "".join(parts)


# A paragraph, a cell or a run of text set apart (a note, a bold status) never ends with one Chinese character alone
# on its last line ("信息中心运维主 / 管", "…建设项目合 / 同", "（达 / 标）"): the last two characters of every text
# run before a closing tag or a line break (and the punctuation after them) are kept on one line, and so is an
# opening bracket just before them (WeasyPrint broke between "（" and the kept "达标）", an opening bracket left
# at a line's end); a run ending in a bracketed word of up to four characters keeps the word whole ("6:00（ /
# 未达标）" on a fault form: the kept "6:00" left "（未" a text of its own, which broke inside).
_BLOCK_END = re.compile(r"</[a-z0-9]+>|<br\b")
_LAST_TWO = re.compile(rf"([（「『“][{_CJK}]{{1,4}}[）」』”][。，、；：！？]*"
                       rf"|[（「『“]?[{_CJK}]:?[{_CJK}][）」』”。，、；：！？]*)\s*$")  # 时:分） too


_LATIN = re.compile("[A-Za-z]")


@lru_cache(maxsize=32)
def _unbroken_with(names: tuple[str, ...]) -> re.Pattern:
    if not names:
        return _UNBROKEN
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(f"(?<![A-Za-z0-9])(?P<name>{alternatives})(?![A-Za-z0-9])|{_UNBROKEN.pattern}")


def _kept_together(pattern: re.Pattern, text: str) -> str:
    """`text` with each token of `pattern` kept together (`_nobreak`), and each long run of the text between them
    free to break. (A token is found before any run is broken: a break put into a 90-character e-mail address
    split it, and "@bluefinso" was then hyphenated as a word.)"""
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [_unhyphenated_possessives(_LONG_RUN.sub(_breakable_run, text[last:match.start()])), _nobreak(match)]
        last = match.end()
    out.append(_unhyphenated_possessives(_LONG_RUN.sub(_breakable_run, text[last:])))
    return "".join(out)


def _nobreak(match: re.Match) -> str:
    token = _LONG_PIECE.sub(_breakable_run, match[0])
    if match.re.groupindex.get("name") and match["name"]:  # its legal-form ending is kept together: "Co., Ltd."
        # but not its hyphenated parts: "Oberhauser-Wittgenstein" kept whole could not follow "Anna-Katharina" on a
        # narrow cell's line, and WeasyPrint then broke the name inside a word ("Anna-Katharina O / berhauser-")
        return f'<span class="nh">{_LEGAL_FORM.sub(_nobreak, token)}</span>'

    if "-" in token and all(part.isalpha() and part.islower() for part in token.split("-")):
        # a hyphenated word (follow-up, non-core) is ordinary text, which may break after its hyphen: an identifier
        # has a digit, a capital or another separator (S-01, V1.2, var/lib/x.csv). Kept together beside a date
        # kept together, `follow-up` made WeasyPrint break a line early, with room left on it.
        return token
    if len(token) > LONGEST_UNBROKEN:  # it may wrap, after a separator first, and is never hyphenated: a hyphen
        return f'<span class="nh">{with_breaks(token)}</span>'  # put into an address or a path would be copied
    return f'<span class="nb">{token}</span>'

