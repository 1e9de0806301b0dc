"""Text normalization for Chinese and Western text.

Choice of form: NFC, not NFKC. NFKC would fold the full-width punctuation Chinese writing uses
(，。：！？（）；) into ASCII, turn ① ㈠ ㊣ into other characters and change every quote a coder sees —
and every offset a manual coding points at. NFC keeps it (it only
composes accents and maps CJK compatibility ideographs to their unified form). On top of NFC we:

* fold only full-width Latin letters and digits (ＡＰＰ, １００, １３８…) to ASCII, so rules and the
  de-identifier's phone/ID patterns match them; full-width punctuation stays;
* turn the ideographic space, no-break and thin spaces into plain spaces and U+2028/U+2029
  into line breaks;
* drop zero-width characters (U+200B/C, U+2060, BOM, soft hyphen), bidirectional controls and
  C0/C1 control characters (tab and newline stay) — they are invisible, and one inside a phone
  number or a name would hide it from de-identification;
* keep the zero-width joiner only inside emoji sequences;
* collapse runs of spaces, strip each line, and keep at most one blank line.

Normalization runs before de-identification (see :mod:`gtflow.clean.document`).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

import numpy as np

#: One translation table: full-width alphanumerics -> ASCII, odd spaces -> " ", invisibles -> "".
TRANSLATION: dict[int, str | None] = {}
TRANSLATION.update({code: chr(code - 0xFEE0) for code in range(0xFF10, 0xFF1A)})
TRANSLATION.update({code: chr(code - 0xFEE0) for code in range(0xFF21, 0xFF3B)})
TRANSLATION.update({code: chr(code - 0xFEE0) for code in range(0xFF41, 0xFF5B)})
TRANSLATION.update({code: " " for code in (0x3000, 0x00A0, 0x2007, 0x202F, 0x2009, 0x200A,
                                           0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2008)})
TRANSLATION.update({0x2028: "\n", 0x2029: "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n"})
INVISIBLE = [0x200B, 0x200C, 0x2060, 0xFEFF, 0x00AD, 0x200E, 0x200F, 0x061C,
             *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
CONTROLS = [c for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A)
            and c not in TRANSLATION]
TRANSLATION.update({code: None for code in INVISIBLE + CONTROLS})

LONE_ZWJ = re.compile(r"(?<![\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\u200d"
                      r"|\u200d(?![\U0001F000-\U0001FAFF\u2600-\u27BF])")
INLINE_SPACE = re.compile(r"[ \t]+")
SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
MANY_BLANK_LINES = re.compile(r"\n{3,}")
#: The characters TRANSLATION changes, and those the space rules read: a text without any
#: (most short posts) skips those passes, as each would return it unchanged.
TRANSLATED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(TRANSLATION)) + "]")
SPACE_OR_BREAK = re.compile(r"[ \t\n]")


@functools.cache
def white_space_code_points() -> tuple[int, ...]:
    """The code points ``str.isspace()`` is true of: what ``str.split()`` splits at and
    ``str.strip()`` removes, asked of this Python once.

    Every code point is decoded into one string and searched for ``\\s``, which in a text
    pattern matches exactly the characters ``str.isspace()`` is true of: a tenth of the time
    of asking each character (about 0.1 s, paid by every step that needs the list)."""
    every = np.arange(sys.maxunicode + 1, dtype="<u4").tobytes()
    text = every.decode("utf-32-le", "surrogatepass")
    return tuple(match.start() for match in re.finditer(r"\s", text))


def drop_control_characters(text: str) -> str:
    """Remove C0/C1 control characters except newline and tab."""
    return text.translate({code: None for code in CONTROLS})


def normalize_text(text: str) -> str:
    """Normalize one text as described in the module docstring."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if TRANSLATED.search(text):
        text = text.translate(TRANSLATION)
    if "\u200d" in text:
        text = LONE_ZWJ.sub("", text)
    if SPACE_OR_BREAK.search(text):
        text = INLINE_SPACE.sub(" ", text)
        text = SPACE_AROUND_NEWLINE.sub("\n", text)
        text = MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
