"""One correction to WeasyPrint 70's line breaking: a text before an inline box is not cut after its first word
when only its trailing space is too wide for the line.

WeasyPrint lays a line's text out up to the next inline box (a kept-together date or ID is one: render.py's
`nb` spans). When that text, trailing space included, is a little wider than the room left, but fits without
the space, Pango reports that it fits on one line and WeasyPrint, measuring the space too, decides it cannot be
split earlier and keeps only its first word: "… the vendor's patch for the / customer's / cluster is out, see
ISS-004." (the room held "customer's cluster is out,"). A trailing space that would end a line is not printed
(CSS Text 3 §4.1.3: it hangs), and WeasyPrint's inline layout already leaves it out when it checks a line for
overflow: so such a text is given back whole, and the inline layout then breaks the line before the box that
does not fit, at the text's last break, as it does for any other line.
"""
from __future__ import annotations

_installed = False


def install() -> None:
    """Put the corrected line splitter where WeasyPrint's inline layout calls it (once a process)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline
    from weasyprint.text.line_break import split_first_line

    def split_first_line_hanging_space(text, style, context, max_width, justification_spacing,
                                       is_line_start=True, minimum=False):
        result = split_first_line(text, style, context, max_width, justification_spacing, is_line_start,
                                  minimum)
        if (result[2] is None or minimum or max_width is None or not text.endswith(" ")
                or style["white_space"] not in ("normal", "pre-line")):
            return result
        words = text.rstrip(" ")
        if not words or "\n" in text:
            return result
        if split_first_line(words, style, context, max_width, justification_spacing, is_line_start,
                            minimum)[2] is not None:
            return result  # the words themselves need more than the line: the break WeasyPrint found stands
        return split_first_line(text, style, context, None, justification_spacing, is_line_start, minimum)

    inline.split_first_line = split_first_line_hanging_space
    _installed = True
