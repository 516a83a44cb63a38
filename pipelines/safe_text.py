"""Text from an extract made safe for the three kinds of markup the project writes.

Any value that came from a source system (an action title, a complaint
category, a value that failed a check, a file name) is data, never markup:
before it meets HTML, Streamlit markdown or a plotly label it goes through
one of these, chosen by where it lands. Our own markup around it (bold,
line breaks) is added after.

- `html_text`: HTML documents we write (the board pack, Data Docs) - element
  text and attribute values.
- `markdown_text`: anything Streamlit reads as markdown (st.markdown,
  st.caption, st.table cells, widget labels, expanders, help): the marks that
  open markup are backslash-escaped (CommonMark shows an escaped mark as
  itself), so no link, image, raw HTML, emphasis, code, math, directive
  (:red[...]) or shortcode can form; an invisible word joiner (U+2060) goes
  inside "://", "www." and after "@", where Streamlit would otherwise link a
  bare address found in the text; line breaks become spaces and a
  leading list or heading mark is escaped, so a value cannot start a block of
  its own. Ordinary text ("2025-06", "65+", "St Katharine's & Wapping") is
  left as it is.
- `chart_text`: plotly titles, labels, legend entries, hover and annotations,
  which render a subset of HTML (<a href>, <b>, <br>, <span style>): < > &
  become entities, which plotly shows as the characters themselves.
"""

from __future__ import annotations

import html
import re

# Marks that open inline markup anywhere in a line (links and images need "[",
# raw HTML and autolinks "<", directives and URL schemes ":", e-mail links "@").
_INLINE_MARKS = re.compile(r"([\\`*_\[\]<>~$:@|{}])")
# Streamlit (remark-gfm) links bare addresses found in the text *after* escapes are
# resolved, so a backslash cannot stop them: an invisible word joiner inside
# "://", "www." and after "@" does.
_AUTOLINK_SPOTS = re.compile(r"(?i)(:)(//)|\b(www)(\\?\.)|(@)")
WORD_JOINER = "\u2060"
# Marks that open a block only at the start of a line: heading, quote, list, rule.
_BLOCK_START = re.compile(r"^(\s*)(?:([#>+=*-])|(\d+)([.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def _as_text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def html_text(value) -> str:
    """For HTML element content or a quoted attribute value."""
    return html.escape(_as_text(value), quote=True)


def markdown_text(value) -> str:
    """For text Streamlit renders as markdown: shown literally, never as markup or a link."""
    text = _INLINE_MARKS.sub(r"\\\1", _LINE_BREAKS.sub(" ", _as_text(value)))
    text = _AUTOLINK_SPOTS.sub(lambda m: WORD_JOINER.join(g for g in m.groups() if g) if not m.group(5)
                               else m.group(5) + WORD_JOINER, text)
    return _BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(m: re.Match) -> str:
    if m.group(2):  # "# x", "- x"
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"  # "1. x"


def chart_text(value) -> str:
    """For any string plotly draws (it reads a subset of HTML and entities)."""
    return html.escape(_as_text(value), quote=False)
