"""The one escaping path for values that reach the report.

Every value that comes from data (scraped posts, transcripts, codebook labels, numbers) enters
the Markdown of the report through :func:`escape_markdown`. The result is read as plain literal
text by pandoc *and* by Quarto:

* HTML: ``& < >`` become character references, so ``<script>`` or ``<img onerror=...>`` is
  shown, never parsed as raw HTML (pandoc's ``raw_html`` extension would pass it through).
* Quarto shortcodes: ``{{< ... >}}`` loses its ``<`` (now ``&lt;``) and its braces are
  backslash-escaped, so Quarto's shortcode scanner cannot match it.
* Markdown: every ASCII punctuation character that Markdown could read as syntax is
  backslash-escaped (pandoc accepts a backslash before any ASCII punctuation), so ``*``,
  ``[x](y)``, ``|`` in a table cell, a leading ``#`` or ``-`` and ``:::`` stay literal.
* Layout: line breaks and runs of white space collapse to one space, because a value always
  sits inside one line (a table cell, a sentence, a heading).

SVG written by the pipeline is XML, not Markdown; :func:`escape_xml` is its counterpart and
lives here so that all escaping is found in one module.
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

#: Characters that become HTML character references (pandoc decodes them to the literal char).
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: ASCII punctuation that Markdown, pandoc extensions or Quarto may read as syntax.
_BACKSLASHED = set("\\`*_{}[]()#+-.!|~^$@:=\"'%/")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"[^\S\u00a0]+")  # white space but the no-break space


class Markdown(str):
    """A string that is already safe Markdown (escaped data, or a trusted label string)."""


def plain_text(value: Any) -> str:
    """The text of a value: None and NaN are empty, numbers keep their repr, space is collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = _CONTROL.sub("", str(value))
    return _SPACE.sub(" ", text).strip()


def escape_markdown(value: Any) -> Markdown:
    """Escape one data value for the report's Markdown (see the module docstring)."""
    if isinstance(value, Markdown):
        return value
    pieces = []
    for char in plain_text(value):
        if char in _ENTITIES:
            pieces.append(_ENTITIES[char])
        elif char in _BACKSLASHED:
            pieces.append("\\" + char)
        else:
            pieces.append(char)
    return Markdown("".join(pieces))


def escape_memo_markdown(text: str) -> Markdown:
    """A memo's Markdown body for the report: its Markdown formatting is kept (memos are the
    analysts' own prose), but it can neither inject HTML nor Quarto shortcodes (``& < >``
    become character references), nor break the report's structure: a line that would open a
    heading or a fenced div (``#``, ``:::``) or a YAML block (``---``) is escaped."""
    lines = []
    for line in _CONTROL.sub("", text).replace("\r\n", "\n").split("\n"):
        line = "".join(_ENTITIES.get(char, char) for char in line)
        stripped = line.lstrip()
        if stripped.startswith(("#", ":::", "---", "```", "~~~")):
            line = line[:len(line) - len(stripped)] + "\\" + stripped
        lines.append(line)
    return Markdown("\n".join(lines).strip())


def escape_xml(value: Any) -> str:
    """Escape one data value for SVG/XML text or a double-quoted attribute."""
    return _xml_escape(plain_text(value), {'"': "&quot;"})
